# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""containerlab topology files read into what each host builds (plugins/plugin_utils/_clab.py,
plugins/filter/clab.py): the subset, containerlab's inheritance, placement, refusals."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import os

import pytest
import yaml

from ansible.errors import AnsibleFilterError

from ansible_collections.netdevops.ovs_docker.plugins.filter import clab
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import marks as _marks
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import runner as _runner
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains.host_part import HostPart
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains import container as _container
from ansible_collections.netdevops.ovs_docker.plugins.plugin_utils import _clab

FILES = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'integration', 'targets', 'clab', 'files')
IMAGES = {'alpine:3.20': 'ovs-docker-test:busybox'}
UNDERLAY = {'vm1': '198.18.60.1', 'vm2': '198.18.60.2', 'vm3': '198.18.60.3'}


def load(name):
    with open(os.path.join(FILES, name)) as handle:
        return yaml.safe_load(handle)


def refused(topology, hosts=('h',), **kwargs):
    with pytest.raises(_clab.ClabError) as caught:
        _clab.plan(topology, list(hosts), **kwargs)
    return caught.value.problems


def test_the_chain_is_three_containers_and_two_veth_links():
    plan = _clab.plan(load('chain.clab.yml'), ['h'], images=IMAGES, mgmt=False)
    host = plan['hosts']['h']
    assert [c['name'] for c in host['containers']] == ['clab-chain-r1', 'clab-chain-r2', 'clab-chain-r3']
    assert host['containers'][0]['image'] == 'ovs-docker-test:busybox' and host['containers'][0]['network_mode'] == 'none'
    assert host['containers'][0]['labels'] == {_marks.CLAB: 'chain', _marks.CLAB_NODE: 'r1'}
    mac = _clab.node_mac
    assert host['links'] == [
        {'ends': [{'container': 'clab-chain-r1', 'interface': 'eth1', 'addresses': ['198.18.50.1/30'], 'mac': mac('chain', 'r1', 'eth1')},
                  {'container': 'clab-chain-r2', 'interface': 'eth1', 'addresses': ['198.18.50.2/30'], 'mac': mac('chain', 'r2', 'eth1')}],
         'mtu': 9500, 'other_addresses': 'keep'},
        {'ends': [{'container': 'clab-chain-r2', 'interface': 'eth2', 'addresses': ['198.18.50.5/30'], 'mac': mac('chain', 'r2', 'eth2')},
                  {'container': 'clab-chain-r3', 'interface': 'eth1', 'addresses': ['198.18.50.6/30'], 'mac': mac('chain', 'r3', 'eth1')}],
         'mtu': 9500, 'other_addresses': 'keep'}]
    # derived MACs: unicast, locally administered, apart
    assert len(set(e['mac'] for link in host['links'] for e in link['ends'])) == 4
    assert all(int(e['mac'][:2], 16) & 3 == 2 for link in host['links'] for e in link['ends'])
    assert host['ports'] == host['bridges'] == host['vxlans'] == host['networks'] == [] and plan['notes'] == []


