# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""_containers.LocalApi: the Engine API on a unix socket with the standard library, against a
small HTTP server on a socket of the test's own (the integration targets ask real dockerd and
Podman the same questions)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import socket
import tempfile
import threading

import pytest

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import marks as _marks
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._system import containers as _containers

CON = {'Id': 'f' * 64, 'Name': '/web', 'State': {'Pid': 42, 'Running': True, 'Status': 'running'},
       'HostConfig': {'NetworkMode': 'none'}}


class Engine(object):
    """A one-thread HTTP/1.1 server on a unix socket. ``answers`` maps a path to (status, body);
    ``close_after`` closes each connection after that many answers (an engine ending keep-alive)."""

    def __init__(self, answers, close_after=None):
        self.answers, self.close_after, self.asked = answers, close_after, []
        self.dir = tempfile.mkdtemp()
        self.path = os.path.join(self.dir, 'engine.sock')
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(self.path)
        self.server.listen(4)
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while True:
            try:
                conn, _addr = self.server.accept()
            except OSError:
                return
            with conn:
                reader, served = conn.makefile('rb'), 0
                while True:
                    line = reader.readline()
                    if not line:
                        break
                    path = line.split()[1].decode()
                    while reader.readline() not in (b'\r\n', b''):
                        pass
                    self.asked.append(path)
                    status, body = self.answers.get(path.split('?')[0], (404, {'message': 'No such container'}))
                    data = json.dumps(body).encode() if not isinstance(body, bytes) else body
                    conn.sendall(b'HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s'
                                 % (status, len(data), data))
                    served += 1
                    if self.close_after and served >= self.close_after:
                        break
                reader.close()  # (the socket stays open while its file object does)

    def close(self):
        self.server.close()
        os.unlink(self.path)
        os.rmdir(self.dir)


@pytest.fixture
def engine():
    made = []

    def make(answers, **kwargs):
        made.append(Engine(answers, **kwargs))
        return made[-1]
    yield make
    for one in made:
        one.close()


def test_the_socket_of_a_unix_endpoint_as_the_sdk_reads_it():
    assert _containers.unix_socket('unix:///var/run/docker.sock') == '/var/run/docker.sock'
    assert _containers.unix_socket('unix://run/podman/podman.sock') == '/run/podman/podman.sock'
    assert _containers.unix_socket('tcp://10.0.0.1:2375') is None and _containers.unix_socket('ssh://h') is None


def test_a_local_engine_needs_no_sdk():
    assert _containers.import_error('unix:///var/run/docker.sock') is None


def test_inspect_and_listing_on_a_local_socket(engine):
    server = engine({'/containers/web/json': (200, CON),
                     '/containers/json': (200, [{'Id': 'f' * 64, 'Names': ['/web'], 'State': 'running'},
                                                {'Id': 'e' * 64, 'Names': ['/old'], 'State': 'exited'}])})
    docker = _containers.ContainerApi('unix://' + server.path, 5)
    assert docker.inspect('web') == {'id': 'f' * 64, 'name': 'web', 'pid': 42, 'running': True,
                                     'status': 'running', 'network_mode': 'none'}
    assert docker.inspect('gone') is None
    assert docker.inspect_many(['web', 'gone', 'web']) == {'web': docker.inspect('web'), 'gone': None}
    assert [(c['names'], c['running']) for c in docker.listing()] == [(['web'], True), (['old'], False)]
    assert '/containers/json?all=1' in server.asked


def test_a_name_is_sent_quoted(engine):
    server = engine({})
    assert _containers.ContainerApi('unix://' + server.path, 5).inspect('a/b c') is None
    assert server.asked == ['/containers/a%2Fb%20c/json']


def test_an_engine_closing_a_kept_connection_is_asked_again(engine):
    server = engine({'/containers/web/json': (200, CON)}, close_after=1)
    docker = _containers.ContainerApi('unix://' + server.path, 5)
    assert [docker.inspect('web')['pid'] for _i in range(3)] == [42, 42, 42]


def test_an_engine_error_names_the_request_and_the_engines_words(engine):
    server = engine({'/containers/web/json': (500, {'message': 'the daemon is out of sorts'})})
    with pytest.raises(_containers.ContainerError, match=r'inspecting container web at unix://.*500.*out of sorts'):
        _containers.ContainerApi('unix://' + server.path, 5).inspect('web')


def test_an_answer_that_is_not_json_is_an_error(engine):
    server = engine({'/containers/web/json': (200, b'<html>a proxy</html>')})
    with pytest.raises(_containers.ContainerError, match=r'a proxy'):
        _containers.ContainerApi('unix://' + server.path, 5).inspect('web')


def test_no_engine_on_the_socket_says_so_and_what_to_do(tmp_path):
    with pytest.raises(_containers.ContainerError, match=r'cannot reach the Docker engine at unix://.*nothing.sock.*is dockerd'):
        _containers.ContainerApi('unix://%s/nothing.sock' % tmp_path, 5).inspect('web')


@pytest.mark.parametrize('components, kind', [
    ([{'Name': 'Engine'}, {'Name': 'containerd'}], 'docker'),
    ([{'Name': 'Podman Engine'}, {'Name': 'Conmon'}], 'podman'),
    ([], 'docker'),  # an old engine that lists none
])
def test_an_engine_is_known_by_its_kind_not_its_endpoint(components, kind):
    """One dockerd through its socket and over TCP is one engine; Podman says so in its version."""
    engine = _containers.ContainerApi('tcp://127.0.0.1:2375', 5)
    asked = []
    engine._api = type('Api', (), {'version': lambda self: asked.append(1) or {'Components': components}})()
    assert engine.owns({_marks.CONTAINER_ID: 'x'})  # ovs-docker's port: judged by the task's engine, nothing asked
    assert asked == []
    assert engine.id == kind and engine.owns({_marks.ENGINE: kind})
    assert not engine.owns({_marks.ENGINE: 'podman' if kind == 'docker' else 'docker'})
    assert asked == [1]  # asked once a run
