# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ovs_mirror: what is asked (each end one thing), the ends found by the ports' marks, the plan
(made, changed, kept, removed; another's mirror refused)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import marks as _marks
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains import mirror as _mirror

PORTS = [{'name': 'c1_l', 'external_ids': {_marks.CONTAINER_ID: 'con1', _marks.CONTAINER_IFACE: 'eth0'}},
         {'name': 'veth0', 'external_ids': {_marks.NETNS: 'cap1', _marks.NETNS_IFACE: 'eth0'}},
         {'name': 'uplink', 'external_ids': {}}]


def desired(**spec):
    found, problems = _mirror.desired_state(dict(dict(name='m1', bridge='br0', sources=[{'container': 'con1'}],
                                                      output={'namespace': 'cap1', 'interface': 'eth0'}), **spec))
    assert problems == [], problems
    return found


def columns(want):
    names = {}
    for end in want['sources'] + ([want['output']] if not want['output'].get('vlan') else []):
        name, problem = _mirror.resolve(end, PORTS)
        assert problem is None
        names[_mirror._label(end)] = name
    return _mirror.columns_of(want, names)


def current(want=None, ours=True):
    return {'columns': columns(want or desired()), 'ours': ours, 'external_ids': {}}


def test_the_ends_are_found_by_the_ports_marks():
    want = desired(sources=[{'container': 'con1'}, {'port': 'uplink', 'direction': 'in'}])
    assert columns(want) == {'select_all': False, 'select_src_port': ['c1_l', 'uplink'], 'select_dst_port': ['c1_l'],
                             'select_vlan': [], 'output_port': 'veth0', 'output_vlan': None}
    # a container's port made under its ID: found with what the engine says of it
    by_id = [{'name': 'c9_l', 'external_ids': {_marks.CONTAINER_ID: 'abcdef12', _marks.CONTAINER_IFACE: 'eth0'}}]
    assert _mirror.resolve({'container': 'con9', 'interface': 'eth0'}, by_id) == (
        None, 'container con9:eth0 has no port on this bridge: attach it first (ovs_docker_port, netns_veth)')
    assert _mirror.resolve({'container': 'con9', 'interface': 'eth0'}, by_id, {'id': 'abcdef12' + '0' * 56, 'name': 'con9'}) == ('c9_l', None)


def test_bad_input_is_named():
    cases = [(dict(sources=[{'container': 'a', 'port': 'p'}]), 'names container and port'),
             (dict(sources=[{'namespace': 'n'}]), "a namespace's interface is needed"),
             (dict(sources=[], vlans=[]), 'a mirror needs what it takes'), (dict(output=None), 'output is required'),
             (dict(output={'vlan': 5000}), 'out of range'), (dict(vlans=[0]), 'out of range'),
             (dict(bridge='b' * 16), 'at most 15')]
    for spec, text in cases:
        _found, problems = _mirror.desired_state(dict(dict(name='m1', bridge='br0', sources=[{'container': 'con1'}],
                                                           output={'port': 'veth0'}), **spec))
        assert problems and text in ' '.join(problems), (spec, problems)


def test_made_kept_changed_removed():
    want = desired()
    made = _mirror.plan(want, None, {'columns': columns(want)})
    assert [(a.kind, a.target) for a in made.actions] == [('mirror', ('br0', 'm1'))] and made.actions[0].undo().new is None
    assert _mirror.plan(want, current(), {'columns': columns(want)}).actions == []
    vlan = desired(output={'vlan': 30})
    changed = _mirror.plan(vlan, current(), {'columns': columns(vlan)})
    assert changed.actions[0].new['output_vlan'] == 30 and changed.actions[0].new['output_port'] is None
    assert changed.actions[0].undo().new == current()['columns']
    gone = _mirror.plan(desired(state='absent'), current(), None)
    assert gone.actions[0].new is None and gone.actions[0].undo().new == current()['columns']
    assert _mirror.plan(desired(state='absent'), None, None).actions == []


def test_anothers_mirror_is_refused():
    refused = _mirror.plan(desired(), current(ours=False), {'columns': columns(desired())})
    assert refused.actions == [] and "mirror m1 on bridge br0 is not this collection's" in refused.problems[0]
