# -*- coding: utf-8 -*-
# Copyright: kolla-glance contributors
# Apache License 2.0 (see LICENSE)
"""Action plugin for kolla.glance.merge_configs: kolla-ansible's INI merge.

Each source that exists on the controller is rendered as a template with
the task's variables, read as INI, and merged over the ones before it: a
key of a later source replaces the same key of the same section, and
sections and keys it adds are added. The result is written to ``dest`` on
the target by ansible.builtin.copy, so check mode, diff, ``mode`` and
``changed`` are copy's. Missing sources are skipped; the first one is the
role's template and must exist.

Only ActionBase parts that ansible-core's own template action uses are
called: ``run``, ``_task``, ``_loader``, ``_templar``, ``_connection``,
``_play_context``, ``_shared_loader_obj`` (its action_loader runs copy, as
template does), ``_remove_tmp_path``, and the public template lookup
renders the sources.

``--diff`` never shows a secret: copy's diff shows the whole file, so in it
the value of every key whose name says it holds one (password, secret, key,
token, transport_url, connection, credential) is replaced by ``<hidden
XXXXXXXX>``, XXXXXXXX being an HMAC of the value under a key drawn for the
task and never shown: a changed secret still shows as a changed line, and
nothing of it can be guessed. The other keys keep a useful diff. A task
with ``no_log`` gets no diff text at all.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import configparser
import hashlib
import hmac
import io
import os
import re
import secrets

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible.plugins.loader import lookup_loader

#: the arguments merge_configs takes; the others are copy's to pass on
OWN_ARGS = ("sources",)
COPY_ARGS = ("dest", "mode", "owner", "group")


# configparser's DEFAULT section lends its keys to every other section; an
# INI merge wants it as a section like the others, so no name is special.
_NO_DEFAULT_SECTION = "\x00"


def new_parser():
    """A case-preserving INI parser without interpolation or inheritance."""
    parser = configparser.RawConfigParser(strict=False, interpolation=None,
                                          default_section=_NO_DEFAULT_SECTION)
    parser.optionxform = str
    return parser


def merge(texts):
    """The INI text of [(name, text), ...] merged in order: a later key
    replaces the same key of the same section; sections come in first-seen
    order. Comments are not kept. A syntax error names its source."""
    merged = new_parser()
    for name, text in texts:
        parser = new_parser()
        try:
            parser.read_string(text, source=name)
        except configparser.Error as e:
            raise AnsibleActionFail("merge_configs: %s is not valid INI: %s" % (name, e))
        for section in parser.sections():
            if not merged.has_section(section):
                merged.add_section(section)
            for key, value in parser.items(section):
                merged.set(section, key, value)
    out = io.StringIO()
    merged.write(out)
    return out.getvalue()


#: key names whose values are hidden in a diff
SECRET_KEY = re.compile(r"(?i)(pass|secret|key|token|transport_url|connection|credential)")
_KEY_LINE = re.compile(r"^(\s*)([^\s=:#;\[][^=:]*?)(\s*[=:]\s*)(.*)$")


def hide_secrets(text, salt):
    """text (INI) with the value of every secret key replaced by <hidden
    HMAC>, continuation lines of such a value included."""
    out, hiding = [], False
    for line in text.splitlines(True):
        body = line.rstrip("\r\n")
        end = line[len(body):]
        if hiding and body[:1] in (" ", "\t") and body.strip():
            out.append(body[:len(body) - len(body.lstrip())] + "<hidden>" + end)
            continue
        hiding = False
        m = _KEY_LINE.match(body)
        if m and not body.startswith((" ", "\t")) and SECRET_KEY.search(m.group(2)) and m.group(4):
            mac = hmac.new(salt, m.group(4).encode("utf-8", "surrogateescape"), hashlib.sha256).hexdigest()[:8]
            out.append("%s%s%s<hidden %s>%s" % (m.group(1), m.group(2), m.group(3), mac, end))
            hiding = True
            continue
        out.append(line)
    return "".join(out)


def hide_in_diff(result, no_log):
    """copy's diff (a dict or a list of them) with no secret in it."""
    diffs = result.get("diff")
    if not diffs:
        return
    if no_log:
        result.pop("diff", None)
        return
    salt = secrets.token_bytes(32)
    for diff in diffs if isinstance(diffs, list) else [diffs]:
        if not isinstance(diff, dict):
            continue
        for side in ("before", "after"):
            if isinstance(diff.get(side), str):
                diff[side] = hide_secrets(diff[side], salt)


class ActionModule(ActionBase):
    # copy, which this plugin runs, makes (and removes) the remote temp dir
    # it needs; nothing is transferred before that.
    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(ActionModule, self).run(tmp, task_vars)
        args = self._task.args
        unknown = sorted(set(args) - set(OWN_ARGS) - set(COPY_ARGS))
        sources = args.get("sources")
        problems = []
        if unknown:
            problems.append("unsupported option(s) %s (merge_configs takes sources, dest, mode, owner, group)"
                            % ", ".join(unknown))
        if not isinstance(sources, list) or not sources or not all(isinstance(s, str) and s for s in sources):
            problems.append("sources must be a non-empty list of paths on the controller, got %r" % (sources,))
        if not isinstance(args.get("dest"), str) or not args.get("dest"):
            problems.append("dest must be a path on the target, got %r" % (args.get("dest"),))
        if problems:
            result.update(failed=True, changed=False, msg="merge_configs: " + "; ".join(problems))
            return result
        if not os.path.isfile(sources[0]):
            result.update(failed=True, changed=False,
                          msg="merge_configs: the first source, %s, does not exist on the controller" % sources[0])
            return result

        lookup = lookup_loader.get("ansible.builtin.template", loader=self._loader, templar=self._templar)
        found = [s for s in sources if os.path.isfile(s)]
        try:
            texts = [(s, lookup.run([s], variables=task_vars)[0]) for s in found]
            content = merge(texts)
        except AnsibleActionFail as e:
            result.update(failed=True, changed=False, msg=str(e))
            return result

        copy_task = self._task.copy()
        copy_task.args = dict((k, v) for k, v in args.items() if k in COPY_ARGS)
        copy_task.args["content"] = content
        copy_action = self._shared_loader_obj.action_loader.get(
            "ansible.legacy.copy", task=copy_task, connection=self._connection,
            play_context=self._play_context, loader=self._loader, templar=self._templar,
            shared_loader_obj=self._shared_loader_obj)
        try:
            result.update(copy_action.run(task_vars=task_vars))
            hide_in_diff(result, self._task.no_log)
        finally:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        result["sources"] = found
        return result
