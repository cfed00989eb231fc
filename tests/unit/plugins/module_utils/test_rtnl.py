# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The hand-written rtnetlink codec (_rtnl) and what _netlink makes of its messages: encoded
messages are checked byte for byte against the kernel's layout, decoded ones built the way the
kernel builds them (the integration tests then run the same code against the real kernel)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import socket
import struct

import pytest

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._system import netlink as _netlink
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._system import rtnl as _rtnl


def test_nla_pads_to_four_bytes_and_marks_nested():
    assert _rtnl.nla(_rtnl.IFLA_IFNAME, _rtnl.name('eth0')) == struct.pack('=HH', 9, 3) + b'eth0\0' + b'\0\0\0'
    nested = _rtnl.nla(_rtnl.IFLA_LINKINFO, [_rtnl.nla(_rtnl.IFLA_INFO_KIND, b'veth')])
    size, kind = struct.unpack_from('=HH', nested)
    assert (size, kind) == (12, _rtnl.IFLA_LINKINFO | _rtnl.NLA_F_NESTED)
    assert _rtnl.attrs(nested)[_rtnl.IFLA_LINKINFO] == _rtnl.nla(_rtnl.IFLA_INFO_KIND, b'veth')


def test_headers_have_the_kernels_sizes():
    assert len(_rtnl.ifinfo()) == 16 and len(_rtnl.ifaddr(2, 24, 5)) == 8 and len(_rtnl.rtmsg(2)) == 12
    family, _type, index, flags, change = struct.unpack('=BxHiII', _rtnl.ifinfo(index=7, flags=1, change=1))
    assert (family, index, flags, change) == (0, 7, 1, 1)


def test_attrs_stops_at_a_truncated_attribute_and_keeps_the_last_of_a_type():
    data = _rtnl.nla(4, _rtnl.u32(1500)) + _rtnl.nla(4, _rtnl.u32(9000)) + struct.pack('=HH', 2, 1)
    assert _rtnl.as_u32(_rtnl.attrs(data)[4]) == 9000


def link_body(index=3, flags=1, **extra):
    """An RTM_NEWLINK body as the kernel sends one (with statistics this codec skips)."""
    found = [_rtnl.nla(_rtnl.IFLA_IFNAME, _rtnl.name(extra.get('name', 'veth0'))),
             _rtnl.nla(_rtnl.IFLA_MTU, _rtnl.u32(extra.get('mtu', 1500))),
             _rtnl.nla(_rtnl.IFLA_ADDRESS, _rtnl.mac('02:00:00:00:00:0a')),
             _rtnl.nla(7, b'\0' * 200)]  # IFLA_STATS: skipped
    if 'link' in extra:
        found.append(_rtnl.nla(_rtnl.IFLA_LINK, _rtnl.u32(extra['link'])))
    if extra.get('netnsid') is not None:
        found.append(_rtnl.nla(_rtnl.IFLA_LINK_NETNSID, struct.pack('=i', extra['netnsid'])))
    if 'master' in extra:
        found.append(_rtnl.nla(_rtnl.IFLA_MASTER, _rtnl.u32(extra['master'])))
    if 'info' in extra:
        found.append(_rtnl.nla(_rtnl.IFLA_LINKINFO, extra['info']))
    return _rtnl.ifinfo(index=index, flags=flags, attrs=found)


def test_a_veth_in_another_namespace():
    info = [_rtnl.nla(_rtnl.IFLA_INFO_KIND, b'veth\0')]
    link = _netlink._link_dict(link_body(link=12, netnsid=0, master=4, info=info))
    assert link['name'] == 'veth0' and link['kind'] == 'veth' and link['index'] == 3
    assert link['peer_index'] == 12 and link['peer_elsewhere'] is True and link['master'] == 4
    assert link['state'] == 'up' and link['mtu'] == 1500 and link['mac'] == '02:00:00:00:00:0a'


def test_a_link_without_kind_peer_or_master():
    link = _netlink._link_dict(link_body(name='lo', flags=0))
    assert link['kind'] is None and link['peer_index'] is None and link['peer_elsewhere'] is False
    assert link['master'] is None and link['state'] == 'down' and link['vxlan'] is None


def test_vxlan_data_port_in_network_byte_order_and_vlan_id():
    data = [_rtnl.nla(_rtnl.IFLA_VXLAN_ID, _rtnl.u32(42)), _rtnl.nla(_rtnl.IFLA_VXLAN_PORT, struct.pack('>H', 4789)),
            _rtnl.nla(_rtnl.IFLA_VXLAN_LOCAL, socket.inet_aton('198.51.100.7')),
            _rtnl.nla(_rtnl.IFLA_VXLAN_LEARNING, b'\0')]
    info = [_rtnl.nla(_rtnl.IFLA_INFO_KIND, b'vxlan\0'), _rtnl.nla(_rtnl.IFLA_INFO_DATA, data)]
    link = _netlink._link_dict(link_body(info=info))
    assert link['vxlan'] == {'vni': 42, 'port': 4789, 'local': '198.51.100.7', 'learning': False}
    info = [_rtnl.nla(_rtnl.IFLA_INFO_KIND, b'vlan\0'), _rtnl.nla(_rtnl.IFLA_INFO_DATA, [_rtnl.nla(1, struct.pack('=H', 20))])]
    assert _netlink._link_dict(link_body(info=info))['vlan_id'] == 20


