package ansible

import (
	"fmt"
	"sort"
	"strings"

	"github.com/kolla-glance/kolla-glance/internal/problem"
)

// Params holds validated, coerced option values: string, bool, int, float64,
// []any, map[string]any, or nil for an option that was not given and has no
// default. Every declared option has a key.
type Params map[string]any

// validator walks a spec and collects every problem of one run.
type validator struct {
	module   string
	errs     problem.List
	warnings []string
}

// fail records an argument problem in AnsibleModule's words (which name the
// option themselves).
func (v *validator) fail(format string, args ...any) {
	v.errs.Argument("", "", format, args...)
}

func (v *validator) warn(msg string) { v.warnings = append(v.warnings, msg) }

// Validate checks raw arguments (internal _ansible_* keys already removed)
// against the spec the way AnsibleModule does and returns the coerced
// parameters with defaults filled in. Every problem is reported: the error
// is a *problem.Error of argument problems in AnsibleModule's texts.
func (s *Spec) Validate(raw map[string]any, ignoreUnknown bool) (Params, []string, error) {
	v := &validator{module: s.FQCN()}
	params := v.options(s.Options, s.Rules, raw, nil, ignoreUnknown)
	return params, v.warnings, v.errs.Err()
}

func foundIn(ctx []string) string {
	if len(ctx) == 0 {
		return ""
	}
	return fmt.Sprintf(" found in '%s'.", strings.Join(ctx, " -> "))
}

func (v *validator) options(opts []Option, rules Rules, raw map[string]any, ctx []string, ignoreUnknown bool) Params {
	params := make(Params, len(opts))
	for k, val := range raw {
		params[k] = val
	}
	v.aliases(opts, params, ctx)
	if !ignoreUnknown {
		v.unsupported(opts, params, ctx)
	}
	known := make(map[string]bool, len(opts))
	for _, o := range opts {
		known[o.Name] = true
	}
	for k := range params {
		if !known[k] {
			delete(params, k)
		}
	}
	// A null counts as not given: it gets the default, and it does not
	// satisfy required (kolla variables left empty arrive as null).
	for _, o := range opts {
		if params[o.Name] == nil && o.Default != nil {
			params[o.Name] = normalizeRaw(o.Default) // a deep copy: defaults are shared by every run
		}
	}
	v.mutuallyExclusive(rules.MutuallyExclusive, params, ctx)
	v.required(opts, params, ctx)
	for _, o := range opts {
		v.typed(o, params, ctx)
	}
	for _, o := range opts {
		v.choices(o, params, ctx)
	}
	v.requiredTogether(rules.RequiredTogether, params, ctx)
	v.requiredOneOf(rules.RequiredOneOf, params, ctx)
	v.requiredIf(rules.RequiredIf, params, ctx)
	v.requiredBy(rules.RequiredBy, params, ctx)
	for _, o := range opts {
		v.suboptions(o, params, ctx)
	}
	for _, o := range opts {
		if _, ok := params[o.Name]; !ok {
			params[o.Name] = nil
		}
	}
	return params
}

func (v *validator) aliases(opts []Option, params Params, ctx []string) {
	for _, o := range opts {
		for _, a := range o.Aliases {
			val, ok := params[a]
			if !ok {
				continue
			}
			if _, both := params[o.Name]; both {
				v.warn(fmt.Sprintf("Both option %s and its alias %s are set.", o.Name, a))
			}
			params[o.Name] = val
			delete(params, a)
		}
	}
}

func (v *validator) unsupported(opts []Option, params Params, ctx []string) {
	legal := map[string]bool{}
	var names, aliases []string
	for _, o := range opts {
		legal[o.Name] = true
		names = append(names, o.Name)
		for _, a := range o.Aliases {
			legal[a] = true
			aliases = append(aliases, a)
		}
	}
	var bad []string
	for k := range params {
		if !legal[k] {
			bad = append(bad, strings.Join(append(append([]string{}, ctx...), k), "."))
		}
	}
	if len(bad) == 0 {
		return
	}
	sort.Strings(bad)
	sort.Strings(names)
	sort.Strings(aliases)
	supported := strings.Join(names, ", ")
	if len(aliases) > 0 {
		supported += " (" + strings.Join(aliases, ", ") + ")"
	}
	v.fail("Unsupported parameters for (%s) module: %s. Supported parameters include: %s.",
		v.module, strings.Join(bad, ", "), supported)
}

func given(params Params, name string) bool { return params[name] != nil }

// countGiven counts the options of a group that were given.
func countGiven(params Params, group []string) int {
	n := 0
	for _, name := range group {
		if given(params, name) {
			n++
		}
	}
	return n
}

func (v *validator) mutuallyExclusive(groups [][]string, params Params, ctx []string) {
	for _, g := range groups {
		n := countGiven(params, g)
		if n > 1 {
			v.fail("parameters are mutually exclusive: %s%s", strings.Join(g, "|"), foundIn(ctx))
		}
	}
}

