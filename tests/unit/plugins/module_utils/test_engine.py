# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The engine every module applies its plan with: order, joining, undo. Fake executors, no root."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.common import ApplyError
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.engine import NO_UNDO, Action, apply_with_undo


class Fake(object):
    """Records each run() call in the shared log; joins what ``join`` allows; fails on ``fail_on``:
    a target, or a (target, new value) pair such as only an undo sets."""

    def __init__(self, name, log, join=False, fail_on=()):
        self.name, self.log, self.join, self.fail_on = name, log, join, fail_on

    def joins(self, previous, action):
        return self.join

    def run(self, actions):
        self.log.append((self.name, [(a.target, a.new) for a in actions]))
        for action in actions:
            if action.target in self.fail_on or (action.target, action.new) in self.fail_on:
                raise RuntimeError('%s refused %s' % (self.name, action.target))


def set_(target, new, old):
    return Action('set', target, new, old)


def test_runs_in_order_and_joins_only_what_the_executor_allows():
    log = []
    db, nl = Fake('db', log, join=True), Fake('nl', log)
    apply_with_undo([(db, set_('a', 1, None)), (db, set_('b', 1, None)), (nl, set_('c', 1, None)),
                     (nl, set_('d', 1, None)), (db, set_('e', 1, None))])
    assert log == [('db', [('a', 1), ('b', 1)]), ('nl', [('c', 1)]), ('nl', [('d', 1)]), ('db', [('e', 1)])]


def test_a_failure_undoes_what_was_done_newest_first_by_swapping_new_and_old():
    log = []
    db, nl = Fake('db', log, join=True), Fake('nl', log, fail_on=('boom',))
    with pytest.raises(ApplyError) as failed:
        apply_with_undo([(nl, set_('mtu', 9000, 1500)), (db, set_('p1', 'x', None)), (db, set_('p2', 'y', 'z')),
                         (nl, set_('boom', 1, None)), (nl, set_('never', 1, None))])
    assert str(failed.value) == 'nl refused boom' and failed.value.undo_errors == []
    assert log[-2:] == [('db', [('p2', 'z'), ('p1', None)]),  # one transaction again, newest first
                        ('nl', [('mtu', 1500)])]
    assert ('nl', [('never', 1)]) not in log


def test_nothing_to_take_back_is_skipped():
    log = []
    nl = Fake('nl', log, fail_on=('boom',))
    with pytest.raises(ApplyError):
        apply_with_undo([(nl, set_('stale', None, NO_UNDO)), (nl, set_('made', 1, None)), (nl, set_('boom', 1, None))])
    assert log == [('nl', [('stale', None)]), ('nl', [('made', 1)]), ('nl', [('boom', 1)]), ('nl', [('made', None)])]


def test_an_undo_that_fails_is_reported_and_the_rest_is_still_undone():
    log = []
    nl = Fake('nl', log, fail_on=('boom',))
    bad = Fake('bad', log, fail_on=(('a', 1),))  # setting 'a' works, setting it back fails
    with pytest.raises(ApplyError) as failed:
        apply_with_undo([(nl, set_('first', 1, 0)), (bad, set_('a', 2, 1)), (nl, set_('boom', 1, 0))])
    assert failed.value.undo_errors == ['undoing set: bad refused a']
    assert log[-1] == ('nl', [('first', 0)])
    assert 'undoing this run failed too: undoing set: bad refused a' in failed.value.report('x: ')


class Unconfirmed(Fake):
    """Makes its change, then fails to confirm it (an OVSDB transaction committed that
    ovs-vswitchd did not apply in time)."""

    def run(self, actions):
        self.log.append((self.name, [(a.target, a.new) for a in actions]))
        if any((a.target, a.new) in self.fail_on for a in actions):
            error = RuntimeError('timed out waiting for ovs-vswitchd')
            error.applied = True
            raise error


def test_a_change_made_but_not_confirmed_is_undone_with_the_rest():
    # the CI failure this guards: a stale port out, its new row in but not confirmed; undoing only
    # the removal put a second row of that name in (a constraint violation), the new one stayed
    log = []
    db = Unconfirmed('db', log, fail_on=(('p1', 'new'),))
    with pytest.raises(ApplyError) as failed:
        apply_with_undo([(db, set_('p1', None, 'old')), (Fake('nl', log), set_('veth', 1, None)), (db, set_('p1', 'new', None))])
    assert failed.value.undo_errors == []
    assert log[-3:] == [('db', [('p1', None)]), ('nl', [('veth', None)]), ('db', [('p1', 'old')])]


def test_success_needs_no_undo():
    log = []
    apply_with_undo([(Fake('nl', log), set_('a', 1, 0))])
    assert log == [('nl', [('a', 1)])]


def test_the_undo_of_an_action():
    assert Action('addr', '10.0.0.1/24', 'present', None).undo() == Action('addr', '10.0.0.1/24', None, 'present')
    assert Action('veth', 'x', None, NO_UNDO).undo() is None
