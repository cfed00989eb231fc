# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A containerlab topology file (*.clab.yml), read on the controller into what this collection's
modules build on each host. Pure: a dict in (the parsed YAML), a plan out, or every problem at
once (ClabError), before anything is made. docs/tasks/containerlab.md has the subset, key by key.

    plan(topology, hosts, placement, images, underlay, base_dir) -> {
        'name', 'notes': [what is ignored, named],
        'nodes': {node: {'kind', 'host', 'container' | 'bridge'}},
        'hosts': {host: {'containers', 'bridges', 'ports', 'links', 'vxlans'}}}

Inheritance is containerlab's: a scalar comes from the node, else its group, else its kind, else
the defaults; env and labels are merged in that order (the node's keys win); binds are merged by
their destination path; exec lists are joined.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import ipaddress
import os
import re

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import marks as _marks
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import validate as _validate
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains import registry
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains.attachment import docker_port as _docker_port
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains.attachment.desired import parse_mac, stable_mac

# The mark of what a topology makes: a label on its containers, an external_ids key on the OVS
# bridges it made; valued with the topology's name. Teardown and changes remove only what carries it.
MARK = _marks.CLAB
NODE_LABEL = _marks.CLAB_NODE
KINDS = ('linux', 'ovs-bridge', 'bridge', 'host')
# the kinds whose interfaces take no address: the bridges' ports, and the host's (its own networks
# are not the topology's); 'host' is also the node an endpoint host:IFACE names, as in containerlab
BRIDGE_KINDS = ('ovs-bridge', 'bridge')
NO_ADDRESS_KINDS = BRIDGE_KINDS + ('host',)
HOST_NODE = 'host'
# containerlab's default MTU of a veth link; a link that crosses hosts (VXLAN) leaves room for the
# 50 bytes VXLAN adds to a 1500-byte underlay
VETH_MTU = 9500
IPV6_ON = 'net.ipv6.conf.all.disable_ipv6'
VXLAN_MTU = 1450

# node keys -> the community.docker.docker_container option they become
ENGINE_KEYS = {
    'image': 'image', 'cmd': 'command', 'entrypoint': 'entrypoint', 'env': 'env', 'binds': 'volumes',
    'labels': 'labels', 'network-mode': 'network_mode', 'restart-policy': 'restart_policy', 'user': 'user',
    'cpu': 'cpus', 'cpu-set': 'cpuset_cpus', 'memory': 'memory', 'shm-size': 'shm_size', 'sysctls': 'sysctls',
    'ports': 'published_ports', 'cap-add': 'capabilities', 'devices': 'devices', 'dns': 'dns',
    'image-pull-policy': 'pull', 'exec': 'exec',
}
STRUCTURE_KEYS = ('kind', 'group')
# what a container's spec holds for the role, not for ovs_docker_topology
ROLE_KEYS = ('exec', 'node')
# keys that tune what this collection does not make: named in the notes, never silently dropped
IGNORED = {
    'type': 'a node type of a network OS kind', 'startup-config': 'a network OS\'s configuration',
    'enforce-startup-config': 'a network OS\'s configuration', 'suppress-startup-config': 'a network OS\'s configuration',
    'license': 'a network OS\'s licence', 'certificate': 'containerlab\'s certificate authority',
    'publish': 'containerlab\'s port publishing service',
    'wait-for': 'every node is made before any link', 'stages': 'every node is made before any link',
    'startup-delay': 'every node is made before any link', 'auto-remove': 'nodes are kept until teardown',
    'extras': 'options of other kinds', 'components': 'options of other kinds', 'runtime': 'the engine is the play\'s',
    'healthcheck': 'health checks are the image\'s', 'env-files': 'give env instead', 'position': 'a drawing position',
}
# a node's keys of the management network
MGMT_NODE_KEYS = ('mgmt-ipv4', 'mgmt-ipv6', 'aliases')
NODE_KEYS = set(ENGINE_KEYS) | set(STRUCTURE_KEYS) | set(IGNORED) | set(MGMT_NODE_KEYS)
# containerlab's management network: a Docker network each node's eth0 is on, these its defaults
# (both subnets only when the file gives neither; 'auto': the engine picks)
MGMT_DEFAULTS = {'network': 'clab', 'ipv4-subnet': '172.20.20.0/24', 'ipv6-subnet': '3fff:172:20:20::/64'}
MGMT_KEYS = {'network': 'name', 'ipv4-subnet': 'ipv4_subnet', 'ipv6-subnet': 'ipv6_subnet', 'ipv4-gw': 'ipv4_gateway',
             'ipv6-gw': 'ipv6_gateway', 'bridge': 'bridge', 'mtu': 'mtu'}
MGMT_IGNORED = {'external-access': 'the engine\'s own rules apply', 'ipv4-range': 'the engine picks in the subnet',
                'ipv6-range': 'the engine picks in the subnet'}
# the endpoint of a link to the management network's bridge (containerlab's mgmt-net:HOST_IFACE)
MGMT_NODE = 'mgmt-net'
PULL = {'always': 'always', 'never': 'never', 'ifnotpresent': 'missing'}
RESTART = ('no', 'on-failure', 'always', 'unless-stopped')
LINK_KEYS = ('endpoints', 'mtu', 'ipv4', 'ipv6', 'labels', 'vars', 'type')
ENDPOINT_KEYS = ('node', 'interface', 'mac', 'ipv4', 'ipv6', 'vars')


# containerlab's environment variables in a topology file: ${VAR}, and ${VAR:=default} (also
# :-, = and -, as the envsubst it uses reads them)
_VARIABLE = re.compile(r'\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[=-])([^}]*))?\}')


def expand(text, environ):
    """A topology file's text with its ${VAR} expanded from ``environ`` (the controller's
    environment), before it is parsed, as containerlab does: an unset variable is its default, else
    empty; with ':' an empty one is the default too. A bare $VAR is left as it is (a command's)."""
    def one(match):
        name, how, default = match.groups()
        value = environ.get(name)
        if how is None:
            return value or ''
        if value is None or (how.startswith(':') and value == ''):
            return default
        return value
    return _VARIABLE.sub(one, text)


class ClabError(Exception):
    """Every problem of a topology file, each naming the key and the node."""

    def __init__(self, problems):
        super(ClabError, self).__init__('; '.join(problems))
        self.problems = problems


def container_name(lab, prefix, node):
    """containerlab's naming: clab-LAB-NODE, or PREFIX-LAB-NODE, LAB-NODE (prefix __lab-name), NODE (prefix '')."""
    if prefix is None:
        return 'clab-%s-%s' % (lab, node)
    if prefix == '':
        return node
    if prefix == '__lab-name':
        return '%s-%s' % (lab, node)
    return '%s-%s-%s' % (prefix, lab, node)


def node_mac(lab, node, interface):
    """A node interface's MAC when the file gives none: locally administered, the same every time
    the node is made again (its neighbours' ARP caches stay right when a node is replaced)."""
    return stable_mac('%s/%s/%s' % (lab, node, interface))


def link_vni(lab, key):
    """A cross-host link's VXLAN network identifier: stable for the link (its two endpoints), apart
    from the topology's other links (a clash is refused), 1 to 2^24-1."""
    return int(hashlib.sha1(('%s/%s' % (lab, key)).encode('utf-8')).hexdigest()[:8], 16) % 0xfffffe + 1


class _Topology(object):
    def __init__(self, topo, prefix):
        self.topo = topo
        self.topo_prefix = prefix
        self.defaults = topo.get('defaults') or {}
        self.kinds = topo.get('kinds') or {}
        self.groups = topo.get('groups') or {}
        self.nodes = topo.get('nodes') or {}

    def kind(self, name):
        node = self.nodes[name] or {}
        if node.get('kind'):
            return node['kind']
        for group in (node.get('group'), self.defaults.get('group')):
            if group and (self.groups.get(group) or {}).get('kind'):
                return self.groups[group]['kind']
        return self.defaults.get('kind')

    def group(self, name):
        node = self.nodes[name] or {}
        kind = self.kind(name)
        return node.get('group') or (self.kinds.get(kind) or {}).get('group') or self.defaults.get('group')

    def levels(self, name):
        """The node's definitions from the least to the most specific: defaults, kind, group, node."""
        return [self.defaults, self.kinds.get(self.kind(name)) or {}, self.groups.get(self.group(name)) or {},
                self.nodes[name] or {}]

    def scalar(self, name, key):
        for level in reversed(self.levels(name)):
            if level.get(key) not in (None, '', [], {}):
                return level[key]
        return None

    def merged_map(self, name, key):
        result = {}
        for level in self.levels(name):
            result.update(level.get(key) or {})
        return result

    def merged_list(self, name, key):
        result = []
        for level in self.levels(name):
            for item in level.get(key) or []:
                if item not in result:
                    result.append(item)
        return result

    def binds(self, name):
        """Binds merged by destination path: a more specific level's bind replaces a less specific one's."""
        by_dst = {}
        for level in self.levels(name):
            for bind in level.get('binds') or []:
                parts = str(bind).split(':')
                by_dst[parts[1] if len(parts) > 1 else parts[0]] = str(bind)
        return list(by_dst.values())


def _check_keys(where, definition, allowed, problems):
    if definition is None:
        return
    if not isinstance(definition, dict):
        problems.append('%s must be a mapping of keys' % where)
        return
    for key in sorted(definition):
        if key not in allowed:
            problems.append('%s: key %s is not supported by this collection (docs/tasks/containerlab.md lists what is)'
                            % (where, key))


def _cidr(value, where, problems):
    """An address of the file, checked as the modules check it (a prefix length, no loopback,
    multicast or link-local address) -> canonical, or None with the problem."""
    cidrs, errors = _validate.parse_addresses([value], where)
    if errors:
        problems.extend(e.replace('%s[0]' % where, where, 1) for e in errors)
        return None
    return cidrs[0]


def _place(name, node_labels, placement, hosts, problems):
    host = (placement or {}).get(name) or node_labels.get('host') or (hosts[0] if hosts else None)
    if host not in hosts:
        problems.append('node %s is placed on %s, which is not a host of this play (%s): set clab_placement or its '
                        'label host to one of them' % (name, host, ', '.join(hosts)))
    return host


def _container(topo, lab, name, container, base_dir, images, problems, notes, privileged, mgmt=None):
    """A linux node -> the docker_container options it becomes (and 'exec', 'node'); ``mgmt`` the
    management network (its module item), joined unless the node's network-mode says otherwise."""
    where = 'node %s' % name
    result = {'name': container, 'node': name}
    for key, option in ENGINE_KEYS.items():
        if key in ('env', 'labels'):
            value = topo.merged_map(name, key)
        elif key == 'exec':
            value = topo.merged_list(name, key)
        elif key == 'binds':
            value = topo.binds(name)
        else:
            value = topo.scalar(name, key)
        if value in (None, '', [], {}):
            continue
        result[option] = value
    for key in sorted(set(k for level in topo.levels(name) for k in level if k in IGNORED)):
        notes.append('%s: %s is ignored (%s)' % (where, key, IGNORED[key]))
    image = result.get('image')
    if not image:
        problems.append('%s: no image (set image on the node, its group, its kind or the defaults)' % where)
    else:
        result['image'] = (images or {}).get(image) or (images or {}).get('*') or image
    result['env'] = dict((str(k), str(v)) for k, v in result.get('env', {}).items())
    labels = dict((str(k), str(v)) for k, v in result.get('labels', {}).items())
    labels.update({MARK: lab, NODE_LABEL: name})
    result['labels'] = labels
    asked = result.get('network_mode')
    mode = str(asked or 'none')
    if mgmt and not asked:
        mode = mgmt['name']
        result['networks'] = [_mgmt_endpoint(topo, name, mgmt, problems)]
    elif any(topo.scalar(name, key) for key in MGMT_NODE_KEYS):
        notes.append('%s: %s ignored: the node is not on the management network (%s)' % (
            where, ', '.join(k for k in MGMT_NODE_KEYS if topo.scalar(name, k)),
            'network-mode %s' % asked if asked else 'it is off'))
    if mode == 'host':
        problems.append('%s: network-mode host is refused: its links would put interfaces among the host\'s own' % where)
    elif mode.startswith('container:'):
        other = mode[len('container:'):]
        if other not in topo.nodes:
            problems.append('%s: network-mode %s names a node that is not in topology.nodes' % (where, mode))
        mode = 'container:%s' % container_name(lab, topo.topo_prefix, other) if other in topo.nodes else mode
    result['network_mode'] = None if result.get('networks') else mode
    if 'restart_policy' in result:
        policy = str(result['restart_policy']).lower()
        if policy not in RESTART:
            problems.append('%s: restart-policy %s is not one of %s' % (where, result['restart_policy'], ', '.join(RESTART)))
        result['restart_policy'] = policy
    if 'pull' in result:
        policy = str(result['pull']).lower()
        if policy not in PULL:
            problems.append('%s: image-pull-policy %s is not one of always, never, IfNotPresent' % (where, result['pull']))
        result['pull'] = PULL.get(policy)
    if 'volumes' in result:
        # as containerlab: a source path that is not absolute is the topology file's directory's
        result['volumes'] = [b if b.startswith('/') or ':' not in b
                             else os.path.normpath(os.path.join(base_dir or '.', b.split(':')[0])) + ':' + b.split(':', 1)[1]
                             for b in result['volumes']]
    if 'dns' in result:
        dns = result.pop('dns') or {}
        for key, option in (('servers', 'dns_servers'), ('search', 'dns_search_domains'), ('options', 'dns_opts')):
            if dns.get(key):
                result[option] = dns[key]
    if 'exec' in result:
        result['exec'] = [str(c) for c in result['exec']]
    if privileged:
        # as containerlab runs its nodes (ovs_docker_topology says where a host refuses it, and gives
        # every capability it allows instead)
        result['privileged'] = True
    else:
        # what configuring their network needs, and what the file asks for
        result['capabilities'] = sorted(set([str(c).upper() for c in result.get('capabilities') or []] + ['NET_ADMIN']))
    if mode == 'none' or result.get('networks'):
        # IPv6 on, as containerlab sets it on every node with a network namespace of its own (the
        # engine turns it off where it gives a node no network)
        result['sysctls'] = dict({IPV6_ON: '0'}, **dict((str(k), str(v)) for k, v in (result.get('sysctls') or {}).items()))
    return result


def _mgmt(topology, problems, notes):
    """The file's mgmt -> the management network as ovs_docker_topology's networks item (its
    subnets checked here; against the host's own networks on each host, by the module), or None
    when it is off."""
    given = topology.get('mgmt') or {}
    if not isinstance(given, dict):
        problems.append('mgmt must be a mapping (network, ipv4-subnet, ipv6-subnet, ...)')
        return None
    _check_keys('mgmt', given, set(MGMT_KEYS) | set(MGMT_IGNORED), problems)
    for key in sorted(set(given) & set(MGMT_IGNORED)):
        notes.append('mgmt: %s is ignored (%s)' % (key, MGMT_IGNORED[key]))
    values = dict((k, given[k]) for k in MGMT_KEYS if given.get(k) not in (None, ''))
    if 'ipv4-subnet' not in values and 'ipv6-subnet' not in values:
        values.update((k, v) for k, v in MGMT_DEFAULTS.items() if k != 'network')
    values.setdefault('network', MGMT_DEFAULTS['network'])
    if 'bridge' not in values and len('br-%s' % values['network']) <= 15:
        # (a name known before the network is made: mgmt-net links are ports of it)
        values['bridge'] = 'br-%s' % values['network']
    item = dict((MGMT_KEYS[k], v if k == 'mtu' else str(v)) for k, v in values.items() if str(v) != 'auto')
    _desired, errors = registry.domain('docker_network').desired_state(item)
    problems.extend('mgmt: %s' % e.replace('ipv4_subnet', 'ipv4-subnet').replace('ipv6_subnet', 'ipv6-subnet')
                    .replace('ipv4_gateway', 'ipv4-gw').replace('ipv6_gateway', 'ipv6-gw') for e in errors)
    return item


def _mgmt_endpoint(topo, name, mgmt, problems):
    """A node's eth0 on the management network: its mgmt-ipv4/mgmt-ipv6 (in the network's subnets),
    its aliases."""
    endpoint = {'name': mgmt['name']}
    for family, key, option in ((4, 'mgmt-ipv4', 'ipv4_address'), (6, 'mgmt-ipv6', 'ipv6_address')):
        value = topo.scalar(name, key)
        if value in (None, ''):
            continue
        try:
            address = ipaddress.ip_address(str(value))
        except ValueError:
            problems.append('node %s: %s %r is not an address (no prefix length: the network has it)' % (name, key, value))
            continue
        subnet = _network_or_none(mgmt.get('ipv%d_subnet' % family))
        if subnet is None and (mgmt.get('ipv4_subnet') or mgmt.get('ipv6_subnet')):
            problems.append('node %s: %s %s needs an IPv%d subnet on the management network: give mgmt.ipv%d-subnet'
                            % (name, key, value, family, family))
            continue
        if address.version != family or (subnet and address not in subnet):
            problems.append('node %s: %s %s is not in the management network\'s %s (mgmt.ipv%d-subnet)'
                            % (name, key, value, subnet or 'IPv%d subnet' % family, family))
            continue
        endpoint[option] = str(address)
    if topo.scalar(name, 'aliases'):
        endpoint['aliases'] = [str(a) for a in topo.scalar(name, 'aliases')]
    return endpoint


def _network_or_none(subnet):
    try:
        return ipaddress.ip_network(subnet, strict=False) if subnet else None
    except ValueError:
        return None  # (refused already)


def _endpoint(value, where, problems):
    """A link endpoint -> {'node', 'interface', 'mac', 'ipv4', 'ipv6'} (brief 'node:iface' or extended)."""
    if isinstance(value, dict):
        _check_keys(where, value, ENDPOINT_KEYS, problems)
        node, interface = value.get('node'), value.get('interface')
        found = {'node': node, 'interface': interface, 'mac': value.get('mac'),
                 'ipv4': value.get('ipv4'), 'ipv6': value.get('ipv6')}
    else:
        text = str(value)
        if text.count(':') != 1:
            problems.append('%s: endpoint %r is not NODE:INTERFACE' % (where, text))
            return None
        node, interface = text.split(':')
        found = {'node': node, 'interface': interface, 'mac': None, 'ipv4': None, 'ipv6': None}
    if not node or not interface:
        problems.append('%s: an endpoint needs a node and an interface' % where)
        return None
    error = _validate.interface_name(str(interface), 'node %s interface' % node)
    if error:
        problems.append('%s: %s' % (where, error))
    if found['mac'] is not None:
        found['mac'], error = parse_mac(found['mac'], 'mac of %s:%s' % (node, interface))
        if error:
            problems.append('%s: %s' % (where, error))
    return found


def _addresses(endpoint, where, problems):
    result = []
    for family in ('ipv4', 'ipv6'):
        values = endpoint.get(family)
        for value in ([values] if isinstance(values, str) else values or []):
            cidr = _cidr(value, '%s: %s of %s:%s' % (where, family, endpoint['node'], endpoint['interface']), problems)
            if cidr:
                result.append(cidr)
    return result


def _links(topo, nodes, lab, problems, notes):
    """[(where, a, b, mtu)] of the topology's links, each end with its addresses; checked."""
    found, used = [], {}
    for number, link in enumerate(topo.topo.get('links') or []):
        where = 'links[%d]' % number
        if not isinstance(link, dict):
            problems.append('%s must be a mapping with endpoints' % where)
            continue
        _check_keys(where, link, LINK_KEYS, problems)
        kind = link.get('type')
        if kind not in (None, 'veth'):
            problems.append('%s: link type %s is not supported (veth links are, brief or extended)' % (where, kind))
            continue
        for key in ('labels', 'vars'):
            if link.get(key):
                notes.append('%s: %s is ignored (no configuration is rendered from it)' % (where, key))
        endpoints = link.get('endpoints') or []
        if len(endpoints) != 2:
            problems.append('%s: endpoints must list two endpoints, not %d' % (where, len(endpoints)))
            continue
        ends = [_endpoint(e, where, problems) for e in endpoints]
        if None in ends:
            continue
        for family in ('ipv4', 'ipv6'):  # the brief form's addresses: one per endpoint, in their order
            values = link.get(family)
            if values is not None:
                if not isinstance(values, list) or len(values) != 2:
                    problems.append('%s: %s must list two addresses, one per endpoint' % (where, family))
                    continue
                for end, value in zip(ends, values):
                    end[family] = ([end[family]] if isinstance(end[family], str) else list(end[family] or [])) + [value]
        for end in ends:
            if end['node'] not in nodes:
                problems.append('%s: endpoint %s:%s names node %s, which is not in topology.nodes'
                                % (where, end['node'], end['interface'], end['node']))
                continue
            label = '%s:%s' % (end['node'], end['interface'])
            if label in used:
                problems.append('%s: interface %s is used by %s already: an interface joins one link' % (where, label, used[label]))
            used[label] = where
            end['addresses'] = _addresses(end, where, problems)
            end['mac'] = end['mac'] or node_mac(lab, end['node'], end['interface'])
            if end['addresses'] and nodes[end['node']]['kind'] in NO_ADDRESS_KINDS:
                problems.append('%s: %s is %s, which takes no address' % (where, label, 'an interface of the host'
                                if nodes[end['node']]['kind'] == 'host' else 'a bridge\'s port'))
        mtu = link.get('mtu')
        if mtu is not None:
            error = _validate.mtu(mtu) if isinstance(mtu, int) else 'mtu %r is not a number' % (mtu,)
            if error:
                problems.append('%s: %s' % (where, error))
        found.append((where, ends[0], ends[1], mtu))
    return found


def plan(topology, hosts, placement=None, images=None, underlay=None, base_dir='', privileged=True, mgmt=True):
    problems, notes = [], []
    if not isinstance(topology, dict):
        raise ClabError(['the topology file is not a mapping (name, topology: nodes, links)'])
    _check_keys('the topology file', topology, ('name', 'prefix', 'topology', 'mgmt'), problems)
    lab = topology.get('name')
    if not lab or not re.match(r'^[A-Za-z0-9_.-]+$', str(lab)):
        problems.append('name: the topology needs a name of letters, digits, _ - and . (it names its containers)')
    lab = str(lab)
    network = _mgmt(topology, problems, notes) if mgmt else None
    if network is not None:
        network['labels'] = {MARK: lab}
    body = topology.get('topology') or {}
    _check_keys('topology', body, ('nodes', 'links', 'defaults', 'kinds', 'groups'), problems)
    topo = _Topology(body, topology.get('prefix'))
    _check_keys('topology.defaults', topo.defaults, NODE_KEYS, problems)
    for section in ('kinds', 'groups'):
        for name, definition in sorted((getattr(topo, section) or {}).items()):
            _check_keys('topology.%s.%s' % (section, name), definition, NODE_KEYS, problems)
    if not topo.nodes:
        problems.append('topology.nodes: a topology needs nodes')
    hosts = list(hosts or [])
    nodes, result_hosts = {}, dict((h, {'containers': [], 'bridges': [], 'ports': [], 'links': [], 'vxlans': [],
                                        'networks': [], 'linux_bridges': []}) for h in hosts)
    for name in sorted(topo.nodes):
        definition = topo.nodes[name] or {}
        where = 'node %s' % name
        _check_keys(where, definition, NODE_KEYS, problems)
        if definition.get('group') and definition['group'] not in topo.groups:
            problems.append('%s: group %s is not in topology.groups' % (where, definition['group']))
        kind = topo.kind(name)
        if kind not in KINDS:
            problems.append('%s: kind %s is not supported (%s are: other kinds are network OS images this collection '
                            'does not configure)' % (where, kind or '(none)', ', '.join(KINDS)))
            continue
        host = _place(name, topo.merged_map(name, 'labels'), placement, hosts, problems)
        if kind == 'host':
            # (the host of the node at a link's other end: placed with it)
            nodes[name] = {'kind': kind, 'host': None}
            continue
        if kind in BRIDGE_KINDS:
            error = _validate.interface_name(name, 'a bridge\'s name')
            if error:
                problems.append('%s: %s' % (where, error))
            for key in sorted(definition):
                if key not in ('kind', 'group', 'labels'):
                    problems.append('%s: key %s does not apply to kind %s' % (where, key, kind))
            nodes[name] = {'kind': kind, 'host': host, 'bridge': name}
            if host in result_hosts and kind == 'ovs-bridge':
                result_hosts[host]['bridges'].append({'name': name, 'node': name})
            elif host in result_hosts:  # (the user's when it is there, else made and marked: containerlab cannot)
                result_hosts[host]['linux_bridges'].append({'name': name})
            continue
        container = container_name(lab, topo.topo_prefix, name)
        nodes[name] = {'kind': kind, 'host': host, 'container': container}
        spec = _container(topo, lab, name, container, base_dir, images, problems, notes, privileged, network)
        if host in result_hosts:
            result_hosts[host]['containers'].append(spec)
            if spec.get('networks') and not result_hosts[host]['networks']:
                result_hosts[host]['networks'].append(network)
    if HOST_NODE not in nodes:
        nodes[HOST_NODE] = {'kind': 'host', 'host': None}
    nodes[MGMT_NODE] = {'kind': 'host', 'host': None, 'master': (network or {}).get('bridge'), 'mgmt': network is not None}
    _unique_mgmt_addresses(result_hosts, network, problems)
    links = _links(topo, nodes, lab, problems, notes)
    vnis = {}
    for where, a, b, mtu in links:
        if a['node'] not in nodes or b['node'] not in nodes:
            continue
        na, nb = nodes[a['node']], nodes[b['node']]
        if 'host' in (na['kind'], nb['kind']):
            _host_link(where, (a, na), (b, nb), mtu, result_hosts, problems)
            continue
        if na['host'] not in result_hosts or nb['host'] not in result_hosts:
            continue  # (a placement outside the play: refused already)
        bridges = [e for e, n in ((a, na), (b, nb)) if n['kind'] in BRIDGE_KINDS]
        if len(bridges) == 2:
            problems.append('%s: a link between two bridges (%s, %s) is not supported' % (where, a['node'], b['node']))
            continue
        if bridges:
            bridge_end, end = (a, b) if na['kind'] in BRIDGE_KINDS else (b, a)
            bridge_node, node = nodes[bridge_end['node']], nodes[end['node']]
            if bridge_node['host'] != node['host']:
                problems.append('%s: node %s (on %s) and bridge %s (on %s) must be on one host: place them together'
                                % (where, end['node'], node['host'], bridge_end['node'], bridge_node['host']))
                continue
            if node['host'] in result_hosts and bridge_node['kind'] == 'bridge':
                # a port of the Linux bridge the user made, named as the endpoint says
                result_hosts[node['host']]['links'].append({'ends': [_end(node['container'], end), {
                    'host': True, 'interface': bridge_end['interface'], 'master': bridge_node['bridge'], 'mac': bridge_end['mac']}],
                    'mtu': mtu or VETH_MTU, 'other_addresses': 'keep'})
            elif node['host'] in result_hosts:
                # a port named as the bridge's endpoint says, as containerlab names it
                result_hosts[node['host']]['ports'].append(dict(_port(node['container'], end, bridge_node['bridge'], mtu or VETH_MTU),
                                                                host_interface=bridge_end['interface']))
            continue
        if na['host'] == nb['host']:
            if na['host'] in result_hosts:
                result_hosts[na['host']]['links'].append({'ends': [_end(na['container'], a), _end(nb['container'], b)],
                                                          'mtu': mtu or VETH_MTU, 'other_addresses': 'keep'})
            continue
        key = '%s:%s--%s:%s' % (a['node'], a['interface'], b['node'], b['interface'])
        vni = link_vni(lab, key)
        if vni in vnis:
            problems.append('%s: its VXLAN identifier %d is %s\'s too: rename an interface of one of them' % (where, vni, vnis[vni]))
            continue
        vnis[vni] = where
        for end, node, other in ((a, na, nb), (b, nb, na)):
            for host in (node['host'], other['host']):
                if not (underlay or {}).get(host):
                    problems.append('%s: host %s has no underlay address for the VXLAN link: set its clab_underlay_address'
                                    % (where, host))
            if problems or node['host'] not in result_hosts:
                continue
            bridge, vxlan = _marks.clab_bridge(vni), _marks.clab_vxlan(vni)
            place = result_hosts[node['host']]
            place['bridges'].append({'name': bridge, 'link': key})
            place['ports'].append(_port(node['container'], end, bridge, mtu or VXLAN_MTU))
            place['vxlans'].append({'name': vxlan, 'bridge': bridge, 'vni': vni, 'local': underlay[node['host']],
                                    'remotes': [underlay[other['host']]]})
    if not problems:
        problems = _host_names_once(result_hosts) + _checked_by_the_modules(result_hosts)
    if problems:
        raise ClabError(sorted(set(problems), key=problems.index))
    if HOST_NODE not in topo.nodes:
        del nodes[HOST_NODE]  # (the endpoints' host:IFACE, no node of the file's)
    del nodes[MGMT_NODE]
    return {'name': lab, 'notes': notes, 'nodes': nodes, 'hosts': result_hosts}


def _host_link(where, first, second, mtu, result_hosts, problems):
    """A link between a node and the host (containerlab's host link, host:IFACE): the node's end in
    its container, the other in its host's namespace under the endpoint's name, no address."""
    (host_end, host), (end, node) = (first, second) if first[1]['kind'] == 'host' else (second, first)
    if node['kind'] == 'host':
        problems.append('%s: a link between two host endpoints is not a link' % where)
        return
    master = {}
    if host_end['node'] == MGMT_NODE:
        # (containerlab's mgmt-net link: the host end a port of the management network's bridge)
        if not host.get('mgmt'):
            problems.append('%s: a mgmt-net link needs the management network, which is off (clab_mgmt)' % where)
            return
        if not host.get('master'):
            problems.append('%s: a mgmt-net link needs the management bridge\'s name: set mgmt.bridge' % where)
            return
        master = {'master': host['master']}
    if node['kind'] in BRIDGE_KINDS:
        problems.append('%s: a link between bridge %s and the host is not supported: link a node to the host' % (where, end['node']))
        return
    if node['host'] in result_hosts:
        result_hosts[node['host']]['links'].append({'ends': [_end(node['container'], end), dict({
            'host': True, 'interface': host_end['interface'], 'mac': host_end['mac']}, **master)],
            'mtu': mtu or VETH_MTU, 'other_addresses': 'keep'})


def _host_names_once(hosts):
    """The interfaces a host's part puts in its own namespace under the endpoints' names (bridge
    ports, host links): each name once a host."""
    problems = []
    for host, place in sorted(hosts.items()):
        names = [p['host_interface'] for p in place['ports'] if p.get('host_interface')]
        names += [e['interface'] for link in place['links'] for e in link['ends'] if e.get('host')]
        for name in sorted(set(n for n in names if names.count(n) > 1)):
            problems.append('host %s: %s is the name of %d interfaces in its namespace (bridge ports and host links are '
                            'named as their endpoints say): rename all but one' % (host, name, names.count(name)))
    return problems


def _unique_mgmt_addresses(hosts, network, problems):
    """Each node's management address given once, and not the network's gateway."""
    if network is None:
        return
    seen = {}
    gateways = [network.get('ipv%d_gateway' % f) or _first_host(network.get('ipv%d_subnet' % f)) for f in (4, 6)]
    for _host, place in sorted(hosts.items()):
        for spec in place['containers']:
            for key in ('ipv4_address', 'ipv6_address'):
                address = (spec.get('networks') or [{}])[0].get(key)
                if not address:
                    continue
                if address in seen:
                    problems.append('node %s: its management address %s is node %s\'s too' % (spec['node'], address, seen[address]))
                if address in gateways:
                    problems.append('node %s: its management address %s is the network\'s gateway' % (spec['node'], address))
                seen[address] = spec['node']


def _first_host(subnet):
    """The engine's default gateway of a subnet: its first host address."""
    network = _network_or_none(subnet)
    first = next(network.hosts(), None) if network is not None else None
    return str(first) if first is not None else None


def _checked_by_the_modules(hosts):
    """What ovs_docker_topology, veth_link and ovs_docker_port would refuse of each host's
    containers, links and ports, asked of their own validators before anything is made (a container made for a link that is then
    refused would be left half-built)."""
    problems = []
    for _host, place in sorted(hosts.items()):
        for spec in place.get('containers') or []:
            item = dict(dict((k, v) for k, v in spec.items() if k not in ROLE_KEYS), state='present')
            _desired, errors = registry.domain('ovs_docker_topology').desired_state(item)
            problems.extend('node %s: %s' % (spec['node'], e) for e in errors)
        for link in place['links']:
            _desired, errors = registry.domain('veth_link').desired_state(dict(link, state='present'))
            label = '--'.join(_marks.veth_end_label(e) for e in link['ends'])
            problems.extend('link %s: %s' % (label, e) for e in errors)
        for port in place['ports']:
            item = dict(dict.fromkeys(_docker_port.ITEM_OPTIONS), **dict(port, state='present'))
            problems.extend(_docker_port.static_errors(item))
    return problems


def _declared(end):
    """An end's addresses as the modules take them: those the file declares (made, and kept beside
    any other: the items say 'other_addresses': keep), or none - the node's own, left as they are
    (a routing daemon's, exec's, a user's)."""
    return {'addresses': end['addresses']} if end['addresses'] else {}


def _end(container, end):
    return dict({'container': container, 'interface': end['interface'], 'mac': end['mac']}, **_declared(end))


def _port(container, end, bridge, mtu):
    return dict({'container': container, 'interface': end['interface'], 'bridge': bridge, 'mtu': mtu, 'mac': end['mac'],
                 'other_addresses': 'keep'}, **_declared(end))


def host_part(host_plan, lab):
    """One host's part as ovs_docker_topology's params: what is made, and (prune_labels: the
    topology's mark) what of the topology's is there that the part no longer has, which the module
    finds and removes itself - all of it for a teardown's empty part. A bridge the topology names
    that is there already is used as it is ('existing': keep; that of a link across hosts only if it
    is the topology's: 'ours'); one that is not is made and marked."""
    mark = {MARK: lab}
    return {
        # (auto: the kernel datapath where the openvswitch module is loaded, else the userspace one)
        'bridges': [{'name': b['name'], 'datapath_type': 'auto', 'external_ids': mark, 'existing': 'ours' if b.get('link') else 'keep'}
                    for b in host_plan['bridges']],
        # the nodes' containers (what the role itself uses, exec and node, left out)
        'containers': [dict((k, v) for k, v in spec.items() if k not in ROLE_KEYS) for spec in host_plan['containers']],
        # the topology's containers made before ovs_docker_topology made them carry its mark only
        'adopt_labels': mark,
        'prune_labels': mark,
        'links': host_plan['links'],
        'purge': [c['name'] for c in host_plan['containers']],
        'ports': host_plan['ports'],
        'vxlans': host_plan['vxlans'],
        'networks': host_plan.get('networks') or [],
        'linux_bridges': [dict(b, labels=mark) for b in host_plan.get('linux_bridges') or []],
    }


def exec_report(results, failed=False):
    """The nodes' exec results (a loop of docker_container_exec, registered) -> a line each:
    'NODE: COMMAND: exit N: what it printed'; with ``failed``, only the commands that failed (a
    non-zero exit, or the command could not run: the message the module gave)."""
    lines = []
    for result in results or []:
        if result.get('skipped'):
            continue
        item = result.get('item') or [{}, '']
        node, command = (item[0] or {}).get('node') or (item[0] or {}).get('name'), item[1]
        rc = result.get('rc')
        bad = result.get('failed') or rc not in (0, None) or (rc is None and 'msg' in result)
        if failed and not bad:
            continue
        output = ' / '.join(t.strip() for t in (result.get('stdout'), result.get('stderr')) if t and t.strip())
        if rc is None:
            said = 'did not run: %s' % (result.get('msg') or 'no exit code')
        else:
            said = 'exit %s%s' % (rc, ': %s' % output if output else '')
        lines.append('node %s: %s: %s' % (node, command, said))
    return lines


def inventory(plan, engines=None):
    """containerlab's ansible-inventory.yml of a plan, for the nodes' containers: grouped by kind,
    each reached with the community.docker.docker connection (the docker CLI of the controller);
    ``engines`` {inventory host: engine URL for the docker CLI, '' or none for the controller's own},
    so that a node on another host is reached through its engine (-H ssh://...)."""
    groups = {}
    for name, node in sorted(plan['nodes'].items()):
        if not node.get('container'):
            continue
        host = {'ansible_host': node['container'], 'ansible_connection': 'community.docker.docker'}
        url = (engines or {}).get(node['host'])
        if url:
            host['ansible_docker_extra_args'] = '-H %s' % url
        groups.setdefault(node['kind'], {'hosts': {}})['hosts'][node['container']] = host
    return {'all': {'children': groups}}
