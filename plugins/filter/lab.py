# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab role's logic, as filters: the role's variables in, the batches and the ping matrix out.
Pure functions, unit-tested (tests/unit/plugins/filter); each documented in its own .yml file."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import marks as _marks
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import validate as _validate
# dead ports, which teardown prunes from the lab's bridges
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains.topology import PRUNABLE
from ansible_collections.netdevops.ovs_docker.plugins.plugin_utils._lab import ATTACHMENT_KEYS, container_labels

# The lab's mark, valued with its name (lab_name): a label on its containers, an external_ids key on
# the bridges it created and on the OVS interfaces of its attachments. Teardown removes only what
# carries it, so that two labs on one host, and the user's own objects, are left alone.
LAB_MARK = _marks.LAB

BRIDGE_KEYS = ('datapath_type', 'addresses', 'external_ids', 'fail_mode', 'other_config')


def _v4(addresses):
    return [a for a in addresses or [] if ':' not in a]


def _host(cidr):
    return cidr.split('/')[0]


def _marked(item, lab_name):
    """An attachment's keys with the lab's mark in its external_ids (when the lab has a name)."""
    if lab_name:
        item['external_ids'] = {LAB_MARK: lab_name}
    return item


def lab_attachments(containers, state, not_yet=(), new_bridges=(), lab_name=''):
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
            _marked(item, lab_name)
        result.append(item)
    return result


def lab_nodes(containers, state, lab_name, image, command, persistent=False, capabilities=()):
    """The items of ovs_docker_topology for the lab's containers: each with --net=none, the lab's
    image and command unless its own, the lab's label; restarted by the engine when persistent
    (the agent attaches it again). For teardown, each name with state absent."""
    if state == 'absent':
        return [{'name': c['name'], 'state': 'absent'} for c in containers]
    result = []
    for container in containers:
        item = {'name': container['name'], 'image': container.get('image') or image,
                'command': container.get('command') or command, 'network_mode': 'none', 'labels': lab_labels(lab_name)}
        if persistent:
            item['restart_policy'] = 'unless-stopped'
        if capabilities:
            item['capabilities'] = list(capabilities)
        result.append(item)
    return result


# -- what is there already: adopted, refused, the lab's own ----------------------------------

def lab_container_conflicts(containers, listing, lab_name):
    """A message for each lab container whose name an existing container of someone else's has
    (no label LAB_MARK=lab_name): the lab must not replace it, nor ever remove it."""
    existing = container_labels(listing)
    found = []
    for index, container in enumerate(containers):
        labels = existing.get(container['name'])
        if labels is not None and labels.get(LAB_MARK) != lab_name:
            whose = ('the lab %s' % labels[LAB_MARK]) if LAB_MARK in labels else 'no lab (it has no label %s)' % LAB_MARK
            found.append("lab_containers[%d] (%s): a container called %s already exists on this host and belongs to %s, "
                         "not to this lab (%s); nothing was changed: give the lab's container another name in "
                         "lab_containers, or remove that container" % (index, container['name'], container['name'], whose,
                                                                       lab_name))
    return found


def lab_own_containers(containers, listing, lab_name):
    """The lab containers that are the lab's to remove: those with its label, and those that no
    longer exist (their ports may be left). Another's container of the same name is not."""
    existing = container_labels(listing)
    return [c for c in containers if c['name'] not in existing or existing[c['name']].get(LAB_MARK) == lab_name]


def _record_key(lab_name):
    """The external_ids key on a bridge the lab adopted: the addresses the lab added to it."""
    return '%s.%s.addresses' % (LAB_MARK, lab_name)


def _managed(addresses):
    """Addresses as ovs_bridge manages them (link-local ones are the kernel's), in their order."""
    return [a for a in addresses or [] if not _validate.is_link_local(a)]


def _split(value):
    return [a for a in (value or '').split(',') if a]


def _foreign_ports(bridge, own):
    """The ports on a bridge of the lab that are not the lab's: what keeps teardown from deleting it."""
    containers = set(c['name'] for c in own.get('containers') or ())
    namespaces = set((n['name'], n.get('interface', 'eth0')) for n in own.get('namespaces') or ())
    found = []
    for port in bridge.get('ports') or []:
        ids = port.get('external_ids') or {}
        if (port['name'] == bridge['name'] or ids.get(LAB_MARK) == own['name']
                or (own.get('overlay') and ids.get(_marks.VXLAN) == own['overlay'])
                or ids.get(_marks.CONTAINER_ID) in containers or (ids.get(_marks.NETNS), ids.get(_marks.NETNS_IFACE)) in namespaces
                or any(p['kind'] in PRUNABLE for p in port.get('problems') or [])):
            continue
        found.append(port['name'])
    return found


