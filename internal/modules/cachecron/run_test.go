package cachecron_test

// Regression tests for Run, through the binary's entry point
// (ansible.Execute with an args file), on scratch cron dirs.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kolla-glance/kolla-glance/internal/ansible/ansibletest"
	"github.com/kolla-glance/kolla-glance/internal/modules/cachecron"
)

// runModule runs the module once with args (plus the internal keys
// Ansible always sends) and returns the decoded result.
func runModule(t *testing.T, args map[string]any) map[string]any {
	t.Helper()
	full := map[string]any{"_ansible_check_mode": false, "_ansible_diff": true, "_ansible_module_name": "kolla.glance.cache_cron"}
	for k, v := range args {
		full[k] = v
	}
	b, err := json.Marshal(full)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "args")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	code := ansibletest.Module{Spec: cachecron.Spec(), Run: cachecron.Run}.Dispatch([]string{"cache_cron", path}, strings.NewReader(""), &out)
	var res map[string]any
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, out.Bytes())
	}
	if failed, _ := res["failed"].(bool); failed != (code == 1) {
		t.Fatalf("exit code %d does not match failed=%v", code, res["failed"])
	}
	return res
}

// A bad user is one problem: it must be reported once, not once per entry
// ("2 problems with the arguments: user ...; user ...").
func TestRunReportsABadUserOnce(t *testing.T) {
	for _, user := range []string{"ro%ot", "root nobody", "root\n* * * * * root touch /tmp/x"} {
		res := runModule(t, map[string]any{"cron_dir": t.TempDir(), "glance_release": "zed", "user": user})
		msg, _ := res["msg"].(string)
		if res["failed"] != true || !strings.Contains(msg, "user ") {
			t.Fatalf("user %q: want a failure naming user, got %v", user, res)
		}
		if n := strings.Count(msg, "is not a valid user name"); n != 1 {
			t.Errorf("user %q reported %d times: %s", user, n, msg)
		}
	}
}

// state=absent on a file that holds none of this module's entries has
// nothing to remove: no change, and the file (its mode included) is left
// alone, as ansible.builtin.cron does. A 0600 file is one cron runs and
// the operator may have chosen (secrets in environment lines).
func TestRunAbsentLeavesAFileWithoutOurEntriesAlone(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "kolla-glance-cache")
	content := "MAILTO=ops@example.com\nSECRET_TOKEN=s3cr3t\n17 * * * * root /usr/local/bin/report\n"
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	before, _ := os.Stat(path)
	res := runModule(t, map[string]any{"cron_dir": dir, "state": "absent"})
	if res["failed"] == true || res["changed"] != false {
		t.Errorf("state=absent with none of our entries: want changed=false, got %v", res)
	}
	after, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if after.Mode().Perm() != 0o600 || !os.SameFile(before, after) {
		t.Errorf("the file was rewritten: mode %v, same inode %v", after.Mode().Perm(), os.SameFile(before, after))
	}
	if got, _ := os.ReadFile(path); string(got) != content {
		t.Errorf("content changed:\n%s", got)
	}
}

// Duplicated markers (two tasks, or a hand edit) would run a job twice:
// present keeps the first in place and drops the rest; absent drops all.
func TestRunCollapsesDuplicateMarkers(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "kolla-glance-cache")
	content := "# top\n#Ansible: glance-cache-pruner\n5 * * * * root /bin/true one\n# middle\n" +
		"#Ansible: glance-cache-pruner\n6 * * * * root /bin/true two\n#Ansible: glance-cache-cleaner\n"
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	res := runModule(t, map[string]any{"cron_dir": dir, "glance_release": "zed"})
	if res["changed"] != true {
		t.Fatalf("want changed, got %v", res)
	}
	got, _ := os.ReadFile(path)
	text := string(got)
	for _, name := range []string{"glance-cache-pruner", "glance-cache-cleaner"} {
		if n := strings.Count(text, "#Ansible: "+name+"\n"); n != 1 {
			t.Errorf("%d markers for %s:\n%s", n, name, text)
		}
		if n := strings.Count(text, "s "+name+" --config-file "); n != 1 {
			t.Errorf("%d job lines for %s:\n%s", n, name, text)
		}
	}
	if strings.Contains(text, "/bin/true") || !strings.HasPrefix(text, "# top\n#Ansible: glance-cache-pruner\n*/30 ") ||
		!strings.Contains(text, "\n# middle\n") {
		t.Errorf("unexpected file:\n%s", text)
	}
	res = runModule(t, map[string]any{"cron_dir": dir, "state": "absent"})
	got, _ = os.ReadFile(path)
	if res["changed"] != true || string(got) != "# top\n# middle\n" {
		t.Errorf("absent: %v\n%q", res, got)
	}
}

// entryTimeouts returns the timeout of each returned entry, by name.
func entryTimeouts(t *testing.T, res map[string]any) map[string]any {
	t.Helper()
	out := map[string]any{}
	entries, _ := res["entries"].([]any)
	for _, e := range entries {
		entry, _ := e.(map[string]any)
		out[entry["name"].(string)] = entry["timeout"]
	}
	return out
}

