# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab role's logic (plugins/filter/lab.py): variables in, batches and the ping matrix out."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.netdevops.ovs_docker.plugins.filter import lab
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import marks as _marks
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains import container as _container

BRIDGES = [{'name': 'br0', 'addresses': ['192.168.1.250/24', '2001:db8::250/64']}]
NAMESPACES = [{'name': 'ns1', 'bridge': 'br0', 'addresses': ['192.168.1.1/24'], 'gateway': '192.168.1.250'}]
CONTAINERS = [{'name': 'con1', 'bridge': 'br0', 'addresses': ['192.168.1.2/24'], 'gateway': '192.168.1.250', 'mtu': 1400}]
REMOTE = {'bridge': 'uplink0', 'host_address': '203.0.113.1/24', 'namespace': 'vm2', 'address': '203.0.113.2/24'}


def test_attachments_for_build_and_teardown():
    assert lab.lab_attachments(CONTAINERS, 'present') == [
        {'container': 'con1', 'interface': 'eth0', 'bridge': 'br0', 'addresses': ['192.168.1.2/24'],
         'gateway': '192.168.1.250', 'mtu': 1400}]
    assert lab.lab_attachments(CONTAINERS, 'absent') == [{'container': 'con1', 'interface': 'eth0', 'state': 'absent'}]


@pytest.mark.parametrize('not_yet, new_bridges', [(['con1'], []), ([], ['br0'])])
def test_attachments_leave_out_what_check_mode_cannot_look_at(not_yet, new_bridges):
    assert lab.lab_attachments(CONTAINERS, 'present', not_yet, new_bridges) == []


def test_nat_subnets_are_the_ipv4_addresses_of_bridges_with_nat():
    bridges = BRIDGES + [{'name': 'up', 'addresses': ['203.0.113.1/24'], 'nat': False}]
    assert lab.lab_nat_subnets(bridges, True) == ['192.168.1.250/24']
    assert lab.lab_nat_subnets(bridges, False) == []
    assert lab.lab_nat_subnets([dict(BRIDGES[0], nat=True)], False) == ['192.168.1.250/24']
    assert lab.lab_nat_subnets(BRIDGES, 'false') == []  # -e lab_nat=false gives a string
    assert lab.lab_nat_subnets(BRIDGES, 'yes') == ['192.168.1.250/24']


def test_the_seeds_cells():
    cells = lab.lab_cells(CONTAINERS, NAMESPACES, BRIDGES, '', REMOTE, [], {})
    assert [(c['source'], c['kind'], c['target'], c['address']) for c in cells] == [
        ('con1', 'container', 'br0', '192.168.1.250'), ('con1', 'container', 'ns1', '192.168.1.1'),
        ('con1', 'container', 'host', '203.0.113.1'), ('con1', 'container', 'vm2', '203.0.113.2'),
        ('ns1', 'namespace', 'br0', '192.168.1.250'), ('ns1', 'namespace', 'con1', '192.168.1.2'),
        ('ns1', 'namespace', 'host', '203.0.113.1'), ('ns1', 'namespace', 'vm2', '203.0.113.2')]


def test_cells_of_the_overlay_and_without_gateway_or_verify():
    containers = [{'name': 'c2', 'bridge': 'ovl0', 'addresses': ['10.42.0.2/24']}]
    namespaces = [{'name': 'quiet', 'bridge': 'ovl0', 'addresses': ['10.42.0.9/24'], 'verify': False}]
    overlay = {'bridge': 'ovl0', 'peers': [{'name': 'vm2-c2', 'address': '10.42.0.12/24'}]}
    cells = lab.lab_cells(containers, namespaces, [{'name': 'ovl0'}], '10.0.0.1/24', None, [{'name': 'x', 'address': '10.0.0.2'}], overlay)
    assert [(c['target'], c['address']) for c in cells] == [('vm2-c2', '10.42.0.12')]


