package ansible

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kolla-glance/kolla-glance/internal/problem"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func testSpec() *Spec {
	return &Spec{
		Name: "demo", Collection: "kolla.glance", SupportsCheckMode: true,
		Options: []Option{
			{Name: "name", Type: TypeStr, Required: true},
			{Name: "count", Type: TypeInt, Default: 1},
			{Name: "flag", Type: TypeBool, Default: false},
			{Name: "hosts", Type: TypeList, Elements: TypeStr},
			{Name: "labels", Type: TypeDict},
			{Name: "where", Type: TypePath},
			{Name: "state", Type: TypeStr, Default: "present", Choices: []any{"present", "absent"}},
			{Name: "password", Type: TypeStr, NoLog: true},
			{Name: "a", Type: TypeStr},
			{Name: "b", Type: TypeStr},
			{Name: "items", Type: TypeList, Elements: TypeDict, Options: []Option{
				{Name: "id", Type: TypeStr, Required: true},
				{Name: "on", Type: TypeBool, Default: true},
				{Name: "token", Type: TypeStr, NoLog: true},
			}},
		},
	}
}

// dispatchOne runs spec as the collection's binary runs a module: through
// Dispatch, the module named by argv[0].
func dispatchOne(spec *Spec, version string, fn RunFunc, argv []string, stdin *strings.Reader, out *bytes.Buffer) int {
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	return Dispatch([]Module{{Spec: spec, Run: fn}}, version, append([]string{spec.Name}, argv[1:]...), stdin, out)
}

func run(t *testing.T, spec *Spec, args map[string]any, fn RunFunc) (map[string]any, int) {
	t.Helper()
	dir := t.TempDir()
	data, err := json.Marshal(args)
	require.NoError(t, err)
	path := filepath.Join(dir, "args")
	require.NoError(t, os.WriteFile(path, data, 0o600))
	var out bytes.Buffer
	code := dispatchOne(spec, "1.2.3", fn, []string{"mod", path}, nil, &out)
	assert.Equal(t, 1, bytes.Count(out.Bytes(), []byte("\n")), "exactly one JSON line: %s", out.String())
	var res map[string]any
	require.NoError(t, json.Unmarshal(out.Bytes(), &res), out.String())
	return res, code
}

func echo(ctx *Context) (*Result, error) {
	return &Result{Values: map[string]any{"params": map[string]any(ctx.Params), "check": ctx.CheckMode}}, nil
}

func TestCoercions(t *testing.T) {
	cases := []struct {
		name string
		typ  Type
		in   any
		want any
		err  string
	}{
		{"str", TypeStr, "x", "x", ""},
		{"int to str", TypeStr, json.Number("5"), "5", ""},
		{"float to str", TypeStr, json.Number("1.0"), "1.0", ""},
		{"bool to str refused", TypeStr, true, nil, "'True' is not a string and conversion is not allowed"},
		{"dict to str refused", TypeStr, map[string]any{"a": json.Number("1")}, nil, "'{'a': 1}' is not a string"},
		{"NUL refused", TypeStr, "a\x00b", nil, "NUL byte"},
		{"yes", TypeBool, "yes", true, ""},
		{"No", TypeBool, " No ", false, ""},
		{"True string", TypeBool, "True", true, ""},
		{"1", TypeBool, json.Number("1"), true, ""},
		{"0.0", TypeBool, json.Number("0.0"), false, ""},
		{"maybe", TypeBool, "maybe", nil, "The value 'maybe' is not a valid boolean.  Valid booleans include: 0, 1, 'off'"},
		{"2", TypeBool, json.Number("2"), nil, "The value '2' is not a valid boolean"},
		{"list to bool", TypeBool, []any{}, nil, "<class 'list'> cannot be converted to a bool"},
		{"int", TypeInt, json.Number("3"), 3, ""},
		{"int string", TypeInt, " 42 ", 42, ""},
		{"float to int", TypeInt, json.Number("3.5"), nil, "<class 'float'> cannot be converted to an int"},
		{"bool to int", TypeInt, true, nil, "<class 'bool'> cannot be converted to an int"},
		{"huge int", TypeInt, json.Number("99999999999999999999999"), nil, "99999999999999999999999 is out of range for a 64-bit int"},
		{"csv list", TypeList, "a,b", []any{"a", "b"}, ""},
		{"num list", TypeList, json.Number("7"), []any{"7"}, ""},
		{"dict to list", TypeList, map[string]any{}, nil, "<class 'dict'> cannot be converted to a list"},
		{"json dict", TypeDict, `{"a": 1}`, map[string]any{"a": json.Number("1")}, ""},
		{"kv dict", TypeDict, "a=1 b='x y', c=3", map[string]any{"a": "1", "b": "x y", "c": "3"}, ""},
		{"bad kv", TypeDict, "a=1 junk", nil, "dictionary requested, could not parse JSON or key=value"},
		{"untyped number", "", json.Number("4"), 4, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := coerce(c.typ, c.in, nil)
			if c.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), c.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.want, got)
		})
	}
}

