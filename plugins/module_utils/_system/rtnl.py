# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rtnetlink requests of the hot path, spoken on a plain socket.

Why not pyroute2 for these: measured on the test machine (pyroute2 0.9.7), a request through
IPRoute costs 0.35 ms of Python (an asyncio loop run per request) and decoding one link message
0.24 ms (every attribute the kernel sends, nested statistics included), against about 0.02 ms for
the kernel's own work; an attach of 100 containers makes about 1,500 of them. Here a request is
one send and one receive, and a reply is decoded only for the attributes this collection reads.
pyroute2 stays for the rest (namespaces, VLAN and VXLAN links, the forwarding database): see
_netlink.

Wire format: linux/netlink.h, linux/rtnetlink.h, linux/if_link.h, linux/if_addr.h.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import socket
import struct

NETLINK_ROUTE = 0
SOL_NETLINK = 270
NETLINK_CAP_ACK = 10  # errors do not echo the whole request back

NLMSG_ERROR, NLMSG_DONE = 2, 3
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 0x1, 0x4, 0x300
NLM_F_REPLACE, NLM_F_EXCL, NLM_F_CREATE = 0x100, 0x200, 0x400

RTM_NEWLINK, RTM_DELLINK, RTM_GETLINK = 16, 17, 18
RTM_NEWADDR, RTM_DELADDR, RTM_GETADDR = 20, 21, 22
RTM_NEWROUTE, RTM_DELROUTE, RTM_GETROUTE = 24, 25, 26

IFLA_ADDRESS, IFLA_IFNAME, IFLA_MTU, IFLA_LINK, IFLA_MASTER = 1, 3, 4, 5, 10
IFLA_LINKINFO, IFLA_IFALIAS, IFLA_GROUP, IFLA_NET_NS_FD, IFLA_LINK_NETNSID = 18, 20, 27, 28, 37
IFLA_INFO_KIND, IFLA_INFO_DATA = 1, 2
VETH_INFO_PEER = 1
IFLA_VLAN_ID = 1
IFLA_VXLAN_ID, IFLA_VXLAN_LOCAL, IFLA_VXLAN_LEARNING, IFLA_VXLAN_PORT, IFLA_VXLAN_LOCAL6 = 1, 4, 7, 15, 17
IFA_ADDRESS, IFA_LOCAL = 1, 2
RTA_DST, RTA_OIF, RTA_GATEWAY, RTA_TABLE = 1, 4, 5, 15
NLA_TYPE_MASK = 0x3fff  # without the nested / byte-order flags
NLA_F_NESTED = 0x8000

IFF_UP = 0x1
RT_TABLE_MAIN, RT_TABLE_LOCAL, RTPROT_KERNEL, RTPROT_STATIC = 254, 255, 2, 4
RT_SCOPE_UNIVERSE, RT_SCOPE_NOWHERE, RTN_UNICAST = 0, 255, 1

_HEADER = struct.Struct('=IHHII')      # nlmsghdr: length, type, flags, sequence, port id
_IFINFO = struct.Struct('=BxHiII')     # ifinfomsg: family, type, index, flags, change
_IFADDR = struct.Struct('=BBBBI')      # ifaddrmsg: family, prefixlen, flags, scope, index
_RTMSG = struct.Struct('=BBBBBBBBI')   # rtmsg: family, dst_len, src_len, tos, table, protocol, scope, type, flags
_NLA = struct.Struct('=HH')


class RtnlError(Exception):
    """The kernel refused a request: ``code`` is its errno."""

    def __init__(self, code):
        super(RtnlError, self).__init__(os.strerror(code))
        self.code = code


# -- encoding ----------------------------------------------------------------------------------

def nla(kind, payload):
    """One attribute, padded to 4 bytes; ``payload``: bytes, or a list of attributes (nested)."""
    if isinstance(payload, list):
        payload = b''.join(payload)
        kind |= NLA_F_NESTED
    size = _NLA.size + len(payload)
    return _NLA.pack(size, kind) + payload + b'\0' * (-size % 4)


def u32(value):
    return struct.pack('=I', value)


def name(value):
    return value.encode() + b'\0'


def mac(value):
    return bytes(int(part, 16) for part in value.split(':'))


def ifinfo(index=0, flags=0, change=0, attrs=()):
    return _IFINFO.pack(0, 0, index, flags, change) + b''.join(attrs)