def test_answers_and_the_matrix():
    cells = lab.lab_cells(CONTAINERS, NAMESPACES, BRIDGES, '', REMOTE, [], {})
    answers = lab.lab_answers(cells, ['%d %d' % (i, i == 3) for i in range(len(cells))][:-1])  # the last one: no line
    assert [a['ok'] for a in answers] == [True, True, True, False, True, True, True, False]
    assert answers[3]['cell'] == 'con1 -> vm2 (203.0.113.2)'
    assert lab.lab_matrix(answers, ['br0', 'ns1', 'con1']) == [
        'ping      br0     ns1     con1    host    vm2',
        'con1       ok      ok      -       ok     FAIL',
        'ns1        ok      -       ok      ok     FAIL']


def test_a_line_that_is_not_index_and_rc_is_an_error():
    with pytest.raises(AnsibleFilterError, match='INDEX RC'):
        lab.lab_answers([], ['0'])


def test_lab_bridges_keep_only_what_ovs_bridge_takes():
    bridges = [{'name': 'br0', 'addresses': ['192.168.1.250/24'], 'nat': True, 'datapath_type': 'netdev'}, {'name': 'br1'}]
    assert lab.lab_bridges(bridges, 'present') == [{'name': 'br0', 'datapath_type': 'netdev', 'addresses': ['192.168.1.250/24']},
                                                   {'name': 'br1'}]
    assert lab.lab_bridges(bridges, 'absent') == [{'name': 'br0'}, {'name': 'br1'}]


def test_lab_namespaces_one_item_a_namespace_less_those_on_new_bridges():
    namespaces = [{'name': 'ns1', 'bridge': 'br0', 'addresses': ['192.168.1.1/24'], 'verify': False},
                  {'name': 'ns2', 'bridge': 'br1', 'interface': 'veth1', 'host_interface': 'veth0'}]
    assert lab.lab_namespaces(namespaces, 'present') == [
        {'namespace': 'ns1', 'interface': 'eth0', 'bridge': 'br0', 'addresses': ['192.168.1.1/24']},
        {'namespace': 'ns2', 'interface': 'veth1', 'host_interface': 'veth0', 'bridge': 'br1'}]
    assert lab.lab_namespaces(namespaces, 'present', ['br1']) == [
        {'namespace': 'ns1', 'interface': 'eth0', 'bridge': 'br0', 'addresses': ['192.168.1.1/24']}]
    assert lab.lab_namespaces(namespaces, 'absent', ['br1']) == [
        {'namespace': 'ns1', 'interface': 'eth0'}, {'namespace': 'ns2', 'interface': 'veth1', 'host_interface': 'veth0'}]


# -- ownership: what is on the host decides what the lab makes, adopts, refuses and removes -----

OWN = {'name': 'seed', 'datapath_type': 'auto', 'containers': [{'name': 'con1', 'bridge': 'br0'}],
       'namespaces': [{'name': 'ns1', 'bridge': 'br0', 'interface': 'veth1'}], 'overlay': 'vxlan42'}
MARK = {_marks.LAB: 'seed'}


def found_bridge(name, external_ids=None, addresses=(), ports=()):
    """A bridge as ovs_docker_info returns it (with its own internal port)."""
    own_port = {'name': name, 'external_ids': {}, 'problems': []}
    return {'name': name, 'external_ids': dict(external_ids or {}), 'addresses': list(addresses), 'ports': [own_port] + list(ports)}


def test_attachments_carry_the_labs_mark():
    item = lab.lab_attachments(CONTAINERS, 'present', lab_name='seed')[0]
    assert item['external_ids'] == {_marks.LAB: 'seed'}
    assert lab.lab_namespaces(NAMESPACES, 'present', lab_name='seed')[0]['external_ids'] == MARK


def test_a_new_bridge_and_the_labs_own_are_the_labs():
    for found in ([], [found_bridge('br0', MARK, ['192.168.1.250/24'])]):
        assert lab.lab_bridges(BRIDGES, 'present', found, OWN) == [
            {'name': 'br0', 'addresses': BRIDGES[0]['addresses'], 'external_ids': MARK, 'datapath_type': 'auto'}]


