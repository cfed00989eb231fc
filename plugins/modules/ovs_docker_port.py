#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: ovs_docker_port
short_description: Attach Docker containers to Open vSwitch bridges, as ovs-docker does, idempotently
version_added: 0.1.0
description:
  - Does what C(ovs-docker add-port), C(del-port), C(del-ports) and C(set-vlan) do, through APIs (Docker
    SDK, OVSDB IDL, netlink) rather than commands. It makes a veth pair with one end inside the container's
    network namespace (renamed to O(interface)) and the other on O(bridge), with addresses, MAC, MTU
    (on both ends), gateways and a VLAN tag. The container image needs no tools.
  - Keeps ovs-docker's port contract, so the two work on each other's ports - the OVS interface carries
    C(external_ids:container_id) (the container as you named it) and C(external_ids:container_iface).
    C(ovs-docker del-port BRIDGE IFACE CONTAINER) removes a port made here, and a port made by
    C(ovs-docker add-port) is adopted (no change when it already matches).
  - Idempotent and drift-repairing. The same container named by name, short or full ID is the same port.
    A container that restarted (its veth gone, its OVSDB row stale) is plumbed again, and the diff says why.
  - Many containers in one task with O(attachments) - every OVSDB change of the task in one
    transaction (two when stale ports go first), every container looked at once.
  - Validates everything before the first change (a missing or stopped container too); a failure
    half-way undoes what the run did.
author:
  - netdevops.ovs_docker developers (@netdevops)
extends_documentation_fragment:
  - netdevops.ovs_docker.action
  - netdevops.ovs_docker.attachment
  - netdevops.ovs_docker.attachment.container_items
  - netdevops.ovs_docker.ovsdb
attributes:
  diff_mode:
    support: full
    description: Flat C(before)/C(after) of the attachment; with several, one entry per C(CONTAINER/INTERFACE).
