# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The agent's choices: which records a container start applies, which container a record binds
to, what waits and what is only logged. The runs themselves are the modules' (integration:
tests/integration/targets/persistence)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import logging

import pytest

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._agent import agent as _agent
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import marks as _marks
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains.attachment.module import item_of
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._system import containers as _containers

OLD, NEW = 'a' * 64, 'b' * 64
PC1 = {'container': 'pc1', 'container_full_id': OLD, 'interface': 'eth0', 'bridge': 'br0', 'addresses': ['198.18.30.1/24']}
NS = {'namespace': 'ns1', 'interface': 'eth0', 'bridge': 'br0', 'create_namespace': True}


class Engine(object):
    containers = {}
    id = 'docker'

    def __init__(self, base_url, timeout):
        pass

    def owns(self, external_ids):
        return external_ids.get(_marks.ENGINE, self.id) == self.id

    def inspect(self, ref):
        return self.containers.get(ref)


@pytest.fixture
def agent(monkeypatch):
    applied = []
    monkeypatch.setattr(_containers, 'ContainerApi', Engine)
    found = _agent.Agent('unix:/nowhere', 'unix:///nowhere')
    found.records = lambda: [('p1', {_marks.CONTAINER_ID: 'pc1'}, PC1), ('p2', {_marks.NETNS: 'ns1'}, NS)]
    found._apply = lambda what, module, records, quiet=False, overlap=False: applied.append((what, module, records)) is None
    found.applied = applied
    return found


def test_at_its_start_every_record_is_applied(agent):
    Engine.containers = {'pc1': {'id': OLD, 'running': True}}
    assert agent.reconcile() == 2
    assert agent.applied == [('container pc1', 'ovs_docker_port', [PC1]), ('namespaces', 'netns_veth', [NS])]


def test_a_start_applies_that_container_s_records_only(agent):
    Engine.containers = {'pc1': {'id': OLD, 'running': True}}
    assert agent.reconcile({OLD}) == 1
    assert agent.applied == [('container pc1', 'ovs_docker_port', [PC1])]
    agent.applied[:] = []
    assert agent.reconcile({NEW}) == 0 and agent.applied == []


def test_starts_together_are_one_run_and_one_each_when_it_is_refused(agent):
    pc2 = dict(PC1, container='pc2', container_full_id=NEW)
    Engine.containers = {'pc1': {'id': OLD, 'running': True}, 'pc2': {'id': NEW, 'running': True}}
    agent.records = lambda: [('p1', {_marks.CONTAINER_ID: 'pc1'}, PC1), ('p3', {_marks.CONTAINER_ID: 'pc2'}, pc2)]
    assert agent.reconcile({OLD, NEW}) == 2
    assert agent.applied == [('container pc1, pc2', 'ovs_docker_port', [PC1, pc2])]
    agent.applied[:] = []
    runs = []
    agent._apply = lambda what, module, records, quiet=False, overlap=False: runs.append((what, quiet)) or len(records) == 1
    agent.reconcile({OLD, NEW})
    assert runs == [('container pc1, pc2', True), ('container pc1', False), ('container pc2', False)]


def test_another_engine_s_records_are_not_this_agent_s(agent):
    Engine.containers = {'pc1': {'id': OLD, 'running': True}}
    agent.records = lambda: [('p1', {_marks.CONTAINER_ID: 'pc1', _marks.ENGINE: 'podman'}, PC1)]
    assert agent.reconcile() == 0 and agent.applied == []


def test_a_new_container_under_the_recorded_name_is_left_alone(agent, caplog):
    Engine.containers = {'pc1': {'id': NEW, 'running': True}}
    with caplog.at_level(logging.INFO):
        agent.reconcile()
    assert [a[0] for a in agent.applied] == ['namespaces']
    assert 'container pc1 is a new container (bbbbbbbbbbbb), not the one recorded (aaaaaaaaaaaa)' in caplog.text


