# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ovs_bridge: desired state from params, current state from OVSDB and netlink, the plan between
them (pure: unit-tested without root), and applying it with undo on failure."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.netdevops.ovs_docker.plugins.module_utils import _validate
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._common import ApplyError

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
    desired['datapath_type'] = params.get('datapath_type')
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
    """(current or None, desired) -> (actions, before, after).

    Actions are plain tuples, applied in order by apply():
      ('create', columns) ('delete', port_names) ('set', column, value)
      ('link', 'up'|'down') ('addr_add', cidr) ('addr_del', cidr)
    """
    before = view(current)
    if desired['state'] == 'absent':
        if current is None:
            return [], before, before
        return [('delete', list(current['ports']))], before, view(None)

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
        actions.append(('create', dict((c, after[c]) for c in columns)))
    else:
        actions.extend(('set', c, after[c]) for c in columns if after[c] != base[c])
    # Link up before addresses: the kernel drops IPv6 addresses from a link going down.
    if after['link_state'] != base['link_state'] and after['link_state'] == 'up':
        actions.append(('link', 'up'))
    if desired['addresses'] is not None:
        actions.extend(('addr_del', a) for a in base['addresses'] if a not in after['addresses'])
        actions.extend(('addr_add', a) for a in after['addresses'] if a not in base['addresses'])
    if after['link_state'] != base['link_state'] and after['link_state'] == 'down':
        actions.append(('link', 'down'))
    return actions, before, view(after)


def undo_action(action, current):
    """The action that takes back ``action``, given the state before the run."""
    kind = action[0]
    if kind == 'create':
        return ('delete', [])
    if kind == 'set':
        return ('set', action[1], current[action[1]])
    if kind == 'link':
        return ('link', 'down' if action[1] == 'up' else 'up')
    if kind == 'addr_add':
        return ('addr_del', action[1])
    if kind == 'addr_del':
        return ('addr_add', action[1])
    return None  # a delete is the last thing a run does; nothing follows it that could fail


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
    if datapath_type == 'system' and not os.path.exists('/sys/module/openvswitch'):
        message += ("; the openvswitch kernel module is not loaded on this host: set datapath_type: netdev "
                    "for the userspace datapath, or load the module (modprobe openvswitch)")
    return message


class BridgeApplier(object):
    """Applies a plan. Each step that succeeded is recorded so that a failure later in the same
    run can be undone in reverse order."""

    def __init__(self, db, netlink, name, wait_vswitchd, timeout):
        self.db = db
        self.netlink = netlink
        self.name = name
        self.wait = wait_vswitchd
        self.timeout = timeout
        self._index = None

    def _link_index(self):
        if self._index is None:
            link = self.netlink.await_link(self.name, self.timeout)
            if link is None:
                raise RuntimeError("bridge %s has no internal interface %s in the kernel after %gs: "
                                   "is ovs-vswitchd running?" % (self.name, self.name, self.timeout))
            self._index = link['index']
        return self._index

    def _ovsdb(self, build, comment):
        self.db.transact(build, comment, wait_vswitchd=self.wait)

    def run(self, action):
        kind = action[0]
        name = self.name
        if kind == 'create':
            def build(txn):
                iface = txn.insert(self.db.idl.tables['Interface'])
                iface.name, iface.type = name, 'internal'
                port = txn.insert(self.db.idl.tables['Port'])
                port.name, port.interfaces = name, [iface]
                bridge = txn.insert(self.db.idl.tables['Bridge'])
                bridge.name, bridge.ports = name, [port]
                self._set_columns(bridge, action[1])
                root = self.db.root
                root.verify('bridges')
                root.bridges = list(root.bridges) + [bridge]
            self._ovsdb(build, 'create bridge %s' % name)
            if self.wait:
                failure = datapath_failure(self.db, name)
                if failure:
                    raise RuntimeError(failure)
        elif kind == 'delete':
            def build(txn):
                bridge = self.db.find('Bridge', name)
                if bridge is None:
                    return
                root = self.db.root
                root.verify('bridges')
                root.bridges = [b for b in root.bridges if b.uuid != bridge.uuid]
                bridge.delete()
            self._ovsdb(build, 'delete bridge %s' % name)
            self._index = None
        elif kind == 'set':
            def build(txn):
                bridge = self.db.find('Bridge', name)
                bridge.verify(action[1])
                self._set_columns(bridge, {action[1]: action[2]})
            self._ovsdb(build, 'set %s of bridge %s' % (action[1], name))
        elif kind == 'link':
            self.netlink.set_link(self._link_index(), state=action[1])
        elif kind == 'addr_add':
            self.netlink.add_address(self._link_index(), action[1])
        elif kind == 'addr_del':
            self.netlink.del_address(self._link_index(), action[1])
        else:
            raise ValueError('unknown action %r' % (action,))

    @staticmethod
    def _set_columns(bridge, columns):
        for column, value in columns.items():
            if column == 'datapath_type':
                bridge.datapath_type = value
            elif column == 'fail_mode':
                bridge.fail_mode = [value] if value else []
            else:
                setattr(bridge, column, dict(value))

    def apply(self, actions, current):
        """Run every action; on failure undo the ones that succeeded (newest first) and re-raise."""
        done = []
        try:
            for action in actions:
                self.run(action)
                done.append(action)
        except Exception as exc:
            if actions[0][0] == 'create':
                # A bridge this run created goes as a whole, addresses and all (its transaction
                # may have committed even when the datapath then failed).
                undo = [('delete', [])]
            else:
                undo = [undo_action(a, current) for a in reversed(done)]
            undo_errors = []
            for action in undo:
                try:
                    self.run(action)
                except Exception as undo_exc:  # keep undoing what can be undone
                    undo_errors.append('%s: %s' % (action[0], undo_exc))
            raise ApplyError(str(exc), undo_errors)
