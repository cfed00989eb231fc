# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ovs_docker_port: containers -> attachments (the shared act in _attach), with ovs-docker's port
contract: the OVS Interface carries external_ids container_id (the container as the user named it)
and container_iface, and that is how a port is found again, by us and by ovs-docker.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import marks as _marks
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.common import (
    ATTACH_ARGS, LIMITS, OVSDB_ARGS, list_items, missing_library, no_bridge, require_pyroute2)
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains.attachment import plan as _attach
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains.attachment.desired import desired_state, request_of
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains.attachment.module import Attachments, item_of
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._system import containers as _containers
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._system import ovsdb as _ovsdb
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._system.netlink import Netlink

# What an item of `attachments` takes from the top level when it does not set it itself.
INHERITED = ('bridge', 'state', 'mtu', 'vlan', 'vlan_mode', 'trunks', 'gateway', 'gateway6', 'gateway_onlink',
             'persistent', 'other_addresses') + LIMITS
# Options of one attachment: at the top level (one), or in each item of `attachments`.
ITEM_OPTIONS = dict(
    container=dict(type='str', required=True),
    interface=dict(type='str'),
    # (the port's name: ovs-docker's shape when not given; containerlab's endpoint name on a bridge node)
    host_interface=dict(type='str'),
    bridge=dict(type='str'),
    state=dict(type='str', choices=['present', 'absent']),
    addresses=dict(type='list', elements='str'),
    mac=dict(type='str'),
    vlan=dict(type='int'),
    external_ids=dict(type='dict'),
    # the attachment options without their defaults: what an item leaves unset is the task's (INHERITED)
    **dict((key, dict((k, v) for k, v in spec.items() if k != 'default')) for key, spec in ATTACH_ARGS.items())
)


def host_interface_for(container_id, interface):
    """ovs-docker's shape (13 hex digits and _l), but stable: the same container and interface
    always get the same port name."""
    return _marks.port_name(container_id, interface)


def requested(params):
    """The attachments the task asks for, as specs with every option present."""
    if params.get('attachments'):
        items = list_items(params, 'attachments', ITEM_OPTIONS, INHERITED)
        for item in items:
            item['interface'] = item['interface'] or 'eth0'
        return items
    if params.get('container') is None:
        return []
    item = dict((key, params.get(key)) for key in ITEM_OPTIONS)
    if item['interface'] is None and item['state'] == 'present':
        item['interface'] = 'eth0'
    return [item]


def static_errors(item):
    """What is wrong with an item before anything is looked at (names, addresses, MAC, MTU...)."""
    errors = []
    if item['state'] == 'present' and not item.get('bridge'):
        errors.append('container %s: bridge is required to attach it' % item['container'])
    # the container's namespace and its port's name are the engine's to say (resolve): not asked yet
    spec = dict(item, namespace=None, host_interface=item.get('host_interface'))
    if spec['interface'] is None:
        spec['interface'] = 'eth0'  # absent without interface: every port of the container
    _desired, more = desired_state(spec)
    errors.extend('container %s: %s' % (item['container'], e) for e in more)
    return errors


class PortIndex(object):
    """The ovs-docker ports OVSDB knows of the containers of ``docker`` (another engine's are not
    seen): interface name -> external_ids, read once."""

    def __init__(self, db, docker):
        self.ports = []
        port_names = set(p.name for p in db.rows('Port'))
        for iface in db.rows('Interface'):
            ids = dict(iface.external_ids)
            if _marks.CONTAINER_ID in ids and iface.name in port_names and docker.owns(ids):
                self.ports.append({'name': iface.name, 'id': ids[_marks.CONTAINER_ID],
                                   'iface': ids.get(_marks.CONTAINER_IFACE)})

    def of(self, ref, container, interface=None):
        """Ports of the container (by the user's reference, or any name of it), of one interface
        or (interface None) of all."""
        found = []
        for port in self.ports:
            if interface is not None and port['iface'] != interface:
                continue
            if port['id'] == ref or (container and _containers.refers_to(port['id'], container)):
                found.append(port)
        return found


def _absent_spec(port, namespace, where):
    """The removal of an ovs-docker port found by its marks (which prove it ours)."""
    return {'state': 'absent', 'namespace': namespace, 'interface': port['iface'] or 'eth0',
            'host_interface': port['name'], 'where': where,
            'marks': {_marks.CONTAINER_ID: port['id'], _marks.CONTAINER_IFACE: port['iface']}}


