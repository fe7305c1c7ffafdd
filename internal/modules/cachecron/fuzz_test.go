package cachecron_test

// Fuzz targets for the cache_cron module's argument handling, run through
// the same entry point as the binary (ansible.Execute with an args file):
//
//	go test -run '^$' -fuzz '^FuzzCacheCronArgs$' -fuzztime 20s ./internal/modules/cachecron
//	go test -run '^$' -fuzz '^FuzzCacheCronTyped$' -fuzztime 20s ./internal/modules/cachecron
//
// Every input must give one JSON object on stdout, exit code 0 or 1 matching
// failed, a non-empty msg on failure and no panic (neither in validation nor
// in Run).
// An args file that is not exactly one JSON value must be refused, and check
// and diff mode must follow the exact _ansible_check_mode and _ansible_diff
// keys (Ansible's keys are case-sensitive). Fuzzing never writes outside temporary directories: cron_dir is
// replaced by a fresh t.TempDir() unless _ansible_check_mode is true (check
// mode only reads). A successful run must return entries whose schedules
// parse back unchanged, whose timeouts lie in 1..86400 and are in their
// commands, and whose commands hold no newline, "%" or control character, and must have written exactly those lines; a second identical
// run must report no change. Crashers are kept in testdata/fuzz/<FuzzName>/
// and replayed by a plain `go test`.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/kolla-glance/kolla-glance/internal/ansible/ansibletest"

	"github.com/kolla-glance/kolla-glance/internal/ansible"
	"github.com/kolla-glance/kolla-glance/internal/glance/cachejobs"
	"github.com/kolla-glance/kolla-glance/internal/modules/cachecron"
)

