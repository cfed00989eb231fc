# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""OVSDB through the Open vSwitch IDL (the ``ovs`` package): connect, read, one transaction.

Private to this collection (leading underscore): no stability promise to other collections.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import json
import os
import re
import time
import traceback

try:
    import ovs.db.idl
    import ovs.json
    import ovs.jsonrpc
    import ovs.poller
    import ovs.stream
except ImportError:
    OVS_IMPORT_ERROR = traceback.format_exc()
else:
    OVS_IMPORT_ERROR = None

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import marks as _marks
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.common import ModuleError, missing_library
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.engine import JoinedExecutor

DB_NAME = 'Open_vSwitch'
# What the IDL replicates for OVS ports and their interfaces (attachments, VXLAN ports): only
# these columns are synced.
PORT_TABLES = {
    'Open_vSwitch': ['bridges', 'cur_cfg', 'next_cfg'],
    'Bridge': ['name', 'ports'],
    'Port': ['name', 'interfaces', 'tag', 'trunks', 'vlan_mode', 'qos'],
    'Interface': ['name', 'external_ids', 'ofport', 'error', 'ingress_policing_rate', 'ingress_policing_burst'],
    'QoS': ['type', 'other_config', 'queues', 'external_ids'],
    'Queue': ['other_config', 'external_ids'],
}
# A port's columns beyond bridge, tag and external_ids, with the value a new port has (a port's
# value, see PortRows, names them only when they differ from it). egress_rate and egress_burst
# (kbit/s, kbit) are not columns: they are the linux-htb QoS row (and its queue 0) that the
# port's qos column points to, made by this collection (_marks.EGRESS).
PORT_EXTRAS = {'trunks': [], 'vlan_mode': None, 'ingress_policing_rate': 0, 'ingress_policing_burst': 0,
               'egress_rate': 0, 'egress_burst': 0}
# The mark on the QoS and Queue rows an egress limit is made of. QoS and Queue are root tables:
# OVSDB keeps such a row when no port points to it any more, so ours are deleted explicitly, and
# only ours (a QoS row without the mark is someone else's: see egress_of).
# How often a transaction is retried when another client changed what it read (verify failed).
TXN_ATTEMPTS = 5


def merge_tables(*tables):
    """One {table: [columns]} from several (what a module replicates for all its parts)."""
    merged = {}
    for part in tables:
        for table, columns in part.items():
            merged[table] = sorted(set(merged.get(table, [])) | set(columns))
    return merged


# -- reading the JSON-RPC stream ---------------------------------------------------------------
# ovs.json parses a character at a time in Python unless the package was built with its C
# extension (Debian's python3-openvswitch is; the wheel pip builds from PyPI's sdist is not):
# a third of a module run's OVSDB time went there. StreamParser finds where a message ends with
# two small regular expressions and leaves the decoding to the standard json module (C).
_OUTSIDE_STRING = re.compile(r'["{}\[\]]')
_INSIDE_STRING = re.compile(r'["\\]')


class StreamParser(object):
    """ovs.json.Parser's contract as ovs.jsonrpc uses it, for one message: feed(text) -> how many
    characters of text belong to the message; is_done(); finish() -> the message, or a string
    saying what is wrong with it (as ovs.json.Parser)."""

    def __init__(self):
        self._parts = []
        self._depth = 0
        self._in_string = False
        self._escaped = False  # the last piece ended in a string's backslash
        self._error = None
        self.done = False

    def is_done(self):
        return self.done

    def feed(self, text):
        if self.done:
            return 0
        end, size = 0, len(text)
        if self._depth == 0:  # before the message: only blanks, then an object or array
            start = len(text) - len(text.lstrip())
            if start == size:
                return size
            if text[start] not in '{[':
                self._error, self.done = 'a JSON-RPC message must be an object: %r' % text[start:start + 20], True
                return start
        if self._escaped and size:
            end, self._escaped = 1, False
        while end < size:
            if self._in_string:
                found = _INSIDE_STRING.search(text, end)
                if found is None:
                    end = size
                elif found.group() == '\\':
                    self._escaped = found.end() == size
                    end = min(found.end() + 1, size)
                else:
                    self._in_string, end = False, found.end()
                continue
            found = _OUTSIDE_STRING.search(text, end)
            if found is None:
                end = size
                continue
            end = found.end()
            char = found.group()
            if char == '"':
                self._in_string = True
            elif char in '{[':
                self._depth += 1
            else:
                self._depth -= 1
                if self._depth == 0:
                    self.done = True
                    break
        self._parts.append(text[:end])
        return end

    def finish(self):
        if self._error:
            return self._error
        try:
            return json.loads(''.join(self._parts))
        except ValueError as exc:
            return 'not JSON: %s' % exc


