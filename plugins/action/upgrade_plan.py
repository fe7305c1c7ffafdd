# -*- coding: utf-8 -*-
# Apache License 2.0 (see LICENSE)
"""Action plugin for kolla.glance.upgrade_plan (a Go binary module)."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.kolla.glance.plugins.plugin_utils.binary_module import BinaryModuleAction


class ActionModule(BinaryModuleAction):
    MODULE = "upgrade_plan"
    COMPUTE_ONLY = True
