# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The attachment plan (netns_veth, ovs_docker_port): desired vs current -> actions. Pure, no root."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import marks as _marks
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.engine import NO_UNDO, Action as A, Plan
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains.attachment import plan as _attach
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains.attachment import apply as _attach_apply
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains.attachment import desired as _attach_desired

SPEC = dict(state='present', namespace='ns1', interface='veth1', host_interface='veth0', bridge='br0')


def parts(plan):
    """(actions, before, after, problems) of a Plan."""
    return plan.actions, plan.before, plan.after, plan.problems


def desired(**kwargs):
    result, errors = _attach_desired.desired_state(dict(SPEC, **kwargs))
    assert errors == []
    return result


def errors_of(**kwargs):
    return _attach_desired.desired_state(dict(SPEC, **kwargs))[1]


def current(**kwargs):
    """A complete, healthy attachment: ns1/veth1 <-> veth0 on br0, 192.168.1.1/24 via .250."""
    state = {
        'netns_exists': True, 'paired': True, 'lo_state': 'up', 'ipv6_disabled': False,
        'gateway': '192.168.1.250', 'gateway6': None, 'bridge_exists': True,
        'ns_link': {'index': 2, 'kind': 'veth', 'peer_index': 9, 'state': 'up', 'mtu': 1500,
                    'mac': '02:00:00:00:00:01', 'addresses': ['192.168.1.1/24']},
        'host_link': {'index': 9, 'kind': 'veth', 'peer_index': 2, 'state': 'up', 'mtu': 1500},
        'port': {'bridge': 'br0', 'tag': None, 'external_ids': {}},
    }
    for key, value in kwargs.items():
        if isinstance(value, dict) and isinstance(state.get(key), dict):
            state[key] = dict(state[key], **value)
        else:
            state[key] = value
    return state


SEED = dict(addresses=['192.168.1.1/24'], gateway='192.168.1.250')


def kinds(actions):
    """Each action's kind, with + where it creates and - where it deletes."""
    return [a.kind + ('-' if a.new is None else '+' if a.old is None else '') for a in actions]


# -- validation --------------------------------------------------------------------------------

@pytest.mark.parametrize('spec, words', [
    (dict(interface='x' * 16), 'at most 15'),
    (dict(host_interface='bad name'), 'not a valid interface name'),
    (dict(bridge='b' * 16), 'at most 15'),
    (dict(namespace='my ns'), 'neither a name'),
    (dict(namespace='relative/path'), 'neither a name'),
    (dict(addresses=['10.0.0.1']), 'no prefix length'),
    (dict(mac='01:00:5e:00:00:01'), 'multicast'),
    (dict(mac='00:00:00:00:00:00'), 'cannot be an interface address'),
    (dict(mac='02:00:00:00:00'), 'not a MAC address'),
    (dict(mtu=67), 'out of range'),
    (dict(mtu=65536), 'out of range'),
    (dict(mtu=1000, addresses=['2001:db8::1/64']), 'least IPv6 needs'),
    (dict(addresses=['10.0.0.1/24'], gateway='10.0.1.1'), 'in none of'),
    (dict(addresses=['10.0.0.1/24'], gateway='10.0.0.1'), "own address"),
    (dict(addresses=['10.0.0.1/24'], gateway='2001:db8::1'), 'not an IPv4 address'),
    (dict(gateway='10.0.0.1'), 'needs addresses'),
    (dict(vlan=4095), 'out of range'),
    (dict(vlan=5, bridge=None), 'need bridge'),
    (dict(namespace='/proc/1/ns/net', delete_namespace=True), 'named namespaces only'),
])
def test_bad_input_is_named_with_a_fix(spec, words):
    assert any(words in e for e in errors_of(**spec)), errors_of(**spec)


def test_valid_input_is_canonical():
    want = desired(addresses=['2001:DB8::2/64', '10.0.0.2/24'], gateway='10.0.0.1', gateway6='2001:db8::1',
                   mac='02-AA-BB-CC-DD-EE', mtu=9000, vlan=10)
    assert want['addresses'] == ['10.0.0.2/24', '2001:db8::2/64']
    assert want['mac'] == '02:aa:bb:cc:dd:ee' and want['mtu'] == 9000 and want['vlan'] == 10
    assert want['netns_path'] == '/run/netns/ns1' and want['named']


def test_onlink_gateway_needs_no_subnet():
    assert desired(addresses=['10.0.0.2/32'], gateway='10.0.0.1', gateway_onlink=True)['gateway'] == '10.0.0.1'


