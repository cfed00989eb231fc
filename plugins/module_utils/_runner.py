# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one way through every module of this collection:

    params -> desired state, validated before anything is looked at    Module.validate()
    libraries, the host lock (not in check mode), connections          Module.connect()
    observe (reads only) and plan (pure)                               Module.plan()
    refusals that depend on what is there: the plan's problems         -> fail, nothing changed
    the result with the diff; check mode stops here                    Module.result()
    ovs-vswitchd there when OVSDB must carry a change
    apply with undo (_engine), then read back what is really there     Module.steps(), Module.read_back()

A module supplies a subclass of Module (its own part) and calls run() with it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import atexit
import gc

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.netdevops.ovs_docker.plugins.module_utils import _ovsdb
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._common import ApplyError, host_lock
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._engine import apply_with_undo
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._netlink import NetlinkError


class Module(object):
    """One module's own part. Class attributes: ``argument_spec`` and ``module_kwargs`` (for
    AnsibleModule). Methods are called in the order run() shows; ``self.db`` is the OVSDB
    connection, if connect() made one."""

    argument_spec = {}
    module_kwargs = {}

    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.db = None

    def fail(self, msg, **kwargs):
        self.module.fail_json(msg=msg, **kwargs)

    def validate(self):
        """The desired state from the params, before anything is looked at -> [errors]."""
        raise NotImplementedError

    def connect(self):
        """Check the libraries and reach what the run needs (fail() when it cannot)."""
        raise NotImplementedError

    def plan(self):
        """Observe and plan -> [problems]; keeps what result() and steps() need."""
        raise NotImplementedError

    def result(self):
        """The module's result as planned: changed, the object(s) as they will be, the diff."""
        raise NotImplementedError

    def steps(self):
        """The engine's steps [(executor, Action)] to carry out the plan."""
        raise NotImplementedError

    def read_back(self):
        """The result's object(s) as they really are now."""
        raise NotImplementedError

    def needs_vswitchd(self):
        """Whether ovs-vswitchd must apply what the steps write to OVSDB."""
        return self.db is not None

    def planned(self, changed, before, after, **objects):
        """The usual result(): changed, the object(s) as planned, and the diff when asked for."""
        result = dict(changed=changed, **objects)
        if self.module._diff:
            result['diff'] = dict(before=before, after=after)
        return result

    def failure_prefix(self):
        """What an apply failure's message starts with: the object it is about."""
        return ''


def run(module_class):
    # At exit the interpreter collects every object once more, just before the process ends and
    # the system takes it all back: frozen first (atexit runs before it), they are skipped (10 ms
    # a run, most of it ansible.module_utils' own objects).
    atexit.register(gc.freeze)
    module = AnsibleModule(argument_spec=module_class.argument_spec, supports_check_mode=True,
                           **module_class.module_kwargs)
    own = module_class(module)
    errors = own.validate()
    if errors:
        module.fail_json(msg='; '.join(errors), errors=errors)
    host_lock(module)
    own.connect()
    try:
        problems = own.plan()
    except (NetlinkError, OSError) as exc:  # what observing may raise
        module.fail_json(msg='reading the current state failed: %s' % exc)
    if problems:
        module.fail_json(msg='; '.join(problems), errors=problems)
    result = own.result()
    if result['changed'] and not module.check_mode:
        if own.needs_vswitchd():
            _ovsdb.require_vswitchd(module, own.db)
        try:
            apply_with_undo(own.steps())
        except ApplyError as exc:
            # changed only if the undo left something behind; report what is there, not the plan
            result.update(own.read_back(), changed=bool(exc.undo_errors))
            module.fail_json(msg=exc.report(own.failure_prefix()), **result)
        if own.db is not None:
            try:
                own.db.settle()  # what a step left to ovs-vswitchd (a run's port removals)
            except _ovsdb.OvsdbError as exc:
                result.update(own.read_back())
                module.fail_json(msg='%s%s; the change is in OVSDB' % (own.failure_prefix(), exc), **result)
        result.update(own.read_back())
    module.exit_json(**result)
