"""Benchmark: persistent attachments brought back by the agent after container restarts.

    .venv/bin/python scripts/measure/restarts.py [--restarts 50] [--containers 100] [--idle 10]

Prints figures; asserts nothing. On a netdev bridge of its own (198.18.40.0/22, the benchmarking
range), with containers made here and a prober namespace on the bridge, all removed at the end,
pass or fail. The agent runs as a process of its own (as on hosts without systemd).

- one container restarted --restarts times (`docker restart -t 0`): from its start event (the
  engine's own timestamp) to the first ICMP echo the prober gets back from it through the restored
  port (the prober: one process with a raw socket in the prober namespace, probing a container
  every 5 ms from its start event until it answers); median and 95th percentile.
- --containers restarted at once (one `docker restart` of all): from the first start event to the
  moment every one of them has answered a ping.
- the agent idle for --idle seconds: its resident memory and the CPU time it used.
"""
import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VENV = os.path.join(ROOT, '.venv', 'bin')
COLLECTIONS = os.environ.get('BENCH_COLLECTIONS') or os.path.expanduser('~/.ansible/collections')
IMAGE = 'ovs-docker-test:busybox'
PROBE_EVERY = 0.005  # s between a watched address's echoes
BRIDGE, NS = 'rstbr0', 'rstns'
AGENT = 'ansible_collections.netdevops.ovs_docker.plugins.module_utils._agent.agent'


def sh(*argv, check=True, env=None):
    return subprocess.run(argv, check=check, capture_output=True, text=True, env=env)


def address(i):
    return '198.18.%d.%d' % (40 + (i + 1) // 250, (i + 1) % 250 + 1)


def module(name, args):
    """One ansible ad-hoc run of a module of the collection on localhost (set-up only)."""
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS)
    sh(os.path.join(VENV, 'ansible'), 'localhost', '-m', 'netdevops.ovs_docker.' + name, '-a', json.dumps(args), env=env)


