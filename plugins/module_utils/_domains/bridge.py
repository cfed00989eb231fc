# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ovs_bridge: desired state from params, current state from OVSDB and netlink, the plan between
them (pure: unit-tested without root), and applying it with undo on failure."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import marks as _marks
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import runner as _runner
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import validate as _validate
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.common import OVSDB_ARGS, list_items, require_pyroute2
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.engine import NO_UNDO, Action, Executor, JoinedExecutor, Plan
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._system import hostnet as _hostnet
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._system import ovsdb as _ovsdb
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._system.netlink import Netlink

FAIL_MODES = ('standalone', 'secure')
MAP_COLUMNS = ('external_ids', 'other_config')
# What the IDL replicates for this module: only these columns are synced.
TABLES = {
    'Open_vSwitch': ['bridges', 'cur_cfg', 'next_cfg', 'datapath_types'],
    'Bridge': ['name', 'ports', 'datapath_type', 'fail_mode', 'external_ids', 'other_config',
               'datapath_id'],
    'Port': ['name', 'interfaces', 'qos'],
    'Interface': ['name', 'type', 'ofport', 'error'],
    # a bridge that goes takes our egress limits' rows with it (see _ovsdb.release_egress)
    'QoS': _ovsdb.PORT_TABLES['QoS'],
    'Queue': _ovsdb.PORT_TABLES['Queue'],
}


def datapath_auto():
    """The datapath a bridge gets when none is chosen: the kernel's where the openvswitch module
    is loaded, else the userspace one (netdev)."""
    return 'system' if os.path.exists('/sys/module/openvswitch') else 'netdev'


# -- desired state -----------------------------------------------------------------------------

def desired_state(params):
    """Validated, canonical desired state from module params -> (desired, [errors])."""
    errors = []
    name_error = _validate.interface_name(params['name'], 'name')
    if name_error:
        errors.append(name_error + ' (the bridge name is also its internal interface name)')
    desired = {'name': params['name'], 'state': params['state']}
    if params['state'] == 'absent':
        return desired, errors
    desired['datapath_type'] = datapath_auto() if params.get('datapath_type') == 'auto' else params.get('datapath_type')
    desired['fail_mode'] = params.get('fail_mode')
    for column in MAP_COLUMNS:
        value, error = _validate.ovsdb_map(params.get(column), column)
        if error:
            errors.append(error)
        desired[column] = value if params.get(column) is not None else None
        desired['purge_' + column] = bool(params.get('purge_' + column))
    desired['addresses'] = None
    if params.get('addresses') is not None:
        desired['addresses'], address_errors = _validate.parse_addresses(params['addresses'])
        errors.extend(address_errors)
    desired['link_state'] = params.get('link_state')
    if desired['link_state'] is None and desired['addresses']:
        desired['link_state'] = 'up'  # as ifconfig does: an address is given to be used
    if desired['link_state'] == 'down' and any(':' in a for a in desired['addresses'] or []):
        errors.append("link_state 'down' with IPv6 addresses: the kernel removes IPv6 addresses from a "
                      "link that is down; use link_state 'up' or leave the IPv6 addresses out")
    return desired, errors


def record(desired, persistent, allow_host_overlap):
    """A persistent bridge's record in its external_ids (RECORD: what OVS does not keep across a
    reboot - the internal interface's addresses and link state - as JSON, for the agent), set or
    (persistent false) removed. Only that key: the others are as the task manages them."""
    wanted = None
    if persistent:
        kept = dict((k, desired[k]) for k in ('addresses', 'link_state') if desired[k] is not None)
        if allow_host_overlap:
            kept['allow_host_overlap'] = True
        wanted = json.dumps(kept, sort_keys=True, separators=(',', ':'))
    if desired['external_ids'] is None:
        desired['purge_external_ids'] = False  # (a purge purges the keys a task gives, not only its record)
    desired['external_ids'] = dict(desired['external_ids'] or {}, **{_marks.RECORD: wanted})


# -- the plan (pure) ---------------------------------------------------------------------------