def _fast_json_rpc():
    """Let ovs.jsonrpc read messages with StreamParser where ovs.json has no C parser. Only the
    stream reader changes (it asks for Parser() with no arguments); ovs.json's own callers
    (check_trailer=True) keep the library's parser."""
    if OVS_IMPORT_ERROR or ovs.json.PARSER != ovs.json.PARSER_PY or getattr(ovs.json.Parser, 'stream_parser', False):
        return

    class Parser(ovs.json.Parser):  # a subclass: the library's methods name their class's members through it
        stream_parser = True

        def __new__(cls, check_trailer=False):
            return object.__new__(cls) if check_trailer else StreamParser()

    ovs.json.Parser = Parser


class OvsdbError(Exception):
    """An OVSDB failure, worded for the user: what went wrong and what to do."""


def normalize_remote(remote):
    """A plain socket path becomes ``unix:PATH``; OVSDB remotes (unix:, tcp:, ssl:) pass through.

    Returns (remote, error): error is a message when the remote cannot be an OVSDB remote.
    """
    remote = (remote or '').strip()
    if remote.startswith('/'):
        return 'unix:' + remote, None
    kind, _sep, where = remote.partition(':')
    if kind in ('unix', 'tcp', 'ssl') and where:
        return remote, None
    return remote, ("ovsdb_socket %r is not an OVSDB remote: give a socket path such as "
                    "/run/openvswitch/db.sock, or unix:PATH, tcp:HOST:PORT or ssl:HOST:PORT" % remote)


def _unreachable(remote, error_number):
    reason = os.strerror(error_number) if error_number > 0 else 'connection failed'
    hint = "is ovsdb-server running? Start Open vSwitch (for example with " \
           "'/usr/share/openvswitch/scripts/ovs-ctl start') or set ovsdb_socket to its socket"
    return "cannot reach OVSDB at %s: %s; %s" % (remote, reason, hint)


