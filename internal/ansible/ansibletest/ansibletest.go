// Package ansibletest runs a module the way Ansible does, for the modules'
// own tests: an args file in argv[1], exactly one JSON object on stdout.
package ansibletest

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/kolla-glance/kolla-glance/internal/ansible"
)

// Module is what a test drives: a spec and its code.
type Module struct {
	Spec *ansible.Spec
	Run  ansible.RunFunc
}

// Execute runs the module with args and returns the decoded result, the raw
// output and the exit code. It fails the test unless stdout is exactly one
// JSON object on one line.
func (m Module) Execute(t testing.TB, args map[string]any) (map[string]any, string, int) {
	t.Helper()
	data, err := json.Marshal(args)
	if err != nil {
		t.Fatalf("encode args: %v", err)
	}
	path := filepath.Join(t.TempDir(), "args")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	code := ansible.Execute(m.Spec, "test", m.Run, []string{"mod", path}, strings.NewReader(""), &out)
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

// SDKKeys are the top-level keys every module result may have besides its
// documented returns.
var SDKKeys = map[string]bool{"changed": true, "invocation": true, "warnings": true, "msg": true}