func TestPathExpandsOnTheTarget(t *testing.T) {
	t.Setenv("KG_TEST_DIR", "/srv/x")
	got, err := coerce(TypePath, "$KG_TEST_DIR/a/$KG_UNSET_VAR", nil)
	require.NoError(t, err)
	assert.Equal(t, "/srv/x/a/$KG_UNSET_VAR", got)
}

func TestValidationAggregatesEveryError(t *testing.T) {
	res, code := run(t, testSpec(), map[string]any{
		"count": "many", "flag": "maybe", "state": "gone", "bogus": 1, "a": "x", "b": "y",
	}, echo)
	assert.Equal(t, 1, code)
	assert.Equal(t, true, res["failed"])
	assert.Equal(t, false, res["changed"])
	msg := res["msg"].(string)
	for _, want := range []string{
		"Unsupported parameters for (kolla.glance.demo) module: bogus. Supported parameters include: a, b, count, flag, hosts, items, labels, name, password, state, where.",
		"missing required arguments: name",
		"argument 'count' is of type <class 'str'> and we were unable to convert to int: <class 'str'> cannot be converted to an int",
		"argument 'flag' is of type <class 'str'> and we were unable to convert to bool: The value 'maybe' is not a valid boolean.",
		"value of state must be one of: present, absent, got: gone",
	} {
		assert.Contains(t, msg, want)
	}
	assert.True(t, strings.HasPrefix(msg, "5 problems with the arguments: "), msg)
	assert.Contains(t, res, "invocation", "a validation failure still returns invocation")
}

func TestSingleErrorKeepsAnsibleText(t *testing.T) {
	res, _ := run(t, testSpec(), map[string]any{}, echo)
	assert.Equal(t, "missing required arguments: name", res["msg"])
}

func TestDefaultsAndAdHocStrings(t *testing.T) {
	// ad-hoc -a 'name=x count=3 flag=yes hosts=a,b' gives only strings.
	res, code := run(t, testSpec(), map[string]any{"name": "x", "count": "3", "flag": "yes", "hosts": "a,b", "_ansible_check_mode": true, "_ansible_future_key": 1}, echo)
	require.Equal(t, 0, code, res)
	p := res["params"].(map[string]any)
	assert.Equal(t, "x", p["name"])
	assert.Equal(t, float64(3), p["count"])
	assert.Equal(t, true, p["flag"])
	assert.Equal(t, []any{"a", "b"}, p["hosts"])
	assert.Equal(t, "present", p["state"])
	assert.Nil(t, p["a"])
	assert.Equal(t, true, res["check"])
}

func TestNullMeansDefault(t *testing.T) {
	res, code := run(t, testSpec(), map[string]any{"name": "x", "count": nil}, echo)
	require.Equal(t, 0, code, res)
	assert.Equal(t, float64(1), res["params"].(map[string]any)["count"])
}

func TestSubOptions(t *testing.T) {
	res, _ := run(t, testSpec(), map[string]any{"name": "x", "items": []any{
		map[string]any{"id": "a"}, map[string]any{"on": "perhaps", "junk": 1}, "notadict",
	}}, echo)
	msg := res["msg"].(string)
	assert.Contains(t, msg, "Elements value for option 'items' is of type <class 'str'> and we were unable to convert to dict")
	res, _ = run(t, testSpec(), map[string]any{"name": "x", "items": []any{map[string]any{"on": "perhaps", "junk": 1}}}, echo)
	msg = res["msg"].(string)
	assert.Contains(t, msg, "Unsupported parameters for (kolla.glance.demo) module: items.junk.")
	assert.Contains(t, msg, "missing required arguments: id found in 'items'.")
	assert.Contains(t, msg, "argument 'on' is of type <class 'str'> found in 'items'. and we were unable to convert to bool")
	res, code := run(t, testSpec(), map[string]any{"name": "x", "items": []any{map[string]any{"id": "a"}}}, echo)
	require.Equal(t, 0, code)
	items := res["params"].(map[string]any)["items"].([]any)
	assert.Equal(t, map[string]any{"id": "a", "on": true, "token": nil}, items[0])
}