def _merge_map(current, wanted, purge):
    """The map an OVSDB column should hold: wanted keys set, null-valued keys removed, and with
    purge every key not wanted removed too."""
    result = {} if purge else dict(current)
    for key, value in wanted.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = value
    return result


def view(state):
    """The flat dict shown in --diff and returned: every managed property."""
    if state is None:
        return {'state': 'absent'}
    keys = ('name', 'datapath_type', 'fail_mode', 'external_ids', 'other_config', 'addresses',
            'link_state', 'ports')
    result = {'state': 'present'}
    result.update((k, state.get(k)) for k in keys)
    return result


def plan(desired, current, facts=None):
    """Pure: (desired, current or None, facts) -> Plan. ``facts``: what else observe found that a plan
    may be refused for: 'datapath_types' (those ovs-vswitchd supports; empty: unknown) and, for a
    bridge not in OVSDB, 'name_holder' (the kernel link that has its name already, or None).
    Kinds (see _engine.Action):
      bridge         [name]    new: its columns (created); None: deleted with its ports
      bridge_column  [column]  one of datapath_type, fail_mode, external_ids, other_config
      link_state     [name]    'up' or 'down' (the bridge's internal interface)
      addr           [CIDR]    'present' or None (on the internal interface)
    """
    facts = facts or {}
    before = view(current)
    if desired['state'] == 'absent':
        if current is None:
            return Plan(desired, current, [], before, before)
        # the last thing a run does: nothing follows that could fail and need it back
        return Plan(desired, current, [Action('bridge', desired['name'], None, NO_UNDO)], before, view(None))
    supported = facts.get('datapath_types')
    if desired.get('datapath_type') and supported and desired['datapath_type'] not in supported:
        return Plan.refused(desired, current, before, ["datapath_type %r is not one that ovs-vswitchd supports here; "
                                                       "choose one of: %s" % (desired['datapath_type'], ', '.join(sorted(supported)))])
    if current is None and facts.get('name_holder'):
        # A new bridge's internal interface takes its name in the kernel: that name must be free.
        return Plan.refused(desired, current, before, [name_taken(desired['name'], facts['name_holder'])])

    # A new bridge: OVS defaults; its interface is read (so shown) only when this run manages it.
    managed_link = desired['addresses'] is not None or desired['link_state'] is not None
    base = current or {
        'name': desired['name'], 'datapath_type': 'system', 'fail_mode': None,
        'external_ids': {}, 'other_config': {}, 'ports': [],
        'addresses': [] if managed_link else None, 'link_state': 'down' if managed_link else None,
    }
    after = dict(base)
    if desired['datapath_type'] is not None:
        after['datapath_type'] = desired['datapath_type']
    if desired['fail_mode'] is not None:
        after['fail_mode'] = desired['fail_mode']
    for column in MAP_COLUMNS:
        if desired[column] is not None:
            after[column] = _merge_map(base[column], desired[column], desired['purge_' + column])
    if desired['addresses'] is not None:
        after['addresses'] = desired['addresses']
    if desired['link_state'] is not None:
        after['link_state'] = desired['link_state']

    actions = []
    columns = ('datapath_type', 'fail_mode') + MAP_COLUMNS
    if current is None:
        actions.append(Action('bridge', desired['name'], dict((c, after[c]) for c in columns), None))
    else:
        actions.extend(Action('bridge_column', c, after[c], base[c]) for c in columns if after[c] != base[c])
    # Link up before addresses: the kernel drops IPv6 addresses from a link going down.
    if after['link_state'] != base['link_state'] and after['link_state'] == 'up':
        actions.append(Action('link_state', desired['name'], 'up', base['link_state'] or 'down'))
    if desired['addresses'] is not None:
        actions.extend(Action('addr', a, None, 'present') for a in base['addresses'] if a not in after['addresses'])
        actions.extend(Action('addr', a, 'present', None) for a in after['addresses'] if a not in base['addresses'])
    if after['link_state'] != base['link_state'] and after['link_state'] == 'down':
        actions.append(Action('link_state', desired['name'], 'down', base['link_state']))
    return Plan(desired, current, actions, before, view(after))


# -- observing and applying (needs OVSDB and netlink) ------------------------------------------

