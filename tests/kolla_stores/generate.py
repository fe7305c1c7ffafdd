"""Writes internal/glance/stores/testdata/kolla/<release>.txt from kolla-ansible itself.

The unit tests of internal/glance/stores compare the collection's store
selection with these tables, so they must come from upstream's own files,
not from this collection's code. For each release this script runs
stores.yml (beside it) once with real ansible-playbook (ansible-core 2.19,
kolla-ansible 2026.1's line: `make generate` puts it first on PATH) against
an unmodified kolla-ansible tree under the upstream directory (default
../shared/upstream from the repository root; /work/shared/upstream/README.md
says where each tree comes from):

  - the branch's ansible/group_vars, loaded as group_vars/all of the
    inventory (a symlink beside inventory.yml in a scratch directory);
  - the branch's roles/glance/defaults, loaded as that role's defaults
    (a scratch role whose defaults directory is a symlink; no tasks);
  - the branch's roles/glance/templates/glance-api.conf.j2, rendered with
    the template lookup for every combination of the store variables the
    branch's group_vars define (glance_backend_ceph, _s3, _swift, _vmware,
    enable_cinder), each with glance_backend_file left to the group_vars
    (derived), given as true, and given as false;
  - kolla's own filter plugins (ansible/filter_plugins/address.py of the
    2026.1 tree, with its kolla_ansible package on PYTHONPATH: the other
    trees hold only group_vars and the glance role).

What the run supplies besides (none of it decides a store): the host ctl1
in the groups glance-api, rabbitmq and memcached (inventory.yml), the facts
eth0.ipv4.address and processor_vcpus (stores.yml), and the passwords and
the VIP address an operator gives in passwords.yml and globals.yml
(inputs.yml). Then this script reads each rendered glance-api.conf the way
oslo.config does (quotes around a value removed) and writes, per
combination: the variables that are on | glance_backend_file as computed |
[DEFAULT] enabled_backends | [glance_store] default_backend | the rendered
sections named after a store of glance_backends or glance_ceph_backends.

Usage: tests/kolla_stores/generate.py [--upstream DIR] [--out DIR]
                                      [--ansible-playbook PATH]
`make generate` writes the committed tables; `make check-generated` writes
them into a scratch directory and compares. The five releases run in
parallel: 216 renders, about 60 s of CPU in all (nearly all of it
ansible-core 2.19's templating of kolla's ~1700 group_vars), shared among
the machine's cores.
"""

import argparse
import concurrent.futures
import configparser
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import upstream as kolla_upstream  # noqa: E402  (beside this script; shared with tests/kolla_parity)

# release, directory under the upstream directory, branch, commit (checked
# against the upstream directory's README.md)
RELEASES = [
    ("2024.1", "kolla-ansible-glance-2024.1", "unmaintained/2024.1", "1276a4338402ae4c2f2dc2565f67760aebd6c8fe"),
    ("2025.1", "kolla-ansible-glance-2025.1", "stable/2025.1", "a7fc0cd67921c871c732ac24b3282d8b8ea32235"),
    ("2025.2", "kolla-ansible-glance-2025.2", "stable/2025.2", "257605a5e70491a884823ce8f03c497e51bf36c1"),
    ("2026.1", "kolla-ansible-2026.1", "stable/2026.1", "762181ae4918e3e261df06ed983a1ef1cb61b10c"),
    ("master", "kolla-ansible-glance-master", "master", "1a681814eb19a4840ca307a25f21b2907b432272"),
]

HEADER = """\
# kolla-ansible {release}: {branch} at {commit}.
# What that branch's own ansible/group_vars, roles/glance/defaults/main.yml and
# roles/glance/templates/glance-api.conf.j2 compute for each combination of the
# store variables ({variables}, and
# glance_backend_file derived, file=on or file=off), with the default single
# glance_ceph_backends entry "rbd". Obtained by evaluating those files with
# Jinja, not by this collection's code. Columns: the variables that are on |
# glance_backend_file | enabled_backends | default_backend | the store sections
# rendered besides [glance_store], [os_glance_tasks_store] and
# [os_glance_staging_store].
"""


def short(variable):
    """The name a table row uses for a store variable: ceph, s3, cinder, ..."""
    return re.sub(r"^(glance_backend_|enable_)", "", variable)


def header_variables(variables):
    """glance_backend_ceph, _s3, _swift, _vmware, enable_cinder"""
    out, seen_backend = [], False
    for v in variables:
        if v.startswith("glance_backend_") and seen_backend:
            out.append(v[len("glance_backend"):])
        else:
            out.append(v)
        seen_backend = seen_backend or v.startswith("glance_backend_")
    return ", ".join(out)


