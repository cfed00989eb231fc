# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Links, addresses, routes and namespaces through netlink.

The common requests (links, addresses, routes: every run's looks and an attachment's changes)
are spoken by _rtnl on a plain socket; pyroute2 (0.7, as in Debian 12, to 0.9) makes and removes
namespaces and makes VLAN and VXLAN links and flood entries. It costs 0.06 to 0.3 s to import: it is
imported on first use, and without the parts this collection does not use (see pyroute2()).
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
import struct
import sys
import time
import types

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.common import not_installed
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._system import rtnl as _rtnl

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
    """None when pyroute2 is installed, else a traceback (for missing_required_lib). Only looked
    for: it is loaded when a run first needs it (most runs never do, see _rtnl)."""
    return not_installed('pyroute2')


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


_WRITES = [0]  # changes made through any Netlink of this run: a prefetch holds while it stays the same


def create_netns(name):
    _WRITES[0] += 1
    pyroute2()['netns'].create(name)


def remove_netns(name):
    _WRITES[0] += 1
    pyroute2()['netns'].remove(name)


def _canonical(address, prefixlen):
    return str(ipaddress.ip_interface('%s/%d' % (address, prefixlen)))


def _ip(payload):
    return str(ipaddress.ip_address(payload)) if payload else None


def _address_of(body):
    """(link index, canonical 'ADDRESS/PREFIX') of an address message (IPv4: the local address,
    not the peer's)."""
    fields, found = _rtnl.addr_message(body)
    if fields['family'] == AF_INET6:
        raw = found.get(_rtnl.IFA_ADDRESS)
    else:
        raw = found.get(_rtnl.IFA_LOCAL) or found.get(_rtnl.IFA_ADDRESS)
    return fields['index'], _canonical(_ip(raw), fields['prefixlen'])


def _link_dict(body):
    """{'index', 'name', 'kind', 'vxlan', 'vlan_id', 'peer_index', 'peer_elsewhere', 'master',
    'group', 'state': 'up'|'down', 'mtu', 'mac', 'alias'} of a link message."""
    fields, found, info = _rtnl.link_message(body)
    kind = _rtnl.as_str(info.get(_rtnl.IFLA_INFO_KIND))
    data = _rtnl.attrs(info[_rtnl.IFLA_INFO_DATA]) if _rtnl.IFLA_INFO_DATA in info and kind in ('vxlan', 'vlan') else {}
    vxlan = None
    if kind == 'vxlan':
        port = data.get(_rtnl.IFLA_VXLAN_PORT)
        vxlan = {
            'vni': _rtnl.as_u32(data.get(_rtnl.IFLA_VXLAN_ID)),
            'port': struct.unpack('>H', port)[0] if port else None,  # network byte order
            'local': _ip(data.get(_rtnl.IFLA_VXLAN_LOCAL) or data.get(_rtnl.IFLA_VXLAN_LOCAL6)),
            'learning': bool(data.get(_rtnl.IFLA_VXLAN_LEARNING, b'\0')[0]),
        }
    vlan_id = data.get(_rtnl.IFLA_VLAN_ID)
    return {
        'index': fields['index'],
        'name': _rtnl.as_str(found.get(_rtnl.IFLA_IFNAME)),
        'kind': kind,
        'vxlan': vxlan,
        'vlan_id': struct.unpack('=H', vlan_id[:2])[0] if kind == 'vlan' and vlan_id else None,
        # a veth's IFLA_LINK is its peer's index (in the peer's namespace)
        'peer_index': _rtnl.as_u32(found.get(_rtnl.IFLA_LINK)),
        # set when the peer is in another namespace (the id that namespace has here)
        'peer_elsewhere': _rtnl.IFLA_LINK_NETNSID in found,
        'master': _rtnl.as_u32(found.get(_rtnl.IFLA_MASTER)),
        'group': _rtnl.as_u32(found.get(_rtnl.IFLA_GROUP)),
        'state': 'up' if fields['flags'] & IFF_UP else 'down',
        'mtu': _rtnl.as_u32(found.get(_rtnl.IFLA_MTU)),
        'mac': _rtnl.as_mac(found.get(_rtnl.IFLA_ADDRESS)),
        'alias': _rtnl.as_str(found.get(_rtnl.IFLA_IFALIAS)) or None,  # (a description: ovs_vxlan's mark)
    }


