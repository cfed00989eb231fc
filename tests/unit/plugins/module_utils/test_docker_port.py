# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ovs_docker_port's pure parts: items from params, the ovs-docker port contract, batch order."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections

import pytest

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import marks as _marks
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains.attachment import plan as _attach
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains.attachment import desired as _attach_desired
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains.attachment import docker_port as _docker_port
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._system import containers as _containers
from ansible_collections.netdevops.ovs_docker.tests.unit.plugins.module_utils.conftest import FakeDb, FakeEngine

FULL_ID = 'f' * 12 + '0123456789abcdef' * 3 + 'abcd'
CON1 = {'id': FULL_ID, 'name': 'con1', 'pid': 42, 'running': True, 'status': 'running'}
Row = collections.namedtuple('Row', 'name external_ids')


def params(**kwargs):
    base = dict(container=None, interface=None, bridge='br0', state='present', addresses=None, mac=None,
                mtu=None, gateway=None, gateway6=None, gateway_onlink=False, vlan=None, external_ids=None,
                attachments=None)
    base.update(kwargs)
    return base


def test_single_item_defaults_to_eth0():
    assert _docker_port.requested(params(container='con1'))[0]['interface'] == 'eth0'


def test_absent_without_interface_means_every_port():
    assert _docker_port.requested(params(container='con1', state='absent'))[0]['interface'] is None


def test_batch_items_inherit_task_options():
    items = _docker_port.requested(params(
        gateway='10.0.0.1', mtu=1400, attachments=[{'container': 'a'}, {'container': 'b', 'mtu': 9000, 'bridge': 'br1'}]))
    assert [(i['container'], i['interface'], i['bridge'], i['mtu'], i['gateway']) for i in items] == [
        ('a', 'eth0', 'br0', 1400, '10.0.0.1'), ('b', 'eth0', 'br1', 9000, '10.0.0.1')]


@pytest.mark.parametrize('item, words', [
    (dict(bridge=None), 'bridge is required'),
    (dict(interface='x' * 16), 'at most 15'),
    (dict(mac='01:00:00:00:00:01'), 'multicast'),
    (dict(vlan=4095), 'out of range'),
    (dict(addresses=['10.0.0.1']), 'no prefix length'),
])
def test_static_errors_name_the_container(item, words):
    item = dict(_docker_port.requested(params(container='con1'))[0], **item)
    errors = _docker_port.static_errors(item)
    assert any(words in e and 'con1' in e for e in errors), errors


def test_host_interface_has_ovs_dockers_shape_and_is_stable():
    name = _docker_port.host_interface_for(FULL_ID, 'eth0')
    assert len(name) == 15 and name.endswith('_l') and name == _docker_port.host_interface_for(FULL_ID, 'eth0')
    assert name != _docker_port.host_interface_for(FULL_ID, 'eth1')


@pytest.mark.parametrize('value, expected', [
    ('con1', True), (FULL_ID, True), (FULL_ID[:12], True), (FULL_ID[:4], True),
    (FULL_ID[:3], False), ('con2', False), ('', False), ('0123', False),
])
def test_refers_to_name_full_and_short_ids(value, expected):
    assert _containers.refers_to(value, CON1) is expected


def test_resolve_for_pruning():
    listing = [{'id': FULL_ID, 'names': ['con1'], 'running': True, 'status': 'running'}]
    assert _containers.resolve('con1', listing) is listing[0] and _containers.resolve(FULL_ID[:12], listing) is listing[0]
    assert _containers.resolve('gone', listing) is None and _containers.resolve('abcd', listing) is None
    assert _containers.resolve('', listing) is None and _containers.resolve(FULL_ID[:3], listing) is None


def index():
    interfaces = [
        Row('aaaaaaaaaaaaa_l', {_marks.CONTAINER_ID: 'con1', _marks.CONTAINER_IFACE: 'eth0'}),
        Row('bbbbbbbbbbbbb_l', {_marks.CONTAINER_ID: FULL_ID[:12], _marks.CONTAINER_IFACE: 'eth1'}),
        Row('ccccccccccccc_l', {_marks.CONTAINER_ID: 'gone', _marks.CONTAINER_IFACE: 'eth0'}),
        Row('veth0', {}),
        Row('orphan_l', {_marks.CONTAINER_ID: 'con1', _marks.CONTAINER_IFACE: 'eth9'}),  # no Port row: not a port
    ]
    ports = [Row(i.name, {}) for i in interfaces[:4]]
    return _docker_port.PortIndex(FakeDb(tables={'Interface': interfaces, 'Port': ports}), FakeEngine([]))


def test_port_index_finds_a_container_by_any_of_its_names():
    idx = index()
    assert [p['name'] for p in idx.of(FULL_ID, CON1, 'eth0')] == ['aaaaaaaaaaaaa_l']
    assert [p['name'] for p in idx.of('con1', CON1, 'eth1')] == ['bbbbbbbbbbbbb_l']
    assert [p['name'] for p in idx.of('con1', CON1)] == ['aaaaaaaaaaaaa_l', 'bbbbbbbbbbbbb_l']
    assert [p['name'] for p in idx.of('gone', None)] == ['ccccccccccccc_l']


def item(**kwargs):
    return dict(_docker_port.requested(params(container='con1', addresses=['10.0.0.2/24']))[0], **kwargs)


