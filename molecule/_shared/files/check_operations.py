"""Check the order of operations an upgrade really performed.

Reads the kolla-operations.log files the glance-api image writes (one line
per operation start and end, with a UTC timestamp, the release of the image
and the host) and checks them against the rules of a legacy or a rolling
upgrade. Prints the timeline; exits 1 with the broken rule otherwise.

    check_operations.py --mode legacy|rolling [--max-unavailable N] LOG...
"""
import argparse
import re
import sys

LINE = re.compile(r"^(\S+) kolla-glance op=(\S+) release=(\S+) host=(\S+) (start|end)\b(.*)$")


def parse(paths):
    events = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for line in f:
                m = LINE.match(line.strip())
                if m:
                    ts, op, release, host, kind, rest = m.groups()
                    events.append((ts, op, release, host, kind, rest.strip()))
    events.sort()
    return events


def fail(msg):
    print("ORDER VIOLATION: " + msg)
    sys.exit(1)


def one(events, op, kind):
    found = [e for e in events if e[1] == op and e[2] == "new" and e[4] == kind]
    if len(found) != 1:
        fail("expected exactly one %s %s of the new release, found %d" % (op, kind, len(found)))
    return found[0][0]


def first(events, op, kind, resumed):
    """The time of the first op/kind of the new release: exactly one unless
    the upgrade was interrupted and run again (--resumed), when a step
    may have run in each run."""
    if not resumed:
        return one(events, op, kind)
    found = [e[0] for e in events if e[1] == op and e[2] == "new" and e[4] == kind]
    if not found:
        fail("expected a %s %s of the new release, found none" % (op, kind))
    return min(found)


FIELD = re.compile(r"(\w+)=(\S+)")

# What the new release's glance-manage says of a database it has fully
# upgraded (Glance 2025.1: the last migration is 2024_1_contract01).
FINAL_DB_VERSION = "2024_1_contract01"


def fields(rest):
    return dict(FIELD.findall(rest))


def check_database(events, last_op, resumed=False):
    """The database was really migrated: print each step of the new release
    with glance-manage's db version and db check code before and after, and
    require that the first step found work to do (check != 0) and the last
    left the database at the final version with db check 0."""
    steps = []
    for ts, op, release, host, kind, rest in events:
        if release == "new" and op.startswith("db_") and kind in ("start", "end"):
            steps.append((op, kind, fields(rest)))
    if not steps:
        fail("no database step of the new release in the logs")
    for op, kind, f in steps:
        print("DB %-12s %-5s glance=%s db_version=%s db_check=%s" % (
            op, kind, f.get("glance", "?"), f.get("db_version", "?"), f.get("db_check", "?")))
    first = steps[0][2]
    if first.get("db_check") in (None, "0"):
        fail("the first database step found nothing to do (db_check=%s): no real migration" % first.get("db_check"))
    ends = [f for op, kind, f in steps if op == last_op and kind == "end"]
    if len(ends) != 1 and not (resumed and ends):
        fail("expected one end of %s, found %d" % (last_op, len(ends)))
    if ends[-1].get("db_check") != "0" or ends[-1].get("db_version") != FINAL_DB_VERSION:
        fail("after %s: db_check=%s db_version=%s, want 0 and %s" % (
            last_op, ends[-1].get("db_check"), ends[-1].get("db_version"), FINAL_DB_VERSION))
    print("OK database: migrated from db_check=%s to db_version=%s, db_check=0" % (first.get("db_check"), FINAL_DB_VERSION))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", choices=["legacy", "rolling"], required=True)
    ap.add_argument("--max-unavailable", type=int, default=1)
    ap.add_argument("--hosts", required=True, help="comma-separated glance-api hosts")
    ap.add_argument("--resumed", action="store_true",
                    help="the upgrade was interrupted and run again: a database step may have run more than once")
    ap.add_argument("logs", nargs="+")
    args = ap.parse_args()
    hosts = args.hosts.split(",")
    events = parse(args.logs)
    for e in events:
        print(" ".join(e[:5]))
    old_end = {}
    new_start = {}
    for ts, op, release, host, kind, _ in events:
        if op != "api":
            continue
        if release == "old" and kind == "end":
            old_end[host] = ts
            if args.resumed:
                # a rolled-back host ran the old release again: what counts
                # is the new start after its last old end
                new_start.pop(host, None)
        if release == "new" and kind == "start" and host not in new_start:
            new_start[host] = ts
    for h in hosts:
        if h not in old_end:
            fail("the old glance-api of %s never stopped" % h)
        if h not in new_start:
            fail("the new glance-api of %s never started" % h)
        if new_start[h] < old_end[h]:
            fail("%s started the new release before its old one stopped" % h)
    first_new = min(new_start.values())
    last_new = max(new_start.values())
    if args.mode == "legacy":
        sync_start, sync_end = one(events, "db_sync", "start"), one(events, "db_sync", "end")
        for h in hosts:
            if old_end[h] > sync_start:
                fail("legacy: %s still ran the old API when db_sync started" % h)
        if first_new < sync_end:
            fail("legacy: a new API started before db_sync ended")
        check_database(events, "db_sync")
        print("OK legacy: every old API stopped before db_sync; every new API started after it")
        return
    expand_end = first(events, "db_expand", "end", args.resumed)
    migrate_start = first(events, "db_migrate", "start", args.resumed)
    migrate_end = first(events, "db_migrate", "end", args.resumed)
    contract_start = first(events, "db_contract", "start", args.resumed)
    if not expand_end <= migrate_start:
        fail("rolling: db_migrate started before db_expand ended")
    if first_new < migrate_end:
        fail("rolling: a new API started before db_migrate ended")
    if contract_start < last_new:
        fail("rolling: db_contract started before the last host ran the new release")
    # Out of service: from the old API's end to the new API's start.
    points = sorted([(old_end[h], 1, h) for h in hosts] + [(new_start[h], -1, h) for h in hosts])
    down, worst = 0, 0
    for _, delta, _ in points:
        down += delta
        worst = max(worst, down)
    if worst > args.max_unavailable:
        fail("rolling: %d hosts were down at once (max_unavailable %d)" % (worst, args.max_unavailable))
    if worst >= len(hosts):
        fail("rolling: every host was down at once")
    check_database(events, "db_contract", args.resumed)
    print("OK rolling: expand < migrate < first new API; contract after the last; at most %d host(s) down at once" % worst)


if __name__ == "__main__":
    main()
