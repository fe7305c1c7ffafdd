package ansible

// What a module's code sees of a run (Context) and returns (Result).

// Diff is one before/after pair of a diff-mode result.
type Diff struct {
	Before       string `json:"before"`
	After        string `json:"after"`
	BeforeHeader string `json:"before_header,omitempty"`
	AfterHeader  string `json:"after_header,omitempty"`
}

// Result is what a module returns on success.
type Result struct {
	Changed bool
	Msg     string
	// Diffs are returned only in diff mode.
	Diffs []Diff
	// Values holds the module's own return keys: a struct with json tags or
	// a map. Its keys are merged into the top level of the result.
	Values any
}

// Context is what a module's code sees of one run.
type Context struct {
	Params    Params
	CheckMode bool
	DiffMode  bool
	internal  internalArgs

	warnings []string
}

// Warn adds a warning shown as [WARNING] by Ansible.
func (c *Context) Warn(msg string) { c.warnings = append(c.warnings, msg) }

// RunFunc is a module's own logic: it gets validated parameters and returns
// a result, or an error that becomes failed: true with the error as msg.
type RunFunc func(*Context) (*Result, error)

func (c *Context) wantTraceback() bool {
	if c.internal.Verbosity >= 3 || c.internal.Debug {
		return true
	}
	for _, t := range c.internal.TracebacksFor {
		if t == "error" {
			return true
		}
	}
	return false
}

// finish adds the warnings in the shape Ansible accepts (a list of strings).
func (c *Context) finish(out map[string]any) map[string]any {
	if len(c.warnings) > 0 {
		out["warnings"] = c.warnings
	}
	return out
}
