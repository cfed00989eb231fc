# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ovs_vxlan: a kernel VXLAN link on an OVS bridge, flooding to a list of remote hosts.

A kernel link rather than an OVS tunnel port: it works the same on the kernel and the userspace
datapath (OVS's own tunnels on the userspace datapath need the underlay on an OVS bridge too).
Desired state -> read-only observe -> pure plan -> the engine's apply with undo, as every module.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import marks as _marks
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import runner as _runner
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import validate as _validate
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.common import OVSDB_ARGS, list_items, no_bridge, require_pyroute2
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.engine import NO_UNDO, Action, Executor, Plan
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._system import ovsdb as _ovsdb
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._system.netlink import Netlink
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._system.ovsdb import PORT_TABLES, PortRows

TABLES = PORT_TABLES
VNI_MAX = (1 << 24) - 1


def _address(value, what):
    try:
        return str(ipaddress.ip_address(value)), None
    except ValueError:
        return None, "%s %r is not an IPv4 or IPv6 address (no prefix length: a host, e.g. 192.0.2.12)" % (what, value)


def desired_state(params):
    """Validated, canonical desired state -> (desired, [errors])."""
    errors = []
    for what in ('name', 'bridge'):
        if params.get(what) is not None:
            error = _validate.interface_name(params[what], what)
            if error:
                errors.append(error)
    desired = {'name': params['name'], 'state': params['state']}
    if params['state'] == 'absent':
        return desired, errors
    if not params.get('bridge'):
        errors.append('bridge is required with state present')
    vni = params.get('vni')
    if vni is None:
        errors.append('vni is required with state present')
    elif not 1 <= vni <= VNI_MAX:
        errors.append('vni %s is out of range: give 1 to %d' % (vni, VNI_MAX))
    port = params.get('port')
    if port is None:
        port = 4789
    if not 1 <= port <= 65535:
        errors.append('port %s is out of range: give 1 to 65535 (4789 is VXLAN\'s)' % port)
    local = None
    if params.get('local'):
        local, error = _address(params['local'], 'local')
        if error:
            errors.append(error)
    remotes = []
    for index, value in enumerate(params.get('remotes') or []):
        remote, error = _address(value, 'remotes[%d]' % index)
        if error:
            errors.append(error)
        elif ipaddress.ip_address(remote).is_multicast:
            errors.append('remotes[%d] %s is a multicast address: give the unicast address of each remote host' % (index, remote))
        elif remote not in remotes:
            remotes.append(remote)
    if local and local in remotes:
        errors.append('remotes lists %s, the local address itself' % local)
    families = set(ipaddress.ip_address(a).version for a in remotes + ([local] if local else []))
    if len(families) > 1:
        errors.append('local and remotes mix IPv4 and IPv6: a VXLAN link has one underlay family')
    mtu = params.get('mtu')
    error = _validate.mtu(mtu) if mtu is not None else None
    if error:
        errors.append(error)
    desired.update(bridge=params.get('bridge'), vni=vni, port=port, local=local,
                   remotes=sorted(remotes, key=ipaddress.ip_address), mtu=mtu)
    return desired, errors


# The marks that prove a link this module's: on its OVS interface, MARK=<the link's name>; on the
# kernel link itself (which may lose its port to a hand), the description (ifalias) ALIAS.
MARK = _marks.VXLAN
ALIAS = _marks.VXLAN_ALIAS


def observe(db, netlink, name):
    """{'link': link dict or None, 'remotes', 'bridge', 'external_ids' (the port's)}, or None when
    neither exists. Reads only."""
    link = netlink.link(name)
    port = db.port(name)
    if link is None and port is None:
        return None
    remotes = netlink.flood_list(link['index']) if link and link['kind'] == 'vxlan' else []
    if link is not None:
        link['master_name'], link['master_kind'] = netlink.master(link)
    return {'link': link, 'remotes': sorted(remotes, key=ipaddress.ip_address), 'bridge': port['bridge'] if port else None,
            'external_ids': port['external_ids'] if port else {}}


def marked(current, name):
    """Does the port carry the mark, or the link the module's description?"""
    return bool(current) and (current.get('external_ids', {}).get(MARK) == name
                              or (current.get('link') or {}).get('alias') == ALIAS)


def _describe(link):
    if link['kind'] != 'vxlan':
        return 'a %s link' % (link['kind'] or 'plain')
    vxlan = link.get('vxlan') or {}
    text = 'a VXLAN link with VNI %s, port %s%s' % (vxlan.get('vni'), vxlan.get('port'), ', learning on' if vxlan.get('learning') else '')
    if link.get('master_name'):
        text += ', enslaved to %s' % link['master_name']
    return text


def ownership_problems(current, desired):
    """What stands under the link's name but is not provably this module's. Ours: its OVS port
    carries the mark, or the link the module's description. Adopted (and marked): exactly the link asked for, on no other device and on
    no port that another tool marked. Anything else is refused, present or absent."""
    name = desired['name']
    if current is None or marked(current, name):
        return []
    link, ids = current['link'], current.get('external_ids') or {}
    if current['bridge'] is not None and ids:
        return ["OVS port %s on bridge %s is not this module's: its external_ids (%s) lack the mark %s=%s; choose "
                "another name, or remove that port if it is a leftover"
                % (name, current['bridge'], ', '.join('%s=%s' % kv for kv in sorted(ids.items())), MARK, name)]
    adoptable = (desired['state'] == 'present' and link is not None and _same_link(link, desired)
                 and link.get('master_kind') in (None, 'openvswitch'))
    if adoptable:
        return []
    if link is None:
        what = 'an OVS port without its mark %s=%s and without a device' % (MARK, name)
    else:
        what = _describe(link)
    return ["%s exists and is not one this module made: %s; choose another name, or remove it if it is a leftover"
            % (name, what)]


def view(name, state):
    """The flat dict shown in --diff and returned."""
    if state is None:
        return {'name': name, 'state': 'absent'}
    link = state.get('link') or {}
    vxlan = link.get('vxlan') or {}
    return {
        'name': name,
        'state': 'present',
        'bridge': state.get('bridge'),
        'kind': link.get('kind'),
        'vni': vxlan.get('vni'),
        'port': vxlan.get('port'),
        'local': vxlan.get('local'),
        'remotes': list(state.get('remotes') or []),
        'mtu': link.get('mtu'),
        'link_state': link.get('state'),
    }


def _same_link(link, desired):
    """Whether the existing link is the VXLAN link asked for (these cannot change in place)."""
    vxlan = link.get('vxlan') or {}
    return (link['kind'] == 'vxlan' and vxlan.get('vni') == desired['vni'] and vxlan.get('port') == desired['port']
            and not vxlan.get('learning') and (desired['local'] is None or vxlan.get('local') == desired['local']))


def plan(desired, current, facts=None):
    """Pure: (desired, current, facts: 'bridge_exists', whether the bridge asked for is in OVSDB; True
    when not given) -> Plan. Kinds (see
    _engine.Action):
      vxlan       [name]    new {'vni', 'port', 'local'} (and, to make one again as it was,
                            'remotes', 'mtu', 'state'): the link made; None: deleted
      flood       [remote]  'present' or None: the link floods to that host
      vxlan_link  [name]    {'mtu', 'state'} as far as they change
      port        [name]    the OVS port, as _ovsdb.PortRows runs it
    """
    name = desired['name']
    before = view(name, current)
    if desired['state'] == 'present' and not (facts or {}).get('bridge_exists', True):
        return Plan.refused(desired, current, before, [no_bridge(desired['bridge'])])
    problems = ownership_problems(current, desired)
    if problems:
        return Plan.refused(desired, current, before, problems)
    actions = []
    if desired['state'] == 'absent':
        if current and current['bridge']:
            actions.append(_port(name, None, current['bridge']))
        if current and current['link']:
            actions.append(_deletion(name, current))
        return Plan(desired, current, actions, before, view(name, None))

    link = current['link'] if current else None
    on_bridge = current['bridge'] if current else None
    after_link = dict(link or {'kind': 'vxlan', 'state': 'down', 'mtu': None})
    remotes = list(current['remotes']) if current else []
    made = link is None or not _same_link(link, desired)
    if made:
        if on_bridge:  # the port goes in a transaction of its own before the link is made again
            actions.append(_port(name, None, on_bridge))
            on_bridge = None
        if link is not None:
            actions.append(_deletion(name, current))
        actions.append(Action('vxlan', name, {'vni': desired['vni'], 'port': desired['port'], 'local': desired['local']}, None))
        after_link = {'kind': 'vxlan', 'state': 'down', 'mtu': None}
        remotes = []
    after_link['vxlan'] = {'vni': desired['vni'], 'port': desired['port'],
                           'local': desired['local'] or (link or {}).get('vxlan', {}).get('local'), 'learning': False}
    actions.extend(Action('flood', r, None, 'present') for r in remotes if r not in desired['remotes'])
    actions.extend(Action('flood', r, 'present', None) for r in desired['remotes'] if r not in remotes)
    attrs = {}
    if desired['mtu'] is not None and after_link.get('mtu') != desired['mtu']:
        attrs['mtu'] = desired['mtu']
    if after_link.get('state') != 'up':
        attrs['state'] = 'up'
    if attrs:
        # a link made in this run goes as a whole when undone
        old = NO_UNDO if made else dict((k, link[k]) for k in attrs)
        actions.append(Action('vxlan_link', name, attrs, old))
    after_link.update(attrs)
    if on_bridge != desired['bridge']:
        if on_bridge:
            actions.append(_port(name, None, on_bridge))
        actions.append(_port(name, desired['bridge'], None))
    elif (current.get('external_ids') or {}).get(MARK) != name:  # adopted, or its mark lost: marked again
        actions.append(Action('iface_ext', name, dict(current['external_ids'], **{MARK: name}), dict(current['external_ids'])))
    # (a new link's MTU, when none is asked for, is the kernel's: known once it exists)
    after = view(name, {'link': after_link, 'remotes': desired['remotes'], 'bridge': desired['bridge']})
    return Plan(desired, current, actions, before, after)


def _port(name, bridge, old_bridge):
    """The OVS port of the link onto ``bridge`` (None: off ``old_bridge``), with the mark."""
    return Action('port', name, _port_on(bridge, name), _port_on(old_bridge, name))


def _port_on(bridge, name):
    return {'bridge': bridge, 'tag': None, 'external_ids': {MARK: name}} if bridge else None


def _deletion(name, current):
    """The link's deletion; its undo makes it again as it was (a VXLAN link of ours only)."""
    link = current['link']
    vxlan = link.get('vxlan') or {}
    if link['kind'] != 'vxlan' or not vxlan:
        return Action('vxlan', name, None, NO_UNDO)
    return Action('vxlan', name, None, {'vni': vxlan['vni'], 'port': vxlan['port'], 'local': vxlan['local'],
                                        'remotes': list(current['remotes']), 'mtu': link['mtu'], 'state': link['state']})


class VxlanLink(Executor):
    """Executor of the VXLAN link in the kernel (kinds vxlan, flood, vxlan_link), a request each."""

    def __init__(self, netlink, name, db):
        self.netlink = netlink
        self.name = name
        self.db = db

    def _index(self):
        return self.netlink.index(self.name)

    def _vxlan(self, action):
        new = action.new
        if new is None:
            link = self.netlink.link(self.name)
            if link is not None:
                self.netlink.del_link(link['index'])
            return
        self.db.settle()  # see Ovsdb.settle: a port removed before this run's new link
        self.netlink.add_vxlan(self.name, new['vni'], new['port'], new['local'])
        for remote in new.get('remotes') or []:
            self.netlink.add_flood(self._index(), remote)
        attrs = dict((k, new[k]) for k in ('mtu', 'state') if new.get(k) is not None)
        self.netlink.set_link(self._index(), alias=ALIAS, **attrs)  # the link's own mark

    def _flood(self, action):
        (self.netlink.add_flood if action.new else self.netlink.del_flood)(self._index(), action.target)

    def _vxlan_link(self, action):
        self.netlink.set_link(self._index(), **action.new)

    RUNS = {'vxlan': _vxlan, 'flood': _flood, 'vxlan_link': _vxlan_link}

    def run(self, actions):
        self.runs(actions[0])(self, actions[0])


# -- the module (see _runner) ------------------------------------------------------------------

# Options of one VXLAN link: at the top level (one), or in each item of `vxlans`.
ITEM_OPTIONS = dict(
    name=dict(type='str', required=True),
    bridge=dict(type='str'),
    vni=dict(type='int'),
    remotes=dict(type='list', elements='str'),
    local=dict(type='str'),
    port=dict(type='int'),
    mtu=dict(type='int'),
    state=dict(type='str', choices=['present', 'absent']),
)
# What an item takes from the top level when it does not set it itself.
INHERITED = ('bridge', 'remotes', 'local', 'port', 'mtu', 'state')


def requested(params):
    """The links a task asks for, each with every option present."""
    if params.get('vxlans') is None:
        return [dict((k, params.get(k)) for k in ITEM_OPTIONS)]
    return list_items(params, 'vxlans', ITEM_OPTIONS, INHERITED)


def _phase(action):
    """The one order of a run's actions, for one link or many: ports off, the kernel links, ports
    on (so that every port of a run goes in one transaction each way)."""
    if action.kind == 'port' and action.new is None:
        return 0
    return 2 if action.kind in ('port', 'iface_ext') else 1


class OvsVxlan(_runner.Batch):
    argument_spec = dict(
        dict(ITEM_OPTIONS, name=dict(type='str'), remotes=dict(type='list', elements='str', default=[]),
             port=dict(type='int', default=4789),
             state=dict(type='str', choices=['present', 'absent'], default='present')),
        vxlans=dict(type='list', elements='dict', options=ITEM_OPTIONS),
        **OVSDB_ARGS
    )
    module_kwargs = dict(mutually_exclusive=[('name', 'vxlans')], required_one_of=[('name', 'vxlans')])
    one_key, list_key, noun = 'vxlan', 'vxlans', 'vxlan'

    def validate(self):
        return self.validate_named(requested(self.params), desired_state)

    def connect(self):
        require_pyroute2()
        self.db = _ovsdb.connect(self.params, TABLES)
        self.netlink = Netlink()

    def make_plans(self):
        plans = []
        for desired in self.desired:
            current = observe(self.db, self.netlink, desired['name'])
            bridge_exists = desired['state'] == 'absent' or self.db.find('Bridge', desired['bridge']) is not None
            plans.append(plan(desired, current, {'bridge_exists': bridge_exists}))
        return plans

    def steps(self):
        ports, steps = PortRows(self.db), []
        for link_plan in self.plans:
            link = VxlanLink(self.netlink, link_plan.desired['name'], self.db)
            steps.extend((ports if a.kind in PortRows.KINDS else link, a) for a in link_plan.actions)
        steps.sort(key=lambda step: _phase(step[1]))  # (stable: each link's own order kept within a phase)
        return steps

    def shown(self, plan, view):
        return dict(view, name=plan.desired['name']) if self.many else view

    def look(self, plan):
        return view(plan.desired['name'], observe(self.db, self.netlink, plan.desired['name']))
