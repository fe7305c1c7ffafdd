// Package docgen renders, from a module's ansible.Spec, the files Ansible
// reads on the controller: the documentation-only Python stub ansible-doc
// shows and the argument spec the action plugins validate. It is kept out of
// package ansible so the module binaries do not link a YAML encoder.
package docgen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/kolla-glance/kolla-glance/internal/ansible"
)

type docOption struct {
	Description []string             `yaml:"description"`
	Type        string               `yaml:"type"`
	Elements    string               `yaml:"elements,omitempty"`
	Required    bool                 `yaml:"required"`
	Default     any                  `yaml:"default,omitempty"`
	Choices     []any                `yaml:"choices,omitempty"`
	Aliases     []string             `yaml:"aliases,omitempty"`
	NoLog       bool                 `yaml:"no_log,omitempty"`
	Suboptions  map[string]docOption `yaml:"suboptions,omitempty"`
}

type docAttribute struct {
	Description string   `yaml:"description"`
	Support     string   `yaml:"support"`
	Platforms   []string `yaml:"platforms,omitempty"`
}

type documentation struct {
	Module           string                  `yaml:"module"`
	ShortDescription string                  `yaml:"short_description"`
	VersionAdded     string                  `yaml:"version_added,omitempty"`
	Description      []string                `yaml:"description"`
	Options          map[string]docOption    `yaml:"options"`
	Attributes       map[string]docAttribute `yaml:"attributes"`
	Notes            []string                `yaml:"notes,omitempty"`
	Requirements     []string                `yaml:"requirements,omitempty"`
	SeeAlso          []map[string]string     `yaml:"seealso,omitempty"`
	Author           []string                `yaml:"author"`
}

type docReturn struct {
	Description []string             `yaml:"description"`
	Returned    string               `yaml:"returned"`
	Type        string               `yaml:"type"`
	Elements    string               `yaml:"elements,omitempty"`
	Sample      any                  `yaml:"sample,omitempty"`
	Contains    map[string]docReturn `yaml:"contains,omitempty"`
}

func docOptions(opts []ansible.Option) map[string]docOption {
	out := make(map[string]docOption, len(opts))
	for _, o := range opts {
		d := docOption{
			Description: o.Description, Type: typeName(o.Type), Elements: string(o.Elements),
			Required: o.Required, Default: o.Default, Choices: o.Choices, NoLog: o.NoLog,
		}
		if len(o.Options) > 0 {
			d.Suboptions = docOptions(o.Options)
		}
		out[o.Name] = d
	}
	return out
}

func docReturns(rs []ansible.Return) map[string]docReturn {
	out := make(map[string]docReturn, len(rs))
	for _, r := range rs {
		d := docReturn{Description: r.Description, Returned: r.Returned, Type: r.Type, Elements: r.Elements, Sample: r.Sample}
		if len(r.Contains) > 0 {
			d.Contains = docReturns(r.Contains)
		}
		out[r.Name] = d
	}
	return out
}

func documentationOf(s *ansible.Spec) documentation {
	check := "none"
	if s.SupportsCheckMode {
		check = "full"
	}
	diff := "none"
	if s.SupportsDiff {
		diff = "full"
	}
	d := documentation{
		Module: s.Name, ShortDescription: s.ShortDescription, VersionAdded: s.VersionAdded,
		Description: s.Description, Options: docOptions(s.Options), Notes: s.Notes,
		Requirements: s.Requirements, Author: s.Author,
		Attributes: map[string]docAttribute{
			"check_mode": {Description: "Can run in check_mode and return changed status prediction without modifying target.", Support: check},
			"diff_mode":  {Description: "Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.", Support: diff},
			"platform":   {Description: "Target OS/families that can be operated against.", Support: "full", Platforms: []string{"posix"}},
		},
	}
	for _, m := range s.SeeAlso {
		d.SeeAlso = append(d.SeeAlso, map[string]string{"module": m})
	}
	return d
}

func yamlText(v any) (string, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return buf.String(), nil
}

