# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One act shared by netns_veth and ovs_docker_port: one end of a veth pair in a network
namespace, configured there (addresses, MAC, MTU, gateways), the other end in the host, on an OVS
bridge or not.

Its parts: _attach_desired (what is asked, validated), here observe() (reads, never creates),
ownership and plan() (pure: a Plan), _attach_apply (the executors and the steps for the engine),
_attachments (the module part both modules share).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import json
import os

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import marks as _marks
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import validate as _validate
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.common import no_bridge
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.engine import NO_UNDO, Action, Plan
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains.attachment.desired import vlan_problems
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._system.netlink import (
    AF_INET, AF_INET6, Netlink, netns_identity, own_netns_identity, vlan_support)
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._system.ovsdb import PORT_EXTRAS, PORT_TABLES, PortRows

TABLES = PORT_TABLES


# -- observing (reads only) --------------------------------------------------------------------

def _paired(ns_link, host_link):
    return bool(ns_link and host_link and ns_link['kind'] == 'veth' and host_link['kind'] == 'veth'
                and ns_link['peer_index'] == host_link['index'] and host_link['peer_index'] == ns_link['index'])


def _netns_problem(path, where):
    """Why the namespace at ``path`` must not be worked in, or None: not a network namespace, or
    the host's own (the inside end would land among the host's interfaces)."""
    try:
        identity = netns_identity(path)
    except ValueError as exc:
        return '%s %s; give a network namespace (a name under /run/netns, or /proc/PID/ns/net)' % (where, exc)
    if identity == own_netns_identity():
        return ("%s is this host's own network namespace: an attachment there would put links among the "
                "host's own interfaces; give a namespace of its own (for a container: run it with "
                "--net=none or on a Docker network, not --net=host)" % where)
    return None


def _describe_foreign(host, current):
    """For messages only: where the peer of a link under our name inside the namespace is (a
    Docker veth's peer is on docker0, say). Reads only, and only when the pair is not ours as it is."""
    ns_link = current['ns_link']
    if ns_link is not None and ns_link['kind'] == 'veth' and ns_link['peer_index']:
        peer = host.link_by_index(ns_link['peer_index'])
        if peer and peer['kind'] == 'veth' and peer['peer_index'] == ns_link['index']:
            ns_link['peer_name'], ns_link['peer_master'] = peer['name'], host.master(peer)[0]


def _sub_interfaces(ns, link, desired, paired, addresses):
    """({name: link} of the VLAN sub-interfaces on our inside interface, {name: link} of other
    links under the names of the wanted ones). ``addresses``: the namespace's, by link index."""
    wanted = set(item['name'] for item in desired['vlans'])
    ours, foreign = {}, {}
    for other in ns.links():
        if paired and other['kind'] == 'vlan' and other['peer_index'] == link['index']:
            ours[other['name']] = other
        elif other['name'] in wanted:
            foreign[other['name']] = other
    for other in ours.values():
        other['addresses'] = _validate.managed(addresses.get(other['index'], []))
    return ours, foreign


# Devices the kernel puts in every namespace once their tunnel module is loaded: no one's workload.
FALLBACK_DEVICES = ('lo', 'tunl0', 'sit0', 'ip6tnl0', 'gre0', 'gretap0', 'erspan0', 'ip_vti0', 'ip6_vti0', 'ip6gre0')


def _others_in(links, desired):
    """The links of a namespace that neither this attachment nor the others its run removes from
    it made (``desired['namespace_ours']``), VLAN sub-interfaces of those aside: what keeps the
    namespace from being deleted."""
    ours = set(desired.get('namespace_ours') or ()) | set([desired['interface']])
    parents = set(link['index'] for link in links if link['name'] in ours)
    return sorted(link['name'] for link in links if link['name'] not in ours and link['name'] not in FALLBACK_DEVICES
                  and not (link['kind'] == 'vlan' and link['peer_index'] in parents))


