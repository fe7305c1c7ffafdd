package ansible

// The one JSON object a run prints: failures, merged values, emission.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/kolla-glance/kolla-glance/internal/problem"
)

// failure fills out for a failed run. A *problem.Error (the validation's,
// or one a module returns) is rendered by problem.Render, with its
// refusals also under refused: true and reasons, and its argument problems
// under argument_errors, so that a playbook can tell the kinds apart; any
// other error is a runtime failure, its text the msg.
func failure(out map[string]any, err error) map[string]any {
	e := problem.Of(err)
	if e == nil {
		return failed(out, err.Error())
	}
	failed(out, problem.Render(e.Problems))
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

func failed(out map[string]any, msg string) map[string]any {
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
