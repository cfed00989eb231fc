# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one interface of a domain (a bridge, an attachment, a VXLAN link, a veth link, ...): what
the runner, the agent's replay and the controller's code find in the registry
(_domains/registry.py) for each module that changes something.

    desired_state(spec) -> (desired, [problems])   what is asked, validated before anything is read
    observe(...)                                   a read-only look: the current state (each
                                                   domain's own arguments: what it reads through)
    plan(desired, current, facts=None) -> Plan     pure; facts: what else the look found that the
                                                   plan needs (a bridge that exists, new namespaces)
    part                                           the module's own part (_runner.Module): the one
                                                   way through validate, observe, plan, apply, read back
    executors                                      what runs the plans' actions: each kind in one
                                                   executor's RUNS table (_engine.Executor)
    replay(records, context) -> params             the agent's module params for records of this
                                                   domain (None: the agent replays none)

A domain registers itself by an entry in the registry; tests/unit/plugins/module_utils/test_domains.py
holds every entry to the contract (plans pure, every kind run and undone, check mode runs nothing).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class Domain(object):
    """One domain's entry in the registry (see the module's docstring)."""

    __slots__ = ('name', 'part', 'desired_state', 'observe', 'plan', 'executors', 'replay')

    def __init__(self, name, part, desired_state, observe, plan, executors, replay=None):
        self.name, self.part = name, part
        self.desired_state, self.observe, self.plan = desired_state, observe, plan
        self.executors, self.replay = tuple(executors), replay

    def kinds(self):
        """Every action kind this domain's executors run."""
        found = set()
        for executor in self.executors:
            found.update(executor.RUNS)
        return found

    def __repr__(self):
        return 'Domain(%s)' % self.name
