# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Links and addresses through netlink (pyroute2). Works with pyroute2 0.7 (Debian 12) and 0.9.

pyroute2 costs about 0.3 s to import, so it is imported on first use: a module run that needs
no netlink does not pay for it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import time
import traceback

IFF_UP = 0x1


class NetlinkError(Exception):
    """A netlink failure, worded for the user; ``code`` is the errno the kernel gave."""

    def __init__(self, message, code=None):
        super(NetlinkError, self).__init__(message)
        self.code = code


def import_error():
    """None when pyroute2 imports, else its traceback (for missing_required_lib)."""
    try:
        import pyroute2  # noqa: F401 pylint: disable=unused-import
    except ImportError:
        return traceback.format_exc()
    return None


class Netlink(object):
    """One rtnetlink socket in the host's namespace (more namespaces come with netns_veth)."""

    def __init__(self):
        self._ipr = None

    @property
    def ipr(self):
        if self._ipr is None:
            from pyroute2 import IPRoute
            self._ipr = IPRoute()
        return self._ipr

    def close(self):
        if self._ipr is not None:
            self._ipr.close()
            self._ipr = None

    def _call(self, what, fn, *args, **kwargs):
        from pyroute2.netlink.exceptions import NetlinkError as PyNetlinkError
        try:
            return fn(*args, **kwargs)
        except PyNetlinkError as exc:
            raise NetlinkError('%s: %s' % (what, exc.args[1] if len(exc.args) > 1 else exc), exc.code)

    # -- reads ---------------------------------------------------------------------------------

    def link(self, name):
        """{'index', 'name', 'state': 'up'|'down', 'mtu', 'mac'} or None when there is no such link."""
        indices = self.ipr.link_lookup(ifname=name)
        if not indices:
            return None
        msg = self._call('reading link %s' % name, self.ipr.get_links, indices[0])[0]
        return {
            'index': msg['index'],
            'name': msg.get_attr('IFLA_IFNAME'),
            'state': 'up' if msg['flags'] & IFF_UP else 'down',
            'mtu': msg.get_attr('IFLA_MTU'),
            'mac': msg.get_attr('IFLA_ADDRESS'),
        }

    def await_link(self, name, timeout):
        """The link, once it exists: ovs-vswitchd creates a bridge's internal interface shortly
        after it applied the transaction. None after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        delay = 0.005
        while True:
            link = self.link(name)
            if link is not None or time.monotonic() >= deadline:
                return link
            time.sleep(delay)
            delay = min(delay * 2, 0.2)

    def addresses(self, index):
        """Every address on the link as canonical 'ADDRESS/PREFIX' strings."""
        import ipaddress
        result = []
        for msg in self._call('reading addresses', self.ipr.get_addr, index=index):
            address = msg.get_attr('IFA_ADDRESS') if msg['family'] == 10 else (msg.get_attr('IFA_LOCAL') or msg.get_attr('IFA_ADDRESS'))
            result.append(str(ipaddress.ip_interface('%s/%d' % (address, msg['prefixlen']))))
        return result

    # -- writes --------------------------------------------------------------------------------

    def set_state(self, index, state):
        self._call('setting link %d %s' % (index, state), self.ipr.link, 'set', index=index, state=state)

    def add_address(self, index, cidr):
        address, prefixlen = cidr.split('/')
        try:
            self._call('adding %s' % cidr, self.ipr.addr, 'add', index=index, address=address, prefixlen=int(prefixlen))
        except NetlinkError as exc:
            if exc.code != errno.EEXIST:
                raise

    def del_address(self, index, cidr):
        address, prefixlen = cidr.split('/')
        try:
            self._call('removing %s' % cidr, self.ipr.addr, 'del', index=index, address=address, prefixlen=int(prefixlen))
        except NetlinkError as exc:
            if exc.code != errno.EADDRNOTAVAIL:
                raise
