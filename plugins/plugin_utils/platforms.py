# -*- coding: utf-8 -*-
# Copyright: kolla-glance contributors
# Apache License 2.0 (see LICENSE)
"""The collection's binary names, read from platforms.txt: the one mapping
that the Makefile (make build, make dist) and the action plugins read, so
a binary `make build` names on any controller is the one the action plugins
look for (an arm64 macOS controller builds kolla_glance_darwin_aarch64 and
runs it)."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

PLATFORMS_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "platforms.txt")
MODULES_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "modules")


def load(path=PLATFORMS_FILE):
    """Return (binary name prefix, {arch spelling: arch in names}) from a
    platforms file."""
    name, arches = None, {}
    with open(path) as f:
        for line in f:
            fields = line.split("#", 1)[0].split()
            if not fields:
                continue
            if fields[0] == "name" and len(fields) == 2:
                name = fields[1]
            elif fields[0] == "arch" and len(fields) >= 3:
                # arch <name> <GOARCH> <spellings>...: GOARCH is not a spelling.
                for spelling in [fields[1]] + fields[3:]:
                    arches[spelling] = fields[1]
    if not name:
        raise ValueError("%s has no name line" % path)
    return name, arches


_NAME, _ARCHES = load()


def binary_name(system, arch):
    """The file name of the binary for a platform as uname -sm or the
    ansible_system and ansible_architecture facts spell it, e.g. Linux,
    arm64 -> kolla_glance_linux_aarch64."""
    return "%s_%s_%s" % (_NAME, system.lower(), _ARCHES.get(arch, arch))


def built(modules_dir=MODULES_DIR):
    """The binaries in the collection's plugins/modules, sorted."""
    prefix = _NAME + "_"
    try:
        return sorted(n for n in os.listdir(modules_dir) if n.startswith(prefix) and not n.endswith(".py"))
    except OSError:
        return []
