# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What is on a host, read only: its OVS bridges and ports, what each port's veth connects to
(a container, a namespace, a VXLAN link), and what is wrong with each port.

ovs_docker_info returns it; ovs_docker_port state=pruned removes the ports whose problems are
PRUNABLE: one detection for both (problems()). The reads: one OVSDB replica, one netlink dump of
the host, one Docker listing (plus an inspect of the running containers that have ports, for
their PID), and one dump per namespace that has ports. veth_link's pairs (no OVS port: their ends
are found by their mark) take a dump of every other running container's and named namespace.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import os

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import marks as _marks
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import runner as _runner
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.common import (
    OVSDB_ARGS, ModuleError, agent_state, missing_library, require_pyroute2)
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.validate import interface_name
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._system import containers as _containers
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._system import ovsdb as _ovsdb
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._system.netlink import (
    AF_INET, AF_INET6, NETNS_RUN_DIR, Netlink, NetlinkError, netns_identity, netns_path, own_netns_identity)

# What the IDL replicates for a picture of the host: only these columns are synced.
TABLES = {
    'Open_vSwitch': ['bridges'],
    'Bridge': ['name', 'ports', 'datapath_type', 'datapath_id', 'fail_mode', 'external_ids', 'mirrors'],
    'Port': ['name', 'interfaces', 'tag', 'trunks', 'vlan_mode', 'qos'],
    'Interface': ['name', 'type', 'ofport', 'error', 'external_ids', 'mtu', 'mac_in_use', 'link_state',
                  'ingress_policing_rate', 'ingress_policing_burst'],
    'QoS': _ovsdb.PORT_TABLES['QoS'],
    'Queue': _ovsdb.PORT_TABLES['Queue'],
    'Mirror': ['name', 'select_all', 'select_src_port', 'select_dst_port', 'select_vlan', 'output_port', 'output_vlan',
               'external_ids'],
}
# Problems that make a container's port dead for good: its veth is gone with the container's
# namespace, and attaching the container again makes a new pair and port anyway.
PRUNABLE = ('container_gone', 'container_stopped', 'container_restarted')
# The datapath's own devices: part of OVS, never "other links".
OVS_DEVICES = ('ovs-system', 'ovs-netdev')


def _one(value):
    """An optional OVSDB column (a list of zero or one) as its value or None."""
    return value[0] if value else None


def read_ovsdb(db, bridge=None):
    """Bridges (all, or the one called ``bridge``) with their ports, from the replica."""
    bridges = []
    for row in sorted(db.rows('Bridge'), key=lambda r: r.name):
        if bridge is not None and row.name != bridge:
            continue
        ports = []
        for port in sorted(row.ports, key=lambda r: r.name):
            ifaces = sorted(port.interfaces, key=lambda i: i.name != port.name)  # the port's namesake first
            iface = ifaces[0] if ifaces else None
            if iface is None:
                continue
            egress = _ovsdb.egress_of(port)
            ports.append({
                'name': port.name, 'bridge': row.name, 'type': iface.type or 'system',
                'ofport': _one(iface.ofport), 'error': _one(iface.error),
                'tag': _one(port.tag), 'trunks': sorted(port.trunks), 'vlan_mode': _one(port.vlan_mode),
                'mtu': _one(iface.mtu), 'mac': _one(iface.mac_in_use), 'link_state': _one(iface.link_state),
                'ingress_policing_rate': iface.ingress_policing_rate, 'ingress_policing_burst': iface.ingress_policing_burst,
                'egress_rate': egress['egress_rate'], 'egress_burst': egress['egress_burst'],
                'qos': _marks.OWNER if port.qos and not egress['qos_foreign'] else egress['qos_foreign'],
                'persistent': _marks.RECORD in iface.external_ids,
                'external_ids': dict(iface.external_ids),
            })
        bridges.append({'name': row.name, 'datapath_type': row.datapath_type or 'system',
                        'datapath_id': _one(row.datapath_id), 'fail_mode': _one(row.fail_mode),
                        'external_ids': dict(row.external_ids), 'persistent': _marks.RECORD in row.external_ids,
                        'ports': ports, 'mirrors': [_mirror(m) for m in sorted(row.mirrors, key=lambda m: m.name)]})
    return bridges


