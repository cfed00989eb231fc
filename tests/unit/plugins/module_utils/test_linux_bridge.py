# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Linux bridges of a topology (containerlab's kind bridge): made and marked when missing, used as
they are when someone else's, removed only when ours with no port left; a link of the name that
is not a bridge refused."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core import marks as _marks
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains import host_part
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains import linux_bridge as _lb

MARK = {_marks.CLAB: 'lbr'}


def desired(**spec):
    found, problems = _lb.desired_state(dict(dict(name='br-lbr', labels=MARK), **spec))
    assert problems == []
    return found


def found(alias=None, kind='bridge', ports=()):
    return {'index': 7, 'kind': kind, 'alias': _marks.bridge_alias(MARK) if alias is None else alias, 'ports': list(ports)}


def test_a_missing_bridge_is_made_with_its_mark_and_undone_by_its_removal():
    made = _lb.plan(desired(), None)
    assert [(a.kind, a.new) for a in made.actions] == [('bridge', 'netdevops.ovs_docker.bridge netdevops.ovs_docker.clab=lbr')]
    assert made.actions[0].undo().new is None and made.after['ours'] is True


def test_ours_is_kept_anothers_used_as_it_is_a_link_that_is_no_bridge_refused():
    assert _lb.plan(desired(), found(ports=['e1'])).actions == []
    theirs = _lb.plan(desired(), found(alias=''))
    assert theirs.actions == [] and 'used as it is, never removed' in theirs.after['kept']
    other = _lb.plan(desired(), found(kind='veth'))
    assert other.problems == ['a link called br-lbr is here and it is a veth, not a Linux bridge: rename the bridge node, or remove that link']


def test_removed_only_when_ours_with_no_port_left():
    gone = desired(state='absent')
    removal = _lb.plan(gone, found())
    assert [(a.kind, a.new) for a in removal.actions] == [('bridge', None)] and removal.actions[0].undo().new == _marks.bridge_alias(MARK)
    kept = _lb.plan(gone, found(ports=['mine0']))
    assert kept.actions == [] and 'mine0' in kept.after['kept']
    # the ends of the links of the containers the run removes go with them (veth_link's mark says whose)
    ends = dict(found(ports=['e1', 'mine0']), links={'e1': 'clab-lbr-n1:eth1--host:e1', 'mine0': None})
    assert _lb.plan(gone, ends, {'leaving': ['clab-lbr-n1']}).after['kept'] == "ports that are not the topology's are on it (mine0)"
    ends['ports'] = ['e1']
    assert [a.kind for a in _lb.plan(gone, ends, {'leaving': ['clab-lbr-n1']}).actions] == ['bridge']
    assert _lb.plan(gone, ends, {'leaving': ['clab-lbr-n2']}).actions == []
    assert _lb.plan(gone, found(alias='')).actions == [] and _lb.plan(gone, None).actions == []
    assert _lb.desired_state({'name': 'b' * 16})[1] != []


def test_the_topologys_bridges_it_no_longer_has_are_leftovers():
    wanted = dict(dict((s, []) for s in host_part.SECTIONS), linux_bridges=[{'name': 'br-lbr'}])
    linux = {'br-lbr': _marks.bridge_alias(MARK), 'br-old': _marks.bridge_alias(MARK), 'br-user': None,
             'br-other': _marks.bridge_alias({_marks.CLAB: 'x'})}
    more, _keep, _kept, _problems = host_part.leftovers(wanted, {}, [], MARK, {}, linux)
    assert more['linux_bridges'] == [{'name': 'br-old', 'state': 'absent', 'labels': MARK}]
