# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The bridge plan: desired vs current -> actions and diff. Pure, no root."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.netdevops.ovs_docker.plugins.module_utils import _bridge

PARAMS = dict(name='br0', state='present', datapath_type=None, fail_mode=None, external_ids=None,
              purge_external_ids=False, other_config=None, purge_other_config=False, addresses=None,
              link_state=None)


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
    actions, before, after = _bridge.plan(None, desired(datapath_type='netdev', fail_mode='secure',
                                                        external_ids={'a': 1}, addresses=['192.168.1.250/24']))
    assert before == {'state': 'absent'}
    assert actions == [
        ('create', {'datapath_type': 'netdev', 'fail_mode': 'secure', 'external_ids': {'a': '1'}, 'other_config': {}}),
        ('link', 'up'),
        ('addr_add', '192.168.1.250/24'),
    ]
    assert after['state'] == 'present' and after['addresses'] == ['192.168.1.250/24'] and after['link_state'] == 'up'


def test_create_without_interface_options_does_not_read_or_show_the_interface():
    actions, _before, after = _bridge.plan(None, desired())
    assert [a[0] for a in actions] == ['create']
    assert after['datapath_type'] == 'system' and after['addresses'] is None and after['link_state'] is None


def test_noop_when_everything_matches():
    want = desired(datapath_type='netdev', addresses=['192.168.1.250/24'])
    actions, before, after = _bridge.plan(current(), want)
    assert actions == [] and before == after


def test_unmanaged_properties_are_left_alone():
    actions, before, after = _bridge.plan(current(fail_mode='secure', external_ids={'x': 'y'}), desired())
    assert actions == [] and before == after


@pytest.mark.parametrize('column', ['external_ids', 'other_config'])
def test_map_add_keeps_other_keys_without_purge(column):
    actions, before, after = _bridge.plan(current(**{column: {'keep': '1'}}), desired(**{column: {'new': 'v'}}))
    assert actions == [('set', column, {'keep': '1', 'new': 'v'})]
    assert before[column] == {'keep': '1'} and after[column] == {'keep': '1', 'new': 'v'}


@pytest.mark.parametrize('column', ['external_ids', 'other_config'])
def test_map_purge_and_null_removal(column):
    now = current(**{column: {'a': '1', 'b': '2'}})
    assert _bridge.plan(now, desired(**{column: {'a': '1'}, 'purge_' + column: True}))[0] == [('set', column, {'a': '1'})]
    assert _bridge.plan(now, desired(**{column: {'b': None}}))[0] == [('set', column, {'a': '1'})]
    assert _bridge.plan(now, desired(**{column: {'zz': None}}))[0] == []


def test_fail_mode_and_datapath_change_in_place():
    actions = _bridge.plan(current(), desired(fail_mode='secure', datapath_type='system'))[0]
    assert actions == [('set', 'datapath_type', 'system'), ('set', 'fail_mode', 'secure')]


def test_empty_datapath_type_means_system():
    assert _bridge.plan(current(datapath_type='system'), desired(datapath_type='system'))[0] == []


def test_addresses_are_an_exact_set():
    actions, before, after = _bridge.plan(current(), desired(addresses=['10.0.0.1/24', '2001:db8::1/64']))
    assert actions == [('addr_del', '192.168.1.250/24'), ('addr_add', '10.0.0.1/24'), ('addr_add', '2001:db8::1/64')]
    assert after['addresses'] == ['10.0.0.1/24', '2001:db8::1/64']


def test_empty_address_list_removes_all():
    actions = _bridge.plan(current(), desired(addresses=[]))[0]
    assert actions == [('addr_del', '192.168.1.250/24')]


def test_addresses_bring_the_link_up_first():
    actions = _bridge.plan(current(link_state='down', addresses=[]), desired(addresses=['2001:db8::1/64']))[0]
    assert actions == [('link', 'up'), ('addr_add', '2001:db8::1/64')]


def test_link_down_comes_after_address_changes():
    actions = _bridge.plan(current(), desired(link_state='down', addresses=['10.0.0.1/24']))[0]
    assert actions[-1] == ('link', 'down')


def test_delete_lists_ports_that_go_with_it():
    actions, before, after = _bridge.plan(current(ports=['veth0', 'vx1']), desired(state='absent'))
    assert actions == [('delete', ['veth0', 'vx1'])]
    assert before['ports'] == ['veth0', 'vx1'] and after == {'state': 'absent'}


def test_delete_absent_is_noop():
    assert _bridge.plan(None, desired(state='absent')) == ([], {'state': 'absent'}, {'state': 'absent'})


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
    now = current(fail_mode='standalone')
    assert _bridge.undo_action(('set', 'fail_mode', 'secure'), now) == ('set', 'fail_mode', 'standalone')
    assert _bridge.undo_action(('addr_add', '10.0.0.1/24'), now) == ('addr_del', '10.0.0.1/24')
    assert _bridge.undo_action(('addr_del', '10.0.0.1/24'), now) == ('addr_add', '10.0.0.1/24')
    assert _bridge.undo_action(('link', 'up'), now) == ('link', 'down')
    assert _bridge.undo_action(('create', {}), None) == ('delete', [])