def test_the_management_network_is_containerlabs_each_nodes_eth0_on_it():
    # without mgmt: containerlab's defaults; the bridge named (mgmt-net links are its ports)
    host = _clab.plan(load('chain.clab.yml'), ['h'], images=IMAGES)['hosts']['h']
    assert host['networks'] == [{'name': 'clab', 'ipv4_subnet': '172.20.20.0/24', 'ipv6_subnet': '3fff:172:20:20::/64',
                                 'bridge': 'br-clab', 'labels': {_marks.CLAB: 'chain'}}]
    assert [(c['network_mode'], c['networks']) for c in host['containers']] == [(None, [{'name': 'clab'}])] * 3
    assert host['containers'][0]['sysctls'] == {_clab.IPV6_ON: '0'}
    # the file's: one subnet given, no default for the other; mgmt-ipv4/-ipv6 and aliases; network-mode keeps a node off it
    nodes = {'a': {'mgmt-ipv4': '198.18.20.1', 'aliases': ['alpha']}, 'b': {}, 'c': {'network-mode': 'none', 'mgmt-ipv4': '198.18.20.9'}}
    topo = {'name': 't', 'mgmt': {'network': 'm1', 'ipv4-subnet': '198.18.20.0/24', 'ipv4-gw': '198.18.20.254', 'external-access': False},
            'topology': {'defaults': {'kind': 'linux', 'image': 'i'}, 'nodes': nodes,
                         'links': [{'endpoints': ['a:eth1', 'mgmt-net:a-eth1']}]}}
    plan = _clab.plan(topo, ['h'])
    host = plan['hosts']['h']
    assert host['networks'] == [{'name': 'm1', 'ipv4_subnet': '198.18.20.0/24', 'ipv4_gateway': '198.18.20.254', 'bridge': 'br-m1',
                                 'labels': {_marks.CLAB: 't'}}]
    assert [c.get('networks') for c in host['containers']] == [
        [{'name': 'm1', 'ipv4_address': '198.18.20.1', 'aliases': ['alpha']}], [{'name': 'm1'}], None]
    assert host['links'][0]['ends'][1] == {'host': True, 'interface': 'a-eth1', 'master': 'br-m1', 'mac': _clab.node_mac('t', 'mgmt-net', 'a-eth1')}
    assert plan['notes'] == ['mgmt: external-access is ignored (the engine\'s own rules apply)',
                             'node c: mgmt-ipv4 ignored: the node is not on the management network (network-mode none)']
    assert 'mgmt-net' not in plan['nodes']
    # off: no network, no node on it; a mgmt-net link refused
    assert refused(topo, mgmt=False) == ['links[0]: a mgmt-net link needs the management network, which is off (clab_mgmt)']
    del topo['topology']['links']
    assert _clab.plan(topo, ['h'], mgmt=False)['hosts']['h']['networks'] == []


def test_the_management_networks_bad_input_is_refused():
    topo = {'name': 't', 'mgmt': {'ipv4-subnet': '198.18.20.0/24'}, 'topology': {'defaults': {'kind': 'linux', 'image': 'i'}, 'nodes': {
        'a': {'mgmt-ipv4': '198.18.21.1'}, 'b': {'mgmt-ipv4': '198.18.20.1'}, 'c': {'mgmt-ipv4': '198.18.20.7'},
        'd': {'mgmt-ipv4': '198.18.20.7'}, 'e': {'mgmt-ipv6': 'fdff::1'}}}}
    assert refused(topo) == [
        "node a: mgmt-ipv4 198.18.21.1 is not in the management network's 198.18.20.0/24 (mgmt.ipv4-subnet)",
        'node e: mgmt-ipv6 fdff::1 needs an IPv6 subnet on the management network: give mgmt.ipv6-subnet',
        "node b: its management address 198.18.20.1 is the network's gateway",
        "node d: its management address 198.18.20.7 is node c's too"]
    assert refused({'name': 't', 'mgmt': {'ipv4-subnet': '198.18.20.1/24', 'ipv6': 1}, 'topology': {'nodes': {'a': {'kind': 'linux', 'image': 'i'}}}}) == [
        'mgmt: key ipv6 is not supported by this collection (docs/tasks/containerlab.md lists what is)',
        "mgmt: ipv4-subnet '198.18.20.1/24' is not a subnet (198.18.20.1/24 has host bits set): give one as 198.18.20.0/24"]


def test_the_star_hangs_its_nodes_on_the_bridge_node():
    plan = _clab.plan(load('star.clab.yml'), ['h'], images=IMAGES)
    host = plan['hosts']['h']
    assert host['bridges'] == [{'name': 'sw1', 'node': 'sw1'}] and plan['nodes']['sw1'] == {'kind': 'ovs-bridge', 'host': 'h', 'bridge': 'sw1'}
    assert host['ports'] == [{'container': 'clab-star-h%d' % i, 'interface': 'eth1', 'bridge': 'sw1',
                              'addresses': ['198.18.51.%d/24' % i], 'mtu': 9500, 'mac': _clab.node_mac('star', 'h%d' % i, 'eth1'),
                              'other_addresses': 'keep', 'host_interface': 'p%d' % i}
                             for i in (1, 2, 3)]
    assert host['links'] == []
    # (each named as its endpoint says: a name twice in one host's namespace is refused)
    topo = load('star.clab.yml')
    topo['topology']['nodes']['sw2'] = {'kind': 'ovs-bridge'}
    topo['topology']['links'][2]['endpoints'][1] = {'node': 'sw2', 'interface': 'p1'}
    assert refused(topo, images=IMAGES) == [
        'host h: p1 is the name of 2 interfaces in its namespace (bridge ports and host links are named as their endpoints '
        'say): rename all but one']


