#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: ovs_docker_agent
short_description: Install and run the agent that brings persistent attachments back by themselves
version_added: 0.4.0
description:
  - Installs the agent that keeps persistent attachments (O(netdevops.ovs_docker.ovs_docker_port#module:persistent),
    O(netdevops.ovs_docker.netns_veth#module:persistent), O(netdevops.ovs_docker.ovs_bridge#module:persistent)) true
    without a play - it applies a container's recorded attachments again when the container starts (a restart, a crash
    under a restart policy, an engine restart, a reboot), every record at its own start and after Open vSwitch
    restarts, through the modules' own code (the same ownership rules, undo and lock) - and keeps it running.
  - What it installs is this module's own payload (the zip ansible sends, which holds the agent and the modules' code)
    in C(/usr/local/lib/netdevops-ovs_docker/agent.zip) and a launcher beside it, C(/usr/local/lib/netdevops-ovs_docker/agent)
    (C(agent --once) applies every record once and exits). Nothing of the collection is needed on the host; the
    agent runs on the interpreter the modules use, with their libraries.
  - With systemd as init, a service C(netdevops-ovs_docker-agent.service), enabled (it starts at boot, after Open
    vSwitch and the engine), its log in the journal. Without it (containers, minimal hosts), a daemon of its own
    started by this module, its log in C(/var/log/netdevops-ovs_docker-agent.log); nothing starts it again after a
    reboot there - run this module again, or start the launcher from whatever starts the engine.
  - A new payload (a newer collection), launcher or unit restarts the agent; otherwise a repeat changes nothing.
  - One agent per host follows one engine (Docker's socket, or Podman's API socket).
  - O(state=absent) stops it and removes exactly what this module installed.
  - The role C(netdevops.ovs_docker.agent) runs this module (entry points C(main) and C(remove)).
author:
  - netdevops.ovs_docker developers (@netdevops)
extends_documentation_fragment:
  - netdevops.ovs_docker.action
attributes:
  diff_mode:
    support: full
    description: Flat C(before)/C(after) - installed or not, how it runs, running or not, the payload's version.
options:
  state:
    description: V(present) installs and runs it; V(absent) stops it and removes what was installed.
    type: str
    choices: [present, absent]
    default: present
  init:
    description:
      - How it runs. V(systemd), a service; V(none), a daemon this module starts; V(auto), V(systemd) where systemd is
        init (C(/run/systemd/system) exists), else V(none).
    type: str
    choices: [auto, systemd, none]
    default: auto
  ovsdb_socket:
    description: The OVSDB server the agent reads the records from and applies them through.
    type: str
    default: unix:/run/openvswitch/db.sock
  docker_host:
    description:
      - The engine whose container starts the agent follows, a local socket (V(unix:///var/run/docker.sock), or
        Podman's V(unix:///run/podman/podman.sock)). Defaults to E(DOCKER_HOST) as the module sees it, else Docker's.
    type: str
  python:
    description: The interpreter the agent runs on (it needs the modules' libraries). Defaults to the one this module runs on.
    type: path
notes:
  - Needs root.
seealso:
  - module: netdevops.ovs_docker.ovs_docker_port
  - module: netdevops.ovs_docker.ovs_docker_info
'''

EXAMPLES = r'''
- name: The agent on every host (a service where systemd is init)
  netdevops.ovs_docker.ovs_docker_agent:

- name: Following Podman
  netdevops.ovs_docker.ovs_docker_agent:
    docker_host: unix:///run/podman/podman.sock

- name: Gone
  netdevops.ovs_docker.ovs_docker_agent:
    state: absent
'''

RETURN = r'''
agent:
  description: The agent after the run (as it would be, in check mode) - C(state), C(init), C(running), C(pid), C(payload) (its version).
  returned: always
  type: dict
  sample: {state: present, init: systemd, running: true, pid: 4242, payload: 3f2a9c01b7de}
steps:
  description: What the run did (would do, in check mode), in order.
  returned: always
  type: list
  elements: str
  sample: [payload, launcher, unit, enable, restart_service]
'''

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._agent.service import AgentInstall
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.runner import run
# What the agent applies records through (the registry: every domain): imported so that ansible
# packs them into this module's payload, which is what gets installed.
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._agent import agent as _agent  # noqa: F401 pylint: disable=unused-import
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._domains import registry as _registry  # noqa: F401 pylint: disable=unused-import


def main():
    run(AgentInstall)


if __name__ == '__main__':
    main()
