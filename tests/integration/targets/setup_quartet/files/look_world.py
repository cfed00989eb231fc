"""Independent look at everything a module could touch on this host, as JSON: every link (index,
kind, peer index, master, state, MTU, MAC, addresses) in the host, in every named namespace and in
every running container (of each engine looks.engines() names), and every OVS bridge, port and interface row with its external_ids.
Built on ip, docker and ovs-vsctl, never on the modules under test. Two looks are equal when
nothing anywhere changed.
    look_world.py
"""
import json

from looks import addresses, engines, ip_json, ovs_table, run


def links(namespace):
    result = {}
    for item in ip_json(namespace, 'addr', 'show') or []:
        result[item['ifname']] = {
            'index': item['ifindex'],
            'kind': (item.get('linkinfo') or {}).get('info_kind'),
            'peer': item.get('link_index') or item.get('link'),
            'master': item.get('master'),
            'up': 'UP' in item['flags'],
            'mtu': item['mtu'],
            'mac': item.get('address'),
            'addresses': addresses(item),
        }
    return result


def ovs():
    interfaces = dict((name, {'external_ids': row['external_ids'], 'type': row['type']})
                      for name, row in ovs_table('Interface', ['name', 'external_ids', 'type']).items())
    bridges = dict((br, sorted(run(['ovs-vsctl', 'list-ports', br]).split())) for br in (run(['ovs-vsctl', 'list-br']) or '').split())
    return {'bridges': bridges, 'interfaces': interfaces}


def main():
    world = {'host': links(None), 'ovs': ovs(), 'netns': {}, 'containers': {}}
    for line in (run(['ip', 'netns', 'list']) or '').splitlines():
        name = line.split()[0]
        world['netns'][name] = links(name)
    for engine in engines():  # running containers (Podman's as podman/NAME)
        for name in (run([engine, 'ps', '--format', '{{.Names}}']) or '').split():
            pid = run([engine, 'inspect', '-f', '{{.State.Pid}}', name]).strip()
            key = name if engine == 'docker' else 'podman/' + name
            world['containers'][key] = links('/proc/%s/ns/net' % pid)
    print(json.dumps(world, sort_keys=True))


if __name__ == '__main__':
    main()