class Ovsdb(object):
    """A synced IDL replica of the tables and columns asked for, and transactions on it."""

    def __init__(self, remote, timeout, tables):
        """``tables`` maps a table name to the columns to replicate (fewer columns, less to sync)."""
        self.remote = remote
        self.timeout = float(timeout)
        _fast_json_rpc()
        helper = ovs.db.idl.SchemaHelper(schema_json=self._fetch_schema())
        for table, columns in tables.items():
            helper.register_columns(table, columns)
        self.idl = ovs.db.idl.Idl(remote, helper)
        self._indexes = {}
        self._pending_cfg = None  # the next_cfg ovs-vswitchd has yet to reach (see settle)
        self._await(lambda: self.idl.change_seqno != 0, 'the first copy of the database')

    # -- connection ----------------------------------------------------------------------------

    def close(self):
        """End the connection (a module's ends with its process; the agent's runs end theirs)."""
        self.idl.close()

    def _deadline(self):
        return time.monotonic() + self.timeout

    def _fetch_schema(self):
        """Ask the server for its schema: proves it is reachable before anything else is done."""
        error, stream = ovs.stream.Stream.open_block(ovs.stream.Stream.open(self.remote),
                                                     int(self.timeout * 1000))
        if error:
            raise OvsdbError(_unreachable(self.remote, error))
        rpc = ovs.jsonrpc.Connection(stream)
        try:
            request = ovs.jsonrpc.Message.create_request('get_schema', [DB_NAME])
            error, reply = rpc.send(request), None
            if not error:
                error, reply = self._recv_block(rpc)
            if error:
                raise OvsdbError(_unreachable(self.remote, error))
            if reply.error:
                raise OvsdbError("OVSDB at %s has no %s database: %s" % (self.remote, DB_NAME, reply.error))
            return reply.result
        finally:
            rpc.close()

    def _recv_block(self, rpc):
        deadline = self._deadline()
        while True:
            error, msg = rpc.recv()
            if error != errno.EAGAIN:
                return error, msg
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return errno.ETIMEDOUT, None
            poller = ovs.poller.Poller()
            rpc.run()
            rpc.wait(poller)
            rpc.recv_wait(poller)
            poller.timer_wait(int(remaining * 1000) + 1)
            poller.block()

    def _await(self, condition, what, txn=None):
        """Run the IDL until condition() holds; OvsdbError naming ``what`` after the timeout."""
        deadline = self._deadline()
        while True:
            self.idl.run()
            if condition():
                return
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise OvsdbError("timed out after %gs waiting for %s from OVSDB at %s; raise ovsdb_timeout "
                                 "if the server is slow" % (self.timeout, what, self.remote))
            poller = ovs.poller.Poller()
            self.idl.wait(poller)
            if txn is not None:
                txn.wait(poller)
            poller.timer_wait(int(remaining * 1000) + 1)
            poller.block()

    # -- reads ---------------------------------------------------------------------------------

    def rows(self, table):
        return list(self.idl.tables[table].rows.values())

    def _index(self, key, build):
        """A lookup table built once per version of the replica (reading IDL rows is slow:
        every attribute read decodes the datum; a batch of a hundred would read each row a
        hundred times)."""
        cached = self._indexes.get(key)
        if cached is None or cached[0] != self.idl.change_seqno:
            cached = self._indexes[key] = (self.idl.change_seqno, build())
        return cached[1]

    def find(self, table, name):
        """The row called ``name``, as committed (not rows this transaction inserts)."""
        names = self._index(('name', table), lambda: dict((r.name, r) for r in self.idl.tables[table].rows.values()))
        return names.get(name)

    def bridge_of_port(self, port):
        """Name of the bridge that has ``port`` (a Port row), or None."""
        bridges = self._index('bridge_of_port', lambda: dict(
            (p.uuid, b.name) for b in self.idl.tables['Bridge'].rows.values() for p in b.ports))
        return bridges.get(port.uuid)

    def port(self, name):
        """{'bridge', 'tag', 'external_ids'}, PORT_EXTRAS and 'qos_foreign' (see egress_of) of the
        OVS port called ``name``, or None."""
        port = self.find('Port', name)
        if port is None:
            return None
        iface = next((i for i in port.interfaces if i.name == name), None)
        value = egress_of(port)
        if value['qos_foreign']:  # (not ours to change: no limit of ours)
            value.update(egress_rate=0, egress_burst=0)
        value.update({
            'bridge': self.bridge_of_port(port),
            'tag': port.tag[0] if port.tag else None,
            'trunks': sorted(port.trunks),
            'vlan_mode': port.vlan_mode[0] if port.vlan_mode else None,
            'external_ids': dict(iface.external_ids) if iface is not None else {},
            'ingress_policing_rate': iface.ingress_policing_rate if iface is not None else 0,
            'ingress_policing_burst': iface.ingress_policing_burst if iface is not None else 0,
        })
        return value

    def insert_port(self, txn, bridge_name, name, tag=None, external_ids=None, **extras):
        """In a transaction's build: a port with one interface of the same name on a bridge;
        ``extras``: PORT_EXTRAS columns."""
        bridge = self.find('Bridge', bridge_name)
        if bridge is None:
            raise RuntimeError('bridge %s does not exist: create it first (netdevops.ovs_docker.ovs_bridge)' % bridge_name)
        tables = self.idl.tables
        iface = txn.insert(tables['Interface'])
        iface.name, iface.external_ids = name, dict(external_ids or {})
        port = txn.insert(tables['Port'])
        port.name, port.interfaces, port.tag = name, [iface], [tag] if tag is not None else []
        self.set_extras(txn, port, iface, extras, new=True)
        bridge.addvalue('ports', port.uuid)

    def set_extras(self, txn, port, iface, extras, new=False):
        """In a transaction's build: PORT_EXTRAS (those in ``extras``) on a Port row and its Interface
        row; ``new``: rows this transaction inserts (the IDL cannot read a column of those unset)."""
        for key, value in extras.items():
            if key == 'trunks':
                port.trunks = list(value)
            elif key == 'vlan_mode':
                port.vlan_mode = [value] if value else []
            elif key in ('ingress_policing_rate', 'ingress_policing_burst'):
                setattr(iface, key, int(value))
            elif key not in ('egress_rate', 'egress_burst'):
                raise ValueError('not a port column: %s' % key)
        if 'egress_rate' in extras or 'egress_burst' in extras:
            self._set_egress(txn, port, extras, new)

    def _set_egress(self, txn, port, extras, new):
        """The port's egress limit as ``extras`` has it (a key it lacks: as the port has it): our
        linux-htb QoS row with queue 0 at the same rate, made, changed or deleted (rate 0)."""
        had = egress_of(port) if not new else {'egress_rate': 0, 'egress_burst': 0, 'qos_foreign': None}
        if had['qos_foreign']:
            raise OvsdbError('port %s has a QoS this collection did not make (%s): not replaced' % (port.name, had['qos_foreign']))
        rate, burst = (int(extras.get(k, had[k])) for k in ('egress_rate', 'egress_burst'))
        if not rate:
            if not new:
                release_egress(port)
            return
        qos = port.qos[0] if not new and port.qos else None
        max_rate = {'max-rate': str(rate * 1000)}
        tables = self.idl.tables
        queue = None
        if qos is None:
            qos = txn.insert(tables['QoS'])
            qos.type, qos.external_ids = 'linux-htb', dict([_marks.EGRESS])
            port.qos = [qos.uuid]
        else:
            queue = qos.queues.get(0)
        if queue is None:  # (new, or a queue 0 gone from our QoS row: made again)
            queue = txn.insert(tables['Queue'])
            queue.external_ids = dict([_marks.EGRESS])
            qos.queues = {0: queue.uuid}
        qos.other_config = max_rate
        queue.other_config = dict(max_rate, burst=str(burst * 1000)) if burst else max_rate

    def delete_port(self, name):
        """In a transaction's build: the port called ``name`` off its bridge (nothing when absent)."""
        port = self.find('Port', name)
        if port is None:
            return
        bridge = self.find('Bridge', self.bridge_of_port(port) or '')
        if bridge is not None:
            bridge.delvalue('ports', port.uuid)
        if not release_egress(port):
            port.delete()

    def vswitchd_problem(self):
        """None when ovs-vswitchd runs beside this OVSDB, else what to do. Asked before a change:
        without ovs-vswitchd a committed transaction is never applied, and waiting for it would
        time out with the change half made. Known only for a local socket (its directory holds
        ovs-vswitchd.pid); for a tcp: or ssl: remote the answer is None."""
        kind, _sep, where = self.remote.partition(':')
        if kind != 'unix':
            return None
        pidfile = os.path.join(os.path.dirname(where), 'ovs-vswitchd.pid')
        hint = ("start Open vSwitch (for example '/usr/share/openvswitch/scripts/ovs-ctl start' or "
                "'systemctl start openvswitch-switch') and run again; nothing was changed")
        try:
            with open(pidfile) as handle:
                pid = int(handle.read().strip() or 0)
        except (IOError, OSError, ValueError):
            return 'ovs-vswitchd is not running (no %s): %s' % (pidfile, hint)
        try:
            os.kill(pid, 0)
        except OSError as exc:
            if exc.errno == errno.ESRCH:
                return 'ovs-vswitchd is not running (its pid %d in %s is gone): %s' % (pid, pidfile, hint)
        return None

    @property
    def root(self):
        return next(iter(self.idl.tables[DB_NAME].rows.values()))

    # -- writes --------------------------------------------------------------------------------

    def transact(self, build, comment, applied=True, settle_now=True):
        """Commit what ``build(txn)`` writes as one transaction. ``applied``: ovs-vswitchd is to
        apply it, and that is awaited (cur_cfg reaching the next_cfg this transaction set): now,
        or with ``settle_now`` false at the next settle().

        ``build`` must look rows up again on each call: it is called once more after another
        client changed what it read. Returns the committed ovs.db.idl.Transaction.
        """
        Txn = ovs.db.idl.Transaction
        for _attempt in range(TXN_ATTEMPTS):
            txn = Txn(self.idl)
            txn.add_comment('ansible netdevops.ovs_docker: %s' % comment)
            try:
                build(txn)
            except Exception:
                txn.abort()  # the IDL allows one open transaction: never leave one behind
                raise
            if applied:
                self.root.increment('next_cfg')
            state = {'status': txn.commit()}

            def done():
                if state['status'] == Txn.INCOMPLETE:
                    state['status'] = txn.commit()
                return state['status'] != Txn.INCOMPLETE

            self._await(done, 'the transaction to commit (%s)' % comment, txn=txn)
            status = state['status']
            if status == Txn.TRY_AGAIN:
                seqno = self.idl.change_seqno
                self._await(lambda: self.idl.change_seqno != seqno, 'fresh data after a conflict')
                continue
            if status not in (Txn.SUCCESS, Txn.UNCHANGED):
                raise OvsdbError("OVSDB transaction (%s) failed: %s" % (comment, txn.get_error() or Txn.status_to_string(status)))
            break
        else:
            raise OvsdbError("OVSDB transaction (%s) kept conflicting with other clients; try again" % comment)
        if applied and status == Txn.SUCCESS:
            self._pending_cfg = max(self._pending_cfg or 0, txn.get_increment_new_value())
            if settle_now:
                try:
                    self.settle()
                except OvsdbError as exc:
                    exc.applied = True  # committed: the run's undo takes it back (see _engine)
                    raise
        return txn

    def settle(self):
        """Wait until ovs-vswitchd has applied every transaction of this run that asked for it.

        Also before a run makes a link (a veth pair, a VXLAN link) after removing ports: taking a
        port out, ovs-vswitchd acts on the device of that name, and a new link of the same name made
        before it has done so (a restart repair: the stale port out, the new pair, the port in) was
        seen set down again at once (ip monitor, on a switch busy with 100 other ports)."""
        next_cfg, self._pending_cfg = self._pending_cfg, None
        if next_cfg is not None:
            self._await(lambda: self.root.cur_cfg >= next_cfg,
                        'ovs-vswitchd to apply the change (is ovs-vswitchd running?)')


