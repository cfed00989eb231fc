# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The domains, one entry each (_core/domain.py says what an entry holds), by the name of the
module that changes them (docker_network, linux_bridge: ovs_docker_topology's networks and
linux_bridges, no module of their own).
The agent's replay runs a module through it; the contract test holds every entry to the one
interface. A new domain is a file in _domains/ and a line here."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._agent import service as _agent_service
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.domain import Domain
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains import bridge as _bridge
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains import container as _container
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains import linux_bridge as _linux_bridge
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains import mirror as _mirror
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains import network as _network
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains import veth_link as _veth_link
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains import vxlan as _vxlan
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains.attachment import apply as _attach_apply
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains.attachment import desired as _attach_desired
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains.attachment import docker_port as _docker_port
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains.attachment import netns_veth as _netns_veth
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains.attachment import plan as _attach
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._system.ovsdb import PortRows

_ATTACHMENT_EXECUTORS = (PortRows, _attach_apply.AttachmentLinks)

DOMAINS = dict((domain.name, domain) for domain in (
    Domain('ovs_bridge', _bridge.OvsBridge, _bridge.desired_state, _bridge.observe, _bridge.plan,
           (_bridge.BridgeRows, _bridge.BridgeLink), _bridge.replay),
    Domain('netns_veth', _netns_veth.NetnsVeth, _attach_desired.desired_state, _attach.observe, _attach.plan,
           _ATTACHMENT_EXECUTORS, _netns_veth.replay),
    Domain('ovs_docker_port', _docker_port.DockerPort, _attach_desired.desired_state, _attach.observe, _attach.plan,
           _ATTACHMENT_EXECUTORS, _docker_port.replay),
    Domain('ovs_vxlan', _vxlan.OvsVxlan, _vxlan.desired_state, _vxlan.observe, _vxlan.plan,
           (PortRows, _vxlan.VxlanLink)),
    Domain('veth_link', _veth_link.VethLink, _veth_link.desired_state, _veth_link.observe_end, _veth_link.plan,
           (_veth_link.LinkEnds,)),
    # (containers through the Engine API: a topology's nodes)
    Domain('ovs_docker_topology', _container.Nodes, _container.desired_state, _container.observe, _container.plan,
           (_container.Containers,)),
    Domain('ovs_mirror', _mirror.OvsMirror, _mirror.desired_state, _mirror.observe, _mirror.plan, (_mirror.MirrorRows,)),
    # (Docker networks through the Engine API: a topology's management network, ovs_docker_topology's networks)
    Domain('docker_network', _network.NetworksPart, _network.desired_state, _network.observe, _network.plan,
           (_network.Networks,)),
    # (Linux bridges through netlink: containerlab's kind bridge, ovs_docker_topology's linux_bridges)
    Domain('linux_bridge', _linux_bridge.LinuxBridgesPart, _linux_bridge.desired_state, _linux_bridge.observe,
           _linux_bridge.plan, (_linux_bridge.LinuxBridges,)),
    # (files and a service, not OVSDB rows: the agent's installation)
    Domain('ovs_docker_agent', _agent_service.AgentInstall, _agent_service.desired_state, _agent_service.AgentService.observe,
           _agent_service.plan, (_agent_service.AgentSteps,)),
))


def domain(name):
    """The entry of the module ``name``; KeyError names the ones there are."""
    try:
        return DOMAINS[name]
    except KeyError:
        raise KeyError('no domain %r (there are: %s)' % (name, ', '.join(sorted(DOMAINS))))
