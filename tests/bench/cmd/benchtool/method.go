package main

import (
	"fmt"
	"strconv"
	"strings"
)

func (r *report) howMeasured() string {
	m := r.meta
	runs, _ := strconv.Atoi(m["runs"])
	rounds, _ := strconv.Atoi(m["rounds"])
	bashrc := "The bench's sshd sets `SHLVL=1` for its sessions: root's login shell is bash, which otherwise sources ~/.bashrc for every command sshd runs, " +
		"and this machine's ~/.bashrc runs `pyenv init` (about 100 ms per command, and an uncached task runs five or six). " +
		"A target without such a .bashrc behaves like this; `BENCH_SSH_BASHRC=1 make bench` measures with it."
	if m["ssh_bashrc"] == "1" {
		bashrc = "This run let root's ~/.bashrc run for every command sshd runs (`BENCH_SSH_BASHRC=1`)."
	}
	var lines []string
	for _, l := range r.lines {
		lines = append(lines, r.version(l))
	}
	return fmt.Sprintf(`
## How measured

- **One command, one run**: `+"`make bench`"+` builds the binaries (`+"`make dist`"+`), then tests/bin/bench measures everything above and
  writes this file. It prints the same tables. Nothing fails on a missed target; the tables say pass or FAIL.
- **Two ansible-core lines**: every playbook is timed with ansible-core %[12]s (in that order in each round; `+"`tests/ansible-core/ensure`"+`
  provides them, BENCH_LINES picks them), against the same targets, binaries and caches.
- **Per-task cost.** For each case, a playbook with N identical tasks (N = %[1]s for set_fact and the compute-only modules run
  on the controller, %[11]s for those run with kolla_glance_compute_on=target, %[2]s for the cron tasks and command: true) and the same
  playbook with no task are timed by hyperfine (`+"`-N`"+`, `+"`--export-json`"+`), %[3]d timed runs each after
  %[4]s warm-up run. The runs are taken in %[5]d rounds of %[6]d; each round times every playbook of a line, connection and group in one
  hyperfine call, and even rounds reverse the order, so the machine's drifting load falls on every playbook alike. Per task =
  (mean_N − mean_0) / N. Every playbook starts with a `+"`set_fact`"+` of the platform facts gather_facts would give (cacheable), so
  the action plugins pick the binary without running `+"`uname`"+` on the target, as in a play that gathered facts.
- **remote_tmp** is an absolute directory of the bench's (Ansible refuses a `+"`~`"+` path that leaves the home directory, and the
  bench writes nothing in root's home). With Ansible's default, `+"`~/.ansible/tmp`"+`, the uncached path (the cache off, and
  Python modules such as command) runs one more command per task, `+"`echo ~`"+`, which the cache's script does not need: the
  figures here flatter the uncached path by that round trip.
- **The binary cache.** Warm: the default cache directory (under the bench's remote_tmp) holds the binary before timing, as it
  does after a host's first task. Cold: each task of the playbook has a cache directory of its own (a block variable
  `+"`kolla_glance_binary_cache_dir`"+`), and hyperfine's `+"`--prepare`"+` removes them all before every timed run, so every task
  finds its cache empty: one command that misses, the sftp PUT of the binary into the directory, one command that installs and
  runs it. Off: `+"`kolla_glance_binary_cache: false`"+` as a play variable, Ansible's own binary-module path (remote temp dir,
  PUT of the binary and of the args, chmod, exec, rm), which every task took before the cache.
- **Inventory.** Two hosts entries for the same machine: `+"`ansible_connection=local`"+`, and `+"`ansible_connection=ssh`"+` to an sshd
  the bench starts on 127.0.0.1:%[7]s with its own sshd_config, host key and authorized key in a temp dir (stopped at the end),
  `+"`ansible_user=root`"+`, a private key, `+"`-o StrictHostKeyChecking=no`"+`, `+"`-F /dev/null`"+`. Ansible's default ssh_args
  (`+"`-C -o ControlMaster=auto -o ControlPersist=60s`"+`) are kept, no pipelining (the default; binary modules are never pipelined,
  and the cache sends the args on stdin whatever the setting). One master connection on Ansible's ControlPath is opened before
  timing and kept for the whole bench, the state a play is in after its first task, so no timed run pays the SSH handshake.
- %[8]s
- **The Python equivalents.** cache_cron: two ansible.builtin.cron tasks with an absolute cron_file, user root, and the same
  names, schedules and commands cache_cron writes (taken from the module's own output; before timing, both write their file
  and the two files are compared byte for byte); the file is already right, the case a deploy meets on every run but the
  first. backends: one set_fact evaluating kolla-ansible's
  own Jinja (copied from kolla-ansible master into tests/bench/inventory/group_vars/all.yml): glance_backend_file,
  glance_api_hosts, glance_store_backends (enabled == true), the enabled_backends line of glance-api.conf.j2 and
  glance_default_backend; the bench checks both give the same answers. upgrade_plan: one set_fact building kolla-ansible's
  rolling-upgrade order for three hosts as a list of steps. The floor: `+"`ansible.builtin.command: true`"+`.
- **Where the compute-only modules run.** backends and upgrade_plan run the controller's binary (no transfer) by default; with
  `+"`kolla_glance_compute_on: target`"+` (a play variable here) they run on the target like cache_cron. set_fact never touches the target.
- **Where the time goes over SSH**: sftp and ssh through the bench's master connection (and one without compression for the
  comparison); the warm command is the cache's own /bin/sh script (binary_cache.command) for upgrade_plan with the args on stdin.
- **Sizes** come from `+"`stat`"+` of the dist binaries and of rebuilds with one more flag each time; static and stripped are read
  from the ELF headers (no PT_INTERP/PT_DYNAMIC, no .symtab). The tarballs are `+"`ansible-galaxy collection build`"+` of this tree
  and of the tree before one binary (`+"`git archive`"+`, with its six binaries built with today's flags).
- **Planning time**: `+"`go test -tags bench -run '^$' -bench 'BenchmarkBuild|BenchmarkUpgradePlan' -benchmem -count %[9]s -benchtime %[10]s ./internal/glance/upgrade/ ./tests/bench/`"+`,
  and hyperfine of the binary (`+"`--warmup 3 --min-runs 15`"+`) on args files the bench writes (`+"`benchtool plan-args`"+`).
- **Noise.** The machine is shared (see the load average above): read the ± columns, the median ratio and the spread table
  before trusting a digit. "within noise" marks a verdict that one standard error either way would flip.
`, m["n"], m["n_cron"], rounds*runs, m["warmup"], rounds, runs, m["ssh_port"], bashrc, m["go_count"], m["go_benchtime"], m["n_target"],
		strings.Join(lines, " and "))
}
