# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The bridge plan: desired vs current -> actions and diff. Pure, no root."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import marks as _marks
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.engine import NO_UNDO, Action as A
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains import bridge as _bridge

PARAMS = dict(name='br0', state='present', datapath_type=None, fail_mode=None, external_ids=None,
              purge_external_ids=False, other_config=None, purge_other_config=False, addresses=None,
              link_state=None)


def parts(plan):
    """(actions, before, after) of a Plan that has no problems."""
    assert plan.problems == []
    return plan.actions, plan.before, plan.after


def desired(**kwargs):
    params = dict(PARAMS, **kwargs)
    result, errors = _bridge.desired_state(params)
    assert errors == []
    return result


def current(**kwargs):
    state = dict(name='br0', datapath_type='netdev', fail_mode=None, external_ids={}, other_config={},
                 ports=[], addresses=['192.168.1.250/24'], link_state='up')
    state.update(kwargs)
    return state


def test_create_with_everything():
    actions, before, after = parts(_bridge.plan(desired(datapath_type='netdev', fail_mode='secure',
                                                        external_ids={'a': 1}, addresses=['192.168.1.250/24']), None))
    assert before == {'state': 'absent'}
    assert actions == [
        A('bridge', 'br0', {'datapath_type': 'netdev', 'fail_mode': 'secure', 'external_ids': {'a': '1'}, 'other_config': {}}, None),
        A('link_state', 'br0', 'up', 'down'),
        A('addr', '192.168.1.250/24', 'present', None),
    ]
    assert after['state'] == 'present' and after['addresses'] == ['192.168.1.250/24'] and after['link_state'] == 'up'


def test_create_without_interface_options_does_not_read_or_show_the_interface():
    actions, _before, after = parts(_bridge.plan(desired(), None))
    assert [(a.kind, a.old) for a in actions] == [('bridge', None)]
    assert after['datapath_type'] == 'system' and after['addresses'] is None and after['link_state'] is None


def test_noop_when_everything_matches():
    want = desired(datapath_type='netdev', addresses=['192.168.1.250/24'])
    actions, before, after = parts(_bridge.plan(want, current()))
    assert actions == [] and before == after


def test_unmanaged_properties_are_left_alone():
    actions, before, after = parts(_bridge.plan(desired(), current(fail_mode='secure', external_ids={'x': 'y'})))
    assert actions == [] and before == after


@pytest.mark.parametrize('column', ['external_ids', 'other_config'])
def test_map_add_keeps_other_keys_without_purge(column):
    actions, before, after = parts(_bridge.plan(desired(**{column: {'new': 'v'}}), current(**{column: {'keep': '1'}})))
    assert actions == [A('bridge_column', column, {'keep': '1', 'new': 'v'}, {'keep': '1'})]
    assert before[column] == {'keep': '1'} and after[column] == {'keep': '1', 'new': 'v'}


@pytest.mark.parametrize('column', ['external_ids', 'other_config'])
def test_map_purge_and_null_removal(column):
    now = current(**{column: {'a': '1', 'b': '2'}})
    before = {'a': '1', 'b': '2'}
    assert _bridge.plan(desired(**{column: {'a': '1'}, 'purge_' + column: True}), now).actions == [A('bridge_column', column, {'a': '1'}, before)]
    assert _bridge.plan(desired(**{column: {'b': None}}), now).actions == [A('bridge_column', column, {'a': '1'}, before)]
    assert _bridge.plan(desired(**{column: {'zz': None}}), now).actions == []


def test_fail_mode_and_datapath_change_in_place():
    actions = _bridge.plan(desired(fail_mode='secure', datapath_type='system'), current()).actions
    assert actions == [A('bridge_column', 'datapath_type', 'system', 'netdev'), A('bridge_column', 'fail_mode', 'secure', None)]


def test_empty_datapath_type_means_system():
    assert _bridge.plan(desired(datapath_type='system'), current(datapath_type='system')).actions == []


def test_addresses_are_an_exact_set():
    actions, before, after = parts(_bridge.plan(desired(addresses=['10.0.0.1/24', '2001:db8::1/64']), current()))
    assert actions == [A('addr', '192.168.1.250/24', None, 'present'), A('addr', '10.0.0.1/24', 'present', None),
                       A('addr', '2001:db8::1/64', 'present', None)]
    assert after['addresses'] == ['10.0.0.1/24', '2001:db8::1/64']


def test_empty_address_list_removes_all():
    actions = _bridge.plan(desired(addresses=[]), current()).actions
    assert actions == [A('addr', '192.168.1.250/24', None, 'present')]


def test_addresses_bring_the_link_up_first():
    actions = _bridge.plan(desired(addresses=['2001:db8::1/64']), current(link_state='down', addresses=[])).actions
    assert actions == [A('link_state', 'br0', 'up', 'down'), A('addr', '2001:db8::1/64', 'present', None)]


