# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fakes the unit tests share: OVSDB and a container engine as the code under test reads
them. Imported by name (from ...module_utils.conftest import FakeDb), one definition each."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._system import containers as _containers


class FakeDb(object):
    """OVSDB's replica: rows by table, given per table (``tables``) or as bridges with their ports
    and interfaces (``bridges``); find by name; transactions recorded (``calls``: (applied,
    settle_now)), not built."""

    def __init__(self, bridges=(), tables=None):
        self.bridges = list(bridges)
        self.tables = dict(tables or {})
        self.calls = []

    def rows(self, table):
        if table in self.tables:
            return self.tables[table]
        if table == 'Bridge':
            return self.bridges
        ports = [p for b in self.bridges for p in b.ports]
        return ports if table == 'Port' else [i for p in ports for i in p.interfaces]

    def find(self, table, name):
        return next((r for r in self.rows(table) if r.name == name), None)

    def transact(self, build, comment, applied=True, settle_now=True):
        self.calls.append((applied, settle_now))


class FakeEngine(object):
    """A container engine (Docker's id) that knows ``containers`` (inspect's and the listing's
    shape alike); what it was asked is in ``asked``."""

    id = 'docker'
    owns = _containers.ContainerApi.owns

    def __init__(self, containers=()):
        self.containers = list(containers)
        self.asked = []

    def listing(self):
        self.asked.append('listing')
        return self.containers

    def inspect(self, ref):
        for container in self.containers:
            if _containers.refers_to(ref, container):
                return container
        return None

    def inspect_many(self, refs):
        self.asked.append(('inspect', sorted(refs)))
        return dict((ref, {'pid': 4242, 'running': True}) for ref in refs)