def observe(db, netlink, name):
    """Current state as plain data, or None when the bridge is not in OVSDB. Reads only."""
    row = db.find('Bridge', name)
    if row is None:
        return None
    state = {
        'name': name,
        'datapath_type': row.datapath_type or 'system',
        'fail_mode': row.fail_mode[0] if row.fail_mode else None,
        'external_ids': dict(row.external_ids),
        'other_config': dict(row.other_config),
        'ports': sorted(p.name for p in row.ports if p.name != name),
        # None: not read in this run (no netlink needed), or no such interface in the kernel.
        'addresses': None,
        'link_state': None,
    }
    link = netlink.link(name) if netlink is not None else None
    if link is not None:
        state['link_state'] = link['state']
        state['addresses'] = _validate.managed(netlink.addresses(link['index']))
    elif netlink is not None:
        state['addresses'] = []
    return state


def name_taken(name, link):
    """The refusal of a new bridge whose name the kernel ``link`` has already."""
    what = {'bridge': 'a Linux bridge', 'tun': 'a tun/tap device', 'veth': 'a veth',
            'openvswitch': "an OVS kernel datapath's interface"}.get(link['kind'], 'a %s link' % (link['kind'] or 'network'))
    return ("bridge %s cannot be created: %s called %s already exists on this host and is not an OVS bridge in this "
            "OVSDB (ovs-vswitchd would fail to make the bridge's internal interface); choose another bridge name"
            % (name, what, name))


def datapath_failure(db, name):
    """After ovs-vswitchd applied a bridge: None when its datapath works, else a message."""
    row = db.find('Bridge', name)
    iface = db.find('Interface', name)
    ofport = iface.ofport[0] if iface is not None and iface.ofport else -1
    if row is not None and row.datapath_id and ofport >= 0:
        return None
    error = iface.error[0] if iface is not None and iface.error else 'no datapath was created'
    datapath_type = (row.datapath_type if row is not None else '') or 'system'
    message = "ovs-vswitchd could not set up bridge %s on the %r datapath: %s" % (name, datapath_type, error)
    if datapath_type == 'system' and datapath_auto() == 'netdev':
        message += ("; the openvswitch kernel module is not loaded on this host: set datapath_type: netdev "
                    "for the userspace datapath, or load the module (modprobe openvswitch)")
    return message


class BridgeRows(JoinedExecutor):
    """Executor of the OVSDB rows of any number of bridges (kinds bridge, bridge_column; the
    target is (bridge name, what the plan targets)): every such action of a run in one
    transaction; with ``wait``, it waits until ovs-vswitchd applied it, and new bridges must
    have got a datapath."""

    def __init__(self, db, wait):
        self.db = db
        self.wait = wait

    def _bridge(self, txn, action):
        if action.new is not None:
            self._insert(txn, action.target[0], action.new)
        else:
            self._remove(action.target[0])

    def _column(self, txn, action):
        name, column = action.target
        bridge = self.db.find('Bridge', name)
        bridge.verify(column)
        _set_columns(bridge, {column: action.new})

    RUNS = {'bridge': _bridge, 'bridge_column': _column}

    def run(self, actions):
        def build(txn):
            for action in actions:
                self.runs(action)(self, txn, action)
        names = sorted(set(a.target[0] for a in actions))
        # bridges removed and nothing else: awaited at the run's end (settle), while the run goes on
        removals = all(a.kind == 'bridge' and a.new is None for a in actions)
        self.db.transact(build, 'bridge%s %s' % ('s' if len(names) > 1 else '', ', '.join(names)), applied=self.wait,
                         settle_now=not removals)
        created = [a.target[0] for a in actions if a.kind == 'bridge' and a.new is not None]
        failures = [f for f in (datapath_failure(self.db, name) for name in created) if f] if self.wait else []
        if failures:
            # committed, but of no use: deleted here, since a failed action is not the engine's to undo
            failure = '; '.join(failures)
            try:
                self.db.transact(lambda txn: [self._remove(name) for name in created],
                                 'delete bridge %s' % ', '.join(created), applied=self.wait)
            except Exception as exc:
                failure += '; deleting the new bridges again failed too: %s' % exc
            raise RuntimeError(failure)

    def _insert(self, txn, name, columns):
        iface = txn.insert(self.db.idl.tables['Interface'])
        iface.name, iface.type = name, 'internal'
        port = txn.insert(self.db.idl.tables['Port'])
        port.name, port.interfaces = name, [iface]
        bridge = txn.insert(self.db.idl.tables['Bridge'])
        bridge.name, bridge.ports = name, [port]
        _set_columns(bridge, columns)
        root = self.db.root
        root.verify('bridges')
        root.bridges = list(root.bridges) + [bridge]

    def _remove(self, name):
        bridge = self.db.find('Bridge', name)
        if bridge is None:
            return
        root = self.db.root
        root.verify('bridges')
        root.bridges = [b for b in root.bridges if b.uuid != bridge.uuid]
        for port in bridge.ports:
            _ovsdb.release_egress(port)
        bridge.delete()


