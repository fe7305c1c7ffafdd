package ansible

// The one JSON object a run prints: failures, merged values, emission.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/kolla-glance/kolla-glance/internal/problem"
)

// failWithError fills out for a run that failed with err. A
// *problem.Error (the validation's, or one a module returns) is rendered
// by problem.Render, every problem listed under problems (kind, option,
// the value's path, text), its refusals also under refused: true and
// reasons, and its argument problems under argument_errors, so that a
// playbook can tell the kinds and options apart without reading msg; any
// other error is a runtime failure, its text the msg.
func failWithError(out map[string]any, err error) map[string]any {
	e := problem.Of(err)
	if e == nil {
		return failWithMsg(out, err.Error())
	}
	failWithMsg(out, problem.Render(e.Problems))
	out["problems"] = problem.Items(e.Problems)
	if rs := e.Refusals(); len(rs) > 0 {
		out["refused"] = true
		out["reasons"] = texts(rs)
	}
	if as := e.Arguments(); len(as) > 0 {
		out["argument_errors"] = texts(as)
	}
	return out
}

func texts(ps []*problem.Problem) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Error()
	}
	return out
}

// failWithMsg fills out for a failed run whose msg says it all.
func failWithMsg(out map[string]any, msg string) map[string]any {
	out["failed"] = true
	out["changed"] = false
	out["msg"] = msg
	return out
}

// merge copies a struct's (or map's) JSON keys into out.
func merge(out map[string]any, values any) error {
	if values == nil {
		return nil
	}
	data, err := json.Marshal(values)
	if err != nil {
		return fmt.Errorf("internal error: encode the module's return values: %w", err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		return fmt.Errorf("internal error: the module's return values are not an object: %w", err)
	}
	for k, v := range m {
		out[k] = v
	}
	return nil
}

func emit(w io.Writer, out map[string]any, scrub scrubber) int {
	clean := out
	if len(scrub.secrets) > 0 {
		// Only a result that may hold secrets pays for the generic copy
		// the scrubber walks.
		clean = scrub.scrub(toGeneric(out)).(map[string]any)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(clean); err != nil {
		buf.Reset()
		fmt.Fprintf(&buf, `{"failed": true, "changed": false, "msg": %q}`+"\n",
			"internal error: encode the result: "+err.Error())
	}
	_, _ = w.Write(buf.Bytes())
	if f, _ := clean["failed"].(bool); f {
		return 1
	}
	return 0
}

// toGeneric turns typed values (warnings, diffs, deprecations) into plain
// JSON shapes so the scrubber sees every string.
func toGeneric(out map[string]any) any {
	data, err := json.Marshal(out)
	if err != nil {
		return out
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var m map[string]any
	if dec.Decode(&m) != nil {
		return out
	}
	return m
}

// ProblemsReturn documents the problems key the SDK adds to a failure
// caused by the arguments (a module lists it in its Spec's Returns).
func ProblemsReturn() Return {
	return Return{
		Name: "problems", Type: "list", Elements: "dict", Returned: "failure, when the arguments are at fault (invalid or refused)",
		Description: []string{"Every problem of the call, in msg's order, as data: a playbook reads the options and kinds here instead of parsing msg."},
		Contains: []Return{
			{Name: "kind", Type: "str", Returned: "always", Sample: "argument",
				Description: []string{"C(argument) (malformed, or contradicting another option) or C(refusal) (well formed, but the module will not do it)."}},
			{Name: "option", Type: "str", Returned: "always", Sample: "ceph_backends",
				Description: []string{"The module option the problem is about; empty when it is about no single option."}},
			{Name: "options", Type: "list", Elements: "str", Returned: "always", Sample: []any{"vmware", "openstack_release"},
				Description: []string{"Every option the problem is about, option first (the options that lead to a refusal)."}},
			{Name: "path", Type: "str", Returned: "always", Sample: "ceph_backends[1].pool",
				Description: []string{"Where the value is in the arguments: the option, then list indexes, dict keys and sub-options; empty for a refusal or a problem about several options."}},
			{Name: "msg", Type: "str", Returned: "always",
				Description: []string{"The problem's text, as msg shows it."}},
		},
	}
}
