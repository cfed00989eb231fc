"""Benchmark: ovs_docker_port against a loop of the real ovs-docker, in one run, on this machine.

    .venv/bin/python scripts/measure/bench.py [--containers N] [--rounds R] [--repeat R]     (make bench)
    .venv/bin/python scripts/measure/bench.py --curve 10,100,300,500            (the curve only)
    .venv/bin/python scripts/measure/bench.py --anatomy [--containers N] [--rounds R] (detach taken apart)

Prints figures and ratios; asserts nothing. Sends no traffic: the addresses (198.18.0.0/16, of the
benchmarking range, and apart from the README lab's simulated outside in 198.19.0.0/16, since a
bridge address may not overlap the host's own) sit on a bridge and in containers made here, and everything made here is
removed at the end, pass or fail.

- add/del: N containers (--net=none) attached by `ovs-docker add-port` one by one, removed by
  `ovs-docker del-port` one by one; then --rounds rounds (3), each: the floor (below) each way,
  then one ovs_docker_port task (attachments=N), its re-run (no-op) and one task removing them;
  medians kept, each round's ratio shown. ovs_docker_info reads the N attachments in the first
  round (with and without the reads inside the namespaces).
- the floor: the fastest batch a skilled engineer could write by hand for the same end state,
  with no checks and no idempotence. Attach: one `docker inspect` of all containers, one
  `ip -batch` making every pair with its peer straight in the container's namespace and the host
  ends up, one `ip -batch` per namespace (address, link up), one `ovs-vsctl` transaction adding
  every port with ovs-docker's external_ids. Detach: every host end put in one link group and
  deleted with one `ip link del group`, then one `ovs-vsctl` transaction removing the ports.
- "module time" is the module run on its own, as Ansible's AnsiballZ runs it on the host
  (python MODULE ARGS.json, imports included); "task time" adds ansible's own start-up.
- no-op: `ansible localhost -m MODULE` for each module (ovs_docker_info too) against `ansible localhost -m ping`.
- BENCH_COLLECTIONS: where the collection is installed (default ~/.ansible/collections, make install).
- --curve: for each size, the floor and one ovs_docker_port task each way, the no-op re-run, and
  the module's peak memory (maximum resident set size of its process); no ovs-docker loop.
- --anatomy: detach of N in rounds, in turns: the floor, ovs_docker_port's whole run (module
  time), a second such run from the end of its imports to its result, and a bare Python process
  that only imports ansible.module_utils.basic (and the ovs IDL): the start any such module pays
  and the floor's `ip` and `ovs-vsctl` do not. Most of a detach is ovs-vswitchd closing the
  ports, the same wait for both.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the checkout
VENV = os.path.join(ROOT, '.venv', 'bin')
COLLECTIONS = os.environ.get('BENCH_COLLECTIONS') or os.path.expanduser('~/.ansible/collections')
IMAGE = 'ovs-docker-test:busybox'
BRIDGE = 'benchbr0'
NS = 'benchns1'
VXLAN = 'benchvx0'


def sh(*argv, check=True):
    return subprocess.run(argv, check=check, capture_output=True, text=True)


PEAK = {}  # the last timed() process's maximum resident set size, in MiB


def timed(argv, env=None):
    """Run argv; -> (seconds, stdout). Sets PEAK to the process's own peak memory."""
    with tempfile.TemporaryFile('w+') as out, tempfile.TemporaryFile('w+') as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, text=True, env=env)
        # wait4 on this child alone: its own peak (RUSAGE_CHILDREN would be the peak of all children)
        _pid, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        PEAK['mib'] = usage.ru_maxrss / 1024.0
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if proc.returncode != 0:
        raise RuntimeError('%s failed: %s %s' % (' '.join(argv[:4]), stdout[-2000:], stderr[-2000:]))
    return elapsed, stdout


def module_path(name):
    return os.path.join(COLLECTIONS, 'ansible_collections/netdevops/ovs_docker/plugins/modules/%s.py' % name)


