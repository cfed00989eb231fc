# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ovs_docker_topology's host part: what the look finds of a topology's that its lists no longer
have (leftovers), and the staged run (one undo over every stage; check mode leaves out what joins
what it would make)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import marks as _marks
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import runner as _runner
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.common import ModuleError
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.engine import Action, Executor, Plan
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains import host_part

MARK = {_marks.CLAB: 'star'}


def params(**lists):
    return dict(dict((s, []) for s in host_part.SECTIONS), **lists)


def port(name, container=None, interface='eth1', **ids):
    if container:
        ids.update({_marks.CONTAINER_ID: container, _marks.CONTAINER_IFACE: interface})
    return {'name': name, 'external_ids': ids}


def test_leftovers_are_what_carries_the_mark_and_the_lists_no_longer_have():
    wanted = params(containers=[{'name': 'clab-star-h1'}],
                    ports=[{'container': 'clab-star-h1', 'interface': 'eth1', 'bridge': 'sw1'}],
                    bridges=[{'name': 'sw1', 'existing': 'keep'}])
    containers = {'clab-star-h1': MARK, 'clab-star-h9': MARK, 'clab-star-h2': {}, 'other': {_marks.CLAB: 'chain'}}
    bridges = [{'name': 'sw1', 'external_ids': {}, 'ports': [
        port('a_l', 'clab-star-h9'), port('b_l', 'clab-star-h1'), port('c_l', 'clab-star-h1', 'eth5'), port('d_l', 'other')]},
        {'name': 'clx00abcd', 'external_ids': MARK, 'ports': [port('clx00abcd'), port('cvx00abcd', **{_marks.VXLAN: 'cvx00abcd'})]}]
    more, keep, kept, problems = host_part.leftovers(wanted, containers, bridges, MARK)
    assert problems == [] and kept == []
    # h9 is the topology's and gone from it; h2 (not the topology's) and other (another topology's) are not touched
    assert more['containers'] == [{'name': 'clab-star-h9', 'state': 'absent'}]
    assert more['ports'] == [{'container': 'clab-star-h9', 'interface': 'eth1', 'state': 'absent'},
                             {'container': 'clab-star-h1', 'interface': 'eth5', 'state': 'absent'}]
    # sw1 is there (someone's): used as it is; the topology's link bridge it no longer has goes, its VXLAN link first
    assert keep == set(['sw1'])
    assert more['bridges'] == [{'name': 'clx00abcd', 'state': 'absent'}] and more['vxlans'] == [{'name': 'cvx00abcd', 'state': 'absent'}]


def test_a_bridge_of_the_topologys_with_someone_elses_port_is_kept():
    bridges = [{'name': 'sw1', 'external_ids': MARK, 'ports': [port('p1_l', 'clab-star-h1'), port('uport0'), port('sw1')]}]
    more, _keep, kept, _problems = host_part.leftovers(params(), {'clab-star-h1': MARK}, bridges, MARK)
    assert more['bridges'] == [] and more['containers'] == [{'name': 'clab-star-h1', 'state': 'absent'}]
    assert kept == ["bridge sw1 is kept: ports that are not this topology's are on it (uport0)"]
    assert more['ports'] == [{'container': 'clab-star-h1', 'interface': 'eth1', 'state': 'absent'}]  # (off the kept bridge)


def test_the_ports_of_a_bridge_that_goes_go_with_it():
    bridges = [{'name': 'sw1', 'external_ids': MARK, 'ports': [port('p1_l', 'clab-star-h1'), port('sw1')]},
               {'name': 'sw2', 'external_ids': {}, 'ports': [port('p2_l', 'clab-star-h1', 'eth2')]}]
    more, _keep, kept, _problems = host_part.leftovers(params(), {'clab-star-h1': MARK}, bridges, MARK)
    assert kept == [] and more['bridges'] == [{'name': 'sw1', 'state': 'absent'}]
    assert more['ports'] == [{'container': 'clab-star-h1', 'interface': 'eth2', 'state': 'absent'}]


def test_a_link_bridge_that_is_not_the_topologys_is_refused():
    wanted = params(bridges=[{'name': 'clx00abcd', 'existing': 'ours'}])
    bridges = [{'name': 'clx00abcd', 'external_ids': {}, 'ports': []}]
    _more, _keep, _kept, problems = host_part.leftovers(wanted, {}, bridges, MARK)
    assert problems == ["bridge clx00abcd exists and is not this topology's (no external_ids netdevops.ovs_docker.clab=star): "
                        "remove or rename it"]
    # without the mark nothing is found nor removed
    assert host_part.leftovers(params(), {'x': MARK}, bridges, {})[0]['containers'] == []


class Log(Executor):
    """Records what it runs; fails on a target in FAIL."""
    FAIL = ()

    def __init__(self, log):
        self.log = log

    def run(self, actions):
        for action in actions:
            if action.target in self.FAIL and action.new is not None:
                raise RuntimeError('%s failed' % action.target)
            self.log.append((action.target, 'undo' if action.new is None else 'do'))


