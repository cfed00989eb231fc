# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab role's logic (plugins/filter/lab.py): variables in, batches and the ping matrix out."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.netdevops.ovs_docker.plugins.filter import lab

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