class Netlink(object):
    """Links, addresses and routes of the host's namespace, or of the one at ``netns`` (a path).

    Reads and the common changes go through _rtnl (one request, one answer); VLAN and VXLAN
    links and the forwarding database through pyroute2's IPRoute, made on first use.
    ``prefetch()`` reads every link in one dump and answers link lookups from it until the next
    change made through any Netlink of this run (making a veth pair here changes the namespace
    of its peer): a batch looks up hundreds of links in one request.
    """

    def __init__(self, netns=None):
        self.netns = netns
        self._sock = None
        self._ipr = None
        self._masters = {}
        self._links = None  # {'name': {...}, 'index': {...}, 'writes': N} of the last prefetch

    def _in_netns(self):
        # A netlink socket works in the namespace it was made in: enter it just for that.
        return entered(self.netns) if self.netns else contextlib.nullcontext()

    @property
    def sock(self):
        if self._sock is None:
            with self._in_netns():
                self._sock = _rtnl.Socket()
        return self._sock

    @property
    def ipr(self):
        if self._ipr is None:
            IPRoute = pyroute2()['IPRoute']  # pylint: disable=invalid-name
            with self._in_netns():
                self._ipr = IPRoute()
        return self._ipr

    def close(self):
        for handle in (self._sock, self._ipr):
            if handle is not None:
                handle.close()
        self._sock = self._ipr = self._links = None

    def _where(self):
        return ' in %s' % self.netns if self.netns else ''

    def _cached(self):
        """The prefetched links, while no change was made since."""
        if self._links is not None and self._links['writes'] == _WRITES[0]:
            return self._links
        return None

    def _call(self, what, fn, *args, change=True, **kwargs):
        """A pyroute2 call, its failure worded for the user; a ``change`` ends every prefetch."""
        if change:
            _WRITES[0] += 1
        try:
            return fn(*args, **kwargs)
        except pyroute2()['NetlinkError'] as exc:
            raise NetlinkError('%s%s: %s' % (what, self._where(), exc.args[1] if len(exc.args) > 1 else exc), exc.code)

    def _rt(self, what, method, kind, body, flags=0, ignore=()):
        """An _rtnl request, its failure worded for the user; errnos in ``ignore`` are no failure."""
        if method == 'do':
            _WRITES[0] += 1
        try:
            if method == 'do':
                return self.sock.do(kind, body, flags)
            return getattr(self.sock, method)(kind, body)
        except _rtnl.RtnlError as exc:
            if exc.code in ignore:
                return None
            raise NetlinkError('%s%s: %s' % (what, self._where(), exc), exc.code)

    # -- reads ---------------------------------------------------------------------------------

    def prefetch(self):
        """Read every link here in one dump; link lookups are answered from it until a change."""
        self._links = None
        links = self.links()
        self._links = {'name': dict((link['name'], link) for link in links),
                       'index': dict((link['index'], link) for link in links), 'writes': _WRITES[0]}

    def link(self, name):
        """{'index', 'name', 'kind', 'peer_index', 'peer_elsewhere', 'master', 'state': 'up'|'down',
        'mtu', 'mac', ...} (see _link_dict), or None."""
        if self._cached():
            found = self._links['name'].get(name)
            return dict(found) if found else None
        # one request the kernel answers for that name alone
        body = self._rt('reading link %s' % name, 'get', _rtnl.RTM_GETLINK,
                        _rtnl.ifinfo(attrs=[_rtnl.nla(_rtnl.IFLA_IFNAME, _rtnl.name(name))]), ignore=(errno.ENODEV,))
        return _link_dict(body) if body else None

    def index(self, name):
        """The index of the link ``name``; NetlinkError when it is gone (made or read in this run,
        then taken away by someone else)."""
        link = self.link(name)
        if link is None:
            raise NetlinkError('%s is gone%s' % (name, self._where()))
        return link['index']

    def link_by_index(self, index):
        """As link(), by index; None when there is no such link here."""
        if self._cached():
            found = self._links['index'].get(index)
            return dict(found) if found else None
        body = self._rt('reading link %d' % index, 'get', _rtnl.RTM_GETLINK, _rtnl.ifinfo(index=index),
                        ignore=(errno.ENODEV, errno.EINVAL))
        return _link_dict(body) if body else None

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

    def links(self):
        """Every link here, as link() gives them, in one dump (or from the prefetch that holds)."""
        if self._cached():
            return [dict(link) for link in self._links['index'].values()]
        return [_link_dict(body) for body in self._rt('listing links', 'dump', _rtnl.RTM_GETLINK, _rtnl.ifinfo())]

    def flood_list(self, index):
        """The remote addresses of a VXLAN link's all-zeros FDB entries (where it floods to)."""
        msgs = self._call('reading the forwarding database', self.ipr.fdb, 'dump', ifindex=index, change=False)
        return sorted(str(ipaddress.ip_address(m.get_attr('NDA_DST'))) for m in msgs
                      if m['ifindex'] == index and m.get_attr('NDA_LLADDR') == ZERO_MAC and m.get_attr('NDA_DST'))

    def await_link(self, name, timeout):
        """The link, once it exists (ovs-vswitchd makes a bridge's internal interface shortly
        after it applied the transaction); None after ``timeout`` seconds."""
        self._links = None
        deadline = time.monotonic() + timeout
        delay = 0.005
        while True:
            link = self.link(name)
            if link is not None or time.monotonic() >= deadline:
                return link
            time.sleep(delay)
            delay = min(delay * 2, 0.2)

    def all_addresses(self):
        """{link index: ['ADDRESS/PREFIX', ...]} of every link here, in one dump."""
        result = {}
        for body in self._rt('reading addresses', 'dump', _rtnl.RTM_GETADDR, _rtnl.ifaddr(0, 0, 0)):
            index, address = _address_of(body)
            result.setdefault(index, []).append(address)
        return result

    def addresses(self, index):
        """Every address on the link as canonical 'ADDRESS/PREFIX' strings."""
        return self.all_addresses().get(index, [])

    def default_gateways(self):
        """{AF_INET: gateway or None, AF_INET6: gateway or None} of the main table, in one dump."""
        result = {AF_INET: None, AF_INET6: None}
        for body in self._rt('reading routes', 'dump', _rtnl.RTM_GETROUTE, _rtnl.rtmsg(0, table=0, protocol=0, kind=0)):
            fields, found = _rtnl.route_message(body)
            if (fields['table'] == _rtnl.RT_TABLE_MAIN and fields['dst_len'] == 0 and fields['family'] in result
                    and found.get(_rtnl.RTA_GATEWAY)):
                result[fields['family']] = _ip(found[_rtnl.RTA_GATEWAY])
        return result

    def routes(self):
        """Every unicast route here but the local table's: [{'dst': 'NETWORK/LEN', 'index', 'gateway',
        'protocol', 'table'}], in one dump."""
        result = []
        for body in self._rt('reading routes', 'dump', _rtnl.RTM_GETROUTE, _rtnl.rtmsg(0, table=0, protocol=0, kind=0)):
            fields, found = _rtnl.route_message(body)
            if fields['type'] != _rtnl.RTN_UNICAST or fields['table'] == _rtnl.RT_TABLE_LOCAL or fields['family'] not in (AF_INET, AF_INET6):
                continue
            zero = '::' if fields['family'] == AF_INET6 else '0.0.0.0'
            result.append({'dst': '%s/%d' % (_ip(found.get(_rtnl.RTA_DST)) or zero, fields['dst_len']),
                           'index': _rtnl.as_u32(found.get(_rtnl.RTA_OIF)), 'gateway': _ip(found.get(_rtnl.RTA_GATEWAY)),
                           'protocol': fields['protocol'], 'table': fields['table']})
        return result

    def sysctl(self, path, value=None):
        """Read (or write) a /proc/sys/net file as this namespace sees it."""
        full = os.path.join('/proc/sys/net', path)
        with self._in_netns():
            if value is None:
                with open(full) as handle:
                    return handle.read().strip()
            with open(full, 'w') as handle:
                handle.write(str(value))
        return str(value)

    # -- writes --------------------------------------------------------------------------------

    def set_link(self, index, state=None, mtu=None, address=None, ifname=None, group=None, alias=None, master=None):
        """Any of: state 'up'|'down', mtu, address (a MAC), ifname (a new name), group, alias (the
        link's description, ifalias), master (the index of the Linux bridge it is enslaved to; 0: none)."""
        given = dict(state=state, mtu=mtu, address=address, ifname=ifname, group=group, alias=alias, master=master)
        what = ', '.join('%s=%s' % kv for kv in sorted(given.items()) if kv[1] is not None)
        found = []
        if mtu is not None:
            found.append(_rtnl.nla(_rtnl.IFLA_MTU, _rtnl.u32(mtu)))
        if address is not None:
            found.append(_rtnl.nla(_rtnl.IFLA_ADDRESS, _rtnl.mac(address)))
        if ifname is not None:
            found.append(_rtnl.nla(_rtnl.IFLA_IFNAME, _rtnl.name(ifname)))
        if group is not None:
            found.append(_rtnl.nla(_rtnl.IFLA_GROUP, _rtnl.u32(group)))
        if alias is not None:
            found.append(_rtnl.nla(_rtnl.IFLA_IFALIAS, _rtnl.name(alias)))
        if master is not None:
            found.append(_rtnl.nla(_rtnl.IFLA_MASTER, _rtnl.u32(master)))
        flags = IFF_UP if state == 'up' else 0
        change = IFF_UP if state is not None else 0
        self._rt('setting link %d %s' % (index, what), 'do', _rtnl.RTM_NEWLINK,
                 _rtnl.ifinfo(index=index, flags=flags, change=change, attrs=found))

    def add_veth(self, name, peer, peer_netns):
        """A veth pair: ``name`` here, ``peer`` made directly in the namespace at ``peer_netns``
        (so it never shows up in this namespace, not even for a moment)."""
        fd = os.open(peer_netns, os.O_RDONLY)
        try:
            peer_info = _rtnl.ifinfo(attrs=[_rtnl.nla(_rtnl.IFLA_IFNAME, _rtnl.name(peer)),
                                            _rtnl.nla(_rtnl.IFLA_NET_NS_FD, _rtnl.u32(fd))])
            linkinfo = [_rtnl.nla(_rtnl.IFLA_INFO_KIND, b'veth'),
                        _rtnl.nla(_rtnl.IFLA_INFO_DATA, [_rtnl.nla(_rtnl.VETH_INFO_PEER, peer_info)])]
            self._rt('creating veth pair %s/%s' % (name, peer), 'do', _rtnl.RTM_NEWLINK,
                     _rtnl.ifinfo(attrs=[_rtnl.nla(_rtnl.IFLA_IFNAME, _rtnl.name(name)),
                                         _rtnl.nla(_rtnl.IFLA_LINKINFO, linkinfo)]),
                     _rtnl.NLM_F_CREATE | _rtnl.NLM_F_EXCL)
        finally:
            os.close(fd)

    def add_bridge(self, name, alias):
        """A Linux bridge, up, its description ``alias`` (ifalias: the mark of what made it; set by a
        second request, as the kernel takes no description from the one that makes a link)."""
        linkinfo = [_rtnl.nla(_rtnl.IFLA_INFO_KIND, b'bridge')]
        self._rt('creating Linux bridge %s' % name, 'do', _rtnl.RTM_NEWLINK,
                 _rtnl.ifinfo(attrs=[_rtnl.nla(_rtnl.IFLA_IFNAME, _rtnl.name(name)), _rtnl.nla(_rtnl.IFLA_LINKINFO, linkinfo)]),
                 _rtnl.NLM_F_CREATE | _rtnl.NLM_F_EXCL)
        self.set_link(self.link(name)['index'], state='up', alias=alias)

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
        self._rt('deleting link %d' % index, 'do', _rtnl.RTM_DELLINK, _rtnl.ifinfo(index=index), ignore=(errno.ENODEV,))

    def del_links(self, indices):
        """Delete many links with one kernel operation: each gets a link group of its own, then
        the group is deleted (the kernel then waits for one RCU grace period, not one per link)."""
        import random
        taken = set(link['group'] for link in self.links())
        group = random.randint(1 << 24, (1 << 31) - 1)
        while group in taken:  # never a group in use: that would delete foreign links
            group = random.randint(1 << 24, (1 << 31) - 1)
        for index in indices:
            self.set_link(index, group=group)
        self._rt('deleting %d links' % len(indices), 'do', _rtnl.RTM_DELLINK,
                 _rtnl.ifinfo(attrs=[_rtnl.nla(_rtnl.IFLA_GROUP, _rtnl.u32(group))]))

    @staticmethod
    def _addr_body(index, cidr):
        interface = ipaddress.ip_interface(cidr)
        packed = interface.ip.packed
        family = AF_INET6 if interface.version == 6 else AF_INET
        found = [_rtnl.nla(_rtnl.IFA_ADDRESS, packed)]
        if family == AF_INET:  # as ip(8): IFA_LOCAL is the address, IFA_ADDRESS the (same) peer
            found.insert(0, _rtnl.nla(_rtnl.IFA_LOCAL, packed))
        return _rtnl.ifaddr(family, interface.network.prefixlen, index, found)

    def add_address(self, index, cidr):
        self._rt('adding %s' % cidr, 'do', _rtnl.RTM_NEWADDR, self._addr_body(index, cidr),
                 _rtnl.NLM_F_CREATE | _rtnl.NLM_F_EXCL, ignore=(errno.EEXIST,))

    def del_address(self, index, cidr):
        self._rt('removing %s' % cidr, 'do', _rtnl.RTM_DELADDR, self._addr_body(index, cidr),
                 ignore=(errno.EADDRNOTAVAIL,))

    def set_default_route(self, family, gateway, index, onlink=False):
        """Replace the default route of the family with one via ``gateway`` on link ``index``."""
        found = [_rtnl.nla(_rtnl.RTA_GATEWAY, ipaddress.ip_address(gateway).packed),
                 _rtnl.nla(_rtnl.RTA_OIF, _rtnl.u32(index))]
        self._rt('setting default route via %s' % gateway, 'do', _rtnl.RTM_NEWROUTE,
                 _rtnl.rtmsg(family, flags=RTNH_F_ONLINK if onlink else 0, attrs=found),
                 _rtnl.NLM_F_CREATE | _rtnl.NLM_F_REPLACE)

    def del_default_route(self, family):
        self._rt('removing default route', 'do', _rtnl.RTM_DELROUTE,
                 _rtnl.rtmsg(family, protocol=0, scope=_rtnl.RT_SCOPE_NOWHERE, kind=0), ignore=(errno.ESRCH,))
