# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A topology's containers (_domains/container.py): the create request a node's options become,
the plan (made, kept, started, made again, refused), the order of a run, and a batch that fails
part-way taking back what of it was done."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import marks as _marks
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.engine import NO_UNDO, Action
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains import container as _container
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._system import containers as _containers

IMAGE = 'ovs-docker-test:busybox'
IMAGES = {'images': {IMAGE: True}}


def desired(**spec):
    spec = dict(dict(name='r1', image=IMAGE, command='sleep infinity'), **spec)
    made, problems = _container.desired_state(spec)
    assert problems == []
    return made


def found(want=None, running=True, labels=None, cid='a' * 64):
    labels = dict(labels if labels is not None else {_marks.CONTAINER_SPEC: (want or desired())['spec']})
    return {'id': cid, 'running': running, 'status': 'running' if running else 'exited', 'labels': labels, 'image': IMAGE}


def kinds(plan):
    return [a.kind for a in plan.actions]


def test_the_request_a_node_becomes():
    want = desired(entrypoint=['/bin/sh', '-c'], env={'B': 2, 'A': 'x'}, labels={_marks.CLAB: 'chain'}, user='frr',
                   volumes=['/etc/frr:/etc/frr:ro'], capabilities=['net_admin', 'SYS_ADMIN', 'NET_ADMIN'],
                   sysctls={'net.ipv4.ip_forward': 1}, devices=['/dev/net/tun'], published_ports=['127.0.0.1:8080:80', '53/udp'],
                   restart_policy='always', cpus=1.5, cpuset_cpus='0-1', memory='512m', shm_size='1g', dns_servers=['198.18.0.53'],
                   hostname='r1')
    body, host = want['body'], want['body']['HostConfig']
    assert body['Cmd'] == ['sleep', 'infinity'] and body['Entrypoint'] == ['/bin/sh', '-c'] and body['Env'] == ['A=x', 'B=2']
    assert body['Labels'] == {_marks.CLAB: 'chain', _marks.CONTAINER_SPEC: want['spec']} and body['User'] == 'frr'
    assert body['ExposedPorts'] == {'80/tcp': {}, '53/udp': {}} and body['Hostname'] == 'r1'
    assert host['PortBindings'] == {'80/tcp': [{'HostIp': '127.0.0.1', 'HostPort': '8080'}], '53/udp': [{'HostIp': '', 'HostPort': ''}]}
    assert host['NetworkMode'] == 'none' and host['Binds'] == ['/etc/frr:/etc/frr:ro'] and host['CapAdd'] == ['NET_ADMIN', 'SYS_ADMIN']
    assert host['Sysctls'] == {'net.ipv4.ip_forward': '1'} and host['RestartPolicy'] == {'Name': 'always'}
    assert host['Devices'] == [{'PathOnHost': '/dev/net/tun', 'PathInContainer': '/dev/net/tun', 'CgroupPermissions': 'rwm'}]
    assert (host['NanoCpus'], host['CpusetCpus'], host['Memory'], host['ShmSize']) == (1500000000, '0-1', 512 * 2 ** 20, 2 ** 30)
    assert host['Dns'] == ['198.18.0.53']


def test_the_digest_follows_the_request_and_nothing_else():
    assert desired()['spec'] == desired()['spec'] == desired(command=['sleep', 'infinity'])['spec']
    assert desired(env={'A': '1'})['spec'] != desired(env={'A': '2'})['spec'] != desired()['spec']
    assert desired(image='other:1')['spec'] != desired()['spec']


@pytest.mark.parametrize('spec, words', [
    ({'name': 'r 1'}, 'is not a container name'),
    ({'image': None}, 'no image'),
    ({'memory': 'lots'}, "memory 'lots' is not a size"),
    ({'published_ports': ['80:tcp']}, "published port '80:tcp' is not [IP:][HOST_PORT:]PORT[/PROTOCOL]"),
    ({'devices': ['net/tun']}, "device 'net/tun' is not HOST_PATH"),
    ({'command': 'sh -c "unclosed'}, 'cannot be split into arguments'),
    ({'cpus': 0}, 'cpus 0 is not above 0'),
    ({'restart_policy': 'sometimes'}, "restart_policy 'sometimes' is not one of"),
])
def test_bad_options_are_named_with_the_fix(spec, words):
    _desired, problems = _container.desired_state(dict(dict(name='r1', image=IMAGE), **spec))
    assert any(words in p for p in problems), problems


def test_sizes():
    assert [_container.size(v, 'm')[0] for v in ('1024', '1k', '1.5m', '2G', '1gb', 512)] == [
        1024, 1024, int(1.5 * 2 ** 20), 2 * 2 ** 30, 2 ** 30, 512]


def test_made_kept_started():
    want = desired()
    assert kinds(_container.plan(want, None, IMAGES)) == ['create']
    kept = _container.plan(want, found(want), IMAGES)
    assert kept.actions == [] and kept.before == kept.after
    assert kinds(_container.plan(want, found(want, running=False), IMAGES)) == ['start']


