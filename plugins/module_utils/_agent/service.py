# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ovs_docker_agent: the agent (_agent) installed on a host and kept running.

What it installs is the module's own payload: ansible sends a module with the module_utils it
imports in one zip (AnsiballZ), and this module imports the agent's, so that zip holds the whole
agent, the modules' own parts included (the agent applies records through them). Copied to
PAYLOAD, it runs with nothing of the collection installed on the host, on the interpreter the
modules use (which has their libraries). The launcher (a shell script) is the one command line;
systemd runs it as a service (its log in the journal), and on a host without systemd as init the
module starts it as a daemon of its own (its log in LOG_FILE), as the test bed runs dockerd."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shlex
import signal
import sys
import time
import zipfile

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._agent import agent as _agent
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import runner as _runner
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.common import ModuleError, agent_state
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.engine import NO_UNDO, Action, Executor, Plan

HOME = '/usr/local/lib/netdevops-ovs_docker'
PAYLOAD = HOME + '/agent.zip'
LAUNCHER = HOME + '/agent'
UNIT_NAME = 'netdevops-ovs_docker-agent.service'
UNIT = '/etc/systemd/system/' + UNIT_NAME
LOG_FILE = '/var/log/netdevops-ovs_docker-agent.log'
AGENT_MODULE = _agent.__name__
# How long a started agent has to write its pid file, a stopped one to exit.
START_WAIT = 15.0


def own_payload():
    """The zip this module runs from (ansible's AnsiballZ payload)."""
    head, sep, _rest = _agent.__file__.partition('.zip' + os.sep)
    if not sep:
        raise ModuleError('ovs_docker_agent installs the payload ansible sends it, and this run has none (%s): run it '
                          'through ansible, not from an unpacked module' % _agent.__file__)
    return head + '.zip'


# What ansible's wrapper adds to the payload for the run (sitecustomize.py: this run's temporary
# path); not the agent's.
RUN_ONLY = ('sitecustomize.py',)


def fingerprint(path):
    """What a payload holds, as (name, CRC) pairs (the zip's own dates differ from run to run)
    -> sorted list, or None when there is none."""
    try:
        with zipfile.ZipFile(path) as payload:
            return sorted((info.filename, info.CRC) for info in payload.infolist() if info.filename not in RUN_ONLY)
    except (IOError, OSError, zipfile.BadZipfile):
        return None


def agent_payload(path):
    """The payload's bytes without what is only the run's."""
    import io
    out = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as copy:
        for info in source.infolist():
            if info.filename not in RUN_ONLY:
                copy.writestr(info, source.read(info))
    return out.getvalue()


def version(found):
    """A short name of a payload's contents (its fingerprint), to tell two apart in a diff."""
    if found is None:
        return None
    import hashlib
    return hashlib.sha256(repr(found).encode('utf-8')).hexdigest()[:12]


def launcher_text(python, ovsdb_socket, docker_host):
    command = [python, '-m', AGENT_MODULE, '--ovsdb-socket', ovsdb_socket, '--docker-host', docker_host]
    return ('#!/bin/sh\n'
            '# The netdevops.ovs_docker agent (written by the ovs_docker_agent module: run it again to change this).\n'
            '# Arguments are added: --once applies every record once and exits, --verbose logs more.\n'
            'cd /\n'
            'PYTHONPATH=%s exec %s "$@"\n' % (shlex.quote(PAYLOAD), ' '.join(shlex.quote(c) for c in command)))


def unit_text():
    # After its engines and Open vSwitch where they are units (an After= of no unit is no order);
    # it would wait for them all the same.
    return ('[Unit]\n'
            'Description=netdevops.ovs_docker agent: persistent attachments applied again on container starts\n'
            'After=network.target openvswitch-switch.service docker.service podman.socket\n'
            '\n'
            '[Service]\n'
            'ExecStart=%s\n'
            'Restart=on-failure\n'
            'RestartSec=1\n'
            '\n'
            '[Install]\n'
            'WantedBy=multi-user.target\n' % LAUNCHER)


