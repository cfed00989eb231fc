# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks the lab role's variables on the controller with the modules' own validators, so that
one bad item fails the play before any host is touched (a loop would have built the items
before it)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible.plugins.action import ActionBase

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains import bridge as _bridge
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains import vxlan as _vxlan
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains.attachment import desired as _attach_desired
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains.attachment import docker_port as _docker_port
from ansible_collections.netdevops.ovs_docker.plugins.plugin_utils._lab import ATTACHMENT_KEYS

_REMOTE_KEYS = ('bridge', 'host_address', 'namespace', 'address')
# lab_name goes into a container label, OVSDB keys and an iptables comment: plain characters only.
_LAB_NAME = re.compile(r'^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$')


def _label(var, index, item):
    return '%s[%d] (%s)' % (var, index, item.get('name') if isinstance(item, dict) else item)


def problems(bridges, namespaces, containers, simulated_remote=None):
    """Every problem with the lab's objects, each naming the variable and item it is in."""
    found = []
    groups = [('lab_bridges', 'bridge', bridges), ('lab_namespaces', 'namespace', namespaces),
              ('lab_containers', 'container', containers)]
    if simulated_remote:
        missing = [k for k in _REMOTE_KEYS if not simulated_remote.get(k)]
        if missing:
            found.append('lab_simulated_remote: give %s too (or leave it empty for no simulated remote)'
                         % ', '.join(missing))
        else:
            remote = simulated_remote
            groups.append(('lab_simulated_remote', 'bridge', [{'name': remote['bridge'], 'addresses': [remote['host_address']]}]))
            groups.append(('lab_simulated_remote', 'namespace', [{'name': remote['namespace'], 'bridge': remote['bridge'],
                                                                  'addresses': [remote['address']]}]))
    seen = {}
    for var, kind, items in groups:
        for index, item in enumerate(items):
            where = _label(var, index, item)
            if not isinstance(item, dict) or not item.get('name'):
                found.append('%s: each item needs a name' % where)
                continue
            key = (kind, item['name'], item.get('interface'))
            if key in seen:
                found.append('%s: the same as %s; give each one once' % (where, seen[key]))
            seen[key] = where
            found.extend('%s: %s' % (where, e) for e in _errors(kind, item))
    return found


def overlay_problems(overlay, bridges):
    """What is wrong with lab_overlay, checked as ovs_vxlan will check it."""
    if not overlay:
        return []
    vni = overlay.get('vni')
    name = overlay.get('name') or ('vxlan%s' % vni)
    params = dict(name=name, bridge=overlay.get('bridge'), vni=vni, remotes=overlay.get('remotes') or [],
                  local=overlay.get('local'), port=overlay.get('port') or 4789, mtu=overlay.get('mtu'), state='present')
    found = ['lab_overlay: %s' % e for e in _vxlan.desired_state(params)[1]]
    names = [b.get('name') for b in bridges if isinstance(b, dict)]
    if overlay.get('bridge') and overlay['bridge'] not in names:
        found.append('lab_overlay: bridge %s is not one of lab_bridges: add it there' % overlay['bridge'])
    return found


def _errors(kind, item):
    """The module's own validation of one item."""
    if kind == 'bridge':
        params = dict(name=item['name'], state='present', addresses=item.get('addresses'),
                      datapath_type=item.get('datapath_type'), external_ids=item.get('external_ids'))
        return _bridge.desired_state(params)[1]
    spec = dict((k, item.get(k)) for k in ATTACHMENT_KEYS)
    spec.update(state='present', bridge=item.get('bridge'), interface=item.get('interface') or 'eth0')
    if kind == 'namespace':
        spec.update(namespace=item['name'], host_interface=item.get('host_interface'))
        return _attach_desired.desired_state(spec)[1]
    spec.update(container=item['name'])
    return _docker_port.static_errors(spec)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False
    _VALID_ARGS = frozenset(('name', 'bridges', 'namespaces', 'containers', 'simulated_remote', 'overlay'))

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        args = self._task.args
        found = problems(args.get('bridges') or [], args.get('namespaces') or [], args.get('containers') or [],
                         args.get('simulated_remote') or {})
        found += overlay_problems(args.get('overlay') or {}, args.get('bridges') or [])
        name = args.get('name', 'seed')
        if not _LAB_NAME.match(str(name)):
            found.insert(0, 'lab_name %r: give 1 to 32 letters, digits, "_", "-" or "." (it marks what the lab makes: '
                            'a container label, OVSDB keys, a NAT rule comment)' % (name,))
        result['changed'] = False
        if found:
            result['failed'] = True
            result['problems'] = found
            result['msg'] = 'the lab cannot be built as asked, nothing was changed: ' + '; '.join(found)
        return result