def observe(desired, host, db, ns=None):
    """Current state of one attachment as plain data. ``host`` is the host's Netlink, ``ns``
    the namespace's (made here when None and the namespace exists). Never creates anything.
    For an absent attachment only what its removal needs is read: the links and the port."""
    current = {'netns_exists': bool(desired['netns_path']) and os.path.exists(desired['netns_path']),
               'ns_link': None, 'host_link': host.link(desired['host_interface']), 'port': None,
               'netns_problem': None}
    if current['netns_exists']:
        current['netns_problem'] = _netns_problem(desired['netns_path'], desired['where'])
        if current['netns_problem']:  # nothing in there is read, nor will be touched
            current['netns_exists'] = False
            ns = None
    if current['netns_exists'] and ns is None:
        ns = Netlink(desired['netns_path'])
        if desired['state'] == 'present':
            ns.prefetch()  # one dump for the links read below (the interface, lo, its sub-interfaces)
    if current['netns_exists']:
        current['ns_link'] = ns.link(desired['interface'])
        if desired['state'] == 'absent' and desired['delete_namespace']:
            current['netns_others'] = _others_in(ns.links(), desired)
    current['paired'] = _paired(current['ns_link'], current['host_link'])
    if current['netns_exists'] and desired['state'] == 'present':
        lo = ns.link('lo')
        current['lo_state'] = lo['state'] if lo else None
        gateways = ns.default_gateways()
        current['gateway'], current['gateway6'] = gateways[AF_INET], gateways[AF_INET6]
        link = current['ns_link']
        addresses = ns.all_addresses()  # one dump: the interface's and its sub-interfaces'
        if link is not None:
            link['addresses'] = _validate.managed(addresses.get(link['index'], []))
            if any(':' in a for a in desired['addresses'] or []):  # read only when IPv6 is asked for
                current['ipv6_disabled'] = ns.sysctl('ipv6/conf/%s/disable_ipv6' % desired['interface']) == '1'
        if desired.get('vlans') is not None:  # read only when sub-interfaces are asked for
            current['vlans'], current['vlan_foreign'] = _sub_interfaces(ns, link, desired, current['paired'], addresses)
            current['vlan_support'] = vlan_support()
    if db is not None:
        current['port'] = db.port(desired['host_interface'])
        current['bridge_exists'] = desired.get('bridge') is None or db.find('Bridge', desired['bridge']) is not None
    if current['host_link'] is not None:
        current['host_link']['master_name'], current['host_link']['master_kind'] = host.master(current['host_link'])
    if not current['paired'] and current['ns_link']:
        _describe_foreign(host, current)
    return current, ns


# -- what is shown (pure) ----------------------------------------------------------------------

def view(desired, current):
    """Flat dict for --diff and results: every property an attachment has. The attachment is
    absent when there is neither a pair nor an OVS port (its namespace may still exist)."""
    result = {
        'state': 'absent',
        'namespace': desired['namespace'],
        'namespace_exists': bool(current and current.get('netns_exists')),
        'interface': desired['interface'],
        'host_interface': desired['host_interface'],
    }
    if not current or not (current.get('paired') or current.get('port')):
        return result
    ns_link = current.get('ns_link') or {}
    host_link = current.get('host_link') or {}
    port = current.get('port') or {}
    result.update({
        'state': 'present',
        'bridge': port.get('bridge'),
        'vlan': port.get('tag'),
        'external_ids': port.get('external_ids', {}),
        'persistent': _marks.RECORD in port.get('external_ids', {}),
        'addresses': ns_link.get('addresses', []),
        'mac': ns_link.get('mac'),
        'mtu': ns_link.get('mtu'),
        'host_mtu': host_link.get('mtu'),
        'link_state': ns_link.get('state'),
        'host_link_state': host_link.get('state'),
        'gateway': current.get('gateway'),
        'gateway6': current.get('gateway6'),
    })
    # with a port, its columns beyond the tag (a port read before they were known: defaults)
    result.update((k, port.get(k, default) if port else None) for k, default in PORT_EXTRAS.items())
    if current.get('vlans') is not None:
        result['vlans'] = [dict(id=link['vlan_id'], name=name, addresses=link['addresses'], state=link['state'])
                           for name, link in sorted(current['vlans'].items(), key=lambda kv: kv[1]['vlan_id'])]
    return result


