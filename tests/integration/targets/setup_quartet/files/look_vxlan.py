"""Independent look at a VXLAN link and its OVS port: what ip, bridge and ovs-vsctl say, as JSON.

    look_vxlan.py NAME           one link's look
    look_vxlan.py NAME NAME...   {NAME: look} of each
"""
import json
import sys

from looks import ip_json, run


def look(name):
    found = ip_json(None, 'link', 'show', 'dev', name)
    bridge = (run(['ovs-vsctl', 'port-to-br', name]) or '').strip() or None
    if not found:
        return {'present': False, 'bridge': bridge}
    link = found[0]
    info = link.get('linkinfo', {})
    data = info.get('info_data', {})
    fdb = json.loads(run(['bridge', '-j', 'fdb', 'show', 'dev', name]) or '[]')
    return {
        'present': True,
        'kind': info.get('info_kind'),
        'vni': data.get('id'),
        'port': data.get('port'),
        'local': data.get('local'),
        'learning': data.get('learning'),
        'remotes': sorted(e['dst'] for e in fdb if e.get('mac') == '00:00:00:00:00:00' and e.get('dst')),
        'mtu': link.get('mtu'),
        'state': 'up' if 'UP' in link.get('flags', []) else 'down',
        'bridge': bridge,
    }


if __name__ == '__main__':
    names = sys.argv[1:]
    print(json.dumps(look(names[0]) if len(names) == 1 else dict((n, look(n)) for n in names), sort_keys=True))
