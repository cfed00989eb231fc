#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: ovs_vxlan
short_description: Join OVS bridges on several hosts into one L2 segment with a VXLAN link
version_added: 0.1.0
description:
  - Makes a kernel VXLAN link (C(ip link add NAME type vxlan id VNI dstport PORT nolearning)) that floods
    to every host in O(remotes) (C(bridge fdb append 00:00:00:00:00:00 dev NAME dst REMOTE)), and puts it on
    O(bridge) as a port. With the same O(vni) on each host and each host's address in the others'
    O(remotes), the bridges form one L2 segment; OVS learns where each MAC lives.
  - A kernel link rather than an OVS tunnel port, so that it works alike on the kernel and the userspace
    (C(netdev)) datapath.
  - Repairs drift - a deleted link or port, a port on another bridge, a link with another VNI, port or
    local address (made again), remotes added or removed by hand, a link set down.
  - Many links in one run with O(vxlans), a list (what an item leaves unset is the task's); their ports
    go in one OVSDB transaction.
  - Everything is checked before anything changes; when a step fails, what this run changed is undone.
author:
  - netdevops.ovs_docker developers (@netdevops)
extends_documentation_fragment:
  - netdevops.ovs_docker.action
  - netdevops.ovs_docker.ovsdb
attributes:
  diff_mode:
    support: full
    description: Flat C(before)/C(after) of the link, its remotes and its bridge.
options:
  name:
    description:
      - Name of the VXLAN link and of its OVS port (at most 15 characters).
      - Required unless O(vxlans) is given.
    type: str
  vxlans:
    description:
      - Many VXLAN links in one run, each with the options of one link; O(bridge), O(remotes), O(local),
        O(port), O(mtu) and O(state) an item does not set are the task's.
      - The result is then RV(vxlans), a list in this order, and the diff is keyed by name.
    type: list
    elements: dict
    suboptions:
      name:
        description: Name of the link and of its port.
        type: str
        required: true
      bridge:
        description: The OVS bridge it goes on.
        type: str
      vni:
        description: VXLAN network identifier.
        type: int
      remotes:
        description: Underlay addresses of the other hosts of its segment.
        type: list
        elements: str
      local:
        description: This host's underlay address.
        type: str
      port:
        description: UDP port of the tunnel.
        type: int
      mtu:
        description: MTU of the link.
        type: int
      state:
        description: C(present) or C(absent).
        type: str
        choices: [present, absent]
  bridge:
    description: The OVS bridge it goes on. Required with O(state=present).
    type: str
  vni:
    description: VXLAN network identifier (1 to 16777215); the same on every host of the segment.
    type: int
  remotes:
    description:
      - Underlay addresses of the other hosts of the segment; exactly these are flooded to (others are removed).
    type: list
    elements: str
    default: []
  local:
    description:
      - This host's underlay address, the source of the tunnel's packets. When not set, the kernel picks
        one by route, and an existing link's is kept.
    type: str
  port:
    description: UDP port of the tunnel.
    type: int
    default: 4789
  mtu:
    description:
      - MTU of the link. When not set, the kernel's default. Leave room for the 50 bytes VXLAN adds
        over IPv4 (1450 on a 1500 underlay), or set the MTU of the ports on the segment below it.
    type: int
  state:
    description: C(present) makes it; C(absent) removes the port and the link.
    type: str
    choices: [present, absent]
    default: present
requirements:
  - pyroute2 (Debian/Ubuntu C(python3-pyroute2))
notes:
  - Needs root. The hosts must reach each other on UDP O(port).
seealso:
  - module: netdevops.ovs_docker.ovs_bridge
'''

EXAMPLES = r'''
- name: br0 of every host in one L2 segment (each host lists the others)
  netdevops.ovs_docker.ovs_vxlan:
    name: vx42
    bridge: br0
    vni: 42
    local: "{{ underlay_address }}"
    remotes: "{{ groups['fleet'] | difference([inventory_hostname]) | map('extract', hostvars, 'underlay_address') }}"
    mtu: 1450

- name: Leave the segment
  netdevops.ovs_docker.ovs_vxlan:
    name: vx42
    state: absent

- name: Two segments in one run (one OVSDB transaction for their ports)
  netdevops.ovs_docker.ovs_vxlan:
    local: "{{ underlay_address }}"
    remotes: [192.0.2.12, 192.0.2.13]
    mtu: 1450
    vxlans:
      - {name: vx42, bridge: br0, vni: 42}
      - {name: vx43, bridge: br1, vni: 43}
'''

RETURN = r'''
vxlan:
  description: The link as it is after the run (as it would be, in check mode).
  returned: when O(name) is given
  type: dict
  sample: {name: vx42, state: present, bridge: br0, kind: vxlan, vni: 42, port: 4789, local: 192.0.2.11,
           remotes: [192.0.2.12, 192.0.2.13], mtu: 1450, link_state: up}
vxlans:
  description: With O(vxlans), each link as it is after the run (as RV(vxlan) shows one), in the list's order.
  returned: when O(vxlans) is given
  type: list
  elements: dict
  sample: [{name: vx42, state: present, bridge: br0, vni: 42}, {name: vx43, state: absent}]
'''

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.runner import run
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains.vxlan import OvsVxlan


def main():
    run(OvsVxlan)


if __name__ == '__main__':
    main()
