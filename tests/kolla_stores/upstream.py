"""Runs ansible-playbook against an unmodified kolla-ansible tree.

Shared by tests/kolla_stores/generate.py and tests/kolla_parity/parity.py:
both evaluate kolla-ansible's own group_vars, role defaults and templates
with real ansible-playbook, laid out in a scratch directory as kolla-ansible
lays them out:

  - inventory/hosts.yml, a copy of the caller's inventory, with the tree's
    ansible/group_vars beside it (loaded as the inventory's group_vars);
  - roles/<name>/<part>: symlinks to the tree's roles (only the parts named,
    e.g. just a role's defaults, or the whole role);
  - filter_plugins/: kolla's own filter plugins from the full 2026.1 tree,
    with its kolla_ansible package on PYTHONPATH;
  - an empty ansible.cfg (nothing of the machine's or the user's).
"""

import os
import shutil

# the full tree whose filter plugins and kolla_ansible package every run uses
FULL_TREE = "kolla-ansible-2026.1"


def layout(tmp, upstream, directory, inventory, roles, filters=("address.py",)):
    """Lays out tmp for a run against upstream/directory; returns (hosts.yml path, env).

    roles maps a role name to the parts of it to link (["defaults"]), or to
    None for the whole role directory.
    """
    tree = os.path.join(upstream, directory)
    full = os.path.join(upstream, FULL_TREE)
    inv = os.path.join(tmp, "inventory")
    filter_dir = os.path.join(tmp, "filter_plugins")
    for d in (inv, os.path.join(tmp, "roles"), filter_dir):
        os.makedirs(d, exist_ok=True)
    hosts = os.path.join(inv, "hosts.yml")
    shutil.copy(inventory, hosts)
    os.symlink(os.path.join(tree, "ansible", "group_vars"), os.path.join(inv, "group_vars"))
    for name, parts in roles.items():
        source = os.path.join(tree, "ansible", "roles", name)
        role = os.path.join(tmp, "roles", name)
        if parts is None:
            os.symlink(source, role)
            continue
        os.makedirs(role)
        for part in parts:
            os.symlink(os.path.join(source, part), os.path.join(role, part))
    for f in filters:
        os.symlink(os.path.join(full, "ansible", "filter_plugins", f), os.path.join(filter_dir, f))
    return hosts, env(tmp, extra_pythonpath=full)


def env(tmp, extra_pythonpath=None, **settings):
    """ansible-playbook's environment for a run in tmp: an empty ansible.cfg, no colour, no retry files."""
    cfg = os.path.join(tmp, "ansible.cfg")
    if not os.path.exists(cfg):
        open(cfg, "w").close()
    out = dict(os.environ)
    out.update({
        "ANSIBLE_CONFIG": cfg,
        "ANSIBLE_ROLES_PATH": os.path.join(tmp, "roles"),
        "ANSIBLE_FILTER_PLUGINS": os.path.join(tmp, "filter_plugins"),
        "ANSIBLE_TRANSFORM_INVALID_GROUP_CHARS": "ignore",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_RETRY_FILES_ENABLED": "0",
        "ANSIBLE_LOCAL_TEMP": os.path.join(tmp, "ansible-tmp"),
        # kolla_ansible's version comes from pbr; the tree has no git metadata
        "PBR_VERSION": "0.0.0",
    })
    if extra_pythonpath:
        out["PYTHONPATH"] = extra_pythonpath + (os.pathsep + out["PYTHONPATH"] if out.get("PYTHONPATH") else "")
    out.update(settings)
    return out


def stub_bcrypt(stubs, who):
    """Writes into the directory stubs a bcrypt module that refuses any use.

    kolla_ansible.filters imports bcrypt for its password-hash filter, which
    none of these runs calls, and Debian 12 has no python3-bcrypt for the
    Python ansible-core 2.19 runs on here: the stand-in lets the import
    succeed and fails any real use, naming who put it there.
    """
    os.makedirs(stubs, exist_ok=True)
    with open(os.path.join(stubs, "bcrypt.py"), "w") as f:
        f.write("def __getattr__(name):\n    raise ImportError('bcrypt is not installed (%s stub)')\n" % who)

