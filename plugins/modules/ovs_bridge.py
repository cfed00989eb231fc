#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: ovs_bridge
short_description: Manage an Open vSwitch bridge and the addresses of its internal interface
version_added: 0.1.0
description:
  - Creates, changes or removes an Open vSwitch bridge through OVSDB, in one transaction a run,
    and waits until C(ovs-vswitchd) has applied it.
  - Manages the addresses and link state of the bridge's internal interface through netlink,
    as C(ovs-vsctl add-br br0) followed by C(ifconfig br0 192.168.1.250/24) does.
  - Validates every option before it changes anything; when a step fails half-way, what the run
    already changed is undone.
  - Fails clearly, leaving nothing behind, when C(ovs-vswitchd) cannot give the bridge a datapath
    (for example C(system) without the openvswitch kernel module; use C(datapath_type=netdev)).
author:
  - netdevops.ovs_docker developers (@netdevops)
extends_documentation_fragment:
  - netdevops.ovs_docker.action
  - netdevops.ovs_docker.ovsdb
attributes:
  diff_mode:
    support: full
    description: Flat C(before)/C(after) of every managed property; deleting a bridge lists the ports that go with it.
options:
  name:
    description:
      - Name of the bridge, which is also the name of its internal interface (at most 15 characters).
      - Required unless O(bridges) is given.
    type: str
    aliases: [bridge]
  bridges:
    description:
      - Many bridges in one run, with one OVSDB transaction for all of them. Each item takes O(name) and
        the options below; O(state), O(datapath_type), O(fail_mode), O(purge_external_ids),
        O(purge_other_config), O(link_state) and O(persistent) default to the task's own.
      - The result is RV(bridges) instead of RV(bridge), RV(created) lists the new bridges, and the diff is
        keyed by bridge name.
    type: list
    elements: dict
    suboptions:
      name: {description: The bridge., type: str, required: true, aliases: [bridge]}
      state: {description: C(present) or C(absent)., type: str, choices: [present, absent]}
      datapath_type: {description: The datapath (C(auto) as above)., type: str}
      fail_mode: {description: Fail mode., type: str, choices: [standalone, secure]}
      external_ids: {description: Keys to set in C(external_ids)., type: dict}
      purge_external_ids: {description: Remove unlisted C(external_ids) keys., type: bool}
      other_config: {description: Keys to set in C(other_config)., type: dict}
      purge_other_config: {description: Remove unlisted C(other_config) keys., type: bool}
      addresses: {description: Addresses of the internal interface., type: list, elements: str}
      link_state: {description: Administrative state of the internal interface., type: str, choices: [up, down]}
      persistent: {description: Record the addresses and link state for the agent (see O(persistent))., type: bool}
  state:
    description:
      - C(present) creates the bridge or brings it to the options given; C(absent) deletes it with all its ports.
    type: str
    choices: [present, absent]
    default: present
  datapath_type:
    description:
      - The datapath, as C(ovs-vswitchd) names it (C(system) for the kernel, C(netdev) for the userspace one).
      - Checked against the types the running switch reports before anything is changed.
      - C(auto) is C(system) where the openvswitch kernel module is loaded and C(netdev) where it is not.
      - When not set, a new bridge gets OVS's default (C(system)) and an existing one keeps its type.
    type: str
  fail_mode:
    description:
      - What the bridge does without a controller. When not set, it is left as it is.
    type: str
    choices: [standalone, secure]
  external_ids:
    description:
      - Keys to set in the bridge's C(external_ids). A key with a null value is removed.
      - Keys not listed are kept unless O(purge_external_ids=true).
    type: dict
  purge_external_ids:
    description:
      - Remove the C(external_ids) keys that O(external_ids) does not list.
    type: bool
    default: false
  other_config:
    description:
      - Keys to set in the bridge's C(other_config). A key with a null value is removed.
      - Keys not listed are kept unless O(purge_other_config=true).
    type: dict
  purge_other_config:
    description:
      - Remove the C(other_config) keys that O(other_config) does not list.
    type: bool
    default: false
  addresses:
    description:
      - IPv4 and IPv6 addresses with prefix length (C(192.168.1.250/24), C(2001:db8::1/64)) that the
        internal interface must have; others are removed.
      - Link-local addresses (C(fe80::/10), C(169.254.0.0/16)) belong to the kernel; they are neither listed nor managed.
      - An empty list removes every address; when not set, addresses are left as they are.
    type: list
    elements: str
  link_state:
    description:
      - Administrative state of the internal interface.
      - When not set, the link is brought up if O(addresses) lists any, and otherwise left as it is.
    type: str
    choices: [up, down]
  persistent:
    description:
      - V(true) records what OVS does not keep across a reboot or a restart of its own - the O(addresses) and
        O(link_state) of the internal interface - on the bridge's row (C(external_ids) key
        C(netdevops.ovs_docker.persistent), as JSON), and the agent (M(netdevops.ovs_docker.ovs_docker_agent)) applies
        them again at its start (after a reboot) and after Open vSwitch restarts. V(false) removes the record; not set,
        the record is left as it is.
      - O(purge_external_ids) with O(external_ids) removes a record this task does not give again.
    type: bool
  wait:
    description:
      - Wait until C(ovs-vswitchd) has applied the change, and check that the bridge got a datapath.
      - Without it, addresses and link state cannot be managed on a new bridge.
    type: bool
    default: true
  allow_host_overlap:
    description:
      - An address on the bridge puts a route for its subnet in the host's own namespace. Before any change, each
        address the run adds is compared with what the host already uses - its addresses and routes on other
        interfaces (not the default route), the gateways of its routes, its name servers and the peers of its
        established TCP connections - and an overlap is refused, naming the subnet, what it collides with and
        this option, with nothing changed (a second route for the host's LAN would divert its own traffic into
        the bridge; over SSH, it can cut the session that runs the play).
      - Set it to V(true) only when that overlap is meant.
    type: bool
    default: false
