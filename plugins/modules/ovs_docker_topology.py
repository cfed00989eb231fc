#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: ovs_docker_topology
short_description: The containers of a host's part of a topology, made many at once through the Engine API
version_added: 0.5.0
description:
  - Makes, starts, makes again and removes the containers of a topology's nodes on one host in one run
    (containerlab's C(deploy) of a host's nodes) - one listing of the engine to look, each node planned, then
    every container of a kind made at once through a pool of connections to the engine.
  - A node whose request differs from the one its container was made from (its image, command, env, binds,
    capabilities, ...) is made again, and only it, as containerlab's reconcile does; a stopped one is started.
    The others keep their container (and its ID).
  - Everything is checked before anything changes. When a step fails (an image that cannot be found, a bind
    whose source is missing), what this run did is undone - the containers it made are removed, those it set
    aside to replace are put back - and the message names the node.
  - This version takes the containers; the nodes' links, bridge ports and VXLAN links are made by
    M(netdevops.ovs_docker.veth_link), M(netdevops.ovs_docker.ovs_docker_port) and M(netdevops.ovs_docker.ovs_vxlan)
    (the role C(netdevops.ovs_docker.clab) runs them after it).
author:
  - netdevops.ovs_docker developers (@netdevops)
extends_documentation_fragment:
  - netdevops.ovs_docker.action
attributes:
  diff_mode:
    support: full
    description: C(before)/C(after) of each container by name (its state, image and request digest).
options:
  containers:
    description: The containers, each a node's.
    type: list
    elements: dict
    required: true
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
        description: V(none) (the default, for links of its own), V(bridge), a network's name, or C(container:NAME).
        type: str
        default: none
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
seealso:
  - module: netdevops.ovs_docker.veth_link
    description: The links between the nodes this module made.
  - module: netdevops.ovs_docker.ovs_docker_port
    description: The nodes' ports on bridges.
'''

EXAMPLES = r'''
- name: Three nodes (made at once; a node whose settings changed is made again, the others are kept)
  netdevops.ovs_docker.ovs_docker_topology:
    containers:
      - {name: clab-chain-r1, image: "quay.io/frrouting/frr:10.2.1", capabilities: [NET_ADMIN, SYS_ADMIN],
         labels: {netdevops.ovs_docker.clab: chain}}
      - {name: clab-chain-r2, image: "quay.io/frrouting/frr:10.2.1", capabilities: [NET_ADMIN, SYS_ADMIN],
         labels: {netdevops.ovs_docker.clab: chain}}
      - name: clab-chain-h1
        image: alpine:3.20
        command: sleep infinity
        env: {ROLE: host}
  register: nodes

- name: The nodes' own commands, in the containers this run made
  community.docker.docker_container_exec:
    container: "{{ item }}"
    command: ip link set lo up
  loop: "{{ nodes.made }}"

- name: One node gone
  netdevops.ovs_docker.ovs_docker_topology:
    containers:
      - {name: clab-chain-h1, state: absent}
'''

RETURN = r'''
containers:
  description: Each container as it is after the run (as it would be, in check mode).
  returned: always
  type: list
  elements: dict
  sample: [{name: clab-chain-r1, state: running, image: "quay.io/frrouting/frr:10.2.1", spec: 0b6c3f1e9a2d47c58e11}]
made:
  description: The containers this run made (would make, in check mode), new ones and ones made again.
  returned: always
  type: list
  elements: str
  sample: [clab-chain-r1]
'''

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.runner import run
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains.container import Nodes


def main():
    run(Nodes)


if __name__ == '__main__':
    main()
