# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An attachment's desired state (the act netns_veth and ovs_docker_port share; see _attach):
what the task asks, validated and made canonical before anything is looked at."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import ipaddress
import re

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import validate as _validate
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.common import LIMITS, VLAN_MODES
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._system.netlink import netns_path

VLAN_MIN, VLAN_MAX = 1, 4094
TRUNK_MIN, TRUNK_MAX = 0, 4095  # OVS's Port.trunks (VLAN 0 and 4095 included, as OVSDB allows)
LIMIT_MAX = 4294967295  # kbit/s, kbit: ovs-vswitchd's policing integers are 32-bit (egress: kept alike)
_MAC = re.compile(r'^[0-9a-f]{2}([:-][0-9a-f]{2}){5}$')
_NETNS_NAME = re.compile(r'^[A-Za-z0-9_.-]{1,64}$')


def default_host_interface(namespace, interface):
    """A stable host-side name when none is given: the same attachment gets the same name."""
    digest = hashlib.sha1(('%s/%s' % (namespace, interface)).encode('utf-8')).hexdigest()
    return 'veth%s' % digest[:11]


def stable_mac(seed):
    """A locally administered unicast MAC derived from ``seed``: a pair made again for the same
    attachment (a restarted container, a repaired drift) keeps its MAC, so the neighbours' ARP
    caches stay right and the first packets after a repair are not lost."""
    digest = bytearray(hashlib.sha1(seed.encode('utf-8')).digest()[:6])
    digest[0] = (digest[0] & 0xfc) | 0x02
    return ':'.join('%02x' % b for b in digest)


def parse_mac(value, what='mac'):
    text = str(value).strip().lower()
    if not _MAC.match(text):
        return None, "%s %r is not a MAC address: write six hex pairs, e.g. 02:42:ac:11:00:02" % (what, value)
    text = text.replace('-', ':')
    if int(text[:2], 16) & 1:
        return None, ("%s %s is a multicast address (lowest bit of the first octet set): an interface needs "
                      "a unicast MAC, e.g. 02:%s" % (what, text, text[3:]))
    if text == '00:00:00:00:00:00':
        return None, "%s 00:00:00:00:00:00 cannot be an interface address" % what
    return text, None


def _gateway(value, family, addresses, onlink, what):
    """'' -> '' (no default route); an address in one of the subnets (or on-link) -> canonical."""
    if value is None or value == '':
        return value, None
    try:
        gateway = ipaddress.ip_address(str(value).strip())
    except ValueError:
        return None, "%s %r is not an IPv%d address" % (what, value, family)
    if gateway.version != family:
        return None, "%s %s is not an IPv%d address (use %s)" % (
            what, gateway, family, 'gateway6' if family == 4 else 'gateway')
    if onlink:
        return str(gateway), None
    ifaces = [ipaddress.ip_interface(a) for a in addresses or []]
    if any(gateway == i.ip for i in ifaces):
        return None, "%s %s is this interface's own address: give the router's address" % (what, gateway)
    if not any(i.version == family and gateway in i.network for i in ifaces):
        return None, ("%s %s is in none of the interface's IPv%d subnets (%s): add an address in its subnet, "
                      "or set gateway_onlink: true if the router is reachable on the link anyway"
                      % (what, gateway, family, ', '.join(a for a in addresses or [] if ipaddress.ip_interface(a).version == family) or 'none given'))
    return str(gateway), None


def parse_trunks(values):
    """[10, '20', '100-110'] -> (sorted unique VLAN IDs, [errors])."""
    found, errors = set(), []
    for value in values:
        text = str(value).strip()
        low, sep, high = text.partition('-')
        try:
            first, last = int(low), int(high if sep else low)
        except ValueError:
            errors.append("trunks: %r is neither a VLAN ID nor a range such as 100-110" % (value,))
            continue
        if not (TRUNK_MIN <= first <= TRUNK_MAX and TRUNK_MIN <= last <= TRUNK_MAX):
            errors.append("trunks: %s is out of range: VLAN IDs are %d to %d" % (text, TRUNK_MIN, TRUNK_MAX))
        elif first > last:
            errors.append("trunks: range %s runs backwards: write %d-%d" % (text, last, first))
        else:
            found.update(range(first, last + 1))
    return sorted(found), errors


def vlan_problems(tag, trunks, mode):
    """What is contradictory in a port's tag, trunks and vlan_mode (OVS would take it, but not as
    meant): each a message with the fix."""
    if mode == 'access' and trunks:
        return ["vlan_mode access carries only its vlan: trunks %s need vlan_mode trunk, native-tagged or "
                "native-untagged" % _ranges(trunks)]
    if mode == 'trunk' and tag is not None:
        return ["vlan_mode trunk takes no vlan (OVS keeps a trunk port's tag empty): drop vlan, or use vlan_mode "
                "native-untagged or native-tagged to carry VLAN %s as the native one" % tag]
    if mode in ('native-tagged', 'native-untagged') and tag is None:
        return ["vlan_mode %s needs vlan: the native VLAN (the one untagged frames belong to)" % mode]
    if mode is None and tag is not None and trunks:
        return ["trunks %s on a port with vlan %s and no vlan_mode: OVS makes that an access port of VLAN %s and "
                "ignores trunks; set vlan_mode native-untagged (or native-tagged), or vlan: 0 for a plain trunk"
                % (_ranges(trunks), tag, tag)]
    return []


