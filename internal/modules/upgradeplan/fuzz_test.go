package upgradeplan_test

// Fuzz targets for the upgrade_plan module's argument handling, run through
// the same entry point as the binary (ansible.Execute with an args file):
//
//	go test -run '^$' -fuzz '^FuzzUpgradePlanArgs$' -fuzztime 20s ./internal/modules/upgradeplan
//	go test -run '^$' -fuzz '^FuzzUpgradePlanTyped$' -fuzztime 20s ./internal/modules/upgradeplan
//
// Every input must give one JSON object on stdout, exit code 0 or 1 matching
// failed, a non-empty msg on failure, no panic (neither in validation nor in
// Run), and a successful plan must be well formed (steps numbered from 1,
// actions from the contract).
// An args file that is not exactly one JSON value must be refused, and check
// and diff mode must follow the exact _ansible_check_mode and _ansible_diff
// keys (Ansible's keys are case-sensitive). Crashers are kept in testdata/fuzz/<FuzzName>/
// and replayed by a plain `go test`.

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/kolla-glance/kolla-glance/internal/ansible/ansibletest"

	"github.com/kolla-glance/kolla-glance/internal/glance/upgrade"
	"github.com/kolla-glance/kolla-glance/internal/modules/upgradeplan"
)

// fuzzRun executes the module on an args file holding data, checks the
// protocol invariants, and that a successful plan is well formed.
func fuzzRun(t *testing.T, dir string, data []byte) map[string]any {
	t.Helper()
	res := fuzzModule.Fuzz(t, dir, data, nil)
	if res["failed"] != true {
		fuzzCheckPlan(t, data, res)
	}
	return res
}

var fuzzModule = ansibletest.Module{Spec: upgradeplan.Spec(), Run: upgradeplan.Run}

// fuzzCheckPlan checks what every successful plan must be: a mode, steps
// numbered 1..n with contract actions, batches, api_outage and plan_text.
func fuzzCheckPlan(t *testing.T, args []byte, res map[string]any) {
	t.Helper()
	if res["changed"] != false {
		t.Fatalf("a plan is never a change: changed=%v\nargs: %q", res["changed"], args)
	}
	mode, _ := res["mode"].(string)
	if mode != upgrade.ModeRolling && mode != upgrade.ModeLegacy {
		t.Fatalf("mode %q\nargs: %q", res["mode"], args)
	}
	actions := map[string]bool{}
	for _, a := range upgrade.Actions() {
		actions[a] = true
	}
	steps, ok := res["steps"].([]any)
	if !ok {
		t.Fatalf("steps is %T\nargs: %q", res["steps"], args)
	}
	for i, s := range steps {
		step, _ := s.(map[string]any)
		if fmt.Sprint(step["step"]) != strconv.Itoa(i+1) {
			t.Fatalf("step %d is numbered %v\nargs: %q", i+1, step["step"], args)
		}
		if a, _ := step["action"].(string); !actions[a] || a == upgrade.ActionRevert {
			t.Fatalf("step %d has action %q\nargs: %q", i+1, step["action"], args)
		}
		if _, present := step["rollback_batch"]; !present || (mode == upgrade.ModeLegacy && step["rollback_batch"] != nil) {
			t.Fatalf("step %d has rollback_batch %v in mode %s\nargs: %q", i+1, step["rollback_batch"], mode, args)
		}
	}
	batches, ok := res["batches"].([]any)
	if !ok {
		t.Fatalf("batches is %T\nargs: %q", res["batches"], args)
	}
	// rollback_steps: empty, or one list per batch of a rolling plan, each
	// numbered from 1, with contract actions and a null rollback_batch.
	rollback, ok := res["rollback_steps"].([]any)
	if !ok || (len(rollback) != 0 && (mode != upgrade.ModeRolling || len(rollback) != len(batches) || res["on_failure"] != "rollback")) {
		t.Fatalf("rollback_steps %v for mode %s, %d batches, on_failure %v\nargs: %q", res["rollback_steps"], mode, len(batches), res["on_failure"], args)
	}
	for k, l := range rollback {
		list, _ := l.([]any)
		if len(list) == 0 {
			t.Fatalf("rollback_steps[%d] is empty\nargs: %q", k, args)
		}
		for i, s := range list {
			step, _ := s.(map[string]any)
			rb, present := step["rollback_batch"]
			if fmt.Sprint(step["step"]) != strconv.Itoa(i+1) || !actions[fmt.Sprint(step["action"])] || !present || rb != nil {
				t.Fatalf("rollback_steps[%d][%d] is %v\nargs: %q", k, i, step, args)
			}
		}
	}
	outage, ok := res["api_outage"].(bool)
	if !ok || (mode == upgrade.ModeRolling && outage) {
		t.Fatalf("api_outage %v in mode %s\nargs: %q", res["api_outage"], mode, args)
	}
	if text, _ := res["plan_text"].(string); text == "" {
		t.Fatalf("empty plan_text\nargs: %q", args)
	}
}

