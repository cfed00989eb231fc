# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Containers of a topology's nodes, made through the Engine API (Docker, Podman), many at once.

    desired_state(spec) -> (desired, [problems])   a node's container: what containerlab sets on a
                                                   node, as the engine's create request ('body')
                                                   and its digest ('spec')
    observe(api, names) -> {name: found}           one listing of the engine (labels, state)
    plan(desired, current, facts) -> Plan          facts: {'images': {ref: present}}
    Containers                                     the executor: each kind's batch through a
                                                   bounded pool of connections

A container is this domain's when it carries the label marks.CONTAINER_SPEC (the digest of the
request it was made from) or, made by an earlier release of a role, every label of ``adopt``; any
other container of a node's name is refused, named, with nothing changed. A node whose request
differs from the one its container was made from (its image, command, env, binds, ...) is made
again, and only it, as containerlab's reconcile does.

The kinds (an Action's target is the container's name):
    leftover   a container set aside by a run that did not finish: removed    undo: none
    pull       an image the host lacks (new: the reference)          undo: none (an image is kept)
    set_aside  a container to replace or remove: renamed, left running  undo: its name back
    create     made and started (new: the request)                    undo: removed
    start      a stopped container of the same request                undo: stopped
    discard    a container removed - one set aside, or one the run removes - after everything else
                                                                     undo: none (the last steps)
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import ipaddress
import json
import re
import shlex

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import marks as _marks
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import runner as _runner
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.common import ModuleError
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.engine import NO_UNDO, Action, JoinedExecutor, Plan
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._system import containers as _containers

# containers made or removed at once: the engine serialises much of its work, 8 keeps both cores busy
POOL = 8
# docker's own rule for a container name
_NAME = re.compile(r'^/?[a-zA-Z0-9][a-zA-Z0-9_.-]*$')
_SIZE = re.compile(r'^(\d+(?:\.\d+)?)\s*([bkmgt]?)b?$', re.IGNORECASE)
_PORT = re.compile(r'^(?:(?P<ip>[0-9.]+):)?(?:(?P<host>\d*):)?(?P<port>\d+)(?:/(?P<proto>tcp|udp|sctp))?$')
PULL = ('missing', 'always', 'never')
RESTART = ('no', 'on-failure', 'always', 'unless-stopped')
# Linux's capabilities by number (linux/capability.h) up to the last the engines we run on know
# (Docker 20.10 refuses CAP_PERFMON, CAP_BPF and CAP_CHECKPOINT_RESTORE by name)
CAPABILITIES = ('CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP LINUX_IMMUTABLE '
                'NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER SYS_MODULE SYS_RAWIO SYS_CHROOT '
                'SYS_PTRACE SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE SYS_RESOURCE SYS_TIME SYS_TTY_CONFIG MKNOD LEASE '
                'AUDIT_WRITE AUDIT_CONTROL SETFCAP MAC_OVERRIDE MAC_ADMIN SYSLOG WAKE_ALARM BLOCK_SUSPEND AUDIT_READ').split()
# what a node that asks to be privileged gets where the host refuses privileged containers
SYSTEM_PATHS = 'systempaths=unconfined'
UNCONFINED = ['apparmor=unconfined', 'seccomp=unconfined', SYSTEM_PATHS]


def bounding_set(path='/proc/self/status'):
    """The capabilities this host lets a process have (its bounding set: a privileged container
    asks for all of them, and the runtime fails where one is missing), or None when unread."""
    try:
        with open(path) as handle:
            for line in handle:
                if line.startswith('CapBnd:'):
                    mask = int(line.split()[1], 16)
                    return [name for bit, name in enumerate(CAPABILITIES) if mask >> bit & 1]
    except (IOError, OSError, ValueError):
        pass
    return None


def _some(names, most=5):
    return ', '.join(names[:most]) + (' and %d more' % (len(names) - most) if len(names) > most else '')


