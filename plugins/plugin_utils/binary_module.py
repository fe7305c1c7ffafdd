# -*- coding: utf-8 -*-
# Copyright: kolla-glance contributors
# Apache License 2.0 (see LICENSE)
"""Shared controller-side glue for the collection's Go binary modules.

One action plugin per module subclasses BinaryModuleAction and names its
module. The base class:

* validates the task's arguments on the controller (argument_validation.py)
  so that an invalid task fails before anything is transferred, with every
  problem in one message;
* picks the binary built for the target's platform (gathered facts when
  present, ``uname -sm`` otherwise) and fails clearly when there is none;
* runs it through Ansible's normal module execution (``_execute_module``),
  with check mode and async support, and removes the remote temp dir;
* for compute-only modules, runs the controller's binary locally instead
  (no transfer, no remote round trip) unless the variable
  ``kolla_glance_compute_on`` is ``target`` or the task is async.

It uses only the parts of ActionBase that ansible-core's own action plugins
use and that have kept their signatures from 2.14 to 2.22: ``run``,
``_execute_module``, ``_low_level_execute_command``, ``_remove_tmp_path``,
``_task``, ``_templar``, ``_connection``. The controller run builds its
``_ansible_*`` keys and parses the module's output itself
(docs/decisions.md, "ansible-core 2.14 to 2.22").
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import platform
import shutil
import subprocess
import tempfile

from ansible import constants as C
from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible.release import __version__ as ANSIBLE_VERSION
from ansible.utils.display import Display

from ansible_collections.kolla.glance.plugins.plugin_utils.argument_validation import (
    COLLECTION, ArgumentError, validate_args)

# uname -m / ansible_architecture spellings -> the suffix of the built binary.
_ARCH_ALIASES = {"amd64": "x86_64", "x86_64": "x86_64", "arm64": "aarch64", "aarch64": "aarch64"}
_MODULES_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "modules")


def parse_module_output(stdout, stderr, rc):
    """The result of a module run: its one JSON object, or a failure that
    carries what it printed (as Ansible reports a module it cannot parse)."""
    try:
        data = json.loads(stdout)
        if not isinstance(data, dict):
            raise ValueError("the module printed a JSON %s, not an object" % type(data).__name__)
    except ValueError as e:
        return {"failed": True, "changed": False,
                "msg": "MODULE FAILURE: the module's output is not one JSON object (%s). "
                       "See stdout/stderr for the exact error" % e,
                "module_stdout": stdout, "module_stderr": stderr, "rc": rc}
    return dict((k, v) for k, v in data.items() if not k.startswith("_ansible_"))


class BinaryModuleAction(ActionBase):
    """Base of the per-module action plugins."""

    #: short module name, e.g. "backends"
    MODULE = None
    #: True for modules that only compute from their arguments
    COMPUTE_ONLY = False

    # False: a compute-only module run on the controller needs no remote
    # temp dir; _execute_module still makes one when the binary runs on the
    # target.
    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        # 2.14 sets these on the instance in ActionBase.__init__, so a class
        # attribute would be shadowed there.
        self._supports_check_mode = True
        self._supports_async = True
        task_vars = task_vars or {}
        result = super(BinaryModuleAction, self).run(tmp, task_vars)
        try:
            module_args = self._validate()
            if self._compute_on_controller(task_vars):
                result.update(self._run_on_controller(module_args, task_vars))
                return result
            system, arch = self._target_platform(task_vars)
            binary = self._find_binary(system, arch)[0]
        except ArgumentError as e:
            # The module's own result for argument problems.
            self._remove_tmp_path(self._connection._shell.tmpdir)
            result.update(failed=True, changed=False, msg=str(e), argument_errors=e.problems)
            return result
        except AnsibleActionFail as e:
            # Fail like a module does: failed and msg, no bogus traceback.
            self._remove_tmp_path(self._connection._shell.tmpdir)
            result.update(failed=True, changed=False, msg=str(e))
            return result
        wrap_async = bool(self._task.async_val) and not self._connection.has_native_async
        try:
            result.update(self._execute_module(module_name=binary, module_args=module_args,
                                               task_vars=task_vars, wrap_async=wrap_async))
        finally:
            if not wrap_async:
                self._remove_tmp_path(self._connection._shell.tmpdir)
        return result

    # -- validation -------------------------------------------------------

    def _validate(self):
        return validate_args(self.MODULE, self._task.args)

    # -- where to run -----------------------------------------------------

    def _compute_on_controller(self, task_vars):
        if not self.COMPUTE_ONLY or self._task.async_val:
            return False
        where = self._templar.template(task_vars.get("kolla_glance_compute_on", "controller"))
        if where not in ("controller", "target"):
            raise AnsibleActionFail("kolla_glance_compute_on must be 'controller' or 'target', got %r" % (where,))
        return where == "controller"

    def _target_platform(self, task_vars):
        facts = {} if self._task.delegate_to else task_vars.get("ansible_facts", {})
        system, arch = facts.get("system"), facts.get("architecture")
        if not (system and arch):
            res = self._low_level_execute_command("uname -sm", sudoable=False)
            if res.get("rc") != 0:
                raise AnsibleActionFail("cannot detect the target's platform with uname -sm: %s"
                                        % (res.get("stderr") or res.get("stdout") or "rc=%s" % res.get("rc")).strip())
            fields = res.get("stdout", "").split()
            if len(fields) != 2:
                raise AnsibleActionFail("cannot detect the target's platform: uname -sm printed %r" % res.get("stdout"))
            system, arch = fields
        return system, arch

    def _find_binary(self, system, arch):
        """Return the module name and path of the binary built for a platform."""
        suffix = "%s_%s" % (system.lower(), _ARCH_ALIASES.get(arch, arch))
        path = os.path.join(_MODULES_DIR, "%s_%s" % (self.MODULE, suffix))
        if not os.path.isfile(path):
            raise AnsibleActionFail(
                "%s.%s has no binary for %s/%s: %s_%s is not in the collection's plugins/modules "
                "(built: %s). Build it with `make dist`, or run the task on a linux x86_64 or aarch64 host."
                % (COLLECTION, self.MODULE, system, arch, self.MODULE, suffix, ", ".join(self._built()) or "none"))
        return "%s.%s_%s" % (COLLECTION, self.MODULE, suffix), path

    def _built(self):
        prefix = self.MODULE + "_"
        try:
            return sorted(n for n in os.listdir(_MODULES_DIR) if n.startswith(prefix) and not n.endswith(".py"))
        except OSError:
            return []

    # -- controller execution ---------------------------------------------

    def _internal_args(self, name, task_vars):
        """The _ansible_* keys the Go SDK reads, from the task itself: what
        _execute_module would send, for a run with no remote temp dir."""
        args = {
            "_ansible_check_mode": bool(self._task.check_mode),
            "_ansible_diff": bool(self._task.diff),
            "_ansible_no_log": bool(self._task.no_log),
            "_ansible_debug": bool(C.DEFAULT_DEBUG),
            "_ansible_verbosity": Display().verbosity,
            "_ansible_version": ANSIBLE_VERSION,
            "_ansible_module_name": name,
            "_ansible_keep_remote_files": False,
            "_ansible_tmpdir": None,
            "_ansible_remote_tmp": tempfile.gettempdir(),
        }
        try:
            # 2.21+: whether modules return invocation (default false)
            args["_ansible_inject_invocation"] = bool(
                C.config.get_config_value("INJECT_INVOCATION", variables=task_vars))
        except Exception:  # older cores have no such setting: modules always return it
            pass
        return args

    def _run_on_controller(self, module_args, task_vars):
        name, path = self._find_binary(platform.system(), platform.machine())
        args = dict(module_args)
        args.update(self._internal_args(name, task_vars))
        workdir = tempfile.mkdtemp(prefix="kolla-glance-")
        try:
            args_path = os.path.join(workdir, "args")
            with open(args_path, "w") as f:
                json.dump(args, f)
            if not os.access(path, os.X_OK):
                # An installed collection may have lost the exec bit.
                copy = os.path.join(workdir, self.MODULE)
                shutil.copyfile(path, copy)
                os.chmod(copy, 0o700)
                path = copy
            proc = subprocess.run([path, args_path], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, cwd=workdir, check=False)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        return parse_module_output(proc.stdout.decode("utf-8", "replace"),
                                   proc.stderr.decode("utf-8", "replace"), proc.returncode)
