package cachecron_test

// Regression tests for Run, through the binary's entry point
// (ansible.Execute with an args file), on scratch cron dirs.

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kolla-glance/kolla-glance/internal/ansible"
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
	code := ansible.Execute(cachecron.Spec(), "test", cachecron.Run, []string{"cache_cron", path}, strings.NewReader(""), &out)
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
		if n := strings.Count(text, "exec "+name+" "); n != 1 {
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
