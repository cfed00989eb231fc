# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Links, addresses, routes and namespaces through netlink (pyroute2 0.7, as in Debian 12, to 0.9).

pyroute2 costs about 0.3 s to import: it is imported on first use (a module run that needs no
netlink does not pay for it), and without the parts this collection does not use (see pyroute2()).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import ctypes
import errno
import fcntl
import importlib.util
import ipaddress
import os
import sys
import time
import traceback
import types

IFF_UP = 0x1
CLONE_NEWNET = 0x40000000
NS_GET_NSTYPE = 0xb703  # ioctl on a namespace file: which kind of namespace it is (Linux 4.11+)
AF_INET, AF_INET6 = 2, 10
RTNH_F_ONLINK = 4
NETNS_RUN_DIR = '/run/netns'
ZERO_MAC = '00:00:00:00:00:00'  # an FDB entry for it says where to flood


class NetlinkError(Exception):
    """A netlink failure, worded for the user; ``code`` is the errno the kernel gave."""

    def __init__(self, message, code=None):
        super(NetlinkError, self).__init__(message)
        self.code = code


_PYROUTE2 = {}


def pyroute2():
    """{'IPRoute', 'NetlinkError', 'netns'} from pyroute2.

    pyroute2's package __init__ loads every API it has (NDB, IPDB, conntrack...), a third of its
    import time, and this collection needs none of them: where the installed pyroute2 allows,
    its modules are loaded without running that __init__, else the ordinary way.
    """
    if not _PYROUTE2:
        light = 'pyroute2' not in sys.modules
        if light:
            spec = importlib.util.find_spec('pyroute2')
            if spec is None or not spec.submodule_search_locations:
                raise ImportError('No module named pyroute2')
            package = types.ModuleType('pyroute2')
            package.__path__ = list(spec.submodule_search_locations)
            package.__spec__ = spec
            sys.modules['pyroute2'] = package
        try:
            _PYROUTE2.update(_load_pyroute2())
        except Exception:  # an older layout that needs its __init__: start again, the ordinary way
            if not light:
                raise
            for name in [m for m in sys.modules if m == 'pyroute2' or m.startswith('pyroute2.')]:
                del sys.modules[name]
            _PYROUTE2.update(_load_pyroute2())
    return _PYROUTE2


def _load_pyroute2():
    from pyroute2.iproute.linux import IPRoute
    from pyroute2.netlink.exceptions import NetlinkError as PyNetlinkError
    from pyroute2 import netns
    return {'IPRoute': IPRoute, 'NetlinkError': PyNetlinkError, 'netns': netns}


def import_error():
    """None when pyroute2 loads, else its traceback (for missing_required_lib)."""
    try:
        pyroute2()
    except ImportError:
        return traceback.format_exc()
    return None


def netns_path(namespace):
    """A namespace name ('ns1') is /run/netns/ns1; a path ('/proc/42/ns/net') is itself."""
    return namespace if namespace.startswith('/') else os.path.join(NETNS_RUN_DIR, namespace)


def _setns(fd):
    if hasattr(os, 'setns'):  # Python 3.12+
        os.setns(fd, CLONE_NEWNET)
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))


@contextlib.contextmanager
def entered(path):
    """Run the block in the network namespace at ``path`` (this thread only), then come back.

    Unlike pyroute2.netns.pushns, it never creates a missing namespace: opening fails instead.
    """
    own = os.open('/proc/thread-self/ns/net', os.O_RDONLY)
    try:
        target = os.open(path, os.O_RDONLY)
        try:
            _setns(target)
            try:
                yield
            finally:
                _setns(own)
        finally:
            os.close(target)
    finally:
        os.close(own)