def run_module(name, args):
    """The module on its own: python MODULE ARGS.json, as AnsiballZ runs it. -> (seconds, result)."""
    with tempfile.NamedTemporaryFile('w', suffix='.json', delete=False) as handle:
        json.dump({'ANSIBLE_MODULE_ARGS': args}, handle)
    env = dict(os.environ, PYTHONPATH=COLLECTIONS)
    try:
        elapsed, out = timed([os.path.join(VENV, 'python'), module_path(name), handle.name], env)
    finally:
        os.unlink(handle.name)
    result = json.loads(out)
    if result.get('failed'):
        raise RuntimeError('%s failed: %s' % (name, result.get('msg')))
    return elapsed, result


def run_task(name, args):
    """The module as an ad-hoc task: `ansible localhost -m NAME -a JSON`. -> seconds."""
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_LOCALHOST_WARNING='false',
               ANSIBLE_INVENTORY_UNPARSED_WARNING='false')
    argv = [os.path.join(VENV, 'ansible'), 'localhost', '-m', name]
    if args:
        argv += ['-a', json.dumps(args)]
    return timed(argv, env)[0]


FLOOR_GROUP = 4077  # a link group of this benchmark's own, for the floor's one-call detach


def floor_attach(names):
    """The hand-written batch (see the docstring). -> seconds."""
    start = time.perf_counter()
    pids = sh('docker', 'inspect', '-f', '{{.State.Pid}}', *names).stdout.split()
    hosts = ['fl%05d' % i for i in range(len(names))]
    links = ''.join('link add %s type veth peer name eth0 netns %s\nlink set %s up\n' % (h, pid, h)
                    for h, pid in zip(hosts, pids))
    subprocess.run(['ip', '-batch', '-'], input=links, text=True, check=True)
    for i, pid in enumerate(pids):
        subprocess.run(['nsenter', '-t', pid, '-n', 'ip', '-batch', '-'], check=True, text=True,
                       input='addr add %s dev eth0\nlink set eth0 up\n' % address(i))
    ports = []
    for h, name in zip(hosts, names):
        ports += ['--', 'add-port', BRIDGE, h, '--', 'set', 'Interface', h,
                  'external_ids:container_id=%s' % name, 'external_ids:container_iface=eth0']
    sh('ovs-vsctl', *ports)
    elapsed = time.perf_counter() - start
    assert len(sh('ovs-vsctl', 'list-ports', BRIDGE).stdout.split()) == len(names), 'the floor did not attach them all'
    return elapsed


def floor_detach(names):
    """Every host end into one link group, one `link del group`, one ovs-vsctl transaction. -> seconds."""
    hosts = ['fl%05d' % i for i in range(len(names))]
    start = time.perf_counter()
    group = ''.join('link set %s group %d\n' % (h, FLOOR_GROUP) for h in hosts) + 'link del group %d\n' % FLOOR_GROUP
    subprocess.run(['ip', '-batch', '-'], input=group, text=True, check=True)
    ports = []
    for h in hosts:
        ports += ['--', 'del-port', BRIDGE, h]
    sh('ovs-vsctl', *ports)
    elapsed = time.perf_counter() - start
    assert not sh('ovs-vsctl', 'list-ports', BRIDGE).stdout.split(), 'the floor left ports behind'
    return elapsed