def unprivileged(spec, allowed):
    """A spec asking for privileged, where the host refuses it: every capability in ``allowed``
    (the bounding set), seccomp and AppArmor unconfined and /proc, /sys writable instead - what a
    routing daemon (FRR: CAP_SYS_ADMIN) and sysctls inside the node need."""
    spec = dict(spec, privileged=False)
    spec['capabilities'] = sorted(set(str(c).upper() for c in spec.get('capabilities') or []) | set(allowed))
    spec['security_opts'] = list(spec.get('security_opts') or []) + [o for o in UNCONFINED if o not in (spec.get('security_opts') or [])]
    return spec


# (a container set aside, _marks.container_aside, runs on while the run that replaces or removes
# it goes on, links and all, so that an undo puts it back as it was)

# The options of one container (the module's 'containers' items), and how each goes into the
# engine's create request.
OPTIONS = dict(
    name=dict(type='str', required=True),
    image=dict(type='str'),
    command=dict(type='raw'),
    entrypoint=dict(type='raw'),
    user=dict(type='str'),
    hostname=dict(type='str'),
    env=dict(type='dict'),
    labels=dict(type='dict'),
    volumes=dict(type='list', elements='str'),
    network_mode=dict(type='str'),
    # (one network at its creation: the Engine API before 1.44 takes one endpoint there)
    networks=dict(type='list', elements='dict', options=dict(
        name=dict(type='str', required=True), ipv4_address=dict(type='str'), ipv6_address=dict(type='str'),
        aliases=dict(type='list', elements='str'))),
    restart_policy=dict(type='str', choices=list(RESTART)),
    capabilities=dict(type='list', elements='str'),
    sysctls=dict(type='dict'),
    devices=dict(type='list', elements='str'),
    dns_servers=dict(type='list', elements='str'),
    dns_search_domains=dict(type='list', elements='str'),
    dns_opts=dict(type='list', elements='str'),
    published_ports=dict(type='list', elements='str'),
    cpus=dict(type='float'),
    cpuset_cpus=dict(type='str'),
    memory=dict(type='str'),
    shm_size=dict(type='str'),
    security_opts=dict(type='list', elements='str'),
    privileged=dict(type='bool', default=False),
    pull=dict(type='str', choices=list(PULL), default='missing'),
    state=dict(type='str', choices=['present', 'absent'], default='present'),
)


def size(value, what):
    """'512m', '1g', '1.5GB', 1024 -> bytes; (None, problem) when it is not a size."""
    match = _SIZE.match(str(value).strip())
    if not match:
        return None, '%s %r is not a size: give a number of bytes with an optional unit (k, m, g, t), as 512m' % (what, value)
    number, unit = float(match.group(1)), match.group(2).lower()
    return int(number * 1024 ** ' kmgt'.index(unit or ' ')), None


def _argv(value, what, problems):
    """A command or entrypoint: a list as it is, a string split as a shell would (containerlab's)."""
    if value is None:
        return None
    if isinstance(value, list):
        return [str(v) for v in value]
    try:
        return shlex.split(str(value))
    except ValueError as exc:
        problems.append('%s %r cannot be split into arguments (%s): give a list' % (what, value, exc))
        return None


def _ports(values, problems):
    """published_ports ('8080:80', '127.0.0.1:8080:80/udp', '80') -> ExposedPorts, PortBindings."""
    exposed, bindings = {}, {}
    for value in values or []:
        match = _PORT.match(str(value))
        if not match:
            problems.append('published port %r is not [IP:][HOST_PORT:]PORT[/PROTOCOL]: give one as 8080:80 or 80/udp' % value)
            continue
        key = '%s/%s' % (match.group('port'), match.group('proto') or 'tcp')
        exposed[key] = {}
        bindings.setdefault(key, []).append({'HostIp': match.group('ip') or '', 'HostPort': match.group('host') or ''})
    return exposed, bindings