def _set_columns(bridge, columns):
    for column, value in columns.items():
        if column == 'datapath_type':
            bridge.datapath_type = value
        elif column == 'fail_mode':
            bridge.fail_mode = [value] if value else []
        else:
            setattr(bridge, column, dict(value))


class BridgeLink(Executor):
    """Executor of the bridge's internal interface in the kernel (kinds link_state, addr); the
    interface is awaited: ovs-vswitchd makes it shortly after it applied the bridge."""

    def __init__(self, netlink, name, timeout):
        self.netlink = netlink
        self.name = name
        self.timeout = timeout
        self._index = None

    def _link_state(self, action):
        self.netlink.set_link(self._link_index(), state=action.new)

    def _addr(self, action):
        (self.netlink.add_address if action.new else self.netlink.del_address)(self._link_index(), action.target)

    RUNS = {'link_state': _link_state, 'addr': _addr}

    def run(self, actions):
        self.runs(actions[0])(self, actions[0])

    def _link_index(self):
        if self._index is None:
            link = self.netlink.await_link(self.name, self.timeout)
            if link is None:
                raise RuntimeError("bridge %s has no internal interface %s in the kernel after %gs: "
                                   "is ovs-vswitchd running?" % (self.name, self.name, self.timeout))
            self._index = link['index']
        return self._index


ROW_KINDS = tuple(BridgeRows.RUNS)


def schedule(plans, db, netlink, wait, timeout):
    """The engine's steps for the Plans of many bridges: every OVSDB action to one BridgeRows
    (one transaction), then each bridge's internal interface (BridgeLink)."""
    rows = BridgeRows(db, wait)
    result, links = [], []
    for bridge_plan in plans:
        name = bridge_plan.desired['name']
        link = BridgeLink(netlink, name, timeout)
        for a in bridge_plan.actions:
            if a.kind in ROW_KINDS:
                result.append((rows, Action(a.kind, (name, a.target), a.new, a.old)))
            else:
                links.append((link, a))
    return result + links


# -- the module (see _runner) ------------------------------------------------------------------

# Options of one bridge: at the top level (one bridge), or in each item of `bridges`.
OPTIONS = dict(
    name=dict(type='str', aliases=['bridge']),
    state=dict(type='str', choices=['present', 'absent']),
    datapath_type=dict(type='str'),
    fail_mode=dict(type='str', choices=list(FAIL_MODES)),
    external_ids=dict(type='dict'),
    purge_external_ids=dict(type='bool'),
    other_config=dict(type='dict'),
    purge_other_config=dict(type='bool'),
    addresses=dict(type='list', elements='str'),
    link_state=dict(type='str', choices=['up', 'down']),
    persistent=dict(type='bool'),
)
ITEM_OPTIONS = dict(OPTIONS, name=dict(type='str', required=True, aliases=['bridge']))
# What an item of `bridges` takes from the top level when it does not say.
INHERITED = ('state', 'datapath_type', 'fail_mode', 'purge_external_ids', 'purge_other_config', 'link_state', 'persistent')


def requested(params):
    """The bridges a task asks for, each with every option present."""
    if params.get('bridges') is None:
        return [dict((key, params[key]) for key in OPTIONS)]
    return list_items(params, 'bridges', OPTIONS, INHERITED)


