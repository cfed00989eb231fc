# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Linux bridges of a topology (containerlab's kind bridge), through netlink: used as they are when
they are there, made and marked when they are not - containerlab asks its users to make them first.

    desired_state(spec) -> (desired, [problems])
    observe(netlink, names) -> {name: found}       one dump: each bridge, its description, its ports
    plan(desired, current, facts) -> Plan          facts: 'leaving' (the containers the run removes:
                                                   the ports that are their links' ends go with them)
    LinuxBridges                                   the executor

A bridge is this domain's when its description (ifalias) is marks.bridge_alias of the item's
labels; one that is not is used as it is and never removed, a link of the name that is not a bridge
is refused. One of ours is removed only when no port is on it but the ends of veth_link's links of
the containers the run removes (which go with them: the removal is held to the run's end).

The kind (an Action's target is the bridge's name):
    bridge    made, up (new: its description)    undo: removed; removed (new None)    undo: made again
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import marks as _marks
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import runner as _runner
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.common import require_pyroute2
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.engine import Action, OneByOneExecutor, Plan
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.validate import interface_name
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._system.netlink import Netlink

OPTIONS = dict(
    name=dict(type='str', required=True),
    labels=dict(type='dict'),
    state=dict(type='str', choices=['present', 'absent'], default='present'),
)


def desired_state(spec):
    name = str(spec.get('name') or '')
    error = interface_name(name, 'Linux bridge')
    desired = {'name': name, 'key': name, 'state': spec.get('state') or 'present',
               'alias': _marks.bridge_alias(dict((str(k), str(v)) for k, v in (spec.get('labels') or {}).items()))}
    return desired, [error] if error else []


def observe(netlink, names):
    """{name: {'index', 'kind', 'alias', 'ports': [names], 'links': {port: veth_link's key or None}}}
    of the links of these names (one dump)."""
    links = netlink.links()
    found = dict((link['name'], dict(index=link['index'], kind=link['kind'], alias=link.get('alias'), ports=[], links={}))
                 for link in links if link['name'] in names)
    by_index = dict((f['index'], name) for name, f in found.items())
    for link in links:
        if link.get('master') in by_index:
            bridge = found[by_index[link['master']]]
            bridge['ports'].append(link['name'])
            bridge['links'][link['name']] = _marks.veth_key(link.get('alias')) if link['kind'] == 'veth' else None
    return found


def view(found, ours=None):
    if found is None:
        return {'state': 'absent'}
    return {'state': 'present', 'kind': found['kind'], 'ours': ours, 'ports': sorted(found['ports'])}


def plan(desired, current, facts=None):
    """One bridge's Plan. ``current``: observe()'s entry of its name (None: none)."""
    name = desired['name']
    ours = current is not None and current.get('alias') == desired['alias']
    before = view(current, ours)
    if current is not None and current['kind'] != 'bridge':
        if desired['state'] == 'absent':
            return Plan(desired, current, [], before, before)
        return Plan.refused(desired, current, before, [
            'a link called %s is here and it is a %s, not a Linux bridge: rename the bridge node, or remove that link'
            % (name, current['kind'] or 'device')])
    if desired['state'] == 'absent':
        if not ours:
            return Plan(desired, current, [], before, before)
        leaving = ['%s:' % name for name in (facts or {}).get('leaving') or []]
        others = [port for port in current['ports']
                  if not any(leave in ((current.get('links') or {}).get(port) or '') for leave in leaving)]
        if others:
            kept = 'ports that are not the topology\'s are on it (%s)' % ', '.join(sorted(others))
            return Plan(desired, current, [], before, dict(before, kept=kept))
        return Plan(desired, current, [Action('bridge', name, None, desired['alias'])], before, {'state': 'absent'})
    if current is None:
        return Plan(desired, current, [Action('bridge', name, desired['alias'], None)], before,
                    {'state': 'present', 'kind': 'bridge', 'ours': True, 'ports': []})
    if not ours:
        return Plan(desired, current, [], before, dict(before, kept='not made by this collection: used as it is, never removed'))
    return Plan(desired, current, [], before, before)


class LinuxBridges(OneByOneExecutor):
    """Makes and removes Linux bridges through netlink, one request each."""

    def __init__(self, netlink):
        self.netlink = netlink

    def _bridge(self, action):
        if action.new is not None:
            self.netlink.add_bridge(action.target, action.new)
            return
        found = self.netlink.link(action.target)
        if found is not None:
            self.netlink.del_link(found['index'])

    RUNS = {'bridge': _bridge}


class LinuxBridgesPart(_runner.Held):
    """ovs_docker_topology's linux_bridges: made before the links that make ports of them, removed
    after the links went."""

    argument_spec = dict(linux_bridges=dict(type='list', elements='dict', options=OPTIONS, required=True))
    one_key, list_key, noun = 'linux_bridge', 'linux_bridges', 'Linux bridge'

    def validate(self):
        return self.validate_named(self.params['linux_bridges'], desired_state)

    def connect(self):
        require_pyroute2()
        self.netlink = Netlink()

    def make_plans(self):
        found = observe(self.netlink, set(d['name'] for d in self.desired))
        return [plan(d, found.get(d['name']), {'leaving': self.leaving}) for d in self.desired]

    def executor(self):
        return LinuxBridges(self.netlink)

    def look(self, plan):
        found = observe(self.netlink, {plan.desired['name']}).get(plan.desired['name'])
        return view(found, found is not None and found.get('alias') == plan.desired['alias'])
