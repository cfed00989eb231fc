# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A persistent attachment's record on its port: made, followed, removed, idempotent. Pure."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.marks import RECORD
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains.attachment import plan as _attach

from .test_attach_plan import SEED, current, desired, errors_of


def ids_after(plan):
    """The port's external_ids as the plan leaves them ({} when it does not touch them)."""
    changes = [a for a in plan.actions if a.kind == 'iface_ext']
    return changes[0].new if changes else None


def test_persistent_records_the_request_and_a_repeat_changes_nothing():
    plan = _attach.plan(desired(persistent=True, **SEED), current())
    ids = ids_after(plan)
    assert [a.kind for a in plan.actions] == ['iface_ext']
    assert json.loads(ids[RECORD]) == {'namespace': 'ns1', 'interface': 'veth1', 'host_interface': 'veth0', 'bridge': 'br0',
                                       'addresses': ['192.168.1.1/24'], 'gateway': '192.168.1.250'}
    assert plan.after['persistent'] is True and plan.before['persistent'] is False
    again = _attach.plan(desired(persistent=True, **SEED), current(port={'external_ids': ids}))
    assert again.actions == []


def test_the_record_follows_the_attachment_and_keeps_what_a_task_leaves_out():
    ids = {RECORD: json.dumps({'namespace': 'ns1', 'interface': 'veth1', 'bridge': 'br0', 'mac': '02:00:00:00:00:01',
                               'addresses': ['192.168.1.1/24']})}
    plan = _attach.plan(desired(addresses=['192.168.1.7/24']), current(port={'external_ids': ids}))
    record = json.loads(ids_after(plan)[RECORD])
    assert record['addresses'] == ['192.168.1.7/24'] and record['mac'] == '02:00:00:00:00:01'


def test_persistent_false_removes_the_record_and_not_given_leaves_none():
    ids = {RECORD: '{"namespace": "ns1"}', 'owner': 'me'}
    plan = _attach.plan(desired(persistent=False, **SEED), current(port={'external_ids': ids}))
    assert ids_after(plan) == {'owner': 'me'}
    assert _attach.plan(desired(**SEED), current()).actions == []


def test_a_record_not_json_is_made_again():
    plan = _attach.plan(desired(persistent=True, **SEED), current(port={'external_ids': {RECORD: 'garbage'}}))
    assert json.loads(ids_after(plan)[RECORD])['namespace'] == 'ns1'


def test_persistent_needs_a_bridge():
    assert any('need bridge' in e for e in errors_of(bridge=None, persistent=True))


def test_persistent_false_without_a_bridge_is_nothing_to_do():
    assert errors_of(bridge=None, persistent=False) == []