func TestNoLogScrubsTheWholeResult(t *testing.T) {
	fn := func(ctx *Context) (*Result, error) {
		ctx.Warn("connecting with " + ctx.Params.String("password"))
		return &Result{Msg: "pw=" + ctx.Params.String("password"), Values: map[string]any{
			"echo": ctx.Params.String("password"), "nested": []any{map[string]any{"t": "tok-123"}}, "n": 4242,
		}}, nil
	}
	res, _ := run(t, testSpec(), map[string]any{"name": "x", "password": "s3cr3t", "a": "4242",
		"items": []any{map[string]any{"id": "a", "token": "tok-123"}}}, fn)
	data, _ := json.Marshal(res)
	assert.NotContains(t, string(data), "s3cr3t")
	assert.NotContains(t, string(data), "tok-123")
	assert.Equal(t, "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER", res["echo"])
	assert.Equal(t, "pw=********", res["msg"])
	assert.Equal(t, "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER", res["invocation"].(map[string]any)["module_args"].(map[string]any)["password"])
	assert.Equal(t, []any{"connecting with ********"}, res["warnings"])
}

func TestNoLogValueEchoedInAValidationError(t *testing.T) {
	spec := &Spec{Name: "m", Options: []Option{{Name: "key", Type: TypeStr, NoLog: true, Choices: []any{"a"}}}}
	res, _ := run(t, spec, map[string]any{"key": "hunter2"}, echo)
	assert.NotContains(t, res["msg"], "hunter2")
}

func TestPanicBecomesFailure(t *testing.T) {
	boom := func(*Context) (*Result, error) { panic("boom") }
	res, code := run(t, testSpec(), map[string]any{"name": "x"}, boom)
	assert.Equal(t, 1, code)
	assert.Equal(t, true, res["failed"])
	assert.Contains(t, res["msg"], "panicked: boom")
	assert.NotContains(t, res, "exception")
	res, _ = run(t, testSpec(), map[string]any{"name": "x", "_ansible_verbosity": 3}, boom)
	assert.Contains(t, res["exception"], "goroutine")
}

func TestCheckModeUnsupportedSkips(t *testing.T) {
	spec := testSpec()
	spec.SupportsCheckMode = false
	res, code := run(t, spec, map[string]any{"name": "x", "_ansible_check_mode": true, "_ansible_module_name": "kolla.glance.demo"}, echo)
	assert.Equal(t, 0, code)
	assert.Equal(t, true, res["skipped"])
	assert.Equal(t, "remote module (kolla.glance.demo) does not support check mode", res["msg"])
}

func TestDiffOnlyInDiffMode(t *testing.T) {
	fn := func(*Context) (*Result, error) {
		return &Result{Changed: true, Diffs: []Diff{{Before: "a\n", After: "b\n", BeforeHeader: "f", AfterHeader: "f"}}}, nil
	}
	res, _ := run(t, testSpec(), map[string]any{"name": "x"}, fn)
	assert.NotContains(t, res, "diff")
	res, _ = run(t, testSpec(), map[string]any{"name": "x", "_ansible_diff": true}, fn)
	assert.Equal(t, map[string]any{"before": "a\n", "after": "b\n", "before_header": "f", "after_header": "f"}, res["diff"])
}

func TestInvocationFollowsInjectInvocation(t *testing.T) {
	res, _ := run(t, testSpec(), map[string]any{"name": "x", "_ansible_inject_invocation": false}, echo)
	assert.NotContains(t, res, "invocation")
	res, _ = run(t, testSpec(), map[string]any{"name": "x"}, echo)
	assert.Contains(t, res, "invocation")
}

func TestIgnoreUnknownOpts(t *testing.T) {
	res, code := run(t, testSpec(), map[string]any{"name": "x", "bogus": 1, "_ansible_ignore_unknown_opts": true}, echo)
	assert.Equal(t, 0, code, res)
}

