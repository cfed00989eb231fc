# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An address on a bridge must not take the host's own traffic away: the decision (pure) and the
reads of resolv.conf and /proc/net/tcp, without root."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import sys

import pytest

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._system import hostnet as _hostnet

KERNEL, STATIC = 2, 4

# A host on the seed's subnet: its LAN on eth1, a default route, Docker's bridge, a static route.
HOST = {
    'addresses': [('127.0.0.1/8', 'lo'), ('192.168.1.77/24', 'eth1'), ('172.17.0.1/16', 'docker0'),
                  ('fe80::1/64', 'eth1'), ('2001:db8:5::7/64', 'eth1')],
    'routes': [('0.0.0.0/0', 'eth1', '192.168.1.1', STATIC), ('192.168.1.0/24', 'eth1', None, KERNEL),
               ('10.20.0.0/16', 'eth1', '192.168.1.254', STATIC), ('fe80::/64', 'eth1', None, KERNEL)],
    'peers': [('192.168.1.1', 'the gateway {} of route 0.0.0.0/0'), ('10.255.255.53', 'the name server {}'),
              ('203.0.113.9', 'the peer {} of an established connection')],
}


@pytest.mark.parametrize('cidr, found', [
    ('192.168.1.250/24', ['address 192.168.1.77/24 on eth1', 'the gateway 192.168.1.1 of route 0.0.0.0/0']),
    ('192.168.0.1/16', ['address 192.168.1.77/24 on eth1', 'the gateway 192.168.1.1 of route 0.0.0.0/0']),
    ('192.168.1.129/25', ['address 192.168.1.77/24 on eth1']),  # inside the LAN: both ways of overlapping
    ('172.17.5.1/24', ['address 172.17.0.1/16 on docker0']),
    ('10.20.30.1/24', ['route 10.20.0.0/16 via 192.168.1.254 dev eth1']),
    ('10.255.255.1/24', ['the name server 10.255.255.53']),
    ('203.0.113.1/24', ['the peer 203.0.113.9 of an established connection']),  # the registry case
    ('127.1.0.1/24', ['address 127.0.0.1/8 on lo']),
    ('2001:db8:5::1/64', ['address 2001:db8:5::7/64 on eth1']),
    ('198.18.1.250/24', []),  # the benchmarking range: nothing real there
    ('fe80::99/64', []),  # link-local: on every link by design
    ('2001:db8:6::1/64', []),
])
def test_what_an_address_would_take_away(cidr, found):
    assert _hostnet.collisions(cidr, 'br0', HOST) == found


def test_the_interfaces_own_subnets_are_no_collision():
    host = dict(HOST, addresses=HOST['addresses'] + [('198.18.1.250/24', 'br0')],
                routes=HOST['routes'] + [('198.18.1.0/24', 'br0', None, KERNEL), ('198.18.0.0/16', 'br0', '198.18.1.9', STATIC)],
                peers=HOST['peers'] + [('198.18.1.9', 'the peer {} of an established connection')])
    # a second address in the bridge's own subnet, its own static route and peer: nothing taken away
    assert _hostnet.collisions('198.18.1.251/24', 'br0', host) == []
    # the same subnet on another bridge: the first bridge's address and route
    assert _hostnet.collisions('198.18.1.1/24', 'br9', host) == [
        'address 198.18.1.250/24 on br0', 'route 198.18.0.0/16 via 198.18.1.9 dev br0',
        'the peer 198.18.1.9 of an established connection']


def test_the_refusal_names_subnet_collision_and_override():
    message = _hostnet.refusal('192.168.1.250/24', 'br0', ['address 192.168.1.77/24 on eth1'])
    assert '192.168.1.0/24' in message and 'address 192.168.1.77/24 on eth1' in message
    assert 'allow_host_overlap: true' in message and 'Nothing was changed' in message


def test_name_servers_are_read(tmp_path):
    conf = tmp_path / 'resolv.conf'
    conf.write_text('# comment\nsearch example\nnameserver 10.255.255.53\nnameserver fe80::1%eth0\noptions x\n')
    assert _hostnet.name_servers(str(conf)) == ['10.255.255.53', 'fe80::1']
    assert _hostnet.name_servers(str(tmp_path / 'missing')) == []


def _word(address_bytes):
    """An address as the kernel prints it in /proc/net/tcp on this machine."""
    if sys.byteorder == 'little':
        address_bytes = b''.join(address_bytes[i:i + 4][::-1] for i in range(0, len(address_bytes), 4))
    return address_bytes.hex().upper()


def test_established_peers_are_read(tmp_path):
    import ipaddress
    v4 = tmp_path / 'tcp'
    v4.write_text('  sl  local_address rem_address   st\n'
                  '   0: %s:0016 %s:D431 01 x\n' % (_word(bytes([192, 0, 2, 2])), _word(bytes([203, 0, 113, 9])))
                  + '   1: %s:0016 %s:0000 0A x\n' % (_word(bytes(4)), _word(bytes(4))))  # listening: no peer
    v6 = tmp_path / 'tcp6'
    mapped = ipaddress.ip_address('::ffff:198.51.100.4').packed
    v6.write_text('  sl  local_address rem_address   st\n'
                  '   0: %s:0016 %s:D431 01 x\n' % (_word(bytes(16)), _word(ipaddress.ip_address('2001:db8::5').packed))
                  + '   1: %s:0016 %s:D432 01 x\n' % (_word(bytes(16)), _word(mapped)))
    assert _hostnet.tcp_peers((str(v4), str(v6), str(tmp_path / 'missing'))) == ['198.51.100.4', '2001:db8::5', '203.0.113.9']


def test_this_machines_own_table_parses():
    # whatever this machine has: every line decodes to an address
    for peer in _hostnet.tcp_peers():
        assert peer