def netns_identity(path):
    """(st_dev, st_ino) of the network namespace at ``path``; ValueError, worded for the user,
    when the file is not a network namespace (another kind of namespace, a plain file, a directory)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError as exc:
        raise ValueError('cannot be opened: %s' % exc.strerror)
    try:
        try:
            kind = fcntl.ioctl(fd, NS_GET_NSTYPE)
        except OSError:
            kind = None
        if kind != CLONE_NEWNET:
            raise ValueError('is not a network namespace%s' % ('' if kind is None else ' (it is another kind of namespace)'))
        stat = os.fstat(fd)
        return stat.st_dev, stat.st_ino
    finally:
        os.close(fd)


def own_netns_identity():
    """(st_dev, st_ino) of the network namespace this process runs in: the host's."""
    stat = os.stat('/proc/self/ns/net')
    return stat.st_dev, stat.st_ino


_VLAN_SUPPORT = []  # the answer, found once a run (a batch asks for each attachment)


def vlan_support():
    """Can this kernel make 802.1Q links? /proc/net/vlan exists once the 8021q code is in (built in
    or loaded); else the module must be there to be loaded on first use."""
    if not _VLAN_SUPPORT:
        _VLAN_SUPPORT.append(_find_vlan_support())
    return _VLAN_SUPPORT[0]


def _find_vlan_support():
    if os.path.exists('/proc/net/vlan'):
        return True
    release = os.uname().release
    for index in ('modules.builtin', 'modules.dep'):
        try:
            with open('/lib/modules/%s/%s' % (release, index)) as handle:
                if '/8021q.ko' in handle.read():
                    return True
        except (IOError, OSError):
            continue
    return False


def create_netns(name):
    pyroute2()['netns'].create(name)


def remove_netns(name):
    pyroute2()['netns'].remove(name)


def _canonical(address, prefixlen):
    return str(ipaddress.ip_interface('%s/%d' % (address, prefixlen)))


def _address_of(msg):
    """An address message as canonical 'ADDRESS/PREFIX' (IPv4: the local address, not the peer's)."""
    if msg['family'] == AF_INET6:
        address = msg.get_attr('IFA_ADDRESS')
    else:
        address = msg.get_attr('IFA_LOCAL') or msg.get_attr('IFA_ADDRESS')
    return _canonical(address, msg['prefixlen'])


def _vxlan_info(info):
    """{'vni', 'port', 'local', 'learning'} of a VXLAN link's IFLA_INFO_DATA."""
    data = info.get_attr('IFLA_INFO_DATA')
    if data is None:
        return {}
    local = data.get_attr('IFLA_VXLAN_LOCAL') or data.get_attr('IFLA_VXLAN_LOCAL6')
    return {
        'vni': data.get_attr('IFLA_VXLAN_ID'),
        'port': data.get_attr('IFLA_VXLAN_PORT'),
        'local': str(ipaddress.ip_address(local)) if local else None,
        'learning': bool(data.get_attr('IFLA_VXLAN_LEARNING')),
    }


def _vlan_id(info):
    data = info.get_attr('IFLA_INFO_DATA')
    return data.get_attr('IFLA_VLAN_ID') if data is not None else None