// fuzzConfine rewrites an args file so that the run cannot write outside
// cronDir: when the first JSON value is an object (what the SDK decodes)
// and _ansible_check_mode is not true (or a case-folded twin of the key
// could override it), cron_dir is set to cronDir. Bytes after the first
// value are kept, so the SDK still sees them. It reports whether the run
// may write (not check mode). The run wrapper in fuzzRun refuses, as a last
// line of defence, any run outside check mode whose cron_dir is not in a
// temp dir.
func fuzzConfine(data []byte, cronDir string) ([]byte, bool) {
	if !utf8.Valid(data) {
		// The SDK refuses it before the module runs; re-encoding would
		// replace the bad bytes and hide that path.
		return data, false
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var m map[string]any
	if dec.Decode(&m) != nil || m == nil {
		// Not an object: the SDK refuses it before the module runs.
		return data, false
	}
	check := m["_ansible_check_mode"] == true
	if check && !fuzzFoldedKey(m, "_ansible_check_mode") {
		return data, false
	}
	m["cron_dir"] = cronDir
	head, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return append(head, data[dec.InputOffset():]...), !check
}

// fuzzFoldedKey reports whether m holds a key that equals key under
// Unicode case folding without being key (encoding/json would take it
// for key).
func fuzzFoldedKey(m map[string]any, key string) bool {
	for k := range m {
		if k != key && strings.EqualFold(k, key) {
			return true
		}
	}
	return false
}

// fuzzRun executes the module on an args file holding data and checks the
// protocol invariants. It never lets a fuzzed run write outside the
// temporary directories: a run outside check mode whose cron_dir is
// elsewhere is refused (and fails the test).
func fuzzRun(t *testing.T, argsDir string, data []byte) map[string]any {
	t.Helper()
	return fuzzModule.Fuzz(t, argsDir, data, func(ctx *ansible.Context) error {
		if dir := ctx.Params.String("cron_dir"); !ctx.CheckMode && !strings.HasPrefix(filepath.Clean(dir)+"/", os.TempDir()+"/") {
			t.Errorf("refusing to run outside check mode with cron_dir %q\nargs: %q", dir, data)
			return fmt.Errorf("fuzz harness: refused cron_dir %q", dir)
		}
		return nil
	})
}

var fuzzModule = ansibletest.Module{Spec: cachecron.Spec(), Run: cachecron.Run}

// fuzzCheckEntries checks the entries of a successful run: schedules that
// parse back to themselves, commands without newline, "%" or control
// characters, and (when written) the file holding exactly these lines under
// their markers.
func fuzzCheckEntries(t *testing.T, args []byte, res map[string]any, written bool) {
	t.Helper()
	entries, _ := res["entries"].([]any)
	var file []byte
	if written {
		path, _ := res["cron_file"].(string)
		var err error
		if file, err = os.ReadFile(path); err != nil {
			t.Fatalf("cron_file %q after a successful run: %v\nargs: %q", path, err, args)
		}
		st, err := os.Stat(path)
		if err != nil || st.Mode().Perm() != cachejobs.FileMode {
			t.Fatalf("cron_file %q mode %v (%v), want %v\nargs: %q", path, st.Mode(), err, cachejobs.FileMode, args)
		}
	}
	for _, e := range entries {
		entry, _ := e.(map[string]any)
		name, _ := entry["name"].(string)
		sched, _ := entry["schedule"].(string)
		command, _ := entry["command"].(string)
		parsed, err := cachejobs.ParseSchedule(sched)
		if err != nil || parsed.String() != sched {
			t.Fatalf("entry %s: schedule %q does not parse back (%v)\nargs: %q", name, sched, err, args)
		}
		if strings.ContainsFunc(command, func(r rune) bool { return r == '%' || unicode.IsControl(r) }) {
			t.Fatalf("entry %s: command %q holds %% or a control character\nargs: %q", name, command, args)
		}
		timeout, err := strconv.Atoi(fmt.Sprint(entry["timeout"]))
		if err != nil || timeout < 1 || timeout > cachejobs.MaxTimeout || !strings.Contains(command, fmt.Sprintf(" sh -c 'exec timeout -k %ds %ds %s ", cachejobs.KillAfter, timeout, name)) {
			t.Fatalf("entry %s: timeout %v is out of range or not in command %q\nargs: %q", name, entry["timeout"], command, args)
		}
		if written && !bytes.Contains(file, []byte(cachejobs.MarkerPrefix+name+"\n"+sched+" ")) {
			t.Fatalf("entry %s: %q is not in the file:\n%s\nargs: %q", name, sched, file, args)
		}
		if written && !bytes.Contains(file, []byte(" "+command+"\n")) {
			t.Fatalf("entry %s: command %q is not in the file:\n%s\nargs: %q", name, command, file, args)
		}
	}
}

// fuzzKollaSeeds are args files as kolla-ansible's glance role would send
// them, and broken ones: injections, traversal, wrong types.
var fuzzKollaSeeds = []string{
	`{}`,
	`{"state": "present", "container_engine": "docker", "container_name": "glance_api", "splay_seed": "control01",
	  "glance_release": "2024.1", "_ansible_check_mode": false, "_ansible_no_log": false, "_ansible_debug": false,
	  "_ansible_diff": true, "_ansible_verbosity": 0, "_ansible_version": "2.17.0", "_ansible_module_name": "kolla.glance.cache_cron",
	  "_ansible_syslog_facility": "LOG_USER", "_ansible_selinux_special_fs": ["fuse", "nfs", "vboxsf", "ramfs", "9p", "vfat"],
	  "_ansible_string_conversion_action": "warn", "_ansible_socket": null, "_ansible_shell_executable": "/bin/sh",
	  "_ansible_keep_remote_files": false, "_ansible_tmpdir": null, "_ansible_remote_tmp": "~/.ansible/tmp",
	  "_ansible_ignore_unknown_opts": false, "_ansible_target_log_info": null, "_ansible_tracebacks_for": []}`,
	`{"container_engine": "podman", "pruner_schedule": "@hourly", "cleaner_schedule": "15 */6 * * *", "backup": "yes", "glance_release": "zed"}`,
	`{"state": "absent"}`,
	`{"pruner_schedule": "*/30 * * * *", "cleaner_schedule": "1 0 * * mon-fri", "splay_seed": "control02", "glance_release": "master", "log_dir": "/var/log/kolla/glance"}`,
	`{"pruner_schedule": "0-59/7,3 1-23/2 1,15 jan-jun/2 sun,7", "cleaner_schedule": "@REBOOT", "user": "glance_svc", "cron_file": "glance-cache_2"}`,
	`{"pruner_schedule": "*/30 * * * *\n* * * * * root id", "cleaner_schedule": "1 0 * * * %", "container_name": "glance_api; rm -rf /"}`,
	`{"container_name": "glance_api\n* * * * * root id", "user": "root\nx", "log_dir": "/var/log/../tmp", "glance_release": "2024.3"}`,
	`{"cron_file": "../../etc/cron.d/x", "cron_dir": "/etc/cron.d/../passwd", "_ansible_check_mode": true}`,
	`{"cron_file": ".hidden", "cron_dir": "relative/dir", "state": "absent", "_ansible_check_mode": true}`,
	`{"cron_dir": "~/../../etc", "_ansible_check_mode": true}`,
	`{"cron_dir": "$HOME/cron.d", "_ansible_check_mode": true, "_ansible_diff": true}`,
	`{"state": "gone", "container_engine": "lxc", "backup": "perhaps", "pruner_schedule": ["*/30", "*"], "user": {"a": 1}, "bogus": 1}`,
	`{"pruner_schedule": 1e400, "cleaner_schedule": 99999999999999999999, "user": 0, "splay_seed": 12}`,
	`{"pruner_schedule": "60 24 32 13 8", "cleaner_schedule": "5/10 * * * *"}`,
	`{"splay_seed": "a\u0000b", "container_name": "\u2028"}`,
	`{"state": "present"}]`,
	`{"state": "present"} {"state": "absent"}`,
	`{"_ansible_check_mode": "yes"}`,
	`[{"state": "present"}]`, `null`, ``, `{`, "{\"user\": \"\xff\"}",
}

// FuzzCacheCronArgs fuzzes the raw bytes of the args file. A run that may
// write (not check mode) gets a fresh temporary cron_dir.
func FuzzCacheCronArgs(f *testing.F) {
	for _, s := range fuzzKollaSeeds {
		f.Add([]byte(s))
	}
	argsDir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		cronDir := t.TempDir()
		confined, writes := fuzzConfine(data, cronDir)
		res := fuzzRun(t, argsDir, confined)
		ansibletest.CheckRefusesInvalidJSON(t, confined, res)
		if res["failed"] != true {
			jobs, _ := res["jobs"].([]any)
			fuzzCheckEntries(t, confined, res, writes && res["changed"] == true && len(jobs) > 0)
		}
	})
}

