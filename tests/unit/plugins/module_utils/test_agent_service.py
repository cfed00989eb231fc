# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ovs_docker_agent's plan: what is installed, restarted, stopped, from what is there. The
installs themselves run in integration (persistence: a daemon of its own; kernel: systemd)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import zipfile

import pytest

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._agent import service as _agent_service
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.common import ModuleError


class Module(object):
    def __init__(self, **params):
        self.params = dict(dict(state='present', init='none', ovsdb_socket='unix:/db.sock',
                                docker_host='unix:///docker.sock', python='/usr/bin/python3'), **params)


@pytest.fixture
def payload(tmp_path, monkeypatch):
    path = tmp_path / 'payload.zip'
    with zipfile.ZipFile(str(path), 'w') as made:
        made.writestr('ansible_collections/x.py', 'x = 1\n')
        made.writestr('sitecustomize.py', 'import sys  # this run\n')
    monkeypatch.setattr(_agent_service, 'own_payload', lambda: str(path))
    return str(path)


def there(service, **found):
    """What observe() would find: the installed agent as this service would install it, changed by ``found``."""
    base = {'installed': True, 'payload': _agent_service.fingerprint(_agent_service.own_payload()),
            'launcher': service.launcher, 'unit': None, 'running': True, 'pid': 42, 'enabled': None, 'service_pid': None}
    if service.init == 'systemd':
        base.update(unit=service.unit, enabled=True, service_pid=42)
    base.update(found)
    return base


def test_the_payload_is_the_agent_s_without_the_run_s_own_file(payload, tmp_path):
    copy = tmp_path / 'agent.zip'
    copy.write_bytes(_agent_service.agent_payload(payload))
    assert zipfile.ZipFile(str(copy)).namelist() == ['ansible_collections/x.py']
    assert _agent_service.fingerprint(str(copy)) == _agent_service.fingerprint(payload)
    assert _agent_service.fingerprint(str(tmp_path / 'none.zip')) is None


def test_a_module_run_outside_a_payload_says_so(monkeypatch):
    monkeypatch.setattr(_agent_service._agent, '__file__', '/usr/lib/somewhere/_agent.py')
    with pytest.raises(ModuleError, match='run it through ansible'):
        _agent_service.own_payload()


def test_the_launcher_is_one_command_line_with_its_options():
    text = _agent_service.launcher_text('/usr/bin/python3', 'unix:/db.sock', 'unix:///run/podman/podman.sock')
    assert ('PYTHONPATH=/usr/local/lib/netdevops-ovs_docker/agent.zip exec /usr/bin/python3 -m '
            'ansible_collections.netdevops.ovs_docker.plugins.module_utils._agent.agent --ovsdb-socket unix:/db.sock '
            '--docker-host unix:///run/podman/podman.sock "$@"\n') in text


def test_without_systemd_a_daemon_installed_then_left_alone(payload):
    service = _agent_service.AgentService(Module())
    nothing = {'installed': False, 'payload': None, 'launcher': None, 'unit': None, 'running': False, 'pid': None,
               'enabled': None, 'service_pid': None}
    assert service.plan(nothing) == ['payload', 'launcher', 'start_daemon']
    assert service.view(nothing) == {'state': 'absent', 'init': None, 'running': False, 'payload': None}
    assert service.view(nothing, ['payload'])['state'] == 'present'
    assert service.plan(there(service)) == []
    assert service.plan(there(service, running=False, pid=None)) == ['start_daemon']


def test_a_new_payload_or_option_restarts_it(payload):
    service = _agent_service.AgentService(Module(docker_host='unix:///run/podman/podman.sock'))
    assert service.plan(there(service, payload=[('old.py', 1)])) == ['payload', 'stop_daemon', 'start_daemon']
    assert service.plan(there(service, launcher='#!/bin/sh\nold\n')) == ['launcher', 'stop_daemon', 'start_daemon']


def test_with_systemd_a_service_and_a_stray_agent_stopped_first(payload):
    service = _agent_service.AgentService(Module(init='systemd'))
    assert service.plan(there(service, installed=False, payload=None, launcher=None, unit=None, enabled=False,
                              running=False, pid=None, service_pid=None)) == \
        ['payload', 'launcher', 'unit', 'enable', 'restart_service']
    assert service.plan(there(service)) == []
    assert service.plan(there(service, enabled=False)) == ['enable']
    # an agent that runs but is not the service's (started by hand)
    assert service.plan(there(service, pid=7)) == ['stop_daemon', 'restart_service']


