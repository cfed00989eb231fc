# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A host's part of a topology in one run (ovs_docker_topology): its bridges, its nodes'
containers and what joins them, each section run by the module of its domain's own part, as a
stage of one Staged run (_core/runner.py): one lock, one undo, one result.

The stages, in the order they run (each only when its section has items):

    networks     Docker networks, those with state present       (a management network: the containers join it)
    ports off    ovs_docker_port, the ports with state absent   (before their containers go)
    bridges      ovs_bridge, those with state present            (before the ports that need them)
    linux_bridges  Linux bridges, those with state present       (before the links whose ends are their ports)
    namespaces   netns_veth                                      (a namespace and its port, as ovs-docker's first step)
    containers   the container domain's Nodes                    (made, started, made again, removed)
    links        veth_link, with purge                           (once the containers are there)
    ports        ovs_docker_port, the others (create_bridge: false)
    vxlans       ovs_vxlan
    bridges off  ovs_bridge, those with state absent             (not waited for: ovs-vswitchd removes
                                                                  them while the containers go)
    linux_bridges off  Linux bridges, those with state absent    (planned here, removed at the end)
    networks off Docker networks, those with state absent        (planned here, removed at the end)
    (the containers removed, and those set aside to be replaced: nothing after them needs them; then
    the Linux bridges and networks that go; then the run waits until ovs-vswitchd has applied everything)

Each section's items are the options of that module's list ('bridges', 'links', 'attachments',
'vxlans'), checked against its argument_spec and validated by its part before anything is read. A
bridge item may say what to do with a bridge of its name that is there already (``existing``:
'keep' it as it is, or, 'ours', keep it only if it carries the topology's labels).

With ``prune_labels`` (a topology's mark, as {key: value}) the run first looks at what carries them -
containers by their labels, bridges by their external_ids - and removes what the lists no longer
have (leftovers()): the containers, their OVS ports, the bridges (unless someone else's ports are on
them: kept, said in 'kept') and the VXLAN links on those. A teardown is a run with empty lists.
Check mode makes nothing, so what joins a container or a bridge that this run would make (or make
again) cannot be looked at: it is named in 'would', and the run shows as changed.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import marks as _marks
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import runner as _runner
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.common import OVSDB_ARGS, ModuleError
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._system import containers as _containers
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._system import ovsdb as _ovsdb
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._system.netlink import Netlink
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains import bridge as _bridge
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains import container as _container
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains import linux_bridge as _linux_bridge
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains import network as _network
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains import veth_link as _veth_link
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains import vxlan as _vxlan
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains.attachment import docker_port as _docker_port
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains.attachment import netns_veth as _netns_veth

ENGINE_ARGS = dict(docker_host=dict(type='str'), docker_timeout=dict(type='int', default=60))

# (section, the part, its list option, which items: None all, else their state, what else it is given)
STAGES = (
    ('networks', _network.NetworksPart, 'networks', 'present', {}),
    ('ports', _docker_port.DockerPort, 'attachments', 'absent', dict(create_bridge=False)),
    ('bridges', _bridge.OvsBridge, 'bridges', 'present', {}),
    ('linux_bridges', _linux_bridge.LinuxBridgesPart, 'linux_bridges', 'present', {}),
    ('namespaces', _netns_veth.NetnsVeth, 'attachments', None, {}),
    ('containers', _container.Nodes, 'containers', None, {}),
    ('links', _veth_link.VethLink, 'links', None, {}),
    ('ports', _docker_port.DockerPort, 'attachments', 'present', dict(create_bridge=False)),
    ('vxlans', _vxlan.OvsVxlan, 'vxlans', None, {}),
    ('bridges', _bridge.OvsBridge, 'bridges', 'absent', {}),
    ('linux_bridges', _linux_bridge.LinuxBridgesPart, 'linux_bridges', 'absent', {}),
    ('networks', _network.NetworksPart, 'networks', 'absent', {}),
)
SECTIONS = ('networks', 'bridges', 'linux_bridges', 'namespaces', 'containers', 'links', 'ports', 'vxlans')
# what a stage's module takes at its top level that this module passes on as it is given
SHARED = tuple(ENGINE_ARGS) + tuple(OVSDB_ARGS) + ('allow_host_overlap',)


EXISTING = ('keep', 'ours')
# what the look reads of OVSDB: the bridges, their ports and those ports' interfaces' marks
LOOK_TABLES = {'Bridge': ['name', 'ports', 'external_ids'], 'Port': ['name', 'interfaces'],
               'Interface': ['name', 'external_ids']}


def _carries(found, labels):
    return bool(labels) and all((found or {}).get(k) == v for k, v in labels.items())


def leftovers(params, containers, bridges, labels, networks=None, linux_bridges=None):
    """What the look finds (pure): ``containers`` {name: labels} (the engine's listing), ``bridges``
    [{'name', 'external_ids', 'ports': [{'name', 'external_ids'}]}] (each port with its interface's
    external_ids), ``labels`` the topology's mark -> {'containers', 'ports', 'vxlans', 'bridges'}
    (the items that remove what carries the mark and the lists no longer have; ``networks`` {name:
    labels} the engine's networks: 'networks' those to remove; ``linux_bridges`` {name: description}
    the host's Linux bridges: 'linux_bridges'), the names of the
    listed bridges that are there already and are kept as they are, [kept] (said of a bridge not
    removed), [problems] (a listed bridge of someone else's where it must be ours)."""
    own = set(name for name, found in containers.items() if _carries(found, labels))
    wanted = set(c['name'] for c in params['containers'])
    wanted_ports = set((p.get('container'), p.get('interface')) for p in params['ports'] if _state(p) == 'present')
    more = dict(containers=[{'name': name, 'state': 'absent'} for name in sorted(own - wanted)], ports=[], vxlans=[], bridges=[])
    listed_networks = set(n['name'] for n in params.get('networks') or [])
    more['networks'] = [{'name': name, 'state': 'absent'} for name, found in sorted((networks or {}).items())
                        if name not in listed_networks and _carries(found, labels)]
    listed_linux = set(b['name'] for b in params.get('linux_bridges') or [])
    more['linux_bridges'] = [{'name': name, 'state': 'absent', 'labels': labels} for name, alias in sorted((linux_bridges or {}).items())
                             if name not in listed_linux and labels and alias == _marks.bridge_alias(labels)]
    # a port the lists name otherwise (containerlab's endpoint moved on its bridge): removed first, made again
    named = dict(((p.get('container'), p.get('interface')), p['host_interface']) for p in params['ports']
                 if _state(p) == 'present' and p.get('host_interface'))
    for bridge in bridges:
        for port in bridge['ports']:
            ids = port['external_ids']
            key = (ids.get(_marks.CONTAINER_ID), ids.get(_marks.CONTAINER_IFACE))
            if key[0] in own and (key not in wanted_ports or named.get(key, port['name']) != port['name']):
                more['ports'].append({'container': key[0], 'interface': key[1], 'state': 'absent'})
    leaving = set((p['container'], p['interface']) for p in more['ports'])
    found = dict((b['name'], b) for b in bridges)
    listed, keep, problems, kept = set(), set(), [], []
    for item in params['bridges']:
        listed.add(item['name'])
        there = found.get(item['name'])
        if there is None or not item.get('existing'):
            continue
        if item['existing'] == 'ours' and not _carries(there['external_ids'], labels):
            problems.append('bridge %s exists and is not this topology\'s (no external_ids %s): remove or rename it'
                            % (item['name'], ', '.join('%s=%s' % kv for kv in sorted(labels.items()))))
        keep.add(item['name'])
    for bridge in bridges:
        if bridge['name'] in listed or not _carries(bridge['external_ids'], labels):
            continue
        vxlans, others = [], []
        for port in bridge['ports']:
            ids = port['external_ids']
            if ids.get(_marks.VXLAN):
                vxlans.append(ids[_marks.VXLAN])
            elif port['name'] != bridge['name'] and (ids.get(_marks.CONTAINER_ID), ids.get(_marks.CONTAINER_IFACE)) not in leaving:
                others.append(port['name'])
        if others:
            kept.append('bridge %s is kept: ports that are not this topology\'s are on it (%s)' % (bridge['name'], ', '.join(sorted(others))))
            continue
        more['vxlans'].extend({'name': name, 'state': 'absent'} for name in sorted(vxlans))
        more['bridges'].append({'name': bridge['name'], 'state': 'absent'})
        # (its ports go with it, in the same transaction: not one by one before)
        gone = set((p['external_ids'].get(_marks.CONTAINER_ID), p['external_ids'].get(_marks.CONTAINER_IFACE)) for p in bridge['ports'])
        more['ports'] = [p for p in more['ports'] if (p['container'], p['interface']) not in gone]
    return more, keep, kept, problems


def _state(item):
    return item.get('state') or 'present'


def _wires(item):
    """How 'would' names what check mode leaves out."""
    if 'ends' in item:
        return 'would wire %s' % ' to '.join(_marks.veth_end_label(e) for e in item['ends'])
    if 'namespace' in item:
        return 'would attach netns %s:%s to %s' % (item['namespace'], item.get('interface'), item.get('bridge'))
    if 'vni' in item:
        return 'would join %s to %s (VNI %s)' % (item.get('bridge'), ', '.join(item.get('remotes') or []), item.get('vni'))
    return 'would attach %s:%s to %s' % (item.get('container'), item.get('interface'), item.get('bridge'))


def _joins(item, new):
    """Does a link, port or VXLAN link join a container or bridge of ``new``?"""
    names = [e.get('container') or e.get('master') for e in item.get('ends') or []] + [item.get('container'), item.get('bridge')]
    return any(name in new for name in names if name)


class HostPart(_runner.Staged):
    """ovs_docker_topology's own part (see the module's docstring)."""

    argument_spec = dict(
        containers=dict(type='list', elements='dict', options=_container.OPTIONS, default=[]),
        adopt_labels=dict(type='dict'),
        prune_labels=dict(type='dict'),
        bridges=dict(type='list', elements='dict', default=[]),
        links=dict(type='list', elements='dict', default=[]),
        purge=dict(type='list', elements='str', default=[]),
        ports=dict(type='list', elements='dict', default=[]),
        namespaces=dict(type='list', elements='dict', default=[]),
        allow_host_overlap=dict(type='bool', default=False),
        vxlans=dict(type='list', elements='dict', default=[]),
        networks=dict(type='list', elements='dict', default=[]),
        linux_bridges=dict(type='list', elements='dict', default=[]),
        **dict(ENGINE_ARGS, **OVSDB_ARGS)
    )

    # (set by validate() and look(): a run's ports taken off to be made again, the networks' stage held to the end)
    moved, held, _links = frozenset(), (), None

    def _part(self, part_class, list_key, items, more):
        """The part of one stage, made as its module would be, for these items."""
        # an option None is one not set (a checked item has every option, unset ones None: checked again, as
        # check mode does with what it keeps, None would not be one of an option's choices)
        items = [dict((k, v) for k, v in item.items() if v is not None) for item in items]
        params = dict(more, **{list_key: items})
        for key in SHARED:
            if key in part_class.argument_spec:
                params[key] = self.params[key]
        if part_class is _container.Nodes:
            params['adopt_labels'] = self.params['adopt_labels']
        checked = _runner.checked_params(part_class, params, '%s: ' % list_key)
        part = part_class(_runner.Invocation(checked, self.module.check_mode, self.module._diff, self.module.warn))
        if part_class is _container.Nodes:
            part.hold_discards = True  # (see final_steps)
        return part

    def _items(self, section, state):
        items = [i for i in self.lists[section] if state is None or _state(i) == state]
        if section == 'bridges':  # (existing is this module's: what ovs_bridge is given is the rest)
            items = [dict((k, v) for k, v in i.items() if k != 'existing') for i in items]
        return items

    def _more(self, section, more):
        if section == 'links':
            return dict(more, purge=self.params['purge'])
        return more

    def validate(self):
        self.lists = dict((section, list(self.params[section])) for section in SECTIONS)
        self.would, self.final, self.kept, self.held, self.moved, self._links = [], [], [], [], set(), None
        self.labels = dict((str(k), str(v)) for k, v in (self.params['prune_labels'] or {}).items())
        errors = ['bridges: %s: existing is one of %s' % (i.get('name'), ', '.join(EXISTING))
                  for i in self.params['bridges'] if i.get('existing') not in (None,) + EXISTING]
        if any(i.get('existing') == 'ours' for i in self.params['bridges']) and not self.labels:
            errors.append('bridges: existing=ours needs prune_labels (the mark that says a bridge is the topology\'s)')
        return errors or super(HostPart, self).validate()

    def look(self, parts):
        """What carries the topology's mark, and the bridges the lists name that are there: the
        lists completed with what to remove (leftovers()), the bridges to keep as they are left out
        -> the stages' parts for them; ModuleError for a refusal (nothing is changed yet)."""
        self._linux_bridges()
        names = set(i['name'] for i in self.params['bridges'] if i.get('existing'))
        if not self.labels and not names:
            return parts
        try:
            api = _containers.LocalApi(_containers.docker_host(self.params['docker_host']), self.params['docker_timeout'])
            raw = api.containers()
            networks = dict((n['Name'], n.get('Labels') or {}) for n in api.request('GET', '/networks', 'listing networks') or []) \
                if self.labels else {}
        except _containers.ContainerError as exc:
            raise ModuleError(str(exc))
        db = _ovsdb.connect(self.params, LOOK_TABLES)
        try:
            bridges = [{'name': b.name, 'external_ids': dict(b.external_ids),
                        'ports': [{'name': p.name, 'external_ids': dict(next((i.external_ids for i in p.interfaces if i.name == p.name), {}))}
                                  for p in b.ports]}
                       for b in db.rows('Bridge') if self.labels or b.name in names]
        finally:
            db.close()
        # (the Linux bridges the topology made: their description says it)
        linux = dict((name, link.get('alias')) for name, link in self._host_links().items() if link['kind'] == 'bridge') \
            if self.labels else {}
        more, keep, self.kept, problems = leftovers(self.params, _containers.labels_by_name(raw), bridges, self.labels, networks, linux)
        if problems:
            raise ModuleError('; '.join(problems), errors=problems)
        self.lists['bridges'] = [i for i in self.lists['bridges'] if i['name'] not in keep] + more['bridges']
        if self.module.check_mode:  # (a port taken off to be made again: what comes back cannot be looked at)
            self.moved = set((p['container'], p['interface']) for p in more['ports']) & set(
                (p.get('container'), p.get('interface')) for p in self.params['ports'] if _state(p) == 'present')
        for section in ('containers', 'ports', 'vxlans', 'networks', 'linux_bridges'):
            # (removals first: a port off before the container goes, as the stages run them)
            self.lists[section] = (more[section] + self.lists[section]) if section == 'ports' else (self.lists[section] + more[section])
        parts = self.parts()
        errors = [error for _key, part in parts for error in part.validate()]
        if errors:
            raise ModuleError('; '.join(errors), errors=errors)
        for _key, part in parts:  # (no stage before the containers' changes a container: the listing holds)
            if isinstance(part, _container.Nodes):
                part.listing = raw
        return parts

    def _linux_bridges(self):
        """The Linux bridges the links' host ends are to be ports of (containerlab's kind bridge: the
        user's, or one of linux_bridges) are there, before anything is made: ModuleError naming those
        that are not."""
        # (a network's bridge, a Linux bridge that this run makes, is not there yet: their stages make it first)
        networks = set(n.get('bridge') for n in self.params['networks'] if _state(n) == 'present') | set(
            b['name'] for b in self.params['linux_bridges'] if _state(b) == 'present')
        masters = sorted(set(e['master'] for link in self.params['links'] for e in link.get('ends') or []
                             if e.get('host') and e.get('master') and e['master'] not in networks))
        if not masters:
            return
        found = dict((name, self._host_links().get(name)) for name in masters)
        problems = ['Linux bridge %s %s: list it in linux_bridges, or make it first (ip link add %s type bridge; ip link set '
                    '%s up)' % (name, 'does not exist' if link is None else 'is a %s link, not a bridge' % link['kind'], name, name)
                    for name, link in sorted(found.items()) if link is None or link['kind'] != 'bridge']
        if problems:
            raise ModuleError('; '.join(problems), errors=problems)

    def _host_links(self):
        """The host's links by name: one netlink dump for the look (the masters the links need, the
        Linux bridges the topology made)."""
        if self._links is None:
            netlink = Netlink()
            try:
                self._links = dict((link['name'], link) for link in netlink.links())
            finally:
                netlink.close()
        return self._links

    def parts(self):
        """Every stage's part for all its items (what validate() checks first)."""
        found = []
        for section, part_class, list_key, state, more in STAGES:
            items = self._items(section, state)
            if items or (section == 'links' and self.params['purge']):
                found.append((section, self._part(part_class, list_key, items, self._more(section, more))))
        return found

    def stages(self, parts):
        """The parts in turn; in check mode, those after the containers without what joins one
        that this run would make (or a bridge it would make), named in self.would instead."""
        new = set()
        for section, part in self.look(parts):
            if (new or self.moved) and section in ('namespaces', 'links', 'ports', 'vxlans'):
                part = self._without(section, part, new)
                if part is None:
                    continue
            if section in ('networks', 'linux_bridges') and self._removes(part):
                # removed at the end, once the containers on them went (those the run removes: not in the way)
                part.hold, part.leaving = True, [action.target for _executor, action in self.final]
                self.held.append(part)
            yield section, part
            if section == 'containers':
                self.final = part.discards
            if self.module.check_mode and section in ('bridges', 'containers'):
                new.update(plan.desired['name'] for plan in part.plans
                           if plan.actions and plan.desired['state'] == 'present'
                           and (section == 'containers' or plan.current is None))
            if self.module.check_mode and section == 'networks':  # (a new network's bridge)
                new.update(plan.desired['bridge'] for plan in part.plans if plan.actions and plan.desired['bridge'])
            if self.module.check_mode and section == 'linux_bridges':
                new.update(plan.desired['name'] for plan in part.plans if plan.actions and plan.desired['state'] == 'present')

    def _without(self, section, part, new):
        """The stage's part without its items that join ``new`` (None: nothing is left of it)."""
        list_key = part.list_key
        kept = []
        for item in part.params[list_key] or []:
            # (self.moved: check mode's ports taken off to be made again)
            if _joins(item, new) or (section == 'ports' and _state(item) == 'present'
                                     and (item.get('container'), item.get('interface')) in self.moved):
                self.would.append(_wires(item))
            else:
                kept.append(item)
        more = dict((k, part.params[k]) for k in ('create_bridge',) if k in part.params)
        if section == 'links':
            more['purge'] = [p for p in part.params['purge'] or [] if p not in new]
        if not kept and not more.get('purge'):
            return None
        again = self._part(type(part), list_key, kept, more)
        again.validate()
        return again

    @staticmethod
    def _removes(part):
        return any(d['state'] == 'absent' for d in part.desired)

    def final_steps(self):
        # (the containers' discards, after the bridges' removal, then the networks': see the docstring)
        return self.final + [step for part in self.held for step in part.held]

    def result(self, stages):
        return self._merged(stages)

    def read_back(self, stages):
        merged = self._merged([(s, p, p.read_back()) for s, p, _r in stages])
        merged.pop('changed')
        merged.pop('diff', None)
        return merged

    def _merged(self, results):
        """One result of the stages' results: each section's list (ports: the attachments),
        'made', 'would', changed, and a diff by section."""
        merged = dict((section, []) for section in SECTIONS)
        merged.update(made=[], would=list(self.would), kept=list(self.kept), changed=bool(self.would))
        before, after = dict((s, {}) for s in SECTIONS), dict((s, {}) for s in SECTIONS)
        for section, part, result in results:
            merged[section].extend(result.get(part.list_key) or [])
            merged['made'].extend(result.get('made') or [])
            if isinstance(part, _runner.Held):  # (its kept ones as planned: a read-back shows each alone)
                merged['kept'].extend('%s %s is kept: %s' % (part.noun, p.desired['name'], p.after['kept']) for p in part.plans
                                      if (p.after or {}).get('kept'))
            merged['changed'] = merged['changed'] or bool(result.get('changed', any(p.actions for p in part.plans)))
            diff = result.get('diff')
            if diff:
                before[section].update(diff['before'] or {})
                after[section].update(diff['after'] or {})
        if self.module._diff:
            if self.would:  # (what check mode could not look at is part of what it shows)
                before['would'], after['would'] = [], list(self.would)
            merged['diff'] = dict(before=before, after=after)
        return merged