def test_inheritance_is_containerlabs():
    plan = _clab.plan(load('inherit.clab.yml'), ['h'], images=IMAGES)
    by_node = dict((c['node'], c) for c in plan['hosts']['h']['containers'])
    # prefix __lab-name: LAB-NODE
    assert by_node['s1']['name'] == 'inherit-s1'
    # a group's env key wins over the defaults', the others merge
    assert by_node['s1']['env'] == {'ROLE': 'spine', 'SITE': 'lab'}
    assert by_node['l1']['env'] == {'ROLE': 'node', 'SITE': 'lab', 'RACK': '1'}
    assert by_node['s1']['labels']['tier'] == 'spine' and by_node['l2']['labels']['tier'] == 'leaf'
    assert by_node['l1']['labels']['tier'] == 'any'
    assert by_node['s1']['exec'] == ['ip addr add 198.18.52.101/32 dev lo'] and 'exec' not in by_node['l1']
    assert all(c['command'] == 'sleep infinity' for c in by_node.values())
    first, second = plan['hosts']['h']['links']
    assert first['mtu'] == 1400 and [e['mac'] for e in first['ends']] == ['02:18:52:00:00:01', '02:18:52:00:00:02']
    assert second['mtu'] == 9000 and second['ends'][1]['mac'] == _clab.node_mac('inherit', 'l2', 'eth1')


def test_scalars_come_from_node_group_kind_defaults_in_that_order():
    topo = {'name': 't', 'topology': {
        'defaults': {'kind': 'linux', 'image': 'd', 'restart-policy': 'no', 'group': 'g'},
        'kinds': {'linux': {'image': 'k', 'cmd': 'kind-cmd'}},
        'groups': {'g': {'image': 'g'}},
        'nodes': {'a': {}, 'b': {'image': 'n'}, 'c': {'group': 'h'}},
    }}
    topo['topology']['groups']['h'] = {'user': 'u'}
    found = dict((c['node'], c) for c in _clab.plan(topo, ['h'])['hosts']['h']['containers'])
    assert found['a']['image'] == 'g' and found['b']['image'] == 'n' and found['c']['image'] == 'k'
    assert found['c']['user'] == 'u' and found['a']['command'] == 'kind-cmd' and found['a']['restart_policy'] == 'no'


def test_a_groups_kind_and_binds_merged_by_destination():
    topo = {'name': 't', 'topology': {
        'defaults': {'binds': ['/a:/data', 'rel/x:/x:ro']},
        'groups': {'g': {'kind': 'linux', 'image': 'i', 'binds': ['/b:/data']}},
        'nodes': {'n': {'group': 'g'}}}}
    found = _clab.plan(topo, ['h'], base_dir='/labs')['hosts']['h']['containers'][0]
    assert sorted(found['volumes']) == ['/b:/data', '/labs/rel/x:/x:ro']


def test_images_are_mapped_exactly_or_by_the_wildcard():
    topo = {'name': 't', 'topology': {'nodes': {'a': {'kind': 'linux', 'image': 'x:1'}, 'b': {'kind': 'linux', 'image': 'y:1'}}}}
    found = _clab.plan(topo, ['h'], images={'x:1': 'local/x', '*': 'local/any'})['hosts']['h']['containers']
    assert [c['image'] for c in found] == ['local/x', 'local/any']
    assert [c['image'] for c in _clab.plan(topo, ['h'])['hosts']['h']['containers']] == ['x:1', 'y:1']


def test_keys_that_only_tune_a_container_go_to_the_engine_and_ignored_ones_are_named():
    topo = {'name': 't', 'topology': {'nodes': {'a': {
        'kind': 'linux', 'image': 'i', 'cpu': 1.5, 'memory': '1Gb', 'ports': ['80:8080'], 'dns': {'servers': ['198.18.0.53']},
        'image-pull-policy': 'IfNotPresent', 'restart-policy': 'Always', 'startup-config': 'x.cfg'}}}}
    plan = _clab.plan(topo, ['h'])
    found = plan['hosts']['h']['containers'][0]
    assert found['cpus'] == 1.5 and found['memory'] == '1Gb' and found['published_ports'] == ['80:8080']
    assert found['dns_servers'] == ['198.18.0.53'] and found['pull'] == 'missing' and found['restart_policy'] == 'always'
    assert plan['notes'] == ["node a: startup-config is ignored (a network OS's configuration)"]


