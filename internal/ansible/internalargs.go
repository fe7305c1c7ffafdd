package ansible

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
)

// internalArgs are the _ansible_* keys this SDK reads (the modules make no
// temp files, so the temp-dir keys are not among them). Every other
// _ansible_* key is ignored whatever its value: new ones appear in most
// ansible-core releases, and old ones change type (2.19 dropped
// _ansible_string_conversion_action, added _ansible_tracebacks_for; 2.21
// added _ansible_inject_invocation).
type internalArgs struct {
	CheckMode         bool
	Diff              bool
	Debug             bool
	Verbosity         int
	ModuleName        string
	IgnoreUnknownOpts bool
	TracebacksFor     []string
	InjectInvocation  *bool
}

// checkModeKey is the one internal key whose misreading could do harm (a
// check run that writes), so a value of the wrong type fails the task
// instead of being ignored.
const checkModeKey = "_ansible_check_mode"

// splitInternal separates the _ansible_* keys from the user's arguments and
// decodes the ones the SDK reads. Keys match exactly: encoding/json would
// also match "_ansible_CHECK_mode" to a struct field, case-insensitively.
// A read key whose value has a type this SDK does not know keeps its
// default and yields a warning, except _ansible_check_mode, which fails.
func splitInternal(raw map[string]any) (ia internalArgs, user map[string]any, warnings []string, err error) {
	fields := map[string]any{
		checkModeKey: &ia.CheckMode, "_ansible_diff": &ia.Diff, "_ansible_debug": &ia.Debug,
		"_ansible_verbosity": &ia.Verbosity, "_ansible_module_name": &ia.ModuleName,
		"_ansible_ignore_unknown_opts": &ia.IgnoreUnknownOpts,
		"_ansible_tracebacks_for":      &ia.TracebacksFor, "_ansible_inject_invocation": &ia.InjectInvocation,
	}
	user = make(map[string]any, len(raw))
	for _, key := range sortedKeys(raw) {
		if !strings.HasPrefix(key, "_ansible_") {
			user[key] = raw[key]
			continue
		}
		field, read := fields[key]
		if !read || raw[key] == nil {
			continue
		}
		data, _ := json.Marshal(raw[key])
		// Decode into a scratch value first, so that a half-decoded list
		// does not stay behind in the field.
		if derr := decodeInto(data, field); derr != nil {
			if key == checkModeKey {
				return ia, user, warnings, fmt.Errorf("cannot tell whether this is a check run: %s is %s, not a boolean", key, truncate(string(data), 40))
			}
			warnings = append(warnings, fmt.Sprintf("ignored the internal argument %s: %s is not the type this module reads", key, truncate(string(data), 40)))
		}
	}
	return ia, user, warnings, nil
}

// decodeInto decodes JSON into the value field points to, leaving it
// untouched when the JSON does not fit.
func decodeInto(data []byte, field any) error {
	ptr := reflect.ValueOf(field)
	fresh := reflect.New(ptr.Elem().Type())
	if err := json.Unmarshal(data, fresh.Interface()); err != nil {
		return err
	}
	ptr.Elem().Set(fresh.Elem())
	return nil
}
