# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every mark this collection puts on what it makes, and how each is formatted and read back.

One place, so that what a module writes and what a filter, a teardown, the agent or a test's look
searches for cannot drift apart. This file imports nothing of the collection's: the controller's
code and the integration tests' looks load it as it is.

What a mark proves is ownership (DEVELOPERS.md, "Ownership"): a layer changes or deletes only what
carries its mark, or what ``ovs-docker`` made by its port contract (the first four keys).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib

OWNER = 'netdevops.ovs_docker'

# ovs-docker's port contract: the external_ids of the OVS interface that attaches a container
# (ovs_docker_port, and the script itself) ...
CONTAINER_ID = 'container_id'
CONTAINER_IFACE = 'container_iface'
# ... or a namespace (netns_veth).
NETNS = 'netns'
NETNS_IFACE = 'netns_iface'
# Which engine runs that container (absent: Docker, as ovs-docker's ports have it).
ENGINE = 'container_engine'
# An attachment's request as JSON, on its port, when persistent: what the agent applies again.
RECORD = OWNER + '.persistent'
# A QoS or Queue row made for a port's egress limit: external_ids {OWNER: 'egress'}.
EGRESS = (OWNER, 'egress')
# A Mirror row made by ovs_mirror: external_ids {OWNER: 'mirror'}.
MIRROR = (OWNER, 'mirror')
# ovs_vxlan: the port's external_ids key (valued with the link's name) and the kernel link's
# description (ifalias), which marks the link even after a hand took its port away.
VXLAN = 'ovs_vxlan'
VXLAN_ALIAS = OWNER + ' ovs_vxlan'
# veth_link: both ends' description is this, a space and the link's key (veth_alias).
VETH_LINK = OWNER + '.veth_link'
VETH_ALIAS_MAX = 255  # IFALIASZ less its NUL
# The lab role: a container label and a bridge's or an interface's external_ids key, valued with
# the lab's name (lab_name).
LAB = OWNER + '.lab'
# ovs_docker_topology: a container's label, valued with the digest of the request it was made
# from (a node whose request changed is made again; a container without it is not ours).
CONTAINER_SPEC = OWNER + '.spec'
# ... a Docker network's label, the same of the request it was made from (one without it is not ours)
NETWORK_SPEC = OWNER + '.network'
# ... and the name of its container while a run replaces or removes it (set aside, see container_aside)
ASIDE_SUFFIX = '.replaced'
# The lab role's NAT rules: their iptables comment is this, a space and the lab's name
# (lab_rule_comment).
LAB_RULE = OWNER + ' lab'
# The clab role: the topology's name, as a container label and a bridge's external_ids key; the
# node's name as a container label.
CLAB = OWNER + '.clab'
CLAB_NODE = CLAB + '.node'


# A Linux bridge this collection made (containerlab's kind bridge, when it was not there): its
# description (ifalias) is this, a space and the labels it was made with (bridge_alias).
LINUX_BRIDGE = OWNER + '.bridge'


def bridge_alias(labels):
    """The description of a Linux bridge made with these labels (a topology's mark): what proves it ours."""
    return '%s %s' % (LINUX_BRIDGE, ','.join('%s=%s' % kv for kv in sorted((labels or {}).items())))


def port_name(container_id, interface):
    """The host-side name of a container's attachment: 13 hex digits of sha1("ID/IFACE") and
    "_l", as ovs-docker names it (the first 13 characters of the container id and "_l"), stable
    for one container and interface whatever the id's length."""
    return '%s_l' % hashlib.sha1(('%s/%s' % (container_id, interface)).encode('utf-8')).hexdigest()[:13]


def lab_rule_comment(lab_name):
    """The iptables comment of a lab's NAT rules: one lab's rules are told from another's and from
    the user's by it."""
    return '%s %s' % (LAB_RULE, lab_name)


def container_aside(name):
    """The name of the container ``name`` while ovs_docker_topology replaces or removes it."""
    return name + ASIDE_SUFFIX


def is_egress(external_ids):
    """Does a QoS or Queue row's external_ids carry the egress mark?"""
    return (external_ids or {}).get(EGRESS[0]) == EGRESS[1]


def is_mirror(external_ids):
    """Does a Mirror row's external_ids carry ovs_mirror's mark?"""
    return (external_ids or {}).get(MIRROR[0]) == MIRROR[1]


def veth_alias(key):
    """The description both ends of a veth_link pair carry: the link's key, or (too long for
    ifalias) its digest."""
    text = '%s %s' % (VETH_LINK, key)
    if len(text) > VETH_ALIAS_MAX:
        text = '%s sha1:%s' % (VETH_LINK, hashlib.sha1(key.encode('utf-8')).hexdigest())
    return text


def veth_end_label(end):
    """'r1:eth1' (a container's end), 'netns ns1:eth1' (a namespace's) or 'host:e1' (one in the
    host's namespace): how messages and a veth_link's key name an end."""
    if end.get('container'):
        return '%s:%s' % (end['container'], end['interface'])
    if end.get('host'):
        return 'host:%s' % end['interface']
    return 'netns %s:%s' % (end['namespace'], end['interface'])


def marked_veth_ends(links):
    """(key, link) of the veth ends among ``links`` (netlink's, each with 'kind' and 'alias') that
    carry veth_link's mark: how its pairs are found, by veth_link and by ovs_docker_info."""
    for link in links:
        key = veth_key(link.get('alias')) if link['kind'] == 'veth' else None
        if key is not None:
            yield key, link


def veth_key(alias):
    """The link's key in a veth_link description (``sha1:...`` for a digest), or None when the
    description is not veth_link's."""
    if (alias or '').startswith(VETH_LINK + ' '):
        return alias[len(VETH_LINK) + 1:]
    return None


def clab_bridge(vni):
    """The bridge of a clab link across hosts, named by its VXLAN identifier."""
    return 'clx%06x' % vni


def clab_vxlan(vni):
    """The VXLAN port of a clab link across hosts, on clab_bridge(vni)."""
    return 'cvx%06x' % vni


def clab_vxlan_of(bridge):
    """The VXLAN port on a bridge named by clab_bridge, or None for any other bridge."""
    if len(bridge) == 9 and bridge.startswith('clx'):
        try:
            return clab_vxlan(int(bridge[3:], 16))
        except ValueError:
            return None
    return None
