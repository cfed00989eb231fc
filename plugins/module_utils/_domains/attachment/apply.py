# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Carrying out attachments' plans (see _attach): the executors of their actions and the
engine's steps for one or many of them."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.engine import Executor, JoinedExecutor
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains.attachment.plan import phase
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._system.netlink import Netlink, create_netns, remove_netns
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._system.ovsdb import PortRows


# -- executors (see _engine) -------------------------------------------------------------------

class HostLinks(JoinedExecutor):
    """Executor of veth deletions by their host end (kind veth, new None), as the plans of many
    attachments emit them: consecutive ones are one kernel operation (a link group)."""

    def __init__(self, host):
        self.host = host

    def run(self, actions):
        if len(actions) > 1:
            self.host.prefetch()
        indices = [link['index'] for link in (self.host.link(a.target) for a in actions) if link is not None]
        if len(indices) == 1:
            self.host.del_link(indices[0])
        elif indices:
            self.host.del_links(indices)


class AttachmentLinks(Executor):
    """Executor of one attachment's netlink actions: its namespace, its veth pair, the pair's ends
    ('host', 'ns') and the namespace's 'lo'; each kind runs as RUNS says. ``ns``: the namespace's
    Netlink, if observe made one."""

    def __init__(self, desired, host, ns=None, db=None):
        self.desired = desired
        self.host = host
        self.ns = ns
        self.db = db
        self._indices = {}

    @staticmethod
    def joins(previous, action):
        return action.kind in LINK_ATTRS and previous.kind in LINK_ATTRS and previous.target == action.target

    def run(self, actions):
        if len(actions) > 1:  # link attributes of one end (see joins): one request
            first = actions[0]
            self.side(first.target).set_link(self.index(first.target), **dict((LINK_ATTRS[a.kind], a.new) for a in actions))
        else:
            self.runs(actions[0])(self, actions[0])

    def side(self, target):
        """The Netlink of 'host', or of the namespace (opened when first needed)."""
        if target == 'host':
            return self.host
        if self.ns is None:
            self.ns = Netlink(self.desired['netns_path'])
        return self.ns

    def index(self, target):
        """The index of 'host', 'ns' or 'lo', looked up once (a new pair or namespace clears them)."""
        if target not in self._indices:
            name = {'host': self.desired['host_interface'], 'ns': self.desired['interface'], 'lo': 'lo'}[target]
            self._indices[target] = self.side(target).index(name)
        return self._indices[target]

    def forget(self):
        """A new namespace or pair: what was looked up is no longer true."""
        self._indices = {}


def _netns(links, action):
    links.forget()
    if links.ns is not None:
        links.ns.close()
        links.ns = None
    if action.new:
        create_netns(action.target)
    else:
        remove_netns(action.target)


def _veth(links, action):
    links.forget()
    if action.new is not None:
        if links.db is not None:
            links.db.settle()  # see Ovsdb.settle: a port removed before this run's new pair
        links.host.add_veth(action.target, action.new['peer'], links.desired['netns_path'])
        return
    link = links.host.link(action.target)
    if link is not None:
        links.host.del_link(link['index'])


def _ipv6(links, action):
    links.side('ns').sysctl('ipv6/conf/%s/disable_ipv6' % links.desired['interface'], 0 if action.new == 'enable' else 1)


def _addr(links, action):
    ns = links.side('ns')
    (ns.add_address if action.new else ns.del_address)(links.index('ns'), action.target)


def _sub_address(links, name, cidr):
    ns = links.side('ns')
    if ':' in cidr:  # a new link's IPv6 switch follows the namespace default (off in Docker's containers)
        ns.sysctl('ipv6/conf/%s/disable_ipv6' % name, 0)
    ns.add_address(ns.index(name), cidr)  # looked up each time: sub-interfaces come and go in a run


def _vlan_if(links, action):
    ns = links.side('ns')
    if action.new is None:
        link = ns.link(action.target)
        if link is not None:
            ns.del_link(link['index'])
        return
    ns.add_vlan(action.target, links.index('ns'), action.new['id'])
    for cidr in action.new['addresses']:
        _sub_address(links, action.target, cidr)


def _vlan_addr(links, action):
    name, cidr = action.target
    if action.new:
        _sub_address(links, name, cidr)
    else:
        ns = links.side('ns')
        ns.del_address(ns.index(name), cidr)


def _vlan_state(links, action):
    ns = links.side('ns')
    ns.set_link(ns.index(action.target), state=action.new)


def _route(links, action):
    gateway, onlink = action.new
    if gateway:
        links.side('ns').set_default_route(action.target, gateway, links.index('ns'), onlink=onlink)
    else:
        links.side('ns').del_default_route(action.target)


# The kinds of an attachment's actions (see _engine.Action; _attach.plan makes them), target in
# brackets, and what runs each:
#   netns       [namespace name]     new True: it exists; None: deleted
#   veth        [host interface]     new {'peer': interface}: the pair made; None: deleted by its host
#                                    end (in a batch: HostLinks, one kernel operation for all)
#   mtu, mac, link_state  ['host', 'ns' or 'lo']  link attributes; consecutive ones of a link: one request
#   ipv6        ['ns']               'enable' or 'disable' (the inside interface's IPv6 switch)
#   addr        [CIDR]               'present', or None (on the inside interface)
#   route       [address family]     (gateway or None, onlink): the default route inside
#   vlan_if     [sub-interface name] new {'id', 'addresses'}: made (up, with them) on the inside interface
#   vlan_addr   [(name, CIDR)]       'present', or None (on a sub-interface)
#   vlan_state  [name]               'up' (from 'down')
#   port, port_tag, port_set, iface_ext  the OVS port: _ovsdb.PortRows runs them
LINK_ATTRS = {'mtu': 'mtu', 'mac': 'address', 'link_state': 'state'}  # -> pyroute2's names


def _link_attr(links, action):
    links.side(action.target).set_link(links.index(action.target), **{LINK_ATTRS[action.kind]: action.new})


AttachmentLinks.RUNS = dict({'netns': _netns, 'veth': _veth, 'ipv6': _ipv6, 'addr': _addr, 'route': _route,
                             'vlan_if': _vlan_if, 'vlan_addr': _vlan_addr, 'vlan_state': _vlan_state},
                            **dict.fromkeys(LINK_ATTRS, _link_attr))


def schedule(plans, db, host):
    """The engine's steps for the Plans of one or many attachments, in the one order (_attach.phase):
    OVSDB actions to one PortRows (consecutive ones: one transaction), deletions of pairs to one
    HostLinks (consecutive ones: one kernel operation), the rest to each attachment's
    AttachmentLinks."""
    ports, host_links = PortRows(db), HostLinks(host)
    result = []
    for plan in plans:
        links = AttachmentLinks(plan.desired, host, plan.handle, db)
        for action in plan.actions:
            if action.kind in PortRows.KINDS:
                result.append((ports, action))
            elif action.kind == 'veth' and action.new is None:
                result.append((host_links, action))
            else:
                result.append((links, action))
    result.sort(key=lambda step: phase(step[1]))
    return result