def _devices(values, problems):
    found = []
    for value in values or []:
        parts = str(value).split(':')
        if not parts[0].startswith('/') or len(parts) > 3:
            problems.append('device %r is not HOST_PATH[:CONTAINER_PATH[:PERMISSIONS]]: give one as /dev/net/tun' % value)
            continue
        found.append({'PathOnHost': parts[0], 'PathInContainer': parts[1] if len(parts) > 1 else parts[0],
                      'CgroupPermissions': parts[2] if len(parts) > 2 else 'rwm'})
    return found


def _endpoints(networks, mode, problems):
    """The network a container joins at its creation (its eth0: a topology's management network)
    -> the create request's EndpointsConfig, with the addresses asked for; {} for none."""
    if not networks:
        return {}
    if len(networks) > 1:
        problems.append('networks lists %d networks: a container joins one at its creation (its eth0)' % len(networks))
    if mode not in ('none', networks[0]['name']):
        problems.append('network_mode %s and networks %s: give one of them' % (mode, networks[0]['name']))
    network = networks[0]
    ipam = {}
    for family, key, field in ((4, 'ipv4_address', 'IPv4Address'), (6, 'ipv6_address', 'IPv6Address')):
        value = network.get(key)
        if not value:
            continue
        try:
            address = ipaddress.ip_address(str(value))
        except ValueError:
            problems.append('networks[0].%s %r is not an address (no prefix length: the network has it)' % (key, value))
            continue
        if address.version != family:
            problems.append('networks[0].%s %s is not an IPv%d address' % (key, value, family))
        ipam[field] = str(address)
    endpoint = {}
    if ipam:
        endpoint['IPAMConfig'] = ipam
    if network.get('aliases'):
        endpoint['Aliases'] = [str(a) for a in network['aliases']]
    return {network['name']: endpoint}


def digest(body):
    """The digest of a create request: what says whether a container was made from this request."""
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode('utf-8')).hexdigest()[:20]


def desired_state(spec):
    """A container's options -> ({'name', 'state', 'image', 'pull', 'body', 'spec', 'key'}, [problems])."""
    problems = []
    name = str(spec.get('name') or '')
    if not _NAME.match(name):
        problems.append('container name %r is not a container name: letters, digits, _ . - only, the first a letter or digit' % name)
    desired = {'name': name.lstrip('/'), 'key': name.lstrip('/'), 'state': spec.get('state') or 'present',
               'image': spec.get('image'), 'pull': spec.get('pull') or 'missing', 'body': None, 'spec': None}
    if desired['state'] == 'absent':
        return desired, problems
    if not desired['image']:
        problems.append('no image: give the image to make the container from')
    mode = str(spec.get('network_mode') or 'none')
    networks = spec.get('networks') or []
    endpoints = _endpoints(networks, mode, problems)
    if endpoints:
        mode = networks[0]['name']
    if spec.get('restart_policy') not in (None, '') and spec['restart_policy'] not in RESTART:
        problems.append('restart_policy %r is not one of %s' % (spec['restart_policy'], ', '.join(RESTART)))
    host = {'NetworkMode': mode}
    body = {'Image': desired['image'], 'HostConfig': host,
            'Labels': dict((str(k), str(v)) for k, v in (spec.get('labels') or {}).items())}
    if endpoints:
        body['NetworkingConfig'] = {'EndpointsConfig': endpoints}
    for option, field in (('command', 'Cmd'), ('entrypoint', 'Entrypoint')):
        argv = _argv(spec.get(option), option, problems)
        if argv is not None:
            body[field] = argv
    if spec.get('user'):
        body['User'] = str(spec['user'])
    if spec.get('hostname'):
        body['Hostname'] = str(spec['hostname'])
    if spec.get('env'):
        body['Env'] = ['%s=%s' % (k, v) for k, v in sorted((spec.get('env') or {}).items())]
    exposed, bindings = _ports(spec.get('published_ports'), problems)
    if exposed:
        body['ExposedPorts'], host['PortBindings'] = exposed, bindings
    for option, field in (('volumes', 'Binds'), ('dns_servers', 'Dns'), ('dns_search_domains', 'DnsSearch'),
                          ('dns_opts', 'DnsOptions'), ('security_opts', 'SecurityOpt')):
        if spec.get(option):
            host[field] = [str(v) for v in spec[option]]
    if SYSTEM_PATHS in host.get('SecurityOpt', []):
        # (the docker CLI's spelling: the API takes it as no masked and no read-only paths)
        host['SecurityOpt'] = [o for o in host['SecurityOpt'] if o != SYSTEM_PATHS]
        host['MaskedPaths'], host['ReadonlyPaths'] = [], []
        if not host['SecurityOpt']:
            del host['SecurityOpt']
    if spec.get('privileged'):
        host['Privileged'] = True
    if spec.get('capabilities'):
        host['CapAdd'] = sorted(set(str(c).upper() for c in spec['capabilities']))
    if spec.get('sysctls'):
        host['Sysctls'] = dict((str(k), str(v)) for k, v in spec['sysctls'].items())
    if spec.get('devices'):
        host['Devices'] = _devices(spec['devices'], problems)
    if spec.get('restart_policy'):
        host['RestartPolicy'] = {'Name': spec['restart_policy']}
    if spec.get('cpus') is not None:
        if spec['cpus'] <= 0:
            problems.append('cpus %s is not above 0' % spec['cpus'])
        host['NanoCpus'] = int(spec['cpus'] * 1e9)
    if spec.get('cpuset_cpus'):
        host['CpusetCpus'] = str(spec['cpuset_cpus'])
    for option, field in (('memory', 'Memory'), ('shm_size', 'ShmSize')):
        if spec.get(option) not in (None, ''):
            value, problem = size(spec[option], option)
            problems.extend([problem] if problem else [])
            host[field] = value
    # the digest covers the request without itself, the label that carries it
    desired['spec'] = digest(body)
    body['Labels'][_marks.CONTAINER_SPEC] = desired['spec']
    desired['body'] = body
    return desired, problems