// fuzzKollaSeeds are args files as kolla-ansible's glance role would send
// them (string booleans, the _ansible_* keys of a real run), and broken ones.
var fuzzKollaSeeds = []string{
	`{"api_hosts": ["control01", "control02", "control03"]}`,
	`{"api_hosts": ["control01", "control02", "control03"], "rolling": "yes", "file_backend": "no", "file_datadir_shared": "yes",
	  "database": "mariadb", "use_preconfigured_databases": "no", "max_unavailable": 1, "loadbalancer": "yes",
	  "_ansible_check_mode": false, "_ansible_no_log": false, "_ansible_debug": false, "_ansible_diff": false,
	  "_ansible_verbosity": 0, "_ansible_version": "2.17.0", "_ansible_module_name": "kolla.glance.upgrade_plan",
	  "_ansible_syslog_facility": "LOG_USER", "_ansible_selinux_special_fs": ["fuse", "nfs", "vboxsf", "ramfs", "9p", "vfat"],
	  "_ansible_string_conversion_action": "warn", "_ansible_socket": null, "_ansible_shell_executable": "/bin/sh",
	  "_ansible_keep_remote_files": false, "_ansible_tmpdir": null, "_ansible_remote_tmp": "~/.ansible/tmp",
	  "_ansible_ignore_unknown_opts": false, "_ansible_target_log_info": null, "_ansible_tracebacks_for": []}`,
	`{"api_hosts": ["control01", "control02", "control03"], "rolling": true, "db_state": 5, "upgraded_hosts": ["control01"]}`,
	`{"api_hosts": ["control01", "control02", "control03", "control04"], "rolling": true, "max_unavailable": 2, "on_failure": "stop"}`,
	`{"api_hosts": ["control01", "control02"], "on_failure": "retry"}`,
	`{"api_hosts": ["control01", "control02", "control03", "control04", "control05"], "rolling": true, "max_unavailable": "2", "db_state": "4", "upgraded_hosts": "control01,control02"}`,
	`{"api_hosts": ["control01"], "rolling": true, "file_backend": true, "file_datadir_shared": false, "on_unsafe": "legacy"}`,
	`{"api_hosts": ["control01", "control02"], "rolling": true, "database": "postgresql", "on_unsafe": "legacy", "_ansible_check_mode": true}`,
	`{"api_hosts": ["control01", "control02"], "database": "mysql", "use_preconfigured_databases": true, "db_state": 0, "loadbalancer": false}`,
	`{"api_hosts": ["control01", "control02", "control03"], "rolling": true, "max_unavailable": 0, "db_state": 1}`,
	`{"api_hosts": ["a", "a", ""], "rolling": true, "max_unavailable": 5, "database": "oracle", "upgraded_hosts": ["z"], "serial": 1}`,
	`{"api_hosts": ["control01", "control02"], "max_unavailable": 99999999999999999999, "db_state": 1e400}`,
	`{"api_hosts": ["control01", "control02"], "rolling": true, "max_unavailable": -9223372036854775808, "db_state": 9223372036854775807}`,
	`{"api_hosts": {"a": 1}, "rolling": "perhaps", "db_state": "contract", "upgraded_hosts": [null, true, {}]}`,
	`{"api_hosts": ["control01\ncontrol02", "control03%"], "rolling": true}`,
	`{"api_hosts": ["control01", "control02"]}]`,
	`{"api_hosts": ["control01"]} {"api_hosts": ["control02"]}`,
	`{"_ansible_verbosity": "high", "api_hosts": ["control01"]}`,
	`[{"api_hosts": ["control01"]}]`, `null`, ``, `{`, "{\"api_hosts\": [\"\xff\"]}",
	`{"api_hosts": [[[[[[["control01"]]]]]]]}`,
}

