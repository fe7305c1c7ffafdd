"""docs/kolla-ansible-integration.md, done as an operator does it, on upstream kolla-ansible 2026.1.

No containers: the actions run here are the ones that need none (precheck,
with and without --check, and config). What it does, in order:

  1. builds the collection tarball from this checkout (`make dist` must have
     built the binaries) and installs it with `ansible-galaxy collection
     install`, into the collections directory kolla-ansible reads (ansible's
     default, ~/.ansible/collections: HOME is a scratch directory);
  2. lays out kolla-ansible as an operator has it: <scratch>/kolla-ansible/
     ansible/ holds a symlink to every entry of upstream's unmodified ansible/
     directory (site.yml, group_vars, filter_plugins, action_plugins,
     library, module_utils, roles, inventory), and the guide's playbook
     (docs/examples/kolla-ansible/kolla-glance.yml) and worked example
     (docs/examples/kolla-multinode/glance-kolla-glance.yml) sit beside
     site.yml; /etc/kolla is <scratch>/etc/kolla, with the operator's
     globals.yml (docs/examples/kolla-ansible/globals.yml) and a
     passwords.yml made as kolla-genpwd makes it: upstream's
     etc/kolla/passwords.yml filled by kolla_ansible.cmd.genpwd;
  3. runs ansible-playbook as kolla-ansible's CLI does
     (kolla_ansible/ansible.py build_args): the inventory, -e @globals.yml,
     -e @passwords.yml, -e CONFIG_DIR=<etc/kolla>, kolla's plugin paths in
     the environment, ansible-core first on PATH (`make kolla-guide` puts
     2.19 there).

The inventory is upstream's ansible/inventory/multinode itself (control01-03,
network01-02, ...; glance-api comes from its glance:children mapping) plus a
second inventory source, mapping.yml, that maps its hosts onto this machine
and nothing else (see mapping()).

Usage: python3 tests/kolla_guide/guide.py [--upstream DIR] [--keep DIR]
"""

import argparse
import glob
import ipaddress
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "kolla_stores"))
import upstream as kolla_upstream  # noqa: E402  (the helpers kolla_parity uses too)
TREE = "kolla-ansible-2026.1"
GUIDE = os.path.join(ROOT, "docs", "kolla-ansible-integration.md")
PLAYBOOK = os.path.join(ROOT, "docs", "examples", "kolla-ansible", "kolla-glance.yml")
GLOBALS = os.path.join(ROOT, "docs", "examples", "kolla-ansible", "globals.yml")
EXAMPLE = os.path.join(ROOT, "docs", "examples", "kolla-multinode")
CONTROLLERS = ["control01", "control02", "control03"]

failures = []


def check(ok, what):
    print(("ok    " if ok else "FAIL  ") + what)
    if not ok:
        failures.append(what)


def addresses():
    """Three (interface, family, address) of this machine that kolla_address can return, all different.

    kolla_address reads the address of the host's api_interface from its
    facts: for ipv4 the interface's primary address, for ipv6 its first
    global one. The non-loopback ones come first; lo's 127.0.0.1 fills in.
    """
    links = json.loads(subprocess.run(["ip", "-j", "addr"], check=True, capture_output=True, text=True).stdout)
    found, loopback = [], []
    for link in links:
        name = link["ifname"]
        v4 = [a for a in link.get("addr_info", []) if a["family"] == "inet"]
        v6 = [a for a in link.get("addr_info", []) if a["family"] == "inet6" and a.get("scope") == "global"]
        if v4:
            (loopback if ipaddress.ip_address(v4[0]["local"]).is_loopback else found).append((name, "ipv4", v4[0]["local"]))
        if v6:
            found.append((name, "ipv6", v6[0]["local"]))
    picked = (found + loopback)[:3]
    if len(picked) < 3:
        sys.exit("kolla_guide: this machine has fewer than three interface addresses to map control01-03 onto: %s" % picked)
    return picked


