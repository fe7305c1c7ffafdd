"""Config parity of roles/glance with kolla-ansible 2026.1 (issue 28, item 2).

For each case of cases.yml (beside this script) it renders, with real
ansible-playbook (ansible-core 2.19: `make kolla-parity` puts it first on
PATH):

  (a) kolla-ansible 2026.1's own glance-api.conf.j2, glance-cache.conf.j2 and
      glance-api.json.j2, and its uWSGI configuration (its glance role's
      "Configure uWSGI for Glance" task, run through its service-uwsgi-config
      role), from the unmodified tree under the upstream directory (default
      ../shared/upstream from the repository root), with its group_vars,
      its glance role's defaults and its filter plugins (upstream.yml; the
      layout is tests/kolla_stores/upstream.py's, shared with that
      generator);
  (b) this collection's roles/glance templates with the role's defaults and
      vars and the store selection its tasks/backends.yml gets from the real
      kolla.glance.backends module (role.yml; the collection is the
      repository, which `make dist` must have built);

both with the case's operator settings as extra variables. It then reads
each INI file as oslo.config does (sections, keys, values; quotes around a
value removed; comments, blank lines and order ignored; enabled_backends, a
dict option, as its set of name:type pairs) and config.json by its command,
its config_files (by dest) and its permissions (by path), and compares key
by key. A key that differs (absent on one side, or another value) must be a
departure of departures.yml, each with its reason (also stated in
docs/decisions.md); a departure that no longer differs in any case it names
is stale. Prints the table and fails on any unlisted difference or stale
departure.

Usage: python3 tests/kolla_parity/parity.py [--upstream DIR] [--ansible-playbook PATH] [--jobs N] [--keep DIR]
"""

import argparse
import concurrent.futures
import configparser
import json
import os
import platform
import subprocess
import sys
import tempfile

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "kolla_stores"))
import upstream as kolla_upstream  # noqa: E402  (the layout kolla_stores/generate.py uses too)

TREE = kolla_upstream.FULL_TREE
UWSGI_TASK = "Configure uWSGI for Glance"
FILES = ["glance-api.conf", "glance-cache.conf", "glance-api-uwsgi.ini", "config.json"]


def run(cmd, env, cwd, what):
    proc = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        raise RuntimeError("%s: ansible-playbook failed (exit %d):\n%s" % (what, proc.returncode, proc.stdout))


def extra_vars(common, case, out, node_config, templates):
    values = dict(common)
    values.update(case.get("settings") or {})
    values.update({"kolla_parity_address": case["address"], "kolla_parity_out": out,
                   "node_config_directory": node_config, "kolla_parity_templates": templates})
    return json.dumps(values)


def render_upstream(upstream, playbook, common, case, scratch):
    """kolla-ansible's files for one case (upstream.yml)."""
    tmp = os.path.join(scratch, "upstream-" + case["name"])
    os.makedirs(tmp)
    hosts, env = kolla_upstream.layout(
        tmp, upstream, TREE, os.path.join(HERE, "inventory.yml"),
        {"glance": ["defaults"], "service-uwsgi-config": None},
        filters=("address.py", "services.py", "database.py"))
    # kolla's own uWSGI task, taken from its tasks/config.yml as it is now
    with open(os.path.join(upstream, TREE, "ansible", "roles", "glance", "tasks", "config.yml")) as f:
        tasks = [t for t in yaml.safe_load(f) if t.get("name") == UWSGI_TASK]
    if len(tasks) != 1:
        raise RuntimeError("upstream: no single task %r in the glance role's tasks/config.yml" % UWSGI_TASK)
    # kolla_ansible.filters (behind services.py's service_enabled_and_mapped_to_host)
    # imports bcrypt, which nothing here calls
    stub = os.path.join(tmp, "stubs")
    kolla_upstream.stub_bcrypt(stub, "kolla_parity")
    env["PYTHONPATH"] += os.pathsep + stub
    os.makedirs(os.path.join(tmp, "roles", "glance", "tasks"))
    with open(os.path.join(tmp, "roles", "glance", "tasks", "main.yml"), "w") as f:
        f.write("---\n" + yaml.safe_dump(tasks, sort_keys=False))
    node_config = os.path.join(tmp, "node_config")
    os.makedirs(os.path.join(node_config, "glance-api"))
    out = os.path.join(tmp, "rendered.json")
    templates = os.path.join(upstream, TREE, "ansible", "roles", "glance", "templates")
    run([playbook, "-i", hosts, os.path.join(HERE, "upstream.yml"),
         "-e", extra_vars(common, case, out, node_config, templates)], env, tmp, "upstream " + case["name"])
    with open(out) as f:
        return json.load(f)


