"""What the independent looks (look_*.py) share: the host's own tools run and read as JSON, and
the world a failed run could have left something in. Standard library only (the fleet's nodes
run look_info.py with this file and the collection's marks.py beside it)."""
import importlib.util
import json
import os
import shutil
import subprocess


def _load_marks():
    """The collection's marks (plugins/module_utils/_core/marks.py, which imports nothing): the
    names the looks search for, spelled where the modules spell them. Beside this file (the
    fleet's nodes), else in the collection ansible-test runs (ANSIBLE_COLLECTIONS_PATH)."""
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'marks.py')
    places = [here] + [os.path.join(root, 'ansible_collections/netdevops/ovs_docker/plugins/module_utils/_core/marks.py')
                       for root in os.environ.get('ANSIBLE_COLLECTIONS_PATH', '').split(':') if root]
    for path in places:
        if os.path.exists(path):
            spec = importlib.util.spec_from_file_location('ovs_docker_marks', path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return module
    raise SystemExit('looks.py: the collection\'s marks.py is in none of %s' % ', '.join(places))


marks = _load_marks()


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


def ovs_rows(table, columns, record=None):
    """[{column: value}] of an OVSDB table (or of one record), from ovs-vsctl's JSON."""
    out = run(['ovs-vsctl', '--format=json', '--columns=' + ','.join(columns), 'list', table] + ([record] if record else []))
    found = json.loads(out) if out else {'headings': [], 'data': []}
    return [dict(zip(found['headings'], (ovs_value(d) for d in data))) for data in found['data']]


def ovs_table(table, columns, record=None):
    """{name: {column: value}} of an OVSDB table (or of one record)."""
    return dict((row.get('name', record), row) for row in ovs_rows(table, columns, record))


def _kbit(text):
    """A rate or size as tc or OVSDB writes it (1Mbit, 12Kbit, "2000000") in kbit."""
    units = {'bit': 1, 'kbit': 1000, 'mbit': 10 ** 6, 'gbit': 10 ** 9}
    text = text.lower()
    unit = next((u for u in ('kbit', 'mbit', 'gbit', 'bit') if text.endswith(u)), None)
    number = float(text[:-len(unit)]) if unit else float(text)
    return int(number * units.get(unit, 1) / 1000)


def egress(port):
    """An OVS port's egress limit as OVSDB and the kernel have it: {'qos_type', 'qos_mark' (its
    external_ids' netdevops.ovs_docker), 'rate', 'burst' (QoS max-rate, queue 0 burst, kbit),
    'queue_mark', 'kernel_rate' (the root htb class's ceil on the device, kbit; None without)}."""
    found = {'qos_type': None, 'qos_mark': None, 'rate': 0, 'burst': 0, 'queue_mark': None, 'kernel_rate': None}
    rows = ovs_rows('Port', ['qos'], port)
    qos = rows[0]['qos'] if rows else None
    if qos:
        row = ovs_table('QoS', ['type', 'other_config', 'external_ids', 'queues'], qos)[qos]
        found.update(qos_type=row['type'], qos_mark=row['external_ids'].get(marks.EGRESS[0]),
                     rate=_kbit(row['other_config'].get('max-rate', '0')))
        queue = row['queues'].get(0)
        if queue:
            row = ovs_table('Queue', ['other_config', 'external_ids'], queue)[queue]
            found.update(burst=_kbit(row['other_config'].get('burst', '0')),
                         queue_mark=row['external_ids'].get(marks.EGRESS[0]))
    for line in ((run(['tc', 'class', 'show', 'dev', port]) if shutil.which('tc') else None) or '').splitlines():
        words = line.split()
        if words[:2] == ['class', 'htb'] and 'root' in words and 'ceil' in words:
            found['kernel_rate'] = _kbit(words[words.index('ceil') + 1])
    return found


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
        # QoS and Queue rows: root tables, kept by OVSDB when no port refers to them any more
        'ovs_qos': sorted('%s %s' % (r['type'], sorted(r['other_config'].items())) for r in ovs_rows('QoS', ['type', 'other_config'])),
        'ovs_queues': len(ovs_rows('Queue', ['_uuid'])),
    }


if __name__ == '__main__':
    # python3 looks.py NAME [ARG...]: a mark for a shell look, spelled by marks.py (marks.NAME, or
    # marks.NAME(ARG...); a (key, value) mark as key=value, as ovs-vsctl find takes it).
    import sys
    value = getattr(marks, sys.argv[1])
    value = value(*sys.argv[2:]) if callable(value) else value
    print('%s=%s' % value if isinstance(value, tuple) else value)