@pytest.mark.parametrize('found, words', [
    (None, 'container pc1 is gone'),
    ({'id': OLD, 'running': False}, 'container pc1 is not running: its attachments wait'),
])
def test_gone_or_stopped_containers_wait_and_are_logged(agent, caplog, found, words):
    Engine.containers = {'pc1': found} if found else {}
    with caplog.at_level(logging.INFO):
        agent.reconcile()
    assert [a[0] for a in agent.applied] == ['namespaces'] and words in caplog.text


def test_a_record_becomes_an_attachments_item():
    assert item_of(PC1) == dict((k, v) for k, v in PC1.items() if k != 'container_full_id')


def test_a_module_run_failing_is_one_line_and_nothing_more(monkeypatch, caplog):
    def refuse(part, params):
        raise _agent.ModuleError('interface eth0 in container pc1 is not one this module made')
    monkeypatch.setattr(_agent, 'run_module', refuse)
    found = _agent.Agent('unix:/nowhere', 'unix:///nowhere')
    with caplog.at_level(logging.INFO):
        assert found._apply('container pc1', 'ovs_docker_port', [PC1]) is False
    assert caplog.records[-1].getMessage() == (
        'container pc1: not applied (nothing changed): interface eth0 in container pc1 is not one this module made')


def test_the_runs_params_pass_the_module_s_own_argument_spec():
    from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains.attachment.docker_port import DockerPort
    from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
    params = {'attachments': [item_of(PC1)], 'docker_host': 'unix:///nowhere', 'create_bridge': False,
              'ovsdb_socket': 'unix:/nowhere', 'ovsdb_timeout': 1.0}
    checked = ArgumentSpecValidator(DockerPort.argument_spec).validate(params)
    assert checked.error_messages == []


def test_agent_state_reads_the_pid_file(tmp_path):
    import os
    from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.common import agent_state
    path = tmp_path / 'agent.pid'
    assert agent_state(str(path)) == {'running': False, 'pid': None}
    path.write_text('%d\n' % os.getpid())
    assert agent_state(str(path)) == {'running': False, 'pid': None}  # a live process, but not the agent


