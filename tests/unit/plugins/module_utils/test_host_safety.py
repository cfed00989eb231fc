# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What keeps a run from touching what is not its own, without root: the host lock, the
ovs-vswitchd check before a change, and which files are network namespaces (check mode and the
lock: test_runner.py)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fcntl
import os
import types

import pytest

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import common as _common
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._system import netlink as _netlink
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._system import ovsdb as _ovsdb


@pytest.fixture
def lock_path(tmp_path, monkeypatch):
    monkeypatch.setattr(_common, '_HELD', [])
    return str(tmp_path / 'lock')


def test_the_lock_is_taken_and_names_its_holder(lock_path):
    _common.host_lock(path=lock_path, wait=1)
    with open(lock_path) as handle:
        assert handle.read().strip() == str(os.getpid())
    with open(lock_path) as other:  # flock conflicts between two open files, even in one process
        with pytest.raises(OSError):
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)


def test_a_held_lock_is_waited_for_then_named(lock_path):
    with open(lock_path, 'w') as holder:
        holder.write('4242\n')
        holder.flush()
        fcntl.flock(holder, fcntl.LOCK_EX)
        with pytest.raises(_common.ModuleError) as failed:
            _common.host_lock(path=lock_path, wait=0.2)
    assert 'another netdevops.ovs_docker run (pid 4242)' in str(failed.value)


def vswitchd_problem(remote):
    return _ovsdb.Ovsdb.vswitchd_problem(types.SimpleNamespace(remote=remote))


def test_vswitchd_found_by_its_pid_file(tmp_path):
    remote = 'unix:%s' % (tmp_path / 'db.sock')
    assert 'ovs-vswitchd is not running (no %s' % (tmp_path / 'ovs-vswitchd.pid') in vswitchd_problem(remote)
    (tmp_path / 'ovs-vswitchd.pid').write_text('%d\n' % os.getpid())
    assert vswitchd_problem(remote) is None
    child = os.fork()
    if child == 0:
        os._exit(0)
    os.waitpid(child, 0)  # a pid that surely is gone now
    (tmp_path / 'ovs-vswitchd.pid').write_text('%d\n' % child)
    assert 'its pid %d' % child in vswitchd_problem(remote) and 'nothing was changed' in vswitchd_problem(remote)


def test_vswitchd_of_a_remote_ovsdb_is_not_judged():
    assert vswitchd_problem('tcp:127.0.0.1:6640') is None


def test_network_namespaces_are_told_from_other_files(tmp_path):
    assert _netlink.netns_identity('/proc/self/ns/net') == _netlink.own_netns_identity()
    with pytest.raises(ValueError, match='another kind of namespace'):
        _netlink.netns_identity('/proc/self/ns/mnt')
    (tmp_path / 'plain').write_text('x')
    with pytest.raises(ValueError, match='is not a network namespace$'):
        _netlink.netns_identity(str(tmp_path / 'plain'))
    with pytest.raises(ValueError, match='cannot be opened'):
        _netlink.netns_identity(str(tmp_path / 'missing'))