def probe():
    """The prober (run in the prober namespace: restarts.py --probe): reads addresses on stdin,
    sends each an ICMP echo every PROBE_EVERY s until it answers, and prints "ADDRESS TIME" of
    its first answer. One process and one raw socket for all: no ping process per try, whose
    start would cost the agent CPU and the figures up to a try's timeout."""
    import select
    import socket
    import struct

    def checksum(data):
        total = sum(struct.unpack('!%dH' % (len(data) // 2), data))
        total = (total >> 16) + (total & 0xffff)
        return ~(total + (total >> 16)) & 0xffff
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    ident, watched, pending = os.getpid() & 0xffff, set(), b''
    stdin = sys.stdin.buffer.raw
    while True:
        ready = select.select([sock, stdin], [], [], PROBE_EVERY)[0]
        if stdin in ready:
            data = os.read(stdin.fileno(), 65536)
            if not data:
                return
            lines, _sep, pending = (pending + data).rpartition(b'\n')
            watched.update(line.decode() for line in lines.split(b'\n') if line)
        if sock in ready:
            packet, (source, _port) = sock.recvfrom(2048)
            header = (packet[0] & 0x0f) * 4
            if packet[header] == 0 and struct.unpack('!H', packet[header + 4:header + 6])[0] == ident and source in watched:
                watched.discard(source)
                print(source, repr(time.time()), flush=True)
            continue
        for ip in watched:
            body = struct.pack('!BBHHH', 8, 0, 0, ident, 1) + b'restarts'
            body = body[:2] + struct.pack('!H', checksum(body)) + body[4:]
            try:
                sock.sendto(body, (ip, 0))
            except OSError:  # ENOBUFS: the neighbour table's queue full while 100 come back at once
                pass  # (the next round sends again)


class Prober(object):
    """restarts.py --probe in the prober namespace: watch(ip) starts probing, answered(ip, since)
    waits for its first answer after ``since``."""

    def __init__(self):
        self.proc = subprocess.Popen(['ip', 'netns', 'exec', NS, sys.executable, os.path.abspath(__file__), '--probe'],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.seen = {}
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            ip, when = line.split()
            self.seen.setdefault(ip, []).append(float(when))

    def watch(self, ip):
        self.proc.stdin.write(ip + '\n')
        self.proc.stdin.flush()

    def answered(self, ip, since):
        while True:
            times = [t for t in self.seen.get(ip, []) if t >= since]
            if times:
                return times[0]
            if self.proc.poll() is not None:
                raise RuntimeError('the prober ended (exit code %s): no answer from %s to wait for' % (self.proc.returncode, ip))
            time.sleep(0.001)

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()


def restart_at_once(names):
    """POST /containers/NAME/restart?t=0 for every container at the same time (the CLI restarts
    the containers it is given one after the other)."""
    import http.client
    import socket

    def restart(name):
        conn = http.client.HTTPConnection('localhost')
        conn.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        conn.sock.connect('/var/run/docker.sock')
        conn.request('POST', '/containers/%s/restart?t=0' % name)
        conn.getresponse().read()
        conn.close()
    threads = [threading.Thread(target=restart, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


class Starts(object):
    """The engine's container start events, as they come: {container id: [start time]};
    ``on_start(id)`` is called for each."""

    def __init__(self, on_start=None):
        self.seen, self.on_start = {}, on_start
        self.proc = subprocess.Popen(['docker', 'events', '--filter', 'event=start', '--format', '{{json .}}'],
                                     stdout=subprocess.PIPE, text=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            event = json.loads(line)
            self.seen.setdefault(event['id'], []).append(event['timeNano'] / 1e9)
            if self.on_start:
                self.on_start(event['id'])

    def after(self, cid, since):
        while True:
            times = [t for t in self.seen.get(cid, []) if t >= since]
            if times:
                return times[0]
            time.sleep(0.001)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--restarts', type=int, default=50)
    parser.add_argument('--containers', type=int, default=100)
    parser.add_argument('--idle', type=int, default=10)
    parser.add_argument('--probe', action='store_true', help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe:
        return probe()
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(1))  # (a timeout still cleans up)
    names = ['rst%d' % i for i in range(args.containers)]
    agent = prober = None
    try:
        print('== set-up: bridge %s, prober %s, %d containers, recorded' % (BRIDGE, NS, len(names)))
        module('ovs_bridge', {'name': BRIDGE, 'datapath_type': 'netdev'})
        module('netns_veth', {'namespace': NS, 'interface': 'eth0', 'bridge': BRIDGE, 'addresses': ['198.18.40.1/22']})
        for name in names:
            sh('docker', 'run', '-d', '--name', name, '--net=none', IMAGE)
        module('ovs_docker_port', {'bridge': BRIDGE, 'persistent': True, 'attachments': [
            {'container': name, 'addresses': ['%s/22' % address(i)]} for i, name in enumerate(names)]})
        ids = dict((name, sh('docker', 'inspect', '-f', '{{.Id}}', name).stdout.strip()) for name in names)
        prober = Prober()
        address_of = dict((ids[name], address(i)) for i, name in enumerate(names))
        # the prober watches a container from its start event on (its address is silent until the agent restores it)
        starts = Starts(lambda cid: cid in address_of and prober.watch(address_of[cid]))
        log = open('/tmp/restarts-agent.log', 'w')
        agent = subprocess.Popen([os.path.join(VENV, 'python'), '-m', AGENT], stderr=log, stdout=log,
                                 env=dict(os.environ, PYTHONPATH=COLLECTIONS))
        while 'serving' not in open('/tmp/restarts-agent.log').read():
            time.sleep(0.05)

        print('== %d restarts of one container' % args.restarts)
        latencies = []
        for _round in range(args.restarts):
            since = time.time()
            sh('docker', 'restart', '-t', '0', names[0])
            started = starts.after(ids[names[0]], since)
            latencies.append(prober.answered(address(0), started) - started)
        latencies.sort()
        p95 = latencies[max(0, int(round(0.95 * len(latencies))) - 1)]
        print('start event to first answered ping: median %.3f s, 95th percentile %.3f s, max %.3f s (%d restarts)'
              % (statistics.median(latencies), p95, latencies[-1], len(latencies)))

        print('== %d containers restarted at once' % len(names))
        since = time.time()
        restart_at_once(names)
        print('   restarted (the engine answered every request) %.3f s after the first request' % (time.time() - since))
        times = [starts.after(ids[name], since) for name in names]
        last = max(prober.answered(address(i), times[i]) for i in range(len(names)))
        print('first start event to all %d answering: %.3f s (the last start event %.3f s after the first; from it '
              'to all answering %.3f s)' % (len(names), last - min(times), max(times) - min(times), last - max(times)))

        print('== the agent idle for %d s' % args.idle)

        def cpu():
            fields = open('/proc/%d/stat' % agent.pid).read().rsplit(')', 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')
        before = cpu()
        time.sleep(args.idle)
        used = cpu() - before
        rss = [line for line in open('/proc/%d/status' % agent.pid) if line.startswith('VmRSS')][0].split()[1]
        print('idle agent: resident %.1f MiB, CPU %.3f s over %d s' % (int(rss) / 1024, used, args.idle))
    finally:
        if agent is not None:
            agent.terminate()
            agent.wait()
        if prober is not None:
            prober.close()
        sh('docker', 'rm', '-f', *names, check=False)
        sh('ovs-vsctl', '--if-exists', 'del-br', BRIDGE, check=False)
        sh('ip', 'netns', 'del', NS, check=False)
    return 0


if __name__ == '__main__':
    sys.exit(main())
