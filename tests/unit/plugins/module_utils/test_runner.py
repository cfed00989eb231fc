# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one module flow (_runner.run) with a fake module of its own: what runs when, what a
failure reports, and that the libraries' errors become the module's failure there alone."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.netdevops.ovs_docker.plugins.module_utils import _common, _runner
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._engine import Action


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


class Fake(_runner.Module):
    """A module whose world is a dict: the plan sets each wanted key; read_back reads the dict."""
    world = {}
    wanted = {}
    problems = []
    errors = []
    fail_at = None
    broken_library = None

    def validate(self):
        return list(self.errors)

    def connect(self):
        self.connected = True
        if self.broken_library:
            raise _common.missing_library(self.broken_library, 'Traceback: ImportError')
        self.executor = Executor(self.world, self.fail_at)

    def plan(self):
        self.actions = [Action('key', k, v, self.world.get(k)) for k, v in sorted(self.wanted.items()) if self.world.get(k) != v]
        return list(self.problems)

    def result(self):
        return self.planned(bool(self.actions), dict(self.world), dict(self.world, **self.wanted), thing=dict(self.world, **self.wanted))

    def steps(self):
        return [(self.executor, a) for a in self.actions]

    def read_back(self):
        return dict(thing=dict(self.world))

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
    module = fake(world={'a': 1}, wanted={'a': 2, 'b': 3})
    end = ended(module)
    assert not end.failed and end.result['changed']
    assert end.result['thing'] == {'a': 2, 'b': 3} == module.world  # read back from the world, not the plan
    assert end.result['diff'] == {'before': {'a': 1}, 'after': {'a': 2, 'b': 3}}
    assert lock.exists()  # a run that changes takes the host's lock


def test_check_mode_runs_no_step_and_takes_no_lock(lock):
    module = fake(world={'a': 1}, wanted={'a': 2})
    end = ended(module, check_mode=True)
    assert not end.failed and end.result['changed'] and end.result['thing'] == {'a': 2}
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
    module = fake(world={'a': 1}, wanted={'a': 2}, problems=['a belongs to someone else'])
    end = ended(module)
    assert end.failed and end.result == {'msg': 'a belongs to someone else', 'errors': ['a belongs to someone else']}
    assert module.world == {'a': 1}


def test_an_apply_error_is_undone_and_reports_what_is_really_there():
    module = fake(world={'a': 1}, wanted={'a': 2, 'b': 3}, fail_at='b')
    end = ended(module)
    assert end.failed and end.result['msg'] == 'the kernel refused b; what this run changed was undone'
    assert module.world == {'a': 1}  # a taken back, b never set
    assert end.result['thing'] == module.world and end.result['changed'] is False


def test_a_library_error_becomes_the_modules_failure_with_its_details():
    end = ended(fake(broken_library='pyroute2 (pip install pyroute2)', wanted={'a': 2}))
    assert end.failed and 'pyroute2 (pip install pyroute2)' in end.result['msg']
    assert end.result['exception'] == 'Traceback: ImportError'


def test_a_read_only_module_takes_no_lock_and_applies_nothing(lock):
    module = fake(world={'a': 1}, wanted={'a': 2}, read_only=True)
    end = ended(module)
    assert not end.failed and module.world == {'a': 1} and not lock.exists()


def test_reading_errors_are_worded():
    def plan(self):
        raise OSError(2, 'No such file or directory')
    end = ended(fake(plan=plan))
    assert end.failed and end.result['msg'] == 'reading the current state failed: [Errno 2] No such file or directory'