def test_a_changed_request_makes_it_again_set_aside_first():
    old = found(desired(env={'A': '1'}))
    plan = _container.plan(desired(env={'A': '2'}), old, IMAGES)
    assert kinds(plan) == ['set_aside', 'create', 'discard']
    assert plan.actions[0].undo() == Action('set_aside', 'r1', old, None) and plan.actions[2].old is NO_UNDO
    assert plan.before['spec'] != plan.after['spec']


def test_someone_elses_container_is_refused_and_adoption():
    theirs = found(labels={'com.example': 'x'})
    plan = _container.plan(desired(), theirs, IMAGES)
    assert plan.actions == [] and 'a container of this name exists that this collection did not make' in plan.problems[0]
    adopted = _container.plan(desired(), found(labels={_marks.CLAB: 'chain'}), dict(IMAGES, adopt={_marks.CLAB: 'chain'}))
    assert kinds(adopted) == ['set_aside', 'create', 'discard'] and not adopted.problems
    gone = _container.plan(desired(), theirs, dict(IMAGES, adopt={_marks.CLAB: 'chain'}))
    assert gone.problems


def test_images_pulled_when_missing_refused_when_never():
    assert kinds(_container.plan(desired(), None, {'images': {IMAGE: False}})) == ['pull', 'create']
    assert kinds(_container.plan(desired(pull='always'), None, IMAGES)) == ['pull', 'create']
    assert kinds(_container.plan(desired(pull='always'), found(), IMAGES)) == []  # kept: nothing pulled
    never = _container.plan(desired(pull='never'), None, {'images': {IMAGE: False}})
    assert never.problems[0].startswith('image %s is not on this host and pull is never' % IMAGE)


def test_removed_and_a_failed_runs_leftover():
    gone = _container.plan(desired(state='absent'), found(), None)
    assert kinds(gone) == ['discard'] and gone.after == {'name': 'r1', 'state': 'absent'}
    assert gone.actions[0].target == 'r1' and gone.actions[0].undo() is None  # (the run's last step)
    assert _container.plan(desired(state='absent'), None, None).actions == []
    leftover = _container.plan(desired(), found(), dict(IMAGES, aside=found(cid='b' * 64)))
    assert kinds(leftover) == ['leftover'] and leftover.actions[0].target == _marks.container_aside('r1')
    theirs = _container.plan(desired(), found(), dict(IMAGES, aside=found(labels={})))
    assert 'container %s exists' % _marks.container_aside('r1') in theirs.problems[0]


def test_a_container_joined_to_one_made_again_is_made_again():
    joined = desired(name='r1-side', network_mode='container:r1')
    assert _container.joined(joined) == 'r1' and _container.joined(desired()) is None
    assert kinds(_container.plan(joined, found(joined), dict(IMAGES, remake=True))) == ['set_aside', 'create', 'discard']


def test_the_order_of_a_run():
    side = desired(name='r1-side', network_mode='container:r1')
    actions = (_container.plan(side, None, IMAGES).actions + _container.plan(desired(env={'A': '2'}), found(), IMAGES).actions
               + _container.plan(desired(name='r2'), None, {'images': {}}).actions)
    ordered = _container.ordered(actions)
    assert [(a.kind, a.target) for a in ordered] == [
        ('pull', IMAGE), ('set_aside', 'r1'), ('create', 'r1'), ('create', 'r2'), ('create', 'r1-side'), ('discard', _marks.container_aside('r1'))]
    assert not _container.Containers.joins(ordered[3], ordered[4])  # (r1-side waits for r1)
    assert _container.Containers.joins(ordered[2], ordered[3])


class FakeApi(object):
    """The engine's API as requests: a create of a container named in FAIL fails."""
    FAIL = ()
    log = []

    def __init__(self, base_url, timeout):
        pass

    def request(self, method, path, what, body=None, missing=(404,), stream=False):
        FakeApi.log.append((method, path.split('?')[0]))
        if method == 'POST' and path.startswith('/containers/create') and any(('name=%s' % n) in path for n in FakeApi.FAIL):
            raise _containers.ContainerError('%s: the engine answered 404 Not Found: No such image' % what)
        return {'Id': 'id-' + path.split('name=')[-1]} if path.startswith('/containers/create') else None


def test_a_batch_that_fails_part_way_takes_back_what_of_it_was_done(monkeypatch):
    monkeypatch.setattr(_containers, 'LocalApi', FakeApi)
    FakeApi.log, FakeApi.FAIL = [], ('r3',)
    executor = _container.Containers('unix:///run/docker.sock', 5)
    actions = [Action('create', n, desired(name=n)['body'], None) for n in ('r1', 'r2', 'r3')]
    with pytest.raises(_containers.ContainerError, match='making container r3 .*No such image'):
        executor.run(actions)
    removed = sorted(path for method, path in FakeApi.log if method == 'DELETE')
    assert removed == ['/containers/r1', '/containers/r2'] and executor.made == []
    FakeApi.log, FakeApi.FAIL = [], ()
    executor.run(actions)
    assert sorted(executor.made) == ['r1', 'r2', 'r3'] and not [m for m, _p in FakeApi.log if m == 'DELETE']


