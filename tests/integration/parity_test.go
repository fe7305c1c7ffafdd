//go:build integration

package integration

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/kolla-glance/kolla-glance/internal/ansible"
	"github.com/kolla-glance/kolla-glance/internal/modules"
)

// parityCase is one task's arguments for one module.
type parityCase struct {
	Module string         `json:"module"`
	Args   map[string]any `json:"args"`
	Label  string         `json:"-"`
}

type controllerVerdict struct {
	OK     bool           `json:"ok"`
	Params map[string]any `json:"params"`
	Msg    string         `json:"msg"`
}

// bases are valid arguments for each module, onto which the corpus puts
// one odd value at a time.
var bases = map[string]map[string]any{
	"backends":     {"api_hosts": []any{"control01", "control02", "control03"}},
	"upgrade_plan": {"api_hosts": []any{"control01", "control02", "control03"}},
	"cache_cron":   {"cron_dir": "/tmp/kolla-glance-parity/cron.d"},
}

// oddValues are the values every option gets in turn: every JSON type,
// kolla's string booleans, ad-hoc strings, nulls, NUL bytes, empties.
var oddValues = []any{
	nil, "", "yes", "no", "True", "off", "3", "-1", "1.5", "a,b", "x\x00y", " 7 ",
	true, false, 0, 1, -1, 1.5, 1e300,
	[]any{}, []any{"a"}, []any{"a", 1}, []any{1}, []any{nil}, []any{[]any{}},
	map[string]any{}, map[string]any{"a": "b"}, map[string]any{"name": nil},
	[]any{map[string]any{}}, []any{map[string]any{"name": "x", "bogus": 1}}, []any{map[string]any{"name": nil}},
}

// copyArgs is a deep copy with numbers as json.Number, as the SDK decodes
// an args file.
func copyArgs(m map[string]any) map[string]any {
	data, _ := json.Marshal(m)
	var out map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	_ = dec.Decode(&out)
	return out
}

