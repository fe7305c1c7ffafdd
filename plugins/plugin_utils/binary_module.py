# -*- coding: utf-8 -*-
# Copyright: kolla-glance contributors
# Apache License 2.0 (see LICENSE)
"""Shared controller-side glue for the collection's Go binary.

One action plugin per module subclasses BinaryModuleAction and names its
module. The base class:

* validates the task's arguments on the controller (argument_validation.py)
  so that an invalid task fails before anything is transferred, with every
  problem in one message;
* picks the binary built for the target's platform (gathered facts when
  present, ``uname -sm`` otherwise; names from platforms.txt) and fails
  clearly when there is none. One binary serves every module: the
  arguments name the module (``_kolla_glance_module``);
* runs it on the target from the target's binary cache (binary_cache.py):
  one remote command when the target already holds that exact binary;
* falls back to Ansible's normal module execution (``_execute_module``,
  which uploads the binary for the task and deletes it) for async tasks,
  with ANSIBLE_KEEP_REMOTE_FILES, with ``kolla_glance_binary_cache: false``
  and when the cache directory is not usable (with a warning saying why);
* for compute-only modules, runs the controller's binary locally instead
  (no transfer, no remote round trip) unless the variable
  ``kolla_glance_compute_on`` is ``target`` or the task is async;
* adds to a controller-side refusal of the arguments the structured
  ``problems`` (kind, option, path) the Go validator states for them, as a
  module's own refusal carries them.

The class defines only ``run``; everything else is a function of this
module taking the action, so no name of ours sits in ActionBase's private
namespace, where a later ansible-core method could collide with it.

It uses only the parts of ActionBase that ansible-core's own action plugins
use and that have kept their signatures from 2.14 to 2.22: ``run``,
``_execute_module``, ``_low_level_execute_command``, ``_remove_tmp_path``,
``get_shell_option``, ``_task``, ``_templar``, ``_connection``, and for the
cache the ones binary_cache.py lists. The controller and cache runs build
their ``_ansible_*`` keys and parse the module's output themselves
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
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.kolla.glance.plugins.plugin_utils import binary_cache, platforms
from ansible_collections.kolla.glance.plugins.plugin_utils.argument_validation import (
    COLLECTION, ArgumentError, plain, validate_args)

#: the argument that names the module the binary runs (ansible.ModuleKey in Go)
MODULE_KEY = "_kolla_glance_module"


def json_lines(stdout):
    """The lines of a remote command's stdout that hold the module's JSON
    object, without what a login script may print around it (Ansible's own
    module parsing drops such lines too), and whether anything followed it."""
    lines = stdout.splitlines()
    first = next((i for i, line in enumerate(lines) if line.lstrip().startswith("{")), None)
    last = next((i for i in range(len(lines) - 1, -1, -1) if lines[i].rstrip().endswith("}")), None)
    if first is None or last is None or last < first:
        return stdout, False
    return "\n".join(lines[first:last + 1]), any(line.strip() for line in lines[last + 1:])


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
    """Base of the per-module action plugins. Its only method is ActionBase's
    run; what it does is in the functions below, which take the action as
    their first argument: a name this class defined in ActionBase's private
    namespace could collide with a method a later ansible-core adds."""

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
            module_args = validate_args(self.MODULE, self._task.args)
            if compute_on_controller(self, task_vars):
                result.update(run_on_controller(self, module_args, task_vars))
                return result
            system, arch = target_platform(self, task_vars)
            name, binary = find_binary(self.MODULE, system, arch)
            cache_dir, why_not = binary_cache_dir(self, task_vars)
        except ArgumentError as e:
            # The module's own result for argument problems.
            self._remove_tmp_path(self._connection._shell.tmpdir)
            result.update(failed=True, changed=False, msg=str(e), argument_errors=e.problems)
            problems = controller_problems(self, task_vars, e.problems)
            if problems is not None:
                result["problems"] = problems
            return result
        except AnsibleActionFail as e:
            # Fail like a module does: failed and msg, no bogus traceback.
            self._remove_tmp_path(self._connection._shell.tmpdir)
            result.update(failed=True, changed=False, msg=str(e))
            return result
        wrap_async = bool(self._task.async_val) and not self._connection.has_native_async
        try:
            if cache_dir is not None:
                ran, why_not = binary_cache.run(self, binary, with_internal_args(self, module_args, task_vars), cache_dir)
                if ran is not None:
                    result.update(remote_result(ran))
                    return result
            args = dict(module_args)
            args[MODULE_KEY] = self.MODULE
            result.update(self._execute_module(module_name=name, module_args=args,
                                               task_vars=task_vars, wrap_async=wrap_async))
            if why_not:
                result.setdefault("warnings", []).append(
                    "%s.%s: the binary cache is not used, so the binary was uploaded for this task: %s. "
                    "Fix the directory, set kolla_glance_binary_cache_dir, or set kolla_glance_binary_cache: false."
                    % (COLLECTION, self.MODULE, why_not))
        finally:
            if not wrap_async:
                self._remove_tmp_path(self._connection._shell.tmpdir)
        return result


# -- where to run -----------------------------------------------------------

def compute_on_controller(action, task_vars):
    """Whether a compute-only module runs the controller's binary."""
    if not action.COMPUTE_ONLY or action._task.async_val:
        return False
    where = action._templar.template(task_vars.get("kolla_glance_compute_on", "controller"))
    if where not in ("controller", "target"):
        raise AnsibleActionFail("kolla_glance_compute_on must be 'controller' or 'target', got %r" % (where,))
    return where == "controller"