def test_default_host_interface_is_stable_and_short():
    a = desired(host_interface=None)['host_interface']
    assert a == desired(host_interface=None)['host_interface'] and len(a) <= 15
    assert a != desired(host_interface=None, interface='eth1')['host_interface']


# -- plans -------------------------------------------------------------------------------------

def test_create_everything_from_nothing():
    now = current(netns_exists=False, paired=False, ns_link=None, host_link=None, port=None, lo_state=None, gateway=None)
    actions, before, after, problems = parts(_attach.plan(desired(**SEED), now))
    assert problems == []
    assert kinds(actions) == ['netns+', 'veth+', 'link_state', 'mac', 'link_state', 'link_state', 'addr+', 'route', 'port+']
    assert before['state'] == 'absent'
    assert after['addresses'] == ['192.168.1.1/24'] and after['bridge'] == 'br0' and after['gateway'] == '192.168.1.250'


def test_noop_when_everything_matches():
    actions, before, after, problems = parts(_attach.plan(desired(**SEED), current()))
    assert actions == [] and problems == [] and before == after


def test_drift_address_and_downed_link_are_repaired():
    now = current(ns_link={'state': 'down', 'addresses': ['192.168.1.9/24']})
    actions, before, after, _p = parts(_attach.plan(desired(**SEED), now))
    assert actions == [A('link_state', 'ns', 'up', 'down'), A('addr', '192.168.1.9/24', None, 'present'),
                       A('addr', '192.168.1.1/24', 'present', None),
                       A('route', 2, ('192.168.1.250', False), ('192.168.1.250', False))]
    assert before['addresses'] == ['192.168.1.9/24'] and before['link_state'] == 'down'
    assert after['addresses'] == ['192.168.1.1/24'] and after['link_state'] == 'up'


def test_deleted_ovs_port_is_added_back():
    actions = _attach.plan(desired(**SEED), current(port=None)).actions
    assert actions == [A('port', 'veth0', {'bridge': 'br0', 'tag': None, 'external_ids': {}}, None)]


def test_port_on_another_bridge_is_moved():
    actions = _attach.plan(desired(**SEED), current(port={'bridge': 'br9'})).actions
    assert kinds(actions) == ['port-', 'port+'] and actions[0].old['bridge'] == 'br9' and actions[1].new['bridge'] == 'br0'


MARKS = {_marks.NETNS: 'ns1', _marks.NETNS_IFACE: 'veth1'}


def test_a_broken_pair_is_replaced_and_its_stale_port_goes_first():
    """The namespace end was moved (the host end and its port, ours by the port's marks, remain)."""
    now = current(paired=False, ns_link=None, gateway=None, port={'external_ids': dict(MARKS)})
    actions, _b, after, problems = parts(_attach.plan(desired(marks=MARKS, **SEED), now))
    assert problems == []
    assert kinds(actions)[:3] == ['port-', 'veth-', 'veth+']
    assert kinds(actions)[-1] == 'port+'
    assert after['state'] == 'present'


def test_mtu_on_both_ends_mac_and_vlan():
    actions = _attach.plan(desired(mtu=9000, mac='02:00:00:00:00:02', vlan=10, **SEED), current()).actions
    assert A('mtu', 'host', 9000, 1500) in actions and A('mtu', 'ns', 9000, 1500) in actions
    assert A('mac', 'ns', '02:00:00:00:00:02', '02:00:00:00:00:01') in actions
    assert A('port_tag', 'veth0', 10, None) in actions


def test_vlan_zero_clears_the_tag():
    actions = _attach.plan(desired(vlan=0, **SEED), current(port={'tag': 10})).actions
    assert actions == [A('port_tag', 'veth0', None, 10)]
    assert _attach.plan(desired(vlan=0, **SEED), current()).actions == []


def test_ipv6_is_switched_on_when_asked_for():
    actions = _attach.plan(desired(addresses=['2001:db8::2/64']), current(ipv6_disabled=True)).actions
    enable, add = A('ipv6', 'ns', 'enable', 'disable'), A('addr', '2001:db8::2/64', 'present', None)
    assert enable in actions and actions.index(enable) < actions.index(add)


def test_gateway_change_and_removal():
    assert _attach.plan(desired(addresses=['192.168.1.1/24'], gateway='192.168.1.254'), current()).actions == [
        A('route', 2, ('192.168.1.254', False), ('192.168.1.250', False))]
    assert _attach.plan(desired(gateway=''), current()).actions == [A('route', 2, (None, False), ('192.168.1.250', False))]


