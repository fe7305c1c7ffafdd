//go:build qemu

// Package qemu runs the linux aarch64 binary that `make dist` builds under
// qemu-aarch64-static (Debian's qemu-user-static) on a few args files and
// checks the binary-module protocol: exactly one JSON object on one line of
// stdout, nothing on stderr, exit code 1 exactly when failed, and the same
// result as the binary built for this machine. A missing qemu fails the
// test: it claims the aarch64 binary works, so it may not skip.
//
//	make qemu-protocol   (go test -count=1 -tags qemu ./tests/qemu/)
package qemu

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/kolla-glance/kolla-glance/internal/ansible"
	"github.com/kolla-glance/kolla-glance/internal/platforms"
)

const qemuCmd = "qemu-aarch64-static"

type run struct {
	stdout, stderr []byte
	code           int
}

// binaries returns qemu's path, the aarch64 binary and this machine's.
func binaries(t *testing.T) (qemu, arm, host string) {
	t.Helper()
	qemu, err := exec.LookPath(qemuCmd)
	if err != nil {
		t.Fatalf("%s is missing: the aarch64 binary cannot be run (tests/bin/install-deps installs qemu-user-static)", qemuCmd)
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	tab, err := platforms.Load(root)
	if err != nil {
		t.Fatal(err)
	}
	arm = filepath.Join(root, "plugins", "modules", tab.Binary("linux", "aarch64"))
	host = filepath.Join(root, "plugins", "modules", tab.Host())
	for _, p := range []string{arm, host} {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("%v: run make dist", err)
		}
	}
	return qemu, arm, host
}

func execute(t *testing.T, name string, args []string, stdin []byte) run {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Stdin = bytes.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return run{out.Bytes(), errb.Bytes(), code}
}

// protocol checks one run and returns its result.
func protocol(t *testing.T, r run) map[string]any {
	t.Helper()
	if len(r.stderr) > 0 {
		t.Errorf("stderr is not empty: %q", r.stderr)
	}
	if n := bytes.Count(r.stdout, []byte("\n")); n != 1 || !bytes.HasSuffix(r.stdout, []byte("\n")) {
		t.Fatalf("stdout is not one line: %q", r.stdout)
	}
	dec := json.NewDecoder(bytes.NewReader(r.stdout))
	var res map[string]any
	if err := dec.Decode(&res); err != nil || res == nil {
		t.Fatalf("stdout is not a JSON object: %v: %q", err, r.stdout)
	}
	if dec.More() {
		t.Fatalf("stdout holds more than one JSON value: %q", r.stdout)
	}
	failed, _ := res["failed"].(bool)
	if want := map[bool]int{false: 0, true: 1}[failed]; r.code != want {
		t.Errorf("exit code %d with failed=%v", r.code, failed)
	}
	return res
}

func TestAarch64BinaryProtocol(t *testing.T) {
	qemu, arm, host := binaries(t)
	dir := t.TempDir()
	cronDir := filepath.Join(dir, "cron.d")
	if err := os.Mkdir(cronDir, 0o755); err != nil {
		t.Fatal(err)
	}
	internal := map[string]any{"_ansible_check_mode": true, "_ansible_diff": true, "_ansible_version": "2.19.11",
		"_ansible_remote_tmp": filepath.Join(dir, "tmp"), "_ansible_tmpdir": nil}
	with := func(module string, args map[string]any) map[string]any {
		out := map[string]any{ansible.ModuleKey: module}
		for k, v := range internal {
			out[k] = v
		}
		for k, v := range args {
			out[k] = v
		}
		return out
	}
	cases := []struct {
		name   string
		args   any    // encoded as the args file; nil: no args file
		raw    string // the args file's bytes instead
		stdin  any    // {"ANSIBLE_MODULE_ARGS": ...} on stdin
		argv0  string // qemu -0: the name the binary runs under
		failed bool
		want   string // a fragment of msg
	}{
		{name: "backends", args: with("backends", map[string]any{"api_hosts": []string{"c1", "c2"}, "file_datadir_volume": "/srv/nfs"})},
		{name: "upgrade_plan", args: with("upgrade_plan", map[string]any{"api_hosts": []string{"c1", "c2", "c3"}, "rolling": "yes", "db_state": 4})},
		{name: "cache_cron in check and diff mode", args: with("cache_cron", map[string]any{"cron_dir": cronDir, "glance_release": "2024.1"})},
		{name: "an unknown option", args: with("backends", map[string]any{"api_hosts": []string{"c1"}, "bogus": 1}),
			failed: true, want: "Unsupported parameters for (kolla.glance.backends) module: bogus."},
		{name: "a wrong type", args: with("upgrade_plan", map[string]any{"api_hosts": []string{"a"}, "rolling": "perhaps"}),
			failed: true, want: "argument 'rolling' is of type"},
		{name: "not JSON", raw: "{\"api_hosts\": [", failed: true, want: "is not a JSON object"},
		{name: "no module named", args: map[string]any{"api_hosts": []string{"a"}}, failed: true, want: "which module?"},
		{name: "args on stdin", stdin: with("upgrade_plan", map[string]any{"api_hosts": []string{"a", "b"}})},
		{name: "module from argv[0]", args: map[string]any{"api_hosts": []string{"a"}}, argv0: "backends"},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var argv []string
			var stdin []byte
			if c.args != nil || c.raw != "" {
				data := []byte(c.raw)
				if c.args != nil {
					var err error
					if data, err = json.Marshal(c.args); err != nil {
						t.Fatal(err)
					}
				}
				p := filepath.Join(dir, "args-"+string(rune('a'+i)))
				if err := os.WriteFile(p, data, 0o600); err != nil {
					t.Fatal(err)
				}
				argv = []string{p}
			}
			if c.stdin != nil {
				var err error
				if stdin, err = json.Marshal(map[string]any{"ANSIBLE_MODULE_ARGS": c.stdin}); err != nil {
					t.Fatal(err)
				}
			}
			qargs := []string{}
			if c.argv0 != "" {
				qargs = append(qargs, "-0", c.argv0)
			}
			res := protocol(t, execute(t, qemu, append(append(qargs, arm), argv...), stdin))
			if failed, _ := res["failed"].(bool); failed != c.failed {
				t.Fatalf("failed=%v, want %v: %v", failed, c.failed, res)
			}
			if msg, _ := res["msg"].(string); c.want != "" && !strings.Contains(msg, c.want) {
				t.Errorf("msg %q lacks %q", msg, c.want)
			}
			// The same answer as this machine's binary (run under the same name).
			hostBin := host
			if c.argv0 != "" {
				hostBin = filepath.Join(t.TempDir(), c.argv0)
				if err := os.Symlink(host, hostBin); err != nil {
					t.Fatal(err)
				}
			}
			if want := protocol(t, execute(t, hostBin, argv, stdin)); !reflect.DeepEqual(res, want) {
				t.Errorf("aarch64 and %s disagree:\naarch64: %v\nhost:    %v", filepath.Base(host), res, want)
			}
		})
	}
	if entries, _ := os.ReadDir(cronDir); len(entries) != 0 {
		t.Errorf("check mode wrote into %s: %v", cronDir, entries)
	}
	r := execute(t, qemu, []string{arm, "--version"}, nil)
	if r.code != 0 || !strings.HasPrefix(string(r.stdout), "kolla.glance ") {
		t.Errorf("--version under qemu: %d %q %q", r.code, r.stdout, r.stderr)
	}
}