// fuzzCacheCronOptions are the options FuzzCacheCronTyped may overwrite.
var fuzzCacheCronOptions = []string{
	"state", "cron_file", "cron_dir", "user", "container_engine", "container_name", "exec_user", "pruner_schedule",
	"cleaner_schedule", "splay_seed", "glance_release", "log_dir", "backup", "timeout", "bogus_option",
}

var fuzzWords = []string{"yes", "no", "present", "absent", "docker", "podman", "@daily", "* * * * *", "", " ", "zed", "2024.1"}

// fuzzShapes are the values only cache_cron's options are fuzzed with:
// line, percent and path injections.
var fuzzShapes = []ansibletest.Shape{
	func(s1, s2 string, _ int64) any { return s1 + "\n" + s2 },
	func(s1, s2 string, _ int64) any { return map[string]any{s1: s2} },
	func(s1, s2 string, _ int64) any { return s1 + "%" + s2 },
	func(s1, s2 string, _ int64) any { return s1 + " " + s2 },
	func(s1, _ string, _ int64) any { return "../" + s1 },
	func(s1, _ string, _ int64) any { return "/" + s1 },
}

// fuzzValue picks a JSON value of some shape from the fuzzed inputs.
func fuzzValue(kind uint32, s1, s2 string, n int64) any {
	return ansibletest.FuzzValue(kind, s1, s2, n, fuzzWords, fuzzShapes...)
}