def _ranges(ids):
    """[10, 11, 12, 20] -> '10-12,20' (for messages and pictures)."""
    parts = []
    for vid in ids:
        if parts and parts[-1][1] == vid - 1:
            parts[-1][1] = vid
        else:
            parts.append([vid, vid])
    return ','.join('%d' % a if a == b else '%d-%d' % (a, b) for a, b in parts)


def parse_vlans(values, interface):
    """The VLAN sub-interfaces asked for inside the namespace -> ([{'id', 'name', 'addresses'}], [errors])."""
    result, errors = [], []
    for entry in values:
        entry = entry if isinstance(entry, dict) else {'id': entry}
        try:
            vid = int(entry.get('id'))
        except (TypeError, ValueError):
            errors.append("vlans: %r has no id: give each sub-interface a VLAN id (1 to 4094)" % (entry,))
            continue
        if not VLAN_MIN <= vid <= VLAN_MAX:
            errors.append("vlans: id %d is out of range: give %d to %d" % (vid, VLAN_MIN, VLAN_MAX))
            continue
        name = entry.get('name') or '%s.%d' % (interface, vid)
        error = _validate.interface_name(name, 'vlans: the sub-interface name')
        if error:
            errors.append(error + (" (it is INTERFACE.ID unless the item sets name)" if not entry.get('name') else ''))
            continue
        addresses = None
        if entry.get('addresses') is not None:
            addresses, more = _validate.parse_addresses(entry['addresses'], 'vlans: %s addresses' % name)
            errors.extend(more)
        result.append({'id': vid, 'name': name, 'addresses': addresses})
    for key in ('id', 'name'):
        seen = [item[key] for item in result]
        twice = sorted(set(str(v) for v in seen if seen.count(v) > 1))
        if twice:
            errors.append("vlans: %s %s given twice: one sub-interface each" % (key, ', '.join(twice)))
    if any(item['name'] == interface for item in result):
        errors.append("vlans: a sub-interface cannot be called %s, the attached interface itself" % interface)
    return sorted(result, key=lambda item: item['id']), errors


# What a persistent attachment's record keeps of its request: everything asked for but these.
NOT_RECORDED = ('state', 'persistent', 'delete_namespace', 'marks', 'where', 'mac_seed', 'request')


def request_of(spec, **more):
    """The options a task gave one attachment (None: not given), as its record keeps them."""
    request = dict((k, v) for k, v in spec.items() if v is not None and k not in NOT_RECORDED)
    request.update(more)
    return request


