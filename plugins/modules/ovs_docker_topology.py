#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: ovs_docker_topology
short_description: A host's part of a topology in one run - bridges, containers, links, ports, VXLAN links
version_added: 0.5.0
description:
  - Builds (or takes apart) one host's part of a topology in one run, as containerlab's C(deploy) does for a
    host's nodes - the bridges, the nodes' containers, the veth links between them, their ports on bridges and
    the VXLAN links of links across hosts - each section looked at and planned by the module of its own
    (M(netdevops.ovs_docker.ovs_bridge), M(netdevops.ovs_docker.veth_link), M(netdevops.ovs_docker.ovs_docker_port),
    M(netdevops.ovs_docker.ovs_vxlan)), in the order they depend on each other, under one lock.
  - The containers are looked at in one listing of the engine and every container of a kind is made at once
    through a pool of connections to it. A node whose request differs from the one its container was made
    from (its image, command, env, binds, capabilities, ...) is made again, and only it, as containerlab's
    reconcile does; a stopped one is started. The others keep their container (and its ID).
  - Everything is validated before anything is read. When a step fails (an image that cannot be found, a bind
    whose source is missing, a port that cannot be made), what this run did is undone - the containers it made
    are removed, those it set aside to replace are put back, the links and ports it made go - and the message
    names what failed.
  - In check mode nothing is made, so what joins a container or bridge that the run would make (or make again)
    cannot be looked at - it is listed in RV(would), and the run shows as changed.
  - The order of a run - networks, ports off, bridges, Linux bridges, namespaces, containers, links, ports, VXLAN links, bridges off, Linux bridges off,
    the containers removed, networks off - is the order they depend on each other in; the run returns once ovs-vswitchd has applied it all.
author:
  - netdevops.ovs_docker developers (@netdevops)
extends_documentation_fragment:
  - netdevops.ovs_docker.action
  - netdevops.ovs_docker.ovsdb
attributes:
  diff_mode:
    support: full
    description: C(before)/C(after) of each container by name (its state, image and request digest).