def _kbits(config, key):
    try:
        return int(config.get(key, 0)) // 1000
    except ValueError:
        return 0


def egress_of(port):
    """A Port row's egress limit: {'egress_rate', 'egress_burst'} (kbit/s, kbit; 0: none) from our
    QoS row, and 'qos_foreign': what the port's QoS is when it is not ours (None otherwise); a
    foreign limit is shown by its max-rate, as far as it has one."""
    qos = port.qos[0] if port.qos else None
    if qos is None:
        return {'egress_rate': 0, 'egress_burst': 0, 'qos_foreign': None}
    queue = qos.queues.get(0)
    ours = _marked(qos)
    return {
        'egress_rate': _kbits(qos.other_config, 'max-rate'),
        'egress_burst': _kbits(queue.other_config, 'burst') if queue is not None else 0,
        'qos_foreign': None if ours else '%s row %s%s' % (qos.type, str(qos.uuid)[:8], ', external_ids %s' % dict(
            qos.external_ids) if qos.external_ids else ''),
    }


def release_egress(port):
    """In a transaction's build, for a Port row that goes (itself, or with its bridge): our QoS row
    and its queue with it (root tables: OVSDB would keep them). The IDL never sends a delete for a
    Port (not a root table: ovsdb-server collects it once nothing refers to it) and OVSDB checks
    references before it collects, so the port lets go of the QoS row first; a row changed so is
    not also deleted (the IDL would drop the change): returns True when the port was changed."""
    if not port.qos or egress_of(port)['qos_foreign']:
        return False
    qos, port.qos = port.qos[0], []
    _delete_egress(qos)
    return True