def render_role(playbook, common, case, scratch):
    """The role's files for one case (role.yml)."""
    tmp = os.path.join(scratch, "role-" + case["name"])
    collection = os.path.join(tmp, "collections", "ansible_collections", "kolla")
    for d in (collection, os.path.join(tmp, "roles"), os.path.join(tmp, "filter_plugins")):
        os.makedirs(d)
    os.symlink(ROOT, os.path.join(collection, "glance"))
    env = kolla_upstream.env(tmp, ANSIBLE_COLLECTIONS_PATH=os.path.join(tmp, "collections"))
    out = os.path.join(tmp, "rendered.json")
    run([playbook, "-i", os.path.join(HERE, "inventory.yml"), os.path.join(HERE, "role.yml"),
         "-e", extra_vars(common, case, out, os.path.join(tmp, "node_config"),
                          os.path.join(ROOT, "roles", "glance", "templates"))], env, tmp, "role " + case["name"])
    with open(out) as f:
        return json.load(f)


def unquote(value):
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
    return value


def ini_keys(text):
    """{(section, key): value} as oslo.config reads the file."""
    cp = configparser.ConfigParser(interpolation=None, strict=True, default_section="\0none")
    cp.optionxform = str
    cp.read_string(text)
    out = {}
    for section in cp.sections():
        for key, value in cp.items(section, raw=True):
            value = unquote(value)
            if key == "enabled_backends":
                # a dict option: the set of its name:type pairs
                value = ", ".join(sorted(p.strip() for p in value.split(",") if p.strip()))
            out[(section, key)] = value
    return out


def json_keys(text):
    """config.json: command, each config_files entry (by dest), each permission (by path)."""
    data = json.loads(text)
    out = {("command", ""): data.get("command")}
    for entry in data.get("config_files", []):
        out[("config_files", entry["dest"])] = json.dumps(entry, sort_keys=True)
    for entry in data.get("permissions", []):
        out[("permissions", entry["path"])] = json.dumps(entry, sort_keys=True)
    return out


def keys(name, text):
    if text is None:
        return {}
    return json_keys(text) if name == "config.json" else ini_keys(text)


def applies(departure, case):
    return not departure.get("cases") or case in departure["cases"]


def compare(cases, rendered, departures):
    """The table rows, the unlisted differences and the stale departures."""
    index = {}
    for d in departures:
        index.setdefault((d["file"], d["section"], d["key"]), []).append(d)
    used = set()
    rows, problems = [], []
    for case in cases:
        name = case["name"]
        theirs, ours = rendered[name]
        counts = {"equal": 0, "departing": 0, "missing": 0, "different": 0, "extra": 0}
        for f in FILES:
            a, b = keys(f, theirs.get(f)), keys(f, ours.get(f))
            for section, key in sorted(set(a) | set(b)):
                listed = [d for d in index.get((f, section, key), []) if applies(d, name)]
                if a.get((section, key)) == b.get((section, key)):
                    counts["equal"] += 1
                    continue
                if listed:
                    counts["departing"] += 1
                    used.update(id(d) for d in listed)
                    continue
                kind = "missing" if (section, key) not in b else "extra" if (section, key) not in a else "different"
                counts[kind] += 1
                problems.append("%s: %s [%s] %s %s: kolla %r, role %r" % (
                    name, f, section, key, kind, a.get((section, key)), b.get((section, key))))
        rows.append([name] + [str(counts[k]) for k in ("equal", "departing", "missing", "different", "extra")])
    stale = ["%s [%s] %s%s: listed as a departure but equal in every case it names" % (
        d["file"], d["section"], d["key"], " (cases: %s)" % ", ".join(d["cases"]) if d.get("cases") else "")
        for d in departures if id(d) not in used]
    return rows, problems, stale


