"""Independent look at a containerlab topology as built on this host, against the file itself.

    look_clab.py FILE [NODE ...]
    look_clab.py --pings FILE [NODE ...]

Reads the file with its own simple reading (no code of the collection): each link's two endpoints,
addresses, MTU (containerlab's default 9500; 1450 across hosts) and MACs. Then looks at every
interface of the topology's containers on this host with ip, entering each container's namespace
under a temporary name (so that ip names the namespace of each veth's peer), and at OVS. Prints
what it saw per NODE:IFACE (peer, MAC, MTU, addresses) and each difference from the file; exits 1
when there is one. NODE...: only those nodes (the others are on other hosts).

--pings: from each end of each link to the other's first address (the nodes on one bridge: each to
each), with docker exec; prints the pings that failed, exits 1 when one did. The addresses are the
file's, in 198.18.0.0/15: they live in the topology's own containers.
"""
import json
import subprocess
import sys

import yaml


def run(argv):
    done = subprocess.run(argv, check=False, capture_output=True, text=True)
    return done.stdout if done.returncode == 0 else None


def expected(topology, nodes):
    """{NODE:IFACE: {'peer', 'mtu', 'addresses', 'mac'}} from the file's links."""
    kinds = dict((n, (d or {}).get('kind') or (topology['topology'].get('defaults') or {}).get('kind'))
                 for n, d in topology['topology']['nodes'].items())
    want = {}
    for link in topology['topology'].get('links') or []:
        ends = []
        for i, end in enumerate(link['endpoints']):
            if isinstance(end, str):
                node, iface = end.split(':')
                end = {'node': node, 'interface': iface}
            addresses = []
            for family in ('ipv4', 'ipv6'):
                if link.get(family):
                    addresses.append(link[family][i])
                if end.get(family):
                    addresses.append(end[family])
            ends.append(dict(end, addresses=sorted(addresses)))
        for me, other in ((ends[0], ends[1]), (ends[1], ends[0])):
            if kinds[me['node']] != 'linux' or (nodes and me['node'] not in nodes):
                continue
            bridge = kinds[other['node']] != 'linux'
            across = not bridge and nodes and other['node'] not in nodes
            want['%s:%s' % (me['node'], me['interface'])] = {
                'peer': 'bridge %s' % other['node'] if bridge else ('another host' if across else '%s:%s' % (other['node'], other['interface'])),
                'mtu': link.get('mtu') or (1450 if across else 9500), 'addresses': me['addresses'], 'mac': me.get('mac')}
    return want


def seen(lab):
    """{NODE:IFACE: {'peer', 'mtu', 'addresses', 'mac'}} of the lab's containers here."""
    found = {}
    names = (run(['docker', 'ps', '--filter', 'label=netdevops.ovs_docker.clab=%s' % lab, '--format',
                  '{{.Label "netdevops.ovs_docker.clab.node"}} {{.ID}}']) or '').split('\n')
    nodes = dict(line.split() for line in names if line.strip())
    attached = []
    try:
        for node, cid in nodes.items():
            pid = run(['docker', 'inspect', '-f', '{{.State.Pid}}', cid]).strip()
            name = 'look-%s' % cid[:8]
            if run(['ip', 'netns', 'attach', name, pid]) is not None:
                attached.append((name, node))
        by_ns = dict(attached)
        host_links = dict((l['ifindex'], l['ifname']) for l in json.loads(run(['ip', '-j', 'link', 'show']) or '[]'))
        for name, node in attached:
            ids = dict((i['nsid'], i.get('name')) for i in json.loads(run(['ip', '-n', name, '-j', 'netns', 'list-id']) or '[]'))
            for link in json.loads(run(['ip', '-n', name, '-j', '-d', 'addr', 'show']) or '[]'):
                if link['ifname'] == 'lo':
                    continue
                if 'link_netnsid' in link:
                    peer_ns = ids.get(link['link_netnsid'])
                    if peer_ns in by_ns:
                        peer_links = json.loads(run(['ip', '-n', peer_ns, '-j', 'link', 'show']) or '[]')
                        peer_name = next((l['ifname'] for l in peer_links if l['ifindex'] == link.get('link_index')), '?')
                        peer = '%s:%s' % (by_ns[peer_ns], peer_name)
                    else:  # the host's: a port on a bridge
                        port = host_links.get(link.get('link_index'))
                        bridge = (run(['ovs-vsctl', 'port-to-br', port]) or '').strip() if port else ''
                        peer = 'bridge %s' % bridge if bridge else 'host %s' % port
                else:
                    peer = '%s:%s' % (node, link.get('link', '?'))
                found['%s:%s' % (node, link['ifname'])] = {
                    'peer': peer, 'mtu': link['mtu'], 'mac': link['address'],
                    'addresses': sorted('%s/%s' % (a['local'], a['prefixlen']) for a in link.get('addr_info', [])
                                        if a.get('scope') != 'link' and a['family'] in ('inet', 'inet6'))}
    finally:
        for name, _node in attached:
            run(['ip', 'netns', 'delete', name])
    return found


def containers(lab):
    names = (run(['docker', 'ps', '--filter', 'label=netdevops.ovs_docker.clab=%s' % lab, '--format',
                  '{{.Label "netdevops.ovs_docker.clab.node"}} {{.Names}}']) or '').split('\n')
    return dict(line.split() for line in names if line.strip())


def pings(topology, nodes):
    """The pings across every link of the file that start on this host: [failures]."""
    want = expected(topology, [])
    here = containers(topology['name'])
    pairs = []
    for key, end in want.items():
        node = key.split(':')[0]
        if nodes and node not in nodes:
            continue
        if end['peer'].startswith('bridge '):
            pairs += [(node, other) for other, o in want.items() if o['peer'] == end['peer'] and other != key]
        else:
            pairs.append((node, end['peer']))
    failures = []
    for node, other in pairs:
        address = want[other]['addresses'][0].split('/')[0]
        if run(['docker', 'exec', here.get(node, node), 'ping', '-c', '1', '-W', '2', address]) is None:
            failures.append('%s -> %s (%s)' % (node, other, address))
    return failures


def main(path, nodes):
    with open(path) as handle:
        topology = yaml.safe_load(handle)
    want, have = expected(topology, nodes), seen(topology['name'])
    differences = []
    for key in sorted(set(want) | set(have)):
        w, h = want.get(key), have.get(key)
        if h is None:
            differences.append('%s: missing' % key)
            continue
        if w is None:
            differences.append('%s: not in the file (%s)' % (key, h))
            continue
        peer_ok = h['peer'] == w['peer'] or (w['peer'] in ('another host',) and h['peer'].startswith('bridge clx')) \
            or (w['peer'].startswith('bridge ') and h['peer'] == w['peer'])
        for what, ok in (('peer', peer_ok), ('mtu', h['mtu'] == w['mtu']), ('addresses', h['addresses'] == w['addresses']),
                         ('mac', w['mac'] is None or h['mac'] == w['mac'])):
            if not ok:
                differences.append('%s: %s is %s, the file says %s' % (key, what, h[what], w[what]))
    print(json.dumps({'interfaces': have, 'differences': differences}, sort_keys=True, indent=1))
    return 1 if differences else 0


if __name__ == '__main__':
    if sys.argv[1] == '--pings':
        with open(sys.argv[2]) as handle:
            failed = pings(yaml.safe_load(handle), sys.argv[3:])
        print('\n'.join('no answer: %s' % f for f in failed))
        sys.exit(1 if failed else 0)
    sys.exit(main(sys.argv[1], sys.argv[2:]))