def desired_items(docker, index, item, known=None):
    """One task item -> ([desired attachments], [problems]) once the container was looked at.

    A present item is one attachment; an absent one, one per port found. Duplicate ports of the
    same container and interface (ovs-docker can make them) are removed: one container interface,
    one port. ``known``: containers already inspected, by reference. Removing ports found by the
    reference they were made with asks Docker nothing.
    """
    ref = item['container']
    known = known or {}
    if item['state'] == 'absent' and index.of(ref, None, item['interface']):
        container = known.get(ref)  # found by the name it was made with: Docker need not be asked
    else:
        container = known[ref] if ref in known else docker.inspect(ref)
    if item['state'] == 'present':
        if container is None:
            return [], ["container %s does not exist: create it first (attached with --net=none, say)" % ref]
        if not container['running']:
            return [], ["container %s is not running (status %s): start it first; its network namespace lives "
                        "only while it runs" % (ref, container['status'])]
        if container.get('network_mode') == 'host':
            return [], ["container %s runs with --net=host: it has no network namespace of its own, and an attachment "
                        "would put links among the host's own interfaces; run it with --net=none or on a Docker "
                        "network" % ref]
    namespace = '/proc/%d/ns/net' % container['pid'] if container and container['running'] else ''
    ports = index.of(ref, container, item['interface'])
    result = []
    where = 'container %s' % ref
    if item['state'] == 'present':
        port = ports[0] if ports else None
        named = item.get('host_interface')
        if named and port is not None and port['name'] != named:
            return [], ['container %s: its %s is attached as port %s: remove that attachment first (state absent) to '
                        'attach it as %s' % (ref, item['interface'], port['name'], named)]
        marks = {_marks.CONTAINER_ID: port['id'] if port else ref, _marks.CONTAINER_IFACE: item['interface']}
        # which engine's container it is: recorded beside the marks (not one of them: ports made
        # before, or by ovs-docker, stay provably ours without it), on a port this run makes; an
        # existing port keeps what it has (adopting ovs-docker's port changes nothing)
        external_ids = dict(item.get('external_ids') or {})
        if port is None:
            external_ids[_marks.ENGINE] = docker.id
        spec = dict(item, namespace=namespace, marks=marks, where=where, external_ids=external_ids,
                    host_interface=named or (port['name'] if port else host_interface_for(container['id'], item['interface'])),
                    mac_seed='%s/%s' % (container['id'], item['interface']),
                    # a record names the container as the task did, and which container that was
                    request=request_of(item, container_full_id=container['id']))
        desired, errors = desired_state(spec)
        if errors:
            return [], errors
        desired['key'] = '%s/%s' % (ref, item['interface'])
        result.append(desired)
        ports = ports[1:]
    for port in ports:  # absent: every port found; present: duplicates
        desired, errors = desired_state(_absent_spec(port, namespace, where))
        desired['key'] = '%s/%s' % (ref, port['iface'])
        if item['state'] == 'present':
            desired['key'] += ' (duplicate port %s)' % port['name']
        result.append(desired)
    return result, []


def stale_items(docker, db, host, bridge):
    """The removals of the ports that _topology finds dead for good (PRUNABLE: container gone,
    stopped or restarted; a persistent port's: its container gone), on ``bridge`` or on any
    bridge: the detection ovs_docker_info reports."""
    from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains import topology as _topology  # only pruning reads it
    found = _topology.Reader(db, host, docker, bridge=bridge, inside=False, pids=False).read()
    result = []
    for port in (p for b in found['bridges'] for p in b['ports']):
        # a persistent port waits for its container's start (the agent attaches it again): only
        # a container gone for good lets its record go
        prunable = ('container_gone',) if port.get('persistent') else _topology.PRUNABLE
        if not any(problem['kind'] in prunable for problem in port['problems']):
            continue
        ids = port['external_ids']
        mark = {'name': port['name'], 'id': ids[_marks.CONTAINER_ID], 'iface': ids.get(_marks.CONTAINER_IFACE)}
        desired, _errors = desired_state(_absent_spec(mark, '', 'container %s' % mark['id']))
        desired['key'] = '%s/%s' % (mark['id'], mark['iface'])
        result.append(desired)
    return result


# -- the module (see _runner) ------------------------------------------------------------------

def _bridge_planner():
    """_bridge, imported only by a run that may make a bridge (a detach compiles 5 ms less)."""
    from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains import bridge as _bridge
    return _bridge