def main():
    # make suite-status: this suite, asked to fail, fails before any work
    if os.environ.get("KOLLA_GLANCE_DELIBERATE_FAILURE") == "kolla-parity":
        sys.exit("deliberate failure of the kolla-parity suite (KOLLA_GLANCE_DELIBERATE_FAILURE=kolla-parity)")
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--upstream", default=os.path.join(os.path.dirname(ROOT), "shared", "upstream"),
                    help="the directory of the kolla-ansible trees (default: %(default)s)")
    ap.add_argument("--ansible-playbook", default="ansible-playbook", help="the ansible-playbook to run (default: from PATH)")
    ap.add_argument("--jobs", type=int, default=max(2, os.cpu_count() or 2), help="playbooks run at once (default: %(default)s)")
    ap.add_argument("--keep", help="keep the scratch files (and the rendered files) in this new directory")
    args = ap.parse_args()

    upstream = os.path.abspath(args.upstream)
    if not os.path.isdir(os.path.join(upstream, TREE, "ansible")):
        sys.exit("kolla_parity: %s has no %s/ansible" % (upstream, TREE))
    binary = "kolla_glance_%s_%s" % (platform.system().lower(), platform.machine())
    if not os.path.exists(os.path.join(ROOT, "plugins", "modules", binary)):
        sys.exit("kolla_parity: plugins/modules holds no %s: run make dist" % binary)
    with open(os.path.join(HERE, "cases.yml")) as f:
        spec = yaml.safe_load(f)
    with open(os.path.join(HERE, "departures.yml")) as f:
        departures = yaml.safe_load(f) or []
    for d in departures:
        if not all(d.get(k) for k in ("file", "section", "key", "reason")) or d["file"] not in FILES:
            sys.exit("kolla_parity: departures.yml: each entry needs file (one of %s), section, key and reason: %r" % (FILES, d))
    cases = spec["cases"]

    if args.keep:
        os.makedirs(args.keep)
        scratch = os.path.abspath(args.keep)
    else:
        scratch_dir = tempfile.TemporaryDirectory(prefix="kolla_parity-")
        scratch = scratch_dir.name
    rendered = {}
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        jobs = {c["name"]: (pool.submit(render_upstream, upstream, args.ansible_playbook, spec["common"], c, scratch),
                            pool.submit(render_role, args.ansible_playbook, spec["common"], c, scratch))
                for c in cases}
        try:
            for name, (theirs, ours) in jobs.items():
                rendered[name] = (theirs.result(), ours.result())
        except RuntimeError as e:
            sys.exit("kolla_parity: %s" % e)
    if args.keep:
        for name, pair in rendered.items():
            for side, files in zip(("kolla", "role"), pair):
                d = os.path.join(scratch, "files", name, side)
                os.makedirs(d)
                for f, text in files.items():
                    if text is not None:
                        with open(os.path.join(d, f), "w") as out:
                            out.write(text)

    rows, problems, stale = compare(cases, rendered, departures)
    head = ["case", "keys equal", "keys departing on purpose", "keys missing", "keys different", "keys extra"]
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
    print("config parity with kolla-ansible 2026.1 (%s): glance-api.conf, glance-cache.conf, glance-api-uwsgi.ini, config.json" % TREE)
    for r in [head] + rows:
        print(" | ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
    for p in problems:
        print("not a listed departure: " + p)
    for s in stale:
        print("stale departure: " + s)
    if problems or stale:
        sys.exit("kolla_parity: %d unlisted difference(s), %d stale departure(s) (departures: tests/kolla_parity/departures.yml)"
                 % (len(problems), len(stale)))


if __name__ == "__main__":
    main()
