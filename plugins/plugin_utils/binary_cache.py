# -*- coding: utf-8 -*-
# Copyright: kolla-glance contributors
# Apache License 2.0 (see LICENSE)
"""A content-addressed cache of the collection's binary on each target.

Ansible's binary-module path uploads the whole binary (2.6 MB) for every
task: temp dir, PUT of the binary and of the args, chmod, run, rm. With the
cache, a task whose target already holds the binary is one remote command:

* ``command()`` renders a /bin/sh script that enters the cache directory (a
  real directory, owned by the user the command runs as (``test -O``), mode
  drwx------), checks every directory from / to it (root's or the user's,
  writable by no one else; see the comment above _CHECKS), opens the cached
  binary, named after its sha256, checks the digest of what it opened
  against the controller's copy, and runs that same descriptor. The check
  and the run are one command. The
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


# The script: constant text that reads every value from the shell variables
# its first line sets, each quoted once by command(); no value is ever pasted
# into the text, so none can be read as shell or as another value. `kg`
# reports to the controller and stops; every check runs before anything is
# written or run (docs/decisions.md, "Who the binary cache trusts").
#
# * The shell enters the cache directory (cd -P): every later name is looked
#   up in that one directory, whatever happens to its path afterwards. It
#   must be the user's own (test -O on `.`), drwx------.
# * Every directory above it, from /, on its physical path, and on the path
#   as given when that differs, is root's or the user's and no one else can
#   write it: a sticky one (such as /tmp) only above the parent, never as the
#   parent. A link on the way is accepted only on the path as given, when it
#   is root's or the user's (its target is on the physical path, checked).
# * One ls lists ., .., every directory above and the cached file: in the C
#   locale they sort in that order (a path sorts before the longer ones it
#   starts, `.` before `/`, `/` before a hex digit). So a warm task forks
#   twice (ls, the digest) before the binary, as before these checks.
# * The binary is opened once (fd 3); the digest is of what that descriptor
#   holds (/proc/self/fd/3 opens its inode again), and what runs is that
#   descriptor: never a name looked up again.
_CHECKS = r'''kg() { printf '%s %s\n' "$M" "$*"; exit 0; }
nl='
'
o=$PWD
case $d in "~" | "~/"*) [ -n "$HOME" ] || kg unusable "HOME is not set"; d=$HOME${d#"~"} ;; esac
case $d in /*) ;; *) kg unusable "the cache directory $d is not an absolute path" ;; esac
while :; do case $d in ?*/) d=${d%/} ;; *) break ;; esac; done
[ "$d" != / ] || kg unusable "the cache directory cannot be /"
[ -d /proc/self/fd ] || kg unusable "/proc is not mounted, and the cache runs the binary it checked through /proc/self/fd"
if command -v openssl >/dev/null 2>&1; then
  digest_of() { openssl dgst -sha256 -r "$1" 2>/dev/null || sha256sum -- "$1"; }
else
  command -v sha256sum >/dev/null 2>&1 || kg unusable "neither openssl nor sha256sum is on the PATH"
  digest_of() { sha256sum -- "$1"; }
fi
# wk PATH: every directory above PATH, from /, a line each, in w; their count in k
wk() {
  w=/; k=1; a=; r=${1#/}
  while :; do
    c=${r%%/*}; r=${r#"$c"}; r=${r#/}
    case $c in . | ..) kg unusable "the cache directory $d has a $c component" ;; esac
    [ -n "$r" ] || break
    [ -z "$c" ] || { a=$a/$c; w=$w$nl$a; k=$((k + 1)); }
  done
}
# ok MODE UID NAME ROLE [link]: a directory above the cache directory, ROLE
# up (above its parent) or parent; with link, a link of root's or the
# user's is accepted too (the path as given: its target is checked on the
# physical path).
ok() {
  case $2 in 0 | "$me") ;; *) kg unusable "$3 belongs to uid $2, not to root or the user running the command: it could replace $d" ;; esac
  case $1 in
    d*) ;;
    l*) [ "$5" = link ] || kg unusable "$3 is a symbolic link, on the way to $d"; return 0 ;;
    *) kg unusable "$3 is not a directory, on the way to $d" ;;
  esac
  case $1 in ?????w* | ????????w*)
    case $4$1 in up?????????[tT]*) ;; *) kg unusable "$3 has mode $1: others can replace $d" ;; esac ;;
  esac
}
# lit [new]: the directories above the cache directory as given (it is a
# link or differs from the physical path); new: it does not exist yet, so
# only what exists of its ancestors is listed.
lit() {
  e=$1; wk "$d"
  IFS=$nl; set -- $w; unset IFS
  out=$(LC_ALL=C ls -ldn -- "$@" 2>/dev/null)
  i=0
  IFS=$nl; for l in $out; do unset IFS
    i=$((i + 1)); set -- $l; m=$1; u=$3; shift 8
    if [ "$i" -lt "$k" ]; then ok "$m" "$u" "$*" up link; else ok "$m" "$u" "$*" parent link; fi
  done; unset IFS
  [ "$i" = "$k" ] || [ "$e" = new ] || kg unusable "cannot list the directories above $d"
}
if [ ! -e "$d" ] && [ ! -L "$d" ]; then
  me=$(id -u); lit new
  mkdir -p -- "$d" 2>/dev/null || kg unusable "cannot create $d"
fi
[ ! -L "$d" ] || kg unusable "$d is not a directory but a symbolic link"
cd -P -- "$d" 2>/dev/null || kg unusable "$d is not a directory"
[ -O . ] || { set -- $(ls -ldn .); kg unusable "$d belongs to uid $3, not to the user running the command"; }
p=$PWD
wk "$p"
IFS=$nl; set -- . .. $w $x; unset IFS
out=$(LC_ALL=C ls -ldn -- "$@" 2>/dev/null)
i=0; f=
IFS=$nl; for l in $out; do unset IFS
  i=$((i + 1)); set -- $l; m=$1; u=$3; shift 8
  if [ "$i" = 1 ]; then
    [ "$*" = . ] || break; me=$u
    case $m in drwx------ | drwx------.) ;; *) kg unusable "$d has mode $m, not drwx------" ;; esac
  elif [ "$i" = 2 ]; then
    [ "$*" = .. ] || break; ok "$m" "$u" "the parent of $d" parent
  elif [ "$i" -le $((k + 1)) ]; then ok "$m" "$u" "$*" up
  elif [ "$i" = $((k + 2)) ]; then ok "$m" "$u" "$*" parent
  else f=$m:$u:$*
  fi
done; unset IFS
[ "$i" -ge $((k + 2)) ] || kg unusable "cannot list $d and the directories above it"
[ "$p" = "$d" ] || lit
'''

_WARM = r'''case $f in "-rwx------:$me:$s" | "-rwx------.:$me:$s") ;; *) kg miss "$p" ;; esac
exec 3<"./$s"
set -- $(digest_of /proc/self/fd/3)
[ "$1" = "$s" ] || kg miss "$p"
cd -- "$o" 2>/dev/null || cd /
'''

# A miss: the controller uploaded the binary to <dir>/.up-<token> (or to the
# staged path in Ansible's temp dir, become), and the same checks as a warm
# task's run again before the upload is looked at.
_INSTALL = r'''t=.up-$tok
if [ -n "$src" ]; then { [ ! -e "./$t" ] && [ ! -L "./$t" ] && cp -- "$src" "./$t"; } || kg unusable "cannot copy the upload into $p"; fi
[ -f "./$t" ] && [ ! -L "./$t" ] && [ -O "./$t" ] || kg unusable "the upload $p/$t is not a regular file of the user's"
chmod 700 -- "./$t" || kg unusable "cannot chmod $p/$t"
exec 3<"./$t"
set -- $(digest_of /proc/self/fd/3)
[ "$1" = "$s" ] || { rm -f -- "./$t"; kg unusable "the upload's sha256 is $1, not $s"; }
[ ! -d "./$s" ] || [ -L "./$s" ] || { rm -f -- "./$t"; kg unusable "$p/$s is a directory"; }
mv -f -- "./$t" "./$s" || { rm -f -- "./$t"; kg unusable "cannot rename the upload to $p/$s"; }
H=[0-9a-f]; H=$H$H$H$H; H=$H$H$H$H; H=$H$H$H$H
set +f; set -- ./$H; c=$#; set -- ./.up-*; set -f
if [ "$c" -gt "$K" ]; then n=0; for y in $(ls -t); do case $y in $H) n=$((n + 1)); [ "$n" -le "$K" ] || [ "$y" = "$s" ] || rm -f -- "./$y" ;; esac; done; fi
[ ! -e "$1" ] || find . ! -name . -prune -name '.up-*' -type f -mtime +0 -exec rm -f -- {} + 2>/dev/null
cd -- "$o" 2>/dev/null || cd /
'''

#: what the binary is run as: the descriptor the digest was taken of
_RUN = "/proc/self/fd/3"


def command(cache_dir, sha, env="", args_path=None, upload=None, keep=KEEP):
    """The /bin/sh command that runs the binary whose sha256 is sha from
    cache_dir. upload, when given, is (staged source or None, token): the
    controller uploaded the binary to <cache_dir>/.up-<token>, or to the
    staged source path (become), and the command installs it first.
    args_path None: the arguments come on stdin. env is Ansible's
    environment prefix (its shell plugin quoted each value).

    Built in one pass: each value is quoted once (shlex.quote) into the
    first line, which only assigns shell variables; the rest is constant."""
    q = shlex.quote
    values = [("M", MARKER), ("d", cache_dir), ("s", sha), ("K", str(int(keep)))]
    if upload is None:
        values.append(("x", sha))
        tail = _WARM
    else:
        src, token = upload
        values += [("x", ""), ("tok", token), ("src", src or "")]
        tail = _INSTALL
    head = "umask 077; set -f; " + " ".join("%s=%s" % (name, q(value)) for name, value in values)
    run = _RUN if args_path is None else _RUN + " " + q(args_path)
    if env:
        run = env + " " + run
    return head + "\n" + _CHECKS + tail + run


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
