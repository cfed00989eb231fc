# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ovs_vxlan: a kernel VXLAN link on an OVS bridge, flooding to a list of remote hosts.

A kernel link rather than an OVS tunnel port: it works the same on the kernel and the userspace
datapath (OVS's own tunnels on the userspace datapath need the underlay on an OVS bridge too).
Desired state -> read-only observe -> pure plan -> apply with undo, as the other modules.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

from ansible_collections.netdevops.ovs_docker.plugins.module_utils import _attach, _validate
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._common import ApplyError

TABLES = _attach.TABLES
VNI_MAX = (1 << 24) - 1
MTU_MIN, MTU_MAX = 68, 65535


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
    if vni is None or not 1 <= vni <= VNI_MAX:
        errors.append('vni %s is out of range: give 1 to %d' % (vni, VNI_MAX))
    port = params.get('port', 4789)
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
    if mtu is not None and not MTU_MIN <= mtu <= MTU_MAX:
        errors.append('mtu %s is out of range: give %d to %d' % (mtu, MTU_MIN, MTU_MAX))
    desired.update(bridge=params.get('bridge'), vni=vni, port=port, local=local,
                   remotes=sorted(remotes, key=ipaddress.ip_address), mtu=mtu)
    return desired, errors


def observe(db, netlink, name):
    """{'link': link dict or None, 'remotes', 'bridge'}, or None when neither exists. Reads only."""
    link = netlink.link(name)
    port = _attach.find_port(db, name)
    if link is None and port is None:
        return None
    remotes = netlink.flood_list(link['index']) if link and link['kind'] == 'vxlan' else []
    return {'link': link, 'remotes': sorted(remotes, key=ipaddress.ip_address), 'bridge': port['bridge'] if port else None}


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


def plan(current, desired):
    """Pure: (current, desired) -> (actions, before, after). Actions run in order."""
    name = desired['name']
    before = view(name, current)
    actions = []
    if desired['state'] == 'absent':
        if current and current['bridge']:
            actions.append(('port_del', current['bridge']))
        if current and current['link']:
            actions.append(('link_del',))
        return actions, before, view(name, None)

    link = current['link'] if current else None
    on_bridge = current['bridge'] if current else None
    after_link = dict(link or {'kind': 'vxlan', 'state': 'down', 'mtu': None})
    remotes = list(current['remotes']) if current else []
    if link is None or not _same_link(link, desired):
        if on_bridge:  # the port goes in a transaction of its own before the link is made again
            actions.append(('port_del', on_bridge))
            on_bridge = None
        if link is not None:
            actions.append(('link_del',))
        actions.append(('link_add', desired['vni'], desired['port'], desired['local']))
        after_link = {'kind': 'vxlan', 'state': 'down', 'mtu': None}
        remotes = []
    after_link['vxlan'] = {'vni': desired['vni'], 'port': desired['port'],
                           'local': desired['local'] or (link or {}).get('vxlan', {}).get('local'), 'learning': False}
    actions.extend(('flood_del', r) for r in remotes if r not in desired['remotes'])
    actions.extend(('flood_add', r) for r in desired['remotes'] if r not in remotes)
    attrs = {}
    if desired['mtu'] is not None and after_link.get('mtu') != desired['mtu']:
        attrs['mtu'] = desired['mtu']
    if after_link.get('state') != 'up':
        attrs['state'] = 'up'
    if attrs:
        actions.append(('link_set', attrs))
    after_link.update(attrs)
    if on_bridge != desired['bridge']:
        if on_bridge:
            actions.append(('port_del', on_bridge))
        actions.append(('port_add', desired['bridge']))
    after = view(name, {'link': after_link, 'remotes': desired['remotes'], 'bridge': desired['bridge']})
    if after['mtu'] is None:
        after['mtu'] = 'kernel default'  # the kernel picks it when the link is made
    return actions, before, after


def undo_actions(action, current):
    """What takes ``action`` back, given the state before the run (a list, newest last)."""
    kind = action[0]
    if kind == 'link_add':
        return [('link_del',)]
    if kind == 'flood_add':
        return [('flood_del', action[1])]
    if kind == 'flood_del':
        return [('flood_add', action[1])]
    if kind == 'port_add':
        return [('port_del', action[1])]
    if kind == 'port_del':
        return [('port_add', action[1])]
    if kind == 'link_set':
        link = (current or {}).get('link')
        if not link:
            return []  # a link this run made: taking back link_add deletes it
        return [('link_set', dict((k, link[k]) for k in action[1]))]
    if kind == 'link_del':  # made again as it was
        link = current['link']
        vxlan = link.get('vxlan') or {}
        if link['kind'] != 'vxlan' or not vxlan:
            return []
        return ([('link_add', vxlan['vni'], vxlan['port'], vxlan['local'])]
                + [('flood_add', r) for r in current['remotes']]
                + [('link_set', {'mtu': link['mtu'], 'state': link['state']})])
    return []


class Applier(object):
    """Runs a plan; a failure takes back, newest first, what this run did."""

    def __init__(self, db, netlink, name):
        self.db = db
        self.netlink = netlink
        self.name = name

    def _index(self):
        link = self.netlink.link(self.name)
        if link is None:
            raise RuntimeError('link %s is gone' % self.name)
        return link['index']

    def run(self, action):
        kind = action[0]
        if kind == 'link_add':
            self.netlink.add_vxlan(self.name, action[1], action[2], action[3])
        elif kind == 'link_del':
            link = self.netlink.link(self.name)
            if link is not None:
                self.netlink.del_link(link['index'])
        elif kind == 'flood_add':
            self.netlink.add_flood(self._index(), action[1])
        elif kind == 'flood_del':
            self.netlink.del_flood(self._index(), action[1])
        elif kind == 'link_set':
            self.netlink.set_link(self._index(), **action[1])
        elif kind in ('port_add', 'port_del'):
            self._port(kind, action[1])

    def _port(self, kind, bridge_name):
        def build(txn):
            if kind == 'port_add':
                self.db.insert_port(txn, bridge_name, self.name)
            else:
                self.db.delete_port(self.name)
        self.db.transact(build, '%s %s on %s' % (kind.replace('_', ' '), self.name, bridge_name))

    def apply(self, actions, current):
        done = []
        try:
            for action in actions:
                self.run(action)
                done.append(action)
        except Exception as exc:
            errors = []
            for action in reversed(done):
                for undo in undo_actions(action, current):
                    try:
                        self.run(undo)
                    except Exception as undo_exc:  # keep undoing what can be undone
                        errors.append('%s: %s' % (undo[0], undo_exc))
            raise ApplyError(str(exc), errors)