def lab_bridges(bridges, state, found=None, own=None):
    """The batch for ovs_bridge (its `bridges`): one item a bridge, with the keys the module takes.

    With ``found`` (ovs_docker_info's bridges) and ``own`` ({'name': lab_name, 'datapath_type',
    'containers', 'namespaces' (the lab's items), 'overlay'}): a bridge that is not there
    yet, or carries the lab's mark, is the lab's (made with the mark; removed by teardown unless
    ports of others are on it); any other bridge of that name is adopted as it is - the lab adds its
    addresses and records which, nothing else - and teardown takes back only those addresses."""
    if found is None or own is None:  # no knowledge of the host: every bridge is the lab's
        if state == 'absent':
            return [{'name': bridge['name']} for bridge in bridges]
        return [dict([('name', bridge['name'])] + [(key, bridge[key]) for key in BRIDGE_KEYS if key in bridge])
                for bridge in bridges]
    existing = dict((b['name'], b) for b in found)
    key = _record_key(own['name'])
    result = []
    for bridge in bridges:
        there = existing.get(bridge['name'])
        ours = there is None or there['external_ids'].get(LAB_MARK) == own['name']
        recorded = _split(there['external_ids'].get(key)) if there else []
        if state == 'absent':
            if there is None:
                continue
            if ours and not _foreign_ports(there, own):
                result.append({'name': bridge['name'], 'state': 'absent'})
            elif not ours and recorded:
                result.append({'name': bridge['name'], 'state': 'present', 'external_ids': {key: None},
                               'addresses': [a for a in _managed(there.get('addresses')) if a not in recorded]})
            continue
        if ours:
            item = dict([('name', bridge['name'])] + [(k, bridge[k]) for k in BRIDGE_KEYS if k in bridge])
            item['external_ids'] = dict(bridge.get('external_ids') or {}, **{LAB_MARK: own['name']})
            item.setdefault('datapath_type', own.get('datapath_type'))
        else:
            current = _managed(there.get('addresses'))
            added = [a for a in bridge.get('addresses') or [] if a not in current]
            item = {'name': bridge['name'], 'addresses': current + added}
            record = recorded + [a for a in added if a not in recorded]
            if record:
                item['external_ids'] = {key: ','.join(record)}
        result.append(item)
    return result


def lab_bridges_kept(bridges, found, own):
    """What teardown says of the lab's bridges it keeps: those with ports of others on them."""
    existing = dict((b['name'], b) for b in found or [])
    kept = []
    for bridge in bridges:
        there = existing.get(bridge['name'])
        if there is not None and there['external_ids'].get(LAB_MARK) == own['name']:
            others = _foreign_ports(there, own)
            if others:
                kept.append('bridge %s is kept: ports that are not the lab\'s are on it (%s); remove them and run the '
                            'teardown again to delete it' % (bridge['name'], ', '.join(others)))
    return kept


def lab_labels(lab_name):
    """The labels of the lab's containers: its mark, valued with its name."""
    return {LAB_MARK: lab_name}


def lab_rule_comment(lab_name):
    """The comment of the lab's NAT rules: its mark, with its name."""
    return _marks.lab_rule_comment(lab_name)


def lab_created_bridges(found, lab_name):
    """The names of the bridges on the host that this lab created (its mark)."""
    return [b['name'] for b in found or [] if b['external_ids'].get(LAB_MARK) == lab_name]


def lab_other_rules(lines, comment):
    """Whether iptables-save ``lines`` hold rules of another lab than the one of ``comment``."""
    prefix = '--comment "%s ' % _marks.LAB_RULE
    own = '--comment "%s"' % comment
    return any(prefix in line and own not in line for line in lines)


# The lab's three rules a subnet, as iptables-save prints them: (name, table, chain, how the
# subnet is matched, the line).
NAT_RULES = (
    ('masquerade', 'nat', 'POSTROUTING', '-s', '-A POSTROUTING -s {net} ! -d {net} -m comment --comment "{comment}" -j MASQUERADE'),
    ('out', 'filter', 'FORWARD', '-s', '-A FORWARD -s {net} -m comment --comment "{comment}" -j ACCEPT'),
    ('back', 'filter', 'FORWARD', '-d',
     '-A FORWARD -d {net} -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment "{comment}" -j ACCEPT'),
)


