# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pictures of what ovs_docker_info returns, on the controller: Mermaid text (GitHub and GitLab
render it in Markdown) and Graphviz DOT. Pure functions, unit-tested; each filter documented in
its own .yml file.

Both take {host: ovs_docker_info result}. One host is that host's picture; several are a fleet's,
where VXLAN links whose remote is another host's address are joined across hosts. veth_link's
pairs (``veth_links``) are edges straight between their two containers or namespaces. Both draw
the same graph (graph() below), so they always agree.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

from ansible.errors import AnsibleFilterError

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import marks as _marks

# kind -> (fill, stroke): one colour per kind of node, red for stale ones.
COLOURS = {
    'bridge': ('#e8f0fe', '#1a73e8'),
    'container': ('#e6f4ea', '#188038'),
    'namespace': ('#fef7e0', '#b06000'),
    'vxlan': ('#f3e8fd', '#9334e6'),
    'port': ('#f1f3f4', '#5f6368'),
    'remote': ('#ffffff', '#5f6368'),
    'stale': ('#fce8e6', '#d93025'),
}
# Problems that make the thing at the end of a port stale (drawn red), not only its edge.
NODE_STALE = ('container_gone', 'container_stopped', 'namespace_gone')


def _drawn(cidrs):
    """Addresses worth drawing: not link-local (every IPv6 link has one)."""
    result = []
    for cidr in cidrs or []:
        try:
            if not ipaddress.ip_interface(cidr).ip.is_link_local:
                result.append(cidr)
        except ValueError:
            result.append(cidr)
    return result


def _vlan(port):
    if port.get('trunks'):
        mode = port.get('vlan_mode') or 'trunk'
        native = ' native %s' % port['tag'] if port.get('tag') is not None else ''
        return '%s %s%s' % (mode, ','.join(str(t) for t in port['trunks']), native)
    if port.get('tag') is not None:
        return 'vlan %s' % port['tag']
    return None


class Graph(object):
    """Nodes (id, kind, label lines, stale, cluster) and edges (a, b, label lines, style)."""

    def __init__(self):
        self.nodes, self.edges, self.clusters = [], [], []
        self._ids = {}

    def node(self, key, kind, label, cluster, stale=False):
        """The node for ``key`` (made once; a later stale mark sticks)."""
        if key not in self._ids:
            node = {'id': 'n%d' % (len(self._ids) + 1), 'kind': kind, 'label': label, 'cluster': cluster, 'stale': stale}
            self._ids[key] = node
            self.nodes.append(node)
        elif stale:
            self._ids[key]['stale'] = True
        return self._ids[key]['id']

    def edge(self, a, b, label, style='solid'):
        self.edges.append({'a': a, 'b': b, 'label': [line for line in label if line], 'style': style})


def _check(hosts):
    if not isinstance(hosts, dict) or not hosts:
        raise AnsibleFilterError('topology pictures take {host: ovs_docker_info result}, got %r' % (type(hosts).__name__,))
    for host, data in hosts.items():
        if not isinstance(data, dict) or 'bridges' not in data:
            raise AnsibleFilterError('the topology of %s is not an ovs_docker_info result (no bridges): '
                                     'register the module and pass it' % host)


def graph(hosts):
    """{host: ovs_docker_info result} -> Graph."""
    _check(hosts)
    g = Graph()
    vxlans = []  # (host index, port, node id)
    for index, host in enumerate(sorted(hosts)):
        data = hosts[host]
        cluster = {'id': 'h%d' % index, 'label': host}
        g.clusters.append(cluster)
        for bridge in data['bridges']:
            b = g.node((index, 'bridge', bridge['name']), 'bridge', [bridge['name']] + _drawn(bridge.get('addresses')), cluster['id'])
            for port in bridge['ports']:
                if port['kind'] == 'internal' and port['name'] == bridge['name']:
                    continue  # the bridge's own interface is the bridge
                _port(g, index, cluster['id'], b, port, vxlans)
        for link in data.get('veth_links') or []:
            _veth_link(g, index, cluster['id'], link)
    _overlay(g, hosts, vxlans)
    return g


def _end_node(g, index, cluster, end):
    """The node of a veth_link end: its container's or namespace's, the same as its ports'."""
    if end.get('container'):
        return g.node((index, 'container', end.get('container_id') or end['container']), 'container', [end['container']], cluster)
    return g.node((index, 'namespace', end['namespace']), 'namespace', [end['namespace']], cluster)


