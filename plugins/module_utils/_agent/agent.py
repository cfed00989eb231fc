# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The agent: keeps persistent attachments true without a play.

A persistent attachment carries its request on its OVS port (_marks.RECORD, see _attach.record),
a persistent bridge the addresses and link state of its internal interface on its Bridge row
(_bridge.record: what OVS does not keep across a reboot). The agent reads those records and
applies them again through the modules' own flow (_runner: the same validation, ownership rules,
plan, undo and host lock; no second implementation):

    at its start    every record once, bridges first (a reboot, events missed while it was down)
    a container starts (the engine's event stream)    that container's records
    the engine's event stream ends (the engine restarts)    every record once it is back
    Open vSwitch restarts (its processes' pid files)    every record

A container's record names the container as the task did and which container that was (its full
ID): a new container under the same name is not the old one, and is left alone (logged). A
record whose container is stopped waits; one whose container is gone is logged (ovs_docker_info
reports it, state=pruned removes it). What cannot be applied is one log line naming the problem
and the fix; nothing of it is changed, the other records are served, and every record is tried
again after RETRY_FIRST seconds, then twice as long each time up to RETRY_MOST (at boot a slow
ovs-vswitchd heals in seconds; a refusal waits for its task, logged once in a while, not once a
second). Each application runs in a
child process: the agent itself waits small (no OVS IDL, no pyroute2 loaded) and follows an engine
on a local socket (Docker's, or Podman's API service).

    python -m ansible_collections.netdevops.ovs_docker.plugins.module_utils._agent.agent [--once]
        [--ovsdb-socket unix:/run/openvswitch/db.sock] [--docker-host unix:///var/run/docker.sock]
        [--pidfile /run/netdevops-ovs_docker-agent.pid] [--verbose]
    (installed by ovs_docker_agent as /usr/local/lib/netdevops-ovs_docker/agent, which runs it so)
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import argparse
import json
import logging
import os
import select
import signal
import socket
import sys
import time
from urllib.parse import quote

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import marks as _marks
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.common import AGENT_PIDFILE, ModuleError, host_unlock
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._system import containers as _containers

LOG = logging.getLogger('netdevops.ovs_docker.agent')
# What the agent reads of OVSDB to find the records.
TABLES = {'Interface': ['name', 'external_ids'], 'Bridge': ['name', 'external_ids']}
# How long a start waits for more to come with it (one run for all): the engine's events of one
# burst come within milliseconds of each other.
BATCH_WAIT = 0.05
# How long the worker that applies container starts lives on after the last one (see Worker).
WORKER_IDLE = 5.0
# How often the agent looks whether Open vSwitch restarted (two pid files read: nothing to measure).
WATCH_EVERY = 1.0
# A pass that left records unapplied is made again after RETRY_FIRST s, then after twice as long
# each time, up to RETRY_MOST.
RETRY_FIRST = 2.0
RETRY_MOST = 300.0
# How a pass over the records ended (the exit code of the child that made it).
APPLIED, UNREAD, UNAPPLIED = 0, 1, 3


def run_module(module_class, params):
    """One run of a module's own part (_runner's flow), as a play would run it -> its result;
    ModuleError when it fails (nothing of it changed: the runner's undo)."""
    from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import runner as _runner

    checked = _runner.checked_params(module_class, params)
    own = module_class(_runner.Invocation(checked, warn=LOG.warning))
    try:
        return _runner._run(own, False)
    finally:
        host_unlock()  # the agent lives on: the lock is held for one run, as a play's module holds it
        if own.db is not None:
            own.db.close()


class Agent(object):
    def __init__(self, ovsdb_socket, docker_host, timeout=10.0):
        self.ovsdb = {'ovsdb_socket': ovsdb_socket, 'ovsdb_timeout': timeout}
        self.docker_host = _containers.docker_host(docker_host)
        self.timeout = timeout
        self.unapplied = 0  # module runs of the last reconcile() that failed

    def records(self):
        """[(port or bridge name, external_ids, record)] of every persistent attachment and bridge
        in OVSDB (a bridge's: its external_ids have no container_id nor netns)."""
        from ansible_collections.netdevops.ovs_docker.plugins.module_utils._system import ovsdb as _ovsdb  # (in the runs only)
        db = _ovsdb.connect(self.ovsdb, TABLES)
        try:
            found = []
            for table, row in [('Bridge', r) for r in db.rows('Bridge')] + [('Interface', r) for r in db.rows('Interface')]:
                ids = dict(row.external_ids)
                if _marks.RECORD not in ids:
                    continue
                try:
                    record = json.loads(ids[_marks.RECORD])
                except ValueError:
                    LOG.error('%s: its record (%s) is not JSON: run its task again with persistent: true', row.name, _marks.RECORD)
                    continue
                if table == 'Bridge':
                    ids['bridge'] = row.name
                found.append((row.name, ids, record))
            return found
        finally:
            db.close()

    def reconcile(self, container_ids=None, bridges_only=False):
        """Apply the records again: all, (``container_ids``: full IDs) those containers', or
        (``bridges_only``) the bridges'. Returns how many records there were for them; sets
        ``unapplied`` to how many module runs failed."""
        self.unapplied = 0
        containers, namespaces, bridges = {}, [], []
        engine = _containers.ContainerApi(self.docker_host, self.timeout)
        for port, ids, record in self.records():
            if 'bridge' in ids:
                if container_ids is None:
                    bridges.append(dict(record, name=port))
            elif bridges_only:
                continue
            elif _marks.CONTAINER_ID in ids:
                if not engine.owns(ids):
                    continue  # another engine's container (an agent follows one engine)
                if container_ids is None or record.get('container_full_id') in container_ids:
                    containers.setdefault(record.get('container_full_id') or record['container'], []).append((port, record))
            elif container_ids is None:
                namespaces.append((port, record))
        # bridges first: their addresses are what the attachments' gateways are reached through
        for overlap in (False, True):
            some = [dict((k, v) for k, v in b.items() if k != 'allow_host_overlap') for b in bridges
                    if bool(b.get('allow_host_overlap')) is overlap]
            if some:
                self._apply('bridge %s' % ', '.join(b['name'] for b in some), 'ovs_bridge', some, overlap=overlap)
        ready = [(full_id, items) for full_id, items in sorted(containers.items()) if self._ready(engine, full_id, items)]
        if ready:
            what = 'container %s' % ', '.join(items[0][1]['container'] for _id, items in ready)
            records = [record for _id, items in ready for _port, record in items]
            # one run for all (a batch is what the module is fast at); refused, one run each, so
            # that one container's problem does not hold the others back
            if not self._apply(what, 'ovs_docker_port', records, quiet=len(ready) > 1) and len(ready) > 1:
                for _id, items in ready:
                    self._apply('container %s' % items[0][1]['container'], 'ovs_docker_port', [r for _p, r in items])
        if namespaces:
            self._apply('namespaces', 'netns_veth', [record for _port, record in namespaces])
        return sum(len(items) for items in containers.values()) + len(namespaces) + len(bridges)

    @staticmethod
    def _ready(engine, full_id, items):
        """Is the container of these records the recorded one, and running? (Else one log line.)"""
        ref = items[0][1]['container']
        try:
            found = engine.inspect(ref)
        except _containers.ContainerError as exc:
            LOG.error('container %s: %s', ref, exc)
            return False
        if found is None:
            LOG.warning('container %s is gone (ports %s): its records wait for nothing; remove them with '
                        'ovs_docker_port state=pruned', ref, ', '.join(p for p, _r in items))
            return False
        if full_id != ref and found['id'] != full_id:
            LOG.warning('container %s is a new container (%s), not the one recorded (%s): left alone; attach it '
                        'with its task again (persistent: true) to record it', ref, found['id'][:12], full_id[:12])
            return False
        if not found['running']:
            LOG.info('container %s is not running: its attachments wait for its start', ref)
            return False
        return True

    def _apply(self, what, module, records, quiet=False, overlap=False):
        """One module run for ``records`` -> whether it succeeded (a failure is logged; ``quiet``:
        at debug level, when the caller tries again one by one; ``overlap``: bridges' addresses
        recorded with allow_host_overlap)."""
        from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains import registry  # (in the runs only)
        domain = registry.domain(module)
        params = domain.replay(records, {'docker_host': self.docker_host, 'overlap': overlap})
        params.update(self.ovsdb)
        started = time.monotonic()
        try:
            result = run_module(domain.part, params)
        except ModuleError as exc:
            if not quiet:
                self.unapplied += 1
            LOG.log(logging.DEBUG if quiet else logging.ERROR, '%s: not applied%s: %s', what,
                    '' if exc.extra.get('changed') else ' (nothing changed)', exc)
            return False
        if result.get('changed'):
            LOG.info('%s: applied again in %.3f s', what, time.monotonic() - started)
        else:
            LOG.debug('%s: as recorded', what)
        return True

    def ovs_processes(self):
        """(ovsdb-server's, ovs-vswitchd's) process IDs, from their pid files beside a local
        OVSDB socket ((None, None) for a remote one): a change is a restart of Open vSwitch."""
        kind, _sep, where = self.ovsdb['ovsdb_socket'].partition(':')
        if kind != 'unix':
            return (None, None)
        run_dir = os.path.dirname(where)
        return tuple(_pid(os.path.join(run_dir, name + '.pid')) for name in ('ovsdb-server', 'ovs-vswitchd'))

    def serve(self):
        """Every record once, then the started containers', for as long as the engine is there;
        an engine that goes away (restarted) is waited for, and everything applied again once it
        is back. Starts that come together (a host's containers after a reboot, a hundred
        restarted at once) are applied in one run: those that come within BATCH_WAIT of each other
        and while a run is going. Runs are in child processes (a Worker for the starts, apart for
        the passes over every record): the agent itself stays small while it waits, with neither
        the OVS IDL nor pyroute2 loaded."""
        path = _containers.unix_socket(self.docker_host)
        if not path:
            raise ModuleError('the agent follows an engine on a local socket (unix://...); %s is not one: run the '
                              'agent on the engine\'s host' % self.docker_host)
        worker, retry = Worker(self), Retry()
        while True:
            try:
                stream = EventStream(path, self.timeout)
            except OSError as exc:
                LOG.warning('cannot reach the engine at %s (%s): trying again in 1 s', self.docker_host, exc)
                time.sleep(1)
                continue
            try:
                # Open vSwitch's processes as they were before the pass: one restarted during it (at
                # boot, say) is seen at the next look and everything applied again
                ovs = self.ovs_processes()
                # after subscribing: no start in between is missed
                ended = self.apart(None, 'serving: %%d record(s) in %s, container starts of %s' % (
                    self.ovsdb['ovsdb_socket'], self.docker_host))
                retry.after(ended)
                # The bridges are looked at again a second after a pass over every record:
                # ovs-vswitchd may still be reconfiguring then, and it can set an internal
                # interface's flags from what it knew before the pass brought it up.
                settle = ended != UNREAD
                while not stream.ended:
                    if select.select([stream], [], [], WATCH_EVERY)[0]:
                        ids = stream.read()
                        while not stream.ended and select.select([stream], [], [], BATCH_WAIT)[0]:
                            ids += stream.read()
                        ids = set(i for i in ids if i)
                        if ids:
                            worker.send(ids)
                        continue
                    if worker.idle() == UNAPPLIED:
                        retry.after(UNAPPLIED)
                    said, now = None, self.ovs_processes()
                    if now != ovs and all(now):
                        said = 'Open vSwitch restarted (ovsdb-server %s, ovs-vswitchd %s): %%d record(s) applied again' % now
                    elif retry.due():  # (at boot, OVSDB may come after the agent, ovs-vswitchd be slow)
                        said = 'tried again: %d record(s)'
                    ovs = now
                    if said:
                        ended = self.apart(None, said)
                        retry.after(ended)
                        settle = ended != UNREAD
                    elif settle:
                        ended, settle = self.apart(None, 'bridges looked at again: %d record(s)', bridges_only=True), False
                        if ended != APPLIED:
                            retry.after(ended)
                LOG.warning('the engine at %s closed its event stream: waiting for it', self.docker_host)
            except OSError as exc:
                LOG.warning('the engine at %s: %s; trying again in 1 s', self.docker_host, exc)
            finally:
                stream.close()
            worker.stop()
            time.sleep(1)

    def work(self, pipe):
        """A Worker's life: the started containers' records applied, a batch at a time (all the
        batches that wait are one), until the agent closes the pipe."""
        buffered, ended, unapplied = b'', False, False
        while not ended:
            data = os.read(pipe, 65536)
            ended = not data
            buffered += data
            while not ended and select.select([pipe], [], [], 0)[0]:
                data = os.read(pipe, 65536)
                ended = not data
                buffered += data
            lines, _sep, buffered = buffered.rpartition(b'\n')
            ids = set(i for line in lines.split(b'\n') if line for i in json.loads(line.decode('utf-8')))
            if not ids:
                continue
            said = 'container%s %s started' % ('s' if len(ids) > 1 else '', ', '.join(sorted(i[:12] for i in ids)))
            try:
                LOG.info('%s: %d record(s)', said, self.reconcile(ids))
                unapplied = unapplied or self.unapplied > 0
            # logged; the next batch is served
            except Exception as exc:  # pylint: disable=broad-except
                LOG.error('%s: their records could not be applied: %s', said, exc)
                unapplied = True
        return UNAPPLIED if unapplied else APPLIED

    def apart(self, container_ids, said, bridges_only=False):
        """reconcile() in a child process, waited for; ``said``: its log line, with the count
        (at debug level for ``bridges_only``) -> APPLIED, UNREAD (the records could not be read)
        or UNAPPLIED (what could not be applied is logged)."""
        pid = os.fork()
        if pid == 0:
            code = APPLIED
            try:
                LOG.log(logging.DEBUG if bridges_only else logging.INFO, said, self.reconcile(container_ids, bridges_only))
                code = UNAPPLIED if self.unapplied else APPLIED
            except BaseException as exc:  # (a child must end here, whatever happened)
                LOG.error('applying the records failed: %s; trying again in %d s', exc, WATCH_EVERY)
                code = UNREAD
            finally:
                for handler in logging.getLogger().handlers:
                    handler.flush()
                os._exit(code)
        return _exit_code(os.waitpid(pid, 0)[1])


class Retry(object):
    """When the next pass over every record is due: after one that could not read them (OVSDB not
    up yet at boot), at the next look (WATCH_EVERY); after one that left records unapplied, in
    RETRY_FIRST s, then twice as long each time up to RETRY_MOST; after one that applied all,
    not."""

    def __init__(self):
        self.at, self.wait = None, RETRY_FIRST

    def after(self, ended):
        if ended == APPLIED:
            self.at, self.wait = None, RETRY_FIRST
        elif ended == UNREAD:
            self.at = time.monotonic()
        else:
            self.at = time.monotonic() + self.wait
            self.wait = min(self.wait * 2, RETRY_MOST)

    def due(self):
        return self.at is not None and time.monotonic() >= self.at


class Worker(object):
    """The child process that applies container starts' records (Agent.work), fed their IDs
    through a pipe. It lives while starts keep coming (a reboot, a hundred restarted at once) and
    WORKER_IDLE after the last: its imports (the OVS IDL, pyroute2, the modules' parts) are paid
    once a burst, not once a batch; after it, the agent waits small again. The agent ends it (the
    pipe closed), never the worker itself: no batch is lost to a worker that was leaving."""

    def __init__(self, agent):
        self.agent, self.pid, self.pipe, self.last = agent, None, None, 0.0

    def send(self, ids):
        line = (json.dumps(sorted(ids)) + '\n').encode('utf-8')
        for _attempt in (1, 2):
            if self.pid is None:
                self._start()
            try:
                os.write(self.pipe, line)
                break
            except OSError:  # (it died: a new one takes the batch)
                self.stop()
        self.last = time.monotonic()

    def idle(self):
        """Ends it WORKER_IDLE after its last batch -> as stop()."""
        if self.pid is not None and time.monotonic() - self.last > WORKER_IDLE:
            return self.stop()
        return None

    def stop(self):
        """Ends it once it has applied what it was sent -> APPLIED, or UNAPPLIED when a batch
        left records unapplied (None: there was none)."""
        if self.pid is None:
            return None
        os.close(self.pipe)
        code = _exit_code(os.waitpid(self.pid, 0)[1])
        self.pid = self.pipe = None
        return code

    def _start(self):
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(write)
            code = UNAPPLIED
            try:
                code = self.agent.work(read)
            except BaseException as exc:  # (a child must end here, whatever happened)
                LOG.error('applying started containers\' records failed: %s', exc)
            finally:
                for handler in logging.getLogger().handlers:
                    handler.flush()
                os._exit(code)
        os.close(read)
        self.pid, self.pipe = pid, write


def _exit_code(status):
    """A child's wait status -> its exit code; killed, UNAPPLIED (what it was doing is not known
    to be done)."""
    return os.WEXITSTATUS(status) if os.WIFEXITED(status) else UNAPPLIED


def _pid(path):
    try:
        with open(path) as handle:
            return int(handle.read().strip() or 0) or None
    except (IOError, OSError, ValueError):
        return None


class EventStream(object):
    """The engine's container start events on a local socket, read as they come (GET /events, a
    chunked answer of one JSON object a line). No http.client: the agent stays small while it
    waits, and select() can wait on the socket."""

    def __init__(self, path, timeout=10.0):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        query = quote(json.dumps({'type': ['container'], 'event': ['start']}), safe='')
        self.sock.sendall(('GET /events?filters=%s HTTP/1.1\r\nHost: docker\r\n\r\n' % query).encode('ascii'))
        self.buffer, self.body, self.ended = b'', b'', False
        while b'\r\n\r\n' not in self.buffer:
            self._receive()
            if self.ended:
                raise OSError('the engine closed the connection before it answered')
        head, self.buffer = self.buffer.split(b'\r\n\r\n', 1)
        status = head.split(b'\r\n', 1)[0].split(b' ', 2)
        if len(status) < 2 or status[1] != b'200':
            raise OSError('the engine answered the events request with %s' % head.split(b'\r\n', 1)[0].decode('latin-1'))
        self.chunked = b'transfer-encoding: chunked' in head.lower()
        self.sock.settimeout(None)

    def _receive(self):
        data = self.sock.recv(65536)
        if not data:
            self.ended = True
        self.buffer += data

    def fileno(self):
        return self.sock.fileno()

    def read(self):
        """After select() says the socket is readable: the container IDs that came (the stream's
        end sets ``ended``)."""
        self._receive()
        if self.chunked:
            while True:
                size_line, sep, rest = self.buffer.partition(b'\r\n')
                if not sep:
                    break
                size = int(size_line.split(b';')[0] or b'0', 16)
                if size == 0:
                    self.ended = True
                    break
                if len(rest) < size + 2:
                    break
                self.body += rest[:size]
                self.buffer = rest[size + 2:]
        else:
            self.body, self.buffer = self.body + self.buffer, b''
        found = []
        while b'\n' in self.body:
            line, self.body = self.body.split(b'\n', 1)
            if line.strip():
                event = json.loads(line.decode('utf-8'))
                found.append(event.get('id') or (event.get('Actor') or {}).get('ID'))
        return found

    def close(self):
        self.sock.close()


def _stop(_signum, _frame):
    raise SystemExit(0)  # (main's finally removes the pid file)


def main(argv=None):
    parser = argparse.ArgumentParser(prog='netdevops.ovs_docker agent', description=__doc__.split('\n\n', 1)[0])
    parser.add_argument('--once', action='store_true', help='apply every record once and exit')
    parser.add_argument('--ovsdb-socket', default='unix:/run/openvswitch/db.sock')
    parser.add_argument('--docker-host', default=None)
    parser.add_argument('--verbose', action='store_true')
    parser.add_argument('--pidfile', default=AGENT_PIDFILE,
                        help='where it writes its process ID (a second agent, for a second engine, takes another)')
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, stream=sys.stderr,
                        format='%(asctime)s %(levelname)s %(message)s')
    agent = Agent(args.ovsdb_socket, args.docker_host)
    if args.once:
        agent.reconcile()
        return 0
    signal.signal(signal.SIGTERM, _stop)
    with open(args.pidfile, 'w') as handle:
        handle.write('%d\n' % os.getpid())
    try:
        agent.serve()
    except ModuleError as exc:
        LOG.error('%s', exc)
        return 2
    except KeyboardInterrupt:
        pass
    finally:
        if os.path.exists(args.pidfile):
            os.unlink(args.pidfile)
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
