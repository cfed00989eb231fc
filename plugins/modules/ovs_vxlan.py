#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: ovs_vxlan
short_description: Join OVS bridges on several hosts into one L2 segment with a VXLAN link
version_added: 0.1.0
description:
  - Makes a kernel VXLAN link (C(ip link add NAME type vxlan id VNI dstport PORT nolearning)) that floods
    to every host in O(remotes) (C(bridge fdb append 00:00:00:00:00:00 dev NAME dst REMOTE)), and puts it on
    O(bridge) as a port. With the same O(vni) on each host and each host's address in the others'
    O(remotes), the bridges form one L2 segment; OVS learns where each MAC lives.
  - A kernel link rather than an OVS tunnel port, so that it works alike on the kernel and the userspace
    (C(netdev)) datapath.
  - Repairs drift - a deleted link or port, a port on another bridge, a link with another VNI, port or
    local address (made again), remotes added or removed by hand, a link set down.
  - Everything is checked before anything changes; when a step fails, what this run changed is undone.
author:
  - netdevops.ovs_docker developers (@netdevops)
extends_documentation_fragment:
  - netdevops.ovs_docker.ovsdb
attributes:
  check_mode:
    support: full
    description: Reports what would change, with the same diff as a real run; writes nothing.
  diff_mode:
    support: full
    description: Flat C(before)/C(after) of the link, its remotes and its bridge.
  platform:
    support: full
    platforms: posix
    description: Linux hosts with Open vSwitch.
options:
  name:
    description: Name of the VXLAN link and of its OVS port (at most 15 characters).
    type: str
    required: true
  bridge:
    description: The OVS bridge it goes on. Required with O(state=present).
    type: str
  vni:
    description: VXLAN network identifier (1 to 16777215); the same on every host of the segment.
    type: int
  remotes:
    description:
      - Underlay addresses of the other hosts of the segment; exactly these are flooded to (others are removed).
    type: list
    elements: str
    default: []
  local:
    description:
      - This host's underlay address, the source of the tunnel's packets. When not set, the kernel picks
        one by route, and an existing link's is kept.
    type: str
  port:
    description: UDP port of the tunnel.
    type: int
    default: 4789
  mtu:
    description:
      - MTU of the link. When not set, the kernel's default. Leave room for the 50 bytes VXLAN adds
        over IPv4 (1450 on a 1500 underlay), or set the MTU of the ports on the segment below it.
    type: int
  state:
    description: C(present) makes it; C(absent) removes the port and the link.
    type: str
    choices: [present, absent]
    default: present
requirements:
  - pyroute2 (Debian/Ubuntu C(python3-pyroute2))
notes:
  - Needs root. The hosts must reach each other on UDP O(port).
seealso:
  - module: netdevops.ovs_docker.ovs_bridge
'''

EXAMPLES = r'''
- name: br0 of every host in one L2 segment (each host lists the others)
  netdevops.ovs_docker.ovs_vxlan:
    name: vx42
    bridge: br0
    vni: 42
    local: "{{ underlay_address }}"
    remotes: "{{ groups['fleet'] | difference([inventory_hostname]) | map('extract', hostvars, 'underlay_address') }}"
    mtu: 1450

- name: Leave the segment
  netdevops.ovs_docker.ovs_vxlan:
    name: vx42
    state: absent
'''

RETURN = r'''
vxlan:
  description: The link as it is after the run (as it would be, in check mode).
  returned: always
  type: dict
  sample: {name: vx42, state: present, bridge: br0, kind: vxlan, vni: 42, port: 4789, local: 192.0.2.11,
           remotes: [192.0.2.12, 192.0.2.13], mtu: 1450, link_state: up}
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.netdevops.ovs_docker.plugins.module_utils import _ovsdb, _vxlan
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._common import OVSDB_ARGS, ApplyError, host_lock, require_pyroute2
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._netlink import Netlink, NetlinkError


def main():
    argument_spec = dict(
        name=dict(type='str', required=True),
        bridge=dict(type='str'),
        vni=dict(type='int'),
        remotes=dict(type='list', elements='str', default=[]),
        local=dict(type='str'),
        port=dict(type='int', default=4789),
        mtu=dict(type='int'),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
    )
    argument_spec.update(OVSDB_ARGS)
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True,
                           required_if=[('state', 'present', ('bridge', 'vni'))])
    desired, errors = _vxlan.desired_state(module.params)
    if errors:
        module.fail_json(msg='; '.join(errors), errors=errors)
    require_pyroute2(module)
    host_lock(module)
    db = _ovsdb.connect(module, _vxlan.TABLES)
    netlink = Netlink()
    name = desired['name']
    try:
        current = _vxlan.observe(db, netlink, name)
        if desired['state'] == 'present' and db.find('Bridge', desired['bridge']) is None:
            module.fail_json(msg='bridge %s does not exist: create it first (netdevops.ovs_docker.ovs_bridge)' % desired['bridge'])
        link = (current or {}).get('link')
        if link is not None and link['kind'] != 'vxlan':
            module.fail_json(msg='%s is a %s link, not one of this module: choose another name' % (name, link['kind'] or 'plain'))
    except NetlinkError as exc:
        module.fail_json(msg=str(exc))
    actions, before, after = _vxlan.plan(current, desired)
    result = dict(changed=bool(actions), vxlan=after)
    if module._diff:
        result['diff'] = dict(before=before, after=after)
    if actions and not module.check_mode:
        _ovsdb.require_vswitchd(module, db)
        try:
            _vxlan.Applier(db, netlink, name).apply(actions, current)
        except ApplyError as exc:
            result.update(changed=bool(exc.undo_errors), vxlan=_vxlan.view(name, _vxlan.observe(db, netlink, name)))
            module.fail_json(msg=exc.report('%s: ' % name), **result)
        result['vxlan'] = _vxlan.view(name, _vxlan.observe(db, netlink, name))
    module.exit_json(**result)


if __name__ == '__main__':
    main()
