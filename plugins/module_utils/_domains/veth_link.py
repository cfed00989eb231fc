# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""veth_link's own part (see _runner): a veth pair wired straight between two containers or
namespaces, no bridge between them (containerlab's node-to-node link).

Ownership: each end carries the link's mark as its description (ifalias, see mark()); an end is
ours when it is a veth with our mark whose peer is the other end. Anything else under an end's
name is a refusal naming it. A container's end goes with the container's namespace (a restart
makes a new one): the link is then absent and a run makes it again.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import marks as _marks
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import validate as _validate
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.common import (
    ModuleError, list_items, missing_library, require_pyroute2)
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.engine import NO_UNDO, Action, Executor, Plan
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.runner import Batch
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains.attachment.desired import parse_mac, stable_mac
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._system import containers as _containers
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._system.netlink import (
    Netlink, NetlinkError, create_netns, netns_identity, netns_path, own_netns_identity, remove_netns)

END_OPTIONS = dict(
    container=dict(type='str'),
    namespace=dict(type='str', aliases=['netns']),
    host=dict(type='bool'),
    interface=dict(type='str', required=True),
    addresses=dict(type='list', elements='str'),
    mac=dict(type='str'),
    master=dict(type='str'),
)
# the path an end in the host's own namespace (host: true) is reached by
HOST_PATH = '/proc/self/ns/net'
# what an end's addresses list is: the whole set ('remove': any other address goes) or what must be
# there ('keep': an address a routing daemon, exec or a user put on the interface stays)
OTHER_ADDRESSES = ('remove', 'keep')
LINK_OPTIONS = dict(
    ends=dict(type='list', elements='dict', options=END_OPTIONS),
    mtu=dict(type='int'),
    other_addresses=dict(type='str', choices=list(OTHER_ADDRESSES)),
    state=dict(type='str', choices=['present', 'absent']),
)
INHERITED = ('mtu', 'other_addresses', 'state')
MARK = _marks.VETH_LINK


# (the marks' own: ovs_docker_info reads the pairs by them without this module)
end_label = _marks.veth_end_label
marked_ends = _marks.marked_veth_ends


def mark(key):
    """The description both ends carry: the link's key, or (too long for ifalias) its digest."""
    return _marks.veth_alias(key)


def requested(params):
    """The links a task asks for, each with every option present."""
    if params.get('links') is None:
        return [dict((k, params.get(k)) for k in LINK_OPTIONS)]
    return list_items(params, 'links', LINK_OPTIONS, INHERITED)


def desired_state(spec):
    """One requested link -> (desired, [errors]), before anything is looked at."""
    errors, ends = [], []
    given = spec.get('ends') or []
    if len(given) != 2:
        return None, ['ends must list exactly two ends (each a container or a namespace, and an interface); got %d'
                      % len(given)]
    for number, end in enumerate(given, 1):
        where = 'ends[%d]' % (number - 1)
        given = [k for k in ('container', 'namespace', 'host') if end.get(k)]
        if len(given) != 1:
            errors.append('%s: give one of container, namespace or host: true (where the end is), not %s'
                          % (where, ' and '.join(given) if given else 'none'))
            continue
        if end.get('host') and end.get('addresses'):
            # (nothing may take traffic away from the host: its own networks are not this module's)
            errors.append('%s: an end in the host\'s namespace takes no addresses: give them to the other end, or '
                          'attach a namespace of its own' % where)
            continue
        if end.get('master') and not end.get('host'):
            errors.append('%s: master (a Linux bridge of the host) is for an end in the host\'s namespace (host: true)' % where)
            continue
        if end.get('master'):
            error = _validate.interface_name(end['master'], '%s.master' % where)
            if error:
                errors.append(error)
                continue
        error = _validate.interface_name(end.get('interface'), '%s.interface' % where)
        if error:
            errors.append(error)
            continue
        if end.get('namespace'):
            name = end['namespace']
            if not name.startswith('/') and (_validate.interface_name(name, 'x') is not None or '/' in name):
                errors.append('%s: namespace %r is not a name ip netns takes: use letters, digits, _ - and .' % (where, name))
        addresses = None
        if end.get('addresses') is not None:
            addresses, more = _validate.parse_addresses(end['addresses'], '%s.addresses' % where)
            errors.extend(more)
        mac = None
        if end.get('mac') is not None:
            mac, error = parse_mac(end['mac'], '%s.mac' % where)
            if error:
                errors.append(error)
        ends.append({'container': end.get('container'), 'namespace': end.get('namespace'), 'host': bool(end.get('host')),
                     'interface': end['interface'], 'addresses': addresses, 'mac': mac, 'master': end.get('master')})
    if spec.get('mtu') is not None:
        error = _validate.mtu(spec['mtu'])
        if error:
            errors.append(error)
    if errors:
        return None, errors
    labels = [end_label(e) for e in ends]
    if labels[0] == labels[1]:
        return None, ['both ends are %s: a link joins two interfaces' % labels[0]]
    key = '%s--%s' % tuple(labels)
    for end in ends:
        end['label'] = end_label(end)
        # a new end's MAC, when none is asked for: stable for this link and end
        end['new_mac'] = end['mac'] or stable_mac('%s/%s' % (key, end['label']))
    desired = {'key': key, 'state': spec.get('state') or 'present', 'mtu': spec.get('mtu'), 'ends': ends,
               'mark': mark(key), 'keep_others': spec.get('other_addresses') == 'keep'}
    return desired, []


# -- observing (reads only) --------------------------------------------------------------------

def _where_of(end, engine, create_namespace):
    """(namespace path or None, problem or None, would_create) of an end: a container's
    namespace through its engine, a named namespace under /run/netns."""
    if end.get('host'):
        return HOST_PATH, None, False
    if end['container']:
        found = engine.inspect(end['container'])
        if found is None:
            return None, 'container %s does not exist: create and start it first' % end['container'], False
        if not found['running']:
            return None, 'container %s is not running (%s): start it first' % (end['container'], found['status']), False
        if found['network_mode'] == 'host':
            return None, ("container %s runs in the host's network namespace (--net=host): a link there would put "
                          "interfaces among the host's own; run it with --net=none" % end['container']), False
        return '/proc/%d/ns/net' % found['pid'], None, False
    path = netns_path(end['namespace'])
    try:
        identity = netns_identity(path)
    except ValueError:
        if end['namespace'].startswith('/') or not create_namespace:
            return None, 'namespace %s does not exist: create it, or let this module (create_namespace)' % end['namespace'], False
        return path, None, True
    if identity == own_netns_identity():
        return None, "namespace %s is this host's own: give a namespace of its own" % end['namespace'], False
    return path, None, False


def observe_end(netlink, end):
    """{'link', 'addresses', 'master'} of the end's interface in its namespace (link None: not
    there; master: the name of the bridge it is enslaved to, for an end in the host's namespace)."""
    link = netlink.link(end['interface']) if netlink is not None else None
    addresses = _validate.managed(netlink.addresses(link['index'])) if link else []
    found = {'link': link, 'addresses': addresses}
    if end.get('host'):
        found['master'] = netlink.master(link)[0] if link else None
        if end.get('master'):
            bridge = netlink.link(end['master'])
            found['bridge'] = bridge['kind'] if bridge else None
    return found


def _ours(desired, current):
    """Whether both ends are this link's: veths with our mark, each the other's peer."""
    a, b = current[0]['link'], current[1]['link']
    return bool(a and b and all(x['kind'] == 'veth' and x['alias'] == desired['mark'] for x in (a, b))
                and a['peer_index'] == b['index'] and b['peer_index'] == a['index'])


def _foreign(end, link):
    what = 'a veth of another link' if link['kind'] == 'veth' else ('a %s link' % link['kind'] if link['kind'] else 'an interface')
    return ("%s: %s is there already as %s, not this link's: remove it, or give this end another interface name"
            % (end['label'], end['interface'], what))


def view(desired, current, present):
    """The link as shown: state, mtu, and each end's MAC, MTU, addresses and link state."""
    ends = []
    for end, found in zip(desired['ends'], current):
        link = found['link'] if present else None
        shown = {'container': end['container']} if end['container'] else \
            {'host': True} if end.get('host') else {'namespace': end['namespace']}
        shown.update(interface=end['interface'], mac=link['mac'] if link else None, mtu=link['mtu'] if link else None,
                     addresses=found['addresses'] if link else [], link_state=link['state'] if link else None)
        if end.get('host'):
            shown['master'] = found.get('master') if link else None
        ends.append(shown)
    return {'key': desired['key'], 'state': 'present' if present else 'absent', 'ends': ends}


def _after(desired, current, present):
    """The view once the plan is carried out."""
    if desired['state'] == 'absent':
        return view(desired, current, False)
    shown = dict(view(desired, current, present), state='present')
    for end, found in zip(desired['ends'], shown['ends']):
        found['mac'] = end['mac'] or (found['mac'] if present else end['new_mac'])
        found['mtu'] = desired['mtu'] or (found['mtu'] if present else 1500)
        if end['addresses'] is not None:
            found['addresses'] = _kept(found['addresses'], end['addresses']) if desired.get('keep_others') else end['addresses']
        found['link_state'] = 'up'
        if end.get('master'):
            found['master'] = end['master']
    return shown


def _kept(found, wanted):
    """The addresses an end has once those wanted are added and the others kept."""
    return list(found) + [a for a in wanted if a not in found]


def _settings(desired, current, where):
    """What a delete takes back: the ends as they are (so that an undo makes them again alike)."""
    return {'key': desired['key'], 'mark': desired['mark'], 'mtu': current[0]['link']['mtu'],
            'ends': [{'path': where[i], 'interface': e['interface'], 'mac': current[i]['link']['mac'],
                      'addresses': current[i]['addresses'], 'master': current[i].get('master')}
                     for i, e in enumerate(desired['ends'])]}


def _bridge_problems(desired, current):
    """An end to be enslaved to a Linux bridge that is not there, or is no bridge: containerlab's
    kind bridge is a bridge the user makes first."""
    problems = []
    for end, found in zip(desired['ends'], current):
        if end.get('master') and found.get('bridge') != 'bridge':
            problems.append('%s: %s %s: make the Linux bridge first (ip link add %s type bridge), or enslave the end to '
                            'another' % (end['label'], end['master'], 'does not exist' if found.get('bridge') is None else
                                         'is a %s link, not a Linux bridge' % found['bridge'], end['master']))
    return problems


def purge_plans(found, wanted_marks):
    """Pure: the links of ours ``found`` in the purged namespaces ({mark: [(label of where it is,
    path, link, addresses)]}) that no listed link is -> [Plan] deleting each (undone by making it
    again alike when both its ends were found; one end alone, its peer elsewhere, cannot be)."""
    plans = []
    for alias, ends in sorted(found.items()):
        if alias in wanted_marks:
            continue
        key = _marks.veth_key(alias)
        desired = {'key': key, 'state': 'absent', 'mtu': None, 'mark': alias, 'purged': True,
                   'ends': [{'container': None, 'namespace': None, 'interface': link['name'], 'label': label}
                            for label, _path, link, _addresses in ends]}
        shown = {'key': key, 'state': 'present', 'ends': [
            {'in': label, 'interface': link['name'], 'mac': link['mac'], 'mtu': link['mtu'], 'addresses': addresses,
             'link_state': link['state']} for label, _path, link, addresses in ends]}
        if len(ends) == 2:
            old = {'key': key, 'mark': alias, 'mtu': ends[0][2]['mtu'],
                   'ends': [{'path': path, 'interface': link['name'], 'mac': link['mac'], 'addresses': addresses}
                            for _label, path, link, addresses in ends]}
            action = Action('veth', key, None, old)
        else:
            action = Action('purge', (ends[0][1], ends[0][2]['name'], alias), None, NO_UNDO)
        plans.append(Plan(desired, None, [action], shown, {'key': key, 'state': 'absent'}))
    return plans


def plan(desired, current, facts):
    """Pure: (desired, current [per end], facts: 'where' [per end: namespace path],
    'new_namespaces' [names this run makes] and 'freed' [the marks of the links this run purges:
    an end of one is taken for this link]) -> Plan."""
    where, new_namespaces = facts['where'], facts['new_namespaces']
    a, b = current[0]['link'], current[1]['link']
    ours = _ours(desired, current)
    before = view(desired, current, ours)
    problems = []
    if desired['state'] == 'absent':
        # only ours is removed; an interface of that name that is not ours is left as it is
        actions = [Action('veth', desired['key'], None, _settings(desired, current, where))] if ours else []
        return Plan(desired, current, actions, before, _after(desired, current, False))
    actions = [Action('netns', name, 'present', None) for name in new_namespaces]
    stale = []
    for end, link, path in zip(desired['ends'], (a, b), where):
        if link is None or ours:
            continue
        if link['kind'] == 'veth' and (link['alias'] == desired['mark'] or link['alias'] in facts.get('freed', ())):
            # ours once, its peer no longer the other end, or a link this run purges (an endpoint moved
            # to another link): made again
            stale.append((path, end['interface']))
        else:
            problems.append(_foreign(end, link))
    problems.extend(_bridge_problems(desired, current))
    if problems:
        return Plan.refused(desired, current, before, problems)
    actions.extend(Action('stale', target, None, NO_UNDO) for target in stale)
    if not ours:
        spec = {'key': desired['key'], 'mark': desired['mark'], 'mtu': desired['mtu'],
                'ends': [{'path': where[i], 'interface': e['interface'], 'mac': e['new_mac'],
                          'addresses': e['addresses'] or [], 'master': e.get('master')} for i, e in enumerate(desired['ends'])]}
        actions.append(Action('veth', desired['key'], spec, None))
        return Plan(desired, current, actions, before, _after(desired, current, False))
    for end, found, path in zip(desired['ends'], current, where):
        link, target = found['link'], (path, end['interface'])
        if end['mac'] and link['mac'] != end['mac']:
            actions.append(Action('mac', target, end['mac'], link['mac']))
        if desired['mtu'] and link['mtu'] != desired['mtu']:
            actions.append(Action('mtu', target, desired['mtu'], link['mtu']))
        if link['state'] != 'up':
            actions.append(Action('link_state', target, 'up', link['state']))
        if end.get('master') and found.get('master') != end['master']:
            actions.append(Action('master', target, end['master'], found.get('master')))
        if end['addresses'] is not None:
            if not desired.get('keep_others'):
                actions.extend(Action('addr', target + (c,), None, 'present') for c in found['addresses'] if c not in end['addresses'])
            actions.extend(Action('addr', target + (c,), 'present', None) for c in end['addresses'] if c not in found['addresses'])
    return Plan(desired, current, actions, before, _after(desired, current, True))


# -- applying ----------------------------------------------------------------------------------

class LinkEnds(Executor):
    """Executor of every action of this module (kinds netns, stale, veth, mac, mtu, link_state,
    master, addr); one Netlink per namespace path (an end in the host's namespace: HOST_PATH)."""

    def __init__(self):
        self.handles = {}

    def netlink(self, path):
        if path not in self.handles:
            self.handles[path] = Netlink(netns=path)
        return self.handles[path]

    def run(self, actions):
        for action in actions:
            self.runs(action)(self, action)

    def _netns(self, action):
        (create_netns if action.new else remove_netns)(action.target)

    def _purge(self, action):
        path, name, alias = action.target
        link = self.netlink(path).link(name)
        if link is not None and link['alias'] == alias:
            self.netlink(path).del_link(link['index'])

    def _stale(self, action):
        path, name = action.target
        link = self.netlink(path).link(name)
        if link is not None:
            self.netlink(path).del_link(link['index'])

    def _veth(self, action):
        if action.new is None:
            first = action.old['ends'][0]
            link = self.netlink(first['path']).link(first['interface'])
            if link is None or link['alias'] != action.old['mark']:
                return  # gone already (its container's namespace went with it), or no longer ours
            self.netlink(first['path']).del_link(link['index'])
            return
        spec = action.new
        a, b = spec['ends']
        self.netlink(a['path']).add_veth(a['interface'], b['interface'], b['path'])
        try:
            for end in (a, b):
                netlink = self.netlink(end['path'])
                index = netlink.index(end['interface'])
                netlink.set_link(index, address=end['mac'], mtu=spec['mtu'], alias=spec['mark'])
                netlink.set_link(index, state='up')  # (up first: IPv6 addresses stay on a link that is up)
                for cidr in end['addresses']:
                    netlink.add_address(index, cidr)
                if end.get('master'):
                    netlink.set_link(index, master=netlink.index(end['master']))
        except Exception:
            # a half-made pair is no one's: taken away before the failure is reported
            try:
                self.netlink(a['path']).del_link(self.netlink(a['path']).index(a['interface']))
            except NetlinkError:
                pass
            raise

    def _index(self, target):
        return self.netlink(target[0]).index(target[1])

    def _mac(self, action):
        self.netlink(action.target[0]).set_link(self._index(action.target), address=action.new)

    def _mtu(self, action):
        self.netlink(action.target[0]).set_link(self._index(action.target), mtu=action.new)

    def _link_state(self, action):
        self.netlink(action.target[0]).set_link(self._index(action.target), state=action.new)

    def _master(self, action):
        """Enslaved to the Linux bridge action.new (None: to none, as the undo of a first one)."""
        netlink = self.netlink(action.target[0])
        netlink.set_link(self._index(action.target), master=netlink.index(action.new) if action.new else 0)

    def _addr(self, action):
        netlink = self.netlink(action.target[0])
        (netlink.add_address if action.new else netlink.del_address)(self._index(action.target), action.target[2])

    RUNS = {'netns': _netns, 'purge': _purge, 'stale': _stale, 'veth': _veth, 'mac': _mac, 'mtu': _mtu,
            'link_state': _link_state, 'master': _master, 'addr': _addr}

    def close(self):
        for handle in self.handles.values():
            handle.close()


class VethLink(Batch):
    one_key = 'link'
    list_key = 'links'
    noun = 'link'
    argument_spec = dict(
        LINK_OPTIONS,
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        other_addresses=dict(type='str', choices=list(OTHER_ADDRESSES), default='remove'),
        links=dict(type='list', elements='dict', options=LINK_OPTIONS),
        create_namespace=dict(type='bool', default=True),
        purge=dict(type='list', elements='str'),
        docker_host=dict(type='str'),
        docker_timeout=dict(type='int', default=60),
    )
    module_kwargs = dict(mutually_exclusive=[('ends', 'links')], required_one_of=[('ends', 'links')],
                         required_by={'purge': 'links'})

    def validate(self):
        self.many = self.params['links'] is not None
        self.desired, errors = [], []
        for number, spec in enumerate(requested(self.params)):
            desired, more = desired_state(spec)
            prefix = 'links[%d]: ' % number if self.many else ''
            errors.extend(prefix + e for e in more)
            if desired:
                self.desired.append(desired)
        if errors:
            return errors
        twice = self.twice([e['label'] for d in self.desired for e in d['ends']], 'links (an end in two links)')
        return [twice] if twice else []

    def connect(self):
        require_pyroute2()
        self.engine = None
        self.purged = [({'container': None, 'namespace': p[len('netns:'):]} if p.startswith('netns:') else
                        {'container': p, 'namespace': None}) for p in self.params['purge'] or []]
        if any(e['container'] for e in [e for d in self.desired for e in d['ends']] + self.purged):
            url = _containers.docker_host(self.params['docker_host'])
            missing = _containers.import_error(url)
            if missing:
                raise missing_library(_containers.sdk_requirement(url), missing)
            self.engine = _containers.ContainerApi(url, self.params['docker_timeout'])
        self.executor = LinkEnds()

    def _observe(self, desired):
        """(current [per end], where [per end], new namespaces, problems)."""
        current, where, new, problems = [], [], [], []
        for end in desired['ends']:
            try:
                path, problem, create = _where_of(end, self.engine, self.params['create_namespace'])
            except _containers.ContainerError as exc:
                path, problem, create = None, str(exc), False
            where.append(path)
            if create:
                new.append(end['namespace'])
            if problem and desired['state'] == 'present':
                problems.append(problem)
            netlink = self.executor.netlink(path) if path and not create else None
            current.append(observe_end(netlink, end))
        return current, where, new, problems

    def make_plans(self):
        plans, made = [], set()
        purged = purge_plans(self._ours_in(self.purged), set(d['mark'] for d in self.desired if d['state'] == 'present'))
        freed = set(p.desired['mark'] for p in purged)
        for desired in self.desired:
            current, where, new, problems = self._observe(desired)
            if problems:
                plans.append(Plan.refused(desired, current, view(desired, current, False), problems))
                continue
            plans.append(plan(desired, current, {'where': where, 'new_namespaces': [n for n in new if n not in made],
                                                 'freed': freed}))
            made.update(new)
        # after the listed ones: a purge that fails leaves what this run made undone, as any failure
        return plans + purged

    def _ours_in(self, places):
        """{mark: [(label, path, link, addresses)]} of this module's links in ``places`` (a
        container that is not running has none: they went with its namespace)."""
        found, seen = {}, set()
        for place in places:
            label = place['container'] or 'netns %s' % place['namespace']
            try:
                path, problem, create = _where_of(dict(place, interface=None), self.engine, False)
            except _containers.ContainerError as exc:
                raise ModuleError('purge: %s' % exc)
            if problem or create or path in seen:
                continue
            seen.add(path)
            netlink = self.executor.netlink(path)
            addresses = None
            for _key, link in marked_ends(netlink.links()):
                if addresses is None:
                    addresses = netlink.all_addresses()
                found.setdefault(link['alias'], []).append(
                    (label, path, link, _validate.managed(addresses.get(link['index'], []))))
        return found

    def prefix(self, desired):
        return '%s: ' % self.label(desired) if self.many else ''

    def steps(self):
        return [(self.executor, action) for plan in self.plans for action in plan.actions]

    def read_back(self):
        # what the steps cached of the namespaces is stale now: looked at afresh, once for all links
        self.executor.close()
        self.executor.handles = {}
        return super(VethLink, self).read_back()

    def look(self, plan):
        if plan.desired.get('purged'):
            return {'key': plan.desired['key'], 'state': 'absent' if self._gone(plan) else 'present'}
        current, _where, _new, _problems = self._observe(plan.desired)
        return view(plan.desired, current, _ours(plan.desired, current))

    def _gone(self, plan):
        """Whether a purged link's ends are gone now."""
        old = plan.actions[0].old
        ends = old['ends'] if old is not NO_UNDO else [{'path': plan.actions[0].target[0], 'interface': plan.actions[0].target[1]}]
        gone = True
        for end in ends:
            netlink = Netlink(netns=end['path'])
            try:
                gone = gone and netlink.link(end['interface']) is None
            finally:
                netlink.close()
        return gone