// DocStub renders the documentation-only Python file ansible-doc reads for
// the module (plugins/modules/NAME.py). It holds no code: the module is the
// Go binary the action plugin picks.
func DocStub(s *ansible.Spec) ([]byte, error) {
	doc, err := yamlText(documentationOf(s))
	if err != nil {
		return nil, fmt.Errorf("render DOCUMENTATION of %s: %w", s.Name, err)
	}
	ret, err := yamlText(docReturns(s.Returns))
	if err != nil {
		return nil, fmt.Errorf("render RETURN of %s: %w", s.Name, err)
	}
	for _, text := range []string{doc, ret, s.Examples} {
		if strings.Contains(text, "'''") {
			return nil, fmt.Errorf("documentation of %s contains ''' which would end the Python string", s.Name)
		}
	}
	var b strings.Builder
	b.WriteString("# -*- coding: utf-8 -*-\n")
	b.WriteString("# GENERATED by `make generate` from the Go argument spec of this module. DO NOT EDIT.\n")
	b.WriteString("# Documentation only: the module itself is a Go binary that the action plugin of the\n")
	b.WriteString("# same name picks for the target's platform.\n\n")
	b.WriteString("from __future__ import absolute_import, division, print_function\n__metaclass__ = type\n\n")
	fmt.Fprintf(&b, "DOCUMENTATION = r'''\n%s'''\n\n", doc)
	fmt.Fprintf(&b, "EXAMPLES = r'''\n%s'''\n\n", strings.TrimLeft(s.Examples, "\n"))
	fmt.Fprintf(&b, "RETURN = r'''\n%s'''\n", ret)
	return []byte(b.String()), nil
}

// PythonArgSpec is the module's argument spec in the shape of ansible-core's
// ArgumentSpecValidator keyword arguments.
func PythonArgSpec(s *ansible.Spec) map[string]any {
	return map[string]any{"argument_spec": pyOptions(s.Options)}
}

func pyOptions(opts []ansible.Option) map[string]any {
	out := make(map[string]any, len(opts))
	for _, o := range opts {
		e := map[string]any{"type": typeName(o.Type)}
		if o.Elements != "" {
			e["elements"] = string(o.Elements)
		}
		if o.Required {
			e["required"] = true
		}
		if o.Default != nil {
			e["default"] = o.Default
		}
		if len(o.Choices) > 0 {
			e["choices"] = o.Choices
		}
		if o.NoLog {
			e["no_log"] = true
		}
		if len(o.Options) > 0 {
			e["options"] = pyOptions(o.Options)
		}
		out[o.Name] = e
	}
	return out
}

// PythonLiteral renders plain data (maps, slices, strings, numbers, bools,
// nil) as a Python literal with sorted keys, so generated files are stable.
func PythonLiteral(v any, indent string) string {
	var b strings.Builder
	writePy(&b, v, indent)
	return b.String()
}

func writePy(b *strings.Builder, v any, indent string) {
	next := indent + "    "
	switch x := v.(type) {
	case nil:
		b.WriteString("None")
	case bool:
		if x {
			b.WriteString("True")
		} else {
			b.WriteString("False")
		}
	case string:
		q, _ := json.Marshal(x)
		b.WriteString(string(q))
	case int:
		b.WriteString(strconv.Itoa(x))
	case float64:
		b.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
	case []string:
		items := make([]any, len(x))
		for i, s := range x {
			items[i] = s
		}
		writePy(b, items, indent)
	case [][]string:
		items := make([]any, len(x))
		for i, s := range x {
			items[i] = s
		}
		writePy(b, items, indent)
	case []any:
		if len(x) == 0 {
			b.WriteString("[]")
			return
		}
		b.WriteString("[\n")
		for _, e := range x {
			b.WriteString(next)
			writePy(b, e, next)
			b.WriteString(",\n")
		}
		b.WriteString(indent + "]")
	case map[string][]string:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = e
		}
		writePy(b, m, indent)
	case map[string]any:
		if len(x) == 0 {
			b.WriteString("{}")
			return
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteString("{\n")
		for _, k := range keys {
			q, _ := json.Marshal(k)
			b.WriteString(next + string(q) + ": ")
			writePy(b, x[k], next)
			b.WriteString(",\n")
		}
		b.WriteString(indent + "}")
	default:
		panic(fmt.Sprintf("PythonLiteral: unsupported type %T", v))
	}
}

func typeName(t ansible.Type) string {
	if t == "" {
		return "raw"
	}
	return string(t)
}
