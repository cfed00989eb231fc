# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ovs_vxlan's pure parts: validation, the plan from current to desired, and its undo."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import marks as _marks
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.engine import NO_UNDO, Action as A
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains import vxlan as _vxlan

PARAMS = dict(name='vx42', bridge='br0', vni=42, remotes=['192.0.2.13', '192.0.2.12'], local='192.0.2.11',
              port=4789, mtu=1450, state='present')


def parts(plan):
    """(actions, before, after) of a Plan that has no problems."""
    assert plan.problems == []
    return plan.actions, plan.before, plan.after


def desired(**changes):
    result, errors = _vxlan.desired_state(dict(PARAMS, **changes))
    assert errors == []
    return result


def current(vni=42, remotes=('192.0.2.12', '192.0.2.13'), bridge='br0', mtu=1450, state='up', kind='vxlan', learning=False,
            external_ids=None):
    """A link of this module's (its port marked), unless ``external_ids`` says otherwise."""
    return {'link': {'index': 7, 'name': 'vx42', 'kind': kind, 'state': state, 'mtu': mtu,
                     'vxlan': {'vni': vni, 'port': 4789, 'local': '192.0.2.11', 'learning': learning} if kind == 'vxlan' else None},
            'remotes': list(remotes), 'bridge': bridge,
            'external_ids': ({_marks.VXLAN: 'vx42'} if bridge else {}) if external_ids is None else external_ids}


MADE = A('vxlan', 'vx42', {'vni': 42, 'port': 4789, 'local': '192.0.2.11'}, None)
UP = A('vxlan_link', 'vx42', {'mtu': 1450, 'state': 'up'}, NO_UNDO)  # on a link made in the run


def port(bridge, old=None):
    """The VXLAN link's OVS port onto ``bridge`` (None: off ``old``)."""
    return A('port', 'vx42', _on(bridge), _on(old))


def _on(bridge):
    return {'bridge': bridge, 'tag': None, 'external_ids': {_marks.VXLAN: 'vx42'}} if bridge else None


def flood(remote, present=True):
    return A('flood', remote, 'present', None) if present else A('flood', remote, None, 'present')


def test_remotes_are_sorted_and_unique():
    assert desired(remotes=['192.0.2.13', '192.0.2.12', '192.0.2.13'])['remotes'] == ['192.0.2.12', '192.0.2.13']


@pytest.mark.parametrize('changes, expected', [
    (dict(vni=0), 'vni 0 is out of range'),
    (dict(vni=1 << 24), 'vni 16777216 is out of range'),
    (dict(port=0), 'port 0 is out of range'),
    (dict(remotes=['192.0.2.12/24']), "remotes[0] '192.0.2.12/24' is not an IPv4 or IPv6 address"),
    (dict(remotes=['239.1.1.1']), 'remotes[0] 239.1.1.1 is a multicast address'),
    (dict(remotes=['192.0.2.11']), 'remotes lists 192.0.2.11, the local address itself'),
    (dict(remotes=['2001:db8::2']), 'mix IPv4 and IPv6'),
    (dict(local='nowhere'), "local 'nowhere' is not an IPv4 or IPv6 address"),
    (dict(mtu=20), 'mtu 20 is out of range'),
    (dict(name='vxlan-much-too-long'), 'at most 15'),
    (dict(bridge=None), 'bridge is required'),
])
def test_bad_input_is_named(changes, expected):
    _desired, errors = _vxlan.desired_state(dict(PARAMS, **changes))
    assert len(errors) == 1 and expected in errors[0], errors


def test_new_link():
    actions, before, after = parts(_vxlan.plan(desired(), None))
    assert actions == [MADE, flood('192.0.2.12'), flood('192.0.2.13'), UP, port('br0')]
    assert before == {'name': 'vx42', 'state': 'absent'}
    assert after['remotes'] == ['192.0.2.12', '192.0.2.13'] and after['bridge'] == 'br0' and after['link_state'] == 'up'


def test_nothing_to_do():
    actions, before, after = parts(_vxlan.plan(desired(), current()))
    assert actions == [] and before == after


def test_remotes_change():
    actions, _before, after = parts(_vxlan.plan(desired(), current(remotes=['192.0.2.12', '192.0.2.99'])))
    assert actions == [flood('192.0.2.99', False), flood('192.0.2.13')]
    assert after['remotes'] == ['192.0.2.12', '192.0.2.13']


