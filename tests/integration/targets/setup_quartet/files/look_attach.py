"""Independent look at a veth attachment: what ip and ovs-vsctl say is really there, as JSON.

    look_attach.py NAMESPACE INTERFACE HOST_INTERFACE [--world]
    look_attach.py --container CONTAINER INTERFACE [--world]
    look_attach.py --many NS/IFACE/HOST_IFACE,... [--world]   (flat: {"NS/IFACE.KEY": value})
NAMESPACE is a name under /run/netns, or a path such as /proc/PID/ns/net (entered with nsenter).
"""
import json
import os
import sys

from looks import addresses, egress, engine, ip_json, marks, run, world


def link(namespace, name):
    found = ip_json(namespace, 'addr', 'show', 'dev', name)
    if not found:
        return None
    item = found[0]
    return {
        'kind': (item.get('linkinfo') or {}).get('info_kind'),
        'state': 'up' if 'UP' in item['flags'] else 'down',
        'mtu': item['mtu'],
        'mac': item.get('address'),
        'addresses': addresses(item),
    }


def gateway(namespace, family):
    routes = ip_json(namespace, family, 'route', 'show', 'default') or []
    return routes[0].get('gateway') if routes else None


def ovs_cell(table, record, column):
    out = run(['ovs-vsctl', '--format=json', '--columns=' + column, 'list', table, record])
    return json.loads(out)['data'][0][0]


def attachment(namespace, interface, host_interface):
    """A flat dict, so that a test can expect any subset of it."""
    path = namespace if namespace.startswith('/') else '/run/netns/' + namespace
    state = {'netns_exists': os.path.exists(path)}
    ns = link(namespace, interface) if state['netns_exists'] else None
    for key in ('kind', 'state', 'mtu', 'mac', 'addresses'):
        state['ns_' + key] = ns[key] if ns else None
    if state['netns_exists']:
        lo = link(namespace, 'lo')
        state['lo_state'] = lo['state'] if lo else None
        state['gateway'] = gateway(namespace, '-4')
        state['gateway6'] = gateway(namespace, '-6')
    host = link(None, host_interface)
    for key in ('kind', 'state', 'mtu'):
        state['host_' + key] = host[key] if host else None
    bridge = run(['ovs-vsctl', 'port-to-br', host_interface])
    state['port_bridge'] = bridge.strip() if bridge else None
    for key in ('port_tag', 'port_external_ids', 'port_trunks', 'port_vlan_mode', 'iface_policing_rate',
                'iface_policing_burst'):
        state[key] = None
    if bridge:
        tag = ovs_cell('Port', host_interface, 'tag')
        state['port_tag'] = tag if isinstance(tag, int) else None
        state['port_external_ids'] = dict(ovs_cell('Interface', host_interface, 'external_ids')[1])
        trunks = ovs_cell('Port', host_interface, 'trunks')  # one value bare, else ["set", [...]]
        state['port_trunks'] = sorted(trunks[1]) if isinstance(trunks, list) else [trunks]
        mode = ovs_cell('Port', host_interface, 'vlan_mode')
        state['port_vlan_mode'] = mode if isinstance(mode, str) else None
        state['iface_policing_rate'] = ovs_cell('Interface', host_interface, 'ingress_policing_rate')
        state['iface_policing_burst'] = ovs_cell('Interface', host_interface, 'ingress_policing_burst')
        state.update(('egress_' + k, v) for k, v in egress(host_interface).items())
    if ns:
        state['ns_vlans'] = sub_interfaces(namespace, interface)
    return state


def sub_interfaces(namespace, interface):
    """The 802.1Q links on the interface inside: [{'id', 'name', 'addresses', 'state'}]."""
    found = []
    for item in ip_json(namespace, 'addr', 'show') or []:
        info = item.get('linkinfo') or {}
        if info.get('info_kind') == 'vlan' and item.get('link') == interface:
            found.append({'id': info['info_data']['id'], 'name': item['ifname'],
                          'state': 'up' if 'UP' in item['flags'] else 'down',
                          'addresses': addresses(item)})
    return sorted(found, key=lambda v: v['id'])


def container_attachment(container, interface):
    """The attachment of a container's interface, found as ovs-docker finds it (external_ids).
    The container is asked of LOOK_ENGINE's command line (docker, or podman)."""
    pid = (run([engine(), 'inspect', '-f', '{{.State.Pid}}', container]) or '0').strip()
    port = (run(['ovs-vsctl', '--bare', '--columns=name', 'find', 'Interface',
                 'external_ids:%s=%s' % (marks.CONTAINER_ID, container), 'external_ids:%s=%s' % (marks.CONTAINER_IFACE, interface)]) or '').split()
    # a stopped or missing container has no namespace: /proc/0 does not exist
    state = attachment('/proc/%s/ns/net' % pid, interface, port[0] if port else 'none')
    state['ports'] = len(port)
    state['host_interface'] = port[0] if port else None
    state['bridges'] = sorted((run(['ovs-vsctl', 'list-br']) or '').split())
    return state


if __name__ == '__main__':
    # look_attach.py NS IFACE HOST_IFACE [--world]: with --world, also what world() sees.
    # look_attach.py --container CONTAINER IFACE [--world]
    if sys.argv[1] == '--container':
        result = container_attachment(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == '--many':
        result = {}
        for item in sys.argv[2].split(','):
            namespace, interface, host_interface = item.split('/')
            result.update(('%s/%s.%s' % (namespace, interface, key), value)
                          for key, value in attachment(namespace, interface, host_interface).items())
    else:
        result = attachment(*sys.argv[1:4])
    if '--world' in sys.argv:
        result['world'] = world()
    print(json.dumps(result, sort_keys=True))