def run_release(upstream, playbook, release, directory):
    """Runs stores.yml on one branch's tree; returns what it wrote."""
    tree = os.path.join(upstream, directory)
    with tempfile.TemporaryDirectory(prefix="kolla_stores-" + release + "-") as tmp:
        hosts, env = kolla_upstream.layout(tmp, upstream, directory, os.path.join(HERE, "inventory.yml"),
                                           {"glance": ["defaults"]})
        out = os.path.join(tmp, "rendered.json")
        cmd = [playbook, "-i", hosts, os.path.join(HERE, "stores.yml"),
               "-e", "@" + os.path.join(HERE, "inputs.yml"),
               "-e", json.dumps({
                   "kolla_stores_template": os.path.join(tree, "ansible", "roles", "glance", "templates", "glance-api.conf.j2"),
                   "kolla_stores_out": out})]
        proc = subprocess.run(cmd, env=env, cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if proc.returncode != 0 or not os.path.exists(out):
            raise RuntimeError("%s: ansible-playbook failed (exit %d):\n%s" % (release, proc.returncode, proc.stdout))
        with open(out) as f:
            return json.load(f)


def read_conf(text):
    """glance-api.conf as oslo.config reads it: enabled_backends, default_backend, sections."""
    cp = configparser.ConfigParser(interpolation=None, strict=True)
    cp.optionxform = str
    cp.read_string(text)

    def value(section, key):
        v = cp.get(section, key).strip()
        if len(v) >= 2 and v[0] == v[-1] and v[0] in "\"'":
            v = v[1:-1]
        return v
    return value("DEFAULT", "enabled_backends"), value("glance_store", "default_backend"), cp.sections()


def table(release, branch, commit, rendered):
    variables = rendered["variables"]
    rows = {}
    for r in rendered["rows"]:
        on = [short(v) for v in variables if r["set"][short(v)]]
        label = " ".join(on) if on else "-"
        if "file" in r["set"]:
            label += " file=on" if r["set"]["file"] else " file=off"
        conf, default, sections = read_conf(r["conf"])
        stores = sorted(s for s in sections if s in set(r["backend_names"]))
        rows[label] = [label, "on" if r["glance_backend_file"] else "off", conf, default, " ".join(stores) or "-"]
    # every combination, the first variable the most significant, each
    # followed by its file=on and file=off rows
    ordered = []
    for mask in range(2 ** len(variables)):
        on = [short(v) for i, v in enumerate(variables) if mask >> (len(variables) - 1 - i) & 1]
        base = " ".join(on) if on else "-"
        for label in (base, base + " file=on", base + " file=off"):
            if label not in rows:
                raise RuntimeError("%s: no rendered row for %r" % (release, label))
            ordered.append(rows.pop(label))
    if rows:
        raise RuntimeError("%s: rendered rows beyond the combinations: %s" % (release, sorted(rows)))
    widths = [max(len(row[i]) for row in ordered) for i in range(4)]
    lines = [" | ".join([c.ljust(w) for c, w in zip(row, widths)] + [row[4]]) for row in ordered]
    head = HEADER.format(release=release, branch=branch, commit=commit[:12], variables=header_variables(variables))
    return head + "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--upstream", default=os.path.join(os.path.dirname(ROOT), "shared", "upstream"),
                    help="the directory of the kolla-ansible trees (default: %(default)s)")
    ap.add_argument("--out", default=os.path.join(ROOT, "internal", "glance", "stores", "testdata", "kolla"),
                    help="where <release>.txt go (default: %(default)s)")
    ap.add_argument("--ansible-playbook", default="ansible-playbook", help="the ansible-playbook to run (default: from PATH)")
    args = ap.parse_args()

    upstream = os.path.abspath(args.upstream)
    with open(os.path.join(upstream, "README.md")) as f:
        readme = f.read()
    for release, directory, branch, commit in RELEASES:
        if not os.path.isdir(os.path.join(upstream, directory, "ansible")):
            sys.exit("kolla_stores: %s has no %s/ansible" % (upstream, directory))
        if commit not in readme or branch not in readme:
            sys.exit("kolla_stores: %s/README.md does not name %s at %s: update RELEASES" % (upstream, branch, commit))

    os.makedirs(args.out, exist_ok=True)
    with concurrent.futures.ThreadPoolExecutor(len(RELEASES)) as pool:
        jobs = {r[0]: pool.submit(run_release, upstream, args.ansible_playbook, r[0], r[1]) for r in RELEASES}
        for release, directory, branch, commit in RELEASES:
            try:
                text = table(release, branch, commit, jobs[release].result())
            except RuntimeError as e:
                sys.exit("kolla_stores: %s" % e)
            with open(os.path.join(args.out, release + ".txt"), "w") as f:
                f.write(text)


if __name__ == "__main__":
    main()