// The timeout option: null derives each job's from its schedule, a number
// (or kolla's string of one) applies to both, and the commands carry it.
func TestRunTimeout(t *testing.T) {
	tests := []struct {
		name    string
		args    map[string]any
		want    map[string]any
		warning string
	}{
		{"unset", map[string]any{}, map[string]any{"glance-cache-pruner": 1620.0, "glance-cache-cleaner": 3600.0}, ""},
		{"null", map[string]any{"timeout": nil}, map[string]any{"glance-cache-pruner": 1620.0, "glance-cache-cleaner": 3600.0}, ""},
		{"every minute", map[string]any{"pruner_schedule": "* * * * *", "cleaner_schedule": "@hourly", "splay_seed": "control01"},
			map[string]any{"glance-cache-pruner": 54.0, "glance-cache-cleaner": 3240.0}, ""},
		{"explicit", map[string]any{"timeout": 600}, map[string]any{"glance-cache-pruner": 600.0, "glance-cache-cleaner": 600.0}, ""},
		{"a string, as kolla passes it", map[string]any{"timeout": "900"}, map[string]any{"glance-cache-pruner": 900.0, "glance-cache-cleaner": 900.0}, ""},
		{"not shorter than the period", map[string]any{"timeout": 3600}, map[string]any{"glance-cache-pruner": 3600.0, "glance-cache-cleaner": 3600.0},
			`timeout 3600 s is not shorter than the shortest interval between two runs of glance-cache-pruner (30 min, schedule "*/30 * * * *")`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := map[string]any{"cron_dir": t.TempDir(), "glance_release": "zed"}
			for k, v := range tt.args {
				args[k] = v
			}
			res := runModule(t, args)
			require.NotEqual(t, true, res["failed"], "%v", res["msg"])
			assert.Equal(t, tt.want, entryTimeouts(t, res))
			entries := res["entries"].([]any)
			for _, e := range entries {
				entry := e.(map[string]any)
				assert.Contains(t, entry["command"], fmt.Sprintf(" sh -c 'exec timeout -k 10s %.0fs %s --config-file ", entry["timeout"], entry["name"]))
			}
			warnings, _ := res["warnings"].([]any)
			if tt.warning == "" {
				assert.Empty(t, warnings)
			} else {
				require.Len(t, warnings, 1)
				assert.Contains(t, warnings[0], tt.warning)
			}
		})
	}
}

func TestRunRefusesBadTimeouts(t *testing.T) {
	tests := []struct {
		value any
		msg   string
	}{
		{0, "timeout: 0 is out of range; it must be a whole number of seconds from 1 to 86400, or null to derive each job's timeout from its schedule"},
		{-30, "timeout: -30 is out of range;"},
		{86401, "timeout: 86401 is out of range;"},
		{"0", "timeout: 0 is out of range;"},
		{1.5, "argument 'timeout' is of type <class 'float'>"},
		{"an hour", "argument 'timeout' is of type <class 'str'>"},
		{true, "argument 'timeout' is of type <class 'bool'>"},
	}
	for _, tt := range tests {
		dir := t.TempDir()
		res := runModule(t, map[string]any{"cron_dir": dir, "glance_release": "zed", "timeout": tt.value})
		msg, _ := res["msg"].(string)
		assert.Equal(t, true, res["failed"], "timeout %v: %v", tt.value, res)
		assert.Contains(t, msg, tt.msg, "timeout %v", tt.value)
		_, err := os.Stat(filepath.Join(dir, "kolla-glance-cache"))
		assert.True(t, os.IsNotExist(err), "timeout %v: a file was written", tt.value)
	}
}

// Every problem of a call names its option in problems, for the role to
// map to its variables without reading msg.
func TestProblemsNameTheirOptions(t *testing.T) {
	m := ansibletest.Module{Spec: cachecron.Spec(), Run: cachecron.Run}
	res, _, code := m.Execute(t, map[string]any{
		"cron_dir": "relative", "cron_file": "a.b", "user": "ro ot", "timeout": 0, "pruner_schedule": "61 * * * *",
		"container_name": "a b", "glance_release": "2022.2", "log_dir": "x",
	})
	require.Equal(t, 1, code)
	var options, paths, kinds []string
	for _, p := range res["problems"].([]any) {
		p := p.(map[string]any)
		options = append(options, p["option"].(string))
		paths = append(paths, p["path"].(string))
		kinds = append(kinds, p["kind"].(string))
	}
	want := []string{"cron_dir", "cron_file", "user", "timeout", "pruner_schedule", "container_name", "glance_release", "log_dir"}
	assert.Equal(t, want, options)
	assert.Equal(t, want, paths)
	assert.Equal(t, []string{"argument", "argument", "argument", "argument", "argument", "argument", "argument", "argument"}, kinds)
	assert.True(t, strings.HasPrefix(res["msg"].(string), "8 problems with the arguments: (1) cron_dir \"relative\" must be an absolute path; "), res["msg"])
}
