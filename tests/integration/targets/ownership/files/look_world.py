"""Independent look at everything a module could touch on this host, as JSON: every link (index,
kind, peer index, master, state, MTU, MAC, addresses) in the host, in every named namespace and in
every running container (Docker's and Podman's), and every OVS bridge, port and interface row with its external_ids.
Built on ip, docker and ovs-vsctl, never on the modules under test. Two looks are equal when
nothing anywhere changed.
    look_world.py
"""
import json
import subprocess


def run(argv):
    done = subprocess.run(argv, check=False, capture_output=True, text=True)
    return done.stdout if done.returncode == 0 else ''


def links(prefix):
    result = {}
    for item in json.loads(run(prefix + ['-j', '-d', 'addr', 'show']) or '[]'):
        result[item['ifname']] = {
            'index': item['ifindex'],
            'kind': (item.get('linkinfo') or {}).get('info_kind'),
            'peer': item.get('link_index') or item.get('link'),
            'master': item.get('master'),
            'up': 'UP' in item['flags'],
            'mtu': item['mtu'],
            'mac': item.get('address'),
            # global addresses only: the kernel adds and drops link-local ones on its own
            'addresses': sorted('%s/%s' % (a['local'], a['prefixlen']) for a in item.get('addr_info', [])
                                if a.get('scope') != 'link'),
        }
    return result


def ovs():
    data = json.loads(run(['ovs-vsctl', '--format=json', '--columns=name,external_ids,type', 'list', 'Interface']) or '{"data": []}')
    interfaces = dict((row[0], {'external_ids': dict(row[1][1]), 'type': row[2]}) for row in data['data'])
    bridges = dict((br, sorted(run(['ovs-vsctl', 'list-ports', br]).split())) for br in run(['ovs-vsctl', 'list-br']).split())
    return {'bridges': bridges, 'interfaces': interfaces}


def main():
    world = {'host': links(['ip']), 'ovs': ovs(), 'netns': {}, 'containers': {}}
    for line in run(['ip', 'netns', 'list']).splitlines():
        name = line.split()[0]
        world['netns'][name] = links(['ip', '-n', name])
    for engine in ('docker', 'podman'):  # both engines' running containers (Podman's as podman/NAME)
        for name in run([engine, 'ps', '--format', '{{.Names}}']).split():
            pid = run([engine, 'inspect', '-f', '{{.State.Pid}}', name]).strip()
            key = name if engine == 'docker' else 'podman/' + name
            world['containers'][key] = links(['nsenter', '--net=/proc/%s/ns/net' % pid, 'ip'])
    print(json.dumps(world, sort_keys=True))


if __name__ == '__main__':
    main()
