# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The action behind each module of this collection: ansible's own ``normal`` action (check mode,
diff, async, module_defaults all as for any module), run with the controller's heap frozen.

Why: ansible forks a worker for each task, and the worker inherits the controller's whole heap.
To pack a module, ansible-core parses every module_util it ships and leaves each parsed tree as
cyclic garbage (its import finder sets ``node.parent`` on import nodes), so Python's cyclic
collector makes full collections over that inherited heap while the worker packs and runs the
module: 60-110 ms of an ad-hoc run (docs/performance.md). ``gc.freeze()`` takes what the worker
inherited out of the collector's sight, as CPython advises for a process forked from a large
one; what the task itself makes is collected as before, and the heap is unfrozen when the task
is done."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import gc

from ansible.plugins.action.normal import ActionModule as NormalAction


class ActionModule(NormalAction):

    def run(self, tmp=None, task_vars=None):
        # someone else's freeze (the count is not 0) is theirs to undo: leave it as it is
        ours = gc.get_freeze_count() == 0
        if ours:
            gc.freeze()
        try:
            return super(ActionModule, self).run(tmp, task_vars)
        finally:
            if ours:
                gc.unfreeze()