def mapping(scratch, picked, inventory):
    """The second inventory source: upstream's multinode hosts mapped onto this machine.

    - every host: ansible_connection local; ansible_python_interpreter
      /usr/bin/python3, this machine's (kolla's group_vars/baremetal would
      discover one with HOME a scratch directory); ansible_become_method su
      (kolla's plays become root with sudo; this machine runs the test as
      root and has no sudo: su from root to root is the same no-op);
    - control01-03: an api_interface and api_address_family each (kolla's
      per-host network settings, as multinode's comments show them), so that
      kolla_address gives each its own address from the facts of this one
      machine; node_config_directory under <scratch>/hosts/<host>, so that
      their /etc/kolla do not collide here.
    """
    # (host variables, not group ones: kolla's group_vars/baremetal, beside
    # the playbook, outranks an inventory's group variables)
    hosts = {host: {"ansible_connection": "local", "ansible_become_method": "su",
                    "ansible_python_interpreter": "/usr/bin/python3"} for host in inventory_hosts(inventory)}
    for host, (iface, family, _) in zip(CONTROLLERS, picked):
        hosts[host].update({"api_interface": iface, "api_address_family": family,
                            "node_config_directory": os.path.join(scratch, "hosts", host, "etc", "kolla")})
    path = os.path.join(scratch, "mapping-%s.yml" % os.path.basename(inventory))
    with open(path, "w") as f:
        yaml.safe_dump({"all": {"hosts": hosts}}, f)
    return path


def inventory_hosts(path):
    """The hosts an INI inventory names (the lines of its host sections, not of :children or :vars)."""
    hosts, section = [], None
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line.startswith("["):
                section = line.strip("[]")
            elif line and section and ":" not in section:
                name = line.split()[0]
                if name not in hosts:
                    hosts.append(name)
    return hosts


def run(cmd, env, cwd, what, expect_rc=0):
    start = time.time()
    proc = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    took = time.time() - start
    check(proc.returncode == expect_rc, "%s: rc %d (%.1f s)" % (what, proc.returncode, took))
    if proc.returncode != expect_rc:
        print(proc.stdout)
    return proc.stdout


def ini(path):
    out, section = {}, None
    with open(path) as f:
        for line in f:
            m = re.match(r"^\[(.+)\]\s*$", line)
            if m:
                section = m.group(1)
            elif "=" in line and section and not line.startswith(("#", ";")):
                key, value = line.split("=", 1)
                out[(section, key.strip())] = value.strip()
    return out


def url_host(address):
    return "[%s]" % address if ":" in address else address


def main():
    # make suite-status: this suite, asked to fail, fails before any work
    if os.environ.get("KOLLA_GLANCE_DELIBERATE_FAILURE") == "kolla-guide":
        sys.exit("deliberate failure of the kolla-guide suite (KOLLA_GLANCE_DELIBERATE_FAILURE=kolla-guide)")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upstream", default=os.path.join(ROOT, "..", "shared", "upstream"))
    parser.add_argument("--keep", help="lay out and run in this directory (kept) instead of a temporary one")
    args = parser.parse_args()
    upstream = os.path.abspath(os.path.join(args.upstream, TREE))
    if not os.path.isfile(os.path.join(upstream, "ansible", "site.yml")):
        sys.exit("kolla_guide: no kolla-ansible 2026.1 tree at %s" % upstream)
    if args.keep:
        os.makedirs(args.keep, exist_ok=True)
        scratch = os.path.abspath(tempfile.mkdtemp(prefix="kolla-guide-", dir=args.keep))
    else:
        scratch = tempfile.mkdtemp(prefix="kolla-guide-")
    try:
        guide(upstream, scratch)
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
        else:
            print("kept: " + scratch)
    if failures:
        print("kolla_guide: %d check(s) failed" % len(failures))
        sys.exit(1)
    print("kolla_guide: passed")


