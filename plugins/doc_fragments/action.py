# -*- coding: utf-8 -*-
# Copyright: contributors to netdevops.ovs_docker
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """What every module of the collection is: run through its action plugin (plugin_utils/_action.py),
    with check mode that writes nothing (a module that says more overrides it), on Linux with OVS."""

    DOCUMENTATION = r'''
attributes:
  action:
    support: full
    description: Runs through the collection's action plugin, ansible's own C(normal) action with the controller's heap
      frozen for the task (ansible packs the module faster); nothing else runs on the controller.
  check_mode:
    support: full
    description: Reports what would change, with the same diff as a real run; writes nothing.
  platform:
    support: full
    platforms: posix
    description: Linux hosts with Open vSwitch.
'''
