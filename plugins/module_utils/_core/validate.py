# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Input checks shared by the modules. Pure functions: each returns an error message that names
the problem and the fix, or None; nothing here touches the system."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re

IFNAMSIZ = 15  # Linux interface names: 16 bytes with the terminating NUL
_IFNAME = re.compile(r'^[A-Za-z0-9_.-]+$')
# A link's MTU as Linux takes it (68: IPv4's least), and the least IPv6 needs on a link.
MTU_MIN, MTU_MAX, MTU_IPV6_MIN = 68, 65535, 1280


def mtu(value):
    """None when ``value`` is an MTU a link can have, else the message."""
    if not MTU_MIN <= int(value) <= MTU_MAX:
        return "mtu %s is out of range: give %d to %d" % (value, MTU_MIN, MTU_MAX)
    return None


def interface_name(name, what='name'):
    if not name:
        return "%s is empty: give an interface name of 1 to %d characters" % (what, IFNAMSIZ)
    if len(name) > IFNAMSIZ:
        return ("%s %r is %d characters long; Linux interface names are at most %d: choose a shorter name"
                % (what, name, len(name), IFNAMSIZ))
    if name in ('.', '..') or not _IFNAME.match(name):
        return ("%s %r is not a valid interface name: use letters, digits, '_', '-' and '.' only"
                % (what, name))
    return None


def parse_cidr(value, what='address'):
    """'192.168.1.250/24' -> (ip_interface, None); anything else -> (None, message).

    The prefix length is required: a bare address would silently become a /32 or /128.
    """
    text = str(value).strip()
    example = '192.168.1.250/24 or 2001:db8::1/64'
    if '/' not in text:
        return None, ("%s %r has no prefix length: write ADDRESS/PREFIX, for example %s"
                      % (what, text, example))
    try:
        iface = ipaddress.ip_interface(text)
    except ValueError:
        return None, "%s %r is not an IPv4 or IPv6 address with prefix length (for example %s)" % (what, text, example)
    if iface.ip.is_multicast or iface.ip.is_unspecified or (iface.version == 4 and iface.ip.is_loopback) \
            or (iface.version == 6 and iface.ip.is_loopback):
        return None, "%s %r cannot be an interface address (multicast, unspecified or loopback)" % (what, text)
    return iface, None


def parse_cidrs(values, what='addresses'):
    """A list of CIDRs -> (canonical strings, sorted and without duplicates, [errors])."""
    seen, errors = [], []
    for i, value in enumerate(values or []):
        iface, error = parse_cidr(value, '%s[%d]' % (what, i))
        if error:
            errors.append(error)
        elif str(iface) not in seen:
            seen.append(str(iface))
    return sort_cidrs(seen), errors


def parse_addresses(values, what='addresses'):
    """parse_cidrs, refusing link-local addresses: the kernel makes and keeps those itself."""
    cidrs, errors = parse_cidrs(values, what)
    errors.extend("%s: %s is link-local; the kernel makes and keeps those by itself: leave it out" % (what, a)
                  for a in cidrs if is_link_local(a))
    return cidrs, errors


def managed(cidrs):
    """The addresses a module manages out of what a link has: sorted, link-local ones left out."""
    return sort_cidrs(c for c in cidrs if not is_link_local(c))


def sort_cidrs(cidrs):
    """IPv4 before IPv6, then by address: a stable order makes diffs readable."""
    return sorted(cidrs, key=lambda c: (ipaddress.ip_interface(c).version, ipaddress.ip_interface(c)))


def is_link_local(cidr):
    return ipaddress.ip_interface(cidr).ip.is_link_local


def ovsdb_map(value, what):
    """An OVSDB string map from user input: values become strings (true/false for booleans, as
    OVS spells them); a null value means 'remove this key'. Returns (dict, error)."""
    result = {}
    for key, item in (value or {}).items():
        if isinstance(item, (dict, list)):
            return None, "%s.%s must be a string, number or boolean, not a %s" % (what, key, type(item).__name__)
        if item is None:
            result[str(key)] = None
        elif isinstance(item, bool):
            result[str(key)] = 'true' if item else 'false'
        else:
            result[str(key)] = str(item)
    return result, None
