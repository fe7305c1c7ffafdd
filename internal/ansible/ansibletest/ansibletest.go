// Package ansibletest runs a module the way Ansible runs the collection's
// binary, for the modules' own tests: through ansible.Dispatch, an args
// file in argv[1], exactly one JSON object on stdout.
package ansibletest

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/kolla-glance/kolla-glance/internal/ansible"
)

// Module is what a test drives: a spec and its code.
type Module ansible.Module

// BinaryName is argv[0] of the runs: the collection binary's name, which
// names no module, so the module is picked as the action plugins pick it.
const BinaryName = "kolla_glance_linux_x86_64"

// Dispatch runs the module as the binary does (ansible.Dispatch) with
// argv and stdin, and returns the exit code; the output goes to out.
func (m Module) Dispatch(argv []string, stdin io.Reader, out io.Writer) int {
	return ansible.Dispatch([]ansible.Module{ansible.Module(m)}, "test", argv, stdin, out)
}

// Execute runs the module with args, named by ansible.ModuleKey as the
// action plugins name it, and returns the decoded result, the raw output
// and the exit code. It fails the test unless stdout is exactly one JSON
// object on one line.
func (m Module) Execute(t testing.TB, args map[string]any) (map[string]any, string, int) {
	t.Helper()
	withKey := map[string]any{ansible.ModuleKey: m.Spec.FQCN()}
	for k, v := range args {
		withKey[k] = v
	}
	data, err := json.Marshal(withKey)
	if err != nil {
		t.Fatalf("encode args: %v", err)
	}
	path := filepath.Join(t.TempDir(), "args")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	code := m.Dispatch([]string{BinaryName, path}, strings.NewReader(""), &out)
	if n := strings.Count(out.String(), "\n"); n != 1 {
		t.Fatalf("want exactly one JSON line, got %d: %s", n, out.String())
	}
	var res map[string]any
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("not a JSON object: %v: %s", err, out.String())
	}
	return res, out.String(), code
}

// OK runs the module and fails the test unless it succeeded.
func (m Module) OK(t testing.TB, args map[string]any) map[string]any {
	t.Helper()
	res, raw, code := m.Execute(t, args)
	if code != 0 || res["failed"] != nil {
		t.Fatalf("the module failed (exit %d): %s", code, raw)
	}
	return res
}

// Generic turns a Go value into what encoding/json decodes it to.
func Generic(t testing.TB, v any) any {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// Keys returns a map's keys, sorted.
func Keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// SDKKey reports whether key is a top-level key every module result may
// have besides its documented returns.
func SDKKey(key string) bool {
	switch key {
	case "changed", "invocation", "warnings", "msg":
		return true
	}
	return false
}