def observe(api, names, listing=None):
    """{name: {'id', 'running', 'status', 'labels', 'image'}} of the containers of these names: one
    listing of the engine, or ``listing`` (one this run read already); a container set aside by a
    run that did not finish is found too."""
    wanted = set(names) | set(_marks.container_aside(n) for n in names)
    found = {}
    for item in api.containers() if listing is None else listing:
        for name in item.get('Names') or []:
            if name.lstrip('/') in wanted:
                found[name.lstrip('/')] = {'id': item['Id'], 'running': item.get('State') == 'running',
                                           'status': item.get('State') or 'unknown', 'labels': item.get('Labels') or {},
                                           'image': item.get('Image'),
                                           'publishes': any(p.get('PublicPort') for p in item.get('Ports') or [])}
    return found


def ours(found, adopt=None):
    """Is the container ``found`` this domain's: made from a request (its digest label), or made by
    an earlier release of the role that names itself by the labels ``adopt``?"""
    labels = found.get('labels') or {}
    if _marks.CONTAINER_SPEC in labels:
        return True
    return bool(adopt) and all(labels.get(k) == v for k, v in adopt.items())


def view(desired, found):
    """How the result and the diff show a container: its image, request digest and state."""
    if found is None:
        return {'name': desired['name'], 'state': 'absent'}
    return {'name': desired['name'], 'state': 'running' if found['running'] else found['status'],
            'image': found.get('image'), 'spec': (found.get('labels') or {}).get(_marks.CONTAINER_SPEC)}