def test_a_connection_serves_one_request_at_a_time(monkeypatch):
    """Fifty creates through the pool of eight: no connection is ever in two requests at once (a
    local socket's HTTP connection refuses a second request while one is under way)."""
    import threading
    import time

    class OneAtATime(FakeApi):
        def __init__(self, base_url, timeout):
            self.busy = threading.Lock()

        def request(self, *args, **kwargs):
            if not self.busy.acquire(blocking=False):
                raise _containers.ContainerError('cannot reach the Docker engine: Request-sent')
            try:
                time.sleep(0.001)  # (long enough for another thread to pick the same connection)
                return FakeApi.request(self, *args, **kwargs)
            finally:
                self.busy.release()
    monkeypatch.setattr(_containers, 'LocalApi', OneAtATime)
    FakeApi.log, FakeApi.FAIL = [], ()
    executor = _container.Containers('unix:///run/docker.sock', 5)
    executor.run([Action('create', 'n%d' % i, desired(name='n%d' % i)['body'], None) for i in range(50)])
    assert len(executor.made) == 50


def test_observe_finds_the_names_and_their_set_aside_ones():
    class Api(object):
        @staticmethod
        def containers():
            return [{'Id': '1', 'Names': ['/r1'], 'State': 'running', 'Labels': {'a': 'b'}, 'Image': IMAGE},
                    {'Id': '2', 'Names': ['/' + _marks.container_aside('r1')], 'State': 'exited', 'Labels': None, 'Image': IMAGE},
                    {'Id': '3', 'Names': ['/other'], 'State': 'running'}]
    seen = _container.observe(Api(), ['r1', 'r2'])
    aside = _marks.container_aside('r1')
    assert sorted(seen) == ['r1', aside] and seen['r1']['running'] and not seen[aside]['running'] and seen[aside]['labels'] == {}


def test_a_failed_replacement_is_undone_by_the_engine(monkeypatch):
    """r1 made again and r2 made: r2 fails, so r2's container goes, r1's new one goes and the old
    r1 gets its name back (the engine's undo, joined by kind as the run was)."""
    from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.common import ApplyError
    from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.engine import apply_with_undo
    monkeypatch.setattr(_containers, 'LocalApi', FakeApi)
    FakeApi.log, FakeApi.FAIL = [], ('r2',)
    executor = _container.Containers('unix:///run/docker.sock', 5)
    actions = _container.ordered(_container.plan(desired(env={'A': '2'}), found(), IMAGES).actions
                                 + _container.plan(desired(name='r2'), None, IMAGES).actions)
    with pytest.raises(ApplyError) as failed:
        apply_with_undo([(executor, a) for a in actions])
    assert failed.value.undo_errors == []
    rename = ('POST', '/containers/%s/rename' % ('a' * 64))
    log = FakeApi.log
    assert log[0] == rename  # r1 set aside (left running)
    # (the two creates run at once: their order is the pool's)
    assert sorted(log[1:4]) == [('POST', '/containers/create'), ('POST', '/containers/create'), ('POST', '/containers/id-r1/start')]
    assert log[4:] == [('DELETE', '/containers/r1'),  # the batch takes back r1's new container
                       rename]                        # the engine's undo: r1's name back


def test_one_pull_an_image_however_many_containers_it_makes():
    part = _container.Nodes.__new__(_container.Nodes)
    part.params = {'docker_timeout': 5}
    part.base_url = 'unix:///run/docker.sock'
    part.plans = [_container.plan(desired(name=n), None, {'images': {IMAGE: False}}) for n in ('r1', 'r2')]
    steps = part.steps()
    pulls = [a for _e, a in steps if a.kind == 'pull']
    assert pulls == [Action('pull', IMAGE, {'image': IMAGE, 'for': ['r1', 'r2']}, NO_UNDO)]
    assert [a.kind for _e, a in steps] == ['pull', 'create', 'create']


def test_privileged_where_the_host_allows_it_else_every_capability_it_has(tmp_path):
    assert desired(privileged=True)['body']['HostConfig']['Privileged'] is True
    status = tmp_path / 'status'
    status.write_text('Name:\tx\nCapBnd:\t000001fffeffffff\n')  # CAP_SYS_RESOURCE (24) outside
    allowed = _container.bounding_set(str(status))
    assert 'SYS_RESOURCE' not in allowed and 'SYS_ADMIN' in allowed and len(allowed) == len(_container.CAPABILITIES) - 1
    spec = _container.unprivileged(dict(name='r1', image=IMAGE, privileged=True, capabilities=['net_admin'],
                                        security_opts=['seccomp=unconfined']), allowed)
    host = _container.desired_state(spec)[0]['body']['HostConfig']
    assert 'Privileged' not in host and host['CapAdd'] == sorted(allowed)
    assert host['SecurityOpt'] == ['seccomp=unconfined', 'apparmor=unconfined']
    assert host['MaskedPaths'] == host['ReadonlyPaths'] == []  # (the CLI's systempaths=unconfined)
    status.write_text('CapBnd:\t000001ffffffffff\n')
    assert set(_container.bounding_set(str(status))) == set(_container.CAPABILITIES)
    assert _container.bounding_set(str(tmp_path / 'none')) is None