class Stage(_runner.Module):
    """A stage's part: one object each, planned as made (``plans``), or refused."""
    list_key = 'objects'

    def __init__(self, name, log, refuse=False, joins=()):
        self.name, self.log, self.refuse, self.db, self.plans = name, log, refuse, None, []
        self.joins = joins
        self.params = {'objects': [{'container': c, 'interface': 'eth1', 'bridge': 'sw1'} for c in joins]}

    def validate(self):
        return []

    def connect(self):
        pass

    def make_plans(self):
        desired = {'name': self.name, 'state': 'present', 'key': self.name}
        return [Plan(desired, None, [Action('make', self.name, True, None)], {}, {}, ['refused'] if self.refuse else [])]

    def result(self):
        return {'changed': True, 'objects': [self.name]}

    def steps(self):
        return [(Log(self.log), a) for a in self.plans[0].actions]

    def read_back(self):
        return {'objects': [self.name]}


class Staged(_runner.Staged):
    def __init__(self, stages, check_mode=False):
        self.module = _runner.Invocation({}, check_mode)
        self.stages_ = stages
        self.db, self.plans, self.undone = None, [], []

    def parts(self):
        return self.stages_

    def stages(self, parts):
        for section, part in parts:
            yield section, part

    def result(self, stages):
        return {'changed': True, 'sections': [s for s, _p, _r in stages]}

    def read_back(self, stages):
        return {}


@pytest.fixture(autouse=True)
def no_lock(monkeypatch):
    monkeypatch.setattr(_runner, 'host_lock', lambda: None)


def test_a_later_stage_that_is_refused_undoes_the_earlier_ones():
    log = []
    own = Staged([('containers', Stage('c1', log)), ('ports', Stage('p1', log, refuse=True))])
    with pytest.raises(ModuleError, match='refused; what this run changed was undone'):
        _runner._run(own, False)
    assert log == [('c1', 'do'), ('c1', 'undo')]


def test_a_later_stage_that_fails_undoes_every_stage():
    log = []
    Log.FAIL = ('p1',)
    try:
        own = Staged([('bridges', Stage('b1', log)), ('containers', Stage('c1', log)), ('ports', Stage('p1', log))])
        with pytest.raises(ModuleError, match='p1 failed; what this run changed was undone'):
            _runner._run(own, False)
    finally:
        Log.FAIL = ()
    assert log == [('b1', 'do'), ('c1', 'do'), ('c1', 'undo'), ('b1', 'undo')]


def test_check_mode_runs_no_stage_and_takes_no_lock(monkeypatch):
    def lock():
        raise AssertionError('check mode took the lock')
    monkeypatch.setattr(_runner, 'host_lock', lock)
    log = []
    result = _runner._run(Staged([('containers', Stage('c1', log)), ('ports', Stage('p1', log))], check_mode=True), True)
    assert log == [] and result == {'changed': True, 'sections': ['containers', 'ports']}


def test_check_mode_leaves_out_what_joins_a_container_it_would_make():
    own = host_part.HostPart.__new__(host_part.HostPart)
    own.module, own.would = _runner.Invocation({}, True), []
    made = Stage('clab-star-h1', [])
    made.plans = made.make_plans()
    ports = Stage('p', [], joins=('clab-star-h1',))
    ports.list_key, ports.params = 'attachments', {'attachments': ports.params['objects']}  # (as ovs_docker_port's part)
    own.look = lambda parts: [('containers', made), ('ports', ports)]
    made.discards = []
    assert [s for s, _p in own.stages(None)] == ['containers']
    assert own.would == ['would attach clab-star-h1:eth1 to sw1']


class Db(object):
    """A stage's OVSDB connection as the runner sees it: what it was asked to wait for."""

    def __init__(self, log, name):
        self.log, self.name = log, name

    def settle(self):
        self.log.append((self.name, 'settled'))

    @staticmethod
    def vswitchd_problem():
        return None


def test_what_a_stage_left_to_ovs_vswitchd_is_awaited_before_the_next_one_and_at_the_end():
    log = []

    class WithDb(Stage):
        def connect(self):
            self.db = Db(self.log, self.name)

    class Quiet(Stage):
        quiet = True

    own = Staged([('ports', WithDb('p1', log)), ('containers', Quiet('c1', log)), ('links', Stage('l1', log)),
                  ('bridges', WithDb('b1', log))])
    own.final_steps = lambda: [(Log(log), Action('discard', 'c0', None, None))]
    _runner._run(own, False)
    # the ports' removal is not awaited by the containers (the engine only), it is before the links;
    # the bridges' is awaited after the last steps, which run while ovs-vswitchd removes them
    assert log == [('p1', 'do'), ('c1', 'do'), ('p1', 'settled'), ('l1', 'do'), ('b1', 'do'), ('c0', 'undo'), ('b1', 'settled')]


def test_a_port_the_lists_name_otherwise_is_taken_off_first():
    # (containerlab's endpoint moved on its bridge: sw1:p1 -> sw1:p3; the other port stays)
    wanted = params(containers=[{'name': 'clab-star-h1'}, {'name': 'clab-star-h2'}],
                    ports=[{'container': 'clab-star-h1', 'interface': 'eth1', 'bridge': 'sw1', 'host_interface': 'p3'},
                           {'container': 'clab-star-h2', 'interface': 'eth1', 'bridge': 'sw1', 'host_interface': 'p2'}])
    bridges = [{'name': 'sw1', 'external_ids': MARK, 'ports': [port('p1', 'clab-star-h1'), port('p2', 'clab-star-h2')]}]
    more, _keep, _kept, _problems = host_part.leftovers(wanted, {'clab-star-h1': MARK, 'clab-star-h2': MARK}, bridges, MARK)
    assert more['ports'] == [{'container': 'clab-star-h1', 'interface': 'eth1', 'state': 'absent'}]