def test_removal_stops_what_runs_and_removes_what_is_there(payload):
    service = _agent_service.AgentService(Module(state='absent', init='systemd'))
    assert service.plan(there(service)) == ['stop_service', 'remove_files']
    daemon = _agent_service.AgentService(Module(state='absent'))
    assert daemon.plan(there(daemon)) == ['stop_daemon', 'remove_files']
    assert daemon.plan(there(daemon, installed=False, running=False)) == []
    assert daemon.view(there(daemon), ['stop_daemon']) == {'state': 'absent', 'init': None, 'running': False, 'payload': None}


def test_every_step_a_plan_names_has_what_runs_it(payload):
    named = set()
    for init in ('none', 'systemd'):
        for state in ('present', 'absent'):
            service = _agent_service.AgentService(Module(state=state, init=init))
            for found in (there(service), there(service, installed=False, payload=None, launcher=None, unit=None,
                                                running=False, pid=None, enabled=False, service_pid=None),
                          there(service, payload=[('other', 1)], running=True, pid=7, service_pid=8)):
                named.update(service.plan(found))
    assert named and named <= set(_agent_service.AgentService.STEPS)


class Ansible(object):
    """What the runner asks of an AnsibleModule."""

    def __init__(self, diff=False, **params):
        self.params, self.check_mode, self._diff = Module(**params).params, False, diff


def install(monkeypatch, steps, **params):
    """One run of ovs_docker_agent's part through the runner, whose plan is ``steps``."""
    monkeypatch.setattr(_agent_service._runner, 'host_lock', lambda: None)
    part = _agent_service.AgentInstall(Ansible(**params))
    files = dict((path, _agent_service.read(path, 'rb'))
                 for path in (_agent_service.PAYLOAD, _agent_service.LAUNCHER, _agent_service.UNIT))
    monkeypatch.setattr(_agent_service.AgentService, 'observe', lambda self: there(self, running=False, pid=None, files=files))
    monkeypatch.setattr(_agent_service, 'steps_of', lambda desired, found: list(steps))
    return _agent_service._runner._run(part, False)


def test_a_failed_step_puts_the_files_back_and_an_undo_that_fails_says_what_is_left(payload, tmp_path, monkeypatch):
    home = tmp_path / 'home'
    home.mkdir()
    for name in ('PAYLOAD', 'LAUNCHER', 'UNIT'):
        monkeypatch.setattr(_agent_service, name, str(home / name.lower()))
    (home / 'launcher').write_bytes(b'#!/bin/sh\nold\n')
    monkeypatch.setattr(_agent_service, 'agent_state', lambda: {'running': False, 'pid': None})

    def fails(_service):
        raise OSError('disk full')
    monkeypatch.setitem(_agent_service.AgentService.STEPS, 'start_daemon', fails)
    with pytest.raises(ModuleError) as failed:
        install(monkeypatch, ['payload', 'launcher', 'start_daemon'])
    assert str(failed.value) == 'disk full; what this run changed was undone'
    assert failed.value.extra['changed'] is False and 'diff' not in failed.value.extra
    assert (home / 'launcher').read_bytes() == b'#!/bin/sh\nold\n' and not (home / 'payload').exists()

    real_write = _agent_service.write

    def no_write(path, data, mode):
        if path.endswith('launcher') and b'old' in data:
            raise OSError('read-only file system')
        real_write(path, data, mode)
    monkeypatch.setattr(_agent_service, 'write', no_write)
    with pytest.raises(ModuleError) as failed:
        install(monkeypatch, ['payload', 'launcher', 'start_daemon'])
    message = str(failed.value)
    assert message.startswith('disk full; undoing this run failed too: undoing kept: left as it is: ')
    assert 'launcher (read-only file system)' in message and failed.value.extra['changed'] is True


def test_the_install_runs_its_steps_and_shows_the_diff_only_when_asked(payload, monkeypatch):
    ran = []
    for step in ('payload', 'launcher', 'start_daemon'):
        monkeypatch.setitem(_agent_service.AgentService.STEPS, step, lambda _service, step=step: ran.append(step))
    monkeypatch.setattr(_agent_service, 'agent_state', lambda: {'running': True, 'pid': 77})
    result = install(monkeypatch, ['payload', 'launcher', 'start_daemon'])
    assert ran == ['payload', 'launcher', 'start_daemon'] and result['changed'] is True
    assert result['steps'] == ran and 'diff' not in result and result['agent']['pid'] == 77
    result = install(monkeypatch, [], diff=True)
    assert result['changed'] is False and result['steps'] == [] and result['diff']['before'] == result['diff']['after']