// FuzzCacheCronTyped builds a realistic args file from fuzzed schedules,
// names and flags in a temporary cron_dir, then overwrites up to three
// options with fuzzed values of any JSON shape (cron_dir only in check
// mode). A successful write is run a second time: it must not change.
func FuzzCacheCronTyped(f *testing.F) {
	f.Add("*/30 * * * *", "1 0 * * *", "glance_api", "control01", "2024.1", int64(0), uint32(0xffffff), uint32(0), uint16(0))
	f.Add("@hourly", "15 */6 * * *", "glance_api", "control02", "zed", int64(3), uint32(0x000b00), uint32(0x000000), uint16(0x0005))
	f.Add("0-59/7,3 1-23/2 1,15 jan-jun/2 sun,7", "@reboot", "glance-api.2", "", "master", int64(-1), uint32(0x0a0908), uint32(0x050505), uint16(0xe000))
	f.Add("* * * * *\n* * * * * root id", "%", "glance_api; id", "x\ny", "2024.3", int64(7), uint32(0x020100), uint32(0x070909), uint16(0xe003))
	f.Add("60 24 32 13 8", "5/10 * * * *", "../etc", "/etc/cron.d", "yoga", int64(1), uint32(0x000002), uint32(0x00000c), uint16(0x0000))
	argsDir := f.TempDir()
	f.Fuzz(func(t *testing.T, pruner, cleaner, name, seed, release string, n int64, sel, kinds uint32, flags uint16) {
		bit := func(i uint) bool { return flags&(1<<i) != 0 }
		cronDir := t.TempDir()
		args := map[string]any{
			"cron_dir": cronDir, "pruner_schedule": pruner, "cleaner_schedule": cleaner, "container_name": name,
			"splay_seed": seed, "glance_release": release, "container_engine": []string{"docker", "podman"}[flags&1],
			"backup": bit(1), "state": []string{"present", "absent"}[(flags>>2)&1],
		}
		if bit(3) {
			args["user"] = name
		}
		if bit(4) {
			args["cron_file"] = name
		}
		check := bit(5)
		for i := uint(0); i < 3; i++ {
			if i > 0 && (flags>>(13+i))&1 == 0 {
				continue
			}
			opt := fuzzCacheCronOptions[uint64(sel>>(8*i)&0xff)%uint64(len(fuzzCacheCronOptions))]
			if opt == "cron_dir" {
				check = true // a fuzzed directory is only ever read
			}
			args[opt] = fuzzValue(kinds>>(8*i), name, seed, n)
		}
		args["_ansible_check_mode"] = check
		args["_ansible_diff"] = bit(6)
		data, err := json.Marshal(args)
		if err != nil {
			t.Fatal(err)
		}
		res := fuzzRun(t, argsDir, data)
		if res["failed"] == true {
			return
		}
		jobs, _ := res["jobs"].([]any)
		written := !check && res["changed"] == true && len(jobs) > 0
		fuzzCheckEntries(t, data, res, written)
		if check || res["changed"] != true {
			return
		}
		again := fuzzRun(t, argsDir, data)
		if again["failed"] == true || again["changed"] != false {
			t.Fatalf("not idempotent: second run changed=%v failed=%v msg=%v\nargs: %q", again["changed"], again["failed"], again["msg"], data)
		}
		if fmt.Sprint(again["entries"]) != fmt.Sprint(res["entries"]) {
			t.Fatalf("second run returns other entries: %v, then %v\nargs: %q", res["entries"], again["entries"], data)
		}
	})
}