def test_down_link_and_mtu_in_one_request():
    actions = _vxlan.plan(desired(), current(state='down', mtu=1500)).actions
    assert actions == [A('vxlan_link', 'vx42', {'mtu': 1450, 'state': 'up'}, {'mtu': 1500, 'state': 'down'})]


def test_mtu_not_asked_is_left_alone():
    assert _vxlan.plan(desired(mtu=None), current(mtu=1500)).actions == []


def test_port_moved_to_another_bridge_comes_back():
    assert _vxlan.plan(desired(), current(bridge='br9')).actions == [port(None, 'br9'), port('br0')]


def test_deleted_port_comes_back():
    assert _vxlan.plan(desired(), current(bridge=None)).actions == [port('br0')]


@pytest.mark.parametrize('state', [dict(vni=43), dict(learning=True)])
def test_a_link_that_cannot_change_in_place_is_made_again(state):
    actions = _vxlan.plan(desired(), current(**state)).actions
    assert [a.kind for a in actions] == ['port', 'vxlan', 'vxlan', 'flood', 'flood', 'vxlan_link', 'port']
    assert actions[0] == port(None, 'br0') and actions[1].new is None and actions[2:] == [
        MADE, flood('192.0.2.12'), flood('192.0.2.13'), UP, port('br0')]


def test_deleted_link_with_port_left():
    state = {'link': None, 'remotes': [], 'bridge': 'br0', 'external_ids': {_marks.VXLAN: 'vx42'}}
    actions = _vxlan.plan(desired(), state).actions
    assert actions[:2] == [port(None, 'br0'), MADE]
    assert actions[-1] == port('br0')


def test_absent():
    actions, _before, after = parts(_vxlan.plan(dict(name='vx42', state='absent'), current()))
    assert [(a.kind, a.new) for a in actions] == [('port', None), ('vxlan', None)]
    assert after == {'name': 'vx42', 'state': 'absent'}
    assert _vxlan.plan(dict(name='vx42', state='absent'), None).actions == []


def test_undo_takes_back_each_step():
    """The engine's undo (new and old swapped) puts back what the plan found."""
    state = current(mtu=1500, remotes=['192.0.2.12'])
    actions = _vxlan.plan(desired(bridge='br9'), state).actions
    assert [a.undo() for a in actions] == [
        flood('192.0.2.13', False), A('vxlan_link', 'vx42', {'mtu': 1500}, {'mtu': 1450}), port('br0'), port(None, 'br9')]
    deletion = _vxlan.plan(dict(name='vx42', state='absent'), state).actions[1]
    as_it_was = {'vni': 42, 'port': 4789, 'local': '192.0.2.11', 'remotes': ['192.0.2.12'], 'mtu': 1500, 'state': 'up'}
    assert deletion.undo() == A('vxlan', 'vx42', as_it_was, None)  # made again as it was
    assert _vxlan.plan(dict(name='vx42', state='absent'), current(kind='dummy')).actions[1].undo() is None


# -- ownership: a link under the name that this module cannot prove its own is refused --------

def _foreign(**changes):
    state = current(**changes)
    state['link'].update(master_name=None, master_kind=None)
    return state


@pytest.mark.parametrize('state_changes, words', [
    (dict(vni=7, bridge=None), 'is not one this module made: a VXLAN link with VNI 7'),
    (dict(learning=True, bridge=None), 'learning on'),
    (dict(kind='gretap', bridge=None), 'a gretap link'),
    (dict(external_ids={'owner': 'other'}), "OVS port vx42 on bridge br0 is not this module's: its external_ids (owner=other)"),
])
def test_a_foreign_link_is_refused_present_and_absent(state_changes, words):
    state = _foreign(**state_changes)
    for wanted in (desired(), desired(state='absent')):
        problems = _vxlan.ownership_problems(state, wanted)
        assert len(problems) == 1 and words in problems[0] and 'choose another name' in problems[0]


def test_a_foreign_link_on_a_linux_bridge_is_refused_even_when_it_matches():
    state = _foreign(bridge=None)
    state['link'].update(master_name='lxbr0', master_kind='bridge')
    assert 'enslaved to lxbr0' in _vxlan.ownership_problems(state, desired())[0]