def plan(desired, current, facts=None):
    """One container's Plan. ``current``: observe()'s entry of its name (None: none); facts:
    'images' {reference: present on the host}, 'adopt' (labels, see ours()), 'aside' (observe()'s
    entry of the name set aside: a container set aside by a run that did not finish), 'remake' (the
    container whose namespace it joins is made again: so is it)."""
    facts = facts or {}
    name, found = desired['name'], current
    before = view(desired, found)
    if found is not None and not ours(found, facts.get('adopt')):
        return Plan.refused(desired, current, before, [
            'a container of this name exists that this collection did not make (no label %s): remove or rename it, or '
            'give the node another name' % _marks.CONTAINER_SPEC])
    actions = []
    aside = facts.get('aside')
    if aside is not None:  # set aside by a run whose undo did not finish
        if not ours(aside, facts.get('adopt')):
            return Plan.refused(desired, current, before, [
                'container %s exists and this collection did not make it (no label %s): remove or rename it'
                % (_marks.container_aside(name), _marks.CONTAINER_SPEC)])
        actions.append(Action('leftover', _marks.container_aside(name), None, NO_UNDO))
    if desired['state'] == 'absent':
        if found is not None:
            # (removed at the end, under its own name: nothing needs the name, and whatever before it fails
            # leaves it as it was)
            actions.append(Action('discard', name, None, NO_UNDO))
        return Plan(desired, current, actions, before, {'name': name, 'state': 'absent'})
    after = {'name': name, 'state': 'running', 'image': desired['image'], 'spec': desired['spec']}
    same = found is not None and (found.get('labels') or {}).get(_marks.CONTAINER_SPEC) == desired['spec'] \
        and not facts.get('remake')
    if same and found['running']:
        return Plan(desired, current, actions, before, dict(before))
    problems = []
    present = (facts.get('images') or {}).get(desired['image'])
    if not same and (desired['pull'] == 'always' or (desired['pull'] == 'missing' and not present)):
        actions.append(Action('pull', desired['image'], desired['image'], NO_UNDO))
    elif not same and not present:
        problems.append('image %s is not on this host and pull is never: load or pull it first, or let the module '
                        'pull it (pull: missing)' % desired['image'])
    if same:
        actions.append(Action('start', name, True, False))
    else:
        if found is not None:
            actions.append(Action('set_aside', name, None, found))
        actions.append(Action('create', name, desired['body'], None))
        if found is not None:
            actions.append(Action('discard', _marks.container_aside(name), None, NO_UNDO))
    return Plan(desired, current, actions, before, after, problems)


# the order a run's actions go in, whatever container they are of: a failed run's leftovers
# first, then images, then what is set aside, made, started; the discards last (nothing after them
# can fail and want those containers back)
PHASES = ('leftover', 'pull', 'set_aside', 'create', 'start', 'discard')


def shares(action):
    """Does the container an action makes join another's network namespace (network_mode
    container:...)? Those are made after the others."""
    return action.kind == 'create' and bool(action.new) and \
        action.new['HostConfig']['NetworkMode'].startswith('container:')


def ordered(actions):
    """Every container's actions in the order they run (PHASES; a create that joins another's
    namespace after the others)."""
    return sorted(actions, key=lambda a: (PHASES.index(a.kind), shares(a)))


def joined(desired):
    """The container whose network namespace ``desired`` joins (network_mode container:NAME), or None."""
    mode = (desired.get('body') or {}).get('HostConfig', {}).get('NetworkMode', '')
    return mode[len('container:'):] if mode.startswith('container:') else None


def remade(plans):
    """The names of the containers these plans make (again)."""
    return set(p.desired['name'] for p in plans if any(a.kind == 'create' for a in p.actions))