class Netlink(object):
    """One rtnetlink socket, in the host's namespace or in the one at ``netns`` (a path)."""

    def __init__(self, netns=None):
        self.netns = netns
        self._ipr = None
        self._masters = {}

    @property
    def ipr(self):
        if self._ipr is None:
            IPRoute = pyroute2()['IPRoute']  # pylint: disable=invalid-name
            if self.netns is None:
                self._ipr = IPRoute()
            else:
                # A netlink socket works in the namespace it was made in: enter it just for that.
                with entered(self.netns):
                    self._ipr = IPRoute()
        return self._ipr

    def close(self):
        if self._ipr is not None:
            self._ipr.close()
            self._ipr = None

    def _call(self, what, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except pyroute2()['NetlinkError'] as exc:
            where = ' in %s' % self.netns if self.netns else ''
            raise NetlinkError('%s%s: %s' % (what, where, exc.args[1] if len(exc.args) > 1 else exc), exc.code)

    # -- reads ---------------------------------------------------------------------------------

    def link(self, name):
        """{'index', 'name', 'kind', 'peer_index', 'peer_elsewhere', 'master', 'state': 'up'|'down',
        'mtu', 'mac'}, or None."""
        try:  # one request the kernel answers for that name alone
            msg = self._call('reading link %s' % name, self.ipr.link, 'get', ifname=name)[0]
        except NetlinkError as exc:
            if exc.code == errno.ENODEV:
                return None
            raise
        return self._link_dict(msg)

    def link_by_index(self, index):
        """As link(), by index; None when there is no such link here."""
        try:
            msg = self._call('reading link %d' % index, self.ipr.link, 'get', index=index)[0]
        except NetlinkError as exc:
            if exc.code in (errno.ENODEV, errno.EINVAL):
                return None
            raise
        return self._link_dict(msg)

    def master(self, link):
        """(name, kind) of the device ``link`` is enslaved to (docker0: 'bridge'; OVS's kernel
        datapath: 'openvswitch'), or (None, None). Looked up once per master: the ports of a batch
        share a few (every OVS port on the kernel datapath has ovs-system)."""
        index = link.get('master')
        if not index:
            return None, None
        if index not in self._masters:
            master = self.link_by_index(index)
            self._masters[index] = (master['name'], master['kind']) if master else (None, None)
        return self._masters[index]

    @staticmethod
    def _link_dict(msg):
        info = msg.get_attr('IFLA_LINKINFO')
        kind = info.get_attr('IFLA_INFO_KIND') if info is not None else None
        return {
            'index': msg['index'],
            'name': msg.get_attr('IFLA_IFNAME'),
            'kind': kind,
            'vxlan': _vxlan_info(info) if kind == 'vxlan' else None,
            'vlan_id': _vlan_id(info) if kind == 'vlan' else None,
            # a veth's IFLA_LINK is its peer's index (in the peer's namespace)
            'peer_index': msg.get_attr('IFLA_LINK'),
            # set when the peer is in another namespace (the id that namespace has here)
            'peer_elsewhere': msg.get_attr('IFLA_LINK_NETNSID') is not None,
            'master': msg.get_attr('IFLA_MASTER'),
            'state': 'up' if msg['flags'] & IFF_UP else 'down',
            'mtu': msg.get_attr('IFLA_MTU'),
            'mac': msg.get_attr('IFLA_ADDRESS'),
        }

    def flood_list(self, index):
        """The remote addresses of a VXLAN link's all-zeros FDB entries (where it floods to)."""
        msgs = self._call('reading the forwarding database', self.ipr.fdb, 'dump', ifindex=index)
        return sorted(str(ipaddress.ip_address(m.get_attr('NDA_DST'))) for m in msgs
                      if m['ifindex'] == index and m.get_attr('NDA_LLADDR') == ZERO_MAC and m.get_attr('NDA_DST'))

    def await_link(self, name, timeout):
        """The link, once it exists (ovs-vswitchd makes a bridge's internal interface shortly
        after it applied the transaction); None after ``timeout`` seconds."""
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
        return [_address_of(msg) for msg in self._call('reading addresses', self.ipr.get_addr, index=index)]

    def links(self):
        """Every link here, as link() gives them, in one dump."""
        return [self._link_dict(msg) for msg in self._call('listing links', self.ipr.get_links)]

    def all_addresses(self):
        """{link index: ['ADDRESS/PREFIX', ...]} of every link here, in one dump."""
        result = {}
        for msg in self._call('reading addresses', self.ipr.get_addr):
            result.setdefault(msg['index'], []).append(_address_of(msg))
        return result

    def default_gateways(self):
        """{AF_INET: gateway or None, AF_INET6: gateway or None} of the main table, in one dump."""
        result = {AF_INET: None, AF_INET6: None}
        for msg in self._call('reading routes', self.ipr.get_routes, family=0, table=254):
            if msg['dst_len'] == 0 and msg['family'] in result and msg.get_attr('RTA_GATEWAY'):
                result[msg['family']] = str(ipaddress.ip_address(msg.get_attr('RTA_GATEWAY')))
        return result

    def sysctl(self, path, value=None):
        """Read (or write) a /proc/sys/net file as this namespace sees it."""
        full = os.path.join('/proc/sys/net', path)
        with (entered(self.netns) if self.netns else contextlib.nullcontext()):
            if value is None:
                with open(full) as handle:
                    return handle.read().strip()
            with open(full, 'w') as handle:
                handle.write(str(value))
        return str(value)

    # -- writes --------------------------------------------------------------------------------

    def set_link(self, index, **kwargs):
        """state='up'|'down', mtu=N, address='MAC', ifname='NEW' (as pyroute2's link('set'))."""
        what = ', '.join('%s=%s' % kv for kv in sorted(kwargs.items()))
        self._call('setting link %d %s' % (index, what), self.ipr.link, 'set', index=index, **kwargs)

    def add_veth(self, name, peer, peer_netns):
        """A veth pair: ``name`` here, ``peer`` made directly in the namespace at ``peer_netns``
        (so it never shows up in this namespace, not even for a moment)."""
        fd = os.open(peer_netns, os.O_RDONLY)
        try:
            self._call('creating veth pair %s/%s' % (name, peer), self.ipr.link, 'add', ifname=name,
                       kind='veth', peer={'ifname': peer, 'net_ns_fd': fd})
        finally:
            os.close(fd)

    def add_vlan(self, name, parent_index, vlan_id):
        """An 802.1Q sub-interface of the link ``parent_index``, up."""
        self._call('creating VLAN sub-interface %s' % name, self.ipr.link, 'add', ifname=name, kind='vlan',
                   link=parent_index, vlan_id=vlan_id, state='up')

    def add_vxlan(self, name, vni, port, local=None):
        """A VXLAN link without learning: it floods to the remotes of its FDB (add_flood)."""
        kwargs = dict(ifname=name, kind='vxlan', vxlan_id=vni, vxlan_port=port, vxlan_learning=0)
        if local:
            kwargs['vxlan_local6' if ':' in local else 'vxlan_local'] = local
        self._call('creating VXLAN link %s' % name, self.ipr.link, 'add', **kwargs)

    def add_flood(self, index, remote):
        try:
            self._call('adding remote %s' % remote, self.ipr.fdb, 'append', ifindex=index, lladdr=ZERO_MAC, dst=remote)
        except NetlinkError as exc:
            if exc.code != errno.EEXIST:
                raise

    def del_flood(self, index, remote):
        try:
            self._call('removing remote %s' % remote, self.ipr.fdb, 'del', ifindex=index, lladdr=ZERO_MAC, dst=remote)
        except NetlinkError as exc:
            if exc.code not in (errno.ENOENT, errno.ENODEV):
                raise

    def del_link(self, index):
        try:
            self._call('deleting link %d' % index, self.ipr.link, 'del', index=index)
        except NetlinkError as exc:
            if exc.code != errno.ENODEV:
                raise

    def del_links(self, indices):
        """Delete many links with one kernel operation: each gets a link group of its own, then
        the group is deleted (the kernel then waits for one RCU grace period, not one per link)."""
        import random
        taken = set(msg.get_attr('IFLA_GROUP') for msg in self._call('listing links', self.ipr.get_links))
        group = random.randint(1 << 24, (1 << 31) - 1)
        while group in taken:  # never a group in use: that would delete foreign links
            group = random.randint(1 << 24, (1 << 31) - 1)
        for index in indices:
            self.set_link(index, group=group)
        self._call('deleting %d links' % len(indices), self.ipr.link, 'del', group=group)

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

    def set_default_route(self, family, gateway, index, onlink=False):
        """Replace the default route of the family with one via ``gateway`` on link ``index``."""
        dst = '0.0.0.0' if family == AF_INET else '::'
        kwargs = dict(dst=dst, dst_len=0, family=family, gateway=gateway, oif=index, table=254)
        if onlink:
            kwargs['flags'] = RTNH_F_ONLINK
        self._call('setting default route via %s' % gateway, self.ipr.route, 'replace', **kwargs)

    def del_default_route(self, family):
        dst = '0.0.0.0' if family == AF_INET else '::'
        try:
            self._call('removing default route', self.ipr.route, 'del', dst=dst, dst_len=0, family=family, table=254)
        except NetlinkError as exc:
            if exc.code != errno.ESRCH:
                raise
