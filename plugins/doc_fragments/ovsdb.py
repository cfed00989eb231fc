# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """How a module reaches OVSDB."""

    DOCUMENTATION = r'''
options:
  ovsdb_socket:
    description:
      - The OVSDB server to talk to, as a socket path or an OVSDB remote
        (C(unix:PATH), C(tcp:HOST:PORT), C(ssl:HOST:PORT)).
      - The module fails before changing anything when it cannot reach it.
    type: str
    default: unix:/run/openvswitch/db.sock
  ovsdb_timeout:
    description:
      - Seconds to wait for OVSDB to answer, for a transaction to commit and for
        C(ovs-vswitchd) to apply it.
    type: float
    default: 10
requirements:
  - ovs (the Open vSwitch Python bindings; Debian/Ubuntu C(python3-openvswitch)) on the managed host
'''
