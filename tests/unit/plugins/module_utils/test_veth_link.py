# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""veth_link's pure parts: validation, ownership (the mark on both ends, each the other's peer),
the plan from current to desired, and its undo."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import marks as _marks
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.engine import NO_UNDO
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains import veth_link as _veth_link

A_END = {'container': 'r1', 'interface': 'eth1', 'addresses': ['198.18.40.1/30'], 'mac': '02:00:00:00:01:01'}
B_END = {'container': 'r2', 'interface': 'eth1', 'addresses': None, 'mac': None}
WHERE = ['/proc/10/ns/net', '/proc/20/ns/net']


def desired(state='present', mtu=9000, a=None, b=None):
    result, errors = _veth_link.desired_state({'ends': [dict(A_END, **(a or {})), dict(B_END, **(b or {}))],
                                               'mtu': mtu, 'state': state})
    assert errors == []
    return result


def end(index, peer, alias, mac='02:00:00:00:01:01', mtu=9000, state='up', kind='veth', addresses=()):
    return {'link': {'index': index, 'peer_index': peer, 'alias': alias, 'kind': kind, 'mac': mac, 'mtu': mtu,
                     'state': state}, 'addresses': list(addresses)}


def wired(want, **a):
    """The two ends of ``want`` as a run made them (a's settings changed by ``a``)."""
    settings = dict(dict(addresses=['198.18.40.1/30']), **a)
    return [end(5, 7, want['mark'], **settings), end(7, 5, want['mark'], mac='0a:00:00:00:00:02')]


NONE = [{'link': None, 'addresses': []}, {'link': None, 'addresses': []}]


@pytest.mark.parametrize('ends, words', [
    ([A_END], 'ends must list exactly two ends'),
    ([dict(A_END, namespace='ns1'), B_END], 'give one of container, namespace or host: true (where the end is), not '
                                            'container and namespace'),
    ([dict(A_END, container=None), B_END], 'not none'),
    ([dict(A_END, interface='eth1-much-too-long'), B_END], 'Linux interface names are at most 15'),
    ([dict(A_END, mac='01:00:00:00:00:01'), B_END], 'is a multicast address'),
    ([dict(A_END, addresses=['198.18.40.1']), B_END], 'has no prefix length'),
    ([A_END, dict(A_END, mac=None)], 'both ends are r1:eth1: a link joins two interfaces'),
    ([A_END, {'namespace': 'a/b', 'interface': 'eth0'}], "namespace 'a/b' is not a name ip netns takes"),
])
def test_bad_input_is_named_before_anything_is_looked_at(ends, words):
    result, errors = _veth_link.desired_state({'ends': ends, 'mtu': None, 'state': 'present'})
    assert result is None and any(words in e for e in errors), errors


def test_an_mtu_out_of_range_is_refused():
    _result, errors = _veth_link.desired_state({'ends': [A_END, B_END], 'mtu': 70000, 'state': 'present'})
    assert errors == ['mtu 70000 is out of range: give 68 to 65535']


def test_the_mark_names_the_link_and_a_long_one_is_a_digest():
    want = desired()
    assert want['key'] == 'r1:eth1--r2:eth1' and want['mark'] == _marks.VETH_LINK + ' r1:eth1--r2:eth1'
    long_key = 'x' * 300
    assert _veth_link.mark(long_key).startswith(_marks.VETH_LINK + ' sha1:') and len(_veth_link.mark(long_key)) < 255


def test_a_new_link_is_one_action_with_every_setting_and_its_undo_deletes_it():
    want = desired()
    plan = _veth_link.plan(want, NONE, {'where': WHERE, 'new_namespaces': []})
    assert plan.problems == [] and [a.kind for a in plan.actions] == ['veth']
    spec = plan.actions[0].new
    assert spec['mtu'] == 9000 and spec['mark'] == want['mark']
    assert spec['ends'][0] == {'path': WHERE[0], 'interface': 'eth1', 'mac': '02:00:00:00:01:01', 'addresses': ['198.18.40.1/30'],
                               'master': None}
    # b's MAC: derived from the link and the end, the same at every new make
    assert spec['ends'][1]['mac'] == desired()['ends'][1]['new_mac'] and spec['ends'][1]['mac'] != spec['ends'][0]['mac']
    assert plan.before['state'] == 'absent' and plan.after['state'] == 'present' and plan.after['ends'][1]['mtu'] == 9000
    assert plan.actions[0].undo().new is None


def test_a_namespace_that_is_not_there_is_made_first():
    want, _errors = _veth_link.desired_state({'ends': [A_END, {'namespace': 'ns9', 'interface': 'eth0'}], 'mtu': None, 'state': 'present'})
    plan = _veth_link.plan(want, NONE, {'where': [WHERE[0], '/run/netns/ns9'], 'new_namespaces': ['ns9']})
    assert [(a.kind, a.target) for a in plan.actions] == [('netns', 'ns9'), ('veth', want['key'])]


def test_a_link_as_asked_is_left_alone():
    want = desired()
    plan = _veth_link.plan(want, wired(want), {'where': WHERE, 'new_namespaces': []})
    assert plan.actions == [] and plan.before == plan.after