// parityCorpus: for each module, its base; each option (and sub-option of
// the first list element) set to each odd value; each required option
// removed; an unknown option; plus every module args file of the hostile
// corpus in tests/reliability/corpus.
func parityCorpus(t *testing.T, root string) []parityCase {
	var cases []parityCase
	for _, m := range modules.All() {
		name := strings.TrimPrefix(m.Spec.FQCN(), "kolla.glance.")
		base := bases[name]
		if base == nil {
			t.Fatalf("no base arguments for module %s", name)
		}
		add := func(label string, args map[string]any) {
			cases = append(cases, parityCase{Module: name, Args: args, Label: label})
		}
		add("base", copyArgs(base))
		add("unknown option", func() map[string]any { a := copyArgs(base); a["bogus"] = 1; return a }())
		for _, o := range m.Spec.Options {
			for _, key := range []string{o.Name} {
				for _, v := range oddValues {
					a := copyArgs(base)
					a[key] = v
					add(key+"="+jsonText(v), copyArgs(a))
				}
			}
			if o.Required {
				a := copyArgs(base)
				delete(a, o.Name)
				add("without "+o.Name, a)
			}
			for _, sub := range o.Options {
				for _, v := range oddValues {
					item := map[string]any{sub.Name: v}
					for _, req := range o.Options {
						if req.Required && req.Name != sub.Name {
							item[req.Name] = "x"
						}
					}
					a := copyArgs(base)
					a[o.Name] = []any{item}
					if o.Type == ansible.TypeDict {
						a[o.Name] = item
					}
					add(o.Name+"."+sub.Name+"="+jsonText(v), copyArgs(a))
				}
			}
		}
	}
	files, err := filepath.Glob(filepath.Join(root, "tests", "reliability", "corpus", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		module := strings.SplitN(filepath.Base(f), "-", 2)[0]
		if bases[module] == nil {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var args map[string]any
		if json.Unmarshal(data, &args) != nil || args == nil {
			continue // not one JSON object: the binary's own business (reliability suite)
		}
		for k := range args {
			if strings.HasPrefix(k, "_ansible_") {
				delete(args, k)
			}
		}
		cases = append(cases, parityCase{Module: module, Args: args, Label: filepath.Base(f)})
	}
	return cases
}

func jsonText(v any) string {
	data, _ := json.Marshal(v)
	s := string(data)
	if len(s) > 30 {
		s = s[:30] + "..."
	}
	return s
}

// withoutNulls drops null values, which Python's validator keeps for the
// options not given and the Go SDK leaves out: both mean "not set".
func withoutNulls(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			if e != nil {
				out[k] = withoutNulls(e)
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = withoutNulls(e)
		}
		return out
	}
	return v
}

// expandPaths expands ~ and $VARS in the path options, as the module does
// on its host and the controller, on purpose, does not (they belong to the
// target; here both are this machine and this user).
func expandPaths(opts []ansible.Option, params map[string]any) map[string]any {
	home, _ := os.UserHomeDir()
	out := copyArgs(params)
	for _, o := range opts {
		if s, ok := out[o.Name].(string); ok && o.Type == ansible.TypePath {
			if s == "~" || strings.HasPrefix(s, "~/") {
				s = home + s[1:]
			}
			out[o.Name] = os.ExpandEnv(s)
		}
	}
	return out
}

// TestControllerAndModuleAgree runs one corpus through both validations, the
// action plugins' on the controller (under the ansible-core on PATH) and the
// Go modules' own, and requires the same verdict on every input, and the
// same validated arguments when both accept.
func TestControllerAndModuleAgree(t *testing.T) {
	e := newEnv(t)
	cases := parityCorpus(t, e.root)
	inputs := filepath.Join(e.scratch, "parity-inputs.json")
	output := filepath.Join(e.scratch, "parity-verdicts.json")
	data, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(inputs, data, 0o644); err != nil {
		t.Fatal(err)
	}
	r := e.run(nil, "ansible-python", filepath.Join(e.root, "tests", "integration", "parity", "validate.py"),
		filepath.Join(e.scratch, "collections"), inputs, output)
	if r.code != 0 {
		t.Fatalf("validate.py failed (rc=%d):\n%s", r.code, r.out)
	}
	var verdicts []controllerVerdict
	data, err = os.ReadFile(output)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &verdicts); err != nil || len(verdicts) != len(cases) {
		t.Fatalf("validate.py wrote %d verdicts for %d inputs (%v)", len(verdicts), len(cases), err)
	}
	specs := map[string]*ansible.Spec{}
	for _, m := range modules.All() {
		specs[strings.TrimPrefix(m.Spec.FQCN(), "kolla.glance.")] = m.Spec
	}
	counts := map[string]int{}
	var disagreements []string
	for i, c := range cases {
		params, _, verr := specs[c.Module].Validate(copyArgs(c.Args), false)
		ctl := verdicts[i]
		verdict := map[bool]string{true: "accepted", false: "refused"}
		counts[c.Module+" "+verdict[verr == nil]]++
		switch {
		case ctl.OK != (verr == nil):
			goMsg := "ok"
			if verr != nil {
				goMsg = verr.Error()
			}
			disagreements = append(disagreements, c.Module+" "+c.Label+": controller "+verdict[ctl.OK]+
				" ("+ctl.Msg+"), module "+verdict[verr == nil]+" ("+goMsg+")")
		case ctl.OK:
			goParams := withoutNulls(copyArgs(params))
			pyParams := withoutNulls(copyArgs(expandPaths(specs[c.Module].Options, ctl.Params)))
			if !reflect.DeepEqual(goParams, pyParams) {
				disagreements = append(disagreements, c.Module+" "+c.Label+": both accepted, different arguments: controller "+
					jsonText(pyParams)+" module "+jsonText(goParams))
			}
		}
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var summary []string
	for _, k := range keys {
		summary = append(summary, k+": "+strconv.Itoa(counts[k]))
	}
	t.Logf("parity corpus: %d inputs (%s), %d disagreements", len(cases), strings.Join(summary, ", "), len(disagreements))
	for _, d := range disagreements {
		t.Error(d)
	}
}
