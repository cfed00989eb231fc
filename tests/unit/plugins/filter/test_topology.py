# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The topology pictures (plugins/filter/topology.py): Mermaid checked line by line against the
grammar subset it writes (no Mermaid parser runs offline here), DOT by Graphviz's own dot."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.netdevops.ovs_docker.plugins.filter import topology
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import marks as _marks


def port(name, kind, **more):
    entry = {'name': name, 'kind': kind, 'type': 'system', 'tag': None, 'trunks': [], 'vlan_mode': None,
             'external_ids': {}, 'problems': [], 'interface': None, 'container': None, 'namespace': None, 'vxlan': None}
    entry.update(more)
    return entry


def container_port(name, container, iface='eth0', addresses=(), problems=(), running=True, **more):
    return port(name, 'container', external_ids={_marks.CONTAINER_ID: container, _marks.CONTAINER_IFACE: iface},
                container={'ref': container, 'id': None if 'container_gone' in problems else hashlib.sha256(container.encode()).hexdigest(),
                           'name': None if 'container_gone' in problems else container, 'running': running,
                           'status': 'running' if running else 'exited'},
                interface={'name': iface, 'addresses': list(addresses)} if running else None,
                problems=[{'kind': k, 'message': k} for k in problems], **more)


def host(n, extra_ports=(), remotes=()):
    """A fleet host as ovs_docker_info returns it: br0 with a container and a namespace, ovl0 with
    a VXLAN link flooding to ``remotes``."""
    return {
        'host_addresses': ['100.127.250.%d/24' % (10 + n), '192.168.%d.250/24' % n],
        'problems': [],
        'bridges': [
            {'name': 'br0', 'addresses': ['192.168.%d.250/24' % n, 'fe80::1/64'], 'ports': [
                port('br0', 'internal', type='internal'),
                container_port('1111111111111_l', 'con1', addresses=['192.168.%d.2/24' % n], tag=10),
                port('veth0', 'namespace', namespace='ns1', external_ids={_marks.NETNS: 'ns1', _marks.NETNS_IFACE: 'veth1'},
                     interface={'name': 'veth1', 'addresses': ['192.168.%d.1/24' % n]}, trunks=[20, 30], vlan_mode='trunk'),
            ] + list(extra_ports)},
            {'name': 'ovl0', 'addresses': [], 'ports': [
                port('ovl0', 'internal', type='internal'),
                port('vxlan42', 'vxlan', vxlan={'vni': 42, 'local': '100.127.250.%d' % (10 + n), 'remotes': list(remotes)}),
            ]},
        ],
    }


def fleet():
    addresses = dict((n, '100.127.250.%d' % (10 + n)) for n in (1, 2, 3))
    return dict(('vm%d' % n, host(n, remotes=[a for m, a in addresses.items() if m != n])) for n in (1, 2, 3))


# -- a strict checker of the Mermaid subset the filter writes ---------------------------------

ID = r'[A-Za-z][A-Za-z0-9_]*'
STR = r'"(?:[^"#<>&]|#(?:quot|\d+);|&(?:amp|lt|gt);|<br/>)*"'
SHAPES = (r'\{\{%s\}\}', r'\(\[%s\]\)', r'\[/%s/\]', r'\(\(%s\)\)', r'\[%s\]', r'>%s\]')
NODE = re.compile(r'^(%s)(?:%s)$' % (ID, '|'.join(s % STR for s in SHAPES)))
EDGE = re.compile(r'^(%s) (?:---|-\.-|===)(?:\|%s\|)? (%s)$' % (ID, STR, ID))
SUBGRAPH = re.compile(r'^subgraph (%s)\[%s\]$' % (ID, STR))
PROPS = r'[a-z-]+:[#A-Za-z0-9. ]+(?:,[a-z-]+:[#A-Za-z0-9. ]+)*'
CLASSDEF = re.compile(r'^classDef (%s) %s$' % (ID, PROPS))
CLASS = re.compile(r'^class (%s(?:,%s)*) (%s)$' % (ID, ID, ID))
LINKSTYLE = re.compile(r'^linkStyle (\d+(?:,\d+)*) %s$' % PROPS)
RESERVED = {'end', 'subgraph', 'graph', 'flowchart', 'class', 'classDef', 'style', 'linkStyle', 'click', 'call',
            'direction', 'default'}


