# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""VLAN modes, trunks, sub-interfaces, ingress policing and egress limits in the attachment plan. Pure, no root."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.engine import Action as A
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains.attachment import plan as _attach
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains.attachment import desired as _attach_desired

from .test_attach_plan import SEED, current, desired, errors_of, kinds, parts


def sub(vid, name=None, index=None, addresses=(), state='up', parent=2):
    return {'index': index or 100 + vid, 'name': name or 'veth1.%d' % vid, 'kind': 'vlan', 'vlan_id': vid,
            'peer_index': parent, 'state': state, 'addresses': list(addresses)}


def test_trunks_take_ids_and_ranges_sorted_once():
    assert _attach_desired.parse_trunks([20, '10', '100-102', ' 11 - 12 ', 10]) == ([10, 11, 12, 20, 100, 101, 102], [])
    assert _attach_desired.parse_trunks([0, 4095])[0] == [0, 4095]


@pytest.mark.parametrize('spec, words', [
    (dict(trunks=[4096]), 'out of range'),
    (dict(trunks=['30-20']), 'runs backwards: write 20-30'),
    (dict(trunks=['ten']), 'neither a VLAN ID'),
    (dict(vlan_mode='access', vlan=10, trunks=[20]), 'need vlan_mode trunk'),
    (dict(vlan_mode='trunk', vlan=10), 'takes no vlan'),
    (dict(vlan_mode='native-untagged'), 'needs vlan'),
    (dict(vlan=10, trunks=[20, 21, 22, 30]), 'trunks 20-22,30 on a port with vlan 10'),
    (dict(vlan_mode='hybrid'), 'is not one of'),
    (dict(ingress_policing_rate=-1), 'out of range'),
    (dict(ingress_policing_burst=2 ** 32), 'out of range'),
    (dict(egress_rate=-5), 'egress_rate -5 is out of range: give 0 (no limit)'),
    (dict(bridge=None, egress_burst=1), 'OVS port settings (egress_burst) need bridge'),
    (dict(bridge=None, trunks=[10], ingress_policing_rate=1), 'OVS port settings (trunks, ingress_policing_rate) need bridge'),
    (dict(vlans=[{'id': 4095}]), 'out of range'),
    (dict(vlans=[{'id': 10}, {'id': 10}]), 'given twice'),
    (dict(vlans=[{'id': 10, 'name': 'veth1'}]), 'the attached interface itself'),
    (dict(interface='abcdefghijk', vlans=[{'id': 4094}]), 'INTERFACE.ID'),
    (dict(vlans=[{'id': 10, 'addresses': ['10.0.0.1']}]), 'no prefix length'),
])
def test_bad_vlan_settings_are_named_with_a_fix(spec, words):
    assert any(words in e for e in errors_of(**spec)), errors_of(**spec)


def test_good_combinations_pass():
    for spec in (dict(vlan_mode='trunk', trunks=['10-12']), dict(vlan_mode='native-tagged', vlan=5, trunks=[6]),
                 dict(vlan_mode='access', vlan=7), dict(trunks=[10, 20]), dict(ingress_policing_rate=0)):
        assert errors_of(**spec) == [], spec


def test_trunk_mode_clears_the_tag_and_sets_the_columns_in_one_action():
    actions, before, after, problems = parts(_attach.plan(desired(vlan_mode='trunk', trunks=[10, 20], **SEED), current(port={'tag': 10})))
    assert problems == []
    assert actions == [A('port_tag', 'veth0', None, 10),
                       A('port_set', 'veth0', {'trunks': [10, 20], 'vlan_mode': 'trunk'}, {'trunks': [], 'vlan_mode': None})]
    assert (before['vlan'], before['trunks'], before['vlan_mode']) == (10, [], None)
    assert (after['vlan'], after['trunks'], after['vlan_mode']) == (None, [10, 20], 'trunk')


def test_settings_not_given_are_left_as_they_are():
    port = {'tag': 10, 'trunks': [20], 'vlan_mode': 'native-untagged', 'ingress_policing_rate': 500}
    assert _attach.plan(desired(**SEED), current(port=port)).actions == []
    assert _attach.plan(desired(trunks=['20'], vlan=10, vlan_mode='native-untagged', **SEED), current(port=port)).actions == []


def test_a_contradiction_with_what_the_port_has_is_a_problem():
    port = {'tag': 10, 'trunks': [20, 21], 'vlan_mode': 'native-untagged'}
    actions, _b, _a, problems = parts(_attach.plan(desired(vlan_mode='access', vlan=10, **SEED), current(port=port)))
    assert problems and 'trunks 20-21 need vlan_mode trunk' in problems[0]


def test_policing_set_changed_removed():
    actions = _attach.plan(desired(ingress_policing_rate=10000, ingress_policing_burst=1000, **SEED), current()).actions
    assert actions == [A('port_set', 'veth0', {'ingress_policing_rate': 10000, 'ingress_policing_burst': 1000},
                         {'ingress_policing_rate': 0, 'ingress_policing_burst': 0})]
    port = {'ingress_policing_rate': 10000, 'ingress_policing_burst': 1000}
    assert _attach.plan(desired(ingress_policing_rate=0, **SEED), current(port=port)).actions == [
        A('port_set', 'veth0', {'ingress_policing_rate': 0}, {'ingress_policing_rate': 10000})]


