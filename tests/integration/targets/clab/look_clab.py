"""Independent look at a containerlab topology as built on this host, against the file itself.

    look_clab.py FILE [NODE ...]
    look_clab.py --pings FILE [NODE ...]

Reads the file with its own simple reading (no code of the collection): each link's two endpoints,
addresses, MTU (containerlab's default 9500; 1450 across hosts) and MACs. Then looks at every
interface of the topology's containers on this host with ip, entering each container's namespace
with nsenter (read-only: nothing is named or changed), and at OVS. Prints
what it saw per NODE:IFACE (peer, MAC, MTU, addresses) and each difference from the file; exits 1
when there is one. NODE...: only those nodes (the others are on other hosts).

--pings: from each end of each link to the other's first address (the nodes on one bridge: each to
each), with docker exec; prints the pings that failed, exits 1 when one did. The addresses are the
file's, in 198.18.0.0/15: they live in the topology's own containers.
"""
import json
import os
import subprocess
import sys

import yaml

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'setup_quartet', 'files'))
from looks import marks  # noqa: E402 (the shared looks, beside this target)


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
            if kinds.get(me['node'], 'host') != 'linux' or (nodes and me['node'] not in nodes):
                continue
            bridge = kinds.get(other['node'], 'host') != 'linux'
            across = not bridge and nodes and other['node'] not in nodes
            want['%s:%s' % (me['node'], me['interface'])] = {
                'peer': 'bridge %s' % other['node'] if bridge else ('another host' if across else '%s:%s' % (other['node'], other['interface'])),
                'mtu': link.get('mtu') or (1450 if across else 9500), 'addresses': me['addresses'], 'mac': me.get('mac')}
    return want


def seen(lab):
    """{NODE:IFACE: {'peer', 'mtu', 'addresses', 'mac'}} of the lab's containers here.

    Read-only: each container's namespace is entered (nsenter), never named or changed. A veth's
    peer is the interface, in another container's namespace or the host's, whose index is this
    end's peer index and whose peer index is this end's index."""
    found = {}
    names = (run(['docker', 'ps', '--filter', 'label=%s=%s' % (marks.CLAB, lab), '--format',
                  '{{.Label "%s"}} {{.ID}}' % marks.CLAB_NODE]) or '').split('\n')
    nodes = dict(line.split() for line in names if line.strip())
    inside = {}  # node -> its links, with addresses
    for node, cid in nodes.items():
        pid = (run(['docker', 'inspect', '-f', '{{.State.Pid}}', cid]) or '').strip()
        if pid and pid != '0':
            inside[node] = json.loads(run(['nsenter', '-t', pid, '-n', 'ip', '-j', '-d', 'addr', 'show']) or '[]')
    host_links = json.loads(run(['ip', '-j', '-d', 'link', 'show']) or '[]')
    ends = [(node, l) for node, links in inside.items() for l in links] + [(None, l) for l in host_links]

    def candidates(node, link):
        return [(n, l) for n, l in ends if n != node and l['ifindex'] == link.get('link_index')
                and l.get('link_index') == link['ifindex'] and 'link_netnsid' in l]
    # Interface indices are per namespace, so two pairs may share theirs: a namespace's id for its
    # peer's (link_netnsid) is one namespace, learnt from the pairs that match one way only.
    nsids = {}
    for node, links in inside.items():
        for link in links:
            found_peers = candidates(node, link) if 'link_netnsid' in link else []
            if len(found_peers) == 1:
                nsids[(node, link['link_netnsid'])] = found_peers[0][0]
    for node, links in inside.items():
        for link in links:
            if link['ifname'] == 'lo':
                continue
            if 'link_netnsid' in link:
                match = candidates(node, link)
                if len(match) > 1:
                    match = [(n, l) for n, l in match if nsids.get((node, link['link_netnsid']), '?') == n]
                if len(match) == 1 and match[0][0] is not None:
                    peer = '%s:%s' % (match[0][0], match[0][1]['ifname'])
                elif len(match) == 1:  # the host's: a port on a bridge
                    port = match[0][1]['ifname']
                    bridge = (run(['ovs-vsctl', 'port-to-br', port]) or '').strip()
                    peer = 'bridge %s' % bridge if bridge else 'host %s' % port
                else:
                    peer = '? (%d ends could be its peer)' % len(match)
            else:
                peer = '%s:%s' % (node, link.get('link', '?'))
            found['%s:%s' % (node, link['ifname'])] = {
                'peer': peer, 'mtu': link['mtu'], 'mac': link['address'],
                'addresses': sorted('%s/%s' % (a['local'], a['prefixlen']) for a in link.get('addr_info', [])
                                    if a.get('scope') != 'link' and a['family'] in ('inet', 'inet6'))}
    return found


def containers(lab):
    names = (run(['docker', 'ps', '--filter', 'label=%s=%s' % (marks.CLAB, lab), '--format',
                  '{{.Label "%s"}} {{.Names}}' % marks.CLAB_NODE]) or '').split('\n')
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