@pytest.mark.parametrize('cidr,family,prefix,local', [
    ('198.51.100.1/24', 2, 24, True),
    ('2001:db8::1/64', 10, 64, False),
])
def test_an_address_request_and_its_reading(cidr, family, prefix, local):
    body = _netlink.Netlink._addr_body(9, cidr)
    fields, found = _rtnl.addr_message(body)
    assert (fields['family'], fields['prefixlen'], fields['index']) == (family, prefix, 9)
    assert (_rtnl.IFA_LOCAL in found) is local  # IPv4 as ip(8) sends it: local and address
    assert _netlink._address_of(body) == (9, cidr)


def test_a_default_route_message():
    body = _rtnl.rtmsg(2, attrs=[_rtnl.nla(_rtnl.RTA_GATEWAY, socket.inet_aton('198.51.100.250'))])
    fields, found = _rtnl.route_message(body)
    assert fields == {'family': 2, 'dst_len': 0, 'table': 254, 'type': _rtnl.RTN_UNICAST, 'protocol': _rtnl.RTPROT_STATIC}
    assert found[_rtnl.RTA_GATEWAY] == socket.inet_aton('198.51.100.250')
    # a table above 255 comes in RTA_TABLE, and wins
    fields, _found = _rtnl.route_message(_rtnl.rtmsg(2, table=252, attrs=[_rtnl.nla(_rtnl.RTA_TABLE, _rtnl.u32(1000))]))
    assert fields['table'] == 1000


class FakeSocket(object):
    """Answers from a list of datagrams, as the kernel would send them."""

    def __init__(self, datagrams):
        self.datagrams = list(datagrams)
        self.sent = []

    def send(self, data):
        self.sent.append(data)

    def recv(self, size):
        return self.datagrams.pop(0)


def message(kind, seq, body, flags=0):
    return struct.pack('=IHHII', 16 + len(body), kind, flags, seq, 0) + body + b'\0' * (-len(body) % 4)


def make_socket(datagrams):
    sock = _rtnl.Socket.__new__(_rtnl.Socket)
    sock.sock, sock.seq = FakeSocket(datagrams), 0
    return sock


def test_a_dump_over_two_datagrams_skipping_a_late_answer_to_another_request():
    one, two = link_body(index=1, name='lo'), link_body(index=2, name='eth0')
    sock = make_socket([message(_rtnl.RTM_NEWLINK, 99, one) + message(_rtnl.RTM_NEWLINK, 1, one),
                        message(_rtnl.RTM_NEWLINK, 1, two) + message(_rtnl.NLMSG_DONE, 1, b'\0' * 4)])
    assert [_netlink._link_dict(b)['name'] for b in sock.dump(_rtnl.RTM_GETLINK, _rtnl.ifinfo())] == ['lo', 'eth0']
    size, kind, flags, seq, _port = struct.unpack_from('=IHHII', sock.sock.sent[0])
    assert (kind, flags & _rtnl.NLM_F_DUMP, seq, size) == (_rtnl.RTM_GETLINK, _rtnl.NLM_F_DUMP, 1, 32)


def test_an_error_carries_the_errno_and_an_ack_ends_a_change():
    sock = make_socket([message(_rtnl.NLMSG_ERROR, 1, struct.pack('=i', -17))])
    with pytest.raises(_rtnl.RtnlError) as info:
        sock.do(_rtnl.RTM_NEWLINK, _rtnl.ifinfo())
    assert info.value.code == 17
    sock = make_socket([message(_rtnl.NLMSG_ERROR, 1, struct.pack('=i', 0))])
    assert sock.do(_rtnl.RTM_DELLINK, _rtnl.ifinfo(index=3)) is None


def test_a_prefetch_holds_until_any_change():
    netlink = _netlink.Netlink()
    netlink._sock = make_socket([message(_rtnl.RTM_NEWLINK, 1, link_body(index=2, name='eth0')) + message(_rtnl.NLMSG_DONE, 1, b'\0' * 4),
                                 message(_rtnl.NLMSG_ERROR, 2, struct.pack('=i', 0))])
    netlink.prefetch()
    assert netlink.link('eth0')['index'] == 2 and netlink.link('eth9') is None  # from the dump: no request
    assert len(netlink._sock.sock.sent) == 1
    other = _netlink.Netlink()
    other._sock = make_socket([message(_rtnl.NLMSG_ERROR, 1, struct.pack('=i', 0))])
    other.set_link(5, state='up')  # a change through another Netlink (a veth's peer lands here)
    assert netlink._cached() is None
