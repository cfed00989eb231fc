# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the lab and clab roles' controller side (their filters and the lab's preflight action) agree on."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._system.containers import labels_by_name

# The attachment keys a lab namespace or container item may carry, passed to netns_veth and
# ovs_docker_port as they are: the options of lab_namespaces and lab_containers in
# roles/lab/meta/argument_specs.yml beside their own (a unit test holds the two together).
ATTACHMENT_KEYS = ('addresses', 'gateway', 'gateway6', 'mac', 'mtu', 'vlan', 'vlan_mode', 'trunks', 'vlans',
                   'ingress_policing_rate', 'ingress_policing_burst', 'egress_rate', 'egress_burst')


def container_labels(listing):
    """{name: labels} of a container listing: ovs_docker_info's containers (name, labels), or
    community.docker.docker_host_info's (verbose: Names, Labels)."""
    found = labels_by_name(item for item in listing or [] if 'name' not in item)
    found.update((item['name'], item.get('labels') or {}) for item in listing or [] if 'name' in item)
    return found