def read(path, mode='r'):
    """The file's content (``mode`` 'rb': as bytes), or None when there is none."""
    try:
        with open(path, mode) as handle:
            return handle.read()
    except (IOError, OSError):
        return None


def write(path, data, mode):
    """Written whole or not at all (a new file renamed over the old: a running agent keeps the
    payload it opened)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    new = path + '.new'
    with open(new, 'wb') as handle:
        handle.write(data)
    os.chmod(new, mode)
    os.rename(new, path)


def remove(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def systemd_is_init():
    """As systemd itself tells (sd_booted): /run/systemd/system exists."""
    return os.path.isdir('/run/systemd/system')


def desired_state(params):
    """What the task asks -> (desired, []): 'state', 'init' (auto resolved: systemd where it is
    init), the 'launcher' and 'unit' texts, and 'payload' (the fingerprint of this run's own
    payload, asked only when the agent is to be present)."""
    init = params['init']
    if init == 'auto':
        init = 'systemd' if systemd_is_init() else 'none'
    from ansible_collections.netdevops.ovs_docker.plugins.module_utils._system.containers import docker_host
    desired = {'state': params['state'], 'init': init, 'docker_host': docker_host(params['docker_host']), 'unit': unit_text()}
    desired['launcher'] = launcher_text(params['python'] or sys.executable, params['ovsdb_socket'], desired['docker_host'])
    desired['payload'] = fingerprint(own_payload()) if desired['state'] == 'present' else None
    return desired, []


def steps_of(desired, found):
    """-> [steps] (names, in order) from what is there; [] when nothing is to be done."""
    if desired['state'] == 'absent':
        steps = []
        if found['unit'] is not None:
            steps.append('stop_service')
        elif found['running']:
            steps.append('stop_daemon')
        if found['installed'] or found['unit'] is not None:
            steps.append('remove_files')
        return steps
    steps = []
    payload = desired['payload'] != found['payload']
    launcher = found['launcher'] != desired['launcher']
    if payload:
        steps.append('payload')
    if launcher:
        steps.append('launcher')
    if desired['init'] == 'systemd':
        if found['unit'] != desired['unit']:
            steps.append('unit')
        if not found['enabled']:
            steps.append('enable')
        # an agent that runs but is not the service's (started by hand): stopped first
        stray = found['running'] and found['pid'] != found['service_pid']
        if stray:
            steps.append('stop_daemon')
        if payload or launcher or 'unit' in steps or stray or not found['running']:
            steps.append('restart_service')
    else:
        if found['unit'] is not None:
            steps.append('stop_service')  # (init none asked where a unit of ours is: it goes)
        if found['running'] and (payload or launcher):
            steps.append('stop_daemon')
        if payload or launcher or not found['running'] or found['unit'] is not None:
            steps.append('start_daemon')
    return steps


def view(desired, found, steps=None):
    """The flat state shown in --diff and returned: as it is, or (``steps``) as the steps leave it."""
    if steps:
        if desired['state'] == 'absent':
            return {'state': 'absent', 'init': None, 'running': False, 'payload': None}
        return {'state': 'present', 'init': desired['init'], 'running': True, 'payload': version(desired['payload'])}
    installed = found['installed'] or found['unit'] is not None
    return {'state': 'present' if installed else 'absent',
            'init': ('systemd' if found['unit'] is not None else 'none') if installed else None,
            'running': found['running'], 'payload': version(found['payload'])}


def plan(desired, current, facts=None):
    """Pure: (desired_state()'s, AgentService.observe()'s) -> Plan. Kinds: the STEPS, run in
    the order steps_of() gives, after 'kept' [the agent], whose old value is what was there (the
    files, whether the agent ran): its undo puts it back (see AgentSteps)."""
    steps = steps_of(desired, current)
    actions = []
    if steps:
        kept = {'files': dict(current.get('files') or {}), 'running': current['running']}
        actions = [Action('kept', 'agent', 'this run', kept)] + [Action(step, 'agent', True, NO_UNDO) for step in steps]
    return Plan(desired, current, actions, view(desired, current), view(desired, current, steps))


class AgentService(object):
    """Plan and apply: ``module`` is the AnsibleModule (run_command for systemctl)."""

    def __init__(self, module, desired=None):
        self.module = module
        self.desired = desired or desired_state(module.params)[0]
        self.state, self.init = self.desired['state'], self.desired['init']
        self.launcher, self.unit = self.desired['launcher'], self.desired['unit']

    # -- what is there ---------------------------------------------------------------------------

    def observe(self):
        running = agent_state()
        found = {
            'installed': os.path.exists(LAUNCHER) or os.path.exists(PAYLOAD),
            'payload': fingerprint(PAYLOAD),
            'launcher': read(LAUNCHER),
            'unit': read(UNIT),
            'running': running['running'],
            'pid': running['pid'],
            'enabled': None,
            'service_pid': None,
            # what a failed run puts back (plan's 'kept')
            'files': dict((path, read(path, 'rb')) for path in (PAYLOAD, LAUNCHER, UNIT)),
        }
        if found['unit'] is not None:
            found['enabled'] = self.systemctl('is-enabled', UNIT_NAME, check=False).strip() == 'enabled'
            found['service_pid'] = int(self.systemctl('show', '--property=MainPID', '--value', UNIT_NAME,
                                                      check=False).strip() or 0) or None
        return found

    def systemctl(self, *args, **kwargs):
        path = self.module.get_bin_path('systemctl', required=True)
        rc, out, err = self.module.run_command([path] + list(args))
        if rc != 0 and kwargs.get('check', True):
            raise ModuleError('systemctl %s failed (%d): %s' % (' '.join(args), rc, (err or out).strip()))
        return out

    # -- the plan (steps_of, view: pure) ---------------------------------------------------------

    def plan(self, found):
        return steps_of(self.desired, found)

    def view(self, found, steps=None):
        return view(self.desired, found, steps)

    # -- applying ----------------------------------------------------------------------------------

    def put_back(self, kept, was_running):
        """What was there before this run (``kept``: path -> bytes or None), back, and the agent
        that ran before running again -> [what could not be put back]."""
        left = []
        for path, data in kept.items():
            try:
                if data is None:
                    remove(path)
                else:
                    write(path, data, 0o755 if path == LAUNCHER else 0o644)
            except OSError as exc:
                left.append('%s (%s)' % (path, exc))
        try:
            if os.path.isfile(UNIT) or UNIT in kept and kept[UNIT] is not None:
                self.systemctl('daemon-reload', check=False)
            if was_running and not agent_state()['running']:
                if kept[UNIT] is not None:
                    self.systemctl('restart', UNIT_NAME, check=False)
                elif kept[LAUNCHER] is not None:
                    self._start_daemon()
        except (ModuleError, OSError) as exc:
            left.append('the agent that ran before is not running again (%s)' % exc)
        return left

    def _payload(self):
        write(PAYLOAD, agent_payload(own_payload()), 0o644)

    def _launcher(self):
        write(LAUNCHER, self.launcher.encode('utf-8'), 0o755)

    def _unit(self):
        write(UNIT, self.unit.encode('utf-8'), 0o644)
        self.systemctl('daemon-reload')

    def _enable(self):
        self.systemctl('enable', UNIT_NAME)

    def _restart_service(self):
        before = agent_state()['pid']
        self.systemctl('restart', UNIT_NAME)
        self._await_start(before, 'journalctl -u %s' % UNIT_NAME)

    def _stop_service(self):
        self.systemctl('disable', '--now', UNIT_NAME, check=False)
        self._await_stop(agent_state()['pid'])

    def _start_daemon(self):
        before = agent_state()['pid']
        pid = os.fork()
        if pid == 0:  # (the child becomes the launcher at once: nothing of this run's Python is used)
            try:
                # a session of its own, its output to the log, the environment systemd would give
                # it: it outlives this module's run, as a daemon does
                os.setsid()
                null = os.open(os.devnull, os.O_RDONLY)
                log = os.open(LOG_FILE, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
                os.dup2(null, 0)
                os.dup2(log, 1)
                os.dup2(log, 2)
                os.closerange(3, 65536)
                os.execve(LAUNCHER, [LAUNCHER], {'PATH': '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'})
            finally:
                os._exit(127)
        self._await_start(before, LOG_FILE)

    def _stop_daemon(self):
        pid = agent_state()['pid']
        if pid:
            os.kill(pid, signal.SIGTERM)
            self._await_stop(pid)

    def _remove_files(self):
        for path in (UNIT, PAYLOAD, LAUNCHER, LOG_FILE):
            remove(path)
        if read(UNIT) is None and self.module.get_bin_path('systemctl') and systemd_is_init():
            self.systemctl('daemon-reload', check=False)
        try:
            os.rmdir(HOME)
        except OSError:
            pass  # not empty: something of someone else's is in it

    # The steps plan() names, and what runs each.
    STEPS = {'payload': _payload, 'launcher': _launcher, 'unit': _unit, 'enable': _enable,
             'restart_service': _restart_service, 'stop_service': _stop_service, 'start_daemon': _start_daemon,
             'stop_daemon': _stop_daemon, 'remove_files': _remove_files}

    @staticmethod
    def _await_start(before, log):
        deadline = time.monotonic() + START_WAIT
        while time.monotonic() < deadline:
            now = agent_state()
            if now['running'] and now['pid'] != before:
                return
            time.sleep(0.05)
        raise ModuleError('the agent did not start within %d s: see %s' % (START_WAIT, log))

    @staticmethod
    def _await_stop(pid):
        deadline = time.monotonic() + START_WAIT
        while pid and os.path.exists('/proc/%d' % pid) and time.monotonic() < deadline:
            try:
                with open('/proc/%d/stat' % pid) as handle:
                    if handle.read().rsplit(')', 1)[1].split()[0] == 'Z':
                        return  # (a zombie of a parent that will reap it: it has stopped)
            except (IOError, OSError, IndexError):
                return
            time.sleep(0.05)
        if pid and os.path.exists('/proc/%d' % pid):
            raise ModuleError('the agent (pid %d) did not stop within %d s' % (pid, START_WAIT))


class AgentSteps(Executor):
    """Executor of the installer's steps (kinds: AgentService.STEPS, and 'kept'), one call each.
    'kept' is the first action of a run that changes anything: its old value is what was there
    (the files, whether the agent ran), so that its undo, the last of a failed run's, puts that
    back once the steps' own undos (none: a step is not taken back alone) are done."""

    def __init__(self, service):
        self.service = service

    def _kept(self, action):
        if isinstance(action.new, dict):  # the undo: what was there, back
            left = self.service.put_back(action.new['files'], action.new['running'])
            if left:
                raise RuntimeError('left as it is: %s' % '; '.join(left))

    def _step(self, action):
        AgentService.STEPS[action.kind](self.service)

    RUNS = dict({'kept': _kept}, **dict.fromkeys(AgentService.STEPS, _step))

    def run(self, actions):
        for action in actions:
            self.runs(action)(self, action)