func TestArgsSources(t *testing.T) {
	var out bytes.Buffer
	code := dispatchOne(testSpec(), "1.2.3", echo, []string{"mod"}, strings.NewReader(`{"ANSIBLE_MODULE_ARGS": {"name": "stdin"}}`), &out)
	assert.Equal(t, 0, code, out.String())
	assert.Contains(t, out.String(), `"name":"stdin"`)

	for name, c := range map[string]struct {
		argv  []string
		stdin string
		want  string
	}{
		"missing file":   {[]string{"mod", "/nonexistent/args"}, "", "cannot read the module arguments file"},
		"no args":        {[]string{"mod"}, "", "no module arguments"},
		"not wrapped":    {[]string{"mod"}, `{"name": "x"}`, `must be {"ANSIBLE_MODULE_ARGS": {...}}`},
		"not json":       {[]string{"mod"}, `{"ANSIBLE_MODULE_ARGS": `, "is not a JSON object"},
		"array":          {[]string{"mod"}, `[1]`, "is not a JSON object"},
		"too many argv":  {[]string{"mod", "a", "b"}, "", "expected one argument"},
		"bad utf8":       {[]string{"mod"}, "{\"ANSIBLE_MODULE_ARGS\": {\"name\": \"\xff\"}}", "not valid UTF-8"},
		"trailing value": {[]string{"mod"}, `{"ANSIBLE_MODULE_ARGS": {}} {}`, "more than one JSON value"},
	} {
		t.Run(name, func(t *testing.T) {
			var out bytes.Buffer
			code := dispatchOne(testSpec(), "1.2.3", echo, c.argv, strings.NewReader(c.stdin), &out)
			assert.Equal(t, 1, code)
			var res map[string]any
			require.NoError(t, json.Unmarshal(out.Bytes(), &res))
			assert.Contains(t, res["msg"], c.want)
		})
	}
	out.Reset()
	assert.Equal(t, 0, dispatchOne(testSpec(), "1.2.3", echo, []string{"mod", "--version"}, nil, &out))
	assert.Equal(t, "kolla.glance.demo 1.2.3\n", out.String())
}

// FuzzDecodeArgs checks that no args file makes a module panic, print
// anything but one JSON object, or exit with another code than 0 or 1.
func FuzzDecodeArgs(f *testing.F) {
	for _, seed := range []string{
		`{"name": "x"}`, `{"name": 1, "count": "2", "hosts": "a,b"}`, `{"items": [{"id": "a", "on": "no"}]}`,
		`{"labels": "a=1 b=2"}`, `[]`, `null`, `{"name": "\u0000"}`, "{\"name\": \"\xff\"}", `{"count": 1e400}`,
		`{"_ansible_check_mode": "yes"}`, `{"_ansible_tmpdir": 5}`, `{"items": [[[[[]]]]]}`,
	} {
		f.Add([]byte(seed))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "args")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		code := dispatchOne(testSpec(), "0", echo, []string{"mod", path}, nil, &out)
		if code != 0 && code != 1 {
			t.Fatalf("exit code %d", code)
		}
		var res map[string]any
		dec := json.NewDecoder(bytes.NewReader(out.Bytes()))
		if err := dec.Decode(&res); err != nil {
			t.Fatalf("not one JSON object: %q", out.String())
		}
		if dec.More() {
			t.Fatalf("more than one JSON value: %q", out.String())
		}
		if failed, _ := res["failed"].(bool); failed != (code == 1) {
			t.Fatalf("exit code %d does not match failed=%v", code, res["failed"])
		}
		if failed, _ := res["failed"].(bool); failed {
			if msg, _ := res["msg"].(string); msg == "" {
				t.Fatalf("a failure without msg: %q", out.String())
			}
		}
	})
}

// A module's problems share the validation's rendering, and the three
// kinds of failure are told apart by result key: argument_errors,
// refused/reasons, and neither for a runtime failure.
func TestModuleProblemsShareTheValidationFormat(t *testing.T) {
	args := func(*Context) (*Result, error) {
		var l problem.List
		l.Argument("api_hosts", "", "empty")
		l.Argument("s3_url", "", "empty")
		return nil, fmt.Errorf("glance backends: %w", l.Err())
	}
	res, _ := run(t, testSpec(), map[string]any{"name": "x"}, args)
	assert.Equal(t, "2 problems with the arguments: (1) api_hosts: empty; (2) s3_url: empty", res["msg"])
	assert.Equal(t, []any{"api_hosts: empty", "s3_url: empty"}, res["argument_errors"])
	assert.Nil(t, res["refused"])

	refusal := func(*Context) (*Result, error) {
		var l problem.List
		l.Refuse([]string{"rolling"}, "rolling upgrade refused: one host")
		return nil, l.Err()
	}
	res, _ = run(t, testSpec(), map[string]any{"name": "x"}, refusal)
	assert.Equal(t, "rolling upgrade refused: one host", res["msg"])
	assert.Equal(t, true, res["refused"])
	assert.Equal(t, []any{"rolling upgrade refused: one host"}, res["reasons"])
	assert.Nil(t, res["argument_errors"])

	runtime := func(*Context) (*Result, error) { return nil, errors.New("write /etc/cron.d/x: read-only file system") }
	res, _ = run(t, testSpec(), map[string]any{"name": "x"}, runtime)
	assert.Equal(t, "write /etc/cron.d/x: read-only file system", res["msg"])
	assert.Nil(t, res["refused"])
	assert.Nil(t, res["argument_errors"])

	res, _ = run(t, testSpec(), map[string]any{"name": "x", "count": "many", "bogus": 1}, echo)
	assert.Len(t, res["argument_errors"], 2, res)
}

