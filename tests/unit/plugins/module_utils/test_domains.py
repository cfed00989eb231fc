# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The domain contract (_core/domain.py), held over every entry of the registry: one planner
signature; plans pure (the same inputs, the same plan; nothing of the inputs changed); every kind a
plan makes run by one of the domain's executors, its undo too; check mode runs no step. The
cases are the domains' own unit tests' (created from nothing, changed, removed)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import inspect

import pytest

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import runner as _runner
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.common import ModuleError
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.engine import Executor, Plan
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains import registry
from ansible_collections.netdevops.ovs_docker.tests.unit.plugins.module_utils import test_attach_plan as attach
from ansible_collections.netdevops.ovs_docker.tests.unit.plugins.module_utils import test_bridge_plan as bridge
from ansible_collections.netdevops.ovs_docker.tests.unit.plugins.module_utils import test_container as container
from ansible_collections.netdevops.ovs_docker.tests.unit.plugins.module_utils import test_linux_bridge as linux_bridge
from ansible_collections.netdevops.ovs_docker.tests.unit.plugins.module_utils import test_mirror as mirror
from ansible_collections.netdevops.ovs_docker.tests.unit.plugins.module_utils import test_network as network
from ansible_collections.netdevops.ovs_docker.tests.unit.plugins.module_utils import test_veth_link as veth
from ansible_collections.netdevops.ovs_docker.tests.unit.plugins.module_utils import test_vxlan_plan as vxlan


def _veth_cases():
    want = veth.desired()
    facts = {'where': veth.WHERE, 'new_namespaces': []}
    return [(want, veth.NONE, facts), (want, veth.wired(want, addresses=[]), facts),
            (veth.desired(state='absent'), veth.wired(want), facts),
            (want, veth.NONE, {'where': [veth.WHERE[0], '/run/netns/ns9'], 'new_namespaces': ['ns9']})]


def _attachment_cases():
    nothing = attach.current(netns_exists=False, paired=False, ns_link=None, host_link=None, port=None, lo_state=None, gateway=None)
    return [(attach.desired(**attach.SEED), nothing, None), (attach.desired(**attach.SEED), attach.current(), None),
            (attach.desired(**dict(attach.SEED, mtu=9000, mac='02:00:00:00:00:09')), attach.current(), None),
            (attach.desired(state='absent'), attach.current(), None)]


def _agent_cases():
    desired = {'state': 'present', 'init': 'none', 'launcher': '#!/bin/sh\n', 'unit': '[Unit]\n', 'payload': [('a.py', 1)],
               'docker_host': 'unix:///run/docker.sock'}
    nothing = {'installed': False, 'payload': None, 'launcher': None, 'unit': None, 'running': False, 'pid': None,
               'enabled': None, 'service_pid': None, 'files': {'/x/agent': None}}
    there = dict(nothing, installed=True, payload=desired['payload'], launcher=desired['launcher'], running=True, pid=42)
    return [(desired, nothing, None), (dict(desired, init='systemd'), there, None), (dict(desired, state='absent'), there, None)]


# (desired, current, facts) of each domain: what its plans are made of here
CASES = {
    'ovs_bridge': lambda: [(bridge.desired(), None, None), (bridge.desired(addresses=['198.18.31.1/24']), bridge.current(), None),
                           (bridge.desired(state='absent'), bridge.current(), None)],
    'ovs_vxlan': lambda: [(vxlan.desired(), None, None), (vxlan.desired(mtu=1400), vxlan.current(), None),
                          (vxlan.desired(state='absent'), vxlan.current(), {'bridge_exists': True})],
    'veth_link': _veth_cases,
    'netns_veth': _attachment_cases,
    'ovs_docker_port': _attachment_cases,
    'ovs_docker_agent': _agent_cases,
    'ovs_mirror': lambda: [(mirror.desired(), None, {'columns': mirror.columns(mirror.desired())}),
                           (mirror.desired(vlans=[20]), mirror.current(), {'columns': mirror.columns(mirror.desired(vlans=[20]))}),
                           (mirror.desired(state='absent'), mirror.current(), None)],
    'linux_bridge': lambda: [(linux_bridge.desired(), None, None), (linux_bridge.desired(), linux_bridge.found(), None),
                             (linux_bridge.desired(state='absent'), linux_bridge.found(), None)],
    'docker_network': lambda: [(network.desired(), None, {'host': network.HOST}), (network.desired(), network.found(), None),
                               (network.desired(state='absent'), network.found(), None)],
    'ovs_docker_topology': lambda: [(container.desired(), None, container.IMAGES),
                                    (container.desired(env={'A': '2'}), container.found(), container.IMAGES),
                                    (container.desired(), container.found(running=False), container.IMAGES),
                                    (container.desired(state='absent'), container.found(), None)],
}