def test_exactly_the_link_asked_for_is_adopted_and_marked():
    state = _foreign(external_ids={})  # on its bridge, no marks: made by hand as this module would
    assert _vxlan.ownership_problems(state, desired()) == []
    actions = _vxlan.plan(desired(), state).actions
    assert actions == [A('iface_ext', 'vx42', {_marks.VXLAN: 'vx42'}, {})]
    # but without the mark it is not removed: nothing proves it ours
    assert _vxlan.ownership_problems(state, desired(state='absent'))


def test_a_marked_link_is_ours_whatever_it_is_now():
    assert _vxlan.ownership_problems(current(vni=7), desired()) == []
    assert _vxlan.ownership_problems(current(), desired(state='absent')) == []
    assert _vxlan.ownership_problems(None, desired()) == []


def test_a_link_of_this_modules_is_ours_by_its_description_when_its_port_was_deleted():
    """Drift: the marked port deleted by hand; the link's own mark (ifalias) still proves it."""
    state = _foreign(vni=7, bridge=None)
    assert _vxlan.ownership_problems(state, desired())  # a VXLAN link of another VNI, no marks: refused
    state['link']['alias'] = _vxlan.ALIAS
    assert _vxlan.ownership_problems(state, desired()) == []
    assert _vxlan.ownership_problems(state, desired(state='absent')) == []
    assert [a.kind for a in _vxlan.plan(desired(), state).actions][:2] == ['vxlan', 'vxlan']  # made again, VNI 42


def test_a_missing_bridge_and_what_is_not_ours_are_the_plans_problems():
    refused = _vxlan.plan(desired(), None, {'bridge_exists': False})
    assert refused.actions == [] and refused.problems == [
        'bridge br0 does not exist: create it first (netdevops.ovs_docker.ovs_bridge)']
    foreign = _vxlan.plan(desired(), current(external_ids={'owner': 'other'}))
    assert foreign.actions == [] and 'is not this module\'s' in foreign.problems[0]


# -- many in one run (vxlans) --------------------------------------------------------------------

def test_a_list_inherits_the_tasks_options_and_names_each_link_once():
    params = dict(PARAMS, name=None, vxlans=[{'name': 'vx42', 'vni': 42}, {'name': 'vx43', 'vni': 43, 'bridge': 'br1', 'mtu': None}])
    items = _vxlan.requested(params)
    assert [(i['name'], i['bridge'], i['vni'], i['mtu'], i['local']) for i in items] == [
        ('vx42', 'br0', 42, 1450, '192.0.2.11'), ('vx43', 'br1', 43, 1450, '192.0.2.11')]
    assert _vxlan.requested(dict(PARAMS, vxlans=None)) == [dict((k, PARAMS.get(k)) for k in _vxlan.ITEM_OPTIONS)]


def test_two_new_links_put_their_ports_on_in_one_transaction(monkeypatch):
    class Part(_vxlan.OvsVxlan):
        def __init__(self):
            self.db, self.netlink = None, None
    part = Part()
    part.plans = [_vxlan.plan(desired(), None), _vxlan.plan(desired(name='vx43', vni=43), None)]
    kinds = [(type(executor).__name__, action.kind, action.target) for executor, action in part.steps()]
    assert [k for k in kinds if k[1] == 'port'] == kinds[-2:] == [('PortRows', 'port', 'vx42'), ('PortRows', 'port', 'vx43')]
    assert kinds[0] == ('VxlanLink', 'vxlan', 'vx42') and ('VxlanLink', 'vxlan', 'vx43') in kinds
    steps = part.steps()
    assert steps[-1][0] is steps[-2][0]  # one PortRows: consecutive, so one transaction (engine._groups)


def test_a_link_moved_to_another_bridge_leaves_it_before_its_link_changes():
    class Part(_vxlan.OvsVxlan):
        def __init__(self):
            self.db, self.netlink = None, None
    part = Part()
    part.plans = [_vxlan.plan(desired(bridge='br1', mtu=1400), current())]
    kinds = [(a.kind, a.new is None) for _e, a in part.steps()]
    assert kinds == [('port', True), ('vxlan_link', False), ('port', False)]
