# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What several modules share: argument specs (matching plugins/doc_fragments), the errors that
the libraries raise (the runner alone turns them into a module failure), the pyroute2 check, the
host lock."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import importlib.util
import fcntl
import os
import time
import traceback

# One run at a time changes a host's bridges, ports and links: two plays on one attachment (or one
# new bridge) would otherwise both see it missing and both make it, and the loser's undo would take
# back the winner's work. The kernel drops the lock when the process ends, however it ends.
LOCK_PATH = '/run/netdevops-ovs_docker.lock'
LOCK_WAIT = 300  # seconds; a holder is always a live module run
_HELD = []  # the open lock file: closing it would release the lock

# Where the agent (see _agent) writes its process ID while it runs.
AGENT_PIDFILE = '/run/netdevops-ovs_docker-agent.pid'


def agent_state(path=AGENT_PIDFILE):
    """{'running', 'pid'}: whether the agent runs on this host (its pid file names a live process
    that is the agent)."""
    try:
        with open(path) as handle:
            pid = int(handle.read().strip() or 0)
        with open('/proc/%d/cmdline' % pid, 'rb') as handle:
            running = b'module_utils._agent' in handle.read()
    except (IOError, OSError, ValueError):
        return {'running': False, 'pid': None}
    return {'running': running, 'pid': pid if running else None}


OVSDB_ARGS = dict(
    ovsdb_socket=dict(type='str', default='unix:/run/openvswitch/db.sock'),
    ovsdb_timeout=dict(type='float', default=10.0),
)


class ModuleError(Exception):
    """What a library raises where the module must fail: the runner (_runner.run) reports it, with
    the message and ``extra`` (more keys of the failed result)."""

    def __init__(self, message, **extra):
        super(ModuleError, self).__init__(message)
        self.extra = extra


def not_installed(name):
    """None when the Python package ``name`` is installed, else the traceback of its import (for
    missing_required_lib); it is only looked for, not imported."""
    try:
        if importlib.util.find_spec(name) is None:
            raise ImportError('No module named %s' % name)
    except ImportError:
        return traceback.format_exc()
    return None


def missing_library(requirement, exception):
    """The ModuleError of a library that is not installed on the managed host (``exception``: the
    import's traceback), worded as Ansible words it."""
    from ansible.module_utils.basic import missing_required_lib
    return ModuleError(missing_required_lib(requirement), exception=exception)


class ApplyError(Exception):
    """A step of a run failed; ``undo_errors`` lists what could not be taken back (none: the run's
    changes were all undone)."""

    def __init__(self, message, undo_errors):
        super(ApplyError, self).__init__(message)
        self.undo_errors = list(undo_errors)

    def report(self, prefix):
        """The message for fail_json, saying whether the undo was complete."""
        if self.undo_errors:
            return '%s%s; undoing this run failed too: %s' % (prefix, self, '; '.join(self.undo_errors))
        return '%s%s; what this run changed was undone' % (prefix, self)


def no_bridge(name):
    """The refusal of a run that needs the OVS bridge ``name``, which is not there."""
    return 'bridge %s does not exist: create it first (netdevops.ovs_docker.ovs_bridge)' % name


# OVS's Port.vlan_mode values (the option's choices, and what _attach validates).
VLAN_MODES = ('access', 'trunk', 'native-tagged', 'native-untagged')

# Options of a veth attachment (plugins/doc_fragments/attachment.py).
ATTACH_ARGS = dict(
    mtu=dict(type='int'),
    gateway=dict(type='str'),
    gateway6=dict(type='str'),
    gateway_onlink=dict(type='bool', default=False),
    vlan_mode=dict(type='str', choices=list(VLAN_MODES)),
    trunks=dict(type='list', elements='raw'),
    vlans=dict(type='list', elements='dict', options=dict(
        id=dict(type='int', required=True),
        name=dict(type='str'),
        addresses=dict(type='list', elements='str'),
    )),
    ingress_policing_rate=dict(type='int'),
    ingress_policing_burst=dict(type='int'),
    egress_rate=dict(type='int'),
    egress_burst=dict(type='int'),
    persistent=dict(type='bool'),
    # addresses: the whole set ('remove', also when not set: a record made before it existed reads
    # the same) or what must be there ('keep': a routing daemon's, a user's stay)
    other_addresses=dict(type='str', choices=['remove', 'keep']),
)
# A port's rate limits: what the container or namespace sends (ingress policing) and what it is
# sent (egress, a linux-htb QoS); kbit/s and kbit.
LIMITS = ('ingress_policing_rate', 'ingress_policing_burst', 'egress_rate', 'egress_burst')


def list_items(params, key, options, inherited):
    """The items of the list option ``key``, each with every option of ``options`` present; those
    of ``inherited`` an item leaves unset are the task's own (ovs_bridge's bridges, the attachments
    of netns_veth and ovs_docker_port)."""
    items = []
    for entry in params[key]:
        item = dict((option, entry.get(option)) for option in options)
        for option in inherited:
            if item[option] is None:
                item[option] = params.get(option)
        items.append(item)
    return items


def require_pyroute2():
    """ModuleError, once and clearly, when pyroute2 is missing on the managed host."""
    from ansible_collections.netdevops.ovs_docker.plugins.module_utils._system.netlink import import_error
    missing = import_error()
    if missing:
        raise missing_library('pyroute2 (pip install pyroute2, or Debian/Ubuntu python3-pyroute2)', missing)


def host_unlock():
    """Let go of the host's lock, if this process holds it (the agent, between its runs)."""
    while _HELD:
        handle = _HELD.pop()
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def host_lock(path=LOCK_PATH, wait=LOCK_WAIT):
    """Wait for, and hold until the module exits, this host's lock for runs that change things
    (check mode takes none: it writes nothing, not even the lock file); ModuleError naming the
    holder after ``wait`` seconds."""
    if _HELD:
        return
    handle = open(path, 'a+')
    deadline, delay = time.monotonic() + wait, 0.01
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
        if time.monotonic() >= deadline:
            handle.seek(0)
            holder = handle.read().strip() or 'unknown'
            raise ModuleError("another netdevops.ovs_docker run (pid %s) has been changing this host for over %ds; "
                              "wait for it, or end it if it hangs (lock %s)" % (holder, wait, path))
        time.sleep(delay)  # flock has no timeout of its own
        delay = min(delay * 2, 0.2)
    handle.seek(0)
    handle.truncate()
    handle.write('%d\n' % os.getpid())
    handle.flush()
    _HELD.append(handle)