def lab_nat_pending(lines, rules, comment):
    """Which of the lab's NAT ``rules`` ([subnet, state], lab_nat_rules) differ from what the lines
    of iptables-save hold -> {'masquerade', 'out', 'back'}: the [subnet, state] each rule's task
    must still change. Read to leave the tasks nothing to do when all is as it should be; a rule
    kept counts only as the exact line (any other spelling runs its task, which finds it), and one
    to remove counts as gone only when no line of its chain has the comment and the subnet."""
    import ipaddress
    chains, table = {}, None
    for line in lines or []:
        if line.startswith('*'):
            table = line[1:].strip()
        elif line.startswith('-A ') and table:
            chains.setdefault((table, line.split()[1]), []).append(line.strip())
    pending = dict((rule[0], []) for rule in NAT_RULES)
    for subnet, state in rules:
        net = str(ipaddress.ip_interface(subnet).network)
        for name, table, chain, flag, pattern in NAT_RULES:
            saved = chains.get((table, chain), [])
            if state == 'present':
                done = pattern.format(net=net, comment=comment) in saved
            else:
                done = not any('"%s"' % comment in line and ' %s %s ' % (flag, net) in line for line in saved)
            if not done:
                pending[name].append([subnet, state])
    return pending


# what of lab_overlay is ovs_vxlan's (peers are the ping matrix's)
VXLAN_KEYS = ('bridge', 'vni', 'local', 'remotes', 'port', 'mtu')


def lab_vxlans(overlay, name):
    """The overlay as ovs_docker_topology's vxlans: [] without one, else its VXLAN link, named."""
    if not overlay:
        return []
    return [dict([('name', name)] + [(key, overlay[key]) for key in VXLAN_KEYS if overlay.get(key) is not None])]


def lab_namespaces(namespaces, state, new_bridges=(), lab_name=''):
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
            _marked(item, lab_name)
        result.append(item)
    return result


def lab_nat_subnets(bridges, nat):
    """The IPv4 subnets (as the bridges' addresses) to route out: each bridge's `nat`, else ``nat``."""
    # (as Jinja's `bool`: -e lab_nat=false is a string)
    return [a for bridge in bridges if boolean(bridge.get('nat', nat), strict=False) for a in _v4(bridge.get('addresses'))]


def lab_nat_rules(bridges, nat_on):
    """Each IPv4 subnet of the bridges (as their addresses) with the state its NAT rules must have:
    [subnet, 'present'] for those routed out (``nat_on``: lab_nat_subnets, none when the lab goes),
    [subnet, 'absent'] for the others."""
    others = [a for bridge in bridges for a in _v4(bridge.get('addresses')) if a not in nat_on]
    return [[a, 'present'] for a in nat_on] + [[a, 'absent'] for a in dict.fromkeys(others)]


def lab_ping_lines(cells):
    """The pings of the matrix for the shell that runs them at once: "KIND SOURCE ADDRESS" a line."""
    return '\n'.join('%s %s %s' % (cell['kind'], cell['source'], cell['address']) for cell in cells)


def lab_fleet_writer(host, play_hosts, read_hosts, batch):
    """Whether ``host`` writes the fleet's picture: a play of several hosts, once every one of
    them was read (a rollout with serial reads a batch at a time: the last batch), by the first
    host of that batch."""
    return len(play_hosts) > 1 and len(read_hosts) == len(play_hosts) and bool(batch) and host == batch[0]


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
            'lab_bridges_kept': lab_bridges_kept,
            'lab_container_conflicts': lab_container_conflicts,
            'lab_created_bridges': lab_created_bridges,
            'lab_labels': lab_labels,
            'lab_other_rules': lab_other_rules,
            'lab_nat_pending': lab_nat_pending,
            'lab_vxlans': lab_vxlans,
            'lab_rule_comment': lab_rule_comment,
            'lab_own_containers': lab_own_containers,
            'lab_namespaces': lab_namespaces,
            'lab_nodes': lab_nodes,
            'lab_nat_subnets': lab_nat_subnets,
            'lab_nat_rules': lab_nat_rules,
            'lab_ping_lines': lab_ping_lines,
            'lab_fleet_writer': lab_fleet_writer,
            'lab_cells': lab_cells,
            'lab_answers': lab_answers,
            'lab_matrix': lab_matrix,
        }