def test_an_ovs_docker_port_is_adopted_with_its_name_and_container_id():
    wanted, problems = _docker_port.desired_items(FakeEngine([CON1]), index(), item(container=FULL_ID))
    assert problems == [] and len(wanted) == 1
    assert wanted[0]['host_interface'] == 'aaaaaaaaaaaaa_l'
    assert wanted[0]['external_ids'] == {_marks.CONTAINER_ID: 'con1', _marks.CONTAINER_IFACE: 'eth0'}  # adopted as it is
    assert wanted[0]['netns_path'] == '/proc/42/ns/net'


def test_a_new_port_gets_the_users_reference_and_a_stable_mac():
    wanted, _p = _docker_port.desired_items(FakeEngine([CON1]), index(), item(interface='eth2'))
    assert wanted[0]['host_interface'] == _docker_port.host_interface_for(FULL_ID, 'eth2')
    assert wanted[0]['external_ids'] == {_marks.CONTAINER_ID: 'con1', _marks.CONTAINER_IFACE: 'eth2', _marks.ENGINE: FakeEngine.id}
    assert wanted[0]['new_mac'] == _attach_desired.stable_mac('%s/eth2' % FULL_ID)


def test_duplicates_of_one_interface_are_removed():
    interfaces = [Row('a_l', {_marks.CONTAINER_ID: 'con1', _marks.CONTAINER_IFACE: 'eth0'}),
                  Row('b_l', {_marks.CONTAINER_ID: FULL_ID, _marks.CONTAINER_IFACE: 'eth0'})]
    idx = _docker_port.PortIndex(FakeDb(tables={'Interface': interfaces, 'Port': [Row('a_l', {}), Row('b_l', {})]}), FakeEngine([]))
    wanted, _p = _docker_port.desired_items(FakeEngine([CON1]), idx, item())
    assert [(w['state'], w['host_interface']) for w in wanted] == [('present', 'a_l'), ('absent', 'b_l')]


@pytest.mark.parametrize('engine, words', [
    (FakeEngine([]), 'does not exist'),
    (FakeEngine([dict(CON1, running=False, pid=0, status='exited')]), 'is not running (status exited)'),
])
def test_missing_or_stopped_container(engine, words):
    wanted, problems = _docker_port.desired_items(engine, index(), item())
    assert wanted == [] and words in problems[0]


def test_absent_for_a_removed_container_finds_its_ports_by_reference():
    wanted, problems = _docker_port.desired_items(FakeEngine([]), index(), item(container='gone', state='absent', interface=None))
    assert problems == [] and [(w['state'], w['host_interface'], w['netns_path']) for w in wanted] == [
        ('absent', 'ccccccccccccc_l', '')]


def test_batch_order_stale_ports_then_netlink_then_new_ports():
    from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.engine import Action as A
    port = {'bridge': 'br0', 'tag': None, 'external_ids': {}}
    actions = [A('port', 'a', port, None), A('veth', 'a', {'peer': 'eth0'}, None), A('port', 'b', None, port),
               A('addr', '10.0.0.1/24', 'present', None), A('port_tag', 'a', 5, None)]
    steps = [(None, a) for a in actions]
    assert [(a.kind, a.target) for _e, a in sorted(steps, key=lambda step: _attach.phase(step[1]))] == [
        ('port', 'b'), ('veth', 'a'), ('addr', '10.0.0.1/24'), ('port', 'a'), ('port_tag', 'a')]


def test_stable_mac_is_local_unicast_and_repeatable():
    mac = _attach_desired.stable_mac('x/eth0')
    first = int(mac[:2], 16)
    assert mac == _attach_desired.stable_mac('x/eth0') and first & 1 == 0 and first & 2 == 2
    assert _attach_desired.parse_mac(mac) == (mac, None)


def test_another_engines_ports_are_not_seen():
    """Docker and Podman may both have a con1: a task through one never finds the other's port."""
    interfaces = [Row('d_l', {_marks.CONTAINER_ID: 'con1', _marks.CONTAINER_IFACE: 'eth0', _marks.ENGINE: FakeEngine.id}),
                  Row('p_l', {_marks.CONTAINER_ID: 'con1', _marks.CONTAINER_IFACE: 'eth0', _marks.ENGINE: 'podman'}),
                  Row('o_l', {_marks.CONTAINER_ID: 'con1', _marks.CONTAINER_IFACE: 'eth1'})]  # ovs-docker's: no engine mark
    idx = _docker_port.PortIndex(FakeDb(tables={'Interface': interfaces, 'Port': [Row(i.name, {}) for i in interfaces]}), FakeEngine([]))
    assert sorted(p['name'] for p in idx.of('con1', None)) == ['d_l', 'o_l']


def test_a_port_named_by_the_task_and_one_there_under_another_name_is_refused():
    from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains.attachment import docker_port as _dp

    class Index(object):
        @staticmethod
        def of(ref, container, interface=None):
            return [{'name': 'p1', 'id': ref, 'iface': 'eth1'}]

    container = {'id': 'c' * 64, 'name': 'n1', 'pid': 42, 'running': True, 'status': 'running', 'network_mode': 'none'}
    item = dict(dict.fromkeys(_dp.ITEM_OPTIONS), container='n1', interface='eth1', bridge='sw1', state='present', host_interface='p3')
    assert _dp.desired_items(None, Index(), item, known={'n1': container}) == (
        [], ['container n1: its eth1 is attached as port p1: remove that attachment first (state absent) to attach it as p3'])
