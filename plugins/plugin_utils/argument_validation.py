# -*- coding: utf-8 -*-
# Copyright: kolla-glance contributors
# Apache License 2.0 (see LICENSE)
"""Controller-side argument validation for the Go binary modules.

``validate_args(module, args)`` checks a task's arguments against the spec
generated from the module's Go declaration (argument_specs.py) with
ansible-core's public ArgumentSpecValidator and the Go modules' type rules,
so that the controller and the module give the same verdict on the same
input (tests/parity runs one corpus through both). Nothing here touches
ActionBase: it is plain data in, plain data out, and the parity test calls
it directly.

Public ansible-core interfaces only (stable since 2.11):
ansible.module_utils.common.arg_spec.ArgumentSpecValidator and the error
classes of ansible.module_utils.errors. The no_log values are collected
from the generated spec here, not read from the validator's internals.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.errors import NoLogError, UnsupportedError

from ansible_collections.kolla.glance.plugins.plugin_utils.argument_specs import ARGUMENT_SPECS

COLLECTION = "kolla.glance"
NO_LOG_VALUE = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
NO_LOG_MASK = "********"


class ArgumentError(Exception):
    """The task's arguments are invalid; str() is the message and
    ``problems`` each problem's text, secrets masked."""

    def __init__(self, problems):
        self.problems = problems
        super(ArgumentError, self).__init__(format_errors(problems))


def _strict_str(value):
    """str as the Go modules coerce it: numbers convert, everything else that
    is not a string (booleans, lists, dicts) is refused instead of being
    turned into its Python repr."""
    if isinstance(value, str):
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
    if isinstance(value, str):
        try:
            value = int(value.strip())
        except ValueError:
            raise TypeError("%s cannot be converted to an int" % type(value))
    if not isinstance(value, int):
        raise TypeError("%s cannot be converted to an int" % type(value))
    if not _INT64_MIN <= value <= _INT64_MAX:
        raise TypeError("%d is out of range for a 64-bit int" % value)
    return value


_strict_int.__name__ = "int"
_INT64_MIN, _INT64_MAX = -(2 ** 63), 2 ** 63 - 1


def _boolean_lists(spec, args, path=""):
    """Pop every list option (or sub-option) whose value is a boolean and
    return the errors the Go modules give for it: ansible-core's list check
    turns True into ["True"], the modules refuse it (ArgumentSpecValidator
    takes no callable for 'list', whose elements and sub-options it
    handles by name)."""
    errors = []
    if not isinstance(args, dict):
        return errors
    for name, option in spec.items():
        for key in [name] + list(option.get("aliases", [])):
            value = args.get(key)
            if option.get("type") == "list" and isinstance(value, bool):
                args.pop(key)
                errors.append("argument '%s%s' is of type %s and we were unable to convert to list: "
                              "%s cannot be converted to a list" % (path, key, type(value), type(value)))
            elif "options" in option:
                for item in value if isinstance(value, list) else [value]:
                    errors.extend(_boolean_lists(option["options"], item, "%s%s." % (path, key)))
    return errors

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


def plain(value):
    """Plain Python data from whatever the task's templating produced
    (2.14's AnsibleUnicode, 2.19's tagged str/int/dict/list): exact str,
    int, float, bool, list and dict, so that type errors name plain types and
    json.dumps writes what the module would get from Ansible."""
    if isinstance(value, dict):
        return dict((plain(k), plain(v)) for k, v in value.items())
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return value


def _leaves(value, into):
    if isinstance(value, dict):
        for v in value.values():
            _leaves(v, into)
    elif isinstance(value, (list, tuple)):
        for v in value:
            _leaves(v, into)
    elif value is None or isinstance(value, bool):
        return
    elif isinstance(value, str):
        if value:
            into.add(value)
    elif isinstance(value, (int, float)):
        into.add(str(value))


def drop_nulls(spec, args):
    """args without the options (and sub-options) whose value is null: a
    null option counts as not given, as the Go SDK counts it, so that a
    default applies and a required option is missing (ArgumentSpecValidator
    alone would pass ``api_hosts: null`` on and the module would refuse it)."""
    if not isinstance(args, dict):
        return args
    names = {}
    for name, option in spec.items():
        for key in [name] + list(option.get("aliases", [])):
            names[key] = option
    out = {}
    for key, value in args.items():
        option = names.get(key)
        if option is None:
            out[key] = value
        elif value is None:
            continue
        elif "options" in option and isinstance(value, list):
            out[key] = [drop_nulls(option["options"], v) for v in value]
        elif "options" in option:
            out[key] = drop_nulls(option["options"], value)
        else:
            out[key] = value
    return out


def no_log_values(spec, params, into=None):
    """Every leaf value of a no_log option (or sub-option, by name or alias)
    in params: what must never be shown."""
    into = set() if into is None else into
    if not isinstance(params, dict):
        return into
    for name, option in spec.items():
        for key in [name] + list(option.get("aliases", [])):
            value = params.get(key)
            if value is None:
                continue
            if option.get("no_log"):
                _leaves(value, into)
            elif "options" in option:
                for item in value if isinstance(value, list) else [value]:
                    no_log_values(option["options"], item, into)
    return into


def mask(text, secrets):
    """text with every secret masked as Ansible masks no_log values."""
    if text in secrets:
        return NO_LOG_VALUE
    for secret in sorted(secrets, key=lambda s: (-len(s), s)):
        text = text.replace(secret, NO_LOG_MASK)
    return text


def format_errors(messages):
    """One problem as itself, several numbered on one line (the messages
    hold semicolons): internal/problem.RenderArguments renders the Go
    modules' problems the same way."""
    if len(messages) == 1:
        return messages[0]
    return "%d problems with the arguments: %s" % (
        len(messages), "; ".join("(%d) %s" % (i + 1, m) for i, m in enumerate(messages)))


def validate_args(module, args):
    """Return the validated arguments (coerced, aliases resolved, defaults
    filled) of a task of kolla.glance.<module>, or raise ArgumentError with
    every problem in one message, secrets masked."""
    generated = ARGUMENT_SPECS[module]
    spec = generated["argument_spec"]
    kwargs = dict((k, v) for k, v in generated.items() if k != "argument_spec")
    args = drop_nulls(spec, plain(args))
    messages = _boolean_lists(spec, args)
    try:
        validation = ArgumentSpecValidator(controller_spec(spec), **kwargs).validate(args)
    except (TypeError, ValueError) as e:
        # ansible-core's validator itself fails on some shapes (2.14: a list
        # with a number for an option with choices); the module refuses them.
        raise ArgumentError([mask("invalid arguments: %s" % e, no_log_values(spec, args))])
    errors = list(validation.errors)
    for error in errors:
        if isinstance(error, NoLogError) and len(errors) > 1:
            # 2.14 adds a second, option-less error for a malformed
            # sub-spec value; the type error already names the option.
            continue
        msg = str(error)
        if isinstance(error, UnsupportedError):
            msg = "Unsupported parameters for (%s.%s) module: %s" % (COLLECTION, module, msg)
        messages.append(msg)
    if messages:
        secrets = no_log_values(spec, args)
        raise ArgumentError([mask(m, secrets) for m in messages])
    return validation.validated_parameters
