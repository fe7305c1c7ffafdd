"""Prints, for `make bench`, a /bin/sh script that runs the binary cache's
warm command over ssh exactly as the action plugin renders it
(binary_cache.command), with upgrade_plan's args on stdin, so that hyperfine
can time the one remote command of a warm task alone.

Usage: warm_command.py COLLECTIONS_PATH CACHE_DIR BINARY PLAN_ARGS.json STDIN.json "SSH COMMAND"
Writes STDIN.json ({"ANSIBLE_MODULE_ARGS": PLAN_ARGS}); prints the script.
"""
import json
import shlex
import sys


def main():
    collections, cache_dir, binary, plan, stdin, ssh = sys.argv[1:7]
    sys.path.insert(0, collections)
    from ansible_collections.kolla.glance.plugins.plugin_utils.binary_cache import command, digest

    with open(plan) as f, open(stdin, "w") as out:
        json.dump({"ANSIBLE_MODULE_ARGS": json.load(f)}, out)
    remote = "/bin/sh -c " + shlex.quote(command(cache_dir, digest(binary)))
    print("#!/bin/sh\nexec %s %s < %s" % (ssh, shlex.quote(remote), shlex.quote(stdin)))


if __name__ == "__main__":
    main()
