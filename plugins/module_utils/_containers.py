# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Containers through the Docker SDK (low-level APIClient): a name or ID -> full ID, name, PID, state.

Works with docker 5 (Debian 12's python3-docker) to 7, and with any engine that speaks the
Docker API (Podman's compatible socket among them).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib.util
import os
import traceback

DEFAULT_DOCKER_HOST = 'unix:///var/run/docker.sock'


class ContainerError(Exception):
    """A Docker failure, worded for the user."""


def import_error():
    """None when the Docker SDK is installed, else a traceback (for missing_required_lib). Only
    looked for: it costs 0.07 s to import, and a run that needs no container never imports it."""
    try:
        if importlib.util.find_spec('docker') is None:
            raise ImportError('No module named docker')
    except ImportError:
        return traceback.format_exc()
    return None


def docker_host(value):
    """The engine endpoint: the option, else DOCKER_HOST, else the local socket."""
    return value or os.environ.get('DOCKER_HOST') or DEFAULT_DOCKER_HOST


class Engine(object):
    """The Docker engine, reached on first use: a run that needs no container (removing ports
    by the name they were made with) does not even import the SDK."""

    def __init__(self, base_url, timeout):
        self.base_url = base_url
        self.timeout = timeout
        self._client = None

    @property
    def client(self):
        if self._client is None:
            import docker
            self._errors = docker.errors
            try:
                # version='auto' asks the engine which API version it speaks: works with old and new ones.
                self._client = docker.APIClient(base_url=self.base_url, version='auto', timeout=self.timeout)
            except docker.errors.DockerException as exc:
                raise ContainerError("cannot reach the Docker engine at %s: %s; is dockerd (or Podman's API service, podman system service) running? Start it, "
                                     "or set docker_host (or DOCKER_HOST) to its socket" % (self.base_url, exc))
        return self._client

    def inspect_many(self, refs):
        """{ref: inspect(ref)} for many containers, asked a few at a time (the engine answers
        requests in parallel; each waits mostly on the socket)."""
        refs = list(dict.fromkeys(refs))
        if len(refs) < 4:
            return dict((ref, self.inspect(ref)) for ref in refs)
        from concurrent.futures import ThreadPoolExecutor
        self.client  # connect once, before the threads  # pylint: disable=pointless-statement
        with ThreadPoolExecutor(max_workers=4) as pool:
            return dict(zip(refs, pool.map(self.inspect, refs)))

    def inspect(self, ref):
        """{'id', 'name', 'pid', 'running', 'status', 'network_mode'} of the container ``ref`` (name, full or
        short ID), or None when there is no such container."""
        client = self.client
        try:
            data = client.inspect_container(ref)
        except self._errors.NotFound:
            return None
        except self._errors.DockerException as exc:
            raise ContainerError('inspecting container %s at %s: %s' % (ref, self.base_url, exc))
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
        """Every container, running or not, as {'id', 'names', 'running', 'status'}: one request."""
        try:
            listing = self.client.containers(all=True)
        except self._errors.DockerException as exc:
            raise ContainerError('listing containers at %s: %s' % (self.base_url, exc))
        return [{'id': item['Id'], 'names': [name.lstrip('/') for name in item.get('Names') or []],
                 'running': item.get('State') == 'running', 'status': item.get('State') or 'unknown'}
                for item in listing]


def refers_to(value, container):
    """Does ``value`` (an external_ids:container_id, as a user once gave it) name ``container``?
    A name, the full ID, or an ID prefix of at least 4 hex digits (as docker accepts) does."""
    if not value:
        return False
    if value in (container['id'], container['name']):
        return True
    return len(value) >= 4 and container['id'].startswith(value)


def resolve(value, listing):
    """The container of ``listing`` (Engine.listing()) that ``value`` names, as refers_to()
    reads a reference; None when none does."""
    for item in listing:
        if value == item['id'] or value in item['names']:
            return item
    if value and len(value) >= 4:
        return next((item for item in listing if item['id'].startswith(value)), None)
    return None