def _marked(row):
    """Does a QoS or Queue row carry our mark (_marks.EGRESS)?"""
    return _marks.is_egress(row.external_ids)


def _delete_egress(qos):
    """In a transaction's build: our QoS row and its queues that carry our mark."""
    for queue in qos.queues.values():
        if _marked(queue):
            queue.delete()
    qos.delete()


class PortRows(JoinedExecutor):
    """Executor (see _engine) of OVS ports that have one interface of the same name. Kinds:
      port       target: port name; new/old: {'bridge', 'tag', 'external_ids'} plus the PORT_EXTRAS
                 that differ from a new port's (None: no port)
      port_tag   target: port name; new/old: the VLAN tag (None: none)
      port_set   target: port name; new/old: {column: value} of PORT_EXTRAS (trunks, vlan_mode,
                 ingress policing)
      iface_ext  target: interface name; new/old: its external_ids
    Every run of them is one transaction."""

    def __init__(self, db):
        self.db = db

    def _port(self, txn, action):
        if action.new is None:
            self.db.delete_port(action.target)
            return
        port = action.new
        extras = dict((k, v) for k, v in port.items() if k in PORT_EXTRAS)
        self.db.insert_port(txn, port['bridge'], action.target, port.get('tag'), port.get('external_ids'), **extras)

    def _port_tag(self, txn, action):
        self.db.find('Port', action.target).tag = [action.new] if action.new is not None else []

    def _port_set(self, txn, action):
        self.db.set_extras(txn, self.db.find('Port', action.target), self.db.find('Interface', action.target), action.new)

    def _iface_ext(self, txn, action):
        self.db.find('Interface', action.target).external_ids = dict(action.new)

    RUNS = {'port': _port, 'port_tag': _port_tag, 'port_set': _port_set, 'iface_ext': _iface_ext}
    KINDS = tuple(RUNS)

    def run(self, actions):
        def build(txn):
            for action in actions:
                self.runs(action)(self, txn, action)
        # Ports removed and nothing else: their links may go while ovs-vswitchd closes them (it
        # closes a port whose device is gone faster), so the wait for it comes at the run's end,
        # or before a link is made (see settle).
        removals = all(a.kind == 'port' and a.new is None for a in actions)
        self.db.transact(build, '%d port change(s)' % len(actions), settle_now=not removals)


def connect(params, tables):
    """An Ovsdb for a module whose params hold ovsdb_socket and ovsdb_timeout; ModuleError with a
    message that names the problem and the fix."""
    if OVS_IMPORT_ERROR:
        raise missing_library('ovs (Open vSwitch Python bindings; pip install ovs, or Debian/Ubuntu python3-openvswitch)',
                              OVS_IMPORT_ERROR)
    remote, error = normalize_remote(params['ovsdb_socket'])
    if error:
        raise ModuleError(error)
    try:
        return Ovsdb(remote, params['ovsdb_timeout'], tables)
    except OvsdbError as exc:
        raise ModuleError(str(exc))


def require_vswitchd(db):
    """ModuleError, before any change, when ovs-vswitchd is not there to apply it."""
    problem = db.vswitchd_problem() if db is not None else None
    if problem:
        raise ModuleError(problem)