def test_someone_elses_bridge_is_adopted_its_addresses_kept_the_labs_recorded():
    theirs = found_bridge('br0', {'owner': 'user'}, ['198.18.7.1/24', 'fe80::1/64', '192.168.1.250/24'])
    item = lab.lab_bridges(BRIDGES, 'present', [theirs], OWN)[0]
    # no datapath, no mark: nothing but the lab's addresses; one it had already is not the lab's to take back
    assert item == {'name': 'br0', 'addresses': ['198.18.7.1/24', '192.168.1.250/24', '2001:db8::250/64'],
                    'external_ids': {'netdevops.ovs_docker.lab.seed.addresses': '2001:db8::250/64'}}
    # a repeat: the record stays as it is
    theirs['external_ids'].update(item['external_ids'])
    theirs['addresses'].append('2001:db8::250/64')
    again = lab.lab_bridges(BRIDGES, 'present', [theirs], OWN)[0]
    assert again['external_ids'] == item['external_ids'] and sorted(again['addresses']) == sorted(item['addresses'])
    # teardown: the recorded address and the record go, the bridge stays
    assert lab.lab_bridges(BRIDGES, 'absent', [theirs], OWN) == [
        {'name': 'br0', 'state': 'present', 'external_ids': {'netdevops.ovs_docker.lab.seed.addresses': None},
         'addresses': ['198.18.7.1/24', '192.168.1.250/24']}]


def test_another_labs_bridge_is_adopted_too():
    other = found_bridge('br0', {_marks.LAB: 'second'}, ['198.18.22.250/24'])
    assert 'datapath_type' not in lab.lab_bridges(BRIDGES, 'present', [other], OWN)[0]
    assert lab.lab_bridges(BRIDGES, 'absent', [other], OWN) == []  # nothing recorded: nothing of ours


def test_teardown_deletes_the_labs_bridge_unless_others_ports_are_on_it():
    ours = [{'name': 'p1', 'external_ids': MARK, 'problems': []},  # a port of the lab's
            {'name': 'p2', 'external_ids': {_marks.CONTAINER_ID: 'con1'}, 'problems': []},  # the lab's container, made before marks
            {'name': 'veth0', 'external_ids': {_marks.NETNS: 'ns1', _marks.NETNS_IFACE: 'veth1'}, 'problems': []},
            {'name': 'vxlan42', 'external_ids': {_marks.VXLAN: 'vxlan42'}, 'problems': []},
            {'name': 'p3', 'external_ids': {_marks.CONTAINER_ID: 'gone'}, 'problems': [{'kind': 'container_gone'}]}]  # pruned
    bridge = found_bridge('br0', MARK, ports=ours)
    assert lab.lab_bridges(BRIDGES, 'absent', [bridge], OWN) == [{'name': 'br0', 'state': 'absent'}]
    assert lab.lab_bridges_kept(BRIDGES, [bridge], OWN) == []
    bridge['ports'].append({'name': 'uport0', 'external_ids': {}, 'problems': []})
    assert lab.lab_bridges(BRIDGES, 'absent', [bridge], OWN) == []
    assert lab.lab_bridges_kept(BRIDGES, [bridge], OWN) == [
        "bridge br0 is kept: ports that are not the lab's are on it (uport0); remove them and run the teardown again to delete it"]
    assert lab.lab_bridges(BRIDGES, 'absent', [], OWN) == []  # gone already


LISTING = [{'Names': ['/con1'], 'Labels': {'owner': 'user'}}, {'Names': ['/con2'], 'Labels': MARK},
           {'Names': ['/con3'], 'Labels': {_marks.LAB: 'second'}}, {'Names': ['/web'], 'Labels': None}]


def test_containers_of_someone_else_under_lab_names_are_refused():
    containers = [{'name': n, 'bridge': 'br0'} for n in ('con1', 'con2', 'con3', 'con4')]
    found = lab.lab_container_conflicts(containers, LISTING, 'seed')
    assert len(found) == 2
    assert found[0].startswith('lab_containers[0] (con1): a container called con1 already exists on this host and belongs to no lab')
    assert 'another name in lab_containers, or remove that container' in found[0]
    assert 'belongs to the lab second' in found[1]
    # the lab's own (con2) and the ones not there yet (con4) are its to remove; the others are not
    assert [c['name'] for c in lab.lab_own_containers(containers, LISTING, 'seed')] == ['con2', 'con4']