def _mirror(row):
    """A Mirror row as ovs_mirror shows it: its ports by name; ours when it carries ovs_mirror's mark."""
    return {'name': row.name, 'select_all': bool(row.select_all),
            'select_src_port': sorted(p.name for p in row.select_src_port), 'select_dst_port': sorted(p.name for p in row.select_dst_port),
            'select_vlan': sorted(row.select_vlan), 'output_port': _one([p.name for p in row.output_port]),
            'output_vlan': _one(list(row.output_vlan)), 'ours': _marks.is_mirror(row.external_ids)}


def kind_of(port, link):
    """What a port is: container / namespace (by the marks ovs-docker, ovs_docker_port and
    netns_veth leave), vxlan (its device), internal (the bridge's own or another internal
    port), or other."""
    ids = port['external_ids']
    if _marks.CONTAINER_ID in ids:
        return 'container'
    if _marks.NETNS in ids:
        return 'namespace'
    if port['type'] == 'internal':
        return 'internal'
    if port['type'] == 'vxlan' or (link is not None and link['kind'] == 'vxlan'):
        return 'vxlan'
    return 'other'


def problems(port):
    """What is wrong with one port, from what was read about it -> [{'kind', 'message'}].
    Pure: the same detection for ovs_docker_info and for ovs_docker_port state=pruned."""
    found = []
    name, kind = port['name'], port['kind']

    def add(what, message):
        found.append({'kind': what, 'message': message})

    # A veth cannot outlive its peer: while the host end exists, the other end is alive in some
    # namespace, whatever an engine says of the container (another engine's, a namespace kept open).
    alive = port['device'] and (port.get('host_link') or {}).get('kind') == 'veth'
    if kind == 'container' and port['container'].get('engine'):
        pass  # another engine's container: that engine judges it
    elif kind == 'container' and alive and (port['container']['id'] is None or not port['container']['running']):
        container = port['container']
        add('veth_alive', 'container %s is %s as this engine sees it, but the veth of port %s is alive (its peer is in '
                          'a live namespace): it is left alone; if the container runs under another engine, name that '
                          'engine (docker_host)' % (container['ref'], 'gone' if container['id'] is None else container['status'], name))
    elif kind == 'container':
        container, iface = port['container'], port['external_ids'].get(_marks.CONTAINER_IFACE) or 'eth0'
        ref = container['ref']
        recorded = port.get('persistent')
        if container['id'] is None:
            add('container_gone', 'container %s no longer exists: remove its port%s with ovs_docker_port state=pruned'
                % (ref, ' (and its persistent record, which waits for nothing)' if recorded else ''))
        elif not container['running'] and recorded:
            add('container_stopped', 'container %s is %s: its persistent port %s waits for its start (the agent attaches '
                                     'it again); not pruned' % (ref, container['status'], name))
        elif not container['running']:
            add('container_stopped', 'container %s is %s: its namespace went with it, and the veth of port %s; '
                                     'start it and attach it again, or remove the port (state=pruned)' % (ref, container['status'], name))
        elif not port['device']:
            add('container_restarted', 'container %s runs, but the veth of port %s is gone (the container restarted, '
                                       'or the veth was deleted): attach it again to make a new pair' % (ref, name))
        elif port['peer_proven'] is False:
            add('unpaired', '%s in container %s is not the peer of %s: attach it again' % (iface, ref, name))
        if port.get('duplicate_of'):
            add('duplicate', 'a second port for %s of container %s (the other is %s): attaching it again keeps '
                             'one' % (iface, ref, port['duplicate_of']))
    elif kind == 'namespace':
        namespace, iface = port['namespace'], port['external_ids'].get(_marks.NETNS_IFACE)
        if not port['namespace_exists']:
            add('namespace_gone', 'namespace %s no longer exists: make the attachment again (netns_veth) or '
                                  'remove it (netns_veth state=absent)' % namespace)
        elif not port['device']:
            add('device_missing', 'the veth of port %s is gone: make the attachment again (netns_veth)' % name)
        elif port['peer_proven'] is False:
            add('unpaired', '%s in namespace %s is not the peer of %s: make the attachment again' % (iface, namespace, name))
    elif kind in ('vxlan', 'other') and not port['device'] and port['type'] == 'system':
        add('device_missing', 'device %s of port %s does not exist' % (name, name))
    if port['error'] or port['ofport'] == -1:
        add('interface_error', 'ovs-vswitchd cannot use %s: %s' % (name, port['error'] or 'ofport is -1'))
    return found


def _host_wide(cidr):
    """Not loopback, not link-local: an address the host is reached at from elsewhere."""
    ip = ipaddress.ip_interface(cidr).ip
    return not (ip.is_loopback or ip.is_link_local)