def test_external_ids_merge():
    actions = _attach.plan(desired(external_ids={'b': 2}, **SEED), current(port={'external_ids': {'a': '1'}})).actions
    assert actions == [A('iface_ext', 'veth0', {'a': '1', 'b': '2'}, {'a': '1'})]


def test_without_bridge_no_port_is_touched():
    assert _attach.plan(desired(bridge=None, **SEED), current(port=None)).actions == []


@pytest.mark.parametrize('now, spec, words', [
    (dict(netns_exists=False, paired=False, ns_link=None, host_link=None), dict(namespace='/proc/999999/ns/net'), 'does not exist'),
    (dict(netns_exists=False, paired=False, ns_link=None, host_link=None), dict(create_namespace=False), 'create_namespace is false'),
    (dict(paired=False, host_link={'kind': 'bridge'}), {}, 'not a veth'),
    (dict(bridge_exists=False, port=None), {}, 'create it first'),
])
def test_problems_found_by_looking(now, spec, words):
    _actions, _b, _a, problems = parts(_attach.plan(desired(**spec), current(**now)))
    assert any(words in p for p in problems)


def test_absent_removes_port_then_pair():
    actions, before, after, _p = parts(_attach.plan(desired(state='absent'), current()))
    assert actions == [A('port', 'veth0', None, {'bridge': 'br0', 'tag': None, 'external_ids': {}}),
                       A('veth', 'veth0', None, NO_UNDO)]
    assert before['state'] == 'present' and after['state'] == 'absent'


def test_absent_with_namespace_deletion_and_nothing_there():
    now = current(paired=False, ns_link=None, host_link=None, port=None)
    assert _attach.plan(desired(state='absent'), now).actions == []
    assert _attach.plan(desired(state='absent', delete_namespace=True), now).actions == [A('netns', 'ns1', None, NO_UNDO)]


def test_undo_of_a_plan_takes_back_each_action_and_keeps_away_from_what_it_cannot():
    now = current(netns_exists=False, paired=False, ns_link=None, host_link=None, port=None, lo_state=None, gateway=None)
    actions = _attach.plan(desired(mtu=9000, **SEED), now).actions
    for action, undo in [(A('netns', 'ns1', True, None), A('netns', 'ns1', None, True)),
                         (A('veth', 'veth0', {'peer': 'veth1'}, None), A('veth', 'veth0', None, {'peer': 'veth1'})),
                         (A('mtu', 'ns', 9000, 1500), A('mtu', 'ns', 1500, 9000)),
                         (A('route', 2, ('192.168.1.250', False), (None, False)), A('route', 2, (None, False), ('192.168.1.250', False)))]:
        assert action in actions and action.undo() == undo
    assert [a.undo() for a in actions if a.kind == 'mac'] == [None]  # a new pair's MAC: the pair goes as a whole
    stale = _attach.plan(desired(marks=MARKS), current(paired=False, ns_link=None, port={'external_ids': dict(MARKS)})).actions
    assert [a.undo() for a in stale if a.kind == 'veth' and a.new is None] == [None]  # not made again


def test_gateway_is_set_again_when_an_address_change_takes_the_route_away():
    actions = _attach.plan(desired(addresses=['192.168.1.3/24'], gateway='192.168.1.250'), current()).actions
    assert actions == [A('addr', '192.168.1.1/24', None, 'present'), A('addr', '192.168.1.3/24', 'present', None),
                       A('route', 2, ('192.168.1.250', False), ('192.168.1.250', False))]


def test_unmanaged_gateway_is_kept_across_address_changes_when_still_reachable():
    actions = _attach.plan(desired(addresses=['192.168.1.3/24']), current()).actions
    assert actions[-1] == A('route', 2, ('192.168.1.250', False), ('192.168.1.250', False))
    assert kinds(_attach.plan(desired(addresses=['10.0.0.3/24']), current()).actions) == ['addr-', 'addr+']


def test_an_ipv6_address_change_leaves_the_ipv4_route_alone():
    now = current(ns_link={'addresses': ['192.168.1.1/24', '2001:db8::1/64']})
    actions = _attach.plan(desired(addresses=['192.168.1.1/24', '2001:db8::2/64'], gateway='192.168.1.250'), now).actions
    assert kinds(actions) == ['addr-', 'addr+']