func (v *validator) required(opts []Option, params Params, ctx []string) {
	var missing []string
	for _, o := range opts {
		if o.Required && !given(params, o.Name) {
			missing = append(missing, o.Name)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		v.fail("missing required arguments: %s%s", strings.Join(missing, ", "), foundIn(ctx))
	}
}

func (v *validator) typed(o Option, params Params, ctx []string) {
	val := params[o.Name]
	if val == nil {
		return
	}
	out, err := coerce(o.Type, val, v.warn)
	if err != nil {
		v.fail("argument '%s' is of type %s%s and we were unable to convert to %s: %v",
			o.Name, pyType(val), foundIn(ctx), typeName(o.Type), err)
		delete(params, o.Name)
		return
	}
	if o.Type == TypeList && o.Elements != "" {
		list := out.([]any)
		converted := make([]any, len(list))
		ok := true
		for i, e := range list {
			if e == nil && o.Elements != TypeRaw {
				v.fail("Elements value for option '%s'%s is of type %s and we were unable to convert to %s: %s",
					o.Name, strings.TrimSuffix(foundIn(ctx), "."), pyType(e), typeName(o.Elements), "null is not allowed in a list")
				ok = false
				continue
			}
			c, err := coerce(o.Elements, e, v.warn)
			if err != nil {
				v.fail("Elements value for option '%s'%s is of type %s and we were unable to convert to %s: %v",
					o.Name, strings.TrimSuffix(foundIn(ctx), "."), pyType(e), typeName(o.Elements), err)
				ok = false
				continue
			}
			converted[i] = c
		}
		if !ok {
			delete(params, o.Name)
			return
		}
		out = converted
	}
	params[o.Name] = out
}

func typeName(t Type) string {
	if t == "" {
		return string(TypeRaw)
	}
	return string(t)
}

func (v *validator) choices(o Option, params Params, ctx []string) {
	if len(o.Choices) == 0 || params[o.Name] == nil {
		return
	}
	texts := make([]string, len(o.Choices))
	for i, c := range o.Choices {
		texts[i] = fmt.Sprint(c)
	}
	in := func(x any) bool {
		for _, c := range o.Choices {
			if fmt.Sprint(c) == fmt.Sprint(x) {
				return true
			}
		}
		return false
	}
	if list, ok := params[o.Name].([]any); ok {
		var bad []string
		for _, e := range list {
			if !in(e) {
				bad = append(bad, fmt.Sprint(e))
			}
		}
		if len(bad) > 0 {
			v.fail("value of %s must be one or more of: %s. Got no match for: %s%s",
				o.Name, strings.Join(texts, ", "), strings.Join(bad, ", "), foundIn(ctx))
		}
		return
	}
	if !in(params[o.Name]) {
		v.fail("value of %s must be one of: %s, got: %v%s", o.Name, strings.Join(texts, ", "), params[o.Name], foundIn(ctx))
	}
}

func (v *validator) requiredTogether(groups [][]string, params Params, ctx []string) {
	for _, g := range groups {
		n := countGiven(params, g)
		if n > 0 && n < len(g) {
			v.fail("parameters are required together: %s%s", strings.Join(g, ", "), foundIn(ctx))
		}
	}
}

func (v *validator) requiredOneOf(groups [][]string, params Params, ctx []string) {
	for _, g := range groups {
		n := countGiven(params, g)
		if n == 0 {
			v.fail("one of the following is required: %s%s", strings.Join(g, ", "), foundIn(ctx))
		}
	}
}

func (v *validator) requiredIf(rules []RequiredIf, params Params, ctx []string) {
	for _, r := range rules {
		if params[r.Key] == nil || fmt.Sprint(params[r.Key]) != fmt.Sprint(r.Value) {
			continue
		}
		var missing []string
		for _, req := range r.Requirements {
			if !given(params, req) {
				missing = append(missing, req)
			}
		}
		if len(missing) == 0 || (r.Any && len(missing) < len(r.Requirements)) {
			continue
		}
		kind := "all"
		if r.Any {
			kind = "any"
		}
		v.fail("%s is %v but %s of the following are missing: %s%s", r.Key, pyValue(r.Value), kind, strings.Join(missing, ", "), foundIn(ctx))
	}
}

func pyValue(x any) string {
	if b, ok := x.(bool); ok {
		if b {
			return "True"
		}
		return "False"
	}
	return fmt.Sprint(x)
}

func (v *validator) requiredBy(rules map[string][]string, params Params, ctx []string) {
	keys := make([]string, 0, len(rules))
	for k := range rules {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !given(params, k) {
			continue
		}
		var missing []string
		for _, req := range rules[k] {
			if !given(params, req) {
				missing = append(missing, req)
			}
		}
		if len(missing) > 0 {
			v.fail("missing parameter(s) required by '%s': %s%s", k, strings.Join(missing, ", "), foundIn(ctx))
		}
	}
}

func (v *validator) suboptions(o Option, params Params, ctx []string) {
	if len(o.Options) == 0 || params[o.Name] == nil {
		return
	}
	sub := append(append([]string{}, ctx...), o.Name)
	switch {
	case o.Type == TypeDict:
		m, ok := params[o.Name].(map[string]any)
		if ok {
			params[o.Name] = map[string]any(v.options(o.Options, o.Rules, m, sub, false))
		}
	case o.Type == TypeList && o.Elements == TypeDict:
		list, ok := params[o.Name].([]any)
		if !ok {
			return
		}
		out := make([]any, len(list))
		for i, e := range list {
			m, ok := e.(map[string]any)
			if !ok {
				continue
			}
			out[i] = map[string]any(v.options(o.Options, o.Rules, m, sub, false))
		}
		params[o.Name] = out
	}
}