class AgentInstall(_runner.Module):
    """ovs_docker_agent's own part, through the runner like every module: the host lock, the
    plan (its steps as actions), the diff only with --diff, apply with undo, the read-back."""

    argument_spec = dict(
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        init=dict(type='str', choices=['auto', 'systemd', 'none'], default='auto'),
        ovsdb_socket=dict(type='str', default='unix:/run/openvswitch/db.sock'),
        docker_host=dict(type='str'),
        python=dict(type='path'),
    )

    def validate(self):
        desired, errors = desired_state(self.params)
        self.service = AgentService(self.module, desired)
        return errors

    def connect(self):
        pass  # (the files and systemd: nothing to reach first)

    def make_plans(self):
        return [plan(self.service.desired, self.service.observe())]

    def result(self):
        plan = self.plans[0]
        steps = [a.kind for a in plan.actions if a.kind != 'kept']
        return self.planned(bool(steps), plan.before, plan.after, steps=steps,
                            agent=dict(plan.after, pid=None if steps else plan.current['pid']))

    def steps(self):
        executor = AgentSteps(self.service)
        return [(executor, action) for action in self.plans[0].actions]

    def read_back(self):
        now = agent_state()
        return {'agent': dict(self.plans[0].after, running=now['running'], pid=now['pid'])}
