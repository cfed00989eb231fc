# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ovs_mirror: Open vSwitch port mirrors (the Mirror table), their sources and output named the
way users know them - a container's interface, a namespace's, a port, a VLAN, or all.

    desired_state(spec) -> (desired, [problems])   what is asked, before anything is read
    resolve(desired, ports, container)             the sources and output as OVS port names, from
                                                   the ports' marks (ovs-docker's, netns_veth's)
    observe(db, bridge, name) -> found             the Mirror row of that name on the bridge
    plan(desired, current, facts) -> Plan          pure
    MirrorRows                                     the executor: every mirror of a run in one transaction

A mirror is this collection's when its external_ids carry marks.MIRROR; another's of the same name
on the bridge is refused, with nothing changed. A source port that goes (a restarted container's)
drops out of the row (its references are weak); the next run puts it back.

The kind (an Action's target is (bridge, mirror name)):
    mirror    made (new: its columns), changed (new and old: columns), removed (new None); undo: the other way
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import marks as _marks
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import runner as _runner
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import validate as _validate
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.common import OVSDB_ARGS, ModuleError
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.engine import Action, JoinedExecutor, Plan
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._system import containers as _containers
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._system import ovsdb as _ovsdb

TABLES = {
    'Open_vSwitch': ['bridges', 'cur_cfg', 'next_cfg'],
    'Bridge': ['name', 'ports', 'mirrors'],
    'Port': ['name', 'interfaces'],
    'Interface': ['name', 'external_ids'],
    'Mirror': ['name', 'select_all', 'select_src_port', 'select_dst_port', 'select_vlan', 'output_port', 'output_vlan',
               'external_ids'],
}
# which way a source's packets are taken: 'both', 'in' (what it sends: select_src_port, packets the
# bridge receives on its port), 'out' (what it is sent: select_dst_port)
DIRECTIONS = ('both', 'in', 'out')
END = dict(container=dict(type='str'), namespace=dict(type='str'), interface=dict(type='str'), port=dict(type='str'))
SOURCE = dict(END, direction=dict(type='str', choices=list(DIRECTIONS), default='both'))
OUTPUT = dict(END, vlan=dict(type='int'))
OPTIONS = dict(
    name=dict(type='str', required=True),
    bridge=dict(type='str', required=True),
    sources=dict(type='list', elements='dict', options=SOURCE),
    select_all=dict(type='bool', default=False),
    vlans=dict(type='list', elements='int'),
    output=dict(type='dict', options=OUTPUT),
    state=dict(type='str', choices=['present', 'absent'], default='present'),
)
COLUMNS = ('select_all', 'select_src_port', 'select_dst_port', 'select_vlan', 'output_port', 'output_vlan')


def _end_errors(end, what, vlan=False):
    """An end (a source, the output) names one thing: a container's or a namespace's interface, a
    port (or, the output, a VLAN)."""
    kinds = [k for k in ('container', 'namespace', 'port') + (('vlan',) if vlan else ()) if end.get(k) not in (None, '')]
    if len(kinds) != 1:
        return ['%s names %s: give one of container (and interface), namespace (and interface), port%s'
                % (what, ' and '.join(kinds) or 'nothing', ' or vlan' if vlan else '')]
    errors = []
    if kinds[0] == 'namespace' and not end.get('interface'):
        errors.append('%s: a namespace\'s interface is needed (interface)' % what)
    for key in ('interface', 'port'):
        if end.get(key):
            error = _validate.interface_name(end[key], '%s %s' % (what, key))
            errors.extend([error] if error else [])
    if kinds[0] == 'vlan' and not 1 <= end['vlan'] <= 4094:
        errors.append('%s vlan %s is out of range: give 1 to 4094' % (what, end['vlan']))
    return errors


def desired_state(spec):
    """A mirror's options -> ({'name', 'bridge', 'key', 'state', 'sources', 'output', 'select_all',
    'vlans'}, [problems])."""
    problems = []
    for what in ('name', 'bridge'):
        error = _validate.interface_name(str(spec.get(what) or ''), what) if what == 'bridge' else None
        problems.extend([error] if error else [])
    if not spec.get('name'):
        problems.append('name is required: the mirror\'s name on its bridge')
    desired = {'name': spec.get('name'), 'bridge': spec.get('bridge'), 'key': '%s/%s' % (spec.get('bridge'), spec.get('name')),
               'state': spec.get('state') or 'present', 'sources': [], 'output': None,
               'select_all': bool(spec.get('select_all')), 'vlans': sorted(set(spec.get('vlans') or []))}
    if desired['state'] == 'absent':
        return desired, problems
    for index, source in enumerate(spec.get('sources') or []):
        source = dict(dict.fromkeys(SOURCE), **source)
        problems.extend(_end_errors(source, 'sources[%d]' % index))
        desired['sources'].append(dict(source, interface=source.get('interface') or ('eth0' if source.get('container') else None),
                                       direction=source.get('direction') or 'both'))
    for vlan in desired['vlans']:
        if not 1 <= vlan <= 4094:
            problems.append('vlans: %s is out of range: give 1 to 4094' % vlan)
    if not (desired['sources'] or desired['select_all'] or desired['vlans']):
        problems.append('a mirror needs what it takes: sources, vlans or select_all')
    output = spec.get('output')
    if not output:
        problems.append('output is required: the port (a capture namespace\'s or container\'s, or a port) or the VLAN it sends to')
    else:
        output = dict(dict.fromkeys(OUTPUT), **output)
        problems.extend(_end_errors(output, 'output', vlan=True))
        desired['output'] = dict(output, interface=output.get('interface') or ('eth0' if output.get('container') else None))
    return desired, problems


def _label(end):
    if end.get('container'):
        return 'container %s:%s' % (end['container'], end['interface'])
    if end.get('namespace'):
        return 'namespace %s:%s' % (end['namespace'], end['interface'])
    if end.get('port'):
        return 'port %s' % end['port']
    return 'vlan %s' % end['vlan']


def resolve(end, ports, container=None):
    """The OVS port name of an end on the bridge: ``ports`` [{'name', 'external_ids'}] (the bridge's
    ports, each with its interface's external_ids), ``container`` the engine's {'id', 'name'} of a
    container end (None: matched by the name the port was made with only) -> (name, problem)."""
    for port in ports:
        ids = port['external_ids']
        if end.get('port') and port['name'] == end['port']:
            return port['name'], None
        if end.get('container') and ids.get(_marks.CONTAINER_IFACE) == end['interface'] and (
                ids.get(_marks.CONTAINER_ID) == end['container']
                or (container is not None and _containers.refers_to(ids.get(_marks.CONTAINER_ID), container))):
            return port['name'], None
        if end.get('namespace') and ids.get(_marks.NETNS) == end['namespace'] and ids.get(_marks.NETNS_IFACE) == end['interface']:
            return port['name'], None
    return None, '%s has no port on this bridge: attach it first (ovs_docker_port, netns_veth)' % _label(end)


def columns_of(desired, names):
    """The Mirror row's columns of ``desired``, its ends resolved to port names (``names``: end
    label -> port name)."""
    src, dst = set(), set()
    for source in desired['sources']:
        name = names[_label(source)]
        if source['direction'] in ('both', 'in'):
            src.add(name)
        if source['direction'] in ('both', 'out'):
            dst.add(name)
    output = desired['output']
    # (OVS selects by port, then by VLAN: VLANs alone are every port's packets on them)
    return {'select_all': desired['select_all'] or not desired['sources'], 'select_src_port': sorted(src), 'select_dst_port': sorted(dst),
            'select_vlan': list(desired['vlans']), 'output_port': names.get(_label(output)) if not output.get('vlan') else None,
            'output_vlan': output.get('vlan')}


def observe(db, bridge, name):
    """The Mirror row called ``name`` on ``bridge`` as {'columns', 'ours', 'external_ids'}, or None;
    (None, None) when the bridge is not there."""
    row = db.find('Bridge', bridge)
    if row is None:
        return None
    for mirror in row.mirrors:
        if mirror.name == name:
            return {'columns': _row_columns(mirror), 'ours': _marks.is_mirror(mirror.external_ids),
                    'external_ids': dict(mirror.external_ids)}
    return None


def _one(value):
    return value[0] if value else None


def _row_columns(mirror):
    return {'select_all': bool(mirror.select_all), 'select_src_port': sorted(p.name for p in mirror.select_src_port),
            'select_dst_port': sorted(p.name for p in mirror.select_dst_port), 'select_vlan': sorted(mirror.select_vlan),
            'output_port': _one([p.name for p in mirror.output_port]), 'output_vlan': _one(list(mirror.output_vlan))}


def view(desired, columns):
    if columns is None:
        return {'name': desired['name'], 'bridge': desired['bridge'], 'state': 'absent'}
    return dict(columns, name=desired['name'], bridge=desired['bridge'], state='present')


def plan(desired, current, facts=None):
    """One mirror's Plan. ``current``: observe()'s (None: none); facts: 'columns' (columns_of(), the
    ends resolved)."""
    target = (desired['bridge'], desired['name'])
    before = view(desired, current['columns'] if current else None)
    if current is not None and not current['ours']:
        return Plan.refused(desired, current, before, [
            'mirror %s on bridge %s is not this collection\'s (no external_ids %s=%s): it is left as it is; give this '
            'mirror another name, or remove that one' % (desired['name'], desired['bridge'], _marks.MIRROR[0], _marks.MIRROR[1])])
    if desired['state'] == 'absent':
        if current is None:
            return Plan(desired, current, [], before, before)
        return Plan(desired, current, [Action('mirror', target, None, current['columns'])], before, view(desired, None))
    columns = (facts or {})['columns']
    after = view(desired, columns)
    if current is not None and current['columns'] == columns:
        return Plan(desired, current, [], before, after)
    return Plan(desired, current, [Action('mirror', target, columns, current['columns'] if current else None)], before, after)


class MirrorRows(JoinedExecutor):
    """Every mirror action of a run in one OVSDB transaction (awaited: ovs-vswitchd applies it)."""

    def __init__(self, db):
        self.db = db

    def _mirror(self, txn, action):
        bridge_name, name = action.target
        bridge = self.db.find('Bridge', bridge_name)
        row = next((m for m in bridge.mirrors if m.name == name), None)
        if action.new is None:
            if row is not None:
                bridge.verify('mirrors')
                bridge.mirrors = [m for m in bridge.mirrors if m.uuid != row.uuid]
                row.delete()
            return
        if row is None:
            row = txn.insert(self.db.idl.tables['Mirror'])
            row.name, row.external_ids = name, {_marks.MIRROR[0]: _marks.MIRROR[1]}
            bridge.verify('mirrors')
            bridge.mirrors = list(bridge.mirrors) + [row]
        ports = dict((p.name, p) for p in bridge.ports)
        row.select_all = action.new['select_all']
        row.select_src_port = [ports[n] for n in action.new['select_src_port'] if n in ports]
        row.select_dst_port = [ports[n] for n in action.new['select_dst_port'] if n in ports]
        row.select_vlan = list(action.new['select_vlan'])
        row.output_port = [ports[action.new['output_port']]] if action.new['output_port'] in ports else []
        row.output_vlan = [action.new['output_vlan']] if action.new['output_vlan'] else []

    RUNS = {'mirror': _mirror}

    def run(self, actions):
        def build(txn):
            for action in actions:
                self.runs(action)(self, txn, action)
        self.db.transact(build, 'mirror%s %s' % ('s' if len(actions) > 1 else '', ', '.join(a.target[1] for a in actions)))


class OvsMirror(_runner.Batch):
    """The module's own part (see the module's docstring)."""

    argument_spec = dict(
        mirrors=dict(type='list', elements='dict', options=OPTIONS, required=True),
        docker_host=dict(type='str'),
        docker_timeout=dict(type='int', default=60),
        **OVSDB_ARGS
    )
    one_key, list_key, noun = 'mirror', 'mirrors', 'mirror'

    def validate(self):
        self.many = True
        self.desired, errors = [], []
        for spec in self.params['mirrors']:
            desired, problems = desired_state(spec)
            self.desired.append(desired)
            errors.extend('mirror %s: %s' % (desired['key'], p) for p in problems)
        twice = self.twice([d['key'] for d in self.desired], 'mirrors')
        return errors + ([twice] if twice else [])

    def connect(self):
        self.db = _ovsdb.connect(self.params, TABLES)
        self.docker = _containers.ContainerApi(_containers.docker_host(self.params['docker_host']), self.params['docker_timeout'])

    def resolve(self):
        """Each present mirror's ends to port names on its bridge (the engine asked only for a
        container whose port was made under another reference): refusals for what is not there."""
        problems, self.columns = [], {}
        for desired in self.desired:
            if desired['state'] == 'absent':
                continue
            bridge = self.db.find('Bridge', desired['bridge'])
            if bridge is None:
                problems.append('mirror %s: bridge %s does not exist: make it first (ovs_bridge)' % (desired['key'], desired['bridge']))
                continue
            ports = [{'name': p.name, 'external_ids': dict(next((i.external_ids for i in p.interfaces if i.name == p.name), {}))}
                     for p in bridge.ports]
            names = {}
            for end in desired['sources'] + ([desired['output']] if not desired['output'].get('vlan') else []):
                name, problem = resolve(end, ports)
                if problem and end.get('container'):
                    try:
                        found = self.docker.inspect(end['container'])
                    except _containers.ContainerError as exc:
                        raise ModuleError(str(exc))
                    name, problem = resolve(end, ports, found) if found else (None, 'container %s does not exist' % end['container'])
                if problem:
                    problems.append('mirror %s: %s' % (desired['key'], problem))
                names[_label(end)] = name
            output = names.get(_label(desired['output']))
            if output and output in [names[_label(s)] for s in desired['sources']]:
                problems.append('mirror %s: its output %s is one of its sources: give the capture its own port' % (desired['key'], output))
            self.columns[desired['key']] = names
        return problems

    def make_plans(self):
        return [plan(d, observe(self.db, d['bridge'], d['name']),
                     {'columns': columns_of(d, self.columns[d['key']])} if d['state'] == 'present' else None)
                for d in self.desired]

    def steps(self):
        executor = MirrorRows(self.db)
        return [(executor, action) for p in self.plans for action in p.actions]

    def look(self, plan):
        found = observe(self.db, plan.desired['bridge'], plan.desired['name'])
        return view(plan.desired, found['columns'] if found else None)