def test_steps_join_ovsdb_runs_host_link_deletions_and_one_links_attributes():
    """Many attachments: their OVSDB actions share one executor (consecutive: one transaction),
    deletions of pairs another (one link group), the rest each attachment's own."""
    from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.engine import _groups
    one, two = desired(**SEED), desired(namespace='ns2', **SEED)
    port = {'bridge': 'br0', 'tag': None, 'external_ids': {}}
    plans = [Plan(one, None, [A('port', 'x', None, port), A('veth', 'x', None, NO_UNDO), A('veth', 'h', {'peer': 'n'}, None),
                              A('mtu', 'host', 9000, 1500), A('link_state', 'host', 'up', 'down'), A('mtu', 'ns', 9000, 1500),
                              A('mac', 'ns', '02:00:00:00:00:01', NO_UNDO), A('link_state', 'ns', 'up', 'down'),
                              A('port', 'h', port, None)]),
             Plan(two, None, [A('port', 'y', None, port), A('veth', 'y', None, NO_UNDO), A('link_state', 'ns', 'up', 'down'),
                              A('port_tag', 'y', 5, None)])]
    steps = _attach_apply.schedule(plans, db=None, host=None)
    groups = [(type(e).__name__, [a.kind for a in actions]) for e, actions in _groups(steps)]
    assert groups == [
        ('PortRows', ['port', 'port']), ('HostLinks', ['veth']), ('AttachmentLinks', ['veth']),
        ('AttachmentLinks', ['mtu', 'link_state']), ('AttachmentLinks', ['mtu', 'mac', 'link_state']),
        ('HostLinks', ['veth']), ('AttachmentLinks', ['link_state']), ('PortRows', ['port', 'port_tag'])]


# -- ownership: only what is provably ours is changed ------------------------------------------

DOCKER_ETH0 = {'index': 6, 'kind': 'veth', 'peer_index': 7, 'peer_elsewhere': True, 'state': 'up', 'mtu': 1500,
               'mac': '02:42:ac:11:00:02', 'addresses': ['172.17.0.2/16'], 'peer_name': 'veth3f2a', 'peer_master': 'docker0'}
FOREIGN_VETH = {'index': 11, 'kind': 'veth', 'peer_index': 12, 'peer_elsewhere': False, 'state': 'down', 'mtu': 1500,
                'master_name': None}
NOTHING = dict(paired=False, ns_link=None, host_link=None, port=None, gateway=None)


def nothing(**kwargs):
    """NOTHING of ours, with what ``kwargs`` put under our names."""
    state = dict(NOTHING)
    state.update(kwargs)
    return state


def refused(now, **spec):
    actions, before, after, problems = parts(_attach.plan(desired(marks=MARKS, **spec), current(**now)))
    assert problems, actions
    return ' '.join(problems)


@pytest.mark.parametrize('state', ['present', 'absent'])
def test_dockers_own_interface_is_refused_with_the_fix(state):
    words = refused(nothing(ns_link=DOCKER_ETH0), state=state, interface='eth0', where='container web')
    assert "eth0 in container web is not one this module made" in words
    assert "peer veth3f2a is on docker0 (Docker's network)" in words and 'for example eth1' in words


@pytest.mark.parametrize('state', ['present', 'absent'])
def test_a_foreign_host_veth_is_refused(state):
    words = refused(nothing(host_link=FOREIGN_VETH), state=state)
    assert 'veth0 already exists: a veth this module did not make (its peer is in the host' in words
    assert '%s=ns1, %s=veth1' % (_marks.NETNS, _marks.NETNS_IFACE) in words


@pytest.mark.parametrize('ids', [{}, {_marks.NETNS: 'ns2', _marks.NETNS_IFACE: 'veth1'}])
@pytest.mark.parametrize('state', ['present', 'absent'])
def test_a_port_without_our_marks_is_refused(ids, state):
    words = refused(nothing(port={'external_ids': ids}), state=state)
    assert "OVS port veth0 on bridge br0 is not this attachment's" in words


def test_a_foreign_veth_stays_foreign_even_beside_a_port_with_our_marks():
    """The marked port proves its own device ours, not a link of another name inside the namespace."""
    words = refused(nothing(port={'external_ids': dict(MARKS)}, ns_link=DOCKER_ETH0))
    assert 'not one this module made' in words


def test_a_device_that_is_no_veth_is_refused_even_with_our_marks():
    words = refused(nothing(port={'external_ids': dict(MARKS)}, host_link={'kind': 'tun', 'index': 3}))
    assert 'is a tun, not a veth' in words


