package ansible

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
)

// coerce converts a decoded JSON value to the option type the way
// AnsibleModule's check_type_* functions do. warn receives AnsibleModule's
// string-conversion warning. It returns AnsibleModule's error text (the part
// after "we were unable to convert to <type>: ").
func coerce(t Type, v any, warn func(string)) (any, error) {
	switch t {
	case TypeStr:
		return toStr(v, warn)
	case TypePath:
		s, err := toStr(v, warn)
		if err != nil {
			return nil, err
		}
		return expandPath(s.(string)), nil
	case TypeBool:
		return toBool(v)
	case TypeInt:
		return toInt(v)
	case TypeList:
		return toList(v)
	case TypeDict:
		return toDict(v)
	case "":
		return normalizeRaw(v), nil
	}
	return nil, fmt.Errorf("unknown option type %q", t)
}

// pyType names a JSON value's type the way Python prints type(value).
func pyType(v any) string {
	switch x := v.(type) {
	case nil:
		return "<class 'NoneType'>"
	case string:
		return "<class 'str'>"
	case bool:
		return "<class 'bool'>"
	case json.Number:
		if isIntegral(x) {
			return "<class 'int'>"
		}
		return "<class 'float'>"
	case int, int64:
		return "<class 'int'>"
	case float64:
		return "<class 'float'>"
	case []any:
		return "<class 'list'>"
	case map[string]any:
		return "<class 'dict'>"
	}
	return fmt.Sprintf("<class '%T'>", v)
}