def test_link_down_comes_after_address_changes():
    actions = _bridge.plan(desired(link_state='down', addresses=['10.0.0.1/24']), current()).actions
    assert actions[-1] == A('link_state', 'br0', 'down', 'up')


def test_delete_lists_ports_that_go_with_it():
    actions, before, after = parts(_bridge.plan(desired(state='absent'), current(ports=['veth0', 'vx1'])))
    assert actions == [A('bridge', 'br0', None, NO_UNDO)]
    assert before['ports'] == ['veth0', 'vx1'] and after == {'state': 'absent'}


def test_delete_absent_is_noop():
    assert parts(_bridge.plan(desired(state='absent'), None)) == ([], {'state': 'absent'}, {'state': 'absent'})


@pytest.mark.parametrize('params, words', [
    (dict(name='a-very-long-bridge'), 'at most 15'),
    (dict(addresses=['192.168.1.250']), 'no prefix length'),
    (dict(external_ids={'a': [1]}), 'external_ids.a'),
    (dict(link_state='down', addresses=['2001:db8::1/64']), 'IPv6'),
    (dict(addresses=['fe80::1/64']), 'link-local'),
])
def test_desired_state_errors(params, words):
    _desired, errors = _bridge.desired_state(dict(PARAMS, **params))
    assert any(words in e for e in errors)


def test_undo_of_each_action():
    """The engine's undo (new and old swapped) puts back what the plan found."""
    now = current(fail_mode='standalone', link_state='down')
    actions = _bridge.plan(desired(fail_mode='secure', addresses=['10.0.0.1/24'], link_state='up'), now).actions
    assert [a.undo() for a in actions] == [A('bridge_column', 'fail_mode', 'standalone', 'secure'),
                                           A('link_state', 'br0', 'down', 'up'),
                                           A('addr', '192.168.1.250/24', 'present', None),
                                           A('addr', '10.0.0.1/24', None, 'present')]
    created = _bridge.plan(desired(), None).actions
    assert [a.undo() for a in created] == [A('bridge', 'br0', None, created[0].new)]
    assert _bridge.plan(desired(state='absent'), now).actions[0].undo() is None  # the last thing a run does


def test_auto_datapath_is_the_kernels_where_its_module_is_loaded(monkeypatch):
    monkeypatch.setattr(_bridge.os.path, 'exists', lambda path: path == '/sys/module/openvswitch')
    assert desired(datapath_type='auto')['datapath_type'] == 'system'
    monkeypatch.setattr(_bridge.os.path, 'exists', lambda path: False)
    assert desired(datapath_type='auto')['datapath_type'] == 'netdev'


def test_refusals_that_depend_on_what_is_there_are_the_plans_problems():
    unsupported = _bridge.plan(desired(datapath_type='netdev'), None, {'datapath_types': ['system']})
    assert unsupported.actions == [] and "datapath_type 'netdev' is not one that ovs-vswitchd supports" in unsupported.problems[0]
    held = _bridge.plan(desired(), None, {'name_holder': {'kind': 'bridge', 'name': 'br0'}})
    assert held.actions == [] and 'a Linux bridge called br0 already exists' in held.problems[0]
    assert _bridge.plan(desired(), current(), {'name_holder': {'kind': 'bridge'}}).problems == []  # ours already


RECORD = _marks.RECORD


def test_persistent_records_the_addresses_and_link_state_and_nothing_else():
    wanted = desired(addresses=['198.18.31.1/24'], external_ids={'owner': 'me'})
    _bridge.record(wanted, True, False)
    actions, _before, after = parts(_bridge.plan(wanted, current(addresses=['198.18.31.1/24'])))
    assert actions == [A('bridge_column', 'external_ids', {
        'owner': 'me', RECORD: '{"addresses":["198.18.31.1/24"],"link_state":"up"}'}, {})]
    again = current(addresses=['198.18.31.1/24'], external_ids=after['external_ids'])
    assert parts(_bridge.plan(wanted, again))[0] == []


def test_persistent_false_removes_only_the_record_and_a_purge_without_keys_purges_nothing():
    wanted = desired(purge_external_ids=True)
    _bridge.record(wanted, False, False)
    actions = parts(_bridge.plan(wanted, current(external_ids={'owner': 'me', RECORD: '{}'})))[0]
    assert actions == [A('bridge_column', 'external_ids', {'owner': 'me'}, {'owner': 'me', RECORD: '{}'})]
    overlap = desired(link_state='up')
    _bridge.record(overlap, True, True)
    assert overlap['external_ids'][RECORD] == '{"allow_host_overlap":true,"link_state":"up"}'