# -- ownership (pure) --------------------------------------------------------------------------
# A name is no proof. The pair is ours when its two ends are exactly the pair we would make
# (current['paired']); an OVS port is ours when its interface carries this attachment's marks
# (ovs-docker's container_id/container_iface, netns_veth's netns/netns_iface) or is the host end of
# our pair; a host link is ours with our pair, or as the device of a port with our marks (its
# inside end gone or moved: a restarted container). Anything else under our names is refused.

def marked(port, desired):
    """Does the OVS port carry this attachment's marks?"""
    marks = desired['marks']
    return bool(port and marks) and all(port['external_ids'].get(k) == v for k, v in marks.items())


def _next_name(name):
    """A name to suggest instead of ``name``: eth0 -> eth1, veth -> veth1."""
    stem = name.rstrip('0123456789')
    return '%s%d' % (stem, int(name[len(stem):]) + 1) if stem != name else name + '1'


def _foreign_host_link(link, desired):
    name = desired['host_interface']
    if link['kind'] != 'veth':
        return ("host_interface %s already exists and is a %s, not a veth: this module did not make it; "
                "choose another name" % (name, link['kind'] or 'device'))
    where = 'in another namespace' if link['peer_elsewhere'] else 'in the host'
    master = ', on %s' % link['master_name'] if link.get('master_name') else ''
    return ("host_interface %s already exists: a veth this module did not make (its peer is %s%s, and no OVS "
            "port of that name carries this attachment's marks %s); choose another host_interface, or "
            "delete %s if it is a leftover" % (name, where, master, _marks_text(desired), name))


def _foreign_ns_link(link, desired):
    name, where = desired['interface'], desired['where']
    if link['kind'] != 'veth':
        return ("interface %s already exists in %s and is a %s, not a veth: this module did not make it; "
                "choose another interface name, for example %s" % (name, where, link['kind'] or 'device', _next_name(name)))
    if link.get('peer_master'):
        master = link['peer_master']
        whose = " (Docker's network)" if _dockers(master) else ''
        peer = 'peer %s is on %s%s' % (link['peer_name'], master, whose)
    elif link.get('peer_name'):
        peer = 'peer %s is in the host' % link['peer_name']
    else:
        peer = 'peer is in another namespace'
    return ("interface %s in %s is not one this module made: a veth whose %s; choose another interface "
            "name, for example %s" % (name, where, peer, _next_name(name)))


def _dockers(bridge):
    """Docker's bridges: docker0 and the br-<network id> of user-defined networks (for messages)."""
    return bridge.startswith(('docker', 'br-'))


def _marks_text(desired):
    return ', '.join('%s=%s' % kv for kv in sorted(desired['marks'].items())) or '(none)'


def ownership_problems(current, desired):
    """What stands under this attachment's names but is not provably ours: each a message that
    names it and the fix. The plan refuses (nothing is changed) when there is any."""
    port, host_link, ns_link = current['port'], current['host_link'], current['ns_link']
    if host_link is not None and host_link.get('master_kind') not in (None, 'openvswitch'):
        # on a Linux bridge (docker0, say): another network's port, whatever its peer is
        return ["host_interface %s is on %s, a %s that is not Open vSwitch%s: this module did not make it; choose "
                "another host_interface" % (desired['host_interface'], host_link['master_name'], host_link['master_kind'],
                                            " (Docker's network)" if _dockers(host_link['master_name']) else '')]
    if current['paired']:
        return []  # exactly our pair; its port, marked or not, is adopted
    problems = []
    if port is not None and not marked(port, desired):
        ids = ', '.join('%s=%s' % kv for kv in sorted(port['external_ids'].items())) or 'none'
        problems.append("OVS port %s on bridge %s is not this attachment's: its external_ids (%s) lack the marks "
                        "%s and it is not the host end of %s in %s; choose another host_interface, or remove "
                        "that port if it is a leftover" % (desired['host_interface'], port['bridge'], ids,
                                                           _marks_text(desired), desired['interface'], desired['where']))
    if host_link is not None and (host_link['kind'] != 'veth' or not marked(port, desired)):
        problems.append(_foreign_host_link(host_link, desired))
    if ns_link is not None:
        problems.append(_foreign_ns_link(ns_link, desired))
    return problems