class Containers(JoinedExecutor):
    """Runs a batch of one kind at once through a pool of up to POOL connections (a local socket's
    connection serves one request at a time). A batch that fails part-way takes back what of it was
    done before it raises: the engine's undo then sees the batch as not done."""

    def __init__(self, base_url, timeout):
        self.base_url, self.timeout = base_url, timeout
        self.made = []  # the containers this run made (the nodes' exec commands run in them)

    @staticmethod
    def joins(previous, action):
        return previous.kind == action.kind and shares(previous) == shares(action)

    def run(self, actions):
        from queue import Queue
        apis = [_containers.LocalApi(self.base_url, self.timeout) for _i in range(min(POOL, len(actions)))]
        free = Queue()  # a connection is taken by one request at a time, whichever thread runs it
        for api in apis:
            free.put(api)

        def one(action):
            api = free.get()
            try:
                self.runs(action)(self, api, action)
                return None
            except Exception as exc:  # gathered: the batch's failures are reported together
                return exc
            finally:
                free.put(api)

        if len(actions) == 1:
            errors = [one(actions[0])]
        else:
            from concurrent.futures import ThreadPoolExecutor
            with ThreadPoolExecutor(max_workers=len(apis)) as pool:
                errors = list(pool.map(one, actions))
        if any(errors):
            for action, error in zip(actions, errors):
                back = action.undo() if error is None else None
                if back is not None:
                    try:
                        self.runs(back)(self, apis[0], back)
                    except Exception:  # the failure the user needs is the first; the read-back shows what is left
                        pass
            raise _containers.ContainerError('; '.join(str(e) for e in errors if e is not None))

    @staticmethod
    def _quote(name):
        from urllib.parse import quote
        return quote(name, safe='')

    def _pull(self, api, action):
        """The image pulled (action.new: the reference, or {'image', 'for': the containers it is for})."""
        from urllib.parse import urlencode
        ref = action.new['image'] if isinstance(action.new, dict) else action.new
        users = action.new.get('for') if isinstance(action.new, dict) else None
        last = ref.split('/')[-1]
        image, tag = ref.rsplit(':', 1) if ':' in last and '@' not in last else (ref, '' if '@' in last else 'latest')
        api.request('POST', '/images/create?%s' % urlencode({'fromImage': image, 'tag': tag}),
                    'pulling image %s%s' % (ref, ' (for container %s)' % ', '.join(users) if users else ''),
                    missing=(), stream=True)

    def _set_aside(self, api, action):
        """Renamed (action.new None) or, as the undo, renamed back. It runs on, its links with it,
        until the discard at the end: the undo puts it back as it was. One that publishes ports on
        the host is stopped (its successor needs them) and started again by the undo."""
        found = action.old if action.new is None else action.new
        name = _marks.container_aside(action.target) if action.new is None else action.target
        api.request('POST', '/containers/%s/rename?name=%s' % (self._quote(found['id']), self._quote(name)),
                    'renaming container %s to %s' % (found['id'][:12], name), missing=())
        if found['running'] and found.get('publishes'):
            verb = 'kill' if action.new is None else 'start'
            api.request('POST', '/containers/%s/%s' % (self._quote(found['id']), verb), '%s container %s'
                        % ('stopping' if verb == 'kill' else 'starting', name), missing=(304,))

    def _create(self, api, action):
        """Made and started (action.new: the request); as the undo, removed."""
        if action.new is None:
            api.request('DELETE', '/containers/%s?force=1' % self._quote(action.target), 'removing container %s' % action.target)
            if action.target in self.made:
                self.made.remove(action.target)
            return
        made = api.request('POST', '/containers/create?name=%s' % self._quote(action.target),
                           'making container %s (image %s)' % (action.target, action.new['Image']), body=action.new, missing=())
        try:
            api.request('POST', '/containers/%s/start' % self._quote(made['Id']), 'starting container %s' % action.target,
                        missing=(304,))
        except _containers.ContainerError:
            api.request('DELETE', '/containers/%s?force=1' % self._quote(made['Id']), 'removing container %s' % action.target)
            raise
        self.made.append(action.target)

    def _start(self, api, action):
        verb = 'start' if action.new else 'kill'
        api.request('POST', '/containers/%s/%s' % (self._quote(action.target), verb),
                    '%s container %s' % ('starting' if action.new else 'stopping', action.target), missing=(304,))

    def _discard(self, api, action):
        api.request('DELETE', '/containers/%s?force=1' % self._quote(action.target), 'removing container %s' % action.target,
                    missing=())

    RUNS = {'leftover': _discard, 'pull': _pull, 'set_aside': _set_aside, 'create': _create, 'start': _start,
            'discard': _discard}


