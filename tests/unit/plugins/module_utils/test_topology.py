# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What ovs_docker_info reports and state=pruned removes (_topology): the problems of a port from
what was read, and the reader over fake OVSDB rows, links and containers (the real ones are the
integration target ovs_docker_info's)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import types

import pytest

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import marks as _marks
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains import topology as _topology
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._system import ovsdb as _ovsdb
from ansible_collections.netdevops.ovs_docker.tests.unit.plugins.module_utils.conftest import FakeDb, FakeEngine

ID1, ID2 = 'a' * 64, 'b' * 64


def container_port(**more):
    entry = {'name': 'p1', 'kind': 'container', 'type': 'system', 'error': None, 'ofport': 3, 'device': True,
             'peer_proven': True, 'external_ids': {_marks.CONTAINER_ID: 'web', _marks.CONTAINER_IFACE: 'eth0'},
             'container': {'ref': 'web', 'id': ID1, 'running': True, 'status': 'running'}}
    entry.update(more)
    return entry


def kinds(port):
    return [p['kind'] for p in _topology.problems(port)]


@pytest.mark.parametrize('change, expected', [
    ({}, []),
    ({'container': {'ref': 'web', 'id': None, 'running': False, 'status': 'gone'}, 'device': False}, ['container_gone']),
    ({'container': {'ref': 'web', 'id': ID1, 'running': False, 'status': 'exited'}, 'device': False}, ['container_stopped']),
    ({'device': False, 'peer_proven': None}, ['container_restarted']),
    ({'peer_proven': False}, ['unpaired']),
    ({'peer_proven': None}, []),  # not looked inside (namespaces: false): no claim either way
    ({'duplicate_of': 'p0'}, ['duplicate']),
    ({'ofport': -1, 'error': 'could not open network device p1 (No such device)'}, ['interface_error']),
    ({'ofport': -1}, ['interface_error']),
])
def test_problems_of_a_container_port(change, expected):
    assert kinds(container_port(**change)) == expected


def test_messages_name_the_thing_and_the_fix():
    gone = _topology.problems(container_port(container={'ref': 'web', 'id': None, 'running': False, 'status': 'gone'}))
    assert 'container web no longer exists' in gone[0]['message'] and 'state=pruned' in gone[0]['message']
    restarted = _topology.problems(container_port(device=False))[0]['message']
    assert 'container web runs' in restarted and 'p1' in restarted and 'attach it again' in restarted


def test_a_persistent_port_of_a_stopped_container_waits_and_one_of_a_gone_container_is_pruned():
    stopped = _topology.problems(container_port(persistent=True, device=False, container={
        'ref': 'web', 'id': ID1, 'running': False, 'status': 'exited'}))[0]['message']
    assert 'waits for its start' in stopped and 'not pruned' in stopped
    gone = _topology.problems(container_port(persistent=True, device=False, container={
        'ref': 'web', 'id': None, 'running': False, 'status': 'gone'}))[0]['message']
    assert 'persistent record' in gone and 'state=pruned' in gone


@pytest.mark.parametrize('change, expected', [
    ({}, []),
    ({'namespace_exists': False, 'device': False}, ['namespace_gone']),
    ({'device': False}, ['device_missing']),
    ({'peer_proven': False}, ['unpaired']),
])
def test_problems_of_a_namespace_port(change, expected):
    port = {'name': 'veth0', 'kind': 'namespace', 'type': 'system', 'error': None, 'ofport': 2, 'device': True,
            'peer_proven': True, 'namespace': 'ns1', 'namespace_exists': True,
            'external_ids': {_marks.NETNS: 'ns1', _marks.NETNS_IFACE: 'veth1'}}
    port.update(change)
    assert kinds(port) == expected


def test_other_ports_only_for_a_missing_device_or_an_error():
    other = {'name': 'x', 'kind': 'other', 'type': 'system', 'error': None, 'ofport': 1, 'device': True}
    assert kinds(other) == []
    assert kinds(dict(other, device=False)) == ['device_missing']
    internal = dict(other, kind='internal', type='internal', device=False)  # ovs-vswitchd makes it
    assert kinds(internal) == []


def test_only_dead_container_ports_are_prunable():
    assert set(_topology.PRUNABLE) == {'container_gone', 'container_stopped', 'container_restarted'}


# -- the reader over fakes ---------------------------------------------------------------------

def row(**columns):
    return types.SimpleNamespace(**columns)


def iface(name, kind='', container=None, netns=None, engine=None):
    """An Interface row; container=(ID, IFACE) or netns=(NAME, IFACE): its marks; engine: its engine's."""
    ids = {}
    if container:
        ids.update({_marks.CONTAINER_ID: container[0], _marks.CONTAINER_IFACE: container[1]})
    if netns:
        ids.update({_marks.NETNS: netns[0], _marks.NETNS_IFACE: netns[1]})
    if engine:
        ids[_marks.ENGINE] = engine
    return row(name=name, type=kind, ofport=[1], error=[], external_ids=ids, mtu=[1500], mac_in_use=['02:00:00:00:00:01'],
               link_state=['up'], ingress_policing_rate=0, ingress_policing_burst=0)


def oport(name, *ifaces, **more):
    return row(name=name, interfaces=list(ifaces) or [iface(name)], tag=more.get('tag', []), trunks=[], vlan_mode=[], qos=more.get('qos', []))


class FakeHost(object):
    def __init__(self, names):
        self.names = names

    def links(self):
        return [{'index': i + 1, 'name': n, 'kind': 'veth', 'peer_index': 2, 'state': 'up', 'mtu': 1500, 'mac': None}
                for i, n in enumerate(self.names)]

    def all_addresses(self):
        return {1: ['192.0.2.1/24', 'fe80::1/64'], 2: ['127.0.0.1/8']}


def bridge(name, *ports):
    return row(name=name, datapath_type='netdev', datapath_id=[], fail_mode=[], external_ids={}, mirrors=[],
               ports=[oport(name, iface(name, 'internal'))] + list(ports))


def world():
    db = FakeDb([
        bridge('br0',
               oport('p_web', iface('p_web', container=('web', 'eth0')), tag=[10]),
               oport('p_web2', iface('p_web2', container=(ID1[:12], 'eth0'))),  # the same, by ID
               oport('p_gone', iface('p_gone', container=('old', 'eth0'))),
               oport('p_stop', iface('p_stop', container=('db', 'eth1'))),
               oport('p_ns', iface('p_ns', netns=('nsx', 'eth0')))),
        bridge('br1', oport('p_other')),
    ])
    host = FakeHost(['eth0', 'br0', 'p_web', 'p_web2', 'p_ns', 'br1', 'p_other', 'docker0'])
    engine = FakeEngine([{'id': ID1, 'names': ['web'], 'running': True, 'status': 'running'},
                         {'id': ID2, 'names': ['db'], 'running': False, 'status': 'exited'}])
    return db, host, engine


def by_port(result):
    return dict((p['name'], p) for b in result['bridges'] for p in b['ports'])


def test_reader_finds_every_kind_of_port_and_its_problems_without_looking_inside():
    db, host, engine = world()
    result = _topology.Reader(db, host, engine, inside=False).read()
    ports = by_port(result)
    assert [b['name'] for b in result['bridges']] == ['br0', 'br1']
    assert ports['p_web']['kind'] == 'container' and ports['p_web']['container']['id'] == ID1
    assert ports['p_web']['container']['pid'] == 4242 and ports['p_web']['tag'] == 10
    assert ports['p_web']['problems'] == [] and ports['p_web']['peer_proven'] is None
    assert [p['kind'] for p in ports['p_web2']['problems']] == ['duplicate']  # one container interface, two ports
    assert [p['kind'] for p in ports['p_gone']['problems']] == ['container_gone']
    assert [p['kind'] for p in ports['p_stop']['problems']] == ['container_stopped']
    assert ports['p_ns']['kind'] == 'namespace' and ports['br0']['kind'] == 'internal'
    assert ports['p_other']['kind'] == 'other'
    assert sorted((p['port'], p['kind']) for p in result['problems']) == [
        ('p_gone', 'container_gone'), ('p_ns', 'namespace_gone'), ('p_stop', 'container_stopped'), ('p_web2', 'duplicate')]
    assert result['host_addresses'] == ['192.0.2.1/24']
    assert engine.asked == ['listing', ('inspect', [ID1])]  # one listing; only running containers inspected
    assert 'other_links' not in result
    engine.asked = []
    pruning = by_port(_topology.Reader(db, host, engine, inside=False, pids=False).read())
    assert engine.asked == ['listing']  # what runs, the listing says: no inspect
    assert [p['kind'] for p in pruning['p_gone']['problems']] == ['container_gone']
    assert [p['kind'] for p in pruning['p_stop']['problems']] == ['container_stopped']


def test_reader_narrows_to_a_bridge_or_a_container():
    db, host, engine = world()
    assert [b['name'] for b in _topology.Reader(db, host, engine, bridge='br1', inside=False).read()['bridges']] == ['br1']
    assert engine.asked == []  # no container ports there: Docker is not asked
    result = _topology.Reader(db, host, engine, container='web', inside=False).read()
    assert sorted(by_port(result)) == ['p_web', 'p_web2']
    assert 'match' not in by_port(result)['p_web']['container']


def test_other_links_are_those_that_belong_to_nothing_known():
    db, host, engine = world()
    result = _topology.Reader(db, host, engine, inside=False).read(other_links=True)
    assert [link['name'] for link in result['other_links']] == ['docker0', 'eth0']


def test_a_live_veth_or_another_engines_port_is_never_prunable():
    """Pruning through Docker must not take a Podman container's live port, nor one whose namespace
    outlived its container: a veth whose host end exists has a live peer, whatever an engine says."""
    db = FakeDb([bridge('br0',
                        oport('p_pod', iface('p_pod', container=('con1', 'eth0'), engine='podman')),
                        oport('p_alive', iface('p_alive', container=('old', 'eth0'))),
                        oport('p_dead', iface('p_dead', container=('old2', 'eth0'))))])
    host = FakeHost(['br0', 'p_pod', 'p_alive'])  # p_dead's veth went with its namespace
    engine = FakeEngine([])  # this engine knows none of them
    ports = by_port(_topology.Reader(db, host, engine, inside=False, pids=False).read())
    assert ports['p_pod']['problems'] == [] and ports['p_pod']['container']['engine'] == 'podman'
    assert [p['kind'] for p in ports['p_alive']['problems']] == ['veth_alive']
    assert 'is alive' in ports['p_alive']['problems'][0]['message']
    assert [p['kind'] for p in ports['p_dead']['problems']] == ['container_gone']
    assert 'veth_alive' not in _topology.PRUNABLE


def test_egress_of_reads_our_qos_and_names_another():
    mark = dict([_marks.EGRESS])
    queue = row(other_config={'max-rate': '20000000', 'burst': '2000000'}, external_ids=mark)
    ours = row(type='linux-htb', other_config={'max-rate': '20000000'}, queues={0: queue}, external_ids=mark,
               uuid='0a1b2c3d-0000')
    assert _ovsdb.egress_of(oport('p1', qos=[ours])) == {'egress_rate': 20000, 'egress_burst': 2000, 'qos_foreign': None}
    theirs = row(type='linux-hfsc', other_config={'max-rate': '1000000'}, queues={}, external_ids={}, uuid='9f8e7d6c-0000')
    assert _ovsdb.egress_of(oport('p1', qos=[theirs])) == {
        'egress_rate': 1000, 'egress_burst': 0, 'qos_foreign': 'linux-hfsc row 9f8e7d6c'}
    assert _ovsdb.egress_of(oport('p1')) == {'egress_rate': 0, 'egress_burst': 0, 'qos_foreign': None}


def test_a_bridges_mirrors_are_read_with_their_ports_by_name():
    con1, cap = oport('c1_l', iface('c1_l')), oport('veth0', iface('veth0'))
    mine = row(name='m1', select_all=False, select_src_port=[con1], select_dst_port=[con1], select_vlan=[], output_port=[cap],
               output_vlan=[], external_ids={_marks.MIRROR[0]: _marks.MIRROR[1]})
    theirs = row(name='m0', select_all=True, select_src_port=[], select_dst_port=[], select_vlan=[20], output_port=[],
                 output_vlan=[30], external_ids={})
    br = bridge('br9', con1, cap)
    br.mirrors = [mine, theirs]
    found = _topology.read_ovsdb(FakeDb([br]))[0]['mirrors']
    assert found == [
        {'name': 'm0', 'select_all': True, 'select_src_port': [], 'select_dst_port': [], 'select_vlan': [20], 'output_port': None,
         'output_vlan': 30, 'ours': False},
        {'name': 'm1', 'select_all': False, 'select_src_port': ['c1_l'], 'select_dst_port': ['c1_l'], 'select_vlan': [],
         'output_port': 'veth0', 'output_vlan': None, 'ours': True}]
