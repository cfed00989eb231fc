# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The host's own traffic: an address put on an interface of the host's namespace (a bridge's)
adds a route for its subnet, and that route must not take traffic away from what the host
already uses: its addresses and routes on other interfaces (the default route aside: every new
subnet is more specific than it), its gateways, its name servers and the peers of its established
connections. read() looks (reads only); collisions() decides (pure, unit-tested)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import sys

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._system import rtnl as _rtnl

RESOLV_CONF = '/etc/resolv.conf'
PROC_TCP = ('/proc/net/tcp', '/proc/net/tcp6')
TCP_ESTABLISHED = '01'


def name_servers(path=RESOLV_CONF):
    """The name servers of resolv.conf (none when it cannot be read)."""
    found = []
    try:
        with open(path) as handle:
            for line in handle:
                words = line.split()
                if len(words) >= 2 and words[0] == 'nameserver':
                    found.append(words[1].split('%')[0])  # (an IPv6 scope is no part of the address)
    except (IOError, OSError):
        pass
    return found


def _proc_address(text):
    """An address as /proc/net/tcp{,6} prints it: hex, each 32-bit word in the host's byte order."""
    raw = bytes.fromhex(text)
    if sys.byteorder == 'little':
        raw = b''.join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
    address = ipaddress.ip_address(raw)
    return address.ipv4_mapped or address if address.version == 6 else address


def tcp_peers(paths=PROC_TCP):
    """The remote addresses of this namespace's established TCP connections."""
    found = set()
    for path in paths:
        try:
            with open(path) as handle:
                next(handle, None)  # the header
                for line in handle:
                    fields = line.split()
                    if len(fields) > 3 and fields[3] == TCP_ESTABLISHED:
                        found.add(str(_proc_address(fields[2].split(':')[0])))
        except (IOError, OSError, ValueError):
            continue
    return sorted(found)


def read(netlink):
    """What the host uses, from its namespace (reads only): {'addresses': [(CIDR, link name)],
    'routes': [(NETWORK, link name, gateway, protocol)], 'peers': [(address, what it is: '{}' stands for it)]}."""
    names = dict((link['index'], link['name']) for link in netlink.links())
    addresses = [(cidr, names.get(index, str(index))) for index, found in netlink.all_addresses().items() for cidr in found]
    routes = [(r['dst'], names.get(r['index']), r['gateway'], r['protocol']) for r in netlink.routes()]
    peers = [(gateway, 'the gateway {} of route %s' % dst) for dst, _dev, gateway, _p in routes if gateway]
    peers += [(server, 'the name server {}') for server in name_servers()]
    peers += [(peer, 'the peer {} of an established connection') for peer in tcp_peers()]
    return {'addresses': addresses, 'routes': routes, 'peers': peers}


def _usable(network):
    # link-local subnets are on every link by design (fe80::/64), multicast is no route for a subnet
    return not (network.is_link_local or network.is_multicast)


def collisions(cidr, interface, host):
    """What of the host's an address ``cidr`` on ``interface`` would take traffic from: a text
    each, in the order found (none: the subnet is free)."""
    network = ipaddress.ip_interface(cidr).network
    if not _usable(network):
        return []
    found = []
    own = []  # the subnets the interface already has: traffic there goes through it already
    for address, dev in host['addresses']:
        other = ipaddress.ip_interface(address).network
        if other.version != network.version or not _usable(other):
            continue
        if dev == interface:
            own.append(other)
        elif other.overlaps(network):
            found.append('address %s on %s' % (address, dev))
    for dst, dev, gateway, protocol in host['routes']:
        other = ipaddress.ip_network(dst)
        # (a route the kernel made for an address is named by that address, above)
        if (dev == interface or other.prefixlen == 0 or protocol == _rtnl.RTPROT_KERNEL
                or other.version != network.version or not _usable(other)):
            continue
        if other.overlaps(network):
            found.append('route %s%s%s' % (dst, ' via %s' % gateway if gateway else '', ' dev %s' % dev if dev else ''))
    for address, what in host['peers']:
        ip = ipaddress.ip_address(address)
        if (ip.version == network.version and ip in network and not ip.is_loopback
                and not any(ip in subnet for subnet in own)):
            found.append(what.format(address))
    return list(dict.fromkeys(found))


def refusal(cidr, interface, found, option='allow_host_overlap'):
    """The message for an address whose subnet collides with the host's own."""
    network = ipaddress.ip_interface(cidr).network
    return ("address %s on %s would route %s there and take this host's own traffic away from: %s. Nothing was "
            "changed: choose a subnet this host does not use (198.18.0.0/15, the benchmarking range, is no real network's), or set "
            "%s: true if this is meant" % (cidr, interface, network, '; '.join(found), option))