def test_the_bridges_a_lab_created():
    found = [found_bridge('br0', MARK), found_bridge('br9', {_marks.LAB: 'second'}), found_bridge('x')]
    assert lab.lab_created_bridges(found, 'seed') == ['br0']


def test_container_labels_of_either_listing():
    from ansible_collections.netdevops.ovs_docker.plugins.plugin_utils._lab import container_labels
    info = [{'name': 'con1', 'id': 'a' * 64, 'state': 'running', 'labels': MARK}, {'name': 'x', 'labels': None}]
    host_info = [{'Names': ['/con1'], 'Labels': MARK}, {'Names': ['/x'], 'Labels': None}]
    assert container_labels(info) == container_labels(host_info) == {'con1': MARK, 'x': {}}


def test_the_overlay_as_a_vxlan_link_without_the_matrixs_peers():
    overlay = {'bridge': 'br0', 'vni': 42, 'remotes': ['198.18.0.2'], 'peers': ['198.18.1.3'], 'port': None}
    assert lab.lab_vxlans(overlay, 'vxlan42') == [{'name': 'vxlan42', 'bridge': 'br0', 'vni': 42, 'remotes': ['198.18.0.2']}]
    assert lab.lab_vxlans({}, 'vxlan0') == []


def test_rules_of_other_labs():
    seed = lab.lab_rule_comment('seed')
    lines = ['-A POSTROUTING -s 192.168.1.0/24 -m comment --comment "%s" -j MASQUERADE' % seed,
             '-A POSTROUTING -s 192.168.1.0/24 -j MASQUERADE',
             '-A POSTROUTING -s 192.168.9.0/24 -m comment --comment "users lab seed2" -j MASQUERADE']
    assert not lab.lab_other_rules(lines, seed)
    assert lab.lab_other_rules(lines + [lines[0].replace(seed, lab.lab_rule_comment('seed2'))], seed)


def test_nat_pending_is_what_iptables_does_not_hold_as_it_should():
    seed = lab.lab_rule_comment('seed')
    saved = ['*filter', ':FORWARD DROP [0:0]',
             '-A FORWARD -s 198.18.1.0/24 -m comment --comment "%s" -j ACCEPT' % seed,
             '-A FORWARD -d 198.18.1.0/24 -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment "%s" -j ACCEPT' % seed,
             '-A FORWARD -s 198.19.113.0/24 -m comment --comment "%s" -j ACCEPT' % seed, 'COMMIT',
             '*nat', '-A POSTROUTING -s 198.18.1.0/24 ! -d 198.18.1.0/24 -m comment --comment "%s" -j MASQUERADE' % seed, 'COMMIT']
    rules = [['198.18.1.250/24', 'present'], ['198.19.113.1/24', 'absent']]
    # every rule of the routed subnet is there; the other's FORWARD rule is still to go
    assert lab.lab_nat_pending(saved, rules, seed) == {'masquerade': [], 'out': [['198.19.113.1/24', 'absent']], 'back': []}
    # nothing saved (no iptables-save): every rule to keep is still to do, none to remove
    assert lab.lab_nat_pending([], rules, seed) == dict((k, [['198.18.1.250/24', 'present']]) for k in ('masquerade', 'out', 'back'))
    # a rule in the wrong table is not the rule; another lab's comment is not this lab's
    moved = [line.replace('*nat', '*mangle') for line in saved]
    assert lab.lab_nat_pending(moved, rules[:1], seed)['masquerade'] == [['198.18.1.250/24', 'present']]
    other = [line.replace(seed, lab.lab_rule_comment('other')) for line in saved]
    assert lab.lab_nat_pending(other, rules, seed)['out'] == [['198.18.1.250/24', 'present']]


