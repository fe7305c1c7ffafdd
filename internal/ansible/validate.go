package ansible

import (
	"fmt"
	"sort"
	"strconv"
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
// options themselves) about the options named at loc.
func (v *validator) fail(at loc, names []string, format string, args ...any) {
	options, field := at.of(names)
	v.errs.Named(options, field, format, args...)
}

// failAt records an argument problem about the value at (an element of a
// list: its holding option and path).
func (v *validator) failAt(at loc, format string, args ...any) {
	v.errs.Named([]string{at.option}, at.path, format, args...)
}

// loc is where a level of options sits in the arguments: ctx, the option
// names AnsibleModule's texts show ("ceph_backends"), and for sub-options
// the module option holding them and the path below it ("[1]").
type loc struct {
	ctx          []string
	option, path string
}

// of returns the module options a problem about names (options of this
// level) concerns, and its field: at the top level the names themselves;
// below it the holding option, with the path of the one name.
func (l loc) of(names []string) ([]string, string) {
	if l.option == "" {
		return names, ""
	}
	field := l.path
	if len(names) == 1 {
		field += "." + names[0]
	}
	return []string{l.option}, field
}

// below is the location of the sub-options of option name (path: "" for a
// dict, "[i]" for an element of a list).
func (l loc) below(name, path string) loc {
	sub := loc{ctx: append(append([]string{}, l.ctx...), name)}
	if l.option == "" {
		sub.option, sub.path = name, path
	} else {
		sub.option, sub.path = l.option, l.path+"."+name+path
	}
	return sub
}

func (v *validator) warn(msg string) { v.warnings = append(v.warnings, msg) }

// Validate checks raw arguments (internal _ansible_* keys already removed)
// against the spec the way AnsibleModule does and returns the coerced
// parameters with defaults filled in. Every problem is reported: the error
// is a *problem.Error of argument problems in AnsibleModule's texts.
func (s *Spec) Validate(raw map[string]any, ignoreUnknown bool) (Params, []string, error) {
	v := &validator{module: s.FQCN()}
	params := v.options(s.Options, raw, loc{}, ignoreUnknown)
	return params, v.warnings, v.errs.Err()
}

func foundIn(ctx []string) string {
	if len(ctx) == 0 {
		return ""
	}
	return fmt.Sprintf(" found in '%s'.", strings.Join(ctx, " -> "))
}

func (v *validator) options(opts []Option, raw map[string]any, at loc, ignoreUnknown bool) Params {
	params := make(Params, len(opts))
	for k, val := range raw {
		params[k] = val
	}
	if !ignoreUnknown {
		v.unsupported(opts, params, at)
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
	v.required(opts, params, at)
	for _, o := range opts {
		v.typed(o, params, at)
	}
	for _, o := range opts {
		v.choices(o, params, at)
	}
	for _, o := range opts {
		v.suboptions(o, params, at)
	}
	for _, o := range opts {
		if _, ok := params[o.Name]; !ok {
			params[o.Name] = nil
		}
	}
	return params
}

func (v *validator) unsupported(opts []Option, params Params, at loc) {
	legal := map[string]bool{}
	var names []string
	for _, o := range opts {
		legal[o.Name] = true
		names = append(names, o.Name)
	}
	var keys, bad []string
	for k := range params {
		if !legal[k] {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return
	}
	sort.Strings(keys)
	for _, k := range keys {
		bad = append(bad, strings.Join(append(append([]string{}, at.ctx...), k), "."))
	}
	sort.Strings(names)
	v.fail(at, keys, "Unsupported parameters for (%s) module: %s. Supported parameters include: %s.",
		v.module, strings.Join(bad, ", "), strings.Join(names, ", "))
}

func given(params Params, name string) bool { return params[name] != nil }

func (v *validator) required(opts []Option, params Params, at loc) {
	var missing []string
	for _, o := range opts {
		if o.Required && !given(params, o.Name) {
			missing = append(missing, o.Name)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		v.fail(at, missing, "missing required arguments: %s%s", strings.Join(missing, ", "), foundIn(at.ctx))
	}
}

func (v *validator) typed(o Option, params Params, at loc) {
	ctx, name := at.ctx, []string{o.Name}
	val := params[o.Name]
	if val == nil {
		return
	}
	out, err := coerce(o.Type, val, v.warn)
	if err != nil {
		v.fail(at, name, "argument '%s' is of type %s%s and we were unable to convert to %s: %v",
			o.Name, pyType(val), foundIn(ctx), typeName(o.Type), err)
		delete(params, o.Name)
		return
	}
	if o.Type == TypeList && o.Elements != "" {
		list := out.([]any)
		converted := make([]any, len(list))
		ok := true
		for i, e := range list {
			if e == nil {
				v.failAt(at.below(o.Name, "["+strconv.Itoa(i)+"]"), "Elements value for option '%s'%s is of type %s and we were unable to convert to %s: %s",
					o.Name, strings.TrimSuffix(foundIn(ctx), "."), pyType(e), typeName(o.Elements), "null is not allowed in a list")
				ok = false
				continue
			}
			c, err := coerce(o.Elements, e, v.warn)
			if err != nil {
				v.failAt(at.below(o.Name, "["+strconv.Itoa(i)+"]"), "Elements value for option '%s'%s is of type %s and we were unable to convert to %s: %v",
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
		return "raw"
	}
	return string(t)
}

func (v *validator) choices(o Option, params Params, at loc) {
	ctx, name := at.ctx, []string{o.Name}
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
			v.fail(at, name, "value of %s must be one or more of: %s. Got no match for: %s%s",
				o.Name, strings.Join(texts, ", "), strings.Join(bad, ", "), foundIn(ctx))
		}
		return
	}
	if !in(params[o.Name]) {
		v.fail(at, name, "value of %s must be one of: %s, got: %v%s", o.Name, strings.Join(texts, ", "), params[o.Name], foundIn(ctx))
	}
}

func (v *validator) suboptions(o Option, params Params, at loc) {
	if len(o.Options) == 0 || params[o.Name] == nil {
		return
	}
	switch {
	case o.Type == TypeDict:
		m, ok := params[o.Name].(map[string]any)
		if ok {
			params[o.Name] = map[string]any(v.options(o.Options, m, at.below(o.Name, ""), false))
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
			out[i] = map[string]any(v.options(o.Options, m, at.below(o.Name, "["+strconv.Itoa(i)+"]"), false))
		}
		params[o.Name] = out
	}
}
