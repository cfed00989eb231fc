# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A link is made only once ovs-vswitchd has taken out the ports this run removed (Ovsdb.settle):
taking a port out, it works on the device of that name, and a new pair or VXLAN link of that name
made before it would be left down (a restart repair on a busy switch; the ovs_docker_port target
shows it on the real daemons)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.engine import Action as A, Plan
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains import vxlan as _vxlan
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains.attachment import apply as _attach_apply


class Recorder(object):
    """Stands in for Ovsdb and Netlink at once: every call is written down in order."""

    def __init__(self):
        self.calls = []

    def settle(self):
        self.calls.append('settle')

    def add_veth(self, name, peer, peer_netns):
        self.calls.append('add_veth %s' % name)

    def add_vxlan(self, name, vni, port, local=None):
        self.calls.append('add_vxlan %s' % name)

    def link(self, name):
        return {'index': 7}

    def index(self, name):
        return 7

    def set_link(self, index, **attrs):
        self.calls.append('set_link')


def test_a_new_pair_waits_for_removed_ports_first():
    world = Recorder()
    links = _attach_apply.AttachmentLinks({'netns_path': '/proc/1/ns/net'}, world, db=world)
    links.run([A('veth', 'c1h', {'peer': 'eth0'}, None)])
    assert world.calls == ['settle', 'add_veth c1h']


def test_the_batch_gives_its_pairs_the_database():
    world = Recorder()
    desired = {'netns_path': '/proc/1/ns/net'}
    steps = _attach_apply.schedule([Plan(desired, None, [A('veth', 'c1h', {'peer': 'eth0'}, None)])], world, world)
    executor, action = steps[0]
    executor.run([action])
    assert world.calls == ['settle', 'add_veth c1h']


def test_deleting_a_pair_does_not_wait():
    world = Recorder()
    links = _attach_apply.AttachmentLinks({'netns_path': '/proc/1/ns/net'}, world, db=world)
    world.del_link = lambda index: world.calls.append('del_link')
    links.run([A('veth', 'c1h', None, {'peer': 'eth0'})])
    assert world.calls == ['del_link']


def test_a_new_vxlan_link_waits_for_removed_ports_first():
    world = Recorder()
    link = _vxlan.VxlanLink(world, 'vx0', world)
    link.run([A('vxlan', 'vx0', {'vni': 42, 'port': 4789, 'local': '198.51.100.1'}, None)])
    assert world.calls == ['settle', 'add_vxlan vx0', 'set_link']  # (then its own mark, the ifalias)