def test_drift_is_repaired_end_by_end_and_each_step_has_its_undo():
    want = desired(b={'addresses': ['198.18.40.2/30']})
    now = wired(want, mtu=1400, state='down', mac='02:00:00:00:09:09', addresses=['198.18.40.1/30', '198.18.40.5/30'])
    plan = _veth_link.plan(want, now, {'where': WHERE, 'new_namespaces': []})
    got = [(a.kind, a.target, a.new, a.old) for a in plan.actions]
    first = (WHERE[0], 'eth1')
    assert got == [('mac', first, '02:00:00:00:01:01', '02:00:00:00:09:09'), ('mtu', first, 9000, 1400),
                   ('link_state', first, 'up', 'down'), ('addr', first + ('198.18.40.5/30',), None, 'present'),
                   ('addr', (WHERE[1], 'eth1', '198.18.40.2/30'), 'present', None)]
    assert [a.undo().new for a in plan.actions] == ['02:00:00:00:09:09', 1400, 'down', 'present', None]


def test_addresses_not_asked_for_are_left_as_they_are():
    want = desired()
    now = wired(want)
    now[1]['addresses'] = ['198.18.40.2/30']
    assert _veth_link.plan(want, now, {'where': WHERE, 'new_namespaces': []}).actions == []


def test_an_interface_that_is_not_ours_is_refused_with_nothing_done():
    want = desired()
    for foreign in (end(5, 9, None), end(5, 9, 'someone'), end(5, 0, None, kind='bridge')):
        plan = _veth_link.plan(want, [foreign, NONE[1]], {'where': WHERE, 'new_namespaces': []})
        assert plan.actions == [] and len(plan.problems) == 1
        assert plan.problems[0].startswith('r1:eth1: eth1 is there already as a')
    assert 'a bridge link' in _veth_link.plan(want, [end(5, 0, None, kind='bridge'), NONE[1]], {'where': WHERE, 'new_namespaces': []}).problems[0]


def test_our_end_whose_peer_is_no_longer_the_other_is_made_again():
    want = desired()
    stale = [end(5, 99, want['mark']), NONE[1]]
    plan = _veth_link.plan(want, stale, {'where': WHERE, 'new_namespaces': []})
    assert [(a.kind, a.old) for a in plan.actions] == [('stale', NO_UNDO), ('veth', None)]


def test_absent_deletes_only_our_pair_and_its_undo_makes_it_again_alike():
    want = desired(state='absent')
    plan = _veth_link.plan(want, wired(want), {'where': WHERE, 'new_namespaces': []})
    assert [a.kind for a in plan.actions] == ['veth'] and plan.actions[0].new is None
    assert plan.after['state'] == 'absent'
    again = plan.actions[0].undo().new
    assert again['ends'][0]['mac'] == '02:00:00:00:01:01' and again['ends'][0]['addresses'] == ['198.18.40.1/30']
    # someone else's interface under the name: not ours to delete, nothing planned
    assert _veth_link.plan(want, [end(5, 9, None), NONE[1]], {'where': WHERE, 'new_namespaces': []}).actions == []
    assert _veth_link.plan(want, NONE, {'where': WHERE, 'new_namespaces': []}).actions == []


def test_purge_deletes_our_links_not_listed_and_only_those():
    mark = _marks.VETH_LINK + ' r1:eth2--r3:eth1'
    listed = desired()['mark']
    found = {
        listed: [('r1', WHERE[0], {'name': 'eth1', 'mac': 'm1', 'mtu': 9000, 'state': 'up'}, [])],
        mark: [('r1', WHERE[0], {'name': 'eth2', 'mac': 'm2', 'mtu': 1500, 'state': 'up'}, ['198.18.40.9/30']),
               ('r3', '/proc/30/ns/net', {'name': 'eth1', 'mac': 'm3', 'mtu': 1500, 'state': 'up'}, [])],
        _marks.VETH_LINK + ' r1:eth3--r9:eth1': [
            ('r1', WHERE[0], {'name': 'eth3', 'mac': 'm4', 'mtu': 1500, 'state': 'up'}, [])],
    }
    plans = _veth_link.purge_plans(found, {listed})
    assert [p.desired['key'] for p in plans] == ['r1:eth2--r3:eth1', 'r1:eth3--r9:eth1']
    both, alone = plans
    # both ends found: deleted, and an undo makes it again with its MACs and addresses
    again = both.actions[0].undo().new
    assert both.actions[0].kind == 'veth' and [e['mac'] for e in again['ends']] == ['m2', 'm3']
    assert again['ends'][0]['addresses'] == ['198.18.40.9/30'] and again['mark'] == mark
    # one end only (its peer in a container the purge does not name): deleted by its mark, no undo
    assert alone.actions[0].kind == 'purge' and alone.actions[0].undo() is None
    assert alone.actions[0].target == (WHERE[0], 'eth3', _marks.VETH_LINK + ' r1:eth3--r9:eth1')
    assert both.before['state'] == 'present' and both.after == {'key': 'r1:eth2--r3:eth1', 'state': 'absent'}


