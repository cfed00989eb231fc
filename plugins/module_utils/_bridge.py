# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ovs_bridge: desired state from params, current state from OVSDB and netlink, the plan between
them (pure: unit-tested without root), and applying it with undo on failure."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.netdevops.ovs_docker.plugins.module_utils import _hostnet, _ovsdb, _runner, _validate
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._common import OVSDB_ARGS, list_items, require_pyroute2
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._engine import NO_UNDO, Action
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._netlink import Netlink

FAIL_MODES = ('standalone', 'secure')
MAP_COLUMNS = ('external_ids', 'other_config')
# What the IDL replicates for this module: only these columns are synced.
TABLES = {
    'Open_vSwitch': ['bridges', 'cur_cfg', 'next_cfg', 'datapath_types'],
    'Bridge': ['name', 'ports', 'datapath_type', 'fail_mode', 'external_ids', 'other_config',
               'datapath_id'],
    'Port': ['name', 'interfaces'],
    'Interface': ['name', 'type', 'ofport', 'error'],
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


def plan(current, desired):
    """(current or None, desired) -> (actions, before, after). Kinds (see _engine.Action):
      bridge         [name]    new: its columns (created); None: deleted with its ports
      bridge_column  [column]  one of datapath_type, fail_mode, external_ids, other_config
      link_state     [name]    'up' or 'down' (the bridge's internal interface)
      addr           [CIDR]    'present' or None (on the internal interface)
    """
    before = view(current)
    if desired['state'] == 'absent':
        if current is None:
            return [], before, before
        # the last thing a run does: nothing follows that could fail and need it back
        return [Action('bridge', desired['name'], None, NO_UNDO)], before, view(None)

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
    return actions, before, view(after)


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


def name_taken(netlink, name):
    """None when no kernel link is called ``name`` (a new bridge's internal interface needs it),
    else a message naming what has it."""
    link = netlink.link(name)
    if link is None:
        return None
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


class BridgeRows(object):
    """Executor of the OVSDB rows of any number of bridges (kinds bridge, bridge_column; the
    target is (bridge name, what the plan targets)): every such action of a run in one
    transaction; with ``wait``, it waits until ovs-vswitchd applied it, and new bridges must
    have got a datapath."""

    def __init__(self, db, wait):
        self.db = db
        self.wait = wait

    @staticmethod
    def joins(previous, action):
        return True

    def run(self, actions):
        def build(txn):
            for action in actions:
                name, target = action.target
                if action.kind == 'bridge' and action.new is not None:
                    self._insert(txn, name, action.new)
                elif action.kind == 'bridge':
                    self._remove(name)
                else:
                    bridge = self.db.find('Bridge', name)
                    bridge.verify(target)
                    _set_columns(bridge, {target: action.new})
        names = sorted(set(a.target[0] for a in actions))
        self.db.transact(build, 'bridge%s %s' % ('s' if len(names) > 1 else '', ', '.join(names)), wait_vswitchd=self.wait)
        created = [a.target[0] for a in actions if a.kind == 'bridge' and a.new is not None]
        failures = [f for f in (datapath_failure(self.db, name) for name in created) if f] if self.wait else []
        if failures:
            # committed, but of no use: deleted here, since a failed action is not the engine's to undo
            failure = '; '.join(failures)
            try:
                self.db.transact(lambda txn: [self._remove(name) for name in created],
                                 'delete bridge %s' % ', '.join(created), wait_vswitchd=self.wait)
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
        bridge.delete()


def _set_columns(bridge, columns):
    for column, value in columns.items():
        if column == 'datapath_type':
            bridge.datapath_type = value
        elif column == 'fail_mode':
            bridge.fail_mode = [value] if value else []
        else:
            setattr(bridge, column, dict(value))


class BridgeLink(object):
    """Executor of the bridge's internal interface in the kernel (kinds link_state, addr); the
    interface is awaited: ovs-vswitchd makes it shortly after it applied the bridge."""

    def __init__(self, netlink, name, timeout):
        self.netlink = netlink
        self.name = name
        self.timeout = timeout
        self._index = None

    @staticmethod
    def joins(previous, action):
        return False

    def run(self, actions):
        action = actions[0]
        if action.kind == 'link_state':
            self.netlink.set_link(self._link_index(), state=action.new)
        elif action.new:
            self.netlink.add_address(self._link_index(), action.target)
        else:
            self.netlink.del_address(self._link_index(), action.target)

    def _link_index(self):
        if self._index is None:
            link = self.netlink.await_link(self.name, self.timeout)
            if link is None:
                raise RuntimeError("bridge %s has no internal interface %s in the kernel after %gs: "
                                   "is ovs-vswitchd running?" % (self.name, self.name, self.timeout))
            self._index = link['index']
        return self._index


ROW_KINDS = ('bridge', 'bridge_column')


def steps(plans, db, netlink, wait, timeout):
    """The engine's steps for the plans [(name, actions)] of many bridges: every OVSDB action to
    one BridgeRows (one transaction), then each bridge's internal interface (BridgeLink)."""
    rows = BridgeRows(db, wait)
    result, links = [], []
    for name, actions in plans:
        link = BridgeLink(netlink, name, timeout)
        for a in actions:
            if a.kind in ROW_KINDS:
                result.append((rows, Action(a.kind, (name, a.target), a.new, a.old)))
            else:
                links.append((link, a))
    return result + links


# -- the module (see _runner) ------------------------------------------------------------------

# Options of one bridge: at the top level (one bridge), or in each item of `bridges`.
BRIDGE_OPTIONS = dict(
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
)
# What an item of `bridges` takes from the top level when it does not say.
INHERITED = ('state', 'datapath_type', 'fail_mode', 'purge_external_ids', 'purge_other_config', 'link_state')


def bridge_specs(params):
    """The bridges a task asks for, each with every option present."""
    if params.get('bridges') is None:
        return [dict((key, params[key]) for key in BRIDGE_OPTIONS)]
    return list_items(params, 'bridges', BRIDGE_OPTIONS, INHERITED)


class OvsBridge(_runner.Module):
    argument_spec = dict(
        dict(BRIDGE_OPTIONS, state=dict(type='str', choices=['present', 'absent'], default='present'),
             purge_external_ids=dict(type='bool', default=False), purge_other_config=dict(type='bool', default=False)),
        bridges=dict(type='list', elements='dict', options=dict(BRIDGE_OPTIONS, name=dict(type='str', required=True,
                                                                                          aliases=['bridge']))),
        wait=dict(type='bool', default=True),
        allow_host_overlap=dict(type='bool', default=False),
        **OVSDB_ARGS
    )
    module_kwargs = dict(mutually_exclusive=[('name', 'bridges')], required_one_of=[('name', 'bridges')])

    def validate(self):
        self.many = self.params['bridges'] is not None
        self.desired, errors = [], []
        for spec in bridge_specs(self.params):
            desired, more = desired_state(spec)
            self.desired.append(desired)
            errors.extend(('bridge %s: %s' % (spec['name'], e) if self.many else e) for e in more)
            if desired['state'] == 'present' and not self.params['wait'] and (desired['addresses'] or desired['link_state']):
                errors.append('%saddresses and link_state need wait=true: the internal interface exists only once '
                              'ovs-vswitchd has applied the bridge' % ('bridge %s: ' % spec['name'] if self.many else ''))
        names = [d['name'] for d in self.desired]
        twice = sorted(set(n for n in names if names.count(n) > 1))
        if twice:
            errors.append('bridges lists %s more than once: give each bridge once' % ', '.join(twice))
        return errors

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

    def plan(self):
        supported = self.db.root.datapath_types
        problems = []
        self.plans = []  # (desired, current, actions, before, after)
        for desired in self.desired:
            if desired.get('datapath_type') and supported and desired['datapath_type'] not in supported:
                problems.append("%sdatapath_type %r is not one that ovs-vswitchd supports here; choose one of: %s"
                                % (self._prefix(desired['name']), desired['datapath_type'], ', '.join(sorted(supported))))
                continue
            current = self._observe(desired)
            if current is None and desired['state'] == 'present':
                # A new bridge's internal interface takes its name in the kernel: that name must be free.
                taken = name_taken(self.netlink, desired['name'])
                if taken:
                    problems.append(taken)
                    continue
            self.plans.append((desired, current) + plan(current, desired))
        return problems + self._host_collisions()

    def _host_collisions(self):
        """The addresses this run adds whose subnets would take the host's own traffic away (the
        host is read only when a run adds an address); the run's own new addresses count too."""
        added = [(p[0]['name'], a.target) for p in self.plans for a in p[2] if a.kind == 'addr' and a.new]
        if not added or self.params['allow_host_overlap']:
            return []
        host = _hostnet.read(self.netlink)
        problems = []
        for name, cidr in added:
            found = _hostnet.collisions(cidr, name, host)
            if found:
                problems.append(self._prefix(name) + _hostnet.refusal(cidr, name, found))
            host['addresses'].append((cidr, name))
        return problems

    def _prefix(self, name):
        return 'bridge %s: ' % name if self.many else ''

    def result(self):
        changed = any(p[2] for p in self.plans)
        created = [p[0]['name'] for p in self.plans if p[1] is None and p[0]['state'] == 'present']
        removed = dict((p[0]['name'], p[1]['ports']) for p in self.plans
                       if p[1] and p[0]['state'] == 'absent' and p[1]['ports'])
        if not self.many:
            desired, current, actions, before, after = self.plans[0]
            result = self.planned(changed, before, after, bridge=after, created=bool(created))
            if removed:
                result['ports_removed'] = removed[desired['name']]
            return result
        result = self.planned(changed, dict((p[0]['name'], p[3]) for p in self.plans),
                              dict((p[0]['name'], p[4]) for p in self.plans),
                              bridges=[dict(p[4], name=p[0]['name']) for p in self.plans], created=created)
        if removed:
            result['ports_removed'] = removed
        return result

    def needs_vswitchd(self):
        return self.params['wait']  # without wait, changes may be made for an ovs-vswitchd that runs later

    def steps(self):
        return steps([(p[0]['name'], p[2]) for p in self.plans], self.db, self.netlink, self.params['wait'],
                     self.params['ovsdb_timeout'])

    def read_back(self):
        views = [view(self._observe(p[0])) for p in self.plans]
        if self.many:  # an absent bridge's view has no name: the list says which it is
            return dict(bridges=[dict(v, name=p[0]['name']) for v, p in zip(views, self.plans)])
        return dict(bridge=views[0])

    def failure_prefix(self):
        return '' if self.many else 'bridge %s: ' % self.desired[0]['name']
