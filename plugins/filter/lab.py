# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab role's logic, as filters: the role's variables in, the batches and the ping matrix out.
Pure functions, unit-tested (tests/unit/plugins/filter); each documented in its own .yml file."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible.module_utils.parsing.convert_bool import boolean

ATTACHMENT_KEYS = ('addresses', 'gateway', 'gateway6', 'mac', 'mtu', 'vlan', 'vlan_mode', 'trunks', 'vlans',
                   'ingress_policing_rate', 'ingress_policing_burst')


def _v4(addresses):
    return [a for a in addresses or [] if ':' not in a]


def _host(cidr):
    return cidr.split('/')[0]


def lab_attachments(containers, state, not_yet=(), new_bridges=()):
    """The batch for ovs_docker_port: one item a container, less those that check mode cannot look
    at (containers not created yet, containers on bridges not created yet). For teardown, only
    what finds the port."""
    result = []
    for container in containers:
        if container['name'] in not_yet or container['bridge'] in new_bridges:
            continue
        item = {'container': container['name'], 'interface': container.get('interface', 'eth0')}
        if state == 'absent':
            item['state'] = 'absent'
        else:
            item['bridge'] = container['bridge']
            item.update((key, container[key]) for key in ATTACHMENT_KEYS if key in container)
        result.append(item)
    return result


BRIDGE_KEYS = ('datapath_type', 'addresses', 'external_ids', 'fail_mode', 'other_config')


def lab_bridges(bridges, state):
    """The batch for ovs_bridge (its `bridges`): one item a bridge, with the keys the module takes."""
    if state == 'absent':
        return [{'name': bridge['name']} for bridge in bridges]
    return [dict([('name', bridge['name'])] + [(key, bridge[key]) for key in BRIDGE_KEYS if key in bridge])
            for bridge in bridges]


def lab_namespaces(namespaces, state, new_bridges=()):
    """The batch for netns_veth (its `attachments`): one item a namespace, less those on bridges
    that check mode has not made. For teardown, only what finds the pair."""
    result = []
    for namespace in namespaces:
        if state != 'absent' and namespace['bridge'] in new_bridges:
            continue
        item = {'namespace': namespace['name'], 'interface': namespace.get('interface', 'eth0')}
        if 'host_interface' in namespace:
            item['host_interface'] = namespace['host_interface']
        if state != 'absent':
            item['bridge'] = namespace['bridge']
            item.update((key, namespace[key]) for key in ATTACHMENT_KEYS if key in namespace)
        result.append(item)
    return result


def lab_nat_subnets(bridges, nat):
    """The IPv4 subnets (as the bridges' addresses) to route out: each bridge's `nat`, else ``nat``."""
    # (as Jinja's `bool`: -e lab_nat=false is a string)
    return [a for bridge in bridges if boolean(bridge.get('nat', nat), strict=False) for a in _v4(bridge.get('addresses'))]


def lab_cells(containers, namespaces, bridges, host_address=None, remote=None, remotes=(), overlay=None):
    """The seed's ping matrix as cells {source, kind, target, address}: every container and
    namespace pings its bridge, the others on that bridge and, on the overlay bridge, the
    overlay's peers; those with a gateway also ping the host's own address and the remote machines."""
    namespaces = [n for n in namespaces if boolean(n.get('verify', True), strict=False)]
    ip4 = {}
    for item in list(bridges) + namespaces + list(containers):
        v4 = _v4(item.get('addresses'))
        if v4:
            ip4[item['name']] = _host(v4[0])
    far = []
    if host_address:
        far.append({'name': 'host', 'address': _host(host_address)})
    elif remote:
        far.append({'name': 'host', 'address': _host(remote['host_address'])})
    if remote:
        far.append({'name': remote['namespace'], 'address': _host(remote['address'])})
    far.extend({'name': r['name'], 'address': _host(r['address'])} for r in remotes or [])
    cells = []
    for kind, sources in (('container', containers), ('namespace', namespaces)):
        for source in sources:
            near = [source['bridge']] + [o['name'] for o in namespaces + list(containers) if o['bridge'] == source['bridge']]
            cells.extend({'source': source['name'], 'kind': kind, 'target': t, 'address': ip4[t]}
                         for t in near if t != source['name'] and t in ip4)
            if overlay and source['bridge'] == overlay['bridge']:
                cells.extend({'source': source['name'], 'kind': kind, 'target': p['name'], 'address': _host(p['address'])}
                             for p in overlay.get('peers') or [])
            if source.get('gateway'):
                cells.extend({'source': source['name'], 'kind': kind, 'target': t['name'], 'address': t['address']}
                             for t in far)
    return cells


def lab_answers(cells, ping_lines):
    """Each cell with `ok` (its ping answered) and `cell` (how a failure names it), from the
    pings' "INDEX RC" lines."""
    rc = {}
    for line in ping_lines:
        fields = line.split()
        if len(fields) != 2:
            raise AnsibleFilterError('lab_answers: %r is not an "INDEX RC" line' % line)
        rc[int(fields[0])] = int(fields[1])
    return [dict(cell, ok=rc.get(index, 1) == 0, cell='%s -> %s (%s)' % (cell['source'], cell['target'], cell['address']))
            for index, cell in enumerate(cells)]


def lab_matrix(answers, own):
    """The ping matrix as lines: a row a source, a column a target (the lab's own objects, in the
    order of ``own``, first; then the host and the remote machines); ok, FAIL or -."""
    sources = list(dict.fromkeys(a['source'] for a in answers))
    answered = list(dict.fromkeys(a['target'] for a in answers))
    first = [name for name in own if name in answered]
    targets = first + [t for t in answered if t not in first]
    width = max([6] + [len(n) for n in sources + targets]) + 2
    cells = dict(((a['source'], a['target']), a['ok']) for a in answers)
    lines = ['ping'.ljust(width) + ''.join(t.center(width) for t in targets)]
    for source in sources:
        row = [source.ljust(width)]
        for target in targets:
            ok = cells.get((source, target))
            row.append(('-' if ok is None else 'ok' if ok else 'FAIL').center(width))
        lines.append(''.join(row))
    return [line.strip() for line in lines]


class FilterModule(object):
    def filters(self):
        return {
            'lab_attachments': lab_attachments,
            'lab_bridges': lab_bridges,
            'lab_namespaces': lab_namespaces,
            'lab_nat_subnets': lab_nat_subnets,
            'lab_cells': lab_cells,
            'lab_answers': lab_answers,
            'lab_matrix': lab_matrix,
        }