def check_mermaid(text):
    """Every line of ``text`` is one of the forms above, and they fit together: ids unique and
    not reserved, edges and classes name defined nodes, classes defined, linkStyle indices exist,
    subgraphs closed and not nested. Returns (nodes, edges) as ids; AssertionError otherwise."""
    lines = text.splitlines()
    assert lines[0] == 'flowchart LR', lines[0]
    nodes, edges, classdefs, classed, styled, open_sub, ids = set(), [], set(), [], [], None, set()
    for line in lines[1:]:
        body = line.strip()
        for pattern, kind in ((SUBGRAPH, 'subgraph'), (NODE, 'node'), (EDGE, 'edge'), (CLASSDEF, 'classdef'),
                              (CLASS, 'class'), (LINKSTYLE, 'linkstyle')):
            match = pattern.match(body)
            if match:
                break
        else:
            assert body == 'end' and open_sub, 'not in the grammar: %r' % line
            open_sub = None
            continue
        if kind == 'subgraph':
            assert open_sub is None, 'nested subgraph: %r' % line
            open_sub = match.group(1)
            assert open_sub not in ids and open_sub not in RESERVED
            ids.add(open_sub)
        elif kind == 'node':
            node = match.group(1)
            assert node not in ids and node not in RESERVED and node[0] not in 'ox', line
            ids.add(node)
            nodes.add(node)
        elif kind == 'edge':
            edges.append((match.group(1), match.group(2)))
        elif kind == 'classdef':
            classdefs.add(match.group(1))
        elif kind == 'class':
            classed.append((match.group(1).split(','), match.group(2)))
        else:
            styled.extend(int(i) for i in match.group(1).split(','))
    assert open_sub is None, 'subgraph %s not closed' % open_sub
    for a, b in edges:
        assert a in nodes and b in nodes, 'edge %s-%s names an undefined node' % (a, b)
    for members, name in classed:
        assert name in classdefs and set(members) <= nodes, (members, name)
    assert all(0 <= i < len(edges) for i in styled), styled
    return nodes, edges


@pytest.mark.parametrize('broken', [
    'flowchart LR\n  n1["a"]\n  n1 --- n2\n',                       # an edge to a node never defined
    'flowchart LR\n  n1["a "quoted" b"]\n',                         # a raw quote inside a label
    'flowchart LR\n  subgraph h0["x"]\n    n1["a"]\n',              # a subgraph never closed
    'flowchart LR\n  end["a"]\n',                                   # a reserved word as an id
    'flowchart LR\n  n1["a"]\n  n2["b"]\n  n1 --- n2\n  linkStyle 1 stroke:#d00\n',  # no edge 1
    'flowchart LR\n  n1["a"]\n  class n1 stale\n',                  # a class never defined
    'flowchart LR\n  n1["a # b"]\n',                                # a bare # (an entity starts)
    'flowchart LR\n  n1["a"] --> n2["b"]\n',                        # a form the filter never writes
    'graph TD\n  n1["a"]\n',
])
def test_the_checker_rejects_what_mermaid_would_not_take(broken):
    with pytest.raises(AssertionError):
        check_mermaid(broken)


