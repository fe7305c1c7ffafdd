// Package upgrade plans a Glance upgrade for kolla.glance.upgrade_plan: the
// ordered steps, legacy (offline) or truly rolling, and the refusal of the
// unsafe cases. It is pure: Build reads its Input and nothing else, keeps no
// state and does no I/O; the role runs the steps.
//
// # Legacy (offline) upgrade
//
// glance-manage db sync runs expand, migrate and contract in one go, with no
// compatibility between old code and new schema. So: stop glance-api on
// every host, install the new code and configuration, run db sync once (on
// the first host), start every host and wait until each is healthy. The API
// is down from the last stop to the first healthy start (api_outage true).
// MySQL/MariaDB's log_bin_trust_function_creators is set to 1 first and back
// to 0 last, as kolla-ansible does, unless use_preconfigured_databases.
//
// # Rolling upgrade
//
// Glance's procedure (doc/source/admin/rollingupgrades.rst, still marked
// EXPERIMENTAL upstream, so every rolling plan carries a warning):
//
//  1. The NEW NODE (the first API host) is drained from the load balancer,
//     stopped, and gets the new code and configuration; it is not started.
//  2. On it: log_bin_trust_function_creators=1, glance-manage db expand, then
//     glance-manage db migrate, which must complete.
//  3. It starts, becomes healthy and is undrained.
//  4. The other hosts follow in batches of at most max_unavailable: drain
//     all, stop all, config all, start all, wait_healthy all, undrain all.
//  5. Once no host runs old code: glance-manage db contract on the database
//     host, then log_bin_trust_function_creators=0.
//
// The invariants of the research notes (glance-upstream-and-peers.md §1.4)
// that the plan keeps, and the tests check over thousands of topologies:
//
//   - I2: db expand runs before any host starts new-release code.
//   - I3: db migrate runs after expand and completes before any new-release
//     service starts. The host running expand and migrate has the new code
//     and configuration and is stopped at that time (I4).
//   - I5: a host's old service is completely stopped before its code is
//     replaced (stop precedes config). Glance asks for one node at a time;
//     the planner generalises that to batches of max_unavailable (1, the
//     default, is Glance's serial order), and never has more than
//     max_unavailable API hosts out of service: a host is out from its drain
//     (or stop, without a load balancer) until its undrain (or wait_healthy).
//     Batch 0 is always one host alone: the NEW NODE, or a canary when no
//     expand/migrate is left to run.
//   - I6: db contract runs only after every host runs new code and no old
//     service remains, that is after the last start and wait_healthy.
//
// Glance itself enforces none of this (nothing in glance-api checks the
// schema at startup), so the orchestrator must.
//
// # Failure and rollback
//
// The plan also says what a failed step leads to, so that the role never
// invents an order. In a rolling plan each step carries rollback_batch: the
// batch out of service when it runs (its own host steps and, for batch 0,
// the database steps run while the new node is down), or null from
// db_contract on (old code cannot run on a contracted database) and outside
// every batch. With on_failure=rollback (the default), rollback_steps[k] are
// the steps that put batch k back: stop, revert (the previous image and
// configuration, not started), start, wait_healthy, undrain, each for every
// host of the batch in order; the database stays expanded and migrated,
// which the previous release runs on by Glance's design. With
// on_failure=stop, and in legacy mode (no previous release can run once
// db_sync has run), rollback_steps is empty and the upgrade just stops.
//
// # Refusals
//
// A rolling upgrade is refused when the file store is on, not shared
// (file_datadir_shared false: kolla runs glance-api on one host only, and the
// kolla guide warns a rolling upgrade "will end up with a corrupt state"),
// when fewer than two API hosts serve, and when the database has no online
// expand/migrate/contract (postgresql: glance-manage runs them only on
// MySQL/MariaDB and sqlite). With on_unsafe=fail that is an error (a
// refusal of internal/problem, matching problem.ErrRefused); with
// on_unsafe=legacy the legacy plan is returned with one warning per reason.
// Input errors (argument problems, matching problem.ErrArgument) are always
// errors; all of them are reported together, in one *problem.Error.
//
// # Resume
//
// db_state is the exit code of `glance-manage db check` run with the new
// code, upgraded_hosts the hosts already on the new release.
//
// Rolling. Expand is needed for db_state null or 3, migrate for null, 3 or
// 4, contract for null, 3, 4 or 5; db_state 0 needs no database step, and
// then no set_log_bin_trust step either. Upgraded hosts are not restarted.
// The database host is the first API host that still needs an upgrade when
// expand or migrate is pending (it is stopped and has the new code when they
// run, as I3 requires), otherwise the first API host. Upgraded hosts that
// already serve while expand or migrate is pending run new code against an
// unmigrated database: that is already unsafe and the plan cannot undo it,
// so it warns and runs expand/migrate first, before any other restart. When
// every host is already upgraded and expand or migrate is pending, the first
// host is drained and stopped, the database steps run there, and it is
// started, checked and undrained again (no config: it already has the new
// code); contract follows. When expand and migrate are done (db_state 5 or
// 0), batch 0 is the first pending host alone, as a canary, and
// set_log_bin_trust 1 comes right before contract. Every skipped step or host
// is listed in Plan.Skipped with the reason.
//
// Legacy. db_state 0 skips db_sync (and set_log_bin_trust); then, and only
// then, upgraded hosts are not restarted, and if any of them keeps serving
// the plan has no API outage. With any other db_state every host is stopped,
// upgraded ones included: old code must not run against the new schema and
// new code must not run before db sync.
//
// # What kolla-ansible gets wrong
//
// Its rolling_upgrade.yml stops only the first host, runs expand and migrate
// there, and the migrate task's run_once notify queues the restart handler on
// every glance-api host of the play: all hosts, the stopped first one
// included, are recreated with the new image at about the same time, not one
// at a time, and none is drained. The handler has no host guard, so with a
// non-shared file store it creates glance_api on hosts that were never meant
// to run it (the guide's "corrupt state"); the mode depends only on
// glance_enable_rolling_upgrade, with no file-store check. With kolla_serial,
// run_once runs once per batch, so contract can run while later batches
// still run old code (I6 broken). Its legacy_upgrade.yml never stops the old
// API containers: they serve through db_sync and until the handler flush,
// old code against the new schema, although the guide says the method "will
// stop APIs during database schema migrations". This planner stops every
// host before db_sync in legacy mode and restarts hosts batch by batch,
// drained, in rolling mode.
package upgrade
