#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: netns_veth
short_description: Join a network namespace to the host, or to an Open vSwitch bridge, by a veth pair
version_added: 0.1.0
description:
  - One task makes the whole attachment of the seed's section 2
    (C(ip netns add ns1), C(ip link add veth0 type veth peer name veth1), C(ovs-vsctl add-port br0 veth0),
    C(ip link set veth1 netns ns1), addresses, links up, C(lo) up, default route).
  - The namespace is created when missing (named namespaces only); the veth pair is made with one end
    directly inside it; the host end goes onto O(bridge) when given, else stays in the host.
  - Inside the namespace it sets addresses, MAC, MTU (on both ends of the pair), default gateways,
    brings the interface and C(lo) up, and switches IPv6 on when an IPv6 address is asked for.
  - Repairs drift. A changed address, a downed link, a deleted OVS port, a pair whose other end was
    moved or deleted are all put back, and the diff shows what was wrong.
  - Validates every option before changing anything; a failure half-way undoes what the run did.
author:
  - netdevops.ovs_docker developers (@netdevops)
extends_documentation_fragment:
  - netdevops.ovs_docker.action
  - netdevops.ovs_docker.attachment
  - netdevops.ovs_docker.attachment.namespace_items
  - netdevops.ovs_docker.ovsdb
attributes:
  check_mode:
    support: full
    description: Reports what would change, with the same diff as a real run; creates nothing, not even the namespace.
  diff_mode:
    support: full
    description: Flat C(before)/C(after) of every property of the attachment.
options:
  namespace:
    description:
      - The network namespace, by name (C(ns1), that is C(/run/netns/ns1)) or as an absolute path to a
        namespace file (for example C(/proc/PID/ns/net)).
      - Required unless O(attachments) is given.
    type: str
    aliases: [netns]
  interface:
    description:
      - Name of the pair's end inside the namespace (C(veth1), C(eth0)); at most 15 characters.
      - Required for a single attachment; with O(attachments), the default of their items.
    type: str
  host_interface:
    description:
      - Name of the pair's end in the host (the OVS port name when O(bridge) is set).
      - When not set, a stable name is derived from O(namespace) and O(interface) (C(veth) and 11 hex digits).
    type: str
  bridge:
    description:
      - The OVS bridge to put the host end on. It must exist (see M(netdevops.ovs_docker.ovs_bridge)).
      - When not set, the host end stays in the host and no OVS port is touched.
    type: str
  state:
    description:
      - C(present) makes the attachment as described; C(absent) removes the pair and its OVS port.
    type: str
    choices: [present, absent]
    default: present
  addresses:
    description:
      - IPv4 and IPv6 addresses with prefix length for the interface in the namespace; others are removed
        (link-local ones belong to the kernel and are not managed). When not set, left as they are.
    type: list
    elements: str
  mac:
    description:
      - Unicast MAC address of the interface in the namespace.
      - When not set, a new pair gets a stable, locally administered MAC derived from the host's machine ID, the
        namespace and the interface, so that it stays the same when the pair is made again (neighbours' ARP caches
        stay right) and differs from the same namespace's on another host (an overlay joins them); an existing
        interface keeps its MAC.
    type: str
  vlan:
    description:
      - VLAN access tag (1 to 4094) of the OVS port; C(0) removes the tag (a trunk port). Needs O(bridge).
      - When not set, the tag is left as it is.
    type: int
  external_ids:
    description:
      - Keys to set in the OVS interface's C(external_ids) (a null value removes the key). Needs O(bridge).
      - The module always sets C(netns) and C(netns_iface), so that the attachment can be found again and
        proven to be this module's; these two keys cannot be set or removed here.
    type: dict
  create_namespace:
    description:
      - Create a named namespace that does not exist. When false, a missing namespace is an error.
    type: bool
    default: true
  delete_namespace:
    description:
      - With O(state=absent), delete the named namespace too, but only when nothing is left in it but C(lo) and the
        links this run removes (their VLAN sub-interfaces included). A namespace that holds anything else - another
        workload's veth, a device of its own - is kept, and only the attachment's links are removed; the run warns, and
        the result's RV(namespaces_kept) names what is in it.
    type: bool
    default: false
requirements:
  - pyroute2 (Debian/Ubuntu C(python3-pyroute2))