def guide(upstream, scratch):
    ansible = shutil.which("ansible-playbook")
    version = subprocess.run([ansible, "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    print("kolla_guide: %s, upstream %s, scratch %s" % (version, upstream, scratch))

    # The guide quotes the files it tells the operator to use.
    with open(GUIDE) as f:
        text = f.read()
    for path in (PLAYBOOK, GLOBALS):
        with open(path) as f:
            check(f.read() in text, "the guide quotes %s as it is" % os.path.relpath(path, ROOT))

    home = os.path.join(scratch, "home")
    os.makedirs(home)
    stubs = os.path.join(scratch, "stubs")
    os.makedirs(os.path.join(stubs, "oslo_utils"))
    # Python packages kolla_ansible imports that Debian 12 lacks here: bcrypt
    # (kolla_ansible.filters' password-hash filter, which nothing here calls)
    # refuses any use; oslo_utils.uuidutils.generate_uuid (genpwd's UUID keys)
    # is oslo's own definition, str(uuid.uuid4()).
    kolla_upstream.stub_bcrypt(stubs, "kolla_guide")
    open(os.path.join(stubs, "oslo_utils", "__init__.py"), "w").close()
    with open(os.path.join(stubs, "oslo_utils", "uuidutils.py"), "w") as f:
        f.write("import uuid\n\n\ndef generate_uuid(dashed=True):\n"
                "    return str(uuid.uuid4()) if dashed else uuid.uuid4().hex\n")
    cfg = os.path.join(scratch, "ansible.cfg")
    open(cfg, "w").close()
    kolla = os.path.join(scratch, "kolla-ansible", "ansible")
    env = dict(os.environ)
    env.update({
        "HOME": home,
        "ANSIBLE_CONFIG": cfg,
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_RETRY_FILES_ENABLED": "0",
        "ANSIBLE_LOCAL_TEMP": os.path.join(scratch, "ansible-tmp"),
        # kolla's plugin and module paths (the research env.sh; the same
        # directories ansible finds beside the playbook)
        "ANSIBLE_LIBRARY": os.path.join(kolla, "library"),
        "ANSIBLE_MODULE_UTILS": os.path.join(kolla, "module_utils"),
        "ANSIBLE_ACTION_PLUGINS": os.path.join(kolla, "action_plugins"),
        "ANSIBLE_FILTER_PLUGINS": os.path.join(kolla, "filter_plugins"),
        "PYTHONPATH": os.pathsep.join([upstream, stubs] + ([os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else [])),
        "PBR_VERSION": "21.0.0",
    })
    env.pop("ANSIBLE_COLLECTIONS_PATH", None)
    env.pop("ANSIBLE_COLLECTIONS_PATHS", None)

    # 1. the collection, built and installed as section 1 says
    dist = os.path.join(scratch, "dist")
    run(["ansible-galaxy", "collection", "build", "--output-path", dist, ROOT], env, scratch, "ansible-galaxy collection build")
    tarballs = glob.glob(os.path.join(dist, "kolla-glance-*.tar.gz"))
    check(len(tarballs) == 1, "one collection tarball built")
    if not tarballs:
        return
    run(["ansible-galaxy", "collection", "install", tarballs[0]], env, scratch, "ansible-galaxy collection install (default path)")
    installed = os.path.join(home, ".ansible", "collections", "ansible_collections", "kolla", "glance")
    check(os.path.isdir(os.path.join(installed, "roles", "glance")), "installed into ~/.ansible/collections")

    # 2. kolla-ansible's ansible/ directory, the guide's playbooks beside site.yml
    os.makedirs(kolla)
    for entry in os.listdir(os.path.join(upstream, "ansible")):
        os.symlink(os.path.join(upstream, "ansible", entry), os.path.join(kolla, entry))
    playbook = os.path.join(kolla, os.path.basename(PLAYBOOK))
    shutil.copy(PLAYBOOK, playbook)
    example = os.path.join(kolla, "glance-kolla-glance.yml")
    shutil.copy(os.path.join(EXAMPLE, "glance-kolla-glance.yml"), example)
    etc = os.path.join(scratch, "etc", "kolla")
    os.makedirs(etc)
    shutil.copy(GLOBALS, os.path.join(etc, "globals.yml"))
    passwords = os.path.join(etc, "passwords.yml")
    shutil.copy(os.path.join(upstream, "etc", "kolla", "passwords.yml"), passwords)
    # kolla-genpwd: the entry point of kolla-ansible's setup.cfg
    # (with the python ansible-core runs on: genpwd imports ansible.utils.encrypt)
    python = shutil.which("ansible-python") or sys.executable
    run([python, "-c", "import sys; from kolla_ansible.cmd.genpwd import main; sys.argv[1:] = ['-p', sys.argv[1]]; main()",
         passwords], env, scratch, "kolla-genpwd (kolla_ansible.cmd.genpwd) fills passwords.yml")
    with open(passwords) as f:
        pw = yaml.safe_load(f)
    check(isinstance(pw, dict) and len(pw.get("glance_keystone_password") or "") == 40
          and all(v is not None for k, v in pw.items() if k != "docker_registry_password"),
          "passwords.yml: every key set (%d keys)" % len(pw or {}))

    picked = addresses()
    multinode = os.path.join(kolla, "inventory", "multinode")
    mapped = mapping(scratch, picked, multinode)
    for host, (iface, family, address) in zip(CONTROLLERS, picked):
        print("mapping: %s -> this machine, api_interface %s (%s): %s" % (host, iface, family, address))
    inventory = ["-i", multinode, "-i", mapped]
    kolla_args = inventory + ["-e", "@" + os.path.join(etc, "globals.yml"), "-e", "@" + passwords, "-e", "CONFIG_DIR=" + etc]

    # 3. the guide's playbook: precheck, precheck --check, config
    plan = ["rolling upgrade of 3 glance-api hosts", "glance-manage db contract on control01"]
    for extra, what in (([], "precheck"), (["--check"], "precheck --check")):
        out = run(["ansible-playbook"] + kolla_args + ["-e", "glance_action=precheck"] + extra + [playbook], env, kolla,
                  "kolla-glance.yml " + what)
        check(all(p in out for p in plan), "%s prints the plan (%s)" % (what, "; ".join(plan)))
        check(not any(h in out for h in ("network01", "compute01", "storage01")), "%s touches no host outside glance-api" % what)
    for host in CONTROLLERS:
        check(not os.path.exists(os.path.join(scratch, "hosts", host)), "precheck wrote nothing for %s" % host)

    run(["ansible-playbook"] + kolla_args + ["-e", "glance_action=config", playbook], env, kolla, "kolla-glance.yml config")
    for host, (iface, family, address) in zip(CONTROLLERS, picked):
        conf = os.path.join(scratch, "hosts", host, "etc", "kolla", "glance-api", "glance-api.conf")
        if not os.path.isfile(conf):
            check(False, "config rendered %s" % os.path.relpath(conf, scratch))
            continue
        keys = ini(conf)
        check(keys.get(("DEFAULT", "bind_host")) == address, "%s: bind_host is its own address %s (%s)" % (host, address, keys.get(("DEFAULT", "bind_host"))))
        want = "http://%s:9292" % url_host(address)
        check(keys.get(("DEFAULT", "worker_self_reference_url")) == want, "%s: worker_self_reference_url %s" % (host, want))
        servers = keys.get(("keystone_authtoken", "memcached_servers"), "")
        check(all(("inet6:[%s]" % a if ":" in a else a) + ":11211" in servers for _, _, a in picked),
              "%s: memcached_servers names the three controllers (%s)" % (host, servers))
        check(keys.get(("keystone_authtoken", "password")) == pw["glance_keystone_password"], "%s: the Keystone password of passwords.yml" % host)
        check(os.path.isfile(os.path.join(os.path.dirname(conf), "glance-cache.conf")), "%s: glance-cache.conf rendered" % host)

    # The worked example (section 4), beside site.yml, with its own inventory
    # and globals; only the cron directory of each host is mapped as well.
    cron = os.path.join(scratch, "cron")
    for host in CONTROLLERS:
        os.makedirs(os.path.join(cron, host))
    out = run(["ansible-playbook", "-i", os.path.join(EXAMPLE, "multinode"),
               "-i", mapping(scratch, picked, os.path.join(EXAMPLE, "multinode")),
               "-e", "@" + os.path.join(EXAMPLE, "globals.yml"), "-e", "@" + os.path.join(EXAMPLE, "passwords.yml"),
               "-e", "CONFIG_DIR=" + etc, "-e", "glance_cache_cron_dir=" + cron + "/{{ inventory_hostname }}", example],
              env, kolla, "worked example beside site.yml")
    check(all(p in out for p in plan), "the worked example prints the plan")
    for host in CONTROLLERS:
        check(os.path.isfile(os.path.join(cron, host, "kolla-glance-cache")), "the worked example wrote %s's cron file" % host)


if __name__ == "__main__":
    main()
