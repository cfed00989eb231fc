# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one way through every module of this collection:

    params -> desired state, validated before anything is looked at    Module.validate()
    the host lock (not in check mode, not for a read-only module)
    libraries and connections                                          Module.connect()
    references resolved (a container to its namespace): refusals       Module.resolve() -> fail, nothing changed
    observe (reads only) and plan (pure): a Plan per object            Module.make_plans()
    refusals that depend on what is there: the plans' problems         -> fail, nothing changed
    the result with the diff; check mode stops here                    Module.result()
    ovs-vswitchd there when OVSDB must carry a change
    apply with undo (_engine), then read back what is really there     Module.steps(), Module.read_back()

A module supplies a subclass of Module (its own part; Batch for one object or a list of them)
and calls run() with it. A module of many domains (a topology's host part) is Staged: other
modules' parts, run in turn by that one flow each, with one lock, one undo and one result. The libraries
raise (_common.ModuleError); run() alone turns that into the module's failure.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import atexit
import gc

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.common import ApplyError, ModuleError, host_lock
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._core.engine import apply_with_undo, undo
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._system import ovsdb as _ovsdb
from ansible_collections.netdevops.ovs_docker.plugins.module_utils._system.netlink import NetlinkError


class Module(object):
    """One module's own part. Class attributes: ``argument_spec`` and ``module_kwargs`` (for
    AnsibleModule), ``read_only`` (a module that only reads: no lock, never changed). Methods are
    called in the order run() shows and raise ModuleError to fail; ``self.db`` is the OVSDB
    connection, if connect() made one; ``self.plans`` what make_plans() returned."""

    argument_spec = {}
    module_kwargs = {}
    read_only = False
    # a stage of a Staged run that neither reads nor writes OVSDB or links (containers through the
    # engine): what the stages before it left to ovs-vswitchd need not be applied before it runs
    quiet = False

    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.db = None
        self.plans = []

    def validate(self):
        """The desired state from the params, before anything is looked at -> [errors]."""
        raise NotImplementedError

    def connect(self):
        """Check the libraries and reach what the run needs (ModuleError when it cannot)."""
        raise NotImplementedError

    def resolve(self):
        """The task's references to what they name (a container to its namespace), read before
        anything is observed -> [refusals] (a container missing or stopped): the run fails with
        nothing changed. Most modules have none."""
        return []

    def make_plans(self):
        """Observe (reads only) and plan (pure) -> [_engine.Plan], one per object."""
        raise NotImplementedError

    def problems(self):
        """The refusals of the plans, each saying which object it is about."""
        return [self.prefix(plan.desired) + problem for plan in self.plans for problem in plan.problems]

    def prefix(self, desired):
        """What a message about one object starts with ('' when the task has one)."""
        return ''

    def result(self):
        """The module's result as planned: changed, the object(s) as they will be, the diff."""
        raise NotImplementedError

    def steps(self):
        """The engine's steps [(executor, Action)] to carry out the plans."""
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


class Batch(Module):
    """A module of one object, or of a list of them (ovs_bridge's bridges, the attachments): what
    is the same for all of them is here, the object's own part is in the subclass.

    Class attributes: ``one_key`` and ``list_key`` (the result keys of one object and of the list,
    as 'bridge' and 'bridges'; ``list_key`` None: a module of one object), ``noun`` (how messages name
    an object: 'bridge' gives "bridge br0: ..."). validate() sets ``self.many`` (a list was asked
    for) and ``self.desired``, each with its 'key'; make_plans() returns a Plan for each, in order.
    The subclass gives look(plan): the object's view as it is now."""

    one_key = None
    list_key = None
    noun = ''
    many = False

    def label(self, desired):
        """How messages name one object: 'bridge br0', 'ns1/eth0'."""
        return ('%s %s' % (self.noun, desired['key'])).strip()

    def prefix(self, desired):
        return '%s: ' % self.label(desired) if self.many else ''

    @staticmethod
    def twice(values, what):
        """The error when a list names an object more than once, or None."""
        repeated = sorted(set(str(v) for v in values if values.count(v) > 1))
        if repeated:
            return '%s lists %s more than once: give each once' % (what, ', '.join(repeated))
        return None

    def validate_named(self, specs, desired_state, more=None):
        """validate() of objects keyed by their name (bridges, VXLAN links): each spec through the
        domain's ``desired_state``, and ``more(desired, spec)`` (the module's own checks: a list of
        problems); each problem prefixed with its object's label; a name listed twice refused."""
        self.many = self.params[self.list_key] is not None
        self.desired, errors = [], []
        for spec in specs:
            desired, problems = desired_state(spec)
            desired['key'] = desired['name']
            self.desired.append(desired)
            errors.extend(self.prefix(desired) + e for e in problems + (more(desired, spec) if more else []))
        twice = self.twice([d['name'] for d in self.desired], self.list_key)
        return errors + ([twice] if twice else [])

    def shown(self, plan, view):
        """An object's view as the result shows it (a hook: ovs_bridge names a listed bridge)."""
        return view

    def objects(self, views):
        """The result's object(s): the list, or the one."""
        if self.many:
            return {self.list_key: views}
        return {self.one_key: views[0]}

    def changed(self):
        return any(plan.actions for plan in self.plans)

    def result(self):
        views = [self.shown(plan, plan.after) for plan in self.plans]
        if self.many:
            before = dict((plan.desired['key'], plan.before) for plan in self.plans)
            after = dict((plan.desired['key'], plan.after) for plan in self.plans)
        else:
            before, after = self.plans[0].before, self.plans[0].after
        return self.planned(self.changed(), before, after, **self.objects(views))

    def look(self, plan):
        """The object's view as it is now (read back after the apply)."""
        raise NotImplementedError

    def read_back(self):
        return self.objects([self.shown(plan, self.look(plan)) for plan in self.plans])

    def failure_prefix(self):
        return '' if self.many else '%s: ' % self.label(self.desired[0])


class Held(Batch):
    """A Batch whose steps a Staged run may hold for its end (the host part's networks and Linux
    bridges, removed once the containers went): with ``hold`` they are kept in ``held`` instead of
    run with the stage; ``leaving``, the containers the run removes (set by the Staged run). The
    subclass gives executor(); each object is shown with its name."""

    hold = False
    held = ()
    leaving = ()

    def executor(self):
        raise NotImplementedError

    def steps(self):
        executor = self.executor()
        steps = [(executor, action) for plan in self.plans for action in plan.actions]
        if self.hold:
            self.held, steps = steps, []
        return steps

    def shown(self, plan, view):
        return dict(view, name=plan.desired['name'])


class Invocation(object):
    """What a module's own part reads of an AnsibleModule, for a run that is not a play's task (the
    agent's replay, a stage of a Staged module)."""

    def __init__(self, params, check_mode=False, diff=False, warn=None):
        self.params, self.check_mode, self._diff = params, check_mode, diff
        self._warn = warn

    def warn(self, message):
        if self._warn is not None:
            self._warn(message)


def checked_params(module_class, params, what=''):
    """``params`` checked against the module's argument_spec, defaults filled in, as AnsibleModule
    does it -> the params; ModuleError naming what is wrong (``what`` starts the message)."""
    from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

    kwargs = dict((k, v) for k, v in module_class.module_kwargs.items()
                  if k in ('mutually_exclusive', 'required_together', 'required_one_of', 'required_if', 'required_by'))
    checked = ArgumentSpecValidator(module_class.argument_spec, **kwargs).validate(params)
    if checked.error_messages:
        raise ModuleError(what + '; '.join(checked.error_messages))
    return checked.validated_parameters


class Staged(Module):
    """A module made of other modules' parts, run one after another (a topology's host part: the
    bridges, then the containers, then what joins them, which can only be looked at once the
    containers are there). Each stage goes through validate (all of them first, before anything
    is read), connect, resolve, observe and plan, and is applied before the next is looked at;
    one lock for the run, and when a stage fails, every stage's changes are undone.

    The subclass gives parts() -> [(key, part)] (every stage's part as asked, validated first),
    stages(parts) (a generator of those to run, in order: it may look at the plans of those run
    before it, so that check mode leaves out what joins what it has not made), final_steps()
    (steps to run after every stage), and result(stages) / read_back(stages) over the stages run."""

    def validate(self):
        self.all_parts = self.parts()
        return [error for _key, part in self.all_parts for error in part.validate()]

    def connect(self):
        pass

    def final_steps(self):
        return []


def run(module_class, module=None):
    """Run the module whose own part is ``module_class`` (``module``: an AnsibleModule made
    already, as the unit tests give one)."""
    # At exit the interpreter collects every object once more, just before the process ends and
    # the system takes it all back: frozen first (atexit runs before it), they are skipped (10 ms
    # a run, most of it ansible.module_utils' own objects).
    atexit.register(gc.freeze)
    if module is None:
        module = AnsibleModule(argument_spec=module_class.argument_spec, supports_check_mode=True,
                               **module_class.module_kwargs)
    own = module_class(module)
    try:
        result = _run(own, module.check_mode)
    except ModuleError as exc:
        module.fail_json(msg=str(exc), **exc.extra)
    module.exit_json(**result)


def _run(own, check_mode):
    """The flow of the module docstring -> the result; ModuleError where the module fails."""
    if isinstance(own, Staged):
        return _run_staged(own, check_mode)
    errors = own.validate()
    if errors:
        raise ModuleError('; '.join(errors), errors=errors)
    if not (check_mode or own.read_only):
        host_lock()
    own.connect()
    try:
        problems = own.resolve()
        if problems:
            raise ModuleError('; '.join(problems), errors=problems)
        own.plans = own.make_plans()
    except (NetlinkError, OSError) as exc:  # what resolving and observing may raise
        raise ModuleError('reading the current state failed: %s' % exc)
    problems = own.problems()
    if problems:
        raise ModuleError('; '.join(problems), errors=problems)
    result = own.result()
    if own.read_only or not result['changed'] or check_mode:
        return result
    if own.needs_vswitchd():
        _ovsdb.require_vswitchd(own.db)
    try:
        apply_with_undo(own.steps())
    except ApplyError as exc:
        # changed only if the undo left something behind; report what is there, not the plan
        result.update(own.read_back(), changed=bool(exc.undo_errors))
        raise ModuleError(exc.report(own.failure_prefix()), **result)
    if own.db is not None:
        try:
            own.db.settle()  # what a step left to ovs-vswitchd (a run's port removals)
        except _ovsdb.OvsdbError as exc:
            result.update(own.read_back())
            raise ModuleError('%s%s; the change is in OVSDB' % (own.failure_prefix(), exc), **result)
    result.update(own.read_back())
    return result


def _plan_stage(part):
    """One stage's connect, resolve, observe and plan -> its planned result; ModuleError with its
    refusals."""
    part.connect()
    try:
        problems = part.resolve()
        if not problems:
            part.plans = part.make_plans()
            problems = part.problems()
    except (NetlinkError, OSError) as exc:
        problems = ['reading the current state failed: %s' % exc]
    if problems:
        raise ModuleError('; '.join(problems), errors=problems)
    return part.result()


def _apply_stage(part, done):
    """One stage's steps, added to ``done`` (ApplyError: all of ``done`` was undone). What it left
    to ovs-vswitchd (removals) is awaited by the caller: settle()."""
    if part.needs_vswitchd():
        _ovsdb.require_vswitchd(part.db)
    apply_with_undo(part.steps(), done)


def _settle(dbs):
    """Wait until ovs-vswitchd has applied what the stages of ``dbs`` left to it; empties it."""
    while dbs:
        dbs.pop(0).settle()


def _run_staged(own, check_mode):
    """A Staged module's flow (see Staged) -> the result; ModuleError where it fails, with what
    the stages run before it did undone."""
    errors = own.validate()
    if errors:
        raise ModuleError('; '.join(errors), errors=errors)
    if not check_mode:
        host_lock()
    done, run_, unsettled = [], [], []
    try:
        for key, part in own.stages(own.all_parts):
            if not part.quiet:
                _settle(unsettled)  # (a stage sees what the ones before it did, applied)
            result = _plan_stage(part)
            run_.append((key, part, result))
            if result['changed'] and not check_mode:
                _apply_stage(part, done)
                if part.db is not None:
                    unsettled.append(part.db)
        if not check_mode:
            apply_with_undo(own.final_steps(), done)
    except ApplyError as exc:
        raise ModuleError(exc.report(''), changed=bool(exc.undo_errors))
    except (ModuleError, _ovsdb.OvsdbError) as exc:
        if not done:
            if isinstance(exc, ModuleError):
                raise
            raise ModuleError(str(exc))
        # a later stage refused, or failed to read: what the earlier ones did is taken back
        undo_errors = undo(done)
        report = ApplyError(str(exc), undo_errors).report('')
        raise ModuleError(report, **dict(getattr(exc, 'extra', {}), changed=bool(undo_errors)))
    try:
        _settle(unsettled)  # (the last stages' removals: as a module's settle at its end, nothing is undone)
    except _ovsdb.OvsdbError as exc:
        raise ModuleError('%s; the change is in OVSDB' % exc, changed=True)
    result = own.result(run_)
    if check_mode or not result['changed']:
        return result
    result.update(own.read_back(run_))
    return result
