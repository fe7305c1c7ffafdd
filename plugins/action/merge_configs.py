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
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import configparser
import io
import os

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
        finally:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        result["sources"] = found
        return result