options:
  networks:
    description:
      - Docker networks (bridge driver), made through the Engine API before anything else (V(present)) and removed
        after the containers went (V(absent)) - a topology's management network, as containerlab's C(mgmt).
      - A new network's subnets are checked against the host's own addresses, routes, gateways and name servers first
        (refused, naming what it would take traffic from, unless O(allow_host_overlap)).
      - A network of the name that this module did not make (no label C(netdevops.ovs_docker.network)) is used as it
        is and never removed, said in RV(kept); one it made from another request is refused (take the topology down
        first). One is removed only when no container but those the run removes is on it.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: The network's name.
        type: str
        required: true
      ipv4_subnet:
        description: Its IPv4 subnet (as V(198.18.20.0/24)); when neither subnet is given, the engine picks one.
        type: str
      ipv4_gateway:
        description: The bridge's IPv4 address in it (the engine's choice, the first host address, when not given).
        type: str
      ipv6_subnet:
        description: Its IPv6 subnet (as V(fdff:198:18:20::/64)); IPv6 is on when it is given.
        type: str
      ipv6_gateway:
        description: The bridge's IPv6 address in it.
        type: str
      bridge:
        description: The name of its Linux bridge (the engine's C(br-) and 12 digits of its ID when not given).
        type: str
      mtu:
        description: The MTU of its interfaces.
        type: int
      labels:
        description: Labels. The module adds its own, C(netdevops.ovs_docker.network), the digest of the request.
        type: dict
      state:
        description: V(present) (made, or used as it is when it is not this module's) or V(absent) (removed if it is).
        type: str
        choices: [present, absent]
        default: present
  linux_bridges:
    description:
      - Linux bridges (containerlab's kind C(bridge)) whose ports are ends of O(links) (their C(master)), made through
        netlink before the links (V(present)) and removed after them (V(absent)).
      - One of the name that is there is used as it is and never removed, said in RV(kept); one that is not is made, up,
        its description (ifalias) C(netdevops.ovs_docker.bridge) and its O(linux_bridges[].labels) - what proves it
        this module's. It is removed only with no port left on it. A link of the name that is not a bridge is refused.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: The bridge's name.
        type: str
        required: true
      labels:
        description: The mark it is made with (a topology's, as C(netdevops.ovs_docker.clab=lbr)), in its description.
        type: dict
      state:
        description: V(present) or V(absent).
        type: str
        choices: [present, absent]
        default: present
  bridges:
    description:
      - OVS bridges, made before the containers (V(present)) or removed after everything else (V(absent)); each as
        an item of M(netdevops.ovs_docker.ovs_bridge)'s O(netdevops.ovs_docker.ovs_bridge#module:bridges).
      - An item may say what is done with a bridge of its name that is there already, C(existing) - V(keep) (used as it
        is, never changed) or V(ours) (used as it is if it carries O(prune_labels) in its external_ids, else refused
        with nothing changed). Without it, the bridge is made to be as the item says, as M(netdevops.ovs_docker.ovs_bridge) does.
    type: list
    elements: dict
    default: []
  containers:
    description: The containers, each a node's.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: The container's name.
        type: str
        required: true
      image:
        description: The image to make it from (required unless O(containers[].state=absent)).
        type: str
      pull:
        description:
          - When the image is pulled before the container is made - V(missing) when the host lacks it, V(always), or
            V(never) (a missing image is then an error before anything changes). Nothing is pulled for a container
            that is kept.
        type: str
        choices: [missing, always, never]
        default: missing
      command:
        description: The command (a list, or a string split as a shell would).
        type: raw
      entrypoint:
        description: The entrypoint (a list, or a string split as a shell would).
        type: raw
      user:
        description: The user the command runs as.
        type: str
      hostname:
        description: The container's host name.
        type: str
      env:
        description: Environment variables.
        type: dict
      labels:
        description: Labels. The module adds its own, C(netdevops.ovs_docker.spec), the digest of the request.
        type: dict
      volumes:
        description: Binds, as C(SOURCE:DESTINATION[:OPTIONS]).
        type: list
        elements: str
      network_mode:
        description:
          - V(none) (the default without O(containers[].networks), for links of its own), V(bridge), a network's name,
            or C(container:NAME).
        type: str
      networks:
        description:
          - The network the container joins when it is made (its C(eth0)), as community.docker's C(networks) - one, as
            the Engine API takes one at a container's creation; typically the topology's management network of
            O(networks). Its addresses are part of the request (a change makes the container again).
        type: list
        elements: dict
        suboptions:
          name:
            description: The network's name.
            type: str
            required: true
          ipv4_address:
            description: Its IPv4 address there, without a prefix length (the engine picks one when not given).
            type: str
          ipv6_address:
            description: Its IPv6 address there, without a prefix length.
            type: str
          aliases:
            description: Names the network's DNS gives it.
            type: list
            elements: str
      restart_policy:
        description: The restart policy.
        type: str
        choices: ['no', on-failure, always, unless-stopped]
      capabilities:
        description: Capabilities to add (as C(NET_ADMIN)).
        type: list
        elements: str
      sysctls:
        description: Kernel parameters of the container's namespaces.
        type: dict
      devices:
        description: Devices, as C(HOST_PATH[:CONTAINER_PATH[:PERMISSIONS]]).
        type: list
        elements: str
      dns_servers:
        description: Name servers.
        type: list
        elements: str
      dns_search_domains:
        description: DNS search domains.
        type: list
        elements: str
      dns_opts:
        description: Resolver options.
        type: list
        elements: str
      published_ports:
        description: Ports published on the host, as C([IP:][HOST_PORT:]PORT[/PROTOCOL]).
        type: list
        elements: str
      cpus:
        description: CPUs the container may use (as C(1.5)).
        type: float
      cpuset_cpus:
        description: The CPUs it may run on (as C(0-1)).
        type: str
      memory:
        description: Its memory limit (as C(512m), C(1g)).
        type: str
      shm_size:
        description: The size of its C(/dev/shm) (as C(64m)).
        type: str
      security_opts:
        description: Security options (as C(seccomp=unconfined)).
        type: list
        elements: str
      privileged:
        description:
          - Run it privileged, as containerlab runs its nodes (FRR needs C(CAP_SYS_ADMIN); a node sets
            its own sysctls).
          - Where the host refuses privileged containers (a capability outside the bounding set of its
            processes, as in some VMs and CI runners), it gets every capability the host allows,
            seccomp and AppArmor unconfined and writable C(/proc/sys) instead; the task warns once,
            naming the missing capabilities.
        type: bool
        default: false
      state:
        description: V(present) (made and running) or V(absent) (removed, if it is this module's).
        type: str
        choices: [present, absent]
        default: present
  adopt_labels:
    description:
      - Labels that say a container was made by an earlier release of a role (the topology's name as the label
        C(netdevops.ovs_docker.clab)). A container that carries them all and not this module's own label is taken as
        this module's; its request is unknown, so it is made again once.
    type: dict
  prune_labels:
    description:
      - A topology's mark, a dict of labels (as C(netdevops.ovs_docker.clab=chain)). The run first looks at what carries it - containers by their labels,
        bridges by their external_ids - and removes what is not in this run's lists - those containers, their ports on
        OVS bridges, those bridges (a bridge with ports of someone else's on it is kept, and said in RV(kept)) and the
        VXLAN links on them. A run with every list empty takes the topology's part on this host away.
      - Nothing without it is removed but what the lists say to remove (C(state=absent)).
    type: dict
  namespaces:
    description:
      - Network namespaces attached to OVS bridges, made once the bridges are there; each as an item of
        M(netdevops.ovs_docker.netns_veth)'s O(netdevops.ovs_docker.netns_veth#module:attachments).
    type: list
    elements: dict
    default: []
  allow_host_overlap:
    description:
      - Let an address on a bridge's internal interface (in the host's namespace) overlap the host's own networks, as
        M(netdevops.ovs_docker.ovs_bridge)'s O(netdevops.ovs_docker.ovs_bridge#module:allow_host_overlap).
    type: bool
    default: false
  links:
    description:
      - veth links between the nodes (and namespaces), made once the containers are there; each as an item of
        M(netdevops.ovs_docker.veth_link)'s O(netdevops.ovs_docker.veth_link#module:links).
    type: list
    elements: dict
    default: []
  purge:
    description:
      - Containers (and C(netns:NAME)) whose veth links of M(netdevops.ovs_docker.veth_link) are exactly O(links) -
        any other such link in them is removed (as that module's O(netdevops.ovs_docker.veth_link#module:purge)).
    type: list
    elements: str
    default: []
  ports:
    description:
      - The nodes' ports on OVS bridges; each as an item of M(netdevops.ovs_docker.ovs_docker_port)'s
        O(netdevops.ovs_docker.ovs_docker_port#module:attachments). Those with C(state=absent) are removed before the
        containers change, the others made once the containers are there. A bridge is never made here - list it
        in O(bridges).
    type: list
    elements: dict
    default: []
  vxlans:
    description:
      - VXLAN links, once the bridges are there; each as an item of M(netdevops.ovs_docker.ovs_vxlan)'s
        O(netdevops.ovs_docker.ovs_vxlan#module:vxlans).
    type: list
    elements: dict
    default: []
  docker_host:
    description:
      - The engine's local API socket. When not set, C(DOCKER_HOST) from the environment, else
        C(unix:///var/run/docker.sock) (Podman's compatible socket works too). A remote engine is refused.
    type: str
  docker_timeout:
    description: Seconds to wait for an answer from the engine, per request.
    type: int
    default: 60
notes:
  - Needs the engine's socket (root, or the engine's group).
  - "What this module will and will not touch: a container it made carries the label C(netdevops.ovs_docker.spec);
    it changes and removes only such a container (or one that carries O(adopt_labels)). Any other container of a
    node's name is an error naming it, with nothing changed."
  - Runs that change a host take turns (a lock in C(/run)). Check mode takes no lock and writes nothing.
  - What the other sections touch is what their own modules touch (their notes say it); the role
    C(netdevops.ovs_docker.clab) builds every host's part of a containerlab topology with one run of this module.
seealso:
  - module: netdevops.ovs_docker.veth_link
    description: One section's module, the links between the nodes.
  - module: netdevops.ovs_docker.ovs_docker_port
    description: One section's module, the nodes' ports on bridges.
  - module: netdevops.ovs_docker.ovs_vxlan
    description: One section's module, VXLAN links.
'''

EXAMPLES = r'''
- name: A star of three nodes on one bridge, in one run (a node whose settings changed is made again, only it)
  netdevops.ovs_docker.ovs_docker_topology:
    networks:
      - {name: clab, ipv4_subnet: 198.18.20.0/24, labels: {netdevops.ovs_docker.clab: star}}
    bridges:
      - {name: br-star, datapath_type: auto, external_ids: {netdevops.ovs_docker.clab: star}}
    containers:
      - {name: clab-star-r1, image: "quay.io/frrouting/frr:10.2.1", capabilities: [NET_ADMIN, SYS_ADMIN],
         labels: {netdevops.ovs_docker.clab: star}}
      - {name: clab-star-h1, image: alpine:3.20, command: sleep infinity, env: {ROLE: host},
         networks: [{name: clab, ipv4_address: 198.18.20.11}]}
      - {name: clab-star-h2, image: alpine:3.20, command: sleep infinity}
    links:
      - ends:
          - {container: clab-star-r1, interface: eth2, addresses: [198.18.0.1/30]}
          - {container: clab-star-h2, interface: eth1, addresses: [198.18.0.2/30]}
    purge: [clab-star-r1, clab-star-h1, clab-star-h2]
    ports:
      - {container: clab-star-r1, interface: eth1, bridge: br-star}
      - {container: clab-star-h1, interface: eth1, bridge: br-star}
  register: star

- name: The nodes' own commands, in the containers this run made
  community.docker.docker_container_exec:
    container: "{{ item }}"
    command: ip link set lo up
  loop: "{{ star.made }}"

- name: One node gone, with its port
  netdevops.ovs_docker.ovs_docker_topology:
    ports:
      - {container: clab-star-h1, interface: eth1, state: absent}
    containers:
      - {name: clab-star-h1, state: absent}
'''

RETURN = r'''
containers:
  description: Each container as it is after the run (as it would be, in check mode).
  returned: always
  type: list
  elements: dict
  sample: [{name: clab-star-r1, state: running, image: "quay.io/frrouting/frr:10.2.1", spec: 0b6c3f1e9a2d47c58e11}]
made:
  description: The containers this run made (would make, in check mode), new ones and ones made again.
  returned: always
  type: list
  elements: str
  sample: [clab-star-r1]
bridges:
  description: Each bridge of O(bridges) as M(netdevops.ovs_docker.ovs_bridge) returns it.
  returned: always
  type: list
  elements: dict
namespaces:
  description: Each namespace's attachment of O(namespaces) as M(netdevops.ovs_docker.netns_veth) returns it.
  returned: always
  type: list
  elements: dict
links:
  description: Each link of O(links) (and each purged one) as M(netdevops.ovs_docker.veth_link) returns it.
  returned: always
  type: list
  elements: dict
ports:
  description: Each port of O(ports) as M(netdevops.ovs_docker.ovs_docker_port) returns it (its RV(netdevops.ovs_docker.ovs_docker_port#module:attachments)).
  returned: always
  type: list
  elements: dict
vxlans:
  description: Each VXLAN link of O(vxlans) as M(netdevops.ovs_docker.ovs_vxlan) returns it.
  returned: always
  type: list
  elements: dict
networks:
  description: Each network of O(networks) (and each removed one) as it is after the run - its state, subnets, bridge, whether it is this module's.
  returned: always
  type: list
  elements: dict
  sample: [{name: clab, state: present, subnets: [198.18.20.0/24], bridge: br-5f2a9c0d1e3b, ours: true, spec: 4c1d2e9b0a7f36e58d21}]
linux_bridges:
  description: Each Linux bridge of O(linux_bridges) (and each removed one) - its state, kind, ports, whether it is this module's.
  returned: always
  type: list
  elements: dict
  sample: [{name: br-lbr, state: present, kind: bridge, ours: true, ports: [e1, e2]}]
kept:
  description:
    - With O(prune_labels), the bridges of the topology's that were not removed, each said with why (someone else's ports);
      and the networks and Linux bridges used as they are or not removed (someone else's, or with someone else's
      containers or ports on them).
  returned: always
  type: list
  elements: str
would:
  description: In check mode, what joins a container or bridge that the run would make, which cannot be looked at before it is there.
  returned: always
  type: list
  elements: str
  sample: ["would wire clab-star-r1:eth2 to clab-star-h2:eth1", "would attach clab-star-h1:eth1 to br-star"]
'''

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.runner import run
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains.host_part import HostPart


def main():
    run(HostPart)


if __name__ == '__main__':
    main()