def _veth_link(g, index, cluster, link):
    """A veth_link pair: an edge between its ends' nodes, labelled with both interfaces and their
    addresses; one end alone goes to a stale node saying the other is missing."""
    ends = link.get('ends') or []
    if not ends:
        return
    nodes = [_end_node(g, index, cluster, end) for end in ends[:2]]
    stale = not link.get('peer_proven')
    if len(nodes) == 1:
        nodes.append(g.node((index, 'veth_half', link['name']), 'port', [link['name'], 'other end missing'], cluster, stale=True))
    addresses = [', '.join(_drawn(end.get('addresses'))) for end in ends[:2]]
    label = [' - '.join(end['interface'] for end in ends[:2])]
    if any(addresses):
        label.append(' - '.join(a or '-' for a in addresses))
    label += ['STALE: %s' % p['kind'].replace('_', ' ') for p in link.get('problems') or []]
    g.edge(nodes[0], nodes[1], label, 'stale' if stale else 'solid')


def _port(g, index, cluster, bridge_id, port, vxlans):
    kinds = [p['kind'] for p in port.get('problems') or []]
    inside = port.get('interface') or {}
    addresses = _drawn(inside.get('addresses'))
    if port['kind'] == 'container':
        container = port.get('container') or {}
        name = container.get('name') or container.get('ref')
        label = [name] + (['gone'] if 'container_gone' in kinds else [container['status']] if not container.get('running') else [])
        node = g.node((index, 'container', container.get('id') or container.get('ref')), 'container', label + addresses, cluster,
                      stale=any(k in NODE_STALE for k in kinds))
        near = inside.get('name') or port['external_ids'].get(_marks.CONTAINER_IFACE)
    elif port['kind'] == 'namespace':
        namespace = port.get('namespace') or port['external_ids'].get(_marks.NETNS)
        label = [namespace] + (['gone'] if 'namespace_gone' in kinds else [])
        node = g.node((index, 'namespace', namespace), 'namespace', label + addresses, cluster,
                      stale=any(k in NODE_STALE for k in kinds))
        near = inside.get('name') or port['external_ids'].get(_marks.NETNS_IFACE)
    elif port['kind'] == 'vxlan':
        vxlan = port.get('vxlan') or {}
        label = [port['name']] + (['VNI %s' % vxlan['vni']] if vxlan.get('vni') is not None else [])
        node = g.node((index, 'vxlan', port['name']), 'vxlan', label, cluster, stale=bool(kinds))
        vxlans.append((index, port, node))
        near = None
    else:
        node = g.node((index, 'port', port['name']), 'port', [port['name'], port.get('type')], cluster, stale=bool(kinds))
        near = None
    # the edge says which interfaces it joins (inside, host side) and the VLAN; a stale one, why
    ends = '%s - %s' % (near, port['name']) if near else port['name'] if port['kind'] in ('container', 'namespace') else None
    label = [ends, _vlan(port)] + ['STALE: %s' % k.replace('_', ' ') for k in dict.fromkeys(kinds)]
    g.edge(node, bridge_id, label, 'stale' if kinds else 'solid')


def _overlay(g, hosts, vxlans):
    """VXLAN links joined across hosts: a remote that is another host's address (or its link's
    local address) with the same VNI is an edge between the two links; any other remote a node
    of its own."""
    names = sorted(hosts)
    owners = {}
    for index, host in enumerate(names):
        for cidr in hosts[host].get('host_addresses') or []:
            owners.setdefault(cidr.split('/')[0], index)
    for index, port, _node in vxlans:
        local = (port.get('vxlan') or {}).get('local')
        if local:
            owners[local] = index
    joined = set()
    for index, port, node in vxlans:
        vxlan = port.get('vxlan') or {}
        for remote in vxlan.get('remotes') or []:
            other = owners.get(remote)
            peer = next((n for i, p, n in vxlans if i == other and i != index
                         and (p.get('vxlan') or {}).get('vni') == vxlan.get('vni')), None)
            if peer is not None:
                key = tuple(sorted((node, peer)))
                if key not in joined:
                    joined.add(key)
                    g.edge(node, peer, ['VNI %s' % vxlan.get('vni')], 'overlay')
            else:
                far = g.node((index, 'remote', remote), 'remote', ['remote %s' % remote], None)
                g.edge(node, far, ['VNI %s' % vxlan.get('vni')], 'overlay')


# -- Mermaid ------------------------------------------------------------------------------------
# Only this subset of the flowchart grammar is written (tests/unit/plugins/filter checks every
# line against it): quoted labels, one shape per kind, ---/-.-/=== links with |"labels"|,
# classDef/class/linkStyle, subgraph ID["label"] ... end.

MERMAID_SHAPES = {
    'bridge': ('{{', '}}'), 'container': ('([', '])'), 'namespace': ('[/', '/]'),
    'vxlan': ('((', '))'), 'port': ('[', ']'), 'remote': ('>', ']'),
}
MERMAID_LINKS = {'solid': '---', 'stale': '-.-', 'overlay': '==='}


