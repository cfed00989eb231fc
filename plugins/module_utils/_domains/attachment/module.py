# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The module part netns_veth and ovs_docker_port share (see _runner.Batch): their attachments
are observed, planned, carried out and read back alike; each module makes its desired states."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import runner as _runner
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains.attachment import plan as _attach
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains.attachment import apply as _attach_apply


# Record keys (see _attach.record) that are not options of an attachments item.
NOT_OPTIONS = ('container_full_id',)


def item_of(record):
    """An attachments item from a persistent attachment's record: what the agent asks again."""
    return dict((k, v) for k, v in record.items() if k not in NOT_OPTIONS)


class Attachments(_runner.Batch):
    """``self.host``: the host's Netlink (connect() makes it)."""

    one_key, list_key = 'attachment', 'attachments'

    def plan_each(self, wanted):
        """[desired] -> [Plan]: each observed (reads only) and planned."""
        self.prefetch(wanted)
        plans = []
        for desired in wanted:
            current, ns = _attach.observe(desired, self.host, self.db)
            found = _attach.plan(desired, current)
            found.handle = ns  # (the namespace observe opened: the executors reuse it)
            plans.append(found)
        return plans

    def prefetch(self, items):
        if len(items) > 1:
            self.host.prefetch()  # one dump answers every attachment's host link lookups

    def steps(self):
        return _attach_apply.schedule(self.plans, self.db, self.host)

    def look(self, plan):
        return _attach.view(plan.desired, _attach.observe(plan.desired, self.host, self.db)[0])

    def read_back(self):
        self.prefetch(self.plans)
        return super(Attachments, self).read_back()