def test_the_attachment_keys_are_the_roles_argument_spec():
    """One list (plugin_utils/_lab.py) for the filters, the preflight and the role's spec."""
    import os
    import yaml
    from ansible_collections.netdevops.ovs_docker.plugins.plugin_utils._lab import ATTACHMENT_KEYS
    spec_file = os.path.join(os.path.dirname(lab.__file__), '..', '..', 'roles', 'lab', 'meta', 'argument_specs.yml')
    with open(spec_file) as handle:
        options = yaml.safe_load(handle)['argument_specs']['main']['options']
    own = {'lab_namespaces': {'name', 'bridge', 'interface', 'host_interface', 'verify'},
           'lab_containers': {'name', 'bridge', 'interface', 'image', 'command'}}
    for var, keys in own.items():
        assert set(options[var]['options']) - keys == set(ATTACHMENT_KEYS), var


def test_nat_rules_present_for_the_routed_subnets_absent_for_the_others():
    bridges = [{'name': 'br0', 'addresses': ['192.168.1.250/24', '2001:db8::1/64']},
               {'name': 'up0', 'addresses': ['198.19.113.1/24'], 'nat': False}, {'name': 'ovl0'}]
    assert lab.lab_nat_rules(bridges, lab.lab_nat_subnets(bridges, True)) == [
        ['192.168.1.250/24', 'present'], ['198.19.113.1/24', 'absent']]
    assert lab.lab_nat_rules(bridges, []) == [['192.168.1.250/24', 'absent'], ['198.19.113.1/24', 'absent']]


def test_ping_lines_for_the_shell():
    cells = [{'kind': 'container', 'source': 'con1', 'target': 'br0', 'address': '192.168.1.250'},
             {'kind': 'namespace', 'source': 'ns1', 'target': 'con1', 'address': '192.168.1.2'}]
    assert lab.lab_ping_lines(cells) == 'container con1 192.168.1.250\nnamespace ns1 192.168.1.2'


def test_the_fleet_picture_is_written_once_by_the_first_host_of_the_last_batch():
    hosts = ['vm1', 'vm2', 'vm3']
    assert lab.lab_fleet_writer('vm1', hosts, hosts, hosts)
    assert not lab.lab_fleet_writer('vm2', hosts, hosts, hosts)
    assert not lab.lab_fleet_writer('vm1', hosts, ['vm1'], ['vm1'])  # a rollout's first batch: not all read yet
    assert lab.lab_fleet_writer('vm3', hosts, hosts, ['vm3'])  # its last batch
    assert not lab.lab_fleet_writer('vm1', ['vm1'], ['vm1'], ['vm1'])  # one host: no fleet


def test_the_labs_containers_carry_its_mark_as_a_label():
    assert lab.lab_labels('seed') == {_marks.LAB: 'seed'}
    assert 'lab_labels' in lab.FilterModule().filters()


def test_the_lab_containers_as_the_topology_modules_items():
    containers = [{'name': 'con1', 'bridge': 'br0'}, {'name': 'con2', 'bridge': 'br0', 'image': 'frr', 'command': ['sleep', '9']}]
    items = lab.lab_nodes(containers, 'present', 'seed', 'busybox:latest', 'top', persistent=True, capabilities=['NET_RAW'])
    assert items == [
        {'name': 'con1', 'image': 'busybox:latest', 'command': 'top', 'network_mode': 'none', 'labels': {_marks.LAB: 'seed'},
         'restart_policy': 'unless-stopped', 'capabilities': ['NET_RAW']},
        {'name': 'con2', 'image': 'frr', 'command': ['sleep', '9'], 'network_mode': 'none', 'labels': {_marks.LAB: 'seed'},
         'restart_policy': 'unless-stopped', 'capabilities': ['NET_RAW']}]
    assert all(_container.desired_state(item)[1] == [] for item in items)  # what the module takes
    assert lab.lab_nodes(containers, 'present', 'seed', 'busybox', 'top')[0] == {
        'name': 'con1', 'image': 'busybox', 'command': 'top', 'network_mode': 'none', 'labels': {_marks.LAB: 'seed'}}
    assert lab.lab_nodes(containers, 'absent', 'seed', 'busybox', 'top') == [
        {'name': 'con1', 'state': 'absent'}, {'name': 'con2', 'state': 'absent'}]
