# -*- coding: utf-8 -*-
# Copyright: kolla-glance contributors
# Apache License 2.0 (see LICENSE)
"""A content-addressed cache of the collection's binary on each target.

Ansible's binary-module path uploads the whole binary (2.6 MB) for every
task: temp dir, PUT of the binary and of the args, chmod, run, rm. With the
cache, a task whose target already holds the binary is one remote command:

* ``command()`` renders a /bin/sh script that checks the cache directory (a
  real directory, owned by the user the command runs as (``test -O``), mode
  drwx------, in a parent nobody else can rename it out of), then checks the cached
  binary, named after its sha256, against the digest of the controller's
  copy, and only then runs it. The check and the run are one command. The
  digest comes from ``openssl dgst -sha256`` (SHA extensions: about half
  the time of coreutils' sha256sum on the 2.6 MB binary), or from
  ``sha256sum`` when openssl is missing or fails; a digest neither gives
  is a mismatch, so nothing unchecked ever runs.
* When the binary is missing or is not the controller's (truncated,
  replaced, wrong mode), the script prints a *miss* and runs nothing; the
  controller uploads the binary into the directory and a second command
  installs it (checks the upload's sha256, renames it to its digest), prunes
  all but the last ``KEEP`` versions and runs it: the sha256 is checked in
  the command that runs the binary either way.
* When the directory cannot be used, the script prints *unusable* and the
  reason, runs nothing and writes nothing; ``run()`` returns the reason and
  the action plugin falls back to the upload-and-delete path.

The module's arguments go to the binary on stdin ({"ANSIBLE_MODULE_ARGS":
...}, which the binary reads when it gets no args file) when the command
runs without become; with become they go in an args file in Ansible's own
temp dir, made readable to the become user as Ansible does for modules, and
the binary is copied into the become user's cache by the become user
itself. Nothing is ever written outside the cache directory, except
Ansible's own temp dir in the become case.

Only ActionBase parts that ansible-core's own action plugins use are
called: ``_low_level_execute_command``, ``_transfer_file``,
``_transfer_data``, ``_fixup_perms2`` (copy, script, uri),
``_compute_environment_string`` (script), ``_make_tmp_path``, ``_connection``.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import json
import os
import secrets
import shlex

MARKER = "kolla-glance-cache:"
#: versions kept in a cache directory: the newest installed ones
KEEP = 3
#: the directory's name under the remote temp root (remote_tmp) by default
DEFAULT_DIR_NAME = "kolla-glance-binaries"
#: the name of the binary's copy in Ansible's temp dir (become only)
_STAGED_NAME = "kolla_glance"

_digests = {}


def digest(path):
    """The sha256 (hex) of a local file, computed once per file version."""
    st = os.stat(path)
    key = (path, st.st_size, st.st_mtime_ns)
    if key not in _digests:
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        _digests[key] = h.hexdigest()
    return _digests[key]


def unusable_path(path):
    """Why a cache directory path cannot be used as it is, or None. The
    path is taken literally on the target (only a leading ~/ is expanded),
    so shell expansions are refused rather than mistaken for names."""
    for bad, what in (("$", "a $"), ("`", "a backquote"), ("\n", "a newline"), ("\x00", "a NUL byte")):
        if bad in path:
            return "the cache directory %r holds %s: set kolla_glance_binary_cache_dir to a plain path" % (path, what)
    return None


# The script. Each @NAME@ is replaced by a shell-quoted value (or, for @ENV@,
# by Ansible's environment prefix). `kg` reports to the controller and stops;
# every check runs before anything is written or run.
_PROLOGUE = r'''umask 077; set -f
kg() { printf '%s %s\n' @MARKER@ "$*"; exit 0; }
d=@DIR@
case $d in "~" | "~/"*) [ -n "$HOME" ] || kg unusable "HOME is not set"; d=$HOME${d#"~"} ;; esac
case $d in /*) ;; *) kg unusable "the cache directory $d is not an absolute path" ;; esac
if command -v openssl >/dev/null 2>&1; then
  digest_of() { openssl dgst -sha256 -r "$1" 2>/dev/null || sha256sum -- "$1"; }
else
  command -v sha256sum >/dev/null 2>&1 || kg unusable "neither openssl nor sha256sum is on the PATH"
  digest_of() { sha256sum -- "$1"; }
fi
f=$d/@SHA@
'''

# The directory's checks, before the cached binary is looked at. An install
# (the second command of a miss) does not repeat them: the first command
# made them as the same user, and in that user's directory, mode 0700, in a
# parent others cannot write, only that user or root can have changed
# anything since.
# One ls, run in the directory, lists it, its parent (`..`, the directory it
# could be renamed away in) and the cached file: in the C locale `.`, `..` and
# a hex name sort in that order, nine fields a line, so the warm path forks
# twice (ls, the digest) before the binary.
_DIRECTORY = r'''[ -e "$d" ] || [ -L "$d" ] || mkdir -p -- "$d" 2>/dev/null || kg unusable "cannot create $d"
[ -d "$d" ] && [ ! -L "$d" ] || kg unusable "$d is not a directory"
p=${d%/*}/
[ -O "$d" ] || { set -- $(ls -ldn -- "$d"); kg unusable "$d belongs to uid $3, not to the user running the command"; }
set -- $(cd -- "$d" 2>/dev/null && LC_ALL=C ls -ldn -- . .. @SHA@ 2>/dev/null)
[ "$#" -ge 18 ] && [ "$9" = . ] && [ "${18}" = .. ] || { set -- $(ls -ldn -- "$d"); kg unusable "cannot list $d (mode $1) and its parent"; }
case $1 in drwx------ | drwx------.) ;; *) kg unusable "$d has mode $1, not drwx------" ;; esac
[ -O "$p" ] || [ "${12}" = 0 ] || kg unusable "its parent $p belongs to uid ${12}"
case ${10} in ?????w????* | ????????w?*) case ${10} in ?????????[tT]*) ;; *) kg unusable "its parent $p has mode ${10}: others can replace $d" ;; esac ;; esac
'''

_INSTALL = r'''t=$d/.up-@TOKEN@
src=@SRC@
if [ -n "$src" ]; then { [ ! -e "$t" ] && [ ! -L "$t" ] && cp -- "$src" "$t"; } || kg unusable "cannot copy the upload into $d"; fi
[ -f "$t" ] && [ ! -L "$t" ] || kg unusable "the upload $t is not a regular file"
chmod 700 -- "$t" || kg unusable "cannot chmod $t"
set -- $(digest_of "$t")
[ "$1" = @SHA@ ] || { rm -f -- "$t"; kg unusable "the upload's sha256 is $1, not @SHA@"; }
[ ! -d "$f" ] || [ -L "$f" ] || { rm -f -- "$t"; kg unusable "$f is a directory"; }
mv -f -- "$t" "$f" || { rm -f -- "$t"; kg unusable "cannot rename the upload to $f"; }
set +f; set -- "$d"/@HEX64@; o=$#; set -- "$d"/.up-*; set -f
if [ "$o" -gt @KEEP@ ]; then n=0; for x in $(ls -t -- "$d"); do case $x in @HEX64@) n=$((n + 1)); [ "$n" -le @KEEP@ ] || [ "$x" = @SHA@ ] || rm -f -- "$d/$x" ;; esac; done; fi
[ ! -e "$1" ] || find "$d/." ! -name . -prune -name '.up-*' -type f -mtime +0 -exec rm -f -- {} + 2>/dev/null
'''

# The cached binary's checks; after an install, the upload's own checks
# above stand for them (the file was just made, checked and renamed here).
_CHECK = r'''[ -f "$f" ] && [ ! -L "$f" ] && [ -O "$f" ] || kg miss "$d"
case ${19} in -rwx------ | -rwx------.) ;; *) kg miss "$d" ;; esac
set -- $(digest_of "$f")
[ "$1" = @SHA@ ] || kg miss "$d"
'''

_RUN = r'''@ENV@ "$f"@ARGS@'''


def command(cache_dir, sha, env="", args_path=None, upload=None, keep=KEEP):
    """The /bin/sh command that runs the binary whose sha256 is sha from
    cache_dir. upload, when given, is (staged source or None, token): the
    controller uploaded the binary to <cache_dir>/.up-<token>, or to the
    staged source path (become), and the command installs it first.
    args_path None: the arguments come on stdin."""
    q = shlex.quote
    script = _PROLOGUE
    if upload is None:
        script += _DIRECTORY + _CHECK
    else:
        src, token = upload
        script += _INSTALL.replace("@TOKEN@", q(token)).replace("@SRC@", q(src or ""))
    script += _RUN
    values = {
        "@MARKER@": q(MARKER), "@DIR@": q(cache_dir), "@SHA@": q(sha), "@KEEP@": str(int(keep)),
        "@HEX64@": "[0-9a-f]" * 64, "@ENV@": env or "",
        "@ARGS@": "" if args_path is None else " " + q(args_path),
    }
    for key, value in values.items():
        script = script.replace(key, value)
    return script


def outcome(stdout):
    """(kind, detail) when the command reported instead of running the
    binary: ("miss", the cache directory) or ("unusable", why); None when
    the binary ran."""
    for line in stdout.splitlines():
        if line.startswith(MARKER + " "):
            kind, _, detail = line[len(MARKER) + 1:].partition(" ")
            return kind, detail
    return None


def run(action, binary, args, cache_dir):
    """Run the local binary on the action's target from the cache, with
    args. Return (the command's result, None) when the binary ran, or
    (None, why) when the cache cannot be used and the caller must fall
    back to uploading the binary for this task."""
    sha = digest(binary)
    env = action._compute_environment_string()
    conn = action._connection
    in_data = args_path = tmpdir = None
    if conn.has_pipelining and not conn.become:
        in_data = json.dumps({"ANSIBLE_MODULE_ARGS": args}).encode("utf-8")
    else:
        tmpdir = conn._shell.tmpdir or action._make_tmp_path()
        args_path = conn._shell.join_path(tmpdir, "args")
        action._transfer_data(args_path, json.dumps(args))
        action._fixup_perms2([tmpdir, args_path], execute=False)

    res = action._low_level_execute_command(command(cache_dir, sha, env, args_path), sudoable=True, in_data=in_data)
    reported = outcome(res.get("stdout", ""))
    if reported is None:
        return res, None
    kind, detail = reported
    if kind != "miss":
        return None, detail

    token = secrets.token_hex(8)
    if tmpdir is None:
        # The directory the command checked and reported: the login user's.
        action._transfer_file(binary, "%s/.up-%s" % (detail.rstrip("/"), token))
        upload = (None, token)
    else:
        staged = conn._shell.join_path(tmpdir, _STAGED_NAME)
        action._transfer_file(binary, staged)
        action._fixup_perms2([staged], execute=False)
        upload = (staged, token)
    res = action._low_level_execute_command(command(cache_dir, sha, env, args_path, upload),
                                            sudoable=True, in_data=in_data)
    reported = outcome(res.get("stdout", ""))
    if reported is None:
        return res, None
    return None, "%s (after uploading the binary)" % reported[1]