class DockerPort(Attachments):
    argument_spec = dict(
        container=dict(type='str'),
        interface=dict(type='str'),
        bridge=dict(type='str'),
        state=dict(type='str', choices=['present', 'absent', 'pruned'], default='present'),
        addresses=dict(type='list', elements='str', aliases=['ipaddress']),
        mac=dict(type='str', aliases=['macaddress']),
        vlan=dict(type='int'),
        external_ids=dict(type='dict'),
        attachments=dict(type='list', elements='dict', options=ITEM_OPTIONS),
        create_bridge=dict(type='bool', default=True),
        datapath_type=dict(type='str'),
        docker_host=dict(type='str'),
        docker_timeout=dict(type='int', default=60),
        **dict(ATTACH_ARGS, **OVSDB_ARGS)
    )
    module_kwargs = dict(
        mutually_exclusive=[('container', 'attachments')],
        required_if=[('state', 'present', ('container', 'attachments'), True),
                     ('state', 'absent', ('container', 'attachments'), True)],
    )

    def validate(self):
        if self.params['attachments'] and self.params['state'] == 'pruned':
            return ['state=pruned takes no attachments: it removes the ports of containers that are gone']
        self.items = requested(self.params)
        return [e for item in self.items for e in static_errors(item)]

    def connect(self):
        require_pyroute2()
        engine_url = _containers.docker_host(self.params['docker_host'])
        missing = _containers.import_error(engine_url)
        if missing:
            raise missing_library(_containers.sdk_requirement(engine_url), missing)
        # pruning reads through _topology, whose columns an attach (the hot path) need not replicate;
        # the bridge planner only where a bridge may be made (a detach never makes one)
        tables = [_attach.TABLES]
        if self.params['create_bridge'] and any(item['state'] == 'present' for item in self.items):
            tables.append(_bridge_planner().TABLES)
        if self.params['state'] == 'pruned':
            from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains import topology as _topology
            tables.append(_topology.TABLES)
        self.db = _ovsdb.connect(self.params, _ovsdb.merge_tables(*tables))
        self.docker = _containers.ContainerApi(engine_url, self.params['docker_timeout'])
        self.host = Netlink()

    def resolve(self):
        """The task's containers to their namespaces (pruning: the ports of containers that are
        gone) and the bridges they need: what refuses the run before any attachment is observed
        (a container missing or stopped, a bridge that may not be made)."""
        self.wanted, self.new_bridges, self.bridge_plans = [], [], []
        try:
            wanted, refusals = self._wanted()
        except _containers.ContainerError as exc:
            return [str(exc)]
        if refusals:
            return refusals
        self.wanted = wanted
        self.new_bridges = sorted(set(d['bridge'] for d in wanted if d['state'] == 'present' and d['bridge']
                                      and self.db.find('Bridge', d['bridge']) is None))
        if self.new_bridges and not self.params['create_bridge']:
            return ['%s, or let this module make it (create_bridge is false)' % no_bridge(', '.join(self.new_bridges))]
        return []

    def make_plans(self):
        """The containers' attachments (resolve() found them), after the bridges they need
        (planned first, as ovs-docker makes them first)."""
        db, wanted = self.db, self.wanted
        if self.new_bridges:
            _bridge = _bridge_planner()
            facts = {'datapath_types': db.root.datapath_types}
            for name in self.new_bridges:
                desired, _errors = _bridge.desired_state({'name': name, 'state': 'present',
                                                          'datapath_type': self.params['datapath_type'] or 'auto'})
                self.bridge_plans.append(_bridge.plan(desired, None, dict(facts, name_holder=self.host.link(name))))
            if any(p.problems for p in self.bridge_plans):
                return []
        for desired in wanted:
            desired['bridge_planned'] = desired.get('bridge') in self.new_bridges
        return self.plan_each(wanted)

    def _wanted(self):
        """(the desired attachments of the task's items, [refusals])."""
        if self.params['state'] == 'pruned':
            return stale_items(self.docker, self.db, self.host, self.params['bridge']), []
        index = PortIndex(self.db, self.docker)  # (asks the engine what it is only if a port says whose it is)
        wanted, refusals = [], []
        known = self.docker.inspect_many(i['container'] for i in self.items if i['state'] == 'present')
        for item in self.items:
            more, trouble = desired_items(self.docker, index, item, known)
            wanted.extend(more)
            refusals.extend(trouble)
        return wanted, refusals

    def problems(self):
        return [p for plan in self.bridge_plans for p in plan.problems] + super(DockerPort, self).problems()

    def prefix(self, desired):
        return '%s: ' % desired['key']  # a container may have many attachments: always said which

    def failure_prefix(self):
        return ''

    def changed(self):
        return bool(self.new_bridges) or super(DockerPort, self).changed()

    @property
    def many(self):
        """One container named by the task, and one attachment of it: the result shows it alone."""
        return not (self.params['container'] and len(self.plans) == 1)

    def shown(self, plan, view):
        return dict(view, key=plan.desired['key'])

    def objects(self, views):
        result = dict(attachments=views)
        if not self.many:
            result['attachment'] = views[0]
        return result

    def result(self):
        result = super(DockerPort, self).result()
        if self.new_bridges:
            result['bridge_created'] = self.new_bridges[0]
            result['bridges_created'] = list(self.new_bridges)
        return result

    def steps(self):
        bridges = []
        if self.bridge_plans:
            bridges = _bridge_planner().schedule(self.bridge_plans, self.db, None, True, self.params['ovsdb_timeout'])
        return bridges + super(DockerPort, self).steps()

    def read_back(self):
        result = super(DockerPort, self).read_back()
        if self.new_bridges:  # reported while they exist (an undone run took them away again)
            made = [name for name in self.new_bridges if self.db.find('Bridge', name) is not None]
            result['bridge_created'] = made[0] if made else None
            result['bridges_created'] = made
        return result


def replay(records, context):
    """The agent's ovs_docker_port params for recorded attachments (context: the agent's
    docker_host; the bridges are the records' own, never made by a replay)."""
    return {'attachments': [item_of(r) for r in records], 'docker_host': context['docker_host'], 'create_bridge': False}
