# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ovs_docker_port: containers -> attachments (the shared act in _attach), with ovs-docker's port
contract: the OVS Interface carries external_ids container_id (the container as the user named it)
and container_iface, and that is how a port is found again, by us and by ovs-docker.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib

from ansible_collections.netdevops.ovs_docker.plugins.module_utils import _attach, _containers

# Options an item of `attachments` takes from the top level when it does not set them itself.
INHERITED = ('bridge', 'state', 'mtu', 'vlan', 'gateway', 'gateway6', 'gateway_onlink')
ITEM_OPTIONS = ('container', 'interface', 'addresses', 'mac', 'external_ids') + INHERITED


def host_interface_for(container_id, interface):
    """ovs-docker's shape (13 hex digits and _l), but stable: the same container and interface
    always get the same port name."""
    return '%s_l' % hashlib.sha1(('%s/%s' % (container_id, interface)).encode('utf-8')).hexdigest()[:13]


def items_from_params(params):
    """The attachments the task asks for, as specs with every option present."""
    if params.get('attachments'):
        items = []
        for entry in params['attachments']:
            item = dict((key, entry.get(key)) for key in ITEM_OPTIONS)
            for key in INHERITED:
                if item[key] is None:
                    item[key] = params.get(key)
            item['interface'] = item['interface'] or 'eth0'
            items.append(item)
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
    spec = dict(item, namespace='/proc/1/ns/net', host_interface=None)
    if spec['interface'] is None:
        spec['interface'] = 'eth0'  # absent without interface: every port of the container
    spec['external_ids'] = dict(item.get('external_ids') or {}, container_id='x', container_iface='x')
    _desired, more = _attach.desired_state(spec)
    errors.extend('container %s: %s' % (item['container'], e) for e in more)
    return errors


class PortIndex(object):
    """The ovs-docker ports OVSDB knows: interface name -> external_ids, read once."""

    def __init__(self, db):
        self.ports = []
        port_names = set(p.name for p in db.rows('Port'))
        for iface in db.rows('Interface'):
            ids = dict(iface.external_ids)
            if 'container_id' in ids and iface.name in port_names:
                self.ports.append({'name': iface.name, 'container_id': ids['container_id'],
                                   'container_iface': ids.get('container_iface')})

    def of(self, ref, container, interface=None):
        """Ports of the container (by the user's reference, or any name of it), of one interface
        or (interface None) of all."""
        found = []
        for port in self.ports:
            if interface is not None and port['container_iface'] != interface:
                continue
            if port['container_id'] == ref or (container and _containers.refers_to(port['container_id'], container)):
                found.append(port)
        return found


def _absent_spec(port, namespace, where):
    """The removal of an ovs-docker port found by its marks (which prove it ours)."""
    return {'state': 'absent', 'namespace': namespace, 'interface': port['container_iface'] or 'eth0',
            'host_interface': port['name'], 'where': where,
            'marks': {'container_id': port['container_id'], 'container_iface': port['container_iface']}}


def desired_items(engine, index, item, known=None):
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
        container = known[ref] if ref in known else engine.inspect(ref)
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
        marks = {'container_id': port['container_id'] if port else ref, 'container_iface': item['interface']}
        spec = dict(item, namespace=namespace, marks=marks, where=where,
                    host_interface=port['name'] if port else host_interface_for(container['id'], item['interface']),
                    mac_seed='%s/%s' % (container['id'], item['interface']))
        desired, errors = _attach.desired_state(spec)
        if errors:
            return [], errors
        desired['key'] = '%s/%s' % (ref, item['interface'])
        result.append(desired)
        ports = ports[1:]
    for port in ports:  # absent: every port found; present: duplicates
        desired, errors = _attach.desired_state(_absent_spec(port, namespace, where))
        desired['key'] = '%s/%s' % (ref, port['container_iface'])
        if item['state'] == 'present':
            desired['key'] += ' (duplicate port %s)' % port['name']
        result.append(desired)
    return result, []


def stale_items(engine, index, db, bridge):
    """Ports whose container no longer exists (pruned), on ``bridge`` or on any bridge."""
    refs = engine.references()
    result = []
    for port in index.ports:
        if _containers.is_known(port['container_id'], refs):
            continue
        if bridge is not None and (_attach.find_port(db, port['name']) or {}).get('bridge') != bridge:
            continue
        desired, _errors = _attach.desired_state(_absent_spec(port, '', 'container %s' % port['container_id']))
        desired['key'] = '%s/%s' % (port['container_id'], port['container_iface'])
        result.append(desired)
    return result


def phase(action):
    """Batch order: stale ports out (one transaction), then every netlink step, then new ports
    in (one transaction)."""
    if action[0] == 'port_del':
        return 0
    return 2 if action[0] in _attach.OVSDB_ACTIONS else 1