def address(i):
    return '198.18.%d.%d/16' % (i // 250, i % 250 + 2)


def setup(names):
    """A clean start: the bench's bridge (userspace datapath) and its containers, --net=none."""
    cleanup(names)
    sh('ovs-vsctl', 'add-br', BRIDGE, '--', 'set', 'Bridge', BRIDGE, 'datapath_type=netdev')
    for name in names:
        sh('docker', 'run', '-d', '--name', name, '--net=none', IMAGE)


def attach_batch(names):
    return {'bridge': BRIDGE, 'attachments': [{'container': name, 'addresses': [address(i)]} for i, name in enumerate(names)]}


def detach_batch(names):
    return {'state': 'absent', 'attachments': [{'container': name} for name in names]}


# The module as AnsiballZ runs it, with a clock read where its imports end: its file's top level
# (the imports) through runpy, then its main(). Times go to the file BENCH_ANATOMY names (stdout
# is the module's JSON).
ANATOMY_RUNNER = """
import os, runpy, sys, time
start = time.perf_counter()
module = runpy.run_path(sys.argv[1], run_name='bench_anatomy')
imported = time.perf_counter()
sys.argv = sys.argv[1:]
try:
    module['main']()
finally:
    with open(os.environ['BENCH_ANATOMY'], 'w') as out:
        out.write('%f %f' % (imported - start, time.perf_counter() - imported))
"""


def anatomy(n, rounds):
    """Detach of n taken apart (see the docstring): medians of rounds in turns. Each round detaches
    twice, the whole run timed from outside, then a second run timed from inside."""
    names = ['bench%03d' % i for i in range(n)]
    keys = ('floor', 'whole', 'imports', 'after', 'start', 'start_idl')
    got = dict((key, []) for key in keys)
    with tempfile.NamedTemporaryFile('w', suffix='.json', delete=False) as args, \
            tempfile.NamedTemporaryFile(suffix='.txt', delete=False) as times:
        json.dump({'ANSIBLE_MODULE_ARGS': detach_batch(names)}, args)
    env = dict(os.environ, PYTHONPATH=COLLECTIONS, BENCH_ANATOMY=times.name)
    python = os.path.join(VENV, 'python')
    try:
        setup(names)
        for turn in range(rounds):
            print('== anatomy, round %d of %d' % (turn + 1, rounds), flush=True)
            floor_attach(names)
            got['floor'].append(floor_detach(names))
            run_module('ovs_docker_port', attach_batch(names))
            got['whole'].append(run_module('ovs_docker_port', detach_batch(names))[0])
            run_module('ovs_docker_port', attach_batch(names))
            _elapsed, out = timed([python, '-c', ANATOMY_RUNNER, module_path('ovs_docker_port'), args.name], env)
            assert json.loads(out)['changed'], 'the detach changed nothing'
            with open(times.name) as handle:
                imports, after = (float(field) for field in handle.read().split())
            got['imports'].append(imports)
            got['after'].append(after)
            got['start'].append(timed([python, '-c', 'import ansible.module_utils.basic'])[0])
            got['start_idl'].append(timed([python, '-c', 'import ansible.module_utils.basic, ovs.db.idl'])[0])
    finally:
        cleanup(names)
        os.unlink(args.name)
        os.unlink(times.name)
    floor, whole, imports, after, start, start_idl = (statistics.median(got[key]) for key in keys)
    figures = [
        ('detach %d: the floor (one link group, one transaction)' % n, floor, ''),
        ('detach %d: ovs_docker_port, whole run (module time)' % n, whole, 'x%.2f of the floor' % (whole / floor)),
        ('  a second such run, from the end of its imports to its result', after, 'x%.2f of the floor' % (after / floor)),
        ('  its imports (the interpreter\'s own start not counted)', imports, ''),
        ("an Ansible module's bare start: python -c 'import ansible.module_utils.basic'", start,
         '%.1f%% of the floor' % (100 * start / floor)),
        ("  and with the ovs IDL: python -c 'import ansible.module_utils.basic, ovs.db.idl'", start_idl,
         '%.1f%% of the floor' % (100 * start_idl / floor)),
    ]
    show(figures, 'medians of %d rounds in turns' % rounds)


def show(figures, heading=None):
    width = max(len(f[0]) for f in figures)
    print()
    if heading:
        print(heading)
    for label, seconds, note in figures:
        print('%-*s  %8.3f s  %s' % (width, label, seconds, note))


def curve(sizes):
    """For each size: floor and ours each way, the no-op, and the module's peak memory."""
    rows = []
    for n in sizes:
        names = ['bench%03d' % i for i in range(n)]
        try:
            print('== curve: %d containers' % n, flush=True)
            setup(names)
            floor_add, floor_del = floor_attach(names), floor_detach(names)
            batch = attach_batch(names)
            add, _result = run_module('ovs_docker_port', batch)
            add_peak = PEAK['mib']
            noop, result = run_module('ovs_docker_port', batch)
            assert not result['changed'], 'the re-run changed something'
            noop_peak = PEAK['mib']
            remove, _result = run_module('ovs_docker_port', detach_batch(names))
            rows.append((n, floor_add, add, floor_del, remove, noop, add_peak, noop_peak))
        finally:
            cleanup(names)
    print()
    heads = ('n', 'floor+', 'attach', 'x', 'floor-', 'detach', 'x', 'no-op', 'no-op/n', 'peak MiB', 'no-op MiB')
    print('%5s  %8s %8s %6s  %8s %8s %6s  %8s %8s  %9s %9s' % heads)
    for n, fa, a, fd, d, noop, pa, pn in rows:
        print('%5d  %8.3f %8.3f %6.2f  %8.3f %8.3f %6.2f  %8.3f %7.1fms  %9.1f %9.1f'
              % (n, fa, a, a / fa, fd, d, d / fd, noop, 1000 * noop / n, pa, pn))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--containers', type=int, default=100)
    parser.add_argument('--rounds', type=int, default=3, help='attach/detach rounds, floor and ours in turns (medians kept)')
    parser.add_argument('--repeat', type=int, default=9, help='runs of each ad-hoc comparison, in turns (median kept)')
    parser.add_argument('--curve', help='sizes, as 10,100,300,500: the curve only')
    parser.add_argument('--anatomy', action='store_true', help='detach taken apart: where its time goes against the floor')
    opts = parser.parse_args()
    if opts.curve:
        return curve([int(size) for size in opts.curve.split(',')])
    if opts.anatomy:
        return anatomy(opts.containers, opts.rounds)
    n = opts.containers
    names = ['bench%03d' % i for i in range(n)]
    figures = []
    try:
        print('== set-up: bridge %s, namespace %s, %d containers (--net=none)' % (BRIDGE, NS, n), flush=True)
        setup(names)

        print('== ovs-docker add-port, one container at a time', flush=True)
        start = time.perf_counter()
        for i, name in enumerate(names):
            sh('ovs-docker', 'add-port', BRIDGE, 'eth0', name, '--ipaddress=' + address(i))
        shell_add = time.perf_counter() - start
        print('== ovs-docker del-port, one container at a time', flush=True)
        start = time.perf_counter()
        for name in names:
            sh('ovs-docker', 'del-port', BRIDGE, 'eth0', name)
        shell_del = time.perf_counter() - start

        # Rounds in turns (floor attach and detach, then ours), medians kept: one pass of each moves
        # by +-10% with ovs-vswitchd's port handling, more than the targets' margins.
        batch = attach_batch(names)
        keys = ('floor_add', 'floor_del', 'add', 'noop', 'remove')
        rounds = dict((key, []) for key in keys)
        for turn in range(opts.rounds):
            print('== round %d of %d: the floor (one hand-written batch each way), then ovs_docker_port (one task)'
                  % (turn + 1, opts.rounds), flush=True)
            rounds['floor_add'].append(floor_attach(names))
            rounds['floor_del'].append(floor_detach(names))
            add, result = run_module('ovs_docker_port', batch)
            assert result['changed'] and len(result['attachments']) == n
            rounds['add'].append(add)
            noop, result = run_module('ovs_docker_port', batch)
            assert not result['changed'], 'the re-run changed something'
            rounds['noop'].append(noop)
            if turn == 0:
                noop_task = run_task('netdevops.ovs_docker.ovs_docker_port', batch)
                # ovs_docker_info over the N attachments: whole, and without the reads inside namespaces
                info, result = run_module('ovs_docker_info', {'bridge': BRIDGE})
                assert len(result['bridges'][0]['ports']) == n + 1 and not result['problems'], result['problems']
                info_outside, _result = run_module('ovs_docker_info', {'bridge': BRIDGE, 'namespaces': False})
            remove, result = run_module('ovs_docker_port', detach_batch(names))
            assert result['changed']
            rounds['remove'].append(remove)
        floor_add, floor_del, add, noop, remove = (statistics.median(rounds[key]) for key in keys)

        def spread(ours, floor):
            return 'rounds x' + '/'.join('%.2f' % (o / f) for o, f in zip(rounds[ours], rounds[floor]))

        figures += [
            ('attach %d: ovs-docker add-port loop' % n, shell_add, '%.0f ms a container' % (1000 * shell_add / n)),
            ('attach %d: the floor (hand-written batch), median' % n, floor_add, ''),
            ('attach %d: ovs_docker_port, one task (module time), median' % n, add,
             'x%.2f of the floor (%s), x%.1f faster than the loop' % (add / floor_add, spread('add', 'floor_add'), shell_add / add)),
            ('detach %d: ovs-docker del-port loop' % n, shell_del, '%.0f ms a container' % (1000 * shell_del / n)),
            ('detach %d: the floor (one link group, one transaction), median' % n, floor_del, ''),
            ('detach %d: ovs_docker_port state=absent, one task, median' % n, remove,
             'x%.2f of the floor (%s), x%.1f faster than the loop' % (remove / floor_del, spread('remove', 'floor_del'), shell_del / remove)),
            ('no-op re-run over %d attachments (module time), median' % n, noop, 'changed=false, rounds ' + '/'.join('%.3f' % t for t in rounds['noop'])),
            ('no-op re-run over %d attachments (task time, ansible)' % n, noop_task, ''),
            ('ovs_docker_info over %d attachments (module time)' % n, info, 'one dump per namespace'),
            ('ovs_docker_info over %d attachments, namespaces: false' % n, info_outside, ''),
        ]

        print('== no-op runs against ansible.builtin.ping (median of %d)' % opts.repeat, flush=True)
        sh('docker', 'rm', '-f', *names[1:])
        one = names[0]
        setups = [
            ('netdevops.ovs_docker.ovs_bridge', {'name': BRIDGE, 'datapath_type': 'netdev', 'addresses': ['198.18.255.254/16']}),
            ('netdevops.ovs_docker.netns_veth', {'namespace': NS, 'interface': 'eth0', 'bridge': BRIDGE,
                                                 'addresses': ['198.18.255.1/16']}),
            ('netdevops.ovs_docker.ovs_docker_port', {'container': one, 'bridge': BRIDGE, 'addresses': [address(0)]}),
            # no remotes: a tunnel that floods to nobody (the bench sends no traffic anywhere)
            ('netdevops.ovs_docker.ovs_vxlan', {'name': VXLAN, 'bridge': BRIDGE, 'vni': 4242, 'local': '198.18.255.254'}),
            ('netdevops.ovs_docker.ovs_docker_info', {'bridge': BRIDGE}),
            # a link straight from the container to the namespace (goes with them at the end)
            ('netdevops.ovs_docker.veth_link', {'ends': [
                {'container': one, 'interface': 'eth9', 'addresses': ['198.18.254.1/30']},
                {'namespace': NS, 'interface': 'eth9', 'addresses': ['198.18.254.2/30']}]}),
        ]
        for name, args in setups:
            run_module(name.rsplit('.', 1)[1], args)  # make it so; what follows is the no-op
        # taken in turns (ping, each module, ping, ...): a machine that slows down for a while
        # slows all of them, not the one measured then
        times = dict((name, []) for name in ['ping'] + [name for name, _args in setups])
        for _run in range(opts.repeat):
            times['ping'].append(run_task('ping', None))
            for name, args in setups:
                times[name].append(run_task(name, args))
        ping = statistics.median(times['ping'])
        figures.append(('ansible localhost -m ping', ping, ''))
        for name, _args in setups:
            t = statistics.median(times[name])
            figures.append(('ansible localhost -m %s (no-op)' % name.rsplit('.', 1)[1], t, 'x%.2f of ping' % (t / ping)))
    finally:
        cleanup(names)
    show(figures)


def cleanup(names):
    sh('ip', 'link', 'del', 'group', str(FLOOR_GROUP), check=False)
    sh('docker', 'rm', '-f', *names, check=False)
    sh('ip', 'netns', 'del', NS, check=False)
    sh('ip', 'link', 'del', VXLAN, check=False)
    # the veth pairs die with the containers' namespaces; their ports go with the bridge
    sh('ovs-vsctl', '--if-exists', 'del-br', BRIDGE, check=False)


if __name__ == '__main__':
    sys.exit(main())