notes:
  - Needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN, to enter namespaces).
  - "What this module will and will not touch: it changes or removes a veth pair only when it can
    prove the pair is its own - both ends exactly the pair it would make (O(host_interface) in the host,
    its peer O(interface) in O(namespace)), or an OVS port whose interface carries this attachment's
    marks (C(external_ids) C(netns) and C(netns_iface)) with its device. Anything else under those
    names - another workload's veth in the host or in the namespace, a tap, an OVS port of another
    tool or of another attachment - is an error that names what is there and the fix, with nothing
    changed, in O(state=absent) too. A pair made by hand exactly as this module would make it (the
    seed's C(veth0)/C(veth1)) is adopted and marked."
  - The namespace must be a network namespace of its own. The host's own namespace (for example
    C(/proc/PID/ns/net) of a process in the host's network) and files that are no network namespace are
    refused before anything is read inside them.
  - Runs that change a host take turns (a lock in C(/run)), so two plays at once on one attachment or one
    new bridge give one whole result, the second run finding it made. Check mode takes no lock.
  - Before a change that OVSDB must carry, the module checks that C(ovs-vswitchd) runs beside a local
    OVSDB socket (its pid file); without it the run fails with nothing changed.
seealso:
  - module: netdevops.ovs_docker.ovs_bridge
  - module: netdevops.ovs_docker.ovs_docker_port
'''

EXAMPLES = r'''
- name: The seed's ns1 on br0
  netdevops.ovs_docker.netns_veth:
    namespace: ns1
    interface: veth1
    host_interface: veth0
    bridge: br0
    addresses: [192.168.1.1/24]
    gateway: 192.168.1.250

- name: Dual-stack, jumbo frames, a fixed MAC, VLAN 10
  netdevops.ovs_docker.netns_veth:
    namespace: ns2
    interface: eth0
    bridge: br0
    addresses: [10.0.10.2/24, "2001:db8:10::2/64"]
    gateway: 10.0.10.1
    gateway6: "2001:db8:10::1"
    mac: "02:00:00:00:10:02"
    mtu: 9000
    vlan: 10

- name: A router on a trunk of VLANs 10 and 20, untagged frames in VLAN 1, a sub-interface for each
  netdevops.ovs_docker.netns_veth:
    namespace: router
    interface: eth0
    bridge: br0
    vlan_mode: native-untagged
    vlan: 1
    trunks: [10, 20]
    vlans:
      - {id: 10, addresses: [10.0.10.1/24]}
      - {id: 20, addresses: [10.0.20.1/24]}

- name: Three namespaces on br0 in one run (one OVSDB transaction for their ports)
  netdevops.ovs_docker.netns_veth:
    bridge: br0
    interface: eth0
    attachments:
      - {namespace: ns1, addresses: [192.168.1.1/24]}
      - {namespace: ns2, addresses: [192.168.1.2/24]}
      - {namespace: ns3, addresses: [192.168.1.3/24], vlan: 10}

- name: Remove the pair and the namespace
  netdevops.ovs_docker.netns_veth:
    namespace: ns1
    interface: veth1
    host_interface: veth0
    state: absent
    delete_namespace: true
'''

RETURN = r'''
namespaces_kept:
  description:
    - With O(delete_namespace=true), each namespace that was kept and why (what else is in it); the run warns the same.
  returned: when a namespace to delete holds links this run did not make
  type: list
  elements: str
  sample: ["namespace ns1 is kept: it holds wk1, which this run did not make; only the attachment's own links are removed"]
attachments:
  description: With O(attachments), each attachment as RV(attachment) shows one, in the order given.
  returned: when O(attachments) is given
  type: list
  elements: dict
attachment:
  description: The attachment as it is after the run (as it would be, in check mode).
  returned: when O(namespace) is given
  type: dict
  contains:
    state:
      description: C(present) or C(absent).
      type: str
      sample: present
    namespace:
      description: The namespace, as given.
      type: str
      sample: ns1
    namespace_exists:
      description: Whether the namespace exists.
      type: bool
      sample: true
    interface:
      description: Interface in the namespace.
      type: str
      sample: veth1
    host_interface:
      description: The pair's end in the host.
      type: str
      sample: veth0
    bridge:
      description: OVS bridge of the host end, or null.
      type: str
      sample: br0
    vlan:
      description: VLAN tag of the OVS port, or null.
      type: int
      sample: 10
    vlan_mode:
      description: VLAN mode of the OVS port, or null (OVS's default for its tag).
      type: str
      sample: native-untagged
    trunks:
      description: VLANs the OVS port trunks (empty is all), or null without a port.
      type: list
      elements: int
      sample: [20, 30]
    ingress_policing_rate:
      description: Ingress policing rate of the OVS interface in kbit/s (0 is none), or null without a port.
      type: int
      sample: 10000
    ingress_policing_burst:
      description: Its burst in kbit (0 is OVS's default), or null without a port.
      type: int
      sample: 1000
    egress_rate:
      description: The port's egress limit toward the namespace in kbit/s (0 is none), or null without a port.
      type: int
      sample: 20000
    egress_burst:
      description: Its burst in kbit (0 is the kernel's default), or null without a port.
      type: int
      sample: 2000
    persistent:
      description: Whether the port carries the attachment's record for the agent (see O(persistent)).
      type: bool
      sample: false
    vlans:
      description: The VLAN sub-interfaces inside (C(id), C(name), C(addresses), C(state)); only when O(vlans) is set.
      type: list
      elements: dict
      sample: [{id: 20, name: eth0.20, addresses: [10.0.20.1/24], state: up}]
    external_ids:
      description: external_ids of the OVS interface.
      type: dict
      sample: {netns: ns1, netns_iface: veth1}
    addresses:
      description: Addresses in the namespace (not link-local).
      type: list
      elements: str
      sample: [192.168.1.1/24]
    mac:
      description: MAC of the interface in the namespace.
      type: str
      sample: "02:00:00:00:10:02"
    mtu:
      description: MTU of the interface in the namespace.
      type: int
      sample: 1500
    host_mtu:
      description: MTU of the host end.
      type: int
      sample: 1500
    link_state:
      description: State of the interface in the namespace.
      type: str
      sample: up
    host_link_state:
      description: State of the host end.
      type: str
      sample: up
    gateway:
      description: IPv4 default gateway in the namespace, or null.
      type: str
      sample: 192.168.1.250
    gateway6:
      description: IPv6 default gateway in the namespace, or null.
      type: str
      sample: "2001:db8::1"
'''

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.runner import run
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains.attachment.netns_veth import NetnsVeth


def main():
    run(NetnsVeth)


if __name__ == '__main__':
    main()
