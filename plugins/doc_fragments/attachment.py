# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


# An item of `attachments`: the options an attachment has in both modules (each module's item adds
# how it names the namespace). One text, so the two modules' item docs cannot drift apart.
_ITEM = r'''      bridge: {description: The OVS bridge., type: str}
      state: {description: C(present) or C(absent)., type: str, choices: [present, absent]}
      addresses: {description: Addresses with prefix length., type: list, elements: str}
      mac: {description: Unicast MAC address., type: str}
      mtu: {description: MTU of both ends., type: int}
      gateway: {description: IPv4 default gateway., type: str}
      gateway6: {description: IPv6 default gateway., type: str}
      gateway_onlink: {description: Accept gateways outside the subnets., type: bool}
      vlan: {description: VLAN access tag (0 removes it)., type: int}
      vlan_mode: {description: The port's VLAN mode., type: str, choices: [access, trunk, native-tagged, native-untagged]}
      trunks: {description: "Trunked VLAN IDs and ranges (V(100-110))", type: list, elements: raw}
      vlans:
        description: VLAN sub-interfaces inside.
        type: list
        elements: dict
        suboptions:
          id: {description: The VLAN ID., type: int, required: true}
          name: {description: "Its name (default C(INTERFACE.ID))", type: str}
          addresses: {description: Its addresses., type: list, elements: str}
      ingress_policing_rate: {description: Ingress policing rate (kbit/s; 0 off)., type: int}
      ingress_policing_burst: {description: Ingress policing burst (kbit)., type: int}
      egress_rate: {description: Egress limit toward the namespace (kbit/s; 0 off)., type: int}
      egress_burst: {description: Egress burst (kbit)., type: int}
      persistent: {description: Record the attachment for the agent., type: bool}
      other_addresses: {description: "addresses: the whole set (remove) or what must be there (keep).", type: str, choices: [remove, keep]}
      external_ids: {description: More external_ids keys., type: dict}
'''


class ModuleDocFragment(object):
    """Options of a veth attachment shared by netns_veth and ovs_docker_port; NAMESPACE_ITEMS and
    CONTAINER_ITEMS: their `attachments` options (a fragment replaces an option whole: each module
    takes its own)."""

    DOCUMENTATION = r'''
options:
  other_addresses:
    description:
      - What the addresses asked for are. V(remove), the whole set - any other address on the interface
        inside is removed. V(keep), what must be there - they are added, and an address a routing daemon, a
        command or a user put on the interface stays.
      - Not set, V(remove).
    type: str
    choices: [remove, keep]
  mtu:
    description:
      - MTU of both ends of the pair (68 to 65535; at least 1280 with IPv6 addresses).
      - ovs-docker sets only the inner end; a mismatch drops large frames one way.
    type: int
  gateway:
    description:
      - IPv4 default gateway inside the namespace; it must lie in one of O(addresses)' subnets unless
        O(gateway_onlink=true). An empty string removes the IPv4 default route.
      - Set again when an address change takes the default route away with its subnet.
    type: str
  gateway6:
    description:
      - IPv6 default gateway inside the namespace, as O(gateway).
    type: str
  gateway_onlink:
    description:
      - Accept gateways outside the interface's subnets; the routes are then made with the C(onlink) flag.
    type: bool
    default: false
  vlan_mode:
    description:
      - The OVS port's VLAN mode. V(access) carries O(vlan) only, untagged; V(trunk) carries the VLANs of
        O(trunks) (all when empty) tagged, and has no O(vlan); V(native-untagged) and V(native-tagged) carry
        O(trunks) tagged and O(vlan), the native VLAN, untagged or tagged.
      - Not set, the mode is left as it is; OVS's default then follows the tag (a port with O(vlan) is an
        access port, one without is a trunk of O(trunks)). V(trunk) removes the tag.
      - Contradictions are refused before anything changes, such as O(trunks) on an access port, or
        O(trunks) beside O(vlan) without a mode (OVS would ignore O(trunks) then). Needs O(bridge).
    type: str
    choices: [access, trunk, native-tagged, native-untagged]
  trunks:
    description:
      - The VLANs the port trunks, as IDs and ranges (V(10), V(100-110)); 0 to 4095. An empty list
        trunks every VLAN. Not set, left as it is. Needs O(bridge).
    type: list
    elements: raw
  vlans:
    description:
      - 802.1Q sub-interfaces of the interface inside the namespace (made with netlink), so that a trunk
        port is usable end to end. It is the whole list - other VLAN sub-interfaces of that interface are
        removed; not set, they are left as they are.
      - A link of another kind under a sub-interface's name is refused.
    type: list
    elements: dict
    suboptions:
      id:
        description: The VLAN ID (1 to 4094).
        type: int
        required: true
      name:
        description: The sub-interface's name. Default C(INTERFACE.ID) (at most 15 characters).
        type: str
      addresses:
        description: Its addresses (CIDR), the whole list; not set, left as they are.
        type: list
        elements: str
  ingress_policing_rate:
    description:
      - The most traffic the port accepts from the namespace, in kbit/s (OVS's
        C(Interface.ingress_policing_rate)); what exceeds it is dropped. V(0) turns policing off.
        Not set, left as it is. Needs O(bridge).
    type: int
  ingress_policing_burst:
    description:
      - The burst allowed above O(ingress_policing_rate), in kbit (V(0) is OVS's default). Needs O(bridge).
    type: int
  egress_rate:
    description:
      - The most traffic the port sends into the namespace, in kbit/s; what exceeds it is queued, then
        dropped. An OVS QoS of type C(linux-htb) with queue 0 at that rate, both marked
        C(netdevops.ovs_docker=egress) in their external_ids and deleted with the port. V(0) removes it.
        Not set, left as it is. Needs O(bridge).
      - A port whose QoS is not this collection's is refused, not replaced.
    type: int
  egress_burst:
    description:
      - The burst allowed above O(egress_rate), in kbit (V(0) is the kernel's default). Needs O(bridge).
    type: int
  persistent:
    description:
      - Record this attachment's request on its OVS port (the external_ids key C(netdevops.ovs_docker.persistent),
        as JSON; OVSDB keeps it on disk) so that the agent applies it again by itself when the container starts
        again or the host reboots. See the guide's page on persistence.
      - V(true) records it (what a later task leaves out stays as recorded); V(false) removes the record. Not set,
        a record that is there follows what the task changes. Needs O(bridge).
    type: bool
'''


