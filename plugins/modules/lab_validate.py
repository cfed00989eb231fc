#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# The work is done by the action plugin of the same name, on the controller; this file holds its
# documentation.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: lab_validate
short_description: Check the lab role's bridges, namespaces and containers before anything is built
version_added: 0.1.0
description:
  - Runs on the controller and checks every item with the validators of M(netdevops.ovs_docker.ovs_bridge),
    M(netdevops.ovs_docker.netns_veth) and M(netdevops.ovs_docker.ovs_docker_port) (names of at most 15
    characters, addresses with prefix length, gateways inside a subnet, MAC, MTU and VLAN ranges), the
    overlay as M(netdevops.ovs_docker.ovs_vxlan) will, and that no item is given twice.
  - The lab role runs it first, so that one bad item fails the play before any host is changed.
options:
  name:
    description: The role's C(lab_name) (1 to 32 letters, digits, C(_), C(-), C(.)).
    type: str
    default: seed
  bridges:
    description: Items as in the role's C(lab_bridges).
    type: list
    elements: dict
    default: []
  namespaces:
    description: Items as in the role's C(lab_namespaces).
    type: list
    elements: dict
    default: []
  containers:
    description: Items as in the role's C(lab_containers).
    type: list
    elements: dict
    default: []
  simulated_remote:
    description: As the role's C(lab_simulated_remote); when not empty, all four keys are needed.
    type: dict
    default: {}
  overlay:
    description: As the role's C(lab_overlay), checked as M(netdevops.ovs_docker.ovs_vxlan) will check it.
    type: dict
    default: {}
attributes:
  action:
    support: full
    description: All the work is done by the action plugin on the controller.
  check_mode:
    support: full
    description: Changes nothing, ever.
  diff_mode:
    support: none
    description: Nothing to compare.
  platform:
    support: full
    platforms: all
    description: Any controller; it never connects to the host.
author:
  - netdevops.ovs_docker developers (@netdevops)
'''

EXAMPLES = r'''
- name: Refuse a lab that cannot be built
  netdevops.ovs_docker.lab_validate:
    bridges: "{{ lab_bridges }}"
    namespaces: "{{ lab_namespaces }}"
    containers: "{{ lab_containers }}"
    simulated_remote: "{{ lab_simulated_remote }}"
    overlay: "{{ lab_overlay }}"
'''

RETURN = r'''
problems:
  description: Every problem found, each naming the variable and item it is in.
  returned: failure
  type: list
  elements: str
  sample: ["lab_bridges[0] (br0-much-too-long): name 'br0-much-too-long' is 17 characters long; ..."]
'''