def target_platform(action, task_vars):
    """The target's system and architecture: its facts, else uname -sm."""
    facts = {} if action._task.delegate_to else task_vars.get("ansible_facts", {})
    system, arch = facts.get("system"), facts.get("architecture")
    if not (system and arch):
        res = action._low_level_execute_command("uname -sm", sudoable=False)
        if res.get("rc") != 0:
            raise AnsibleActionFail("cannot detect the target's platform with uname -sm: %s"
                                    % (res.get("stderr") or res.get("stdout") or "rc=%s" % res.get("rc")).strip())
        fields = res.get("stdout", "").split()
        if len(fields) != 2:
            raise AnsibleActionFail("cannot detect the target's platform: uname -sm printed %r" % res.get("stdout"))
        system, arch = fields
    return system, arch


def find_binary(module, system, arch):
    """Return the module name Ansible knows the binary built for a
    platform by, and its path."""
    binary = platforms.binary_name(system, arch)
    path = os.path.join(platforms.MODULES_DIR, binary)
    if not os.path.isfile(path):
        raise AnsibleActionFail(
            "%s.%s has no binary for %s/%s: %s is not in the collection's plugins/modules "
            "(built: %s). Build it with `make dist` (linux) or `make build` (this machine), "
            "or run the task on a linux x86_64 or aarch64 host."
            % (COLLECTION, module, system, arch, binary, ", ".join(platforms.built()) or "none"))
    return "%s.%s" % (COLLECTION, binary), path


# -- the target's binary cache ----------------------------------------------

def binary_cache_dir(action, task_vars):
    """(the cache directory to use, None) or (None, why the cache is not
    used) for this task; (None, None) when the cache is off, or the task
    needs Ansible's own path (async, kept remote files)."""
    on = action._templar.template(task_vars.get("kolla_glance_binary_cache", True))
    try:
        on = boolean(on, strict=True)
    except TypeError:
        raise AnsibleActionFail("kolla_glance_binary_cache must be a boolean, got %r" % (on,))
    if not on or action._task.async_val or C.DEFAULT_KEEP_REMOTE_FILES:
        return None, None
    path = task_vars.get("kolla_glance_binary_cache_dir")
    if path is None:
        remote_tmp = action.get_shell_option("remote_tmp", default="~/.ansible/tmp")
        path = "%s/%s" % (str(remote_tmp).rstrip("/"), binary_cache.DEFAULT_DIR_NAME)
    path = action._templar.template(path)
    if not isinstance(path, str) or not path.strip():
        raise AnsibleActionFail("kolla_glance_binary_cache_dir must be a path, got %r" % (path,))
    why_not = binary_cache.unusable_path(path)
    if why_not:
        return None, why_not
    return path.rstrip("/") or "/", None


def remote_result(res):
    """The module's result from a remote command's output."""
    text, junk_after = json_lines(res.get("stdout", ""))
    result = parse_module_output(text, res.get("stderr", ""), res.get("rc"))
    if junk_after and not result.get("failed"):
        result.setdefault("warnings", []).append("Module invocation had junk after the JSON data: %s"
                                                 % res.get("stdout", "").strip()[-200:])
    return result


# -- controller execution ---------------------------------------------------

def with_internal_args(action, module_args, task_vars):
    """The validated arguments plus the _ansible_* keys the Go SDK reads,
    from the task itself (what _execute_module would send), and the
    module's name for the binary: what the binary gets when it does not
    go through _execute_module (on the controller, or from the cache)."""
    args = dict(module_args)
    args.update({
        "_ansible_check_mode": bool(action._task.check_mode),
        "_ansible_diff": bool(action._task.diff),
        "_ansible_debug": bool(C.DEFAULT_DEBUG),
        "_ansible_verbosity": Display().verbosity,
        "_ansible_module_name": "%s.%s" % (COLLECTION, action.MODULE),
        MODULE_KEY: action.MODULE,
    })
    try:
        # 2.21+: whether modules return invocation (default false)
        args["_ansible_inject_invocation"] = bool(
            C.config.get_config_value("INJECT_INVOCATION", variables=task_vars))
    except Exception:  # older cores have no such setting: modules always return it
        pass
    return args


def run_binary(path, args):
    """Run a binary on the controller with args; its result."""
    workdir = tempfile.mkdtemp(prefix="kolla-glance-")
    try:
        args_path = os.path.join(workdir, "args")
        with open(args_path, "w") as f:
            json.dump(args, f)
        if not os.access(path, os.X_OK):
            # An installed collection may have lost the exec bit.
            copy = os.path.join(workdir, os.path.basename(path))
            shutil.copyfile(path, copy)
            os.chmod(copy, 0o700)
            path = copy
        proc = subprocess.run([path, args_path], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, cwd=workdir, check=False)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return parse_module_output(proc.stdout.decode("utf-8", "replace"),
                               proc.stderr.decode("utf-8", "replace"), proc.returncode)


def run_on_controller(action, module_args, task_vars):
    """Run the module's binary for the controller's platform."""
    path = find_binary(action.MODULE, platform.system(), platform.machine())[1]
    return run_binary(path, with_internal_args(action, module_args, task_vars))


def controller_problems(action, task_vars, argument_errors):
    """The structured problems (option, path, kind) of arguments the
    controller refused: the Go validator, run on the controller in check
    mode, states them; only when it finds as many problems (the parity test
    holds the two validators to the same problems; ansible-core's wording
    of a type varies by version), and None where the controller has no
    binary."""
    try:
        path = find_binary(action.MODULE, platform.system(), platform.machine())[1]
    except AnsibleActionFail:
        return None
    args = with_internal_args(action, plain(action._task.args), task_vars)
    args["_ansible_check_mode"] = True
    res = run_binary(path, args)
    problems = res.get("problems")
    if res.get("failed") and isinstance(problems, list) and len(problems) == len(argument_errors):
        return problems
    return None