options:
  container:
    description:
      - The container, by name, short or full ID. Mutually exclusive with O(attachments).
    type: str
  interface:
    description:
      - Name of the interface inside the container. Default C(eth0).
      - With O(state=absent), leaving it out removes every port of the container (C(ovs-docker del-ports)).
    type: str
  bridge:
    description:
      - The OVS bridge. Required to attach.
    type: str
  state:
    description:
      - C(present) attaches; C(absent) detaches; C(pruned) removes every container port that is dead for
        good - its container no longer exists, is stopped, or restarted and the port's veth is gone - on
        O(bridge), or on every bridge when it is not set; it needs no O(container). The detection is the
        one M(netdevops.ovs_docker.ovs_docker_info) reports.
    type: str
    choices: [present, absent, pruned]
    default: present
  addresses:
    description:
      - IPv4 and IPv6 addresses with prefix length inside the container (C(--ipaddress) of ovs-docker, but
        several); others are removed. When not set, left as they are.
    type: list
    elements: str
    aliases: [ipaddress]
  mac:
    description:
      - Unicast MAC address of the interface inside the container (C(--macaddress)).
      - When not set, a new pair gets a stable, locally administered MAC derived from the container ID and
        interface, so that it stays the same when the pair is made again (neighbours' ARP caches stay right);
        an existing interface keeps its MAC.
    type: str
    aliases: [macaddress]
  vlan:
    description:
      - VLAN access tag (1 to 4094) of the port (C(ovs-docker set-vlan)); C(0) removes the tag.
    type: int
  external_ids:
    description:
      - More keys for the OVS interface's C(external_ids) (C(container_id) and C(container_iface) are set by the module).
    type: dict
  create_bridge:
    description:
      - Create O(bridge) when it does not exist, as ovs-docker does.
    type: bool
    default: true
  datapath_type:
    description:
      - Datapath of a bridge this module creates. When not set (or C(auto)), C(system) where the openvswitch
        kernel module is loaded and C(netdev) (userspace) where it is not.
    type: str
  docker_host:
    description:
      - The Docker engine's API endpoint. When not set, C(DOCKER_HOST) from the environment, else
        C(unix:///var/run/docker.sock). Any engine with the Docker API works, Podman's compatible
        socket (C(unix:///run/podman/podman.sock)) among them.
      - A C(unix://) socket is asked directly; any other endpoint (C(tcp://), C(ssh://)) through the
        Docker SDK for Python, which must then be installed.
    type: str
  docker_timeout:
    description:
      - Seconds to wait for an answer from the Docker engine.
    type: int
    default: 60
requirements:
  - docker (the Docker SDK for Python; Debian/Ubuntu C(python3-docker)), for an engine not on a local C(unix://) socket
  - pyroute2 (Debian/Ubuntu C(python3-pyroute2))
notes:
  - Needs root on the host that runs the containers and Open vSwitch.
  - "What this module will and will not touch: it changes or removes only ports that carry ovs-docker's
    marks for the container and interface (C(external_ids) C(container_id) and C(container_iface)),
    with their veth pairs, and pairs it makes itself. An interface of that name already in the
    container that is not such a pair - above all Docker's own C(eth0) in a container on a Docker
    network - is an error naming it (its peer on C(docker0), say) and suggesting a free name, with
    nothing changed: give such containers a second interface (O(interface=eth1)). O(state=absent)
    and O(state=pruned) remove only ports with those marks; other OVS ports on the bridge stay."
  - Containers started with C(--net=host) are refused (an attachment would put links among the host's
    own interfaces). Containers that share another container's namespace (C(--network container:NAME))
    work; their interfaces are that namespace's, seen from both containers.
  - Runs that change a host take turns (a lock in C(/run)), so two plays at once on one attachment or one
    new bridge give one whole result, the second run finding it made. Check mode takes no lock.
  - Before a change that OVSDB must carry, the module checks that C(ovs-vswitchd) runs beside a local
    OVSDB socket (its pid file); without it the run fails with nothing changed.
seealso:
  - module: netdevops.ovs_docker.netns_veth
  - module: netdevops.ovs_docker.ovs_bridge
  - name: ovs-docker
    description: The script this module replaces.
    link: https://github.com/openvswitch/ovs/blob/main/utilities/ovs-docker
'''

EXAMPLES = r'''
- name: The seed's ovs-docker add-port br0 eth0 con1 --ipaddress=192.168.1.2/24 --gateway=192.168.1.250
  netdevops.ovs_docker.ovs_docker_port:
    container: con1
    interface: eth0
    bridge: br0
    addresses: [192.168.1.2/24]
    gateway: 192.168.1.250

- name: A hundred containers, one task, one OVSDB transaction
  netdevops.ovs_docker.ovs_docker_port:
    bridge: br0
    gateway: 10.1.0.1
    attachments: >-
      {% set items = [] %}{% for i in range(1, 101) %}{% set _ = items.append({'container': 'web%d' % i,
      'addresses': ['10.1.0.%d/16' % (i + 1)]}) %}{% endfor %}{{ items }}

- name: set-vlan
  netdevops.ovs_docker.ovs_docker_port:
    container: con1
    bridge: br0
    vlan: 10

- name: A trunk of VLANs 100 to 110 into the container, with a sub-interface for VLAN 100; at most 10 Mbit/s out, 20 in
  netdevops.ovs_docker.ovs_docker_port:
    container: router1
    bridge: br0
    vlan_mode: trunk
    trunks: [100-110]
    vlans:
      - {id: 100, addresses: [10.1.0.1/24]}
    ingress_policing_rate: 10000
    ingress_policing_burst: 1000
    egress_rate: 20000

- name: del-ports (every port of the container)
  netdevops.ovs_docker.ovs_docker_port:
    container: con1
    state: absent

- name: Remove ports left by containers that no longer exist
  netdevops.ovs_docker.ovs_docker_port:
    state: pruned
'''

RETURN = r'''
attachments:
  description:
    - Every attachment the task dealt with, as it is after the run (as it would be, in check mode);
      keys as in M(netdevops.ovs_docker.netns_veth)'s C(attachment), plus C(key), C(CONTAINER/INTERFACE).
  returned: always
  type: list
  elements: dict
  sample: [{key: con1/eth0, state: present, bridge: br0, host_interface: 3f2a9c1b0d4e7_l, addresses: [192.168.1.2/24]}]
attachment:
  description: With O(container) (not O(attachments)) and one attachment, that attachment.
  returned: when there is exactly one
  type: dict
  sample: {key: con1/eth0, state: present, bridge: br0, host_interface: 3f2a9c1b0d4e7_l}
bridge_created:
  description: The first bridge this run created (or would create); RV(bridges_created) lists them all.
  returned: when a bridge was created
  type: str
  sample: br0
bridges_created:
  description: Every bridge this run created (or would create), by name.
  returned: when a bridge was created
  type: list
  elements: str
  sample: [br0, br1]
'''

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.runner import run
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains.attachment.docker_port import DockerPort


def main():
    run(DockerPort)


if __name__ == '__main__':
    main()