class Nodes(_runner.Batch):
    """ovs_docker_topology's own part: the containers of this host's part of a topology, observed
    in one listing, planned each, applied in batches of a kind (Containers), read back in one
    listing."""

    argument_spec = dict(
        containers=dict(type='list', elements='dict', options=OPTIONS, required=True),
        adopt_labels=dict(type='dict'),
        docker_host=dict(type='str'),
        docker_timeout=dict(type='int', default=60),
    )
    one_key, list_key, noun = 'container', 'containers', 'container'
    # a stage of a longer run (host_part) holds the discards back for its end: the containers set
    # aside stay until nothing after them can fail
    hold_discards = False
    # the engine's listing, when the run has read it already (host_part's look): not asked again
    listing = None
    quiet = True  # (the engine only: see _runner.Module)

    def validate(self):
        self.many = True
        self.executor, self.discards = None, []
        specs = self.params['containers']
        allowed = bounding_set() if any(s.get('privileged') for s in specs) else None
        if allowed is not None and set(allowed) != set(CAPABILITIES):
            # (the engine's runtime would fail to start every one of them)
            specs = [unprivileged(s, allowed) if s.get('privileged') else s for s in specs]
            missing = ', '.join('CAP_' + c for c in CAPABILITIES if c not in allowed)
            nodes = _some([s['name'] for s in self.params['containers'] if s.get('privileged')])
            self.module.warn('this host refuses privileged containers (%s outside its capability bounding set): the '
                             'privileged nodes (%s) get every other capability, seccomp and AppArmor unconfined and '
                             'writable /proc/sys instead' % (missing, nodes))
        return self.validate_named(specs, desired_state)

    def connect(self):
        self.base_url = _containers.docker_host(self.params['docker_host'])
        if not _containers.unix_socket(self.base_url):
            raise ModuleError('containers are made through the engine\'s local socket (unix://...), not %s: run the task on '
                              'the engine\'s host' % self.base_url)
        self.api = _containers.LocalApi(self.base_url, self.params['docker_timeout'])

    def make_plans(self):
        try:
            found = observe(self.api, [d['name'] for d in self.desired], self.listing)
            images = dict((ref, self.api.get('/images/%s/json' % Containers._quote(ref), 'looking for image %s' % ref) is not None)
                          for ref in sorted(set(d['image'] for d in self.desired if d['state'] == 'present' and d['image'])))
        except _containers.ContainerError as exc:
            raise ModuleError(str(exc))
        adopt = dict((str(k), str(v)) for k, v in (self.params['adopt_labels'] or {}).items())
        # a container joined to one made again is made again too (until no more are: a chain of them)
        remake, plans = set(), None
        while plans is None or remade(plans) - remake:
            remake |= remade(plans or [])
            plans = [plan(d, found.get(d['name']), dict(images=images, adopt=adopt, remake=joined(d) in remake,
                                                        aside=found.get(_marks.container_aside(d['name']))))
                     for d in self.desired]
        return plans

    def steps(self):
        self.executor = Containers(self.base_url, self.params['docker_timeout'])
        actions, pulls = [], {}
        for container_plan in self.plans:
            for action in container_plan.actions:
                if action.kind == 'pull':  # one pull an image, however many containers it makes
                    pulls.setdefault(action.target, []).append(container_plan.desired['name'])
                else:
                    actions.append(action)
        actions += [Action('pull', image, {'image': image, 'for': names}, NO_UNDO) for image, names in sorted(pulls.items())]
        steps = [(self.executor, action) for action in ordered(actions)]
        if self.hold_discards:
            self.discards = [step for step in steps if step[1].kind == 'discard']
            steps = [step for step in steps if step[1].kind != 'discard']
        return steps

    def result(self):
        result = super(Nodes, self).result()
        result['made'] = [p.desired['name'] for p in self.plans if any(a.kind == 'create' for a in p.actions)]
        return result

    def read_back(self):
        try:
            found = observe(self.api, [d['name'] for d in self.desired])
        except _containers.ContainerError as exc:
            raise ModuleError('reading the containers back failed: %s' % exc)
        made = sorted(self.executor.made) if self.executor is not None else []
        return dict(self.objects([view(plan.desired, found.get(plan.desired['name'])) for plan in self.plans]), made=made)
