# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The marks as they are written on real systems: the one test that spells them, because hosts
carry them from earlier releases (and ovs-docker's own ports carry the first four): a change here
is a change of contract, not a refactoring."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import marks


def test_the_marks_keep_their_spelling():
    assert (marks.CONTAINER_ID, marks.CONTAINER_IFACE, marks.NETNS, marks.NETNS_IFACE) == (
        'container_id', 'container_iface', 'netns', 'netns_iface')  # ovs-docker's port contract
    assert marks.ENGINE == 'container_engine'
    assert marks.RECORD == 'netdevops.ovs_docker.persistent'
    assert marks.EGRESS == ('netdevops.ovs_docker', 'egress')
    assert (marks.VXLAN, marks.VXLAN_ALIAS) == ('ovs_vxlan', 'netdevops.ovs_docker ovs_vxlan')
    assert marks.VETH_LINK == 'netdevops.ovs_docker.veth_link'
    assert (marks.CONTAINER_SPEC, marks.container_aside('r1')) == ('netdevops.ovs_docker.spec', 'r1.replaced')
    assert (marks.LAB_RULE, marks.lab_rule_comment('seed')) == ('netdevops.ovs_docker lab', 'netdevops.ovs_docker lab seed')
    assert (marks.LAB, marks.CLAB, marks.CLAB_NODE) == (
        'netdevops.ovs_docker.lab', 'netdevops.ovs_docker.clab', 'netdevops.ovs_docker.clab.node')
    assert (marks.MIRROR, marks.NETWORK_SPEC) == (('netdevops.ovs_docker', 'mirror'), 'netdevops.ovs_docker.network')
    assert marks.bridge_alias({'netdevops.ovs_docker.clab': 'lbr', 'a': 'b'}) == 'netdevops.ovs_docker.bridge a=b,netdevops.ovs_docker.clab=lbr'


def test_port_name_is_stable_and_ovs_docker_shaped():
    name = marks.port_name('a' * 64, 'eth0')
    assert name == hashlib.sha1(('a' * 64 + '/eth0').encode('utf-8')).hexdigest()[:13] + '_l'
    assert name == marks.port_name('a' * 64, 'eth0') != marks.port_name('a' * 64, 'eth1')
    assert len(name) == 15 and name.endswith('_l') and all(c in '0123456789abcdef' for c in name[:13])


def test_veth_alias_round_trip_and_digest():
    assert marks.veth_alias('r1:eth1--r2:eth1') == 'netdevops.ovs_docker.veth_link r1:eth1--r2:eth1'
    assert marks.veth_key(marks.veth_alias('r1:eth1--r2:eth1')) == 'r1:eth1--r2:eth1'
    long_key = 'x' * 300
    alias = marks.veth_alias(long_key)
    assert len(alias) <= marks.VETH_ALIAS_MAX and marks.veth_key(alias).startswith('sha1:')
    assert marks.veth_key('netdevops.ovs_docker ovs_vxlan') is None and marks.veth_key(None) is None
    assert marks.veth_key('netdevops.ovs_docker.veth_linkx') is None


def test_clab_names_of_a_link_across_hosts():
    assert (marks.clab_bridge(0xabc), marks.clab_vxlan(0xabc)) == ('clx000abc', 'cvx000abc')
    assert marks.clab_vxlan_of('clx000abc') == 'cvx000abc'
    assert marks.clab_vxlan_of('clxyz') is None and marks.clab_vxlan_of('br0') is None and marks.clab_vxlan_of('clxzzzzzz') is None


def test_mirror_mark():
    assert marks.is_mirror({'netdevops.ovs_docker': 'mirror'}) and not marks.is_mirror({'netdevops.ovs_docker': 'egress'})
    assert not marks.is_mirror(None)


def test_egress_mark():
    assert marks.is_egress({'netdevops.ovs_docker': 'egress', 'x': 'y'})
    assert not marks.is_egress({'netdevops.ovs_docker': 'other'}) and not marks.is_egress(None)