def desired_state(spec):
    """Validated, canonical desired state of one attachment -> (desired, [errors]).

    spec: state, namespace, interface, host_interface, bridge, addresses, mac, mtu, gateway,
    gateway6, gateway_onlink, vlan, vlan_mode, trunks, vlans, the LIMITS (policing, egress),
    external_ids, create_namespace, delete_namespace, and from the
    modules: marks (the external_ids that prove an OVS port is this attachment's; they win over
    the user's external_ids) and where (how messages name the namespace: "container web").
    """
    errors = []
    # None: a container's namespace, not resolved yet (ovs_docker_port checks its items before it
    # asks the engine): what depends on it (its name, the host end's default name) waits for it.
    resolved = spec.get('namespace') is not None
    namespace = spec.get('namespace') or ''
    named = bool(namespace) and not namespace.startswith('/')
    # An absent attachment may have lost its namespace (a removed container): '' is allowed then.
    if resolved and (named or spec.get('state') != 'absent') and not namespace.startswith('/') \
            and not _NETNS_NAME.match(namespace):
        errors.append("namespace %r is neither a name (letters, digits, '_', '-', '.'; up to 64) nor an "
                      "absolute path to a namespace file such as /proc/PID/ns/net" % namespace)
    interface = spec.get('interface')
    host_interface = spec.get('host_interface') or (default_host_interface(namespace, interface) if resolved else None)
    for what, name in (('interface', interface), ('host_interface', host_interface)):
        if what == 'host_interface' and name is None and not resolved:
            continue
        error = _validate.interface_name(name, what)
        if error:
            errors.append(error)
    if spec.get('bridge') is not None:
        error = _validate.interface_name(spec['bridge'], 'bridge')
        if error:
            errors.append(error)
    desired = {
        'state': spec.get('state', 'present'),
        'namespace': namespace,
        'named': named,
        'netns_path': netns_path(namespace) if namespace else '',
        'interface': interface,
        'host_interface': host_interface,
        'bridge': spec.get('bridge'),
        'create_namespace': spec.get('create_namespace', True),
        'delete_namespace': spec.get('delete_namespace', False),
        'marks': dict(spec.get('marks') or {}),
        'where': spec.get('where') or ('namespace %s' % namespace if namespace else 'the namespace'),
    }
    if desired['delete_namespace'] and not named:
        errors.append("delete_namespace works on named namespaces only; %s belongs to a process" % namespace)
    if desired['state'] == 'absent':
        return desired, errors

    addresses = None
    if spec.get('addresses') is not None:
        addresses, address_errors = _validate.parse_addresses(spec['addresses'])
        errors.extend(address_errors)
    desired['addresses'] = addresses
    desired['keep_others'] = spec.get('other_addresses') == 'keep'

    mac = spec.get('mac')
    if mac is not None:
        mac, error = parse_mac(mac)
        if error:
            errors.append(error)
    desired['mac'] = mac
    # What a new pair gets when no mac is asked for (see stable_mac).
    desired['new_mac'] = mac or stable_mac(spec.get('mac_seed') or '%s/%s' % (namespace, interface))

    mtu = spec.get('mtu')
    if mtu is not None:
        error = _validate.mtu(mtu)
        if error:
            errors.append(error)
        elif int(mtu) < _validate.MTU_IPV6_MIN and any(':' in a for a in addresses or []):
            errors.append("mtu %s is below %d, the least IPv6 needs, and IPv6 addresses are asked for" % (mtu, _validate.MTU_IPV6_MIN))
    desired['mtu'] = int(mtu) if mtu is not None else None

    onlink = bool(spec.get('gateway_onlink'))
    for key, family in (('gateway', 4), ('gateway6', 6)):
        value = spec.get(key)
        if value not in (None, '') and addresses is None and not onlink:
            errors.append("%s needs addresses (the gateway must be in one of their subnets) or gateway_onlink: true" % key)
            value = None
        desired[key], error = _gateway(value, family, addresses, onlink, key)
        if error:
            errors.append(error)
    desired['onlink'] = onlink

    vlan = spec.get('vlan')
    if vlan is not None and not (VLAN_MIN <= int(vlan) <= VLAN_MAX or int(vlan) == 0):
        errors.append("vlan %s is out of range: give a VLAN ID from %d to %d, or 0 for no tag" % (vlan, VLAN_MIN, VLAN_MAX))
    # 0 is no tag (a trunk port): VLAN 0 is no usable access VLAN, and a way to clear the tag is needed.
    desired['vlan'] = (int(vlan) or None) if vlan is not None else None
    mode = spec.get('vlan_mode')
    if mode is not None and mode not in VLAN_MODES:
        errors.append("vlan_mode %r is not one of %s" % (mode, ', '.join(VLAN_MODES)))
    desired['vlan_mode'] = mode
    # a trunk port has no tag: asking for the mode clears it
    desired['clear_vlan'] = (vlan is not None and int(vlan) == 0) or (mode == 'trunk' and vlan is None)
    trunks = None
    if spec.get('trunks') is not None:
        trunks, more = parse_trunks(spec['trunks'])
        errors.extend(more)
    desired['trunks'] = trunks
    if mode is not None or (trunks and desired['vlan'] is not None):  # what the task alone contradicts
        errors.extend(vlan_problems(desired['vlan'], trunks or [], mode))
    for key in LIMITS:
        value = spec.get(key)
        if value is not None and not 0 <= int(value) <= LIMIT_MAX:
            errors.append("%s %s is out of range: give 0 (%s) to %d" % (
                key, value, 'no limit' if key.startswith('egress') else 'no policing', LIMIT_MAX))
        desired[key] = int(value) if value is not None else None
    desired['vlans'] = None
    if spec.get('vlans') is not None:
        desired['vlans'], more = parse_vlans(spec['vlans'], interface)
        errors.extend(more)
    external_ids, error = _validate.ovsdb_map(spec.get('external_ids'), 'external_ids')
    if error:
        errors.append(error)
    # The marks are how the port is proven ours later: the user's external_ids cannot change them.
    desired['external_ids'] = dict(external_ids or {}, **desired['marks']) if desired['bridge'] is not None else {}
    # persistent: the request kept on the port (see _attach.record), to be applied again without a play
    desired['persistent'] = spec.get('persistent')
    desired['request'] = spec.get('request') or request_of(spec)
    on_port = [key for key in ('vlan', 'vlan_mode', 'trunks', 'external_ids') + LIMITS
               if spec.get(key) is not None and spec.get(key) != {}] + (['persistent'] if spec.get('persistent') else [])
    if desired['bridge'] is None and on_port:
        errors.append("OVS port settings (%s) need bridge: set it, or leave them out" % ', '.join(on_port))
    return desired, errors