# -- the plan (pure) ---------------------------------------------------------------------------
# The kinds of an attachment's actions are listed in _attach_apply, beside what runs each.

def record(external_ids, desired):
    """A persistent attachment's record, in its port's external_ids (RECORD: the request as JSON),
    as this run leaves it: made or updated with what the task gives (persistent true), updated
    while it is there (persistent not given: the record follows the attachment), removed
    (persistent false). What the task leaves out stays as the record had it, as on the port."""
    had = external_ids.get(_marks.RECORD)
    if desired['persistent'] is False:
        external_ids.pop(_marks.RECORD, None)
    elif desired['persistent'] or had is not None:
        try:
            old = json.loads(had) if had else {}
        except ValueError:
            old = {}  # (not ours to read: made again from this request)
        merged = dict(old if isinstance(old, dict) else {}, **desired['request'])
        external_ids[_marks.RECORD] = json.dumps(merged, sort_keys=True, separators=(',', ':'))


def _port_value(port):
    value = {'bridge': port['bridge'], 'tag': port['tag'], 'external_ids': port['external_ids']}
    value.update((k, port[k]) for k, default in PORT_EXTRAS.items() if port.get(k, default) != default)
    return value


def _port_deletion(current, desired):
    """The OVS port's deletion; a port whose bridge is unknown is not put back by an undo."""
    port = current['port']
    return Action('port', desired['host_interface'], None, _port_value(port) if port['bridge'] else NO_UNDO)


def phase(action):
    """The one ordering rule, for one attachment's actions and for a batch's steps alike: stale
    ports out first (a transaction of their own: ovs-vswitchd keeps its handle on the old device
    when a port of the same name is deleted and added in one), then the links, then the ports in
    (a batch: one transaction each way)."""
    if action.kind == 'port' and action.new is None:
        return 0
    return 2 if action.kind in PortRows.KINDS else 1


