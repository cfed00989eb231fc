"""Independent look at the pictures the lab role wrote on the controller.

    look_topology.py COLLECTIONS_ROOT PICTURE_STEM NAME... [--overlay N] [--edge A B LABEL]...

PICTURE_STEM.svg must be valid XML (as Graphviz wrote it) whose text holds every NAME;
PICTURE_STEM.md must be one ```mermaid block that passes the strict grammar check of the unit
tests (tests/unit/plugins/filter/test_topology.py) and names every NAME; with --overlay N, the
Mermaid text must have exactly N overlay edges (===) between VXLAN nodes of different hosts;
with --edge A B LABEL, a solid edge between the nodes named A and B (their label's first line)
whose label is LABEL (its lines joined by " / "), as veth_link's pairs are drawn.
Exits 1 with the reasons when anything is wrong.
"""
import os
import re
import sys
import xml.etree.ElementTree as ET


def main():
    root, stem = sys.argv[1], sys.argv[2]
    args = sys.argv[3:]
    overlay, wanted_edges = None, []
    while '--edge' in args:
        at = args.index('--edge')
        wanted_edges.append(tuple(args[at + 1:at + 4]))
        args = args[:at] + args[at + 4:]
    if '--overlay' in args:
        overlay = int(args[args.index('--overlay') + 1])
        args = args[:args.index('--overlay')]
    sys.path.insert(0, root)
    sys.path.insert(0, os.path.join(root, 'ansible_collections/netdevops/ovs_docker/tests/unit/plugins/filter'))
    from test_topology import check_mermaid  # the unit tests' checker: one grammar, one place
    wrong = []
    try:
        svg = ET.parse(stem + '.svg').getroot()
    except (OSError, ET.ParseError) as exc:
        wrong.append('%s.svg: %s' % (stem, exc))
    else:
        texts = ' '.join(t.text or '' for t in svg.iter('{http://www.w3.org/2000/svg}text'))
        wrong.extend('%s.svg does not show %s' % (stem, name) for name in args if name not in texts)
    try:
        md = open(stem + '.md').read()
    except OSError as exc:
        wrong.append(str(exc))
    else:
        match = re.match(r'^```mermaid\n(.*)```\n$', md, re.S)
        if not match:
            wrong.append('%s.md is not one mermaid block' % stem)
        else:
            try:
                check_mermaid(match.group(1))
            except AssertionError as exc:
                wrong.append('%s.md breaks the grammar: %s' % (stem, exc))
            wrong.extend('%s.md does not show %s' % (stem, name) for name in args
                         if not re.search(r'(?<![\w.])%s(?![\w./])' % re.escape(name), md))
            names = dict(re.findall(r'^\s+(n\d+)[\[\](){}>/]+"([^"<]*)', match.group(1), re.M))
            drawn = set()
            for a, label, b in re.findall(r'^\s+(n\d+) ---(?:\|"(.*)"\|)? (n\d+)$', match.group(1), re.M):
                label = label.replace('<br/>', ' / ')
                drawn.update({(names.get(a), names.get(b), label), (names.get(b), names.get(a), label)})
            wrong.extend('%s.md has no edge %s --- %s labelled %r' % (stem, a, b, label)
                         for a, b, label in wanted_edges if (a, b, label) not in drawn)
            if overlay is not None:
                text = match.group(1)
                vxlan = set(re.findall(r'^\s+(n\d+)\(\(', text, re.M))
                clusters = {}
                current = None
                for line in text.splitlines():
                    start = re.match(r'^\s+subgraph (h\d+)', line)
                    current = start.group(1) if start else (None if line.strip() == 'end' else current)
                    node = re.match(r'^\s+(n\d+)', line)
                    if node and current:
                        clusters[node.group(1)] = current
                edges = [e for e in re.findall(r'^\s+(n\d+) ===\|[^|]*\| (n\d+)$', text, re.M)
                         if set(e) <= vxlan and clusters.get(e[0]) != clusters.get(e[1])]
                if len(edges) != overlay:
                    wrong.append('%s.md has %d overlay edges between hosts, not %d' % (stem, len(edges), overlay))
    for line in wrong:
        print(line)
    sys.exit(1 if wrong else 0)


if __name__ == '__main__':
    main()
