# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one module flow (_runner.run) with a fake module of its own: what runs when, what a
failure reports, and that the libraries' errors become the module's failure there alone."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import common as _common
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import runner as _runner
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.engine import Action, Plan


class Ended(Exception):
    """exit_json or fail_json was called: ``failed`` says which, ``result`` what with."""

    def __init__(self, failed, result):
        super(Ended, self).__init__(result.get('msg'))
        self.failed, self.result = failed, result


class FakeAnsible(object):
    def __init__(self, check_mode=False, diff=True):
        self.params, self.check_mode, self._diff = {}, check_mode, diff

    def exit_json(self, **result):
        raise Ended(False, result)

    def fail_json(self, **result):
        raise Ended(True, result)


class Executor(object):
    """Applies actions to ``state`` (a dict), or fails at the action whose target is ``fail_at``."""

    def __init__(self, state, fail_at=None):
        self.state, self.fail_at, self.calls = state, fail_at, []

    @staticmethod
    def joins(previous, action):
        return False

    def run(self, actions):
        for action in actions:
            self.calls.append(action)
            if action.target == self.fail_at:
                raise RuntimeError('the kernel refused %s' % action.target)
            self.state[action.target] = action.new


class Fake(_runner.Batch):
    """A module whose world is a dict; its objects are keys of the world (``wanted``: key -> value;
    ``many``: given as a list). One Plan per key; look() reads the world."""
    world = {}
    wanted = {}
    problems_of = {}
    errors = []
    fail_at = None
    broken_library = None
    one_key, list_key, noun = 'thing', 'things', 'key'

    def validate(self):
        self.desired = [{'key': k, 'value': v} for k, v in sorted(self.wanted.items())]
        return list(self.errors)

    def connect(self):
        self.connected = True
        if self.broken_library:
            raise _common.missing_library(self.broken_library, 'Traceback: ImportError')
        self.executor = Executor(self.world, self.fail_at)

    def make_plans(self):
        plans = []
        for desired in self.desired:
            key, now = desired['key'], self.world.get(desired['key'])
            actions = [Action('key', key, desired['value'], now)] if now != desired['value'] else []
            plans.append(Plan(desired, now, actions, now, desired['value'], self.problems_of.get(key, [])))
        return plans

    def steps(self):
        return [(self.executor, a) for plan in self.plans for a in plan.actions]

    def look(self, plan):
        return self.world.get(plan.desired['key'])

    def needs_vswitchd(self):
        return False


def fake(**attrs):
    return type('Module', (Fake,), dict(attrs, world=dict(attrs.get('world', {}))))


def ended(module_class, **ansible):
    with pytest.raises(Ended) as end:
        _runner.run(module_class, FakeAnsible(**ansible))
    return end.value


@pytest.fixture(autouse=True)
def lock(tmp_path, monkeypatch):
    """The host lock in a file of the test's, taken afresh each test."""
    path = tmp_path / 'lock'
    monkeypatch.setattr(_common, '_HELD', [])
    monkeypatch.setattr(_common, 'LOCK_PATH', str(path))
    monkeypatch.setattr(_runner, 'host_lock', lambda: _common.host_lock(path=str(path), wait=1))
    return path


def test_a_real_run_applies_and_reads_back(lock):
    module = fake(world={'a': 1}, wanted={'a': 2})
    end = ended(module)
    assert not end.failed and end.result['changed']
    assert end.result['thing'] == 2 == module.world['a']  # read back from the world, not the plan
    assert end.result['diff'] == {'before': 1, 'after': 2}
    assert lock.exists()  # a run that changes takes the host's lock


def test_a_list_is_shown_as_a_list_with_a_diff_by_key():
    module = fake(world={'a': 1, 'b': 3}, wanted={'a': 2, 'b': 3}, many=True)
    end = ended(module)
    assert not end.failed and end.result['changed'] and end.result['things'] == [2, 3] and 'thing' not in end.result
    assert end.result['diff'] == {'before': {'a': 1, 'b': 3}, 'after': {'a': 2, 'b': 3}}


