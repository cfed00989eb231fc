# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""netns_veth's own part (see _runner): one attachment of a namespace named by the user."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netdevops.ovs_docker.plugins.module_utils import _attach, _ovsdb, _runner
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._common import ATTACH_ARGS, OVSDB_ARGS, require_pyroute2
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._netlink import Netlink

OPTIONS = dict(
    namespace=dict(type='str', required=True, aliases=['netns']),
    interface=dict(type='str', required=True),
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


class NetnsVeth(_runner.Module):
    argument_spec = dict(OPTIONS, **dict(ATTACH_ARGS, **OVSDB_ARGS))

    def validate(self):
        spec = dict((k, self.params[k]) for k in OPTIONS)
        spec.update((k, self.params[k]) for k in ATTACH_ARGS)
        # The OVS interface's marks: how the attachment is found again and proven ours.
        spec['marks'] = {'netns': self.params['namespace'], 'netns_iface': self.params['interface']}
        self.desired, errors = _attach.desired_state(spec)
        return errors

    def connect(self):
        require_pyroute2(self.module)
        # OVSDB only when the run touches a port: putting one on a bridge, or removing the attachment.
        if self.params['bridge'] or self.params['state'] == 'absent':
            self.db = _ovsdb.connect(self.module, _attach.TABLES)
        self.host = Netlink()

    def plan(self):
        self.current, self.ns = _attach.observe(self.desired, self.host, self.db)
        self.actions, self.before, self.after, problems = _attach.plan(self.current, self.desired)
        return problems

    def result(self):
        return self.planned(bool(self.actions), self.before, self.after, attachment=self.after)

    def needs_vswitchd(self):
        return any(a.kind in _ovsdb.PortRows.KINDS for a in self.actions)

    def steps(self):
        return _attach.steps([(self.desired, self.ns, self.actions)], self.db, self.host)

    def read_back(self):
        return dict(attachment=_attach.view(self.desired, _attach.observe(self.desired, self.host, self.db)[0]))

    def failure_prefix(self):
        return '%s: ' % self.desired['namespace']
