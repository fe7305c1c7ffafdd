// Package ansible is a small SDK for Ansible binary modules written in Go.
//
// A module declares its argument spec once, as a Spec value. From that one
// declaration the SDK derives everything AnsibleModule would give a Python
// module: argument loading (the args file Ansible passes in argv[1]),
// AnsibleModule's coercions and error texts, unknown-option rejection,
// aggregated validation errors, check and diff mode flags, no_log scrubbing
// of the whole result, the temp-dir rules and the one JSON object on stdout.
// The same Spec also renders the module's documentation (DOCUMENTATION,
// EXAMPLES, RETURN) and the Python argument spec the action plugins validate
// on the controller, so documentation, controller validation and module
// validation cannot drift apart.
package ansible

// Type is an AnsibleModule option type.
type Type string

// The option types of AnsibleModule that the collection's modules use.
const (
	TypeStr  Type = "str"
	TypeBool Type = "bool"
	TypeInt  Type = "int"
	TypeList Type = "list"
	TypeDict Type = "dict"
	TypePath Type = "path"
)

// Option declares one module option, as an AnsibleModule argument_spec entry
// does, plus the documentation of that option.
type Option struct {
	Name     string
	Type     Type
	Elements Type // element type when Type is TypeList
	Required bool
	Default  any // nil: no default
	Choices  []any
	NoLog    bool
	// Options declares the sub-options of a dict option, or of each element
	// of a list option whose Elements is TypeDict.
	Options []Option
	// Description is the documentation of the option: one paragraph per item.
	Description []string
}

// Return documents one return value (RETURN in module docs).
type Return struct {
	Name        string
	Description []string
	Returned    string
	Type        string
	Elements    string
	Sample      any
	Contains    []Return
}

// Spec is the single declaration of a module: its options and rules, and the
// documentation rendered for ansible-doc.
type Spec struct {
	// Name is the short module name, e.g. "backends".
	Name string
	// Collection is the collection namespace.name, e.g. "kolla.glance".
	Collection       string
	ShortDescription string
	Description      []string
	VersionAdded     string
	Options          []Option
	// SupportsCheckMode tells whether the module can run in check mode;
	// without it a check-mode run is skipped, as AnsibleModule does.
	SupportsCheckMode bool
	// SupportsDiff documents diff support (attributes.diff_mode).
	SupportsDiff bool
	Notes        []string
	Requirements []string
	SeeAlso      []string // FQCNs of related modules
	Author       []string
	// Examples is the EXAMPLES YAML text.
	Examples string
	Returns  []Return
}

// FQCN is the fully qualified collection name of the module.
func (s *Spec) FQCN() string {
	if s.Collection == "" {
		return s.Name
	}
	return s.Collection + "." + s.Name
}
