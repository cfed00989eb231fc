"""Independent look at a link between two ends, as `ip -j -d` sees them in their namespaces: each
end's kind, MAC, MTU, addresses, link state and description, and whether they are each other's
peer, as flat JSON (a_mac, b_mtu, ..., paired).

    look_veth.py END END [END END ...]    (END: container:NAME:IFACE, or netns:NAME:IFACE)

(more than one pair: {"links": [each pair's look]})
"""
import json
import sys

from looks import addresses, ip_json, run


def namespace_of(kind, name):
    """The end's namespace as looks.ip() takes it; None when its container or namespace is not there."""
    if kind == 'netns':
        return name if run(['ip', 'netns', 'pids', name]) is not None else None
    pid = (run(['docker', 'inspect', '-f', '{{.State.Pid}}', name]) or '').strip()
    return '/proc/%s/ns/net' % pid if pid not in ('', '0') else None


def end(spec):
    kind, name, interface = spec.split(':')
    namespace = namespace_of(kind, name)
    found = ip_json(namespace, 'addr', 'show', 'dev', interface) if namespace else None
    if not found:
        return {'present': False}, None
    link = found[0]
    return {
        'present': True,
        'kind': link.get('linkinfo', {}).get('info_kind'),
        'mac': link.get('address'),
        'mtu': link.get('mtu'),
        'addresses': addresses(link),
        'state': 'up' if 'UP' in link.get('flags', []) else 'down',
        'alias': link.get('ifalias'),
    }, (link.get('ifindex'), link.get('link_index'), link.get('ifname'), link.get('link'))


def pair(first, second):
    a, a_index = end(first)
    b, b_index = end(second)
    # a peer in another namespace is shown by its index there, one in the same namespace by its name
    paired = bool(a_index and b_index and ((a_index[1] == b_index[0] and b_index[1] == a_index[0])
                                           or (a_index[3] == b_index[2] and b_index[3] == a_index[2])))
    # flat (a_mtu, b_addresses, ...): the quartet's expectations are a shallow subset of the look
    look = dict(('a_' + k, v) for k, v in a.items())
    look.update(('b_' + k, v) for k, v in b.items())
    look['paired'] = paired
    return look


def main(ends):
    looks = [pair(ends[i], ends[i + 1]) for i in range(0, len(ends), 2)]
    print(json.dumps(looks[0] if len(looks) == 1 else {'links': looks}, sort_keys=True))


if __name__ == '__main__':
    main(sys.argv[1:])
