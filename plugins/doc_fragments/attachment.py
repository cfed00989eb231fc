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
'''