def test_egress_set_changed_removed_and_kept_with_a_new_port():
    actions = _attach.plan(desired(egress_rate=20000, **SEED), current()).actions
    assert actions == [A('port_set', 'veth0', {'egress_rate': 20000}, {'egress_rate': 0})]
    port = {'egress_rate': 20000, 'egress_burst': 2000}
    assert _attach.plan(desired(egress_rate=20000, **SEED), current(port=port)).actions == []
    assert _attach.plan(desired(egress_rate=0, egress_burst=0, **SEED), current(port=port)).actions == [
        A('port_set', 'veth0', {'egress_rate': 0, 'egress_burst': 0}, {'egress_rate': 20000, 'egress_burst': 2000})]
    new = _attach.plan(desired(egress_rate=500, **SEED), current(port=None)).actions
    assert new[0].kind == 'port' and new[0].new['egress_rate'] == 500


def test_a_qos_not_ours_is_refused_not_replaced():
    port = {'egress_rate': 0, 'egress_burst': 0, 'qos_foreign': 'linux-hfsc row 0a1b2c3d'}
    actions, _b, _a, problems = parts(_attach.plan(desired(egress_rate=1000, **SEED), current(port=port)))
    assert problems == ["OVS port veth0 has a QoS this module did not make (linux-hfsc row 0a1b2c3d): an egress "
                        "limit would replace it; remove it first (ovs-vsctl clear port veth0 qos), or leave out "
                        "egress_rate and egress_burst"]
    # not asked for: the other's QoS is left alone, no problem
    assert parts(_attach.plan(desired(**SEED), current(port=port)))[3] == []


def test_a_new_port_carries_the_settings_that_differ_from_ovs_defaults():
    actions = _attach.plan(desired(vlan_mode='trunk', trunks=[5], ingress_policing_rate=0, **SEED), current(port=None)).actions
    assert actions == [A('port', 'veth0', {'bridge': 'br0', 'tag': None, 'external_ids': {}, 'trunks': [5],
                                           'vlan_mode': 'trunk'}, None)]


def test_the_deletion_of_a_port_keeps_its_settings_for_the_undo():
    port = {'bridge': 'br0', 'tag': None, 'external_ids': {}, 'trunks': [5], 'vlan_mode': 'trunk',
            'ingress_policing_rate': 0, 'ingress_policing_burst': 0}
    actions = _attach.plan(desired(state='absent'), current(port=port)).actions
    assert actions[0] == A('port', 'veth0', None, {'bridge': 'br0', 'tag': None, 'external_ids': {}, 'trunks': [5],
                                                   'vlan_mode': 'trunk'})


def test_sub_interfaces_made_fixed_and_removed():
    have = {'veth1.10': sub(10, addresses=['10.0.10.1/24', '10.0.99.1/24'], state='down'),
            'veth1.30': sub(30), 'veth1.20': sub(40, name='veth1.20')}
    wanted = [{'id': 10, 'addresses': ['10.0.10.1/24']}, {'id': 20, 'addresses': ['10.0.20.1/24']}, {'id': 50}]
    actions, _b, after, problems = parts(_attach.plan(desired(vlans=wanted, **SEED), current(vlans=have, vlan_foreign={})))
    assert problems == []
    assert actions == [
        A('vlan_if', 'veth1.20', None, {'id': 40, 'addresses': []}),  # the wrong ID under the name: made again
        A('vlan_if', 'veth1.30', None, {'id': 30, 'addresses': []}),  # not asked for
        A('vlan_state', 'veth1.10', 'up', 'down'),
        A('vlan_addr', ('veth1.10', '10.0.99.1/24'), None, 'present'),
        A('vlan_if', 'veth1.20', {'id': 20, 'addresses': ['10.0.20.1/24']}, None),
        A('vlan_if', 'veth1.50', {'id': 50, 'addresses': []}, None),
    ]
    assert [(v['id'], v['name'], v['addresses']) for v in after['vlans']] == [
        (10, 'veth1.10', ['10.0.10.1/24']), (20, 'veth1.20', ['10.0.20.1/24']), (50, 'veth1.50', [])]


def test_sub_interfaces_as_asked_change_nothing_and_unset_reads_none():
    have = {'veth1.10': sub(10, addresses=['10.0.10.1/24'])}
    actions, before, after, _p = parts(_attach.plan(desired(vlans=[{'id': 10, 'addresses': ['10.0.10.1/24']}], **SEED), current(vlans=have, vlan_foreign={})))
    assert actions == [] and before == after
    assert 'vlans' not in _attach.plan(desired(**SEED), current()).after


def test_a_new_pair_gets_its_sub_interfaces_after_it_is_up():
    now = current(paired=False, ns_link=None, host_link=None, port=None, vlans={}, vlan_foreign={})
    actions = _attach.plan(desired(vlans=[{'id': 10}], **SEED), now).actions
    assert kinds(actions).index('vlan_if+') > max(i for i, k in enumerate(kinds(actions)) if k == 'link_state')


def test_a_foreign_link_under_a_sub_interface_name_is_refused():
    foreign = {'veth1.10': {'name': 'veth1.10', 'kind': 'veth', 'index': 7}}
    problems = _attach.plan(desired(vlans=[{'id': 10}], **SEED), current(vlans={}, vlan_foreign=foreign)).problems
    assert any('veth1.10 already exists' in p and 'is a veth' in p for p in problems)


def test_a_kernel_without_8021q_is_refused_before_anything_changes():
    problems = _attach.plan(desired(vlans=[{'id': 10}, {'id': 20}], **SEED), current(vlans={}, vlan_foreign={}, vlan_support=False)).problems
    assert len(problems) == 1 and 'cannot make VLAN sub-interfaces' in problems[0] and 'modprobe 8021q' in problems[0]
    # removing them needs no 802.1Q support
    have = {'veth1.10': sub(10)}
    assert _attach.plan(desired(vlans=[], **SEED), current(vlans=have, vlan_foreign={}, vlan_support=False)).problems == []