// FuzzUpgradePlanArgs fuzzes the raw bytes of the args file.
func FuzzUpgradePlanArgs(f *testing.F) {
	for _, s := range fuzzKollaSeeds {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		res := fuzzRun(t, dir, data)
		ansibletest.CheckRefusesInvalidJSON(t, data, res)
	})
}

// fuzzUpgradeOptions are the options FuzzUpgradePlanTyped may overwrite.
var fuzzUpgradeOptions = []string{
	"api_hosts", "rolling", "file_backend", "file_datadir_shared", "database", "use_preconfigured_databases",
	"max_unavailable", "loadbalancer", "db_state", "upgraded_hosts", "on_unsafe", "on_failure", "bogus_option",
}

var fuzzWords = []string{"yes", "no", "True", "false", "on", "off", "1", "0", "y", "maybe", "", " ", "3", "-1"}

// fuzzShapes are the values only upgrade_plan's options are fuzzed with.
var fuzzShapes = []ansibletest.Shape{
	func(_, _ string, n int64) any { return []any{json.Number(strconv.FormatInt(n, 10)), nil, true} },
	func(s1, s2 string, _ int64) any { return map[string]any{s1: s2} },
	func(_, _ string, n int64) any { return strconv.FormatInt(n, 10) },
	func(s1, s2 string, _ int64) any { return s1 + "," + s2 },
	func(s1, _ string, _ int64) any { return []any{[]any{s1}} },
	func(_, _ string, n int64) any { return json.Number(strconv.FormatInt(n%8, 10)) },
}

// fuzzValue picks a JSON value of some shape from the fuzzed inputs.
func fuzzValue(kind uint32, s1, s2 string, n int64) any {
	return ansibletest.FuzzValue(kind, s1, s2, n, fuzzWords, fuzzShapes...)
}

// FuzzUpgradePlanTyped builds a realistic args file from fuzzed host lists,
// counts and flags, then overwrites up to three options with fuzzed values
// of any JSON shape.
func FuzzUpgradePlanTyped(f *testing.F) {
	f.Add("control01,control02,control03", "", "mariadb", "fail", int64(1), int64(-1), uint32(0), uint32(0), uint16(0x0001))
	f.Add("control01,control02,control03", "control01", "mysql", "legacy", int64(2), int64(5), uint32(0x000806), uint32(0x000d02), uint16(0x0003))
	f.Add("c1,c2,c3,c4,c5,c6,c7", "c1,c2,c3", "sqlite", "fail", int64(3), int64(4), uint32(0x0b0a09), uint32(0x050605), uint16(0xe005))
	f.Add("control01", "", "postgresql", "legacy", int64(0), int64(3), uint32(0x010203), uint32(0x000000), uint16(0x001f))
	f.Add("a,a,,b", "b,z", "oracle", "ignore", int64(-9223372036854775808), int64(9223372036854775807), uint32(0x060708), uint32(0x020304), uint16(0xffff))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, hosts, upgraded, database, onUnsafe string, maxUnavailable, dbState int64, sel, kinds uint32, flags uint16) {
		bit := func(i uint) bool { return flags&(1<<i) != 0 }
		split := func(s string) []any {
			out := []any{}
			if s == "" {
				return out
			}
			for _, h := range strings.Split(s, ",") {
				out = append(out, h)
			}
			return out
		}
		args := map[string]any{
			"api_hosts": split(hosts), "upgraded_hosts": split(upgraded), "rolling": bit(0), "file_backend": bit(1),
			"file_datadir_shared": !bit(2), "database": database, "use_preconfigured_databases": bit(3),
			"max_unavailable": maxUnavailable, "loadbalancer": !bit(4), "on_unsafe": onUnsafe,
		}
		if bit(5) {
			args["db_state"] = dbState
		}
		if bit(10) {
			args["on_failure"] = "stop"
		}
		for i := uint(0); i < 3; i++ {
			if i > 0 && (flags>>(13+i))&1 == 0 {
				continue
			}
			opt := fuzzUpgradeOptions[uint64(sel>>(8*i)&0xff)%uint64(len(fuzzUpgradeOptions))]
			args[opt] = fuzzValue(kinds>>(8*i), hosts, upgraded, dbState)
		}
		args["_ansible_check_mode"] = bit(6)
		args["_ansible_verbosity"] = int(flags>>7) & 7
		data, err := json.Marshal(args)
		if err != nil {
			t.Fatal(err)
		}
		fuzzRun(t, dir, data)
	})
}
