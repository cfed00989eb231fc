# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The clab role's logic, as filters: a containerlab topology in, what each host builds out
(plugin_utils/_clab.py, pure and unit-tested); each documented in its own .yml file."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible.errors import AnsibleFilterError

from ansible_collections.netdevops.ovs_docker.plugins.plugin_utils import _clab


def clab_expand(text):
    # (a filter runs on the controller: its environment is the one containerlab would read)
    return _clab.expand(text, os.environ)


def clab_plan(topology, hosts, placement=None, images=None, underlay=None, base_dir='', privileged=True, mgmt=True):
    try:
        return _clab.plan(topology, hosts, placement, images, underlay, base_dir, privileged, mgmt)
    except _clab.ClabError as exc:
        raise AnsibleFilterError('the topology is refused, nothing was made: %s' % exc)


def clab_exec_report(results, failed=False):
    return _clab.exec_report(results, failed)


def clab_inventory(plan, engines=None):
    return _clab.inventory(plan, engines)


def clab_host_part(host_plan, lab):
    return _clab.host_part(host_plan, lab)


class FilterModule(object):
    def filters(self):
        return {'clab_expand': clab_expand, 'clab_plan': clab_plan, 'clab_host_part': clab_host_part,
                'clab_exec_report': clab_exec_report, 'clab_inventory': clab_inventory}
