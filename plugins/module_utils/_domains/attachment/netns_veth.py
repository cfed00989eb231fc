# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""netns_veth's own part (see _runner): one attachment of a namespace named by the user."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import socket

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import marks as _marks
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.common import ATTACH_ARGS, LIMITS, OVSDB_ARGS, list_items, require_pyroute2
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains.attachment import desired as _attach_desired
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains.attachment.module import Attachments, item_of
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains.attachment.plan import TABLES
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._system import ovsdb as _ovsdb
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._system.netlink import Netlink

# Options of one attachment: at the top level (one), or in each item of `attachments`.
OPTIONS = dict(
    namespace=dict(type='str', aliases=['netns']),
    interface=dict(type='str'),
    host_interface=dict(type='str'),
    bridge=dict(type='str'),
    state=dict(type='str', choices=['present', 'absent'], default='present'),
    addresses=dict(type='list', elements='str'),
    mac=dict(type='str'),
    vlan=dict(type='int'),
    external_ids=dict(type='dict'),
    create_namespace=dict(type='bool', default=True),
    delete_namespace=dict(type='bool', default=False),
)
# What an item of `attachments` takes from the top level when it does not set it itself.
INHERITED = ('interface', 'bridge', 'state', 'mtu', 'vlan', 'vlan_mode', 'trunks', 'gateway', 'gateway6', 'gateway_onlink',
             'create_namespace', 'delete_namespace', 'persistent', 'other_addresses') + LIMITS
ITEM_OPTIONS = dict((key, dict(spec, default=None)) for key, spec in dict(OPTIONS, **ATTACH_ARGS).items())
ITEM_OPTIONS['namespace'] = dict(OPTIONS['namespace'], required=True)


def host_identity():
    """What tells this host from others: its machine ID (systemd's, or D-Bus's), else its name. A
    namespace's name is no identity across hosts: ns1 on two hosts joined by an overlay would get
    one MAC from the names alone."""
    for path in ('/etc/machine-id', '/var/lib/dbus/machine-id'):
        try:
            with open(path) as handle:
                found = handle.read().strip()
        except (IOError, OSError):
            continue
        if found:
            return found
    return socket.gethostname()


def requested(params):
    """The attachments a task asks for, each with every option present."""
    if params.get('attachments') is None:
        return [dict((k, params[k]) for k in list(OPTIONS) + list(ATTACH_ARGS))]
    return list_items(params, 'attachments', ITEM_OPTIONS, INHERITED)


class NetnsVeth(Attachments):
    argument_spec = dict(OPTIONS, attachments=dict(type='list', elements='dict', options=ITEM_OPTIONS),
                         **dict(ATTACH_ARGS, **OVSDB_ARGS))
    module_kwargs = dict(mutually_exclusive=[('namespace', 'attachments')], required_one_of=[('namespace', 'attachments')])

    def validate(self):
        self.many = self.params['attachments'] is not None
        self.desired, errors = [], []
        host = host_identity()
        for spec in requested(self.params):
            prefix = '%s: ' % spec['namespace'] if self.many else ''
            if not spec['interface']:
                errors.append('%sinterface is required: the name of the veth end inside the namespace' % prefix)
                continue
            # The OVS interface's marks: how the attachment is found again and proven ours.
            spec['marks'] = {_marks.NETNS: spec['namespace'], _marks.NETNS_IFACE: spec['interface']}
            # a new pair's MAC (when none is asked for): stable on this host, and apart from other hosts'
            spec['mac_seed'] = '%s/%s/%s' % (host, spec['namespace'], spec['interface'])
            desired, more = _attach_desired.desired_state(spec)
            desired['key'] = '%s/%s' % (spec['namespace'], spec['interface'])
            self.desired.append(desired)
            errors.extend(prefix + e for e in more)
        twice = self.twice([d['key'] for d in self.desired] + ['host_interface %s' % d['host_interface'] for d in self.desired],
                           'attachments')
        return errors + ([twice] if twice else [])

    def connect(self):
        require_pyroute2()
        # OVSDB only when the run touches a port: putting one on a bridge, or removing the attachment.
        if any(d['bridge'] or d['state'] == 'absent' for d in self.desired):
            self.db = _ovsdb.connect(self.params, TABLES)
        self.host = Netlink()

    def make_plans(self):
        # what this run removes from each namespace it may delete: those links are no reason to keep it
        removed = {}
        for desired in self.desired:
            if desired['state'] == 'absent' and desired['delete_namespace']:
                removed.setdefault(desired['netns_path'], set()).add(desired['interface'])
        for desired in self.desired:
            desired['namespace_ours'] = removed.get(desired['netns_path'], ())
        plans, namespaces = self.plan_each(self.desired), set()
        for plan in plans:
            # two attachments in one namespace: it is made (or deleted) once, by the first
            plan.actions = [a for a in plan.actions if a.kind != 'netns' or (a.target, a.new) not in namespaces]
            namespaces.update((a.target, a.new) for a in plan.actions if a.kind == 'netns')
        return plans

    def label(self, desired):
        return desired['key']

    def result(self):
        result = super(NetnsVeth, self).result()
        kept = sorted(set(p.after['namespace_kept'] for p in self.plans if 'namespace_kept' in p.after))
        for message in kept:
            self.module.warn(message)
        if kept:
            result['namespaces_kept'] = kept
        return result

    def needs_vswitchd(self):
        return any(a.kind in _ovsdb.PortRows.KINDS for p in self.plans for a in p.actions)

    def failure_prefix(self):
        return '' if self.many else '%s: ' % self.desired[0]['namespace']


def replay(records, context):
    """The agent's netns_veth params for recorded attachments."""
    return {'attachments': [item_of(r) for r in records]}
