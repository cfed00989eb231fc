# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one way every module changes the system: a plan holding a list of actions, applied in
order, undone in reverse when one fails.

Every planner returns a ``Plan`` for one object (a bridge, an attachment, a VXLAN link): what was
asked, what is there, the actions between them, the object as shown before and after, and the
problems (refusals found once the system was looked at: the run fails with nothing changed).

An action is ``Action(kind, target, new, old)``: the ``target`` of that ``kind`` goes from ``old``
to ``new``, where None means absent (``old`` None creates, ``new`` None deletes). So the undo of
every action is the same action with ``new`` and ``old`` swapped; ``old`` is NO_UNDO where there is
nothing to take back (a stale link deleted is not made again; a link made in this run goes as a
whole when its creation is undone). Each domain lists its kinds next to its planner.

A step is ``(executor, action)``. An executor runs actions of its domain (netlink, OVSDB, ...):
``run(actions)`` runs a non-empty list of them, as one request or transaction where it can, and
``joins(previous, action)`` says whether ``action`` may go into the same call as the one before.
What runs each kind is a table, ``RUNS`` (kind -> function), looked up by ``runs(action)``: no
if/elif over kinds and no method found by its name, so that the domain contract can check that
every kind a planner makes has something that runs it (tests/unit/.../test_domains.py).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from collections import namedtuple

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.common import ApplyError

NO_UNDO = '(not kept: nothing to take back)'


class Action(namedtuple('Action', 'kind target new old')):
    """One change: ``target`` of ``kind`` from ``old`` to ``new`` (None: absent)."""
    __slots__ = ()

    def undo(self):
        """The action that takes this one back, or None when there is nothing to take back."""
        if self.old is NO_UNDO:
            return None
        return Action(self.kind, self.target, self.old, self.new)


class Plan(object):
    """One object's plan. ``desired``: what the task asks (the planner's input); ``current``: what
    observe read (None: nothing there); ``actions``: [Action] from one to the other, in the order
    they run; ``before``/``after``: the object as shown (the result, the diff's two sides);
    ``problems``: [message] that refuse the run; ``handle``: what observe opened that the
    executors reuse (an attachment: its namespace's Netlink)."""
    __slots__ = ('desired', 'current', 'actions', 'before', 'after', 'problems', 'handle')

    def __init__(self, desired, current, actions=(), before=None, after=None, problems=(), handle=None):
        self.desired, self.current, self.handle = desired, current, handle
        self.actions, self.problems = list(actions), list(problems)
        self.before, self.after = before, after

    @classmethod
    def refused(cls, desired, current, shown, problems):
        """A plan that cannot be carried out: no actions, shown as it is."""
        return cls(desired, current, [], shown, shown, problems)

    def __repr__(self):
        return 'Plan(actions=%r, problems=%r)' % (self.actions, self.problems)


class Executor(object):
    """The base of the executors: run(actions) is theirs; joins() here lets no action join the
    previous one's call (a call each). RUNS: kind -> the function that runs one action of it,
    called as function(executor, ..., action) (what comes between is the executor's own: an
    OVSDB executor passes its transaction)."""

    RUNS = {}

    @staticmethod
    def joins(previous, action):
        return False

    def runs(self, action):
        """The function of RUNS for the action's kind; ValueError for a kind it does not run."""
        try:
            return self.RUNS[action.kind]
        except KeyError:
            raise ValueError('%s runs no action of kind %r: %r' % (type(self).__name__, action.kind, action))

    def run(self, actions):
        raise NotImplementedError


class OneByOneExecutor(Executor):
    """An executor whose actions are one request each (the engine's API, netlink): run() runs
    them in turn, each as RUNS[kind](executor, action)."""

    def run(self, actions):
        for action in actions:
            self.runs(action)(self, action)


class JoinedExecutor(Executor):
    """An executor that runs every run of consecutive actions in one call (one OVSDB transaction,
    one link group)."""

    @staticmethod
    def joins(previous, action):
        return True


def _groups(steps):
    """Consecutive steps of one executor that it lets join: one run() call each."""
    groups = []
    for executor, action in steps:
        if groups and groups[-1][0] is executor and executor.joins(groups[-1][1][-1], action):
            groups[-1][1].append(action)
        else:
            groups.append((executor, [action]))
    return groups


def apply_with_undo(steps, done=None):
    """Run ``steps`` [(executor, Action)] in order. When one fails, undo what was done, newest
    first (joined the same way), and raise ApplyError with the failure and whatever could not be
    undone; the undo goes on past an undo that fails. A failure with ``applied`` true counts its
    own call's actions as done. ``done``: a list that the steps run are added to, holding what
    earlier calls of a staged run did (undone too when one of these fails)."""
    done = [] if done is None else done
    for executor, actions in _groups(steps):
        try:
            executor.run(actions)
        except Exception as exc:
            # ``applied``: the call made its change and only its confirmation failed (an OVSDB
            # transaction committed that ovs-vswitchd did not apply in time): undone with the rest
            if getattr(exc, 'applied', False):
                done.extend((executor, action) for action in actions)
            raise ApplyError(str(exc), undo(done))
        done.extend((executor, action) for action in actions)


def undo(done):
    """Take back ``done`` [(executor, Action)], newest first; returns the errors, worded."""
    steps = [(executor, action.undo()) for executor, action in reversed(done) if action.undo() is not None]
    errors = []
    for executor, actions in _groups(steps):
        try:
            executor.run(actions)
        except Exception as exc:  # keep undoing what can be undone
            errors.append('undoing %s: %s' % (', '.join(sorted(set(a.kind for a in actions))), exc))
    return errors
