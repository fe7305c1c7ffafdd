package ansible

import (
	"sort"
	"strings"
)

// Mask texts AnsibleModule's remove_values uses.
const (
	noLogValue  = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
	noLogMasked = "********"
)

// noLogValues collects the leaf strings of every no_log option (and
// sub-option) in args, as AnsibleModule does before it scrubs a result.
// Values are taken from the raw arguments too, so a secret echoed back in a
// validation error is masked as well.
func noLogValues(opts []Option, args map[string]any, into map[string]bool) {
	for _, o := range opts {
		{
			val, ok := args[o.Name]
			if !ok || val == nil {
				continue
			}
			if o.NoLog {
				collectLeaves(val, into)
				continue
			}
			if len(o.Options) == 0 {
				continue
			}
			switch x := val.(type) {
			case map[string]any:
				noLogValues(o.Options, x, into)
			case []any:
				for _, e := range x {
					if m, ok := e.(map[string]any); ok {
						noLogValues(o.Options, m, into)
					}
				}
			}
		}
	}
}

func collectLeaves(v any, into map[string]bool) {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			collectLeaves(e, into)
		}
	case map[string]any:
		for _, e := range x {
			collectLeaves(e, into)
		}
	case bool, nil:
		// AnsibleModule does not treat booleans as secrets.
	default:
		s := leafText(x)
		if s != "" {
			into[s] = true
		}
	}
}

func leafText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	if s, ok := numberText(v); ok {
		return s
	}
	return ""
}

// scrubber masks no_log values anywhere in a result.
type scrubber struct{ secrets []string }

func newScrubber(values map[string]bool) scrubber {
	s := make([]string, 0, len(values))
	for v := range values {
		s = append(s, v)
	}
	// Longest first, so a secret containing another is masked whole.
	sort.Slice(s, func(i, j int) bool { return len(s[i]) > len(s[j]) || (len(s[i]) == len(s[j]) && s[i] < s[j]) })
	return scrubber{secrets: s}
}

func (s scrubber) scrub(v any) any {
	if len(s.secrets) == 0 {
		return v
	}
	switch x := v.(type) {
	case string:
		return s.text(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = s.scrub(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = s.scrub(e)
		}
		return out
	case []string:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = s.text(e)
		}
		return out
	case bool, nil:
		return x
	default:
		if t := leafText(x); t != "" && s.text(t) != t {
			return noLogValue
		}
		return x
	}
}

func (s scrubber) text(t string) string {
	for _, secret := range s.secrets {
		if t == secret {
			return noLogValue
		}
	}
	for _, secret := range s.secrets {
		if strings.Contains(t, secret) {
			t = strings.ReplaceAll(t, secret, noLogMasked)
		}
	}
	return t
}
