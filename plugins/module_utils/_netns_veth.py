# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""netns_veth's own part (see _runner): one attachment of a namespace named by the user."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netdevops.ovs_docker.plugins.module_utils import _attach, _ovsdb, _runner
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._common import ATTACH_ARGS, OVSDB_ARGS, list_items, require_pyroute2
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._netlink import Netlink

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
# Options an item of `attachments` takes from the top level when it does not set them itself.
INHERITED = ('interface', 'bridge', 'state', 'mtu', 'vlan', 'vlan_mode', 'trunks', 'gateway', 'gateway6', 'gateway_onlink',
             'ingress_policing_rate', 'ingress_policing_burst', 'create_namespace', 'delete_namespace')
ITEM_SPEC = dict((key, dict(spec, default=None)) for key, spec in dict(OPTIONS, **ATTACH_ARGS).items())
ITEM_SPEC['namespace'] = dict(OPTIONS['namespace'], required=True)


def specs_from_params(params):
    """The attachments a task asks for, each with every option present."""
    if params.get('attachments') is None:
        return [dict((k, params[k]) for k in list(OPTIONS) + list(ATTACH_ARGS))]
    return list_items(params, 'attachments', ITEM_SPEC, INHERITED)


class NetnsVeth(_runner.Module):
    argument_spec = dict(OPTIONS, attachments=dict(type='list', elements='dict', options=ITEM_SPEC),
                         **dict(ATTACH_ARGS, **OVSDB_ARGS))
    module_kwargs = dict(mutually_exclusive=[('namespace', 'attachments')], required_one_of=[('namespace', 'attachments')])

    def validate(self):
        self.many = self.params['attachments'] is not None
        self.desired, errors = [], []
        for spec in specs_from_params(self.params):
            prefix = '%s: ' % spec['namespace'] if self.many else ''
            if not spec['interface']:
                errors.append('%sinterface is required: the name of the veth end inside the namespace' % prefix)
                continue
            # The OVS interface's marks: how the attachment is found again and proven ours.
            spec['marks'] = {'netns': spec['namespace'], 'netns_iface': spec['interface']}
            desired, more = _attach.desired_state(spec)
            desired['key'] = '%s/%s' % (spec['namespace'], spec['interface'])
            self.desired.append(desired)
            errors.extend(prefix + e for e in more)
        keys = [d['key'] for d in self.desired]
        twice = sorted(set(k for k in keys if keys.count(k) > 1))
        hosts = [d['host_interface'] for d in self.desired]
        twice += sorted(set('host_interface %s' % h for h in hosts if hosts.count(h) > 1))
        if twice:
            errors.append('attachments lists %s more than once: give each once' % ', '.join(twice))
        return errors

    def connect(self):
        require_pyroute2()
        # OVSDB only when the run touches a port: putting one on a bridge, or removing the attachment.
        if any(d['bridge'] or d['state'] == 'absent' for d in self.desired):
            self.db = _ovsdb.connect(self.params, _attach.TABLES)
        self.host = Netlink()

    def plan(self):
        if len(self.desired) > 1:
            self.host.prefetch()  # one dump answers every attachment's host link lookups
        self.plans, problems, namespaces = [], [], set()
        # what this run removes from each namespace it may delete: those links are no reason to keep it
        removed = {}
        for desired in self.desired:
            if desired['state'] == 'absent' and desired['delete_namespace']:
                removed.setdefault(desired['netns_path'], set()).add(desired['interface'])
        for desired in self.desired:
            desired['namespace_ours'] = removed.get(desired['netns_path'], ())
            current, ns = _attach.observe(desired, self.host, self.db)
            actions, before, after, trouble = _attach.plan(current, desired)
            # two attachments in one namespace: it is made (or deleted) once, by the first
            actions = [a for a in actions if a.kind != 'netns' or (a.target, a.new) not in namespaces]
            namespaces.update((a.target, a.new) for a in actions if a.kind == 'netns')
            problems.extend(('%s: %s' % (desired['key'], p) if self.many else p) for p in trouble)
            self.plans.append((desired, ns, actions, before, after))
        return problems

    def result(self):
        changed = any(p[2] for p in self.plans)
        kept = sorted(set(p[4]['namespace_kept'] for p in self.plans if 'namespace_kept' in p[4]))
        for message in kept:
            self.module.warn(message)
        if not self.many:
            result = self.planned(changed, self.plans[0][3], self.plans[0][4], attachment=self.plans[0][4])
        else:
            result = self.planned(changed, dict((p[0]['key'], p[3]) for p in self.plans),
                                  dict((p[0]['key'], p[4]) for p in self.plans), attachments=[p[4] for p in self.plans])
        if kept:
            result['namespaces_kept'] = kept
        return result

    def needs_vswitchd(self):
        return any(a.kind in _ovsdb.PortRows.KINDS for p in self.plans for a in p[2])

    def steps(self):
        result = _attach.steps([p[:3] for p in self.plans], self.db, self.host)
        if self.many:
            result.sort(key=_attach.phase)  # the ports of all: one transaction out, one in
        return result

    def read_back(self):
        if len(self.plans) > 1:
            self.host.prefetch()
        views = [_attach.view(d, _attach.observe(d, self.host, self.db)[0]) for d in (p[0] for p in self.plans)]
        return dict(attachments=views) if self.many else dict(attachment=views[0])

    def failure_prefix(self):
        return '' if self.many else '%s: ' % self.desired[0]['namespace']
