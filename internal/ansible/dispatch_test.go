package ansible

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// twoModules is a binary serving demo (testSpec) and other, which says
// which module ran.
func twoModules() []Module {
	other := &Spec{Name: "other", Collection: "kolla.glance", Options: []Option{{Name: "name", Type: TypeStr}}}
	ran := func(name string) RunFunc {
		return func(ctx *Context) (*Result, error) {
			return &Result{Values: map[string]any{"ran": name, "params": map[string]any(ctx.Params)}}, nil
		}
	}
	return []Module{{Spec: testSpec(), Run: ran("demo")}, {Spec: other, Run: ran("other")}}
}

func dispatch(t *testing.T, argv0, stdin string) (map[string]any, int) {
	t.Helper()
	var out bytes.Buffer
	code := Dispatch(twoModules(), "1.2.3", []string{argv0}, strings.NewReader(stdin), &out)
	assert.Equal(t, 1, bytes.Count(out.Bytes(), []byte("\n")), "exactly one JSON line: %s", out.String())
	var res map[string]any
	require.NoError(t, json.Unmarshal(out.Bytes(), &res), out.String())
	return res, code
}

func TestDispatchByModuleKey(t *testing.T) {
	for _, name := range []string{"other", "kolla.glance.other"} {
		res, code := dispatch(t, "/cache/0123abcd", `{"ANSIBLE_MODULE_ARGS": {"_kolla_glance_module": "`+name+`", "name": "x"}}`)
		assert.Equal(t, 0, code, res)
		assert.Equal(t, "other", res["ran"])
		// The key is not an option: the module never sees it.
		assert.Equal(t, map[string]any{"name": "x"}, res["params"])
	}
	// The key wins over argv[0].
	res, code := dispatch(t, "/usr/local/bin/demo", `{"ANSIBLE_MODULE_ARGS": {"_kolla_glance_module": "other"}}`)
	assert.Equal(t, 0, code, res)
	assert.Equal(t, "other", res["ran"])
}

func TestDispatchByArgv0(t *testing.T) {
	for _, argv0 := range []string{"demo", "/tmp/links/kolla.glance.demo"} {
		res, code := dispatch(t, argv0, `{"ANSIBLE_MODULE_ARGS": {"name": "x"}}`)
		assert.Equal(t, 0, code, res)
		assert.Equal(t, "demo", res["ran"])
	}
}

func TestDispatchRefusesAnUnnamedOrUnknownModule(t *testing.T) {
	for name, c := range map[string]struct{ argv0, stdin, want string }{
		"no key, no name":   {"/x/AnsiballZ_kolla_glance_linux_x86_64", `{"ANSIBLE_MODULE_ARGS": {}}`, "which module? This binary serves demo, other: name one in the argument _kolla_glance_module"},
		"unknown module":    {"demo", `{"ANSIBLE_MODULE_ARGS": {"_kolla_glance_module": "copy"}}`, `_kolla_glance_module is "copy", not a module of this binary (demo, other)`},
		"not a string":      {"demo", `{"ANSIBLE_MODULE_ARGS": {"_kolla_glance_module": ["demo"]}}`, "not a module of this binary"},
		"unreadable args":   {"demo", `{"ANSIBLE_MODULE_ARGS": `, "is not a JSON object"},
		"collection prefix": {"demo", `{"ANSIBLE_MODULE_ARGS": {"_kolla_glance_module": "kolla.glance"}}`, "not a module of this binary"},
	} {
		t.Run(name, func(t *testing.T) {
			res, code := dispatch(t, c.argv0, c.stdin)
			assert.Equal(t, 1, code)
			assert.Equal(t, true, res["failed"])
			assert.Contains(t, res["msg"], c.want)
		})
	}
}

func TestDispatchVersion(t *testing.T) {
	for argv0, want := range map[string]string{
		"kolla_glance_linux_x86_64": "kolla.glance 1.2.3\n",
		"other":                     "kolla.glance.other 1.2.3\n",
	} {
		var out bytes.Buffer
		assert.Equal(t, 0, Dispatch(twoModules(), "1.2.3", []string{argv0, "--version"}, nil, &out))
		assert.Equal(t, want, out.String())
	}
}