def test_check_mode_runs_no_step_and_takes_no_lock(lock):
    module = fake(world={'a': 1}, wanted={'a': 2})
    end = ended(module, check_mode=True)
    assert not end.failed and end.result['changed'] and end.result['thing'] == 2
    assert module.world == {'a': 1} and not lock.exists()


def test_nothing_to_do_runs_no_step():
    module = fake(world={'a': 1}, wanted={'a': 1})
    end = ended(module)
    assert not end.failed and not end.result['changed'] and module.world == {'a': 1}


def test_bad_input_fails_before_anything_is_reached(lock):
    end = ended(fake(errors=['name x is too long', 'mtu 9 is out of range'], wanted={'a': 2}))
    assert end.failed and end.result['msg'] == 'name x is too long; mtu 9 is out of range'
    assert end.result['errors'] == ['name x is too long', 'mtu 9 is out of range']
    assert not lock.exists()


def test_problems_fail_with_nothing_changed():
    module = fake(world={'a': 1}, wanted={'a': 2}, problems_of={'a': ['a belongs to someone else']})
    end = ended(module)
    assert end.failed and end.result == {'msg': 'a belongs to someone else', 'errors': ['a belongs to someone else']}
    assert module.world == {'a': 1}


def test_problems_of_a_list_say_which_object_and_stop_every_object():
    module = fake(world={'a': 1}, wanted={'a': 2, 'b': 3}, problems_of={'b': ['b is taken']}, many=True)
    end = ended(module)
    assert end.failed and end.result['msg'] == 'key b: b is taken' and module.world == {'a': 1}


def test_a_list_that_names_an_object_twice_is_refused():
    assert _runner.Batch.twice(['a', 'b', 'a'], 'things') == 'things lists a more than once: give each once'
    assert _runner.Batch.twice(['a', 'b'], 'things') is None


def test_an_apply_error_is_undone_and_reports_what_is_really_there():
    module = fake(world={'a': 1}, wanted={'a': 2, 'b': 3}, fail_at='b', many=True)
    end = ended(module)
    assert end.failed and end.result['msg'] == 'the kernel refused b; what this run changed was undone'
    assert module.world == {'a': 1}  # a taken back, b never set
    assert end.result['things'] == [1, None] and end.result['changed'] is False


def test_an_apply_error_of_one_object_names_it():
    end = ended(fake(world={}, wanted={'b': 3}, fail_at='b'))
    assert end.failed and end.result['msg'] == 'key b: the kernel refused b; what this run changed was undone'


def test_a_library_error_becomes_the_modules_failure_with_its_details():
    end = ended(fake(broken_library='pyroute2 (pip install pyroute2)', wanted={'a': 2}))
    assert end.failed and 'pyroute2 (pip install pyroute2)' in end.result['msg']
    assert end.result['exception'] == 'Traceback: ImportError'


def test_a_read_only_module_takes_no_lock_and_applies_nothing(lock):
    module = fake(world={'a': 1}, wanted={'a': 2}, read_only=True)
    end = ended(module)
    assert not end.failed and module.world == {'a': 1} and not lock.exists()


def test_reading_errors_are_worded():
    def make_plans(self):
        raise OSError(2, 'No such file or directory')
    end = ended(fake(make_plans=make_plans, wanted={'a': 2}))
    assert end.failed and end.result['msg'] == 'reading the current state failed: [Errno 2] No such file or directory'


def test_what_resolve_refuses_fails_the_run_before_anything_is_observed():
    observed = []

    def make_plans(self):
        observed.append(True)
        return Fake.make_plans(self)
    module = fake(world={'a': 1}, wanted={'a': 2}, make_plans=make_plans,
                  resolve=lambda self: ['container web does not exist: create and start it first'])
    end = ended(module)
    assert end.failed and end.result['msg'] == 'container web does not exist: create and start it first'
    assert end.result['errors'] == ['container web does not exist: create and start it first']
    assert observed == [] and module.world == {'a': 1}
