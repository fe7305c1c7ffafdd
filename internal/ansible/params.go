package ansible

import (
	"fmt"
)

// The getters below read validated parameters. Validation guarantees the
// types, so a mismatch is a bug in the module's spec: it panics, and the SDK
// turns the panic into failed: true.

// String returns a str or path option ("" when unset).
func (p Params) String(name string) string {
	v, _ := p.must(name).(string)
	return v
}

// Bool returns a bool option (false when unset).
func (p Params) Bool(name string) bool {
	v, _ := p.must(name).(bool)
	return v
}

// OptBool returns a bool option, or nil when it is unset.
func (p Params) OptBool(name string) *bool {
	if p.must(name) == nil {
		return nil
	}
	b := p[name].(bool)
	return &b
}

// Int returns an int option (0 when unset).
func (p Params) Int(name string) int {
	v, _ := p.must(name).(int)
	return v
}

// OptInt returns an int option, or nil when it is unset.
func (p Params) OptInt(name string) *int {
	if p.must(name) == nil {
		return nil
	}
	i := p[name].(int)
	return &i
}

// Strings returns a list option whose elements are strings.
func (p Params) Strings(name string) []string {
	list, _ := p.must(name).([]any)
	out := make([]string, len(list))
	for i, e := range list {
		out[i] = e.(string)
	}
	return out
}

// Dicts returns a list option whose elements are dicts, as Params.
func (p Params) Dicts(name string) []Params {
	list, _ := p.must(name).([]any)
	out := make([]Params, len(list))
	for i, e := range list {
		out[i] = Params(e.(map[string]any))
	}
	return out
}

func (p Params) must(name string) any {
	v, ok := p[name]
	if !ok {
		panic(fmt.Sprintf("option %q is not declared in the module's argument spec", name))
	}
	return v
}
