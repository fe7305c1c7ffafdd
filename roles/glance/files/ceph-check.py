"""Can glance-api use each RBD store? Run by tasks/ceph-check.yml with
python3 -c in a one-shot container of the glance-api image (its
python3-rados), with the rendered configuration at
/var/lib/kolla/config_files: argv[1] is a JSON list of the enabled
glance_ceph_backends entries (name, cluster, pool, user).

For each store: connect to the cluster as client.<user> with its
keyring, open the pool, write and remove one object, as an image upload
would. Prints one line per store and exits 1 when any store failed.
"""
import json
import socket
import sys
import uuid

import rados

CONFIG = "/var/lib/kolla/config_files/ceph/"
# one object per run: the hosts of a play check the same pool at once
PROBE = "kolla-glance-ceph-check.%s.%s" % (socket.gethostname(), uuid.uuid4().hex)
TIMEOUT = "10"


def check(store):
    cluster, user, pool = store["cluster"], store["user"], store["pool"]
    try:
        conn = rados.Rados(conffile=CONFIG + cluster + ".conf", rados_id=user,
                           conf={"keyring": "%s%s.client.%s.keyring" % (CONFIG, cluster, user),
                                 "client_mount_timeout": TIMEOUT,
                                 "rados_mon_op_timeout": TIMEOUT,
                                 "rados_osd_op_timeout": TIMEOUT})
    except Exception as e:
        return "cannot read ceph/%s.conf or its keyring: %s" % (cluster, describe(e))
    try:
        try:
            conn.connect(timeout=int(TIMEOUT))
        except Exception as e:
            return "cannot reach the cluster %s as client.%s: %s" % (cluster, user, describe(e))
        try:
            ioctx = conn.open_ioctx(pool)
        except rados.ObjectNotFound:
            return "the cluster %s has no pool %s" % (cluster, pool)
        except Exception as e:
            return "client.%s cannot open the pool %s: %s" % (user, pool, describe(e))
        try:
            ioctx.write_full(PROBE, b"ok")
            ioctx.remove_object(PROBE)
        except Exception as e:
            return ("client.%s cannot write to the pool %s: %s (it needs caps mon 'profile rbd' "
                    "osd 'profile rbd pool=%s')" % (user, pool, describe(e), pool))
        finally:
            ioctx.close()
    finally:
        conn.shutdown()
    return None


def describe(e):
    return "%s (%s)" % (e, type(e).__name__) if str(e) else type(e).__name__


def main():
    failed = 0
    for store in json.loads(sys.argv[1]):
        problem = check(store)
        name = "store %s (cluster %s, pool %s, client.%s)" % (store["name"], store["cluster"], store["pool"], store["user"])
        if problem:
            failed += 1
            print("%s: %s" % (name, problem))
        else:
            print("%s: ok" % name)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
