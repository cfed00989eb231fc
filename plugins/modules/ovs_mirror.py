#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: ovs_mirror
short_description: Open vSwitch port mirrors, their sources named as containers, namespaces, ports or VLANs
version_added: 0.6.0
description:
  - Makes, changes and removes mirrors on OVS bridges (the C(Mirror) table and the bridge's C(mirrors) column) - what
    crosses the mirror's sources is copied to its output, a port or a VLAN, typically the port of a capture namespace or
    container attached with M(netdevops.ovs_docker.netns_veth) or M(netdevops.ovs_docker.ovs_docker_port), where
    C(tcpdump) records it.
  - Sources and output are named the way users know them - a container and its interface (found by ovs-docker's port
    marks, C(container_id) and C(container_iface)), a namespace and its interface (netns_veth's), a port by its name,
    VLANs, or everything on the bridge.
  - Idempotent, with check mode and diff; many mirrors in one run, in one OVSDB transaction. A mirror whose source
    container restarted (its port made again) lost that source; a run puts it back.
  - Everything is checked before anything changes - a bridge, container, namespace or port that is not there, an
    output that is one of the sources - and the message names it and the fix.
author:
  - netdevops.ovs_docker developers (@netdevops)
extends_documentation_fragment:
  - netdevops.ovs_docker.action
  - netdevops.ovs_docker.ovsdb
attributes:
  diff_mode:
    support: full
    description: C(before)/C(after) of each mirror by C(BRIDGE/NAME) (its columns, ports by name).
options:
  mirrors:
    description: The mirrors.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: The mirror's name, unique on its bridge.
        type: str
        required: true
      bridge:
        description: The OVS bridge it is on.
        type: str
        required: true
      sources:
        description:
          - What it copies, each one of C(container) (and C(interface), default C(eth0)), C(namespace) and C(interface),
            or C(port).
        type: list
        elements: dict
        suboptions:
          container: {description: A container (name or ID) attached to the bridge., type: str}
          namespace: {description: A namespace attached to the bridge., type: str}
          interface: {description: The container's or namespace's interface., type: str}
          port: {description: An OVS port's name., type: str}
          direction:
            description:
              - V(both), V(in) (what the source sends - the packets the bridge receives on its port, C(select_src_port))
                or V(out) (what it is sent, C(select_dst_port)).
            type: str
            choices: [both, in, out]
            default: both
      vlans:
        description:
          - VLANs whose packets it copies (C(select_vlan)) - of O(mirrors[].sources) when given, else of every port (C(select_all)
            with C(select_vlan) - OVS selects by port, then by VLAN).
        type: list
        elements: int
      select_all:
        description: Copy everything that crosses the bridge.
        type: bool
        default: false
      output:
        description: Where the copies go - one of C(container) (and C(interface)), C(namespace) and C(interface), C(port), or C(vlan).
        type: dict
        suboptions:
          container: {description: A container attached to the bridge (a capture container)., type: str}
          namespace: {description: A namespace attached to the bridge (a capture namespace)., type: str}
          interface: {description: The container's or namespace's interface., type: str}
          port: {description: An OVS port's name., type: str}
          vlan: {description: A VLAN the copies are sent on (C(output_vlan))., type: int}
      state:
        description: V(present) or V(absent) (removed, with the bridge's reference to it).
        type: str
        choices: [present, absent]
        default: present
  docker_host:
    description:
      - The engine's endpoint, asked only for a container whose port was made under another reference (its ID).
        When not set, C(DOCKER_HOST), else C(unix:///var/run/docker.sock).
    type: str
  docker_timeout:
    description: Seconds to wait for an answer from the engine.
    type: int
    default: 60
notes:
  - "What this module will and will not touch: a mirror it made carries external_ids C(netdevops.ovs_docker=mirror); it
    changes and removes only such a mirror. Another mirror of the same name on the bridge is an error naming it, with
    nothing changed."
  - On the kernel datapath and the userspace one alike; the output port should be a port nothing else sends on.
seealso:
  - module: netdevops.ovs_docker.netns_veth
    description: A capture namespace on the bridge, the mirror's output.
  - module: netdevops.ovs_docker.ovs_docker_info
    description: The bridges' mirrors, read back.
'''

EXAMPLES = r'''
- name: A capture namespace on br0
  netdevops.ovs_docker.netns_veth:
    namespace: cap1
    interface: eth0
    bridge: br0

- name: Everything con1's eth0 sends and receives, copied to it
  netdevops.ovs_docker.ovs_mirror:
    mirrors:
      - name: con1-eth0
        bridge: br0
        sources: [{container: con1, interface: eth0}]
        output: {namespace: cap1, interface: eth0}

- name: Then, on the host - ip netns exec cap1 tcpdump -ni eth0 -w con1.pcap

- name: VLAN 20's frames on a trunk, to a capture container's port
  netdevops.ovs_docker.ovs_mirror:
    mirrors:
      - {name: vlan20, bridge: br0, vlans: [20], output: {container: capture, interface: eth1}}

- name: Both gone
  netdevops.ovs_docker.ovs_mirror:
    mirrors:
      - {name: con1-eth0, bridge: br0, state: absent}
      - {name: vlan20, bridge: br0, state: absent}
'''

RETURN = r'''
mirrors:
  description: Each mirror as it is after the run (as it would be, in check mode), its ports by name.
  returned: always
  type: list
  elements: dict
  sample: [{name: con1-eth0, bridge: br0, state: present, select_all: false, select_src_port: [5d41402abc4b2_l],
            select_dst_port: [5d41402abc4b2_l], select_vlan: [], output_port: veth0, output_vlan: null}]
'''

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.runner import run
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains.mirror import OvsMirror


def main():
    run(OvsMirror)


if __name__ == '__main__':
    main()