def test_network_mode_container_names_the_other_nodes_container_and_host_is_refused():
    topo = {'name': 't', 'topology': {'defaults': {'kind': 'linux', 'image': 'i'},
                                      'nodes': {'a': {}, 'b': {'network-mode': 'container:a'}}}}
    found = _clab.plan(topo, ['h'])['hosts']['h']['containers']
    assert found[1]['network_mode'] == 'container:clab-t-a'
    topo['topology']['nodes']['b']['network-mode'] = 'host'
    assert refused(topo) == ["node b: network-mode host is refused: its links would put interfaces among the host's own"]


def test_placement_by_variable_then_label_then_the_first_host():
    plan = _clab.plan(load('fleet-chain.clab.yml'), ['vm1', 'vm2', 'vm3'], placement={'r3': 'vm1'}, underlay=UNDERLAY)
    assert [plan['nodes'][n]['host'] for n in ('r1', 'r2', 'r3')] == ['vm1', 'vm2', 'vm1']
    topo = load('chain.clab.yml')
    assert set(n['host'] for n in _clab.plan(topo, ['vm2', 'vm1'])['nodes'].values()) == {'vm2'}


def test_a_link_across_hosts_is_a_vxlan_link_of_its_own_on_each_side():
    plan = _clab.plan(load('fleet-chain.clab.yml'), ['vm1', 'vm2', 'vm3'], underlay=UNDERLAY)
    vni = _clab.link_vni('fchain', 'r1:eth1--r2:eth1')
    bridge, vxlan = 'clx%06x' % vni, 'cvx%06x' % vni
    vm1, vm2 = plan['hosts']['vm1'], plan['hosts']['vm2']
    assert vm1['bridges'] == [{'name': bridge, 'link': 'r1:eth1--r2:eth1'}]
    assert vm1['ports'] == [{'container': 'clab-fchain-r1', 'interface': 'eth1', 'bridge': bridge, 'addresses': ['198.18.53.1/30'],
                             'mtu': 1450, 'mac': _clab.node_mac('fchain', 'r1', 'eth1'), 'other_addresses': 'keep'}]
    assert vm1['vxlans'] == [{'name': vxlan, 'bridge': bridge, 'vni': vni, 'local': '198.18.60.1', 'remotes': ['198.18.60.2']}]
    assert {'name': vxlan, 'bridge': bridge, 'vni': vni, 'local': '198.18.60.2', 'remotes': ['198.18.60.1']} in vm2['vxlans']
    assert len(vm2['bridges']) == 2 and vm1['links'] == vm2['links'] == []
    assert 0 < vni < 2 ** 24 and len(bridge) <= 15


def test_a_host_without_underlay_address_is_named():
    problems = refused(load('fleet-chain.clab.yml'), hosts=('vm1', 'vm2', 'vm3'), underlay={'vm1': '198.18.60.1'})
    assert 'links[0]: host vm2 has no underlay address for the VXLAN link: set its clab_underlay_address' in problems


