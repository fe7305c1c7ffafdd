package ansibletest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"

	"github.com/kolla-glance/kolla-glance/internal/ansible"
)

// Package-level fuzz support: the invariants every run of every module
// must keep, whatever its arguments.

// Fuzz runs the module on an args file holding data, as the binary does,
// and checks the protocol invariants: no panic in Run, check and diff mode
// taken from the exact _ansible_* keys, exactly one JSON object, exit code 0
// or 1 matching failed, a msg on failure, changed a bool. guard, when not
// nil, sees each context before Run and may refuse the run (the cache_cron
// fuzzer refuses writes outside temporary directories). It returns the
// decoded result.
func (m Module) Fuzz(t testing.TB, dir string, data []byte, guard func(*ansible.Context) error) map[string]any {
	t.Helper()
	path := filepath.Join(dir, "args")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	var panicked any
	var stack []byte
	var ran *ansible.Context
	run := func(ctx *ansible.Context) (*ansible.Result, error) {
		ran = ctx
		if guard != nil {
			if err := guard(ctx); err != nil {
				return nil, err
			}
		}
		defer func() {
			if r := recover(); r != nil {
				panicked, stack = r, debug.Stack()
				panic(r)
			}
		}()
		return m.Run(ctx)
	}
	var out bytes.Buffer
	// Named by argv[0], as a link named after the module runs it: the
	// fuzzed bytes need not be an object that could carry ansible.ModuleKey.
	code := Module{Spec: m.Spec, Run: run}.Dispatch([]string{m.Spec.Name, path}, strings.NewReader(""), &out)
	if panicked != nil {
		t.Fatalf("Run panicked: %v\nargs: %q\n%s", panicked, data, stack)
	}
	if ran != nil {
		CheckFlags(t, data, ran)
	}
	return CheckProtocol(t, data, out.Bytes(), code)
}

// CheckProtocol checks one module run's output: exactly one JSON object,
// exit code 0 or 1 matching failed, a msg on failure, no recovered panic.
func CheckProtocol(t testing.TB, args, out []byte, code int) map[string]any {
	t.Helper()
	if code != 0 && code != 1 {
		t.Fatalf("exit code %d\nargs: %q\nout: %q", code, args, out)
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.UseNumber()
	var res map[string]any
	if err := dec.Decode(&res); err != nil || res == nil {
		t.Fatalf("stdout is not a JSON object (%v)\nargs: %q\nout: %q", err, args, out)
	}
	if rest := bytes.TrimSpace(out[dec.InputOffset():]); len(rest) > 0 {
		t.Fatalf("more than one JSON value on stdout\nargs: %q\nout: %q", args, out)
	}
	failed, isBool := res["failed"].(bool)
	if _, present := res["failed"]; present && !isBool {
		t.Fatalf("failed is not a bool: %#v\nargs: %q", res["failed"], args)
	}
	if failed != (code == 1) {
		t.Fatalf("exit code %d with failed=%v\nargs: %q\nout: %q", code, failed, args, out)
	}
	msg, _ := res["msg"].(string)
	if failed && strings.TrimSpace(msg) == "" {
		t.Fatalf("a failure without msg\nargs: %q\nout: %q", args, out)
	}
	if strings.Contains(msg, "the module panicked") || strings.HasPrefix(msg, "internal error") {
		t.Fatalf("internal error: %s\nargs: %q", msg, args)
	}
	if _, ok := res["changed"].(bool); !ok {
		t.Fatalf("changed is missing or not a bool\nargs: %q\nout: %q", args, out)
	}
	if failed && res["changed"] != false {
		t.Fatalf("a failure with changed=%v\nargs: %q", res["changed"], args)
	}
	return res
}

// ExactFlags returns the check and diff flags an args file sets by the
// exact keys Ansible sends (_ansible_check_mode, _ansible_diff: true), and
// whether the file decodes as an object at all.
func ExactFlags(data []byte) (check, diff, object bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var m map[string]any
	if dec.Decode(&m) != nil || m == nil {
		return false, false, false
	}
	return m["_ansible_check_mode"] == true, m["_ansible_diff"] == true, true
}

// CheckFlags fails when the module ran in another check or diff mode
// than the exact _ansible_check_mode and _ansible_diff keys ask for: Ansible
// matches these keys exactly, so "_ansible_CHECK_MODE" must not count.
func CheckFlags(t testing.TB, args []byte, ctx *ansible.Context) {
	t.Helper()
	check, diff, _ := ExactFlags(args)
	if ctx.CheckMode != check || ctx.DiffMode != diff {
		t.Fatalf("the module ran with check=%v diff=%v, but the exact keys say check=%v diff=%v (internal keys matched case-insensitively?)\nargs: %q",
			ctx.CheckMode, ctx.DiffMode, check, diff, args)
	}
}

// CheckRefusesInvalidJSON: an args file that is not exactly one JSON
// value (trailing bytes after the object included) must be refused.
func CheckRefusesInvalidJSON(t testing.TB, args []byte, res map[string]any) {
	t.Helper()
	if !json.Valid(args) && res["failed"] != true {
		t.Fatalf("an args file that is not one JSON value was accepted\nargs: %q\nout: %v", args, res)
	}
}

// CheckNoSecret fails when a secret appears in any string or number of
// the result. Keys are not checked: AnsibleModule's remove_values leaves
// keys alone too, and the keys of a result are option and section names.
func CheckNoSecret(t testing.TB, args []byte, res map[string]any, secrets []string) {
	t.Helper()
	if len(secrets) == 0 {
		return
	}
	var walk func(where string, v any)
	check := func(where, s string) {
		for _, secret := range secrets {
			if strings.Contains(s, secret) {
				t.Fatalf("no_log value %q appears in the result at %s: %q\nargs: %q", secret, where, s, args)
			}
		}
	}
	walk = func(where string, v any) {
		switch x := v.(type) {
		case string:
			check(where, x)
		case json.Number:
			check(where, string(x))
		case []any:
			for i, e := range x {
				walk(fmt.Sprintf("%s[%d]", where, i), e)
			}
		case map[string]any:
			for k, e := range x {
				walk(where+"."+k, e)
			}
		}
	}
	walk("result", res)
}

// Shape builds one module-specific fuzz value from the fuzzed inputs.
type Shape func(s1, s2 string, n int64) any

// FuzzValue picks a JSON value from the fuzzed inputs: one of the shapes
// every option of every module must survive (the two strings, an int, a
// float, a bool, one of words, a list, null, a long repetition, an empty
// list), or one of the module's own extras.
func FuzzValue(kind uint32, s1, s2 string, n int64, words []string, extras ...Shape) any {
	common := []Shape{
		func(s1, _ string, _ int64) any { return s1 },
		func(_, s2 string, _ int64) any { return s2 },
		func(_, _ string, n int64) any { return json.Number(strconv.FormatInt(n, 10)) },
		func(_, _ string, n int64) any { return json.Number(strconv.FormatFloat(float64(n)/7, 'g', -1, 64)) },
		func(_, _ string, n int64) any { return n%2 == 0 },
		func(_, _ string, n int64) any { return words[uint64(n)%uint64(len(words))] },
		func(s1, s2 string, _ int64) any { return []any{s1, s2} },
		func(string, string, int64) any { return nil },
		func(s1, _ string, n int64) any { return strings.Repeat(s1, int(uint64(n)%64)) },
		func(string, string, int64) any { return []any{} },
	}
	shapes := append(common, extras...)
	return shapes[kind%uint32(len(shapes))](s1, s2, n)
}