def plan(desired, current, facts=None):
    """Pure: (desired, current, facts: none are needed, observe reads all into current) -> Plan. Problems
    are reasons the plan cannot be carried out (found only once the system was looked at); no
    action is run then."""
    actions = []
    before = view(desired, current)
    if current.get('netns_problem'):
        return Plan.refused(desired, current, before, [current['netns_problem']])
    problems = ownership_problems(current, desired)
    if desired['state'] == 'absent':
        if current['port']:
            actions.append(_port_deletion(current, desired))
        if current['host_link']:  # ours (else a problem above); its peer goes with it
            actions.append(Action('veth', desired['host_interface'], None, NO_UNDO))
        others = current.get('netns_others')
        delete = desired['delete_namespace'] and current['netns_exists'] and not others
        if delete:
            actions.append(Action('netns', desired['namespace'], None, NO_UNDO))
        after = view(desired, {'netns_exists': current['netns_exists'] and not delete})
        if desired['delete_namespace'] and others:
            after['namespace_kept'] = ("namespace %s is kept: it holds %s, which this run did not make; only the "
                                       "attachment's own links are removed" % (desired['namespace'], ', '.join(others)))
        return Plan(desired, current, sorted(actions, key=phase), before, after, problems)

    fresh = not current['paired']
    if not current['netns_exists']:
        if not desired['named']:
            problems.append("namespace %s does not exist (is the process gone?)" % desired['namespace'])
        elif not desired['create_namespace']:
            problems.append("namespace %s does not exist and create_namespace is false" % desired['namespace'])
        else:
            actions.append(Action('netns', desired['namespace'], True, None))
    ns_link, host_link = dict(current['ns_link'] or {}), dict(current['host_link'] or {})
    state = dict(current, ipv6_disabled=current.get('ipv6_disabled', False))
    if fresh:
        if current['host_link'] is not None:  # ours by its port's marks (else a problem above), its peer
            actions.append(Action('veth', desired['host_interface'], None, NO_UNDO))  # gone or moved: made again
        actions.append(Action('veth', desired['host_interface'], {'peer': desired['interface']}, None))
        ns_link = {'state': 'down', 'mtu': 1500, 'mac': None, 'addresses': []}
        host_link = {'state': 'down', 'mtu': 1500}
        # A new link: its IPv6 switch follows the namespace default, which may be off (Docker
        # turns it off in containers); switching it on is harmless, so do it whenever IPv6 is asked for.
        state.update(lo_state=state.get('lo_state') if current['netns_exists'] else 'down', ipv6_disabled=True)
    # per side: MTU, MAC, state (consecutive, so that each side's changes are one request)
    want_mac = desired['new_mac'] if fresh else desired['mac']
    for side, link in (('host', host_link), ('ns', ns_link)):
        if desired['mtu'] is not None and link['mtu'] != desired['mtu']:
            actions.append(Action('mtu', side, desired['mtu'], link['mtu']))
            link['mtu'] = desired['mtu']
        if side == 'ns' and want_mac is not None and ns_link['mac'] != want_mac:
            # a new pair's MAC is the kernel's: not kept, the pair goes as a whole when undone
            actions.append(Action('mac', 'ns', want_mac, NO_UNDO if fresh else ns_link['mac']))
            ns_link['mac'] = want_mac
        if link['state'] != 'up':
            actions.append(Action('link_state', side, 'up', link['state']))
            link['state'] = 'up'
    if state.get('lo_state') != 'up':
        actions.append(Action('link_state', 'lo', 'up', state.get('lo_state') or 'down'))
    wants_v6 = any(':' in a for a in desired['addresses'] or [])
    if wants_v6 and state['ipv6_disabled']:
        actions.append(Action('ipv6', 'ns', 'enable', 'disable'))
    if desired['addresses'] is not None:
        if not desired.get('keep_others'):
            actions.extend(Action('addr', a, None, 'present') for a in ns_link['addresses'] if a not in desired['addresses'])
        actions.extend(Action('addr', a, 'present', None) for a in desired['addresses'] if a not in ns_link['addresses'])
        ns_link['addresses'] = (list(ns_link['addresses']) + [a for a in desired['addresses'] if a not in ns_link['addresses']]
                                if desired.get('keep_others') else desired['addresses'])
    removed = [a.target for a in actions if a.kind == 'addr' and a.new is None]
    for key, family in (('gateway', AF_INET), ('gateway6', AF_INET6)):
        want = state.get(key) if desired[key] is None else (desired[key] or None)
        # Removing an address takes the routes through its subnet with it, the default route
        # included: a gateway that should stay is set again after the address changes.
        lost = want and any((':' in a) == (family == AF_INET6) for a in removed) and (
            desired['onlink'] or _in_subnets(want, ns_link['addresses']))
        if want != state.get(key) or lost:
            actions.append(Action('route', family, (want, desired['onlink']), (state.get(key), desired['onlink'])))
            state[key] = want

    vlans = _plan_sub_interfaces(current, desired, fresh, actions, problems)
    port = dict(current['port'] or {})
    if desired['bridge'] is not None and not current.get('bridge_exists', True) and not desired.get('bridge_planned'):
        problems.append(no_bridge(desired['bridge']))
    if desired['bridge'] is not None:
        external_ids = dict(port.get('external_ids') or {})
        for key, value in desired['external_ids'].items():
            if value is None:
                external_ids.pop(key, None)
            else:
                external_ids[key] = value
        record(external_ids, desired)
        tag = None if desired['clear_vlan'] else desired['vlan'] if desired['vlan'] is not None else port.get('tag')
        # trunks, vlan_mode, policing: as asked, else as they are (a new port: OVS's defaults)
        extras = dict((key, desired[key] if desired.get(key) is not None else port.get(key, default))
                      for key, default in PORT_EXTRAS.items())
        problems.extend(vlan_problems(tag, extras['trunks'], extras['vlan_mode']))
        if not current['port'] or port['bridge'] != desired['bridge'] or fresh:
            # new, on another bridge, or its veth was replaced: a new port row (ovs-vswitchd
            # then opens the new device)
            if current['port']:
                actions.append(_port_deletion(current, desired))
            value = {'bridge': desired['bridge'], 'tag': tag, 'external_ids': external_ids}
            value.update((k, v) for k, v in extras.items() if v != PORT_EXTRAS[k])
            actions.append(Action('port', desired['host_interface'], value, None))
        else:
            if tag != port['tag']:
                actions.append(Action('port_tag', desired['host_interface'], tag, port['tag']))
            changed = dict((k, v) for k, v in extras.items() if v != port.get(k, PORT_EXTRAS[k]))
            if port.get('qos_foreign') and ('egress_rate' in changed or 'egress_burst' in changed):
                problems.append("OVS port %s has a QoS this module did not make (%s): an egress limit would replace "
                                "it; remove it first (ovs-vsctl clear port %s qos), or leave out egress_rate and "
                                "egress_burst" % (desired['host_interface'], port['qos_foreign'], desired['host_interface']))
            if changed:
                actions.append(Action('port_set', desired['host_interface'], changed,
                                      dict((k, port.get(k, PORT_EXTRAS[k])) for k in changed)))
            if external_ids != port['external_ids']:
                actions.append(Action('iface_ext', desired['host_interface'], external_ids, port['external_ids']))
        port.update(extras, bridge=desired['bridge'], external_ids=external_ids, tag=tag)
    after_state = dict(state, ns_link=ns_link, host_link=host_link, port=port or None, paired=True, netns_exists=True,
                       vlans=vlans)
    return Plan(desired, current, sorted(actions, key=phase), before, view(desired, after_state), problems)


