# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab role's preflight: every bad item found at once, each named by variable and index."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.netdevops.ovs_docker.plugins.action import lab_validate
from ansible_collections.netdevops.ovs_docker.plugins.action.lab_validate import problems

SEED_BRIDGES = [{'name': 'br0', 'addresses': ['192.168.1.250/24']}]
SEED_NAMESPACES = [{'name': 'ns1', 'bridge': 'br0', 'interface': 'veth1', 'host_interface': 'veth0',
                    'addresses': ['192.168.1.1/24'], 'gateway': '192.168.1.250'}]
SEED_CONTAINERS = [{'name': 'con1', 'bridge': 'br0', 'interface': 'eth0', 'addresses': ['192.168.1.2/24'],
                    'gateway': '192.168.1.250'}]


def test_the_seed_is_fine():
    assert problems(SEED_BRIDGES, SEED_NAMESPACES, SEED_CONTAINERS) == []


def test_nothing_is_fine():
    assert problems([], [], []) == []


def test_every_problem_is_found_and_placed():
    found = problems(
        SEED_BRIDGES + [{'name': 'br0-much-too-long', 'addresses': ['10.0.0.1/33']}],
        [dict(SEED_NAMESPACES[0], gateway='10.9.9.9')],
        [dict(SEED_CONTAINERS[0], mtu=20), dict(SEED_CONTAINERS[0], name='con2', mac='01:00:00:00:00:01')])
    assert len(found) == 5, found
    assert found[0].startswith("lab_bridges[1] (br0-much-too-long): name 'br0-much-too-long' is 17 characters")
    assert found[1].startswith("lab_bridges[1] (br0-much-too-long): addresses[0] '10.0.0.1/33'")
    assert found[2].startswith('lab_namespaces[0] (ns1): ') and '10.9.9.9' in found[2]
    assert found[3].startswith('lab_containers[0] (con1): ') and 'mtu 20 is out of range' in found[3]
    assert found[4].startswith('lab_containers[1] (con2): ') and 'multicast' in found[4]


def test_an_item_given_twice():
    found = problems(SEED_BRIDGES * 2, SEED_NAMESPACES, SEED_CONTAINERS)
    assert found == ['lab_bridges[1] (br0): the same as lab_bridges[0] (br0); give each one once']


def test_a_container_on_two_bridges_by_two_interfaces_is_fine():
    second = dict(SEED_CONTAINERS[0], interface='eth1', bridge='br1', addresses=['10.0.0.2/24'], gateway=None)
    assert problems(SEED_BRIDGES, [], SEED_CONTAINERS + [second]) == []


def test_an_item_without_name():
    assert problems([{'addresses': []}], [], []) == ['lab_bridges[0] (None): each item needs a name']


def test_a_long_interface_in_a_namespace():
    found = problems([], [dict(SEED_NAMESPACES[0], interface='x' * 16)], [])
    assert len(found) == 1 and found[0].startswith('lab_namespaces[0] (ns1): ') and '16 characters' in found[0]


REMOTE = {'bridge': 'uplink0', 'host_address': '203.0.113.1/24', 'namespace': 'vm2', 'address': '203.0.113.2/24'}


def test_a_simulated_remote_is_checked_like_the_rest():
    assert problems(SEED_BRIDGES, SEED_NAMESPACES, SEED_CONTAINERS, REMOTE) == []
    found = problems(SEED_BRIDGES, SEED_NAMESPACES, SEED_CONTAINERS, dict(REMOTE, address='203.0.113.2'))
    assert len(found) == 1 and found[0].startswith('lab_simulated_remote[0] (vm2): ') and '203.0.113.2' in found[0]


def test_a_simulated_remote_needs_all_four_keys():
    assert problems([], [], [], {'bridge': 'uplink0'}) == [
        'lab_simulated_remote: give host_address, namespace, address too (or leave it empty for no simulated remote)']


def test_a_simulated_remote_may_not_reuse_a_lab_name():
    found = problems(SEED_BRIDGES, SEED_NAMESPACES, SEED_CONTAINERS, dict(REMOTE, bridge='br0'))
    assert found == ['lab_simulated_remote[0] (br0): the same as lab_bridges[0] (br0); give each one once']


def test_the_overlay_is_checked_as_ovs_vxlan_checks_it():
    from ansible_collections.netdevops.ovs_docker.plugins.action.lab_validate import overlay_problems
    good = {'bridge': 'br0', 'vni': 42, 'local': '192.0.2.11', 'remotes': ['192.0.2.12'], 'mtu': 1450}
    assert overlay_problems({}, SEED_BRIDGES) == []
    assert overlay_problems(good, SEED_BRIDGES) == []
    assert overlay_problems(dict(good, vni=0), SEED_BRIDGES) == ['lab_overlay: vni 0 is out of range: give 1 to 16777215']
    assert overlay_problems(dict(good, bridge='ovl0'), SEED_BRIDGES) == [
        'lab_overlay: bridge ovl0 is not one of lab_bridges: add it there']


@pytest.mark.parametrize('name, ok', [('seed', True), ('lab-2.a_b', True), ('', False), ('two words', False),
                                      ('x' * 33, False), ('-dash', False), ('quote"', False)])
def test_the_labs_name_is_plain(name, ok):
    assert bool(lab_validate._LAB_NAME.match(name)) is ok
