"""Independent look at what ovs_docker_info returned: every bridge, port, container, namespace
interface and VXLAN link in its result is compared with what ovs-vsctl, ip, bridge and docker say.

    look_info.py RESULT.json [--all]

Prints each difference and exits 1 when there is any; prints what it compared otherwise. With
--all, the result must also hold every bridge and port OVSDB has (an unnarrowed read).
Runs with the standard library and looks.py only (also inside the fleet's nodes).
"""
import json
import sys

from looks import addresses, egress, engine, ip_json, marks, ovs_table, run


def optional(value):
    """An optional OVSDB column: an empty set is None."""
    return None if value == [] else value


def link(namespace, name):
    found = ip_json(namespace, 'addr', 'show', 'dev', name)
    if not found:
        return None
    item = found[0]
    return {'index': item['ifindex'], 'kind': (item.get('linkinfo') or {}).get('info_kind'),
            'state': 'up' if 'UP' in item['flags'] else 'down', 'mtu': item['mtu'], 'mac': item.get('address'),
            'peer': item.get('link_index'), 'data': (item.get('linkinfo') or {}).get('info_data') or {},
            'addresses': addresses(item, link_local=True)}


def main():
    result = json.load(open(sys.argv[1]))
    whole = '--all' in sys.argv[2:]
    wrong = []
    compared = []

    def same(what, seen, told):
        compared.append(what)
        if seen != told:
            wrong.append('%s: the system says %r, the module said %r' % (what, seen, told))

    bridges = ovs_table('Bridge', ['name', 'datapath_type', 'fail_mode', 'ports'])
    ports = ovs_table('Port', ['name', '_uuid', 'tag', 'trunks', 'vlan_mode'])
    ifaces = ovs_table('Interface', ['name', 'type', 'ofport', 'error', 'external_ids', 'ingress_policing_rate',
                                     'ingress_policing_burst'])
    port_names = dict((p['_uuid'], name) for name, p in ports.items())
    told_bridges = dict((b['name'], b) for b in result['bridges'])
    if whole:
        same('the bridges', sorted(bridges), sorted(told_bridges))
    for name, bridge in sorted(told_bridges.items()):
        row = bridges.get(name)
        if row is None:
            wrong.append('bridge %s: not in OVSDB' % name)
            continue
        same('%s datapath_type' % name, row['datapath_type'] or 'system', bridge['datapath_type'])
        same('%s fail_mode' % name, optional(row['fail_mode']), bridge['fail_mode'])
        own = link(None, name)
        same('%s addresses' % name, own['addresses'] if own else [], sorted(bridge['addresses']))
        members = row['ports'] if isinstance(row['ports'], list) else [row['ports']]
        if whole:
            same('%s ports' % name, sorted(port_names[u] for u in members), sorted(p['name'] for p in bridge['ports']))
        for port in bridge['ports']:
            check_port(port, ports.get(port['name']), ifaces.get(port['name']), same, wrong)
    print('%d difference(s) in %d comparisons' % (len(wrong), len(compared)))
    for line in wrong:
        print('  ' + line)
    sys.exit(1 if wrong else 0)


def check_port(port, row, iface, same, wrong):
    name = port['name']
    if row is None or iface is None:
        wrong.append('port %s: not in OVSDB' % name)
        return
    same('%s tag' % name, optional(row['tag']), port['tag'])
    same('%s trunks' % name, sorted(row['trunks'] if isinstance(row['trunks'], list) else [row['trunks']]), port['trunks'])
    same('%s vlan_mode' % name, optional(row['vlan_mode']), port['vlan_mode'])
    same('%s ingress policing' % name, [iface['ingress_policing_rate'], iface['ingress_policing_burst']],
         [port['ingress_policing_rate'], port['ingress_policing_burst']])
    limit = egress(name)
    same('%s egress' % name, [limit['rate'], limit['burst']], [port['egress_rate'], port['egress_burst']])
    ours = marks.OWNER
    same('%s qos' % name, limit['qos_type'] and (ours if limit['qos_mark'] == marks.EGRESS[1] else 'another'),
         port['qos'] and (ours if port['qos'] == ours else 'another'))
    same('%s type' % name, iface['type'] or 'system', port['type'])
    same('%s ofport' % name, optional(iface['ofport']), port['ofport'])
    same('%s error' % name, optional(iface['error']), port['error'])
    same('%s external_ids' % name, iface['external_ids'], port['external_ids'])
    host = link(None, name)
    same('%s device' % name, host is not None, port['device'])
    if host is not None and port['host_link'] is not None:
        same('%s host index' % name, host['index'], port['host_link']['index'])
        same('%s host mac' % name, host['mac'], port['host_link']['mac'])
    if port['kind'] == 'container':
        check_container(port, same)
    if port.get('interface') and port.get('namespace'):
        namespace = port['namespace'] if port['namespace'].startswith('/') else '/run/netns/' + port['namespace']
        inside = link(namespace, port['interface']['name'])
        if inside is None:
            wrong.append('%s: no %s in %s' % (name, port['interface']['name'], namespace))
            return
        told = port['interface']
        for key, seen in (('index', inside['index']), ('mac', inside['mac']), ('mtu', inside['mtu']),
                          ('link_state', inside['state']), ('addresses', inside['addresses'])):
            same('%s inside %s' % (name, key), seen, sorted(told[key]) if key == 'addresses' else told[key])
        routes = ip_json(namespace, 'route', 'show', 'default') or []
        same('%s gateway' % name, next((r.get('gateway') for r in routes if r.get('gateway')), None), told['gateway'])
        proven = bool(host and host['kind'] == 'veth' and inside['kind'] == 'veth' and
                      host['peer'] == inside['index'] and inside['peer'] == host['index'])
        same('%s peer proven' % name, proven, port['peer_proven'])
    if port['kind'] == 'vxlan' and host is not None:
        same('%s vni' % name, host['data'].get('id'), port['vxlan']['vni'])
        same('%s local' % name, host['data'].get('local'), port['vxlan']['local'])
        fdb = json.loads(run(['bridge', '-j', 'fdb', 'show', 'dev', name]) or '[]')
        same('%s remotes' % name, sorted(e['dst'] for e in fdb if e.get('mac') == '00:00:00:00:00:00' and e.get('dst')),
             port['vxlan']['remotes'])


def check_container(port, same):
    told = port['container']
    out = run([engine(), 'inspect', port['external_ids'][marks.CONTAINER_ID]])
    if out is None:
        same('%s container' % port['name'], None, told['id'])
        return
    data = json.loads(out)[0]
    same('%s container id' % port['name'], data['Id'], told['id'])
    same('%s container name' % port['name'], data['Name'].lstrip('/'), told['name'])
    same('%s container running' % port['name'], data['State']['Running'], told['running'])
    same('%s container pid' % port['name'], data['State']['Pid'] or None, told['pid'])


if __name__ == '__main__':
    main()
