# -*- coding: utf-8 -*-
# Copyright: kolla-glance contributors
# Apache License 2.0 (see LICENSE)
"""Shared controller-side glue for the collection's Go binary modules.

One action plugin per module subclasses BinaryModuleAction and names its
module. The base class:

* validates the task's arguments on the controller against the argument
  spec generated from the module's Go declaration (argument_specs.py), so an
  invalid task fails before anything is transferred, with every problem in
  one message;
* picks the binary built for the target's platform (gathered facts when
  present, ``uname -sm`` otherwise) and fails clearly when there is none;
* runs it through Ansible's normal module execution, with check mode and
  async support, and removes the remote temp dir afterwards;
* for compute-only modules, runs the controller's binary locally instead
  (no transfer, no remote round trip) unless the variable
  ``kolla_glance_compute_on`` is ``target`` or the task is async.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import platform
import shutil
import subprocess
import tempfile

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values
from ansible.module_utils.errors import NoLogError, UnsupportedError
from ansible.module_utils.six import string_types
from ansible.plugins.action import ActionBase

from ansible_collections.kolla.glance.plugins.plugin_utils.argument_specs import ARGUMENT_SPECS

COLLECTION = "kolla.glance"

# uname -m / ansible_architecture spellings -> the suffix of the built binary.
_ARCH_ALIASES = {"amd64": "x86_64", "x86_64": "x86_64", "arm64": "aarch64", "aarch64": "aarch64"}


def _strict_str(value):
    """str as the Go modules coerce it: numbers convert, everything else that
    is not a string (booleans, lists, dicts) is refused instead of being
    turned into its Python repr."""
    if isinstance(value, string_types):
        if u"\x00" in value:
            raise TypeError("the value contains a NUL byte")
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise TypeError("'%r' is not a string and conversion is not allowed" % (value,))


_strict_str.__name__ = "str"


def _strict_int(value):
    """int without Python's bool-is-an-int quirk, as the Go modules do."""
    if isinstance(value, bool):
        raise TypeError("%s cannot be converted to an int" % type(value))
    if isinstance(value, int):
        return value
    if isinstance(value, string_types):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise TypeError("%s cannot be converted to an int" % type(value))


_strict_int.__name__ = "int"

# 'path' is not expanded on the controller: ~ and $VARS belong to the target,
# where the module expands them.
_TYPE_OVERRIDES = {"str": _strict_str, "path": _strict_str, "int": _strict_int}


def controller_spec(spec):
    """Return a copy of a generated option spec with the Go modules' type
    rules, for ArgumentSpecValidator."""
    out = {}
    for name, option in spec.items():
        option = dict(option)
        for key in ("type", "elements"):
            if option.get(key) in _TYPE_OVERRIDES:
                option[key] = _TYPE_OVERRIDES[option[key]]
        if "options" in option:
            option["options"] = controller_spec(option["options"])
        out[name] = option
    return out


def _format_errors(messages):
    if len(messages) == 1:
        return messages[0]
    return "%d problems with the arguments: %s" % (len(messages), "; ".join(messages))


def _plain(value):
    """Strip Ansible's YAML and unsafe wrappers (AnsibleUnicode, ...) so that
    type errors name plain Python types, as the modules do."""
    if isinstance(value, dict):
        return dict((_plain(k), _plain(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, string_types):
        return str(value)
    return value


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
        generated = ARGUMENT_SPECS[self.MODULE]
        kwargs = dict((k, v) for k, v in generated.items() if k != "argument_spec")
        validator = ArgumentSpecValidator(controller_spec(generated["argument_spec"]), **kwargs)
        validation = validator.validate(_plain(self._task.args))
        messages = []
        errors = list(validation.errors)
        for error in errors:
            if isinstance(error, NoLogError) and len(errors) > 1:
                # 2.14 adds a second, option-less error for a malformed
                # sub-spec value; the type error already names the option.
                continue
            msg = str(error)
            if isinstance(error, UnsupportedError):
                msg = "Unsupported parameters for (%s.%s) module: %s" % (COLLECTION, self.MODULE, msg)
            messages.append(msg)
        if messages:
            # A secret echoed in a type error is masked, as the modules do.
            raise AnsibleActionFail(remove_values(_format_errors(messages), validation._no_log_values))
        return validation.validated_parameters

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
        name = "%s.%s_%s" % (COLLECTION, self.MODULE, suffix)
        found = self._shared_loader_obj.module_loader.find_plugin_with_context(name)
        if not found.resolved:
            raise AnsibleActionFail(
                "%s.%s has no binary for %s/%s: %s_%s is not in the collection's plugins/modules "
                "(built: %s). Build it with `make dist`, or run the task on a linux x86_64 or aarch64 host."
                % (COLLECTION, self.MODULE, system, arch, self.MODULE, suffix, ", ".join(self._built()) or "none"))
        return name, found.plugin_resolved_path

    def _built(self):
        modules_dir = os.path.join(os.path.dirname(os.path.dirname(__file__)), "modules")
        prefix = self.MODULE + "_"
        try:
            return sorted(n for n in os.listdir(modules_dir) if n.startswith(prefix) and not n.endswith(".py"))
        except OSError:
            return []

    # -- controller execution ---------------------------------------------

    def _run_on_controller(self, module_args, task_vars):
        name, path = self._find_binary(platform.system(), platform.machine())
        args = dict(module_args)
        self._update_module_args(name, args, task_vars)  # adds the _ansible_* keys in place
        args["_ansible_tmpdir"] = None
        args["_ansible_remote_tmp"] = tempfile.gettempdir()
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
        data = self._parse_returned_data({
            "stdout": proc.stdout.decode("utf-8", "replace"),
            "stderr": proc.stderr.decode("utf-8", "replace"),
            "rc": proc.returncode,
        })
        return dict((k, v) for k, v in data.items() if not k.startswith("_ansible_"))