func TestTrailingJunkAfterTheArgs(t *testing.T) {
	for _, junk := range []string{"]", "}", " x", "{}"} {
		var out bytes.Buffer
		code := dispatchOne(testSpec(), "1", echo, []string{"mod"}, strings.NewReader(`{"ANSIBLE_MODULE_ARGS": {"name": "x"}}`+junk), &out)
		assert.Equal(t, 1, code, junk)
		assert.Contains(t, out.String(), "more than one JSON value", junk)
	}
}

// Every failure that comes from problems lists them under problems, beside
// msg: the option each is about, the value's path and the kind, so that a
// playbook never parses msg. The texts are msg's parts.
func TestProblemsAreListedBesideMsg(t *testing.T) {
	type item = map[string]any
	cases := []struct {
		name string
		args map[string]any
		fn   RunFunc
		want []item
	}{
		{"AnsibleModule's texts", map[string]any{"count": "many", "bogus": 1, "hosts": []any{"a", nil}}, echo, []item{
			{"kind": "argument", "option": "bogus", "options": []any{"bogus"}, "path": "bogus",
				"msg": "Unsupported parameters for (kolla.glance.demo) module: bogus. Supported parameters include: a, b, count, flag, hosts, items, labels, name, password, state, where."},
			{"kind": "argument", "option": "name", "options": []any{"name"}, "path": "name", "msg": "missing required arguments: name"},
			{"kind": "argument", "option": "count", "options": []any{"count"}, "path": "count",
				"msg": "argument 'count' is of type <class 'str'> and we were unable to convert to int: <class 'str'> cannot be converted to an int"},
			{"kind": "argument", "option": "hosts", "options": []any{"hosts"}, "path": "hosts[1]",
				"msg": "Elements value for option 'hosts' is of type <class 'NoneType'> and we were unable to convert to str: null is not allowed in a list"},
		}},
		{"sub-options", map[string]any{"name": "x", "items": []any{map[string]any{"id": "a"}, map[string]any{"on": "perhaps"}}}, echo, []item{
			{"kind": "argument", "option": "items", "options": []any{"items"}, "path": "items[1].id", "msg": "missing required arguments: id found in 'items'."},
			{"kind": "argument", "option": "items", "options": []any{"items"}, "path": "items[1].on",
				"msg": "argument 'on' is of type <class 'str'> found in 'items'. and we were unable to convert to bool: The value 'perhaps' is not a valid boolean.  Valid booleans include: 0, 1, 'off', 'f', 'no', 'y', 'n', 'false', '0', 'on', 'true', 't', '1', 'yes'"},
		}},
		{"a module's problems", map[string]any{"name": "x"}, func(*Context) (*Result, error) {
			var l problem.List
			l.Refuse([]string{"vmware", "openstack_release"}, "vmware was removed")
			l.Argument("ceph_backends", "[1].pool", "empty")
			return nil, fmt.Errorf("glance backends: %w", l.Err())
		}, []item{
			{"kind": "refusal", "option": "vmware", "options": []any{"vmware", "openstack_release"}, "path": "", "msg": "vmware was removed"},
			{"kind": "argument", "option": "ceph_backends", "options": []any{"ceph_backends"}, "path": "ceph_backends[1].pool", "msg": "ceph_backends[1].pool: empty"},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, code := run(t, testSpec(), c.args, c.fn)
			assert.Equal(t, 1, code)
			got, _ := res["problems"].([]any)
			require.Len(t, got, len(c.want), res)
			for i, w := range c.want {
				assert.Equal(t, w, got[i], "problem %d", i)
			}
		})
	}
	res, _ := run(t, testSpec(), map[string]any{"name": "x"}, func(*Context) (*Result, error) { return nil, errors.New("disk full") })
	assert.NotContains(t, res, "problems", "a runtime failure has no problems")
	res, _ = run(t, testSpec(), map[string]any{"name": "x"}, echo)
	assert.NotContains(t, res, "problems")
}