class Reader(object):
    """Reads a host's topology. ``docker`` (a _containers.ContainerApi) is asked only when a port
    carries container marks; ``inside``: read each namespace (its interfaces, addresses,
    routes) to prove the pairs; ``container``: only that container's ports; ``pids``: inspect
    the running containers for their PID (pruning needs none: the listing says what runs)."""

    def __init__(self, db, host, docker, bridge=None, container=None, inside=True, pids=True):
        self.db, self.host, self.docker = db, host, docker
        self.bridge, self.container, self.inside, self.pids = bridge, container, inside, pids
        self.dumps, self.own = {}, None  # {namespace path: _dump()}, this process's namespace
        self._listing = None

    def read(self, other_links=False, veth_links=False):
        bridges = read_ovsdb(self.db, self.bridge)
        links = self.host.links()
        by_name = dict((link['name'], link) for link in links)
        addresses = self.host.all_addresses()
        ports = [p for b in bridges for p in b['ports']]
        for port in ports:
            link = by_name.get(port['name'])
            port['device'] = link is not None
            port['kind'] = kind_of(port, link)
            port['link'] = link
        self._containers([p for p in ports if p['kind'] == 'container'])
        if self.container is not None:
            for bridge in bridges:
                bridge['ports'] = [p for p in bridge['ports'] if p['kind'] == 'container' and p['container']['match']]
            bridges = [b for b in bridges if b['ports']]
            ports = [p for b in bridges for p in b['ports']]
        self._namespaces(ports)
        result = {'bridges': bridges, 'problems': []}
        for bridge in bridges:
            link = by_name.get(bridge['name'])
            bridge.update(self._link_view(link, addresses))
            for port in bridge['ports']:
                self._finish(port, addresses)
                result['problems'].extend(dict(p, bridge=bridge['name'], port=port['name']) for p in port['problems'])
        if veth_links:
            result['veth_links'] = self._veth_links(ports)
        result['agent'] = agent_state()
        result['host_addresses'] = sorted(set(a for cidrs in addresses.values() for a in cidrs if _host_wide(a)))
        if other_links:
            known = set(OVS_DEVICES) | {'lo'} | set(r.name for r in self.db.rows('Bridge')) | set(
                r.name for r in self.db.rows('Interface'))
            result['other_links'] = [dict(self._link_view(link, addresses), name=link['name'], kind=link['kind'])
                                     for link in sorted(links, key=lambda x: x['name']) if link['name'] not in known]
        return result

    @staticmethod
    def _link_view(link, addresses):
        if link is None:
            return {'addresses': [], 'link_state': None, 'mtu': None, 'mac': None}
        return {'addresses': addresses.get(link['index'], []), 'link_state': link['state'],
                'mtu': link['mtu'], 'mac': link['mac']}

    def _containers(self, ports):
        """Each container port's container: {'ref', 'id', 'name', 'running', 'status', 'pid',
        'match'}; id None when it is gone."""
        if not ports and self.container is None:
            return
        listing = self.listing()
        wanted = _containers.resolve(self.container, listing) if self.container is not None else None
        running = []
        for port in ports:
            ref = port['external_ids'][_marks.CONTAINER_ID]
            if not self.docker.owns(port['external_ids']):  # another engine's container: not ours to judge
                port['container'] = {'ref': ref, 'id': None, 'name': None, 'running': None, 'pid': None, 'match': False,
                                     'status': 'unknown', 'engine': port['external_ids'][_marks.ENGINE]}
                continue
            item = _containers.resolve(ref, listing)
            port['container'] = {
                'ref': ref, 'id': item['id'] if item else None,
                'name': item['names'][0] if item and item['names'] else None,
                'running': bool(item and item['running']), 'status': item['status'] if item else 'gone', 'pid': None,
                'match': (item is not None and item is wanted) or ref == self.container,
            }
            if item and item['running']:
                running.append(item['id'])
        ports = [port for port in ports if 'engine' not in port['container']]
        inspected = self.docker.inspect_many(list(dict.fromkeys(running))) if running and self.pids else {}
        for port in ports:
            found = inspected.get(port['container']['id'])
            if found:
                port['container']['pid'] = found['pid']
                port['container']['running'] = found['running']
        # Duplicates: two ports for one interface of one container (the first by name is kept).
        seen = {}
        for port in sorted(ports, key=lambda p: p['name']):
            key = (port['container']['id'] or port['container']['ref'], port['external_ids'].get(_marks.CONTAINER_IFACE))
            if key in seen:
                port['duplicate_of'] = seen[key]
            else:
                seen[key] = port['name']

    def _namespaces(self, ports):
        """Each container and namespace port: its namespace's path, whether it exists, and (when
        ``inside``) the interface under the marked name there, one dump per namespace."""
        own = own_netns_identity()
        for port in ports:
            port['namespace'], port['namespace_exists'], port['inside_name'] = None, False, None
            if port['kind'] == 'container' and port['container']['pid']:
                port['namespace'] = '/proc/%d/ns/net' % port['container']['pid']
                port['inside_name'] = port['external_ids'].get(_marks.CONTAINER_IFACE) or 'eth0'
            elif port['kind'] == 'namespace':
                port['namespace'] = port['external_ids'][_marks.NETNS]
                port['inside_name'] = port['external_ids'].get(_marks.NETNS_IFACE)
            if port['namespace']:
                port['namespace_exists'] = os.path.exists(netns_path(port['namespace']))
        if not self.inside:
            return
        self.own = own
        for port in ports:
            if port['namespace_exists']:
                port['inside'] = self._dump_of(netns_path(port['namespace']))

    def _dump_of(self, path):
        """_dump(path), once a namespace."""
        if path not in self.dumps:
            self.dumps[path] = self._dump(path, self.own or own_netns_identity())
        return self.dumps[path]

    def _veth_links(self, ports):
        """veth_link's pairs: [{'name' (the link's key), 'ends': [{'container', 'container_id',
        'namespace', 'interface', 'mac', 'mtu', 'link_state', 'addresses'}], 'peer_proven', 'problems'}], their
        ends found by their mark in every running container and named namespace (``container``:
        the pairs with an end in it; none with ``bridge``: such a pair is on no bridge), its
        ends in the key's order."""
        if self.bridge is not None:
            return []
        places = []  # (container (a listing's item) or None, namespace name or None, path)
        wanted_id = None
        if self.container is not None or self._engine_here():
            pids = dict((p['container']['id'], p['container']['pid']) for p in ports
                        if p['kind'] == 'container' and p['container'].get('pid'))
            listing = [c for c in self.listing() if c['running']]
            if self.container is not None:
                wanted_id = (_containers.resolve(self.container, listing) or {}).get('id', '')
            wanted = [c['id'] for c in listing if c['id'] not in pids]
            pids.update((i, found['pid']) for i, found in self.docker.inspect_many(wanted).items() if found and found['running'])
            places += [(c, None, '/proc/%d/ns/net' % pids[c['id']]) for c in listing if pids.get(c['id'])]
        if os.path.isdir(NETNS_RUN_DIR):
            places += [(None, name, netns_path(name)) for name in sorted(os.listdir(NETNS_RUN_DIR))]
        found = {}
        for container, namespace, path in places:
            try:
                dump = self._dump_of(path)
            except (NetlinkError, OSError):
                continue  # (a container that stopped, a namespace deleted, while this read)
            for key, link in _marks.marked_veth_ends((dump or {'links': {}})['links'].values()):
                found.setdefault(key, []).append(
                    ({'container': container and (container['names'] or [container['id'][:12]])[0],
                      'container_id': container and container['id'], 'namespace': namespace, 'interface': link['name'], 'mac': link['mac'],
                      'mtu': link['mtu'], 'link_state': link['state'],
                      'addresses': dump['addresses'].get(link['index'], [])}, link))
        links = []
        for name, ends in sorted(found.items()):
            if wanted_id is not None and not any(e['container_id'] == wanted_id for e, _l in ends):
                continue
            if len(ends) == 2 and '%s--%s' % (_marks.veth_end_label(ends[1][0]), _marks.veth_end_label(ends[0][0])) == name:
                ends.reverse()
            proven = len(ends) == 2 and ends[0][1]['peer_index'] == ends[1][1]['index'] and (
                ends[1][1]['peer_index'] == ends[0][1]['index'])
            problems = [] if proven else [{'kind': 'unpaired', 'message': (
                'only one end of veth link %s is here (%s): the other is in a namespace this host does not show; '
                'make the link again (veth_link) or remove it (state=absent)' % (name, _marks.veth_end_label(ends[0][0])))
                if len(ends) == 1 else 'the ends of veth link %s (%s) are not each other\'s peer: make the link again '
                '(veth_link)' % (name, ', '.join(_marks.veth_end_label(e) for e, _l in ends))}]
            links.append({'name': name, 'ends': [e for e, _l in ends], 'peer_proven': proven, 'problems': problems})
        return links

    def listing(self):
        """The engine's container listing, asked once a read."""
        if self._listing is None:
            self._listing = self.docker.listing()
        return self._listing

    def _engine_here(self):
        """Whether there is an engine to ask: a local socket that is not there means no engine on
        this host (no containers to read), not an error."""
        path = _containers.unix_socket(self.docker.base_url)
        return not path or os.path.exists(path)

    @staticmethod
    def _dump(path, own):
        """{'links': {name: link}, 'addresses': {index: [...]}, 'gateways': {...}} of a namespace;
        None for one that is not a network namespace of its own (the host's, a container run
        with --net=host)."""
        try:
            if netns_identity(path) == own:
                return None
        except ValueError:
            return None
        ns = Netlink(path)
        try:
            return {'links': dict((link['name'], link) for link in ns.links()),
                    'addresses': ns.all_addresses(), 'gateways': ns.default_gateways()}
        finally:
            ns.close()

    def _finish(self, port, addresses):
        """The port's entry as returned: what its veth connects to, proven or not, and its problems."""
        link, dump = port.pop('link'), port.pop('inside', None)
        inside = None
        port['peer_proven'] = None
        if dump is not None and port.get('inside_name'):
            found = dump['links'].get(port['inside_name'])
            port['peer_proven'] = bool(found and link and link['kind'] == 'veth' and found['kind'] == 'veth'
                                       and found['index'] == link['peer_index'] and found['peer_index'] == link['index'])
            if found is not None:
                inside = {'name': found['name'], 'index': found['index'], 'kind': found['kind'], 'mac': found['mac'],
                          'mtu': found['mtu'], 'link_state': found['state'],
                          'addresses': dump['addresses'].get(found['index'], []),
                          'gateway': dump['gateways'][AF_INET], 'gateway6': dump['gateways'][AF_INET6]}
        port['interface'] = inside
        port['host_link'] = None if link is None else {
            'index': link['index'], 'kind': link['kind'], 'link_state': link['state'], 'mtu': link['mtu'],
            'mac': link['mac'], 'addresses': addresses.get(link['index'], [])}
        port['vxlan'] = None
        if port['kind'] == 'vxlan' and link is not None and link['kind'] == 'vxlan':
            port['vxlan'] = dict(link['vxlan'], remotes=self.host.flood_list(link['index']))
        port.pop('inside_name', None)
        port['problems'] = problems(port)
        port.pop('duplicate_of', None)
        if port.get('container'):
            port['container'].pop('match', None)