def ifaddr(family, prefixlen, index, attrs=()):
    return _IFADDR.pack(family, prefixlen, 0, 0, index) + b''.join(attrs)


def rtmsg(family, table=RT_TABLE_MAIN, protocol=RTPROT_STATIC, scope=RT_SCOPE_UNIVERSE, kind=RTN_UNICAST, flags=0,
          attrs=()):
    """A route message for a default route (dst_len 0). A deletion gives protocol 0, scope
    RT_SCOPE_NOWHERE and kind 0, as ip(8) does: any default route of the table matches."""
    return _RTMSG.pack(family, 0, 0, 0, table, protocol, scope, kind, flags) + b''.join(attrs)


# -- decoding ----------------------------------------------------------------------------------

def attrs(data, offset=0, end=None):
    """{type: payload bytes} of the attributes in data[offset:end] (the last of a repeated type)."""
    end = len(data) if end is None else end
    found = {}
    while offset + 4 <= end:
        size, kind = _NLA.unpack_from(data, offset)
        if size < 4:
            break
        found[kind & NLA_TYPE_MASK] = data[offset + 4:offset + size]
        offset += (size + 3) & ~3
    return found


def as_u32(payload):
    return struct.unpack('=I', payload[:4])[0] if payload is not None else None


def as_str(payload):
    return payload.split(b'\0', 1)[0].decode() if payload is not None else None


def as_mac(payload):
    return ':'.join('%02x' % b for b in payload) if payload else None


def link_message(data):
    """(ifinfomsg fields, attributes, linkinfo attributes) of an RTM_NEWLINK message body."""
    _family, _type, index, flags, _change = _IFINFO.unpack_from(data)
    found = attrs(data, _IFINFO.size)
    info = attrs(found[IFLA_LINKINFO]) if IFLA_LINKINFO in found else {}
    return {'index': index, 'flags': flags}, found, info


def addr_message(data):
    family, prefixlen, _flags, _scope, index = _IFADDR.unpack_from(data)
    return {'family': family, 'prefixlen': prefixlen, 'index': index}, attrs(data, _IFADDR.size)


def route_message(data):
    family, dst_len, _src, _tos, table, protocol, _scope, kind, _flags = _RTMSG.unpack_from(data)
    found = attrs(data, _RTMSG.size)
    if RTA_TABLE in found:
        table = as_u32(found[RTA_TABLE])
    return {'family': family, 'dst_len': dst_len, 'table': table, 'type': kind, 'protocol': protocol}, found


# -- the socket --------------------------------------------------------------------------------

class Socket(object):
    """An rtnetlink socket of the namespace this thread is in when it is made."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_ROUTE)
        try:
            self.sock.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
        except OSError:  # older kernels: errors carry the request back, which is only longer
            pass
        self.sock.bind((0, 0))
        self.seq = 0

    def close(self):
        self.sock.close()

    def _send(self, kind, flags, body):
        self.seq += 1
        self.sock.send(_HEADER.pack(_HEADER.size + len(body), kind, flags, self.seq, 0) + body)
        return self.seq

    def _replies(self, seq):
        """The bodies of the replies to request ``seq``, up to its ack or the end of its dump."""
        while True:
            data = self.sock.recv(1 << 17)
            offset = 0
            while offset + _HEADER.size <= len(data):
                size, kind, _flags, got, _port = _HEADER.unpack_from(data, offset)
                body = data[offset + _HEADER.size:offset + size]
                offset += (size + 3) & ~3
                if got != seq:
                    continue  # a late answer to an earlier request
                if kind == NLMSG_DONE:
                    return
                if kind == NLMSG_ERROR:
                    code = -struct.unpack_from('=i', body)[0]
                    if code:
                        raise RtnlError(code)
                    return
                yield body

    def dump(self, kind, body):
        """Every message of a dump request, as bodies."""
        return list(self._replies(self._send(kind, NLM_F_REQUEST | NLM_F_DUMP, body)))

    def get(self, kind, body):
        """The one answer to a request (RTM_GETLINK of a name or index)."""
        replies = list(self._replies(self._send(kind, NLM_F_REQUEST | NLM_F_ACK, body)))
        return replies[0] if replies else None

    def do(self, kind, body, flags=0):
        """A change, acknowledged by the kernel (RtnlError when refused)."""
        for _body in self._replies(self._send(kind, NLM_F_REQUEST | NLM_F_ACK | flags, body)):
            pass
