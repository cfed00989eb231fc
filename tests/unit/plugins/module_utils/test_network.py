# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Docker networks (a topology's management network): the request, the plan - made, used as it is
when someone else's, refused when ours from another request or when it would take the host's
traffic, removed only with nothing else on it - and a container's eth0 on one."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import marks as _marks
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains import container as _container
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains import host_part
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains import network as _network

MARK = {_marks.CLAB: 'star'}
HOST = {'addresses': [('198.19.113.1/24', 'uplink0')], 'routes': [('198.19.0.0/16', 'eth0', '198.19.113.254', 4)],
        'peers': [('198.19.113.254', 'the gateway {}')]}


def desired(**spec):
    found, problems = _network.desired_state(dict(dict(name='clab', ipv4_subnet='198.18.20.0/24', bridge='br-clab',
                                                       labels=MARK), **spec))
    assert problems == []
    return found


def found(want=None, **more):
    want = want or desired()
    return dict({'id': 'f' * 64, 'labels': want['body']['Labels'], 'subnets': want['subnets'], 'bridge': 'br-clab',
                 'containers': []}, **more)


def test_the_request_is_the_engines_with_its_digest():
    want = desired(ipv6_subnet='fdff:198:18:20::/64', ipv6_gateway='fdff:198:18:20::fe', mtu=1400)
    body = want['body']
    assert body['IPAM']['Config'] == [{'Subnet': '198.18.20.0/24'}, {'Subnet': 'fdff:198:18:20::/64', 'Gateway': 'fdff:198:18:20::fe'}]
    assert body['EnableIPv6'] is True and body['Driver'] == 'bridge'
    assert body['Options'] == {_network.BRIDGE_NAME: 'br-clab', _network.DRIVER_MTU: '1400'}
    assert body['Labels'] == dict(MARK, **{_marks.NETWORK_SPEC: want['spec']})
    assert desired()['spec'] != want['spec'] and desired()['spec'] == desired()['spec']


def test_bad_input_is_named():
    cases = [(dict(ipv4_subnet='198.18.20.1/24'), 'has host bits set'), (dict(ipv4_subnet='fdff::/64'), 'is an IPv6 subnet'),
             (dict(ipv4_gateway='198.18.21.1'), 'is not a host address of ipv4_subnet'), (dict(name='-x'), 'not a network name'),
             (dict(bridge='b' * 16), 'at most 15'), (dict(mtu=70000), 'out of range'), (dict(ipv4_subnet=None, ipv4_gateway='1.2.3.4'), 'needs its')]
    for spec, text in cases:
        _found, problems = _network.desired_state(dict(dict(name='clab', ipv4_subnet='198.18.20.0/24'), **spec))
        assert problems and text in problems[0], (spec, problems)


def test_a_new_network_is_made_unless_it_takes_the_hosts_traffic_or_a_links_name():
    made = _network.plan(desired(), None, {'host': HOST, 'links': set(['eth0'])})
    assert [a.kind for a in made.actions] == ['create'] and made.problems == [] and made.after['ours'] is True
    assert made.actions[0].undo().new is None  # (the undo removes it)
    taken = _network.plan(desired(ipv4_subnet='198.19.8.0/24'), None, {'host': HOST})
    assert "network clab's subnet 198.19.8.0/24 would take this host's own traffic away from: route 198.19.0.0/16 via 198.19.113.254 " \
           "dev eth0" in taken.problems[0] and 'mgmt.ipv4-subnet' in taken.problems[0]
    gateway = _network.plan(desired(ipv4_subnet='198.19.113.0/24'), None, {'host': HOST})
    assert 'the gateway 198.19.113.254' in gateway.problems[0]
    named = _network.plan(desired(), None, {'host': HOST, 'links': set(['br-clab'])})
    assert 'a link called br-clab is on this host already' in named.problems[0]


def test_ours_the_same_is_kept_ours_from_another_request_is_refused_anothers_is_used_as_it_is():
    assert _network.plan(desired(), found(), {}).actions == []
    other = _network.plan(desired(ipv4_subnet='198.18.21.0/24'), found(), {})
    assert other.actions == [] and 'was made by this collection from another request (subnets 198.18.20.0/24' in other.problems[0]
    theirs = _network.plan(desired(), found(labels={}), {})
    assert theirs.actions == [] and theirs.problems == [] and 'used as it is, never removed' in theirs.after['kept']


def test_removed_only_when_ours_and_nothing_else_is_on_it():
    gone = desired(state='absent')
    assert [a.kind for a in _network.plan(gone, found(containers=['clab-star-h1']), {'leaving': ['clab-star-h1']}).actions] == ['remove']
    kept = _network.plan(gone, found(containers=['clab-star-h1', 'mine']), {'leaving': ['clab-star-h1']})
    assert kept.actions == [] and 'mine' in kept.after['kept']
    assert _network.plan(gone, found(labels={}), {}).actions == [] and _network.plan(gone, None, {}).actions == []


def test_a_container_joins_one_network_at_its_creation_with_its_addresses():
    network = {'name': 'clab', 'ipv4_address': '198.18.20.11', 'ipv6_address': 'fdff:198:18:20::11', 'aliases': ['h1']}
    spec = {'name': 'clab-star-h1', 'image': 'i', 'networks': [network]}
    want, problems = _container.desired_state(spec)
    assert problems == [] and want['body']['HostConfig']['NetworkMode'] == 'clab'
    assert want['body']['NetworkingConfig'] == {'EndpointsConfig': {'clab': {
        'IPAMConfig': {'IPv4Address': '198.18.20.11', 'IPv6Address': 'fdff:198:18:20::11'}, 'Aliases': ['h1']}}}
    moved, _p = _container.desired_state(dict(spec, networks=[{'name': 'clab', 'ipv4_address': '198.18.20.12'}]))
    assert moved['spec'] != want['spec']  # (a new address: the node is made again)
    plain, _p = _container.desired_state({'name': 'c', 'image': 'i'})
    assert plain['body']['HostConfig']['NetworkMode'] == 'none' and 'NetworkingConfig' not in plain['body']
    for bad, text in (([{'name': 'a'}, {'name': 'b'}], 'joins one'), ([{'name': 'a', 'ipv4_address': '198.18.20.1/24'}], 'no prefix'),
                      ([{'name': 'a', 'ipv4_address': 'fdff::1'}], 'not an IPv4')):
        _d, problems = _container.desired_state(dict(spec, networks=bad))
        assert problems and text in problems[0], problems
    _d, problems = _container.desired_state(dict(spec, network_mode='container:x'))
    assert 'give one of them' in problems[0]


def test_the_topologys_networks_it_no_longer_has_are_leftovers():
    wanted = dict(dict((s, []) for s in host_part.SECTIONS), networks=[{'name': 'clab'}])
    more, _keep, _kept, _problems = host_part.leftovers(wanted, {}, [], MARK, {'clab': MARK, 'old': MARK, 'theirs': {}})
    assert more['networks'] == [{'name': 'old', 'state': 'absent'}]