@pytest.mark.parametrize('change, words', [
    (lambda t: t['topology']['nodes']['r2'].update(kind='nokia_srlinux'),
     'node r2: kind nokia_srlinux is not supported (linux, ovs-bridge, bridge, host are'),
    (lambda t: t['topology']['links'][1].update(endpoints=['r2:eth2', 'r9:eth1']),
     'links[1]: endpoint r9:eth1 names node r9, which is not in topology.nodes'),
    (lambda t: t['topology']['links'][1].update(endpoints=['r2:eth1', 'r3:eth1']),
     'links[1]: interface r2:eth1 is used by links[0] already: an interface joins one link'),
    (lambda t: t['topology']['nodes']['r1'].update({'startup-delay-x': 3}),
     'node r1: key startup-delay-x is not supported by this collection (docs/tasks/containerlab.md lists what is)'),
    (lambda t: t['topology']['kinds'].update({'linux': {'sysctl': {}}}),
     'topology.kinds.linux: key sysctl is not supported'),
    (lambda t: t['topology']['links'].append({'type': 'macvlan', 'endpoint': {'node': 'r1'}}), 'links[2]: link type macvlan is not supported'),
    (lambda t: t['topology']['links'][0].update(ipv4=['198.18.50.1']), 'links[0]: ipv4 must list two addresses'),
    (lambda t: t['topology']['links'][0].update(ipv4=['198.18.50.1', '198.18.50.2/30']),
     "links[0]: ipv4 of r1:eth1 '198.18.50.1' has no prefix length"),
    # the modules' own validators (veth_link would refuse these only after the containers were made)
    (lambda t: t['topology']['links'][0].update(ipv4=['127.0.0.2/8', '198.18.50.2/30']),
     "links[0]: ipv4 of r1:eth1 '127.0.0.2/8' cannot be an interface address (multicast, unspecified or loopback)"),
    (lambda t: t['topology']['links'][0].update(ipv6=['fe80::1/64', 'fe80::2/64']),
     'links[0]: ipv6 of r1:eth1: fe80::1/64 is link-local; the kernel makes and keeps those by itself: leave it out'),
    (lambda t: t['topology']['links'][0].update(endpoints=[{'node': 'r1', 'interface': 'eth1', 'mac': '01:00:5e:00:00:01'}, 'r2:eth1']),
     'links[0]: mac of r1:eth1 01:00:5e:00:00:01 is a multicast address'),
    (lambda t: t['topology']['links'][0].update(endpoints=['r1:eth1-much-too-long', 'r2:eth1']),
     "links[0]: node r1 interface 'eth1-much-too-long' is 18 characters long; Linux interface names are at most 15"),
    (lambda t: t['topology']['links'][0].update(mtu=70000), 'links[0]: mtu 70000 is out of range: give 68 to 65535'),
    (lambda t: t['topology']['nodes']['r1'].pop('image'), 'node r1: no image'),
    (lambda t: t.update(settings={}), 'the topology file: key settings is not supported'),
    (lambda t: t['topology']['nodes']['r1'].update(group='g9'), 'node r1: group g9 is not in topology.groups'),
])
def test_bad_files_are_refused_naming_the_key_and_the_node(change, words):
    topology = copy.deepcopy(load('chain.clab.yml'))
    topology['topology'].setdefault('kinds', {})
    change(topology)
    problems = refused(topology)
    assert any(words in p for p in problems), problems


def test_several_problems_are_all_named_at_once_and_the_filter_says_nothing_was_made():
    topology = load('chain.clab.yml')
    topology['topology']['nodes']['r1']['kind'] = 'ceos'
    topology['topology']['links'][1]['endpoints'] = ['r2:eth2', 'r9:eth1']
    with pytest.raises(AnsibleFilterError) as caught:
        clab.clab_plan(topology, ['h'])
    assert str(caught.value).startswith('the topology is refused, nothing was made: ')
    assert 'kind ceos' in str(caught.value) and 'node r9' in str(caught.value)


def test_a_placement_outside_the_play_is_refused():
    assert refused(load('chain.clab.yml'), placement={'r1': 'vm9'}) == [
        'node r1 is placed on vm9, which is not a host of this play (h): set clab_placement or its label host to one of them']


def test_a_bridge_and_a_node_on_two_hosts_are_refused():
    topology = load('star.clab.yml')
    problems = refused(topology, hosts=('vm1', 'vm2'), placement={'h1': 'vm2'})
    assert problems == ['links[0]: node h1 (on vm2) and bridge sw1 (on vm1) must be on one host: place them together']


def test_a_hosts_part_is_one_run_of_ovs_docker_topology():
    host = _clab.plan(load('star.clab.yml'), ['h'], images=IMAGES)['hosts']['h']
    part = _clab.host_part(host, 'star')
    mark = {_marks.CLAB: 'star'}
    # what the role keeps for itself left out of the containers, each valid for the module
    assert [n['name'] for n in part['containers']] == [c['name'] for c in host['containers']]
    assert not any('exec' in n or 'node' in n for n in part['containers'])
    assert part['adopt_labels'] == part['prune_labels'] == mark
    # sw1 (an ovs-bridge node): used as it is if it is there, else made and marked
    assert part['bridges'] == [{'name': 'sw1', 'datapath_type': 'auto', 'external_ids': mark, 'existing': 'keep'}]
    assert part['ports'] == host['ports'] and part['links'] == host['links'] and part['vxlans'] == host['vxlans']
    assert part['purge'] == [c['name'] for c in host['containers']]
    own = HostPart(_runner.Invocation(_runner.checked_params(HostPart, part)))
    assert own.validate() == []
    assert [section for section, _part in own.all_parts] == ['networks', 'bridges', 'containers', 'links', 'ports']
    assert part['networks'] == host['networks'] and host['networks'][0]['name'] == 'clab'


