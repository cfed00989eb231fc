"""Benchmark: containerlab topologies built by the clab role on this host, beside the fastest
batch a skilled engineer would write by hand for the star's end state (the floor), in the same run.

    .venv/bin/python scripts/measure/clab.py [--nodes 50[,200]] [--no-chain] [--memory] [--mgmt]

Prints figures; asserts nothing. Wall time of `ansible-playbook netdevops.ovs_docker.clab` for a
fresh build and for a run that changes nothing, then of the teardown, for the chain of three
(tests/integration/targets/clab/files/chain.clab.yml) and for a generated star of --nodes linux
nodes on one ovs-bridge node (198.18.44.0/22, in the nodes' own namespaces). The floor builds the
same star: `docker run -d --net=none` of every node 8 at once, every veth made straight into its
container's namespace and up in one `ip -batch`, each node's address set by `nsenter ... ip`
8 at once, every port in one OVSDB transaction (`ovs-vsctl`); its teardown, `docker rm -f` 8 at
once and one `del-br`. Every image is mapped to the local test image; everything is removed at the
end, pass or fail.

--mgmt: every node's eth0 on a management network too (198.18.48.0/22: the file's mgmt; the floor's
`docker network create` and `docker run --network`); without it the role runs with clab_mgmt false
(containerlab's default subnet is no test subnet, and the floor's nodes have no network).

--memory: then the module's peak memory (maximum resident set) for each star, its build, a run that
changes nothing and its teardown, each run as AnsiballZ runs it on the host (`python MODULE
ARGS.json`, the installed collection; its params from the clab role's own filters).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VENV = os.path.join(ROOT, '.venv', 'bin')
IMAGES = json.dumps({'clab_images': {'*': 'ovs-docker-test:busybox'}})
MGMT = {'network': 'ovsd-bench', 'ipv4-subnet': '198.18.48.0/22'}
WITH_MGMT = [False]  # (--mgmt)


def play(playbook, topology, check=False):
    argv = [os.path.join(VENV, 'ansible-playbook'), '-i', 'localhost,', '-c', 'local',
            '-e', 'ansible_python_interpreter=%s' % os.path.join(VENV, 'python'),
            '-e', json.dumps({'clab_mgmt': WITH_MGMT[0]}),
            '-e', 'clab_topology=%s' % topology, '-e', IMAGES, 'netdevops.ovs_docker.%s' % playbook]
    started = time.monotonic()
    done = subprocess.run(argv + (['--check'] if check else []), capture_output=True, text=True, check=False)
    elapsed = time.monotonic() - started
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-3000:])
        raise SystemExit('%s failed' % playbook)
    changed = sum(int(part.split('=')[1]) for line in done.stdout.splitlines() if 'changed=' in line
                  for part in line.split() if part.startswith('changed='))
    return elapsed, changed


def star(nodes, path):
    links = ['    - endpoints: [{node: h%d, interface: eth1, ipv4: 198.18.%d.%d/22}, {node: sw9, interface: p%d}]'
             % (i, 44 + i // 250, 1 + i % 250, i) for i in range(1, nodes + 1)]
    with open(path, 'w') as handle:
        if WITH_MGMT[0]:
            handle.write('mgmt: %s\n' % json.dumps(MGMT))
        handle.write('name: star%d\ntopology:\n  defaults: {kind: linux, image: alpine:3.20}\n  nodes:\n    sw9: {kind: ovs-bridge}\n'
                     % nodes + ''.join('    h%d: {}\n' % i for i in range(1, nodes + 1)) + '  links:\n' + '\n'.join(links) + '\n')


def measure(name, topology):
    try:
        build = play('clab', topology)
        again = play('clab', topology)
        check = play('clab', topology, check=True)
    finally:
        teardown = play('clab_destroy', topology)
    print('%-22s build %6.1f s (%d changed)   no change %6.1f s   no change, check mode %6.1f s   teardown %6.1f s'
          % (name, build[0], build[1], again[0], check[0], teardown[0]))


def sh(script, stdin=None):
    subprocess.run(['bash', '-c', 'set -euo pipefail; ' + script], input=stdin, text=True, check=True,
                   stdout=subprocess.DEVNULL)


def floor(nodes):
    """The star by hand -> (build seconds, teardown seconds)."""
    names = ['floor-h%d' % i for i in range(1, nodes + 1)]
    started = time.monotonic()
    net = '--net=none'
    try:
        if WITH_MGMT[0]:
            sh('docker network create --subnet %s fmgmt' % MGMT['ipv4-subnet'])
            net = '--network fmgmt'
        sh('xargs -P8 -I{} docker run -d ' + net + ' --label netdevops.bench=floor --name {} ovs-docker-test:busybox '
           'sleep 86400', '\n'.join(names))
        pids = subprocess.run(['docker', 'inspect', '-f', '{{.State.Pid}}'] + names, capture_output=True, text=True,
                              check=True).stdout.split()
        batch = ''.join('link add fp%d type veth peer name eth1 netns %s\nlink set fp%d up\n' % (i, pid, i)
                        for i, pid in enumerate(pids, 1))
        sh('ip -batch -', batch)
        sh('xargs -P8 -n3 sh -c \'nsenter -t "$0" -n ip addr add "$1" dev eth1 && nsenter -t "$0" -n ip link set eth1 up\'',
           ''.join('%s 198.18.%d.%d/22 x\n' % (pid, 44 + i // 250, 1 + i % 250) for i, pid in enumerate(pids, 1)))
        sh('ovs-vsctl add-br fsw9 -- set bridge fsw9 datapath_type=netdev ' + ' '.join('-- add-port fsw9 fp%d' % i for i in range(1, nodes + 1)))
        build = time.monotonic() - started
    finally:
        started = time.monotonic()
        subprocess.run('docker ps -aq --filter label=netdevops.bench=floor | xargs -r -P8 -n1 docker rm -f >/dev/null; '
                       'ovs-vsctl --if-exists del-br fsw9; docker network rm fmgmt >/dev/null 2>&1', shell=True, check=False)
        teardown = time.monotonic() - started
    return build, teardown


def module_run(params):
    """One run of ovs_docker_topology with ``params`` -> (seconds, peak resident MB)."""
    collections = os.path.expanduser('~/.ansible/collections')
    module = os.path.join(collections, 'ansible_collections', 'netdevops', 'ovs_docker', 'plugins', 'modules',
                          'ovs_docker_topology.py')
    with tempfile.NamedTemporaryFile('w', suffix='.json') as args:
        json.dump({'ANSIBLE_MODULE_ARGS': params}, args)
        args.flush()
        started = time.monotonic()
        child = subprocess.Popen([os.path.join(VENV, 'python'), module, args.name], stdout=subprocess.PIPE,
                                 env=dict(os.environ, PYTHONPATH=collections))
        out = child.stdout.read()
        _pid, status, usage = os.wait4(child.pid, 0)
        elapsed = time.monotonic() - started
    if status != 0 or json.loads(out.decode().strip().splitlines()[-1]).get('failed'):
        raise SystemExit('ovs_docker_topology failed: %s' % out.decode()[-2000:])
    return elapsed, usage.ru_maxrss / 1024.0


def memory(nodes, path):
    """The module's peak memory for a star of ``nodes``: build, no change, teardown."""
    import yaml
    sys.path.insert(0, os.path.expanduser('~/.ansible/collections'))
    from ansible_collections.netdevops.ovs_docker.plugins.plugin_utils import _clab
    plan = _clab.plan(yaml.safe_load(open(path)), ['localhost'], images=json.loads(IMAGES)['clab_images'], mgmt=WITH_MGMT[0])
    empty = dict((key, []) for key in ('containers', 'bridges', 'ports', 'links', 'vxlans', 'networks', 'linux_bridges'))
    built, down = _clab.host_part(plan['hosts']['localhost'], plan['name']), _clab.host_part(empty, plan['name'])
    figures = []
    try:
        figures.append(module_run(built))
        figures.append(module_run(built))
    finally:
        figures.append(module_run(down))
    print('%-22s module alone: build %5.1f s %4.0f MB   no change %4.1f s %4.0f MB   teardown %5.1f s %4.0f MB (peak resident)'
          % (('star of %d' % nodes,) + tuple(v for figure in figures for v in figure)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('--nodes', default='50', help='star sizes, as 50,200')
    parser.add_argument('--no-chain', action='store_true', help='the stars only')
    parser.add_argument('--memory', action='store_true', help="then the module's peak memory for each star")
    parser.add_argument('--mgmt', action='store_true', help='every node on a management network too')
    args = parser.parse_args()
    WITH_MGMT[0] = args.mgmt
    if not args.no_chain:
        measure('chain of 3', os.path.join(ROOT, 'tests', 'integration', 'targets', 'clab', 'files', 'chain.clab.yml'))
    for nodes in [int(n) for n in args.nodes.split(',')]:
        build, teardown = floor(nodes)
        print('%-22s build %6.1f s                  teardown %6.1f s   (the floor, by hand)' % ('star of %d' % nodes, build, teardown))
        with tempfile.TemporaryDirectory() as work:
            path = os.path.join(work, 'star.clab.yml')
            star(nodes, path)
            measure('star of %d' % nodes, path)
            if args.memory:
                memory(nodes, path)


if __name__ == '__main__':
    main()