def test_mermaid_of_one_host_fits_the_grammar_and_draws_every_object():
    text = topology.topology_mermaid({'vm1': host(1, remotes=['198.51.100.9'])})
    nodes, edges = check_mermaid(text)
    assert len(nodes) == 6  # br0, con1, ns1, ovl0, vxlan42, the unknown remote
    assert len(edges) == 4  # con1, ns1, vxlan42 to their bridges; vxlan42 to its remote
    assert 'subgraph h0["vm1"]' in text
    assert re.search(r'\{\{"br0<br/>192\.168\.1\.250/24"\}\}', text)  # the link-local address is left out
    assert '(["con1<br/>192.168.1.2/24"])' in text and '[/"ns1<br/>192.168.1.1/24"/]' in text
    assert '(("vxlan42<br/>VNI 42"))' in text and '>"remote 198.51.100.9"]' in text
    assert '---|"eth0 - 1111111111111_l<br/>vlan 10"|' in text
    assert '---|"veth1 - veth0<br/>trunk 20,30"|' in text
    assert 'linkStyle' not in text  # nothing stale


def test_mermaid_marks_stale_ports_red_with_the_reason():
    gone = container_port('2222222222222_l', 'web9', problems=['container_gone'], running=False)
    restarted = container_port('3333333333333_l', 'web8', problems=['container_restarted'])
    text = topology.topology_mermaid({'vm1': host(1, extra_ports=[gone, restarted])})
    nodes, edges = check_mermaid(text)
    web9 = re.search(r'(n\d+)\(\["web9<br/>gone"\]\)', text).group(1)
    web8 = re.search(r'(n\d+)\(\["web8"\]\)', text).group(1)
    stale_class = re.search(r'^  class (\S+) stale$', text, re.M).group(1).split(',')
    assert web9 in stale_class and web8 not in stale_class  # a restarted container is there: only its port is stale
    styled = [int(i) for i in re.search(r'^  linkStyle (\S+) stroke:#d93025', text, re.M).group(1).split(',')]
    assert [edges[i][0] for i in styled] == [web9, web8]
    assert '-.-|"eth0 - 2222222222222_l<br/>STALE: container gone"|' in text


def test_labels_are_escaped_for_mermaid():
    odd = container_port('4444444444444_l', 'we"b#1<x>&y')
    text = topology.topology_mermaid({'vm1': host(1, extra_ports=[odd])})
    check_mermaid(text)
    assert '"we#quot;b#35;1&lt;x&gt;&amp;y"' in text


def test_fleet_picture_joins_the_overlay_between_the_three_hosts():
    text = topology.topology_mermaid(fleet())
    nodes, edges = check_mermaid(text)
    vxlans = re.findall(r'(n\d+)\(\("vxlan42<br/>VNI 42"\)\)', text)
    assert len(vxlans) == 3
    overlay = [line for line in text.splitlines() if ' ===' in line]
    joined = set(frozenset(re.findall(r'n\d+', line)) for line in overlay)
    assert joined == set(frozenset(p) for p in [(vxlans[0], vxlans[1]), (vxlans[0], vxlans[2]), (vxlans[1], vxlans[2])])
    assert '>"remote' not in text  # every remote is a host of the fleet
    assert [re.search(r'subgraph h\d\["(vm\d)"\]', line).group(1) for line in text.splitlines() if 'subgraph' in line] == ['vm1', 'vm2', 'vm3']


def test_a_remote_is_joined_by_the_other_links_local_address_too():
    hosts = fleet()
    for name in hosts:
        hosts[name]['host_addresses'] = []  # only the links' local addresses say who is who
    assert len([line for line in topology.topology_mermaid(hosts).splitlines() if ' ===' in line]) == 3


@pytest.mark.parametrize('bad', [{}, [], {'vm1': {'changed': False}}, 'text'])
def test_what_is_not_an_info_result_is_refused(bad):
    with pytest.raises(AnsibleFilterError):
        topology.topology_mermaid(bad)


