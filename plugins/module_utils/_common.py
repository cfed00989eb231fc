# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Argument specs shared by several modules (they match plugins/doc_fragments)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

OVSDB_ARGS = dict(
    ovsdb_socket=dict(type='str', default='unix:/run/openvswitch/db.sock'),
    ovsdb_timeout=dict(type='float', default=10.0),
)