def test_container_names_follow_containerlabs_prefix():
    assert _clab.container_name('lab', None, 'n') == 'clab-lab-n'
    assert _clab.container_name('lab', '', 'n') == 'n'
    assert _clab.container_name('lab', '__lab-name', 'n') == 'lab-n'
    assert _clab.container_name('lab', 'p', 'n') == 'p-lab-n'


def test_each_hosts_links_and_ports_are_checked_by_the_modules_own_validators():
    hosts = {'h': {'links': [{'ends': [{'container': 'c1', 'interface': 'eth1', 'addresses': ['127.0.0.2/8'], 'mac': None},
                                       {'container': 'c2', 'interface': 'eth1', 'addresses': None, 'mac': None}], 'mtu': 9500}],
                   'ports': [{'container': 'c3', 'interface': 'eth1', 'bridge': 'br0', 'addresses': ['198.18.50.1/24'],
                              'mtu': 100, 'mac': None}]}}
    assert _clab._checked_by_the_modules(hosts) == [
        "link c1:eth1--c2:eth1: ends[0].addresses[0] '127.0.0.2/8' cannot be an interface address (multicast, unspecified or loopback)"]
    hosts['h']['ports'][0]['addresses'] = ['2001:db8::1/64']
    assert _clab._checked_by_the_modules(hosts)[1:] == [
        'container c3: mtu 100 is below 1280, the least IPv6 needs, and IPv6 addresses are asked for']
    hosts['h']['containers'] = [{'name': 'clab-x-r1', 'node': 'r1', 'image': 'frr', 'memory': 'lots', 'exec': ['true']}]
    assert _clab._checked_by_the_modules(hosts)[0] == (
        "node r1: memory 'lots' is not a size: give a number of bytes with an optional unit (k, m, g, t), as 512m")


def test_nodes_are_privileged_with_ipv6_on_unless_the_play_turns_it_down():
    chain = load('chain.clab.yml')
    node = _clab.plan(chain, ['h'], images=IMAGES)['hosts']['h']['containers'][0]
    assert node['privileged'] is True and 'capabilities' not in node
    assert node['sysctls'] == {'net.ipv6.conf.all.disable_ipv6': '0'}
    node = _clab.plan(chain, ['h'], images=IMAGES, privileged=False)['hosts']['h']['containers'][0]
    assert 'privileged' not in node and node['capabilities'] == ['NET_ADMIN']
    # a node in another's namespace sets no sysctl of it (the engine refuses net.* there)
    chain['topology']['nodes']['r2']['network-mode'] = 'container:r1'
    r2 = _clab.plan(chain, ['h'], images=IMAGES)['hosts']['h']['containers'][1]
    assert r2['network_mode'] == 'container:clab-chain-r1' and 'sysctls' not in r2


def test_an_endpoint_without_addresses_leaves_them_to_the_node():
    topo = {'name': 'own', 'topology': {'nodes': {'r1': {'kind': 'linux', 'image': 'i'}, 'r2': {'kind': 'linux', 'image': 'i'},
                                                  'sw': {'kind': 'ovs-bridge'}},
                                        'links': [{'endpoints': ['r1:eth1', 'r2:eth1']},
                                                  {'endpoints': ['r1:eth2', 'sw:p1']}]}}
    host = _clab.plan(topo, ['h'])['hosts']['h']
    assert [sorted(e) for e in host['links'][0]['ends']] == [['container', 'interface', 'mac']] * 2
    assert 'addresses' not in host['ports'][0] and host['ports'][0]['other_addresses'] == 'keep'