def test_with_other_addresses_keep_the_asked_ones_are_added_and_the_others_stay():
    want, _errors = _veth_link.desired_state({'ends': [A_END, dict(B_END, addresses=['198.18.40.2/30'])], 'mtu': 9000,
                                              'state': 'present', 'other_addresses': 'keep'})
    # what a routing daemon put on a's end, and b's declared address gone by hand
    now = wired(want, addresses=['198.18.40.1/30', '198.18.77.1/32'])
    plan = _veth_link.plan(want, now, {'where': WHERE, 'new_namespaces': []})
    assert [(a.kind, a.target, a.new) for a in plan.actions] == [('addr', (WHERE[1], 'eth1', '198.18.40.2/30'), 'present')]
    assert plan.after['ends'][0]['addresses'] == ['198.18.40.1/30', '198.18.77.1/32']
    assert plan.after['ends'][1]['addresses'] == ['198.18.40.2/30']
    # the same, the default way: the list is the whole set
    want['keep_others'] = False
    kinds = [(a.kind, a.new) for a in _veth_link.plan(want, now, {'where': WHERE, 'new_namespaces': []}).actions]
    assert ('addr', None) in kinds


HOST_END = {'host': True, 'interface': 'e1', 'master': 'br-clab'}


def test_an_end_in_the_hosts_namespace_takes_no_address_and_master_is_for_it_only():
    def errors(a, b):
        return _veth_link.desired_state({'ends': [a, b], 'state': 'present'})[1]
    assert errors(A_END, HOST_END) == []
    assert 'takes no addresses' in errors(A_END, dict(HOST_END, addresses=['198.18.0.1/24']))[0]
    assert 'for an end in the host' in errors(dict(A_END, master='br-clab'), HOST_END)[0]
    assert 'give one of container, namespace or host' in errors(dict(A_END, host=True), HOST_END)[0]
    want, _e = _veth_link.desired_state({'ends': [A_END, HOST_END], 'state': 'present'})
    assert want['key'] == 'r1:eth1--host:e1' and want['ends'][1]['label'] == 'host:e1'


def test_a_host_end_is_made_a_port_of_its_linux_bridge_and_kept_there():
    want, _e = _veth_link.desired_state({'ends': [A_END, HOST_END], 'state': 'present', 'mtu': 9000})
    where = ['/proc/42/ns/net', _veth_link.HOST_PATH]
    bridge = {'link': None, 'addresses': [], 'master': None, 'bridge': 'bridge'}
    new = _veth_link.plan(want, [{'link': None, 'addresses': []}, bridge], {'where': where, 'new_namespaces': []})
    assert [a.kind for a in new.actions] == ['veth'] and new.actions[0].new['ends'][1]['master'] == 'br-clab'
    assert new.after['ends'][1] == dict(new.after['ends'][1], host=True, master='br-clab')
    now = wired(want)
    now[1] = dict(now[1], master='br-other', bridge='bridge')
    moved = _veth_link.plan(want, now, {'where': where, 'new_namespaces': []})
    assert [(a.kind, a.new, a.old) for a in moved.actions] == [('master', 'br-clab', 'br-other')]
    now[1]['master'] = 'br-clab'
    assert _veth_link.plan(want, now, {'where': where, 'new_namespaces': []}).actions == []


def test_a_missing_linux_bridge_or_a_name_the_host_has_is_refused():
    want, _e = _veth_link.desired_state({'ends': [A_END, HOST_END], 'state': 'present'})
    where = ['/proc/42/ns/net', _veth_link.HOST_PATH]
    missing = _veth_link.plan(want, [{'link': None, 'addresses': []}, {'link': None, 'addresses': [], 'bridge': None}],
                              {'where': where, 'new_namespaces': []})
    assert missing.actions == [] and 'br-clab does not exist: make the Linux bridge first' in missing.problems[0]
    eth0 = dict(end(2, 0, None, kind=None), master=None, bridge='bridge')  # the host's own e1
    taken = _veth_link.plan(want, [{'link': None, 'addresses': []}, eth0], {'where': where, 'new_namespaces': []})
    assert taken.actions == [] and 'host:e1: e1 is there already' in taken.problems[0]


def test_an_end_of_a_link_this_run_purges_is_taken_for_the_new_link():
    want, _e = _veth_link.desired_state({'ends': [A_END, HOST_END], 'state': 'present'})
    where = ['/proc/42/ns/net', _veth_link.HOST_PATH]
    old = end(5, 7, 'netdevops.ovs_docker.veth_link r1:eth1--host:e9')  # r1's eth1 on the bridge as e9 before
    current = [old, {'link': None, 'addresses': [], 'master': None, 'bridge': 'bridge'}]
    refused = _veth_link.plan(want, current, {'where': where, 'new_namespaces': []})
    assert refused.actions == [] and 'a veth of another link' in refused.problems[0]
    moved = _veth_link.plan(want, current, {'where': where, 'new_namespaces': [], 'freed': {old['link']['alias']}})
    assert [(a.kind, a.target) for a in moved.actions][:1] == [('stale', (where[0], 'eth1'))]
    assert [a.kind for a in moved.actions] == ['stale', 'veth']
