#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: ovs_docker_info
short_description: Read a host's OVS bridges, ports and what each port connects to, and what is stale
version_added: 0.2.0
description:
  - Returns the host's Open vSwitch and container network as data, read only - every bridge, every
    port with its interface, and for each port what its veth connects to - a container (name, full ID,
    running or not, PID) or a namespace, the interface inside with its addresses, MAC, MTU and
    gateways, and whether the two ends are proven peers (by interface index). VXLAN links come with
    their VNI, local address and remotes.
  - Also the veth pairs M(netdevops.ovs_docker.veth_link) made straight between two containers or
    namespaces (no bridge), found by their mark (O(veth_links)).
  - Says what is wrong with each port - a container that is gone, stopped or restarted, a namespace
    that is gone, a veth that is gone or no longer the peer of the inside interface, two ports for
    one container interface, an interface that C(ovs-vswitchd) reports an error for (C(ofport) -1).
    C(netdevops.ovs_docker.ovs_docker_port) with O(netdevops.ovs_docker.ovs_docker_port#module:state=pruned)
    removes exactly the ports found dead for good here (container gone, stopped or restarted).
  - The result feeds the filters P(netdevops.ovs_docker.topology_mermaid#filter) and
    P(netdevops.ovs_docker.topology_dot#filter), which draw it.
  - Reads one copy of OVSDB, one netlink dump of the host, one container listing, and one dump per
    namespace that has ports. Changes nothing, takes no lock, runs the same in check mode.
author:
  - netdevops.ovs_docker developers (@netdevops)
extends_documentation_fragment:
  - netdevops.ovs_docker.action
  - netdevops.ovs_docker.ovsdb
attributes:
  check_mode:
    support: full
    description: Reads the same in check mode; it never changes anything.
  diff_mode:
    support: none
    description: It changes nothing, so there is nothing to diff.
options:
  bridge:
    description: Only this bridge (the default is every bridge).
    type: str
  container:
    description:
      - Only the ports of this container (a name, a full ID or an ID prefix), on every bridge or on O(bridge).
    type: str
  namespaces:
    description:
      - Read inside each namespace that has ports - its interface, addresses and gateways, and the proof
        that the inside interface is the peer of the port's veth.
      - V(false) skips those reads for speed; RV(bridges[].ports[].interface) is then V(null) and
        RV(bridges[].ports[].peer_proven) V(null).
    type: bool
    default: true
  other_links:
    description:
      - Also return the host's links that are no OVS bridge, port or datapath device (the uplink, Docker's
        bridges and veths, others' links) as RV(other_links).
    type: bool
    default: false
  veth_links:
    description:
      - Also return the pairs of M(netdevops.ovs_docker.veth_link) as RV(veth_links) (the pictures draw them)
        - one netlink dump of every running container and named namespace that has no port, as they carry no
        OVS port to find them by.
      - Not read with O(bridge) (they are on no bridge), nor with O(namespaces=false); with O(container), that
        container's.
    type: bool
    default: true
    version_added: 0.5.0
  containers:
    description:
      - Also return every container of the engine, running or not, with its labels, as RV(containers) (what roles tell
        their own containers from others' by) - the listing the read makes anyway, or one request.
    type: bool
    default: false
    version_added: 0.5.0
  docker_host:
    description:
      - The Docker engine (or Podman's Docker-compatible socket) to ask about containers, asked only when a
        port carries container marks. When not set, E(DOCKER_HOST), else C(unix:///var/run/docker.sock).
      - A C(unix://) socket is asked directly; any other endpoint (C(tcp://), C(ssh://)) through the
        Docker SDK for Python, which must then be installed.
    type: str
  docker_timeout:
    description: Seconds to wait for the Docker engine.
    type: int
    default: 60
requirements:
  - pyroute2 (Debian/Ubuntu C(python3-pyroute2))
  - docker (the Docker SDK for Python; Debian/Ubuntu C(python3-docker)), when ports carry container marks and
    the engine is not on a local C(unix://) socket
notes:
  - Needs root (it reads inside namespaces).
seealso:
  - module: netdevops.ovs_docker.ovs_docker_port
  - module: netdevops.ovs_docker.netns_veth
  - module: netdevops.ovs_docker.ovs_vxlan
'''

EXAMPLES = r'''
- name: What is on this host
  netdevops.ovs_docker.ovs_docker_info:
  register: topo

- name: Fail when any port is stale
  ansible.builtin.assert:
    that: topo.problems | length == 0
    fail_msg: "{{ topo.problems | map(attribute='message') | list }}"

- name: The ports of one container, without reading inside namespaces
  netdevops.ovs_docker.ovs_docker_info:
    container: web1
    namespaces: false

- name: A picture of it, in Mermaid, on the controller
  ansible.builtin.copy:
    content: "{{ {inventory_hostname: topo} | netdevops.ovs_docker.topology_mermaid }}"
    dest: "topology/{{ inventory_hostname }}.md"
    mode: '0644'
  delegate_to: localhost
'''

RETURN = r'''
bridges:
  description: The bridges (all, or O(bridge)), by name; with O(container), those that have its ports.
  returned: always
  type: list
  elements: dict
  contains:
    name: {description: The bridge's name., type: str}
    datapath_type: {description: "C(system) (the kernel's) or C(netdev) (userspace).", type: str}
    datapath_id: {description: "The OpenFlow datapath ID, once C(ovs-vswitchd) has the bridge.", type: str}
    fail_mode: {description: "C(standalone), C(secure) or V(null).", type: str}
    external_ids: {description: The bridge's external_ids., type: dict}
    persistent:
      description: >-
        Whether the bridge carries a record for the agent
        (M(netdevops.ovs_docker.ovs_bridge)'s O(netdevops.ovs_docker.ovs_bridge#module:persistent)).
      type: bool
    addresses: {description: Addresses of its internal interface., type: list, elements: str}
    link_state: {description: C(up) or C(down); V(null) when the internal interface does not exist., type: str}
    mtu: {description: MTU of the internal interface., type: int}
    mac: {description: MAC of the internal interface., type: str}
    mirrors:
      description: Its mirrors (M(netdevops.ovs_docker.ovs_mirror)'s or another's), by name, their ports by name.
      type: list
      elements: dict
      contains:
        name: {description: The mirror's name., type: str}
        select_all: {description: Whether it copies everything that crosses the bridge., type: bool}
        select_src_port: {description: The ports whose received packets it copies., type: list, elements: str}
        select_dst_port: {description: The ports whose sent packets it copies., type: list, elements: str}
        select_vlan: {description: The VLANs whose packets it copies., type: list, elements: int}
        output_port: {description: "The port the copies go to, or V(null).", type: str}
        output_vlan: {description: "The VLAN the copies go on, or V(null).", type: int}
        ours: {description: "Whether it carries ovs_mirror's mark (external_ids C(netdevops.ovs_docker=mirror)).", type: bool}
    ports:
      description: Its ports (with O(container), only that container's), by name.
      type: list
      elements: dict
      contains:
        name: {description: The port's (and its interface's) name., type: str}
        bridge: {description: The bridge it is on., type: str}
        kind:
          description: >-
            C(container) or C(namespace) (by the marks in external_ids), C(vxlan), C(internal) or C(other).
          type: str
        type: {description: "The OVS interface type (C(system) for a device such as a veth).", type: str}
        ofport: {description: "The OpenFlow port number; -1 when C(ovs-vswitchd) cannot use it.", type: int}
        error: {description: "What C(ovs-vswitchd) reports about the interface, or V(null).", type: str}
        tag: {description: "The access VLAN tag, or V(null).", type: int}
        trunks: {description: The trunked VLANs (empty is all)., type: list, elements: int}
        vlan_mode: {description: "The VLAN mode, or V(null) (the default for its tag).", type: str}
        ingress_policing_rate: {description: "Ingress policing rate in kbit/s (V(0): none).", type: int}
        ingress_policing_burst: {description: "Ingress policing burst in kbit (V(0): OVS's default).", type: int}
        egress_rate: {description: "Egress limit (its QoS's C(max-rate)) in kbit/s (V(0): none).", type: int}
        egress_burst: {description: "Egress burst (its queue 0's C(burst)) in kbit (V(0): the kernel's default).", type: int}
        persistent:
          description: >-
            Whether the attachment is recorded as persistent (its request in the external_ids key
            C(netdevops.ovs_docker.persistent), see O(netdevops.ovs_docker.ovs_docker_port#module:persistent)).
          type: bool
        qos:
          description: >-
            Whose the port's QoS is: C(netdevops.ovs_docker) (an O(netdevops.ovs_docker.netns_veth#module:egress_rate)),
            what another's is (type, row), or V(null) (none).
          type: str
        mtu: {description: MTU as OVS reports it., type: int}
        mac: {description: MAC in use as OVS reports it., type: str}
        link_state: {description: Link state as OVS reports it., type: str}
        external_ids: {description: The interface's external_ids (the marks)., type: dict}
        device: {description: Whether the host has a link of the port's name., type: bool}
        host_link:
          description: "The host's link of the port's name (index, kind, link_state, mtu, mac, addresses), or V(null)."
          type: dict
        container:
          description: >-
            For a container's port: C(ref) (the container_id mark as given), C(id) (full ID; V(null) when it is gone),
            C(name), C(running), C(status), C(pid).
          type: dict
        namespace: {description: "The namespace the inside end is in (a name, or C(/proc/PID/ns/net)); V(null) when unknown.", type: str}
        namespace_exists: {description: Whether that namespace exists., type: bool}
        interface:
          description: >-
            The interface inside under the marked name (name, index, kind, mac, mtu, link_state, addresses, and the
            namespace's gateway and gateway6), or V(null) when there is none or O(namespaces=false).
          type: dict
        peer_proven:
          description: >-
            Whether the inside interface and the port's veth are each other's peer, by interface index; V(null)
            when not looked at (O(namespaces=false), no namespace).
          type: bool
        vxlan: {description: "For a VXLAN link: vni, port, local, learning and remotes (where it floods to).", type: dict}
        problems:
          description: What is wrong with the port, each C(kind) and C(message) (the fix included).
          type: list
          elements: dict
problems:
  description: >-
    Every port's problems in one list, each with C(bridge), C(port), C(kind) (C(container_gone),
    C(container_stopped), C(container_restarted), C(veth_alive), C(namespace_gone), C(device_missing), C(unpaired),
    C(duplicate), C(interface_error)) and C(message). A port marked as another engine's container
    (C(external_ids:container_engine)) is not judged: its C(container.engine) names that engine.
  returned: always
  type: list
  elements: dict
  sample: [{bridge: br0, port: 2b1c0e9a4f3d1_l, kind: container_gone,
            message: "container web1 no longer exists: remove its port with ovs_docker_port state=pruned"}]
agent:
  description: >-
    Whether the agent that applies persistent attachments again runs on the host (C(running)) and its
    process ID (C(pid)); see the guide's page on persistence.
  returned: always
  type: dict
  sample: {running: true, pid: 4242}
host_addresses:
  description: The host's own addresses (not loopback or link-local); the fleet picture joins VXLAN remotes to hosts by them.
  returned: always
  type: list
  elements: str
veth_links:
  description: >-
    The veth pairs M(netdevops.ovs_docker.veth_link) made, by the key in their mark: C(name) (C(r1:eth1--r2:eth1),
    or a digest), C(ends) (each C(container) and C(container_id), or C(namespace); C(interface), C(mac), C(mtu),
    C(link_state), C(addresses)), C(peer_proven) (both ends here, each the other's peer) and C(problems) (each
    C(kind) and C(message)).
  returned: when O(veth_links=true), O(namespaces=true) and no O(bridge)
  type: list
  elements: dict
  sample: [{name: "r1:eth1--r2:eth1", peer_proven: true, problems: [],
            ends: [{container: r1, container_id: 3f2a..., namespace: null, interface: eth1, mac: "02:aa:00:00:00:01",
                    mtu: 9500, link_state: up, addresses: [198.18.50.1/30]},
                   {container: r2, container_id: 9c1e..., namespace: null, interface: eth1, mac: "02:aa:00:00:00:02",
                    mtu: 9500, link_state: up, addresses: [198.18.50.2/30]}]}]
other_links:
  description: The host's links that are no OVS bridge, port or datapath device (name, kind, link_state, mtu, mac, addresses).
  returned: when O(other_links=true)
  type: list
  elements: dict
containers:
  description: Every container of the engine, running or not - C(name), C(id), C(state) and C(labels).
  returned: when O(containers=true)
  type: list
  elements: dict
  sample: [{name: con1, id: 3f2a..., state: running, labels: {netdevops.ovs_docker.lab: seed}}]
  version_added: 0.5.0
'''

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.runner import run
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains.topology import Info


def main():
    run(Info)


if __name__ == '__main__':
    main()
