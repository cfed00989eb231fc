# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Docker networks of a topology (its management network: containerlab's ``mgmt``), through the
Engine API: the nodes' eth0 are on it, the host reaches them through its bridge.

    desired_state(spec) -> (desired, [problems])   the engine's create request ('body') and its digest
    observe(api, names, inspect) -> {name: found}  one listing, and an inspect of those to remove (their containers)
    plan(desired, current, facts) -> Plan          facts: 'host' (hostnet.read(): the subnets a new
                                                   network must not take from the host), 'links'
                                                   (the host's link names), 'leaving' (the
                                                   containers this run removes)
    Networks                                       the executor

A network is this domain's when it carries the label marks.NETWORK_SPEC (the digest of its
request). One of the name that is not (made by hand, by containerlab, by compose) is used as it is
and never removed, as containerlab uses a network that is there; one of ours whose request changed
is refused (its nodes are on it: the topology is taken down first). Removed only when no container
but those the run removes is on it; else kept, and said.

The kinds (an Action's target is the network's name):
    create    made (new: the request)          undo: removed
    remove    removed, after the containers    undo: none (a run's last steps)
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import marks as _marks
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import runner as _runner
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import validate as _validate
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.common import ModuleError
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.engine import NO_UNDO, Action, OneByOneExecutor, Plan
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains.container import digest
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._system import containers as _containers
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._system import hostnet as _hostnet

_NAME = re.compile(r'^[a-zA-Z0-9][a-zA-Z0-9_.-]*$')
# the bridge driver's options: the Linux bridge's name, its MTU
BRIDGE_NAME = 'com.docker.network.bridge.name'
DRIVER_MTU = 'com.docker.network.driver.mtu'

OPTIONS = dict(
    name=dict(type='str', required=True),
    ipv4_subnet=dict(type='str'),
    ipv4_gateway=dict(type='str'),
    ipv6_subnet=dict(type='str'),
    ipv6_gateway=dict(type='str'),
    bridge=dict(type='str'),
    mtu=dict(type='int'),
    labels=dict(type='dict'),
    state=dict(type='str', choices=['present', 'absent'], default='present'),
)


def _subnet(spec, family, problems):
    """(subnet, gateway) of one family, checked: the subnet a network (no host bits), the gateway
    one of its host addresses; (None, None) when not given."""
    subnet, gateway = spec.get('ipv%d_subnet' % family), spec.get('ipv%d_gateway' % family)
    if not subnet:
        if gateway:
            problems.append('ipv%d_gateway %s needs its ipv%d_subnet' % (family, gateway, family))
        return None, None
    try:
        network = ipaddress.ip_network(str(subnet), strict=True)
    except ValueError as exc:
        problems.append('ipv%d_subnet %r is not a subnet (%s): give one as %s' % (
            family, subnet, exc, '198.18.20.0/24' if family == 4 else 'fdff:198:18:20::/64'))
        return None, None
    if network.version != family:
        problems.append('ipv%d_subnet %s is an IPv%d subnet' % (family, subnet, network.version))
        return None, None
    if network.is_loopback or network.is_link_local or network.is_multicast:
        problems.append('ipv%d_subnet %s is a loopback, link-local or multicast range: give a subnet of a real network' % (family, subnet))
    if gateway:
        try:
            address = ipaddress.ip_address(str(gateway))
        except ValueError:
            problems.append('ipv%d_gateway %r is not an address' % (family, gateway))
            return str(network), None
        if address not in network or address in (network.network_address, network.broadcast_address):
            problems.append('ipv%d_gateway %s is not a host address of ipv%d_subnet %s' % (family, gateway, family, network))
        gateway = str(address)
    return str(network), gateway


def desired_state(spec):
    """A network's options -> ({'name', 'key', 'state', 'subnets', 'bridge', 'body', 'spec'}, [problems])."""
    problems = []
    name = str(spec.get('name') or '')
    if not _NAME.match(name):
        problems.append('network name %r is not a network name: letters, digits, _ . - only, the first a letter or digit' % name)
    desired = {'name': name, 'key': name, 'state': spec.get('state') or 'present', 'subnets': [], 'bridge': None,
               'body': None, 'spec': None}
    if desired['state'] == 'absent':
        return desired, problems
    config = []
    for family in (4, 6):
        subnet, gateway = _subnet(spec, family, problems)
        if subnet:
            desired['subnets'].append(subnet)
            config.append(dict({'Subnet': subnet}, **({'Gateway': gateway} if gateway else {})))
    options = {}
    if spec.get('bridge'):
        error = _validate.interface_name(str(spec['bridge']), 'bridge')
        problems.extend([error] if error else [])
        options[BRIDGE_NAME] = desired['bridge'] = str(spec['bridge'])
    if spec.get('mtu') is not None:
        error = _validate.mtu(spec['mtu'])
        problems.extend([error] if error else [])
        options[DRIVER_MTU] = str(spec['mtu'])
    body = {'Name': name, 'Driver': 'bridge', 'CheckDuplicate': True, 'Options': options,
            'EnableIPv6': any(':' in s for s in desired['subnets']),
            'IPAM': {'Driver': 'default', 'Config': config},
            'Labels': dict((str(k), str(v)) for k, v in (spec.get('labels') or {}).items())}
    desired['spec'] = digest(body)
    body['Labels'][_marks.NETWORK_SPEC] = desired['spec']
    desired['body'] = body
    return desired, problems


def observe(api, names, inspect=None):
    """{name: {'id', 'labels', 'subnets', 'bridge', 'containers': [names]}} of the networks of these
    names: one listing, then an inspect of each of ``inspect`` (None: all) found - the listing does
    not say who is on a network, which only a removal needs to know."""
    found = {}
    for item in api.request('GET', '/networks', 'listing networks') or []:
        if item.get('Name') in names:
            asked = inspect is None or item['Name'] in inspect
            inspected = (api.get('/networks/%s' % item['Id'], 'inspecting network %s' % item['Name']) if asked else None) or item
            options = inspected.get('Options') or {}
            found[item['Name']] = {
                'id': item['Id'], 'labels': inspected.get('Labels') or {},
                'subnets': [c.get('Subnet') for c in (inspected.get('IPAM') or {}).get('Config') or [] if c.get('Subnet')],
                # (the bridge driver's: its option, else br- and the ID's first 12 digits)
                'bridge': options.get(BRIDGE_NAME) or ('br-%s' % item['Id'][:12] if item.get('Driver') == 'bridge' else None),
                'containers': sorted(c.get('Name') or cid for cid, c in (inspected.get('Containers') or {}).items()),
            }
    return found


def ours(found):
    return _marks.NETWORK_SPEC in (found.get('labels') or {})


def view(found):
    if found is None:
        return {'state': 'absent'}
    return {'state': 'present', 'subnets': found['subnets'], 'bridge': found['bridge'],
            'ours': ours(found), 'spec': (found.get('labels') or {}).get(_marks.NETWORK_SPEC)}


def plan(desired, current, facts=None):
    """One network's Plan. ``current``: observe()'s entry of its name (None: none)."""
    facts = facts or {}
    name, before = desired['name'], view(current)
    if desired['state'] == 'absent':
        if current is None or not ours(current):
            return Plan(desired, current, [], before, before)
        others = [c for c in current['containers'] if c not in set(facts.get('leaving') or [])]
        if others:
            kept = dict(before, kept='containers that are not this run\'s are on it (%s)' % ', '.join(others))
            return Plan(desired, current, [], before, kept)
        return Plan(desired, current, [Action('remove', name, None, NO_UNDO)], before, {'state': 'absent'})
    if current is not None:
        if not ours(current):
            # (used as it is, as containerlab uses a network that is there)
            return Plan(desired, current, [], before, dict(before, kept='not made by this collection: used as it is, never removed'))
        if current['labels'].get(_marks.NETWORK_SPEC) != desired['spec']:
            return Plan.refused(desired, current, before, [
                'network %s was made by this collection from another request (subnets %s, the task asks for %s): its '
                'nodes are on it; take the topology down first (state absent) and build it again, or give the network '
                'another name' % (name, ', '.join(current['subnets']) or 'the engine\'s', ', '.join(desired['subnets']) or 'the engine\'s')])
        return Plan(desired, current, [], before, before)
    problems = []
    if desired['bridge'] and desired['bridge'] in (facts.get('links') or ()):
        problems.append('a link called %s is on this host already: the network would take it as its bridge; give the '
                        'network another bridge name (bridge; containerlab: mgmt.bridge)' % desired['bridge'])
    host = facts.get('host')
    for subnet in desired['subnets'] if host is not None else []:
        found = _hostnet.collisions(subnet, desired['bridge'] or '(network %s\'s bridge)' % name, host)
        if found:
            family = 6 if ':' in subnet else 4
            problems.append('network %s\'s subnet %s would take this host\'s own traffic away from: %s. Nothing was changed: '
                            'choose an ipv%d_subnet (containerlab: mgmt.ipv%d-subnet) this host does not use (198.18.0.0/15, '
                            'the benchmarking range, is no real network\'s), or set allow_host_overlap: true if this is meant'
                            % (name, subnet, '; '.join(found), family, family))
    after = {'state': 'present', 'subnets': desired['subnets'], 'bridge': desired['bridge'], 'ours': True, 'spec': desired['spec']}
    return Plan(desired, current, [Action('create', name, desired['body'], None)], before, after, problems)


class Networks(OneByOneExecutor):
    """Makes and removes networks through the engine's API, one request each."""

    def __init__(self, api):
        self.api = api

    def _create(self, action):
        if action.new is None:  # (the undo)
            self._remove(action)
            return
        self.api.request('POST', '/networks/create', 'making network %s' % action.target, body=action.new, missing=())

    def _remove(self, action):
        from urllib.parse import quote
        self.api.request('DELETE', '/networks/%s' % quote(action.target, safe=''), 'removing network %s' % action.target)

    RUNS = {'create': _create, 'remove': _remove}


class NetworksPart(_runner.Held):
    """ovs_docker_topology's networks: observed in one listing, planned each, made before the
    containers that join them; removed after the containers went (``hold``: the steps are kept for
    the run's end, as the containers' discards)."""

    argument_spec = dict(
        networks=dict(type='list', elements='dict', options=OPTIONS, required=True),
        allow_host_overlap=dict(type='bool', default=False),
        docker_host=dict(type='str'),
        docker_timeout=dict(type='int', default=60),
    )
    one_key, list_key, noun = 'network', 'networks', 'network'
    quiet = True  # (the engine only)

    def validate(self):
        return self.validate_named(self.params['networks'], desired_state)

    def connect(self):
        base_url = _containers.docker_host(self.params['docker_host'])
        if not _containers.unix_socket(base_url):
            raise ModuleError('networks are made through the engine\'s local socket (unix://...), not %s: run the task on '
                              'the engine\'s host' % base_url)
        self.api = _containers.LocalApi(base_url, self.params['docker_timeout'])

    def make_plans(self):
        try:
            found = observe(self.api, set(d['name'] for d in self.desired), set(d['name'] for d in self.desired if d['state'] == 'absent'))
        except _containers.ContainerError as exc:
            raise ModuleError(str(exc))
        host, links = None, ()
        if any(d['state'] == 'present' and d['name'] not in found for d in self.desired):
            # (what a new network's bridge must not take from the host: its traffic, a link's name)
            from ansible_collections.netdevops.ovs_docker.plugins.module_utils._system.netlink import Netlink
            netlink = Netlink()
            try:
                links = set(link['name'] for link in netlink.links())
                host = None if self.params['allow_host_overlap'] else _hostnet.read(netlink)
            finally:
                netlink.close()
        return [plan(d, found.get(d['name']), {'host': host, 'links': links, 'leaving': self.leaving}) for d in self.desired]

    def executor(self):
        return Networks(self.api)

    def look(self, plan):
        return view(observe(self.api, {plan.desired['name']}, ()).get(plan.desired['name']))
