# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The modules' action: ansible's normal action with the worker's inherited heap frozen for the
task, and unfrozen after it, whatever happens."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import gc
import importlib
import os

import pytest

from ansible.plugins.action.normal import ActionModule as NormalAction

from ansible_collections.netdevops.ovs_docker.plugins.plugin_utils._action import ActionModule

PLUGINS = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'plugins')


@pytest.fixture
def action(monkeypatch):
    """An ActionModule whose normal run only records the freeze count it ran under."""
    seen = []

    def normal_run(self, tmp=None, task_vars=None):
        seen.append(gc.get_freeze_count())
        if task_vars == 'boom':
            raise RuntimeError('the module failed to run')
        return {'changed': False}

    monkeypatch.setattr(NormalAction, 'run', normal_run)
    yield object.__new__(ActionModule), seen
    gc.unfreeze()  # whatever a failing test left behind


def test_runs_with_the_heap_frozen_then_unfrozen(action):
    plugin, seen = action
    assert plugin.run(task_vars={}) == {'changed': False}
    assert seen[0] > 0, 'the normal action ran with nothing frozen'
    assert gc.get_freeze_count() == 0


def test_unfrozen_when_the_run_fails(action):
    plugin, seen = action
    with pytest.raises(RuntimeError):
        plugin.run(task_vars='boom')
    assert seen[0] > 0
    assert gc.get_freeze_count() == 0


def test_someone_elses_freeze_is_left_alone(action):
    plugin, seen = action
    gc.freeze()
    before = gc.get_freeze_count()
    plugin.run(task_vars={})
    assert seen == [before] and gc.get_freeze_count() == before


def test_every_module_runs_through_it():
    modules = sorted(name[:-3] for name in os.listdir(os.path.join(PLUGINS, 'modules'))
                     if name.endswith('.py') and name != '__init__.py')
    own_action = {'lab_validate'}  # checks the lab's variables on the controller; runs no module
    for name in modules:
        if name in own_action:
            continue
        plugin = importlib.import_module('ansible_collections.netdevops.ovs_docker.plugins.action.' + name)
        assert plugin.ActionModule is ActionModule, name