def test_every_domain_has_its_cases_here():
    assert sorted(CASES) == sorted(registry.DOMAINS)


@pytest.mark.parametrize('name', sorted(registry.DOMAINS))
def test_one_interface(name):
    domain = registry.domain(name)
    assert list(inspect.signature(domain.plan).parameters)[:3] == ['desired', 'current', 'facts']
    assert issubclass(domain.part, _runner.Module) and callable(domain.desired_state) and callable(domain.observe)
    assert domain.executors and all(issubclass(e, Executor) and e.RUNS for e in domain.executors)
    assert all(callable(run) for e in domain.executors for run in e.RUNS.values())


@pytest.mark.parametrize('name', sorted(registry.DOMAINS))
def test_plans_are_pure_and_every_kind_and_undo_has_an_executor(name):
    domain, kinds, made = registry.domain(name), registry.domain(name).kinds(), set()
    for desired, current, facts in CASES[name]():
        inputs = copy.deepcopy((desired, current, facts))
        first = domain.plan(desired, current, facts)
        assert (desired, current, facts) == inputs, 'the plan changed its inputs'
        again = domain.plan(desired, current, facts)
        assert isinstance(first, Plan) and first.actions == again.actions and first.after == again.after
        for action in first.actions:
            made.add(action.kind)
            undo = action.undo()
            assert action.kind in kinds and (undo is None or undo.kind in kinds), action
    assert made, 'no case of %s makes an action' % name


class _Module(object):
    _diff = True


@pytest.mark.parametrize('name', sorted(registry.DOMAINS))
def test_check_mode_runs_no_step(name, monkeypatch):
    desired, current, facts = CASES[name]()[0]
    desired = dict(desired, key=desired.get('key') or 'one')  # (what a module's validate() adds)
    planned = registry.domain(name).plan(desired, current, facts)
    assert planned.actions

    class Part(registry.domain(name).part):
        def __init__(self):  # (no AnsibleModule: the runner's flow alone)
            self.module, self.params, self.db, self.plans, self.desired = _Module(), {'container': 'c1'}, None, [], [desired]
            self.new_bridges = []  # (ovs_docker_port's validate() sets it)

        def validate(self):
            return []

        def connect(self):
            pass

        def resolve(self):
            return []

        def make_plans(self):
            return [planned]

        def problems(self):
            return []

        def steps(self):
            raise AssertionError('check mode asked for the steps')

    def no_lock():
        raise AssertionError('check mode took the lock')
    monkeypatch.setattr(_runner, 'host_lock', no_lock)
    result = _runner._run(Part(), True)
    assert result['changed'] is True
    with pytest.raises(AssertionError, match='the lock|the steps'):
        _runner._run(Part(), False)


def test_an_unknown_kind_is_refused_by_its_executor():
    from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.engine import Action
    from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains.veth_link import LinkEnds
    with pytest.raises(ValueError, match="LinkEnds runs no action of kind 'port'"):
        LinkEnds().run([Action('port', 'x', None, None)])


def test_the_registry_names_what_it_has():
    with pytest.raises(KeyError, match='there are: docker_network, linux_bridge, netns_veth'):
        registry.domain('ovs_capture')
    assert ModuleError  # (what a module's failure is; the runner alone raises it to ansible)