def test_the_event_stream_reads_chunks_as_they_come(tmp_path):
    import socket
    import threading
    path = str(tmp_path / 'engine.sock')
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    engine = {}

    def answer():
        conn, _addr = server.accept()
        engine['request'] = conn.recv(4096)
        conn.sendall(b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n')
        engine['conn'] = conn
    thread = threading.Thread(target=answer)
    thread.start()
    stream = _agent.EventStream(path)
    thread.join()
    assert engine['request'].startswith(b'GET /events?filters=')
    one = b'{"status":"start","id":"' + b'a' * 64 + b'"}\n'
    two = b'{"Type":"container","Actor":{"ID":"' + b'b' * 64 + b'"}}\n'
    chunk = b'%x\r\n%s\r\n' % (len(one + two), one + two)
    try:
        engine['conn'].sendall(chunk[:30])  # a chunk split across reads
        assert stream.read() == []
        engine['conn'].sendall(chunk[30:])
        assert stream.read() == ['a' * 64, 'b' * 64]
        engine['conn'].sendall(b'0\r\n\r\n')
        assert stream.read() == [] and stream.ended
    finally:
        stream.close()
        engine['conn'].close()
        server.close()


def test_bridges_come_first_at_the_start_and_only_then(agent):
    Engine.containers = {'pc1': {'id': OLD, 'running': True}}
    runs = []
    agent._apply = lambda what, module, records, quiet=False, overlap=False: runs.append((module, records, overlap)) is None
    agent.records = lambda: [('p1', {_marks.CONTAINER_ID: 'pc1'}, PC1),
                             ('br1', {'bridge': 'br1'}, {'addresses': ['198.18.31.1/24'], 'link_state': 'up'}),
                             ('br2', {'bridge': 'br2'}, {'link_state': 'up', 'allow_host_overlap': True})]
    assert agent.reconcile() == 3
    assert runs == [('ovs_bridge', [{'name': 'br1', 'addresses': ['198.18.31.1/24'], 'link_state': 'up'}], False),
                    ('ovs_bridge', [{'name': 'br2', 'link_state': 'up'}], True),
                    ('ovs_docker_port', [PC1], False)]
    runs[:] = []
    assert agent.reconcile({OLD}) == 1 and [r[0] for r in runs] == ['ovs_docker_port']
    runs[:] = []
    assert agent.reconcile(bridges_only=True) == 2 and [r[0] for r in runs] == ['ovs_bridge', 'ovs_bridge']


def test_the_worker_applies_every_batch_that_waits_as_one_and_goes_on_after_a_failure(agent, caplog):
    import os
    batches = []

    def reconcile(ids):
        batches.append(ids)
        if 'bad' in ids:
            raise _agent.ModuleError('OVSDB is not there')
        return len(ids)
    agent.reconcile = reconcile
    read, write = os.pipe()
    os.write(write, b'["' + OLD.encode() + b'"]\n["' + NEW.encode() + b'"]\n')
    os.close(write)  # (the agent ends it so; what was sent is applied first)
    with caplog.at_level(logging.INFO, logger='netdevops.ovs_docker.agent'):
        agent.work(read)
    assert batches == [{OLD, NEW}]
    assert 'containers aaaaaaaaaaaa, bbbbbbbbbbbb started: 2 record(s)' in caplog.text
    read, write = os.pipe()
    os.write(write, b'["bad"]\n')
    os.close(write)
    assert agent.work(read) == _agent.UNAPPLIED  # (the agent makes a pass over every record again)
    assert 'container bad started: their records could not be applied: OVSDB is not there' in caplog.text


def test_what_is_not_applied_is_counted_and_said_with_whether_the_undo_was_whole(monkeypatch, caplog):
    pc2 = dict(PC1, container='pc2', container_full_id=NEW)
    monkeypatch.setattr(_containers, 'ContainerApi', Engine)
    Engine.containers = {'pc1': {'id': OLD, 'running': True}, 'pc2': {'id': NEW, 'running': True}}

    def run(part, params):
        if any(a['container'] == 'pc2' for a in params['attachments']):
            raise _agent.ModuleError('timed out waiting for ovs-vswitchd; undoing this run failed too: ...', changed=True)
        return {'changed': False}
    monkeypatch.setattr(_agent, 'run_module', run)
    found = _agent.Agent('unix:/nowhere', 'unix:///nowhere')
    found.records = lambda: [('p1', {_marks.CONTAINER_ID: 'pc1'}, PC1), ('p3', {_marks.CONTAINER_ID: 'pc2'}, pc2)]
    with caplog.at_level(logging.INFO):
        assert found.reconcile() == 2
    assert found.unapplied == 1  # pc2 alone: the run of both, refused, is tried one by one
    assert caplog.records[-1].getMessage().startswith('container pc2: not applied: timed out')
    found.records = lambda: [('p1', {_marks.CONTAINER_ID: 'pc1'}, PC1)]
    found.reconcile()
    assert found.unapplied == 0


def test_a_pass_that_left_records_unapplied_is_made_again_after_a_wait_that_doubles(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(_agent.time, 'monotonic', lambda: clock[0])
    retry = _agent.Retry()
    retry.after(_agent.APPLIED)
    assert not retry.due()
    retry.after(_agent.UNREAD)  # OVSDB not up yet: at the next look
    assert retry.due()
    waits = []
    for _attempt in range(10):
        retry.after(_agent.UNAPPLIED)
        start = clock[0]
        while not retry.due():
            clock[0] += 1
        waits.append(clock[0] - start)
    assert waits == [2, 4, 8, 16, 32, 64, 128, 256, 300, 300]
    retry.after(_agent.APPLIED)
    assert not retry.due() and retry.wait == _agent.RETRY_FIRST