def _mermaid_text(lines):
    """Label lines as one quoted Mermaid string: entity codes for what the grammar reserves."""
    text = '<br/>'.join(str(line).replace('&', '&amp;').replace('#', '#35;').replace('"', '#quot;')
                        .replace('<', '&lt;').replace('>', '&gt;') for line in lines)
    return '"%s"' % text


def topology_mermaid(hosts):
    g = graph(hosts)
    out = ['flowchart LR']

    def node_line(node, indent):
        start, end = MERMAID_SHAPES[node['kind']]
        return '%s%s%s%s%s' % (indent, node['id'], start, _mermaid_text(node['label']), end)

    for cluster in g.clusters:
        out.append('  subgraph %s[%s]' % (cluster['id'], _mermaid_text([cluster['label']])))
        out.extend(node_line(n, '    ') for n in g.nodes if n['cluster'] == cluster['id'])
        out.append('  end')
    out.extend(node_line(n, '  ') for n in g.nodes if n['cluster'] is None)
    for edge in g.edges:
        text = '|%s|' % _mermaid_text(edge['label']) if edge['label'] else ''
        out.append('  %s %s%s %s' % (edge['a'], MERMAID_LINKS[edge['style']], text, edge['b']))
    classes = {}
    for node in g.nodes:
        classes.setdefault('stale' if node['stale'] else node['kind'], []).append(node['id'])
    for kind in sorted(classes):  # only the classes in use: a shorter text to read
        fill, stroke = COLOURS[kind]
        colour = ',color:%s,stroke-dasharray:4 3' % stroke if kind == 'stale' else ''
        out.append('  classDef %s fill:%s,stroke:%s,stroke-width:2px%s' % (kind, fill, stroke, colour))
    out.extend('  class %s %s' % (','.join(ids), kind) for kind, ids in sorted(classes.items()))
    stale = [str(i) for i, e in enumerate(g.edges) if e['style'] == 'stale']
    if stale:
        out.append('  linkStyle %s stroke:%s,color:%s' % (','.join(stale), COLOURS['stale'][1], COLOURS['stale'][1]))
    return '\n'.join(out) + '\n'


# -- Graphviz DOT -------------------------------------------------------------------------------

DOT_SHAPES = {
    'bridge': 'hexagon', 'container': 'box', 'namespace': 'parallelogram',
    'vxlan': 'ellipse', 'port': 'box', 'remote': 'cds',
}


def _dot_text(lines):
    return '"%s"' % '\\n'.join(str(line).replace('\\', '\\\\').replace('"', '\\"') for line in lines)


def topology_dot(hosts):
    g = graph(hosts)
    out = ['graph topology {',
           '  graph [rankdir=LR, fontname="Helvetica", fontsize=12, nodesep=0.4, ranksep=1.0];',
           '  node [fontname="Helvetica", fontsize=10, style="filled", penwidth=1.5];',
           '  edge [fontname="Helvetica", fontsize=9, penwidth=1.2];']

    def node_line(node, indent):
        fill, stroke = COLOURS['stale' if node['stale'] else node['kind']]
        extra = ', style="filled,dashed", fontcolor="%s"' % stroke if node['stale'] else ''
        style = ', style="filled,rounded"' if node['kind'] == 'container' and not node['stale'] else extra
        return '%s%s [label=%s, shape=%s, fillcolor="%s", color="%s"%s];' % (
            indent, node['id'], _dot_text(node['label']), DOT_SHAPES[node['kind']], fill, stroke, style)

    for cluster in g.clusters:
        out.append('  subgraph cluster_%s {' % cluster['id'])
        out.append('    label=%s; style="rounded"; color="#9aa0a6";' % _dot_text([cluster['label']]))
        out.extend(node_line(n, '    ') for n in g.nodes if n['cluster'] == cluster['id'])
        out.append('  }')
    out.extend(node_line(n, '  ') for n in g.nodes if n['cluster'] is None)
    for edge in g.edges:
        attrs = ['label=%s' % _dot_text(edge['label'])] if edge['label'] else []
        if edge['style'] == 'stale':
            attrs += ['style=dashed', 'color="%s"' % COLOURS['stale'][1], 'fontcolor="%s"' % COLOURS['stale'][1]]
        elif edge['style'] == 'overlay':
            attrs += ['style=bold', 'color="%s"' % COLOURS['vxlan'][1], 'penwidth=2.5']
        out.append('  %s -- %s%s;' % (edge['a'], edge['b'], ' [%s]' % ', '.join(attrs) if attrs else ''))
    out.append('}')
    return '\n'.join(out) + '\n'


class FilterModule(object):
    def filters(self):
        return {
            'topology_mermaid': topology_mermaid,
            'topology_dot': topology_dot,
        }