requirements:
  - pyroute2 (Debian/Ubuntu C(python3-pyroute2)), when O(addresses) or O(link_state) is used
notes:
  - Runs on the host that runs C(ovs-vswitchd) (addresses are set in that host's kernel).
  - A new bridge's internal interface takes the bridge's name in the kernel, so a name that a Linux
    bridge, a tap or any other link already has is refused before anything is written.
  - Runs that change a host take turns (a lock in C(/run)), so two plays at once on one bridge give one
    whole result, the second run finding it made. Check mode takes no lock.
  - Before a change that OVSDB must carry, the module checks that C(ovs-vswitchd) runs beside a local
    OVSDB socket (its pid file); without it the run fails with nothing changed.
seealso:
  - name: ovs-vsctl(8)
    description: The command line this module replaces for bridges.
    link: https://www.openvswitch.org/support/dist-docs/ovs-vsctl.8.txt
'''

EXAMPLES = r'''
- name: The seed's bridge, on the userspace datapath
  netdevops.ovs_docker.ovs_bridge:
    name: br0
    datapath_type: netdev
    addresses:
      - 192.168.1.250/24

- name: Tag a bridge, drop every other external_id, and refuse traffic without a controller
  netdevops.ovs_docker.ovs_bridge:
    name: br0
    fail_mode: secure
    external_ids:
      owner: lab
    purge_external_ids: true

- name: Three bridges in one run and one OVSDB transaction
  netdevops.ovs_docker.ovs_bridge:
    datapath_type: netdev
    bridges:
      - {name: br0, addresses: [192.168.1.250/24]}
      - {name: br1}
      - {name: br2, fail_mode: secure}

- name: Delete a bridge and its ports
  netdevops.ovs_docker.ovs_bridge:
    name: br0
    state: absent
'''

RETURN = r'''
created:
  description: Whether the run created the bridge (in check mode, whether it would); with O(bridges), the list of bridges it created.
  returned: always
  type: raw
  sample: true
bridges:
  description: With O(bridges), each bridge as RV(bridge) shows one (with its C(name) also when absent), in the order given.
  returned: when O(bridges) is given
  type: list
  elements: dict
bridge:
  description: The bridge as it is after the run (as it would be, in check mode); C(state=absent) when it does not exist.
  returned: when O(name) is given
  type: dict
  contains:
    state:
      description: C(present) or C(absent).
      type: str
      sample: present
    name:
      description: Bridge name.
      type: str
      sample: br0
    datapath_type:
      description: Datapath type (an empty OVSDB value is shown as C(system), which it means).
      type: str
      sample: netdev
    fail_mode:
      description: Fail mode, or null when OVS's default applies.
      type: str
      sample: secure
    external_ids:
      description: The bridge's external_ids.
      type: dict
      sample: {owner: lab}
    other_config:
      description: The bridge's other_config.
      type: dict
      sample: {}
    addresses:
      description: Addresses of the internal interface; null when the run neither manages nor reads them.
      type: list
      elements: str
      sample: [192.168.1.250/24]
    link_state:
      description: C(up) or C(down); null when the run does not manage it, or the kernel has no such interface.
      type: str
      sample: up
    ports:
      description: Names of the bridge's ports other than its internal one.
      type: list
      elements: str
      sample: [veth0]
ports_removed:
  description: Ports deleted along with the bridge; with O(bridges), a dict of them by bridge name.
  returned: when a bridge with ports is deleted
  type: raw
  sample: [veth0]
'''

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.runner import run
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains.bridge import OvsBridge


def main():
    run(OvsBridge)


if __name__ == '__main__':
    main()
