"""Independent look at a bridge's mirrors: what ovs-vsctl says, as JSON, ports by name.

    look_mirror.py BRIDGE    {'mirrors': {NAME: {...}}, 'rows': how many Mirror rows OVSDB holds}
"""
import json
import sys

from looks import marks, ovs_rows


def look(bridge):
    names = dict((row['_uuid'], row['name']) for row in ovs_rows('Port', ['_uuid', 'name']))
    refs = ovs_rows('Bridge', ['mirrors'], bridge)
    wanted = set(refs[0]['mirrors'] if refs and isinstance(refs[0]['mirrors'], list) else [refs[0]['mirrors']] if refs else [])
    rows = ovs_rows('Mirror', ['_uuid', 'name', 'select_all', 'select_src_port', 'select_dst_port', 'select_vlan', 'output_port',
                               'output_vlan', 'external_ids'])

    def ports(value):
        return sorted(names.get(v, v) for v in (value if isinstance(value, list) else [value]))

    def one(value):
        return value if not isinstance(value, list) else (value[0] if value else None)

    mirrors = {}
    for row in rows:
        if row['_uuid'] not in wanted:
            continue
        mirrors[row['name']] = {
            'src': ports(row['select_src_port']), 'dst': ports(row['select_dst_port']),
            'vlans': sorted(row['select_vlan'] if isinstance(row['select_vlan'], list) else [row['select_vlan']]),
            'output_port': names.get(one(row['output_port'])), 'output_vlan': one(row['output_vlan']),
            'select_all': row['select_all'], 'ours': row['external_ids'].get(marks.MIRROR[0]) == marks.MIRROR[1]}
    return {'mirrors': mirrors, 'rows': len(rows)}


if __name__ == '__main__':
    print(json.dumps(look(sys.argv[1]), sort_keys=True))