def _plan_sub_interfaces(current, desired, fresh, actions, problems):
    """The VLAN sub-interfaces' actions (appended); returns them as they will be ({name: link}),
    or None when the task does not ask for any. ``desired['vlans']`` is the whole list: other
    sub-interfaces on our interface go; links of other kinds under the wanted names are refused."""
    if desired['vlans'] is None:
        return None
    for name, link in sorted((current.get('vlan_foreign') or {}).items()):
        problems.append("interface %s already exists in %s and is %s, not a VLAN sub-interface of %s: this module "
                        "did not make it; give the vlans item another name" % (
                            name, desired['where'], 'a %s' % link['kind'] if link['kind'] else 'a device', desired['interface']))
    have = {} if fresh else dict(current.get('vlans') or {})
    wanted = dict((item['name'], item) for item in desired['vlans'])
    for name, link in sorted(have.items()):
        if name not in wanted or wanted[name]['id'] != link['vlan_id']:
            actions.append(Action('vlan_if', name, None, {'id': link['vlan_id'], 'addresses': link['addresses']}))
    after, unsupported = {}, not current.get('vlan_support', True)
    for item in desired['vlans']:
        name, link = item['name'], have.get(item['name'])
        if link is None or link['vlan_id'] != item['id']:
            if unsupported:
                problems.append("vlans: this kernel cannot make VLAN sub-interfaces (no 802.1Q support: no "
                                "/proc/net/vlan and no 8021q module for %s): load or install it (modprobe 8021q), or "
                                "leave out vlans and handle the tags inside" % os.uname().release)
                unsupported = False  # said once
            actions.append(Action('vlan_if', name, {'id': item['id'], 'addresses': item['addresses'] or []}, None))
            after[name] = {'vlan_id': item['id'], 'addresses': item['addresses'] or [], 'state': 'up'}
            continue
        if link['state'] != 'up':
            actions.append(Action('vlan_state', name, 'up', link['state']))
        addresses = link['addresses'] if item['addresses'] is None else item['addresses']
        actions.extend(Action('vlan_addr', (name, a), None, 'present') for a in link['addresses'] if a not in addresses)
        actions.extend(Action('vlan_addr', (name, a), 'present', None) for a in addresses if a not in link['addresses'])
        after[name] = {'vlan_id': item['id'], 'addresses': addresses, 'state': 'up'}
    return after


def _in_subnets(address, cidrs):
    ip = ipaddress.ip_address(address)
    return any(ip in ipaddress.ip_interface(c).network for c in cidrs if ipaddress.ip_interface(c).version == ip.version)
