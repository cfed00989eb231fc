# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Containers through the Docker Engine API: a name or ID -> full ID, name, PID, state.

Two ways to the same API. An engine on a local unix socket (dockerd's, Podman's compatible one)
is asked with the standard library (http.client): two requests a module needs, GET a container
and GET the list, cost a third of what they cost through the Docker SDK, and the SDK's import
(requests, urllib3: 0.1 s) is not paid at all; community.docker, too, speaks the API itself.
Any other endpoint (tcp://, TLS, ssh://) goes through the Docker SDK's APIClient (docker 5, as
Debian 12's python3-docker, to 7), which is then the one that needs installing.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import socket

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import marks as _marks
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.common import not_installed


DEFAULT_DOCKER_HOST = 'unix:///var/run/docker.sock'


class ContainerError(Exception):
    """A Docker failure, worded for the user."""


def unix_socket(base_url):
    """The socket path of a unix:// endpoint (as the SDK reads one: a missing leading slash is
    added), else None."""
    if base_url.startswith('unix://'):
        return '/' + base_url[len('unix://'):].lstrip('/')
    return None


def import_error(base_url=None):
    """None when the engine at ``base_url`` can be reached: on a local socket always, elsewhere
    when the Docker SDK is installed; else a traceback (for missing_required_lib). The SDK is only
    looked for: a run imports it when it first asks such an engine."""
    if base_url is not None and unix_socket(base_url):
        return None
    return not_installed('docker')


def sdk_requirement(base_url):
    """What missing_required_lib names when the engine at ``base_url`` needs the Docker SDK."""
    return ('docker (the Docker SDK for Python, for an engine at %s; pip install docker, or '
            'Debian/Ubuntu python3-docker)' % base_url)


def docker_host(value):
    """The engine endpoint: the option, else DOCKER_HOST, else the local socket."""
    return value or os.environ.get('DOCKER_HOST') or DEFAULT_DOCKER_HOST


def unreachable(base_url, reason):
    return ("cannot reach the Docker engine at %s: %s; is dockerd (or Podman's API service, podman system service) running? Start it, "
            "or set docker_host (or DOCKER_HOST) to its socket" % (base_url, reason))


def _unix_connection(path, timeout):
    """An http.client connection on a unix socket (kept open between requests, as the engine
    allows). http.client is imported here: a run that asks no engine does not pay for it."""
    from http.client import HTTPConnection

    class UnixConnection(HTTPConnection):
        def connect(self):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(self.timeout)
            try:
                sock.connect(path)
            except OSError:
                sock.close()
                raise
            self.sock = sock

    return UnixConnection('localhost', timeout=timeout)


class LocalApi(object):
    """The Engine API on a local unix socket: GET a path, the answer's JSON (None for 404)."""

    def __init__(self, base_url, timeout):
        self.base_url = base_url
        self.path = unix_socket(base_url)
        self.timeout = timeout
        self._conn = None

    def get(self, path, what):
        """JSON of GET ``path``; None when the engine says 404. ``what`` names the request in errors."""
        return self.request('GET', path, what)

    def request(self, method, path, what, body=None, missing=(404,), stream=False):
        """JSON of ``method path`` (``body``: sent as JSON); None when the engine answers one of
        ``missing`` or nothing (204 No Content); ContainerError naming ``what`` for any other error.
        ``stream``: the answer is a stream of JSON lines (a pull), any of which may be an error."""
        from http.client import HTTPException
        payload = None if body is None else json.dumps(body).encode('utf-8')
        headers = {} if body is None else {'Content-Type': 'application/json'}
        for attempt in (1, 2):
            reused = self._conn is not None
            if self._conn is None:
                self._conn = _unix_connection(self.path, self.timeout)
            try:
                self._conn.request(method, path, body=payload, headers=headers)
                response = self._conn.getresponse()
                answer = response.read()
                break
            except (OSError, HTTPException) as exc:
                self._conn.close()
                self._conn = None
                # an engine may close a kept-alive connection between two requests: ask once more
                # (a write only when it cannot have reached the engine: the request was not sent)
                if not (reused and attempt == 1 and (method == 'GET' or isinstance(exc, (BrokenPipeError, ConnectionResetError)))):
                    raise ContainerError(unreachable(self.base_url, exc))
        if response.status in missing:
            return None
        if stream and response.status < 400:
            lines = [json.loads(line) for line in answer.decode('utf-8').splitlines() if line.strip()]
            failed = [line['error'] for line in lines if isinstance(line, dict) and line.get('error')]
            if failed:
                raise ContainerError('%s at %s: %s' % (what, self.base_url, failed[-1]))
            return lines
        try:
            data = json.loads(answer.decode('utf-8')) if answer.strip() else None
        except ValueError:
            data = None
        if response.status >= 400 or (data is None and response.status not in (201, 204, 304)):
            message = data.get('message') if isinstance(data, dict) else answer[:200].decode('utf-8', 'replace')
            raise ContainerError('%s at %s: the engine answered %s %s: %s'
                                 % (what, self.base_url, response.status, response.reason, message))
        return data

    def inspect(self, ref):
        from urllib.parse import quote
        return self.get('/containers/%s/json' % quote(ref, safe=''), 'inspecting container %s' % ref)

    def containers(self):
        return self.get('/containers/json?all=1', 'listing containers')

    def version(self):
        return self.get('/version', 'asking the engine what it is')


class SdkApi(object):
    """The same two requests through the Docker SDK's APIClient (remote engines: TCP, TLS, SSH)."""

    def __init__(self, base_url, timeout):
        self.base_url = base_url
        import docker
        self._errors = docker.errors
        try:
            # version='auto' asks the engine which API version it speaks: works with old and new ones.
            self._client = docker.APIClient(base_url=base_url, version='auto', timeout=timeout)
        except docker.errors.DockerException as exc:
            raise ContainerError(unreachable(base_url, exc))

    def inspect(self, ref):
        try:
            return self._client.inspect_container(ref)
        except self._errors.NotFound:
            return None
        except self._errors.DockerException as exc:
            raise ContainerError('inspecting container %s at %s: %s' % (ref, self.base_url, exc))

    def containers(self):
        try:
            return self._client.containers(all=True)
        except self._errors.DockerException as exc:
            raise ContainerError('listing containers at %s: %s' % (self.base_url, exc))

    def version(self):
        try:
            return self._client.version()
        except self._errors.DockerException as exc:
            raise ContainerError('asking the engine at %s what it is: %s' % (self.base_url, exc))


# The mark on an OVS interface that says which engine's container the port belongs to: docker or
# podman (their containers may share names; neither may judge the other's ports). The engine's
# kind, not its endpoint: one dockerd reached through its socket and over TCP is one engine.
ENGINE_MARK = _marks.ENGINE


class ContainerApi(object):
    """The API of the container engine (Docker, or Podman's compatible one) at ``base_url``, reached on first use: a run that needs no container
    (removing ports by the name they were made with) does not even connect. ``id`` is how its
    ports are marked (ENGINE_MARK), asked of the engine when first needed."""

    def __init__(self, base_url, timeout):
        self.base_url = base_url
        self.timeout = timeout
        self._api = None
        self._id = None

    @property
    def id(self):
        """'podman' when the engine's version lists a Podman component (its Docker-compatible API
        says so), else 'docker'. (Podman's /info ID is new at every request: no identity.)"""
        if self._id is None:
            names = [c.get('Name') or '' for c in (self.api.version() or {}).get('Components') or []]
            self._id = 'podman' if any(name.startswith('Podman') for name in names) else 'docker'
        return self._id

    def owns(self, external_ids):
        """Is a port with these external_ids this engine's to judge? Yes unless another engine's
        mark is on it (ovs-docker's own ports carry none: the engine the task names judges them);
        the engine is asked what it is only for a port with a mark."""
        mark = external_ids.get(ENGINE_MARK)
        return mark is None or mark == self.id

    @property
    def api(self):
        if self._api is None:
            self._api = (LocalApi if unix_socket(self.base_url) else SdkApi)(self.base_url, self.timeout)
        return self._api

    def inspect_many(self, refs):
        """{ref: inspect(ref)} for many containers. On a local socket one after the other (0.3 ms
        each); through the SDK a few at a time (each waits mostly on its own Python)."""
        refs = list(dict.fromkeys(refs))
        if len(refs) < 4 or isinstance(self.api, LocalApi):
            return dict((ref, self.inspect(ref)) for ref in refs)
        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor(max_workers=4) as pool:
            return dict(zip(refs, pool.map(self.inspect, refs)))

    def inspect(self, ref):
        """{'id', 'name', 'pid', 'running', 'status', 'network_mode'} of the container ``ref`` (name, full or
        short ID), or None when there is no such container."""
        data = self.api.inspect(ref)
        if data is None:
            return None
        state = data.get('State') or {}
        return {
            'id': data['Id'],
            'name': data.get('Name', '').lstrip('/'),
            'pid': state.get('Pid') or 0,
            'running': bool(state.get('Running')) and bool(state.get('Pid')),
            'status': state.get('Status', 'unknown'),
            # 'none', 'bridge', 'host', 'container:ID', a network's name
            'network_mode': (data.get('HostConfig') or {}).get('NetworkMode') or '',
        }

    def listing(self):
        """Every container, running or not, as {'id', 'names', 'running', 'status', 'labels'}: one request."""
        return [{'id': item['Id'], 'names': [name.lstrip('/') for name in item.get('Names') or []],
                 'running': item.get('State') == 'running', 'status': item.get('State') or 'unknown',
                 'labels': item.get('Labels') or {}}
                for item in self.api.containers()]


def labels_by_name(items):
    """{name: labels} of the engine's container listing (GET /containers/json: Names, Labels)."""
    return dict((name.lstrip('/'), item.get('Labels') or {}) for item in items or [] for name in item.get('Names') or [])


def refers_to(value, container):
    """Does ``value`` (an external_ids:container_id, as a user once gave it) name ``container``?
    A name, the full ID, or an ID prefix of at least 4 hex digits (as docker accepts) does."""
    if not value:
        return False
    if value in (container['id'], container['name']):
        return True
    return len(value) >= 4 and container['id'].startswith(value)


def resolve(value, listing):
    """The container of ``listing`` (ContainerApi.listing()) that ``value`` names, as refers_to()
    reads a reference; None when none does."""
    for item in listing:
        if value == item['id'] or value in item['names']:
            return item
    if value and len(value) >= 4:
        return next((item for item in listing if item['id'].startswith(value)), None)
    return None
