#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: veth_link
short_description: Wire two containers or namespaces together with a veth pair, no bridge between
version_added: 0.5.0
description:
  - Makes a veth pair whose two ends are in two different containers or network namespaces (containerlab's
    node-to-node link; C(ip link add A netns X type veth peer name B netns Y)), with a MAC per end, the link's
    MTU, addresses per end, both ends up. The ends see each other as if wired.
  - Repairs drift - an address added or removed by hand, a MAC or MTU changed, an end set down - and makes
    the link again when it is gone (a container's end goes with the container when it restarts).
  - Everything is checked before anything changes; when a step fails, what this run changed is undone.
author:
  - netdevops.ovs_docker developers (@netdevops)
extends_documentation_fragment:
  - netdevops.ovs_docker.action
attributes:
  diff_mode:
    support: full
    description: Flat C(before)/C(after) of the link and its two ends.
options:
  ends:
    description:
      - The link's two ends. Each is a container's or a namespace's interface.
      - Mutually exclusive with O(links).
    type: list
    elements: dict
    suboptions: &ends
      container:
        description:
          - The container (name or ID) the end is in. It must be running; not one on the host's network (C(--net=host)).
          - Give O(ends[].container), O(ends[].namespace) or O(ends[].host).
        type: str
      namespace:
        description:
          - The network namespace (a name under C(/run/netns), or a path) the end is in; a named one that
            does not exist is made (O(create_namespace)).
        type: str
        aliases: [netns]
      host:
        description:
          - The end is in the host's own namespace (containerlab's host link, or a port of a Linux bridge with
            O(ends[].master)). It takes no addresses; a name the host has already that is not this link's is
            refused, with nothing changed.
        type: bool
      interface:
        description: The end's interface name in its container or namespace (at most 15 characters).
        type: str
        required: true
      addresses:
        description:
          - The end's addresses (C(ADDRESS/PREFIX), IPv4 or IPv6), exactly these, link-local ones aside.
            Not set, addresses are left as they are.
        type: list
        elements: str
      mac:
        description:
          - The end's MAC. Not set, a new end gets one derived from the link and the end (the same every time
            it is made again), and an existing end keeps its own.
        type: str
      master:
        description:
          - For an end in the host's namespace, the Linux bridge it is a port of (made by the user first, as
            containerlab's kind bridge is; one missing, or not a bridge, is refused).
        type: str
  mtu:
    description: The link's MTU, on both ends (68 to 65535). Not set, a new link has the kernel's 1500 and an existing one keeps its own.
    type: int
  other_addresses:
    description:
      - What an end's O(ends[].addresses) are. V(remove), the whole set - any other address on the interface
        is removed. V(keep), what must be there - they are added, and an address that a routing daemon, a
        command or a user put on the interface stays (a lab's nodes own their addresses).
    type: str
    choices: [remove, keep]
    default: remove
  state:
    description: V(present) makes the link (or repairs it); V(absent) deletes it, if it is this module's.
    type: str
    choices: [present, absent]
    default: present
  links:
    description:
      - Many links in one run, each with O(links[].ends) and, when it sets them itself, O(links[].mtu) and
        O(links[].state) (else the top level's).
    type: list
    elements: dict
    suboptions:
      ends:
        description: The link's two ends, as O(ends).
        type: list
        elements: dict
        suboptions: *ends
      mtu:
        description: As O(mtu).
        type: int
      other_addresses:
        description: As O(other_addresses).
        type: str
        choices: [remove, keep]
      state:
        description: As O(state).
        type: str
        choices: [present, absent]
  purge:
    description:
      - Containers (by name) and namespaces (as C(netns:NAME)) in which every link of this module's that
        O(links) does not list is deleted, so that they have exactly the links listed (a topology's links,
        one removed from it included). A container that is not running has none.
      - Only links that carry this module's mark are deleted; any other interface stays.
      - Needs O(links).
    type: list
    elements: str
  create_namespace:
    description: Make a named namespace that does not exist yet (it is not deleted with the link).
    type: bool
    default: true
  docker_host:
    description:
      - The container engine's API endpoint. When not set, C(DOCKER_HOST) from the environment, else
        C(unix:///var/run/docker.sock) (Podman's compatible socket works too).
    type: str
  docker_timeout:
    description: Seconds to wait for an answer from the container engine.
    type: int
    default: 60
requirements:
  - pyroute2 (Debian/Ubuntu C(python3-pyroute2))
  - docker (the Docker SDK for Python), for an engine not on a local C(unix://) socket
notes:
  - Needs root on the host of the containers.
  - "What this module will and will not touch: both ends of a link it made carry its mark as their description
    (C(ip link show) shows C(alias netdevops.ovs_docker.veth_link A--B)); it changes and deletes only such a pair.
    An interface of an end's name that is anything else - Docker's own C(eth0), another link's veth - is an
    error naming it, with nothing changed. O(state=absent) leaves an interface that is not its own as it is."
  - Runs that change a host take turns (a lock in C(/run)). Check mode takes no lock and writes nothing.
seealso:
  - module: netdevops.ovs_docker.ovs_docker_port
    description: A container's interface on an OVS bridge instead (ovs-docker add-port).
'''

EXAMPLES = r'''
- name: r1's eth1 wired to r2's eth1, addressed
  netdevops.ovs_docker.veth_link:
    ends:
      - {container: r1, interface: eth1, addresses: [198.18.40.1/30], mac: "02:00:00:00:01:01"}
      - {container: r2, interface: eth1, addresses: [198.18.40.2/30]}
    mtu: 9000

- name: A chain in one run, a namespace at one end
  netdevops.ovs_docker.veth_link:
    links:
      - ends: [{container: r1, interface: eth2}, {container: r3, interface: eth1}]
      - ends: [{container: r3, interface: eth2}, {namespace: probe, interface: eth0, addresses: [198.18.41.2/30]}]

- name: Exactly these links among r1, r2 and r3 (any other of this module's there is deleted)
  netdevops.ovs_docker.veth_link:
    links:
      - ends: [{container: r1, interface: eth1}, {container: r2, interface: eth1}]
      - ends: [{container: r2, interface: eth2}, {container: r3, interface: eth1}]
    purge: [r1, r2, r3]

- name: r1's eth3 a port of the Linux bridge br-lab, named e3 there (containerlab's kind bridge)
  netdevops.ovs_docker.veth_link:
    ends: [{container: r1, interface: eth3}, {host: true, interface: e3, master: br-lab}]

- name: Unwire r1 and r2
  netdevops.ovs_docker.veth_link:
    ends: [{container: r1, interface: eth1}, {container: r2, interface: eth1}]
    state: absent
'''

RETURN = r'''
link:
  description: The link as it is after the run (as it would be, in check mode); with O(links), C(links), a list of them.
  returned: always
  type: dict
  sample: {key: "r1:eth1--r2:eth1", state: present,
           ends: [{container: r1, interface: eth1, mac: "02:00:00:00:01:01", mtu: 9000, addresses: [198.18.40.1/30], link_state: up},
                  {container: r2, interface: eth1, mac: "0a:3f:51:9c:22:7e", mtu: 9000, addresses: [198.18.40.2/30], link_state: up}]}
'''

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.runner import run
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains.veth_link import VethLink


def main():
    run(VethLink)


if __name__ == '__main__':
    main()