// pyRepr renders a JSON value roughly as Python's repr() would, for messages.
func pyRepr(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case string:
		return "'" + strings.ReplaceAll(x, "'", `\'`) + "'"
	case bool:
		if x {
			return "True"
		}
		return "False"
	case json.Number, int, int64, float64:
		s, _ := numberText(x)
		return s
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = pyRepr(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		keys := sortedKeys(x)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = pyRepr(k) + ": " + pyRepr(x[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprint(v)
}

func sortedKeys(m map[string]any) []string { return slices.Sorted(maps.Keys(m)) }

func isIntegral(n json.Number) bool {
	return !strings.ContainsAny(string(n), ".eE")
}

// numberText renders a number as Python's str() would: ints in decimal,
// floats in repr form ("1.0", "1e+16").
func numberText(v any) (string, bool) {
	switch x := v.(type) {
	case json.Number:
		if isIntegral(x) {
			if i, err := x.Int64(); err == nil {
				return strconv.FormatInt(i, 10), true
			}
			return string(x), true
		}
		f, err := x.Float64()
		if err != nil {
			return string(x), true
		}
		return pyFloat(f), true
	case int:
		return strconv.Itoa(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case float64:
		return pyFloat(x), true
	}
	return "", false
}

func pyFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	abs := math.Abs(f)
	if f != 0 && (abs < 1e-4 || abs >= 1e16) {
		return strconv.FormatFloat(f, 'e', -1, 64)
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

func toStr(v any, warn func(string)) (any, error) {
	switch x := v.(type) {
	case string:
		if strings.IndexByte(x, 0) >= 0 {
			return nil, errors.New("the value contains a NUL byte")
		}
		return x, nil
	case json.Number, int, int64, float64:
		s, _ := numberText(x)
		if warn != nil {
			warn(fmt.Sprintf("The value %s (type %s) was converted to '%s' (type string). "+
				"If this does not look like what you expect, quote the entire value to ensure it does not change.",
				pyRepr(v), strings.TrimSuffix(strings.TrimPrefix(pyType(v), "<class '"), "'>"), s))
		}
		return s, nil
	}
	// Booleans, lists and dicts are not silently turned into their Python
	// repr: that is almost always a YAML mistake (name: yes) or junk.
	return nil, fmt.Errorf("'%s' is not a string and conversion is not allowed", pyRepr(v))
}

// expandPath mirrors os.path.expanduser(os.path.expandvars(value)): unknown
// variables are left as they are.
func expandPath(s string) string {
	s = os.Expand(s, func(name string) string {
		if val, ok := os.LookupEnv(name); ok {
			return val
		}
		return "$" + name
	})
	if s == "~" || strings.HasPrefix(s, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			s = home + s[1:]
		}
	}
	return s
}

var (
	booleansTrue  = map[string]bool{"y": true, "yes": true, "on": true, "1": true, "true": true, "t": true}
	booleansFalse = map[string]bool{"n": true, "no": true, "off": true, "0": true, "false": true, "f": true}
)

const validBooleans = "0, 1, 'off', 'f', 'no', 'y', 'n', 'false', '0', 'on', 'true', 't', '1', 'yes'"

func toBool(v any) (any, error) {
	var text string
	switch x := v.(type) {
	case bool:
		return x, nil
	case string:
		text = x
		norm := strings.ToLower(strings.TrimSpace(x))
		if booleansTrue[norm] {
			return true, nil
		}
		if booleansFalse[norm] {
			return false, nil
		}
	case json.Number, int, int64, float64:
		text, _ = numberText(x)
		f, err := strconv.ParseFloat(text, 64)
		if err == nil && f == 1 {
			return true, nil
		}
		if err == nil && f == 0 {
			return false, nil
		}
	default:
		return nil, fmt.Errorf("%s cannot be converted to a bool", pyType(v))
	}
	//lint:ignore ST1005 AnsibleModule's exact text, capital included
	return nil, fmt.Errorf("The value '%s' is not a valid boolean.  Valid booleans include: %s", text, validBooleans)
}

func toInt(v any) (any, error) {
	switch x := v.(type) {
	case json.Number:
		if isIntegral(x) {
			if i, err := x.Int64(); err == nil {
				return int(i), nil
			}
			return nil, fmt.Errorf("%s is out of range for a 64-bit int", x)
		}
	case int:
		return x, nil
	case int64:
		return int(x), nil
	case string:
		if i, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64); err == nil {
			return int(i), nil
		}
	}
	return nil, fmt.Errorf("%s cannot be converted to an int", pyType(v))
}

func toList(v any) (any, error) {
	switch x := v.(type) {
	case []any:
		return x, nil
	case string:
		parts := strings.Split(x, ",")
		out := make([]any, len(parts))
		for i, p := range parts {
			out[i] = p
		}
		return out, nil
	case json.Number, int, int64, float64:
		s, _ := numberText(x)
		return []any{s}, nil
	}
	return nil, fmt.Errorf("%s cannot be converted to a list", pyType(v))
}

func toDict(v any) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		return x, nil
	case string:
		if strings.HasPrefix(x, "{") {
			var m map[string]any
			dec := json.NewDecoder(strings.NewReader(x))
			dec.UseNumber()
			if err := dec.Decode(&m); err != nil {
				return nil, errors.New("unable to evaluate string as dictionary")
			}
			return m, nil
		}
		if !strings.Contains(x, "=") {
			return nil, errors.New("dictionary requested, could not parse JSON or key=value")
		}
		return parseKeyValues(x)
	}
	return nil, fmt.Errorf("%s cannot be converted to a dict", pyType(v))
}

// parseKeyValues parses "k1=v1, k2='v 2'" as AnsibleModule's check_type_dict:
// fields split on commas or spaces outside quotes, backslash escapes.
func parseKeyValues(s string) (any, error) {
	var fields []string
	var field strings.Builder
	var quote rune
	escaped := false
	for _, c := range s {
		switch {
		case escaped:
			field.WriteRune(c)
			escaped = false
		case c == '\\':
			escaped = true
		case quote != 0:
			if c == quote {
				quote = 0
			} else {
				field.WriteRune(c)
			}
		case c == '\'' || c == '"':
			quote = c
		case c == ',' || c == ' ':
			if field.Len() > 0 {
				fields = append(fields, field.String())
			}
			field.Reset()
		default:
			field.WriteRune(c)
		}
	}
	if field.Len() > 0 {
		fields = append(fields, field.String())
	}
	out := make(map[string]any, len(fields))
	for _, f := range fields {
		k, val, ok := strings.Cut(f, "=")
		if !ok {
			return nil, errors.New("dictionary requested, could not parse JSON or key=value")
		}
		out[k] = val
	}
	return out, nil
}

// normalizeRaw returns a deep copy of v with json.Number leaves turned into
// int or float64, so that raw values reach module code in plain Go types.
func normalizeRaw(v any) any {
	switch x := v.(type) {
	case json.Number:
		if isIntegral(x) {
			if i, err := x.Int64(); err == nil {
				return int(i)
			}
		}
		f, _ := x.Float64()
		return f
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalizeRaw(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normalizeRaw(e)
		}
		return out
	}
	return v
}