def test_dot_is_drawn_by_graphviz_with_every_node_and_edge():
    dot = shutil.which('dot')
    assert dot, 'Graphviz dot is missing: the set-up installs it (scripts/setup/testbed.sh, package graphviz)'
    hosts = fleet()
    hosts['vm1']['bridges'][0]['ports'].append(container_port('2222222222222_l', 'web9', problems=['container_gone'], running=False))
    text = topology.topology_dot(hosts)
    svg = subprocess.run([dot, '-Tsvg'], input=text.encode(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True)
    assert not svg.stderr, svg.stderr  # dot warns on stderr about what it did not understand
    root = ET.fromstring(svg.stdout)
    ns = '{http://www.w3.org/2000/svg}'
    titles = [t.text for t in root.iter(ns + 'title')]
    g = topology.graph(hosts)
    assert set(n['id'] for n in g.nodes) <= set(titles)
    assert all('%s--%s' % (e['a'], e['b']) in titles for e in g.edges)
    texts = ' '.join(t.text or '' for t in root.iter(ns + 'text'))
    for word in ('vm1', 'vm2', 'vm3', 'br0', 'con1', 'ns1', 'vxlan42', 'web9', 'STALE: container gone'):
        assert word in texts


def test_dot_escapes_quotes_and_backslashes():
    odd = container_port('4444444444444_l', 'a"b\\c')
    assert '"a\\"b\\\\c"' in topology.topology_dot({'vm1': host(1, extra_ports=[odd])})


def veth_end(container=None, namespace=None, iface='eth1', addresses=()):
    return {'container': container, 'container_id': container and hashlib.sha256(container.encode()).hexdigest(),
            'namespace': namespace, 'interface': iface, 'mac': '02:00:00:00:00:01', 'mtu': 9500, 'link_state': 'up',
            'addresses': list(addresses)}


def test_veth_links_join_their_containers_and_namespaces_straight():
    data = host(1)
    data['veth_links'] = [
        {'name': 'con1:eth1--r2:eth1', 'peer_proven': True, 'problems': [],
         'ends': [veth_end('con1', addresses=['198.18.50.1/30', 'fe80::1/64']), veth_end('r2', addresses=['198.18.50.2/30'])]},
        {'name': 'r2:eth2--netns ns1:eth2', 'peer_proven': True, 'problems': [],
         'ends': [veth_end('r2', iface='eth2'), veth_end(namespace='ns1', iface='eth2')]},
        {'name': 'r3:eth1--r9:eth1', 'peer_proven': False, 'problems': [{'kind': 'unpaired', 'message': 'x'}],
         'ends': [veth_end('r3')]},
    ]
    text = topology.topology_mermaid({'vm1': data})
    nodes, edges = check_mermaid(text)
    con1 = re.search(r'(n\d+)\(\["con1<br/>192\.168\.1\.2/24"\]\)', text).group(1)  # the port's node, not a second con1
    r2 = re.search(r'(n\d+)\(\["r2"\]\)', text).group(1)
    ns1 = re.search(r'(n\d+)\[/"ns1<br/>192\.168\.1\.1/24"/\]', text).group(1)
    assert '  %s ---|"eth1 - eth1<br/>198.18.50.1/30 - 198.18.50.2/30"| %s' % (con1, r2) in text
    assert '  %s ---|"eth2 - eth2"| %s' % (r2, ns1) in text
    half = re.search(r'(n\d+)\["r3:eth1--r9:eth1<br/>other end missing"\]', text).group(1)
    r3 = re.search(r'(n\d+)\(\["r3"\]\)', text).group(1)
    stale = re.search(r'^  class (\S+) stale$', text, re.M).group(1).split(',')
    assert half in stale and r3 not in stale
    styled = [int(i) for i in re.search(r'^  linkStyle (\S+) stroke:#d93025', text, re.M).group(1).split(',')]
    assert [edges[i] for i in styled] == [(r3, half)]
    assert len(edges) == 3 + 3  # con1, ns1, vxlan42 on their bridges; the three veth links
    dot = topology.topology_dot({'vm1': data})
    assert dot.count(' -- ') == 6 and '"eth1 - eth1\\n198.18.50.1/30 - 198.18.50.2/30"' in dot
