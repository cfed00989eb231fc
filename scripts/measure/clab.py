"""Benchmark: containerlab topologies built by the clab role on this host.

    .venv/bin/python scripts/measure/clab.py [--nodes 50]

Prints figures; asserts nothing. Wall time of `ansible-playbook netdevops.ovs_docker.clab` for a
fresh build and for a run that changes nothing, then of the teardown, for the chain of three
(tests/integration/targets/clab/files/chain.clab.yml) and for a generated star of --nodes linux
nodes on one ovs-bridge node (198.18.44.0/22, in the nodes' own namespaces). Every image is
mapped to the local test image; everything is removed at the end, pass or fail.
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


def play(playbook, topology, check=False):
    argv = [os.path.join(VENV, 'ansible-playbook'), '-i', 'localhost,', '-c', 'local',
            '-e', 'ansible_python_interpreter=%s' % os.path.join(VENV, 'python'),
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('--nodes', type=int, default=50)
    args = parser.parse_args()
    measure('chain of 3', os.path.join(ROOT, 'tests', 'integration', 'targets', 'clab', 'files', 'chain.clab.yml'))
    with tempfile.TemporaryDirectory() as work:
        path = os.path.join(work, 'star.clab.yml')
        star(args.nodes, path)
        measure('star of %d' % args.nodes, path)


if __name__ == '__main__':
    main()