def test_the_stale_row_of_a_restarted_container_is_ours_by_its_marks():
    now = current(**nothing(port={'external_ids': dict(MARKS)}))
    actions, _b, _a, problems = parts(_attach.plan(desired(marks=MARKS, **SEED), now))
    assert problems == [] and kinds(actions)[:2] == ['port-', 'veth+'] and kinds(actions)[-1] == 'port+'
    actions, _b, _a, problems = parts(_attach.plan(desired(marks=MARKS, state='absent'), now))
    assert problems == [] and kinds(actions) == ['port-']


def test_a_hand_made_pair_exactly_as_we_would_make_it_is_adopted_and_marked():
    """The seed's ns1, built by hand: both ends are exactly our pair, its port carries no marks yet."""
    actions, _b, _a, problems = parts(_attach.plan(desired(marks=MARKS, **SEED), current()))
    assert problems == [] and actions == [A('iface_ext', 'veth0', MARKS, {})]


def test_our_marks_win_over_the_users_external_ids():
    want = desired(marks=MARKS, external_ids={_marks.NETNS: 'elsewhere', _marks.NETNS_IFACE: None, 'role': 'x'})
    assert want['external_ids'] == dict(MARKS, role='x')


def test_a_namespace_we_must_not_work_in_is_the_only_answer():
    problem = 'namespace /proc/1/ns/net is this host\'s own network namespace'
    for state in ('present', 'absent'):
        actions, before, after, problems = parts(_attach.plan(desired(state=state), current(netns_problem=problem)))
        assert actions == [] and problems == [problem] and before == after


@pytest.mark.parametrize('name, suggestion', [('eth0', 'eth1'), ('eth9', 'eth10'), ('veth', 'veth1')])
def test_a_free_name_is_suggested(name, suggestion):
    assert _attach._next_name(name) == suggestion


def test_a_pair_on_a_linux_bridge_is_never_ours_even_when_named_exactly():
    """Docker's own pair named exactly (its veth in the host, eth0 in the container) stays Docker's."""
    now = current(host_link={'master_name': 'docker0', 'master_kind': 'bridge'})
    words = ' '.join(_attach.plan(desired(marks=MARKS, **SEED), now).problems)
    assert "host_interface veth0 is on docker0, a bridge that is not Open vSwitch (Docker's network)" in words
    on_ovs = current(host_link={'master_name': 'ovs-system', 'master_kind': 'openvswitch'})
    assert _attach.plan(desired(**SEED), on_ovs).problems == []


# -- delete_namespace: only a namespace with nothing else in it ---------------------------------

def _link(index, name, kind='veth', parent=None):
    return {'index': index, 'name': name, 'kind': kind, 'peer_index': parent}


def test_what_keeps_a_namespace():
    links = [_link(1, 'lo', None), _link(2, 'veth1'), _link(3, 'veth1.20', 'vlan', 2), _link(4, 'sit0', 'sit'),
             _link(5, 'wk1'), _link(6, 'eth9'), _link(7, 'eth9.5', 'vlan', 6)]
    want = desired(state='absent', delete_namespace=True)
    # our interface and its sub-interfaces, lo and the kernel's fallback tunnels are no reason
    assert _attach._others_in(links, want) == ['eth9', 'eth9.5', 'wk1']
    # links another attachment of the same run removes are none either, with their sub-interfaces
    want['namespace_ours'] = set(['eth9'])
    assert _attach._others_in(links, want) == ['wk1']


def test_a_namespace_holding_another_workloads_link_is_kept():
    now = current(netns_others=['wk1'])
    actions, _before, after, problems = parts(_attach.plan(desired(state='absent', delete_namespace=True), now))
    assert kinds(actions) == ['port-', 'veth-'] and problems == []  # our links go, the namespace stays
    assert after['namespace_exists'] is True and 'holds wk1' in after['namespace_kept']
    actions, _before, after, _p = parts(_attach.plan(desired(state='absent', delete_namespace=True), current(netns_others=[])))
    assert kinds(actions) == ['port-', 'veth-', 'netns-'] and 'namespace_kept' not in after


def test_with_other_addresses_keep_what_the_namespace_has_besides_stays():
    now = current(ns_link={'addresses': ['192.168.1.9/24']})
    actions, _before, after, _p = parts(_attach.plan(desired(other_addresses='keep', **SEED), now))
    assert actions == [A('addr', '192.168.1.1/24', 'present', None)]
    assert after['addresses'] == ['192.168.1.9/24', '192.168.1.1/24']
    actions, _before, _after, _p = parts(_attach.plan(desired(other_addresses='keep', **SEED), current()))
    assert actions == []
