"""What the independent looks (look_*.py) share: the host's own tools run and read as JSON, and
the world a failed run could have left something in. Standard library only (the fleet's nodes
run look_info.py with this file beside it)."""
import json
import os
import shutil
import subprocess


def run(argv):
    """A tool's output, or None when it fails (a link or record that is not there)."""
    done = subprocess.run(argv, check=False, capture_output=True, text=True)
    return done.stdout if done.returncode == 0 else None


def ip(namespace=None):
    """The ip command for a namespace: None is the host's; a path is entered with nsenter."""
    if namespace is None:
        return ['ip']
    if namespace.startswith('/'):
        return ['nsenter', '--net=' + namespace, 'ip']
    return ['ip', '-n', namespace]


def ip_json(namespace, *args):
    """`ip -j -d ARGS` in the namespace, parsed; None when it fails."""
    out = run(ip(namespace) + ['-j', '-d'] + list(args))
    return json.loads(out) if out else None


def addresses(item, link_local=False):
    """An `ip -j addr` item's addresses as sorted CIDRs (link-local ones only if asked: the kernel
    adds and drops them on its own)."""
    return sorted('%s/%s' % (a['local'], a['prefixlen']) for a in item.get('addr_info', [])
                  if link_local or a.get('scope') != 'link')


def ovs_value(datum):
    """An ovs-vsctl --format=json cell as plain Python: sets lists, maps dicts, uuids strings."""
    if isinstance(datum, list) and datum[0] == 'set':
        return [ovs_value(d) for d in datum[1]]
    if isinstance(datum, list) and datum[0] == 'map':
        return dict((k, ovs_value(v)) for k, v in datum[1])
    if isinstance(datum, list) and datum[0] == 'uuid':
        return datum[1]
    return datum


def ovs_table(table, columns, record=None):
    """{name: {column: value}} of an OVSDB table (or of one record), from ovs-vsctl's JSON."""
    out = run(['ovs-vsctl', '--format=json', '--columns=' + ','.join(columns), 'list', table] + ([record] if record else []))
    found = json.loads(out) if out else {'headings': [], 'data': []}
    rows = {}
    for data in found['data']:
        row = dict(zip(found['headings'], (ovs_value(d) for d in data)))
        rows[row.get('name', record)] = row
    return rows


def engine():
    """The container engine's command line the test runs under (LOOK_ENGINE: docker or podman)."""
    return os.environ.get('LOOK_ENGINE', 'docker')


def engines():
    """The engines whose containers a whole-host look covers: LOOK_ENGINE's alone when it is set,
    else each of docker and podman that is installed."""
    if os.environ.get('LOOK_ENGINE'):
        return [os.environ['LOOK_ENGINE']]
    return [name for name in ('docker', 'podman') if shutil.which(name)]


def world():
    """Everything a failed run could have left behind: namespaces, host links, OVS bridges and
    interfaces."""
    return {
        'netns': sorted(n.split()[0] for n in (run(['ip', 'netns', 'list']) or '').splitlines()),
        'links': sorted(item['ifname'] for item in ip_json(None, 'link', 'show') or []),
        'bridges': sorted((run(['ovs-vsctl', 'list-br']) or '').split()),
        'ovs_interfaces': sorted(ovs_table('Interface', ['name'])),
    }