class OvsBridge(_runner.Batch):
    argument_spec = dict(
        dict(OPTIONS, state=dict(type='str', choices=['present', 'absent'], default='present'),
             purge_external_ids=dict(type='bool', default=False), purge_other_config=dict(type='bool', default=False)),
        bridges=dict(type='list', elements='dict', options=ITEM_OPTIONS),
        wait=dict(type='bool', default=True),
        allow_host_overlap=dict(type='bool', default=False),
        **OVSDB_ARGS
    )
    module_kwargs = dict(mutually_exclusive=[('name', 'bridges')], required_one_of=[('name', 'bridges')])
    one_key, list_key, noun = 'bridge', 'bridges', 'bridge'

    def validate(self):
        return self.validate_named(requested(self.params), desired_state, self._more)

    def _more(self, desired, spec):
        """The record of a persistent bridge; what wait=false cannot do."""
        if spec.get('persistent') is not None and desired['state'] == 'present':
            record(desired, spec['persistent'], self.params['allow_host_overlap'])
        if desired['state'] == 'present' and not self.params['wait'] and (desired['addresses'] or desired['link_state']):
            return ['addresses and link_state need wait=true: the internal interface exists only once '
                    'ovs-vswitchd has applied the bridge']
        return []

    def connect(self):
        self.db = _ovsdb.connect(self.params, TABLES)
        self.netlink = None
        if any(d['state'] == 'present' for d in self.desired):  # names are looked up, and links maybe managed
            require_pyroute2()
            self.netlink = Netlink()

    def _managed_link(self, desired):
        """netlink reads only when the run manages the internal interface."""
        return desired['state'] == 'present' and (desired['addresses'] is not None or desired['link_state'])

    def _observe(self, desired):
        return observe(self.db, self.netlink if self._managed_link(desired) else None, desired['name'])

    def make_plans(self):
        plans = []
        for desired in self.desired:
            current = self._observe(desired)
            facts = {'datapath_types': self.db.root.datapath_types}
            if current is None and desired['state'] == 'present':
                facts['name_holder'] = self.netlink.link(desired['name'])
            plans.append(plan(desired, current, facts))
        self._host_collisions(plans)
        return plans

    def _host_collisions(self, plans):
        """The addresses this run adds whose subnets would take the host's own traffic away are
        their plans' problems (the host is read only when a run adds an address); the run's own
        new addresses count too."""
        added = [(p, a.target) for p in plans for a in p.actions if a.kind == 'addr' and a.new]
        if not added or self.params['allow_host_overlap']:
            return
        host = _hostnet.read(self.netlink)
        for bridge_plan, cidr in added:
            name = bridge_plan.desired['name']
            found = _hostnet.collisions(cidr, name, host)
            if found:
                bridge_plan.problems.append(_hostnet.refusal(cidr, name, found))
            host['addresses'].append((cidr, name))

    def shown(self, plan, view):
        # an absent bridge's view has no name: a list says which it is
        return dict(view, name=plan.desired['name']) if self.many else view

    def result(self):
        result = super(OvsBridge, self).result()
        created = [p.desired['name'] for p in self.plans if p.current is None and p.desired['state'] == 'present']
        removed = dict((p.desired['name'], p.current['ports']) for p in self.plans
                       if p.current and p.desired['state'] == 'absent' and p.current['ports'])
        result['created'] = created if self.many else bool(created)
        if removed:
            result['ports_removed'] = removed if self.many else removed[self.desired[0]['name']]
        return result

    def needs_vswitchd(self):
        return self.params['wait']  # without wait, changes may be made for an ovs-vswitchd that runs later

    def steps(self):
        return schedule(self.plans, self.db, self.netlink, self.params['wait'], self.params['ovsdb_timeout'])

    def look(self, plan):
        return view(self._observe(plan.desired))


def replay(records, context):
    """The agent's ovs_bridge params for recorded bridges (context: overlap, whether these were
    recorded with allow_host_overlap)."""
    return {'bridges': records, 'allow_host_overlap': context.get('overlap', False)}
