# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """Options of a veth attachment shared by netns_veth and ovs_docker_port."""

    DOCUMENTATION = r'''
options:
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
'''