# -- the module (see _runner) ------------------------------------------------------------------

class Info(_runner.Module):
    """ovs_docker_info's own part: a read-only module (no lock, never changed)."""
    argument_spec = dict(
        bridge=dict(type='str'),
        container=dict(type='str'),
        namespaces=dict(type='bool', default=True),
        other_links=dict(type='bool', default=False),
        veth_links=dict(type='bool', default=True),
        containers=dict(type='bool', default=False),
        docker_host=dict(type='str'),
        docker_timeout=dict(type='int', default=60),
        **OVSDB_ARGS
    )
    read_only = True

    def validate(self):
        error = interface_name(self.params['bridge'], 'bridge') if self.params['bridge'] is not None else None
        return [error] if error else []

    def connect(self):
        require_pyroute2()
        self.db = _ovsdb.connect(self.params, TABLES)
        self.docker = _containers.ContainerApi(_containers.docker_host(self.params['docker_host']), self.params['docker_timeout'])

    def make_plans(self):
        """Reads what result() shows; nothing to plan."""
        reader = self.reader = Reader(self.db, Netlink(), self.docker, bridge=self.params['bridge'],
                                      container=self.params['container'], inside=self.params['namespaces'])
        try:
            self.found = reader.read(other_links=self.params['other_links'],
                                     veth_links=self.params['veth_links'] and self.params['namespaces'])
        except ImportError:
            raise missing_library(_containers.sdk_requirement(self.docker.base_url) + ': ports carry container marks',
                                  _containers.import_error(self.docker.base_url))
        except (_containers.ContainerError, NetlinkError, OSError) as exc:
            raise ModuleError('reading the topology failed: %s' % exc)
        return []

    def result(self):
        result = dict(changed=False, **self.found)
        if self.params['containers']:  # (the listing the read asked for already, or one request)
            try:
                result['containers'] = [{'name': (c['names'] or [c['id']])[0], 'id': c['id'], 'state': c['status'], 'labels': c['labels']}
                                        for c in self.reader.listing()]
            except _containers.ContainerError as exc:
                raise ModuleError('reading the containers failed: %s' % exc)
        return result
