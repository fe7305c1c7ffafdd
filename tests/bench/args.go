// Package bench holds what `make bench` (tests/bin/bench) measures with Go:
// the upgrade_plan module's planning cost through its whole Execute path
// (benchmarks behind the build tag bench), and the module arguments those
// benchmarks and the timed binary runs share. Nothing here asserts timings.
package bench

import "strconv"

// PlanHosts are the names of an n-host glance-api group, as BenchmarkBuild in
// internal/glance/upgrade names them.
func PlanHosts(n int) []string {
	hosts := make([]string, n)
	for i := range hosts {
		hosts[i] = "controller-" + strconv.Itoa(i) + ".example.org"
	}
	return hosts
}

// PlanArgs is the args file Ansible 2.14 writes for a kolla.glance.upgrade_plan
// task planning the same upgrade as BenchmarkBuild's benchInput: rolling, n
// hosts, every tenth already upgraded, max_unavailable n/10 (at least 1), the
// database needing migrate (db_state 4). The _ansible_* keys are the ones
// 2.14 adds, so the module decodes, validates and ignores what it really gets.
func PlanArgs(n int) map[string]any {
	hosts := PlanHosts(n)
	upgraded := []any{}
	all := make([]any, n)
	for i, h := range hosts {
		all[i] = h
		if i%10 == 9 {
			upgraded = append(upgraded, h)
		}
	}
	args := map[string]any{
		"api_hosts":       all,
		"rolling":         true,
		"max_unavailable": max(1, n/10),
		"db_state":        4,
		"upgraded_hosts":  upgraded,
	}
	for k, v := range InternalArgs("upgrade_plan") {
		args[k] = v
	}
	return args
}

// InternalArgs are the _ansible_* keys ansible-core 2.14 adds to every
// module's args file (ansible-binary-modules.md §1.4), for a module run on
// the controller by the action plugin (no remote temp dir).
func InternalArgs(module string) map[string]any {
	return map[string]any{
		"_ansible_check_mode":               false,
		"_ansible_no_log":                   false,
		"_ansible_debug":                    false,
		"_ansible_diff":                     false,
		"_ansible_verbosity":                0,
		"_ansible_version":                  "2.14.18",
		"_ansible_module_name":              "kolla.glance." + module,
		"_ansible_syslog_facility":          "LOG_USER",
		"_ansible_selinux_special_fs":       []any{"fuse", "nfs", "vboxsf", "ramfs", "9p", "vfat"},
		"_ansible_string_conversion_action": "warn",
		"_ansible_socket":                   nil,
		"_ansible_shell_executable":         "/bin/sh",
		"_ansible_keep_remote_files":        false,
		"_ansible_tmpdir":                   nil,
		"_ansible_remote_tmp":               "/tmp",
	}
}