# Each module's `attachments` option: its own item keys around the shared ones.
_NAMESPACE_ITEMS = r'''
options:
  attachments:
    description:
      - Many attachments in one run, with one OVSDB transaction for all their ports. Each item takes
        O(namespace) and the options below; O(interface), O(bridge), O(state), O(mtu), O(vlan), O(vlan_mode),
        O(trunks), O(gateway), O(gateway6), O(gateway_onlink), O(ingress_policing_rate),
        O(ingress_policing_burst), O(egress_rate), O(egress_burst), O(persistent), O(create_namespace) and
        O(delete_namespace) default to the task's own.
      - Items may share a namespace (two interfaces of one router, say); a missing one is made once.
      - The result is RV(attachments) instead of RV(attachment); the diff is keyed by C(NAMESPACE/INTERFACE).
    type: list
    elements: dict
    suboptions:
      namespace: {description: The namespace (a name or a path)., type: str, required: true, aliases: [netns]}
      interface: {description: Interface inside the namespace., type: str}
      host_interface: {description: Host end's name., type: str}
%(shared)s      create_namespace: {description: Create a missing named namespace., type: bool}
      delete_namespace: {description: With C(state=absent) delete the named namespace too., type: bool}
'''

_CONTAINER_ITEMS = r'''
options:
  attachments:
    description:
      - Many attachments in one task. Each item takes the options O(container), O(interface) and the
        ones below; O(bridge), O(state), O(mtu), O(vlan), O(vlan_mode), O(trunks), O(gateway), O(gateway6),
        O(gateway_onlink), O(ingress_policing_rate), O(ingress_policing_burst), O(egress_rate), O(egress_burst)
        and O(persistent) default to the task's own.
    type: list
    elements: dict
    suboptions:
      container: {description: The container., type: str, required: true}
      interface: {description: Interface inside the container. Default C(eth0)., type: str}
      host_interface:
        description:
          - The port's name on the bridge (its veth's end in the host). Default ovs-docker's shape, 13 hex digits and
            C(_l), the same for a container and interface every time.
          - A port of that container's interface under another name is refused - remove it first (C(state=absent)).
        type: str
%(shared)s
'''

# Set after the class: the sanity test's YAML lint reads a class body's strings as they are
# written, and these two are composed (validate-modules still checks the docs each module gets).
ModuleDocFragment.NAMESPACE_ITEMS = _NAMESPACE_ITEMS % {'shared': _ITEM}
ModuleDocFragment.CONTAINER_ITEMS = _CONTAINER_ITEMS % {'shared': _ITEM}
