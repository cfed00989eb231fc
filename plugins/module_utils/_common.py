# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What several modules share: argument specs (matching plugins/doc_fragments), the failure of a
run that was undone, the pyroute2 check."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

OVSDB_ARGS = dict(
    ovsdb_socket=dict(type='str', default='unix:/run/openvswitch/db.sock'),
    ovsdb_timeout=dict(type='float', default=10.0),
)


class ApplyError(Exception):
    """A step of a run failed; ``undo_errors`` lists what could not be taken back (none: the run's
    changes were all undone)."""

    def __init__(self, message, undo_errors):
        super(ApplyError, self).__init__(message)
        self.undo_errors = list(undo_errors)

    def report(self, prefix):
        """The message for fail_json, saying whether the undo was complete."""
        if self.undo_errors:
            return '%s%s; undoing this run failed too: %s' % (prefix, self, '; '.join(self.undo_errors))
        return '%s%s; what this run changed was undone' % (prefix, self)


# Options of a veth attachment (plugins/doc_fragments/attachment.py).
ATTACH_ARGS = dict(
    mtu=dict(type='int'),
    gateway=dict(type='str'),
    gateway6=dict(type='str'),
    gateway_onlink=dict(type='bool', default=False),
)


def require_pyroute2(module):
    """Fail once, clearly, when pyroute2 is missing on the managed host."""
    from ansible.module_utils.basic import missing_required_lib
    from ansible_collections.netdevops.ovs_docker.plugins.module_utils._netlink import import_error
    missing = import_error()
    if missing:
        module.fail_json(msg=missing_required_lib('pyroute2 (pip install pyroute2, or Debian/Ubuntu python3-pyroute2)'),
                         exception=missing)