@pytest.mark.parametrize('text, environ, want', [
    ('image: ${IMG}', {'IMG': 'frr:10'}, 'image: frr:10'),
    ('image: ${IMG:=frr:9}', {}, 'image: frr:9'),
    ('image: ${IMG:=frr:9}', {'IMG': ''}, 'image: frr:9'),
    ('image: ${IMG=frr:9}', {'IMG': ''}, 'image: '),
    ('image: ${IMG:-x}/${TAG}', {'IMG': 'a'}, 'image: a/'),
    ('cmd: echo $HOME ${NOPE', {'HOME': '/root'}, 'cmd: echo $HOME ${NOPE'),
])
def test_environment_variables_are_expanded_as_containerlab_does(text, environ, want):
    assert _clab.expand(text, environ) == want


def test_every_failed_exec_is_named_with_its_node_exit_code_and_output():
    node = {'name': 'clab-x-r1', 'node': 'r1'}
    results = [{'item': [node, 'ip addr add 198.18.0.1/24 dev eth1'], 'rc': 0, 'stdout': '', 'stderr': ''},
               {'item': [node, 'false'], 'rc': 1, 'stdout': 'out', 'stderr': 'err\n', 'failed': False},
               {'item': [dict(node, node='r2'), 'nope'], 'failed': True, 'msg': 'executable file not found'},
               {'item': [node, 'x'], 'skipped': True}]
    assert _clab.exec_report(results, failed=True) == [
        'node r1: false: exit 1: out / err', 'node r2: nope: did not run: executable file not found']
    assert _clab.exec_report(results)[0] == 'node r1: ip addr add 198.18.0.1/24 dev eth1: exit 0'


def test_a_bridge_node_is_the_users_linux_bridge_its_ports_named_as_the_endpoints_say():
    topo = {'name': 'lb', 'topology': {'nodes': {'n1': {'kind': 'linux', 'image': 'i'}, 'br-lb': {'kind': 'bridge'}},
                                       'links': [{'endpoints': ['n1:eth1', 'br-lb:e2']}]}}
    plan = _clab.plan(topo, ['h'])
    host = plan['hosts']['h']
    assert host['bridges'] == host['ports'] == [] and plan['nodes']['br-lb']['kind'] == 'bridge'
    assert host['links'] == [{'ends': [{'container': 'clab-lb-n1', 'interface': 'eth1', 'mac': _clab.node_mac('lb', 'n1', 'eth1')},
                                       {'host': True, 'interface': 'e2', 'master': 'br-lb', 'mac': _clab.node_mac('lb', 'br-lb', 'e2')}],
                              'mtu': 9500, 'other_addresses': 'keep'}]


def test_a_host_link_puts_the_other_end_in_the_hosts_namespace_with_no_address():
    topo = {'name': 'hl', 'topology': {'nodes': {'n1': {'kind': 'linux', 'image': 'i'}},
                                       'links': [{'endpoints': ['n1:eth1', 'host:hl-n1']}]}}
    plan = _clab.plan(topo, ['h'])
    assert plan['hosts']['h']['links'][0]['ends'][1] == {'host': True, 'interface': 'hl-n1', 'mac': _clab.node_mac('hl', 'host', 'hl-n1')}
    assert 'host' not in plan['nodes']
    topo['topology']['links'][0]['ipv4'] = ['198.18.0.1/24', '198.18.0.2/24']
    assert any('host:hl-n1 is an interface of the host, which takes no address' in p for p in refused(topo))


def test_the_labs_inventory_groups_the_nodes_by_kind_reached_through_their_hosts_engines():
    plan = _clab.plan(load('fleet-chain.clab.yml'), ['vm1', 'vm2', 'vm3'], underlay=UNDERLAY)
    found = _clab.inventory(plan, {'vm1': '', 'vm2': 'ssh://root@198.18.60.2'})
    hosts = found['all']['children']['linux']['hosts']
    assert sorted(hosts) == sorted(n['container'] for n in plan['nodes'].values())
    assert hosts['clab-fchain-r1'] == {'ansible_host': 'clab-fchain-r1', 'ansible_connection': 'community.docker.docker'}
    assert hosts['clab-fchain-r2']['ansible_docker_extra_args'] == '-H ssh://root@198.18.60.2'
    star = _clab.inventory(_clab.plan(load('star.clab.yml'), ['h'], images=IMAGES))
    assert list(star['all']['children']) == ['linux']  # (the bridge node is no host)
