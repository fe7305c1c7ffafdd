package cachejobs

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/kolla-glance/kolla-glance/internal/textcheck"
)

// Schedule is a validated cron schedule in canonical form: either an
// @keyword or five time-and-date fields. The zero value is not a valid
// schedule (IsZero reports it). Schedules are comparable with ==; two
// schedules are equal exactly when their canonical texts are equal.
type Schedule struct {
	keyword string    // "daily" for "@daily"; "" for a five-field schedule
	fields  [5]string // canonical fields when keyword == ""
}

// keywords are the keywords ParseSchedule accepts, in the order error
// messages list them.
func keywords() []string {
	return []string{"@reboot", "@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}
}

type fieldSpec struct {
	name    string
	min     int
	max     int
	names   []string // accepted 3-letter names, in value order
	base    int      // value of names[0]
	allowed string   // human text for error messages
}

var (
	monthNames = []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}
	dayNames   = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}
)

const syntaxHelp = `*, a-b, */n, a-b/n and comma lists`

var fieldSpecs = [5]fieldSpec{
	{name: "minute", min: 0, max: 59, allowed: "0-59"},
	{name: "hour", min: 0, max: 23, allowed: "0-23"},
	{name: "day-of-month", min: 1, max: 31, allowed: "1-31"},
	{name: "month", min: 1, max: 12, names: monthNames, base: 1, allowed: "1-12 or jan-dec"},
	{name: "day-of-week", min: 0, max: 7, names: dayNames, base: 0, allowed: "0-7 or sun-sat, 0 and 7 are Sunday"},
}

// element is one comma-separated item of a field, already validated.
type element struct {
	lo, hi, step int
	star         bool
	text         string // canonical text of the element
}

// ParseSchedule validates a cron schedule and returns it in canonical form.
//
// Accepted: an @keyword (@reboot @yearly @annually @monthly @weekly @daily
// @midnight @hourly; case-insensitive, canonically lower case), or five
// fields "minute hour day-of-month month day-of-week" separated by spaces.
// A field is a comma list of elements; an element is *, a value, a range
// a-b, or a step */n or a-b/n. Values: minute 0-59, hour 0-23,
// day-of-month 1-31, month 1-12 or jan-dec, day-of-week 0-7 or sun-sat (0
// and 7 are Sunday); names are case-insensitive, canonically lower case.
// Ranges must not be reversed (cron would silently never run them), a step
// must lie in 1..(size of the field), and a step needs * or a range before
// it ("5/10" is refused: Vixie cron silently ignores the "/10").
//
// Refused anywhere: a newline, "%" (cron turns it into a newline) and every
// other control character, tabs included. Leading and trailing spaces are
// ignored; runs of spaces between fields collapse to one in String().
func ParseSchedule(s string) (Schedule, error) {
	for i, r := range s {
		if what := forbiddenRune(r); what != "" {
			return Schedule{}, fmt.Errorf("schedule %q contains %s at byte %d; newlines, %q and control characters are not allowed", s, what, i, "%")
		}
	}
	t := strings.Trim(s, " ")
	if t == "" {
		return Schedule{}, fmt.Errorf("schedule is empty; expected five fields (minute hour day-of-month month day-of-week) or one of %s", strings.Join(keywords(), ", "))
	}
	parts := splitSpaces(t)
	if strings.HasPrefix(parts[0], "@") {
		kw := strings.ToLower(parts[0])
		if !isKeyword(kw) {
			return Schedule{}, fmt.Errorf("schedule %q: unknown keyword %q; accepted keywords: %s", s, parts[0], strings.Join(keywords(), ", "))
		}
		if len(parts) > 1 {
			return Schedule{}, fmt.Errorf("schedule %q: %s must stand alone, without fields after it", s, kw)
		}
		return Schedule{keyword: kw[1:]}, nil
	}
	if len(parts) != 5 {
		return Schedule{}, fmt.Errorf("schedule %q has %d fields; expected 5 (minute hour day-of-month month day-of-week) or one of %s", s, len(parts), strings.Join(keywords(), ", "))
	}
	var sch Schedule
	for i, p := range parts {
		els, err := parseField(fieldSpecs[i], p)
		if err != nil {
			return Schedule{}, fmt.Errorf("schedule %q: %s field %q: %v (allowed: %s; syntax: %s)", s, fieldSpecs[i].name, p, err, fieldSpecs[i].allowed, syntaxHelp)
		}
		texts := make([]string, len(els))
		for j, e := range els {
			texts[j] = e.text
		}
		sch.fields[i] = strings.Join(texts, ",")
	}
	return sch, nil
}

// forbiddenRune returns a description of r when r may not appear in a
// schedule, a command or any other value written into a cron line.
func forbiddenRune(r rune) string {
	if r == '%' {
		return `a percent sign ("%")`
	}
	return textcheck.Describe(r)
}

// splitSpaces splits at runs of ASCII spaces only (strings.Fields would
// also split at Unicode spaces, which cron does not).
func splitSpaces(s string) []string {
	var out []string
	for _, p := range strings.Split(s, " ") {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

func isKeyword(kw string) bool {
	for _, k := range keywords() {
		if k == kw {
			return true
		}
	}
	return false
}

func parseField(spec fieldSpec, f string) ([]element, error) {
	items := strings.Split(f, ",")
	out := make([]element, 0, len(items))
	for _, it := range items {
		if it == "" {
			return nil, fmt.Errorf("empty list element")
		}
		e, err := parseElement(spec, it)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

func parseElement(spec fieldSpec, it string) (element, error) {
	body, stepText, hasStep := strings.Cut(it, "/")
	e := element{step: 1}
	if hasStep {
		n, err := parseStep(spec, stepText)
		if err != nil {
			return element{}, err
		}
		e.step = n
	}
	switch {
	case body == "*":
		e.star = true
		e.lo, e.hi = spec.min, spec.max
		e.text = "*"
	case strings.Contains(body, "-"):
		a, b, _ := strings.Cut(body, "-")
		lo, loText, err := parseValue(spec, a)
		if err != nil {
			return element{}, err
		}
		hi, hiText, err := parseValue(spec, b)
		if err != nil {
			return element{}, err
		}
		if lo > hi {
			return element{}, fmt.Errorf("range %s is reversed; the start must not be greater than the end", body)
		}
		e.lo, e.hi = lo, hi
		e.text = loText + "-" + hiText
	default:
		if hasStep {
			return element{}, fmt.Errorf("step %q needs * or a range before the \"/\" (e.g. */15 or 0-30/15)", it)
		}
		v, vText, err := parseValue(spec, body)
		if err != nil {
			return element{}, err
		}
		e.lo, e.hi = v, v
		e.text = vText
	}
	if hasStep {
		e.text += "/" + strconv.Itoa(e.step)
	}
	return e, nil
}

func parseStep(spec fieldSpec, t string) (int, error) {
	span := spec.max - spec.min + 1
	if t == "" {
		return 0, fmt.Errorf(`missing step after "/"`)
	}
	if !isDigits(t) {
		return 0, fmt.Errorf("step %q is not a number", t)
	}
	trimmed := strings.TrimLeft(t, "0")
	if trimmed == "" {
		trimmed = "0"
	}
	n := span + 1
	if len(trimmed) <= 4 {
		n, _ = strconv.Atoi(trimmed)
	}
	if n < 1 || n > span {
		return 0, fmt.Errorf("step %s is out of range 1-%d", t, span)
	}
	return n, nil
}

// parseValue parses a number or (month, day-of-week) a 3-letter name.
func parseValue(spec fieldSpec, t string) (int, string, error) {
	if t == "" {
		return 0, "", fmt.Errorf("missing value")
	}
	if isDigits(t) {
		trimmed := strings.TrimLeft(t, "0")
		if trimmed == "" {
			trimmed = "0"
		}
		if len(trimmed) > 4 {
			return 0, "", fmt.Errorf("value %s is out of range %d-%d", t, spec.min, spec.max)
		}
		v, _ := strconv.Atoi(trimmed)
		if v < spec.min || v > spec.max {
			return 0, "", fmt.Errorf("value %s is out of range %d-%d", t, spec.min, spec.max)
		}
		return v, strconv.Itoa(v), nil
	}
	if spec.names != nil {
		l := strings.ToLower(t)
		for i, n := range spec.names {
			if n == l {
				return spec.base + i, n, nil
			}
		}
		return 0, "", fmt.Errorf("%q is neither a number nor a name (%s-%s)", t, spec.names[0], spec.names[len(spec.names)-1])
	}
	return 0, "", fmt.Errorf("%q is not a number", t)
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// String returns the canonical text: "@daily", or the five canonical fields
// joined by single spaces ("*/30 * * * *"). The zero Schedule gives "".
func (s Schedule) String() string {
	if s.keyword != "" {
		return "@" + s.keyword
	}
	if s.IsZero() {
		return ""
	}
	return strings.Join(s.fields[:], " ")
}

// IsZero reports whether s is the zero Schedule (not produced by
// ParseSchedule).
func (s Schedule) IsZero() bool {
	return s.keyword == "" && s.fields == [5]string{}
}

// Keyword returns the keyword with its "@" ("@daily"), or "" for a
// five-field schedule.
func (s Schedule) Keyword() string {
	if s.keyword == "" {
		return ""
	}
	return "@" + s.keyword
}

// Fields returns the five canonical fields; all empty for an @keyword
// schedule.
func (s Schedule) Fields() [5]string {
	return s.fields
}

// minuteSet expands a canonical minute field into the set of minutes.
func minuteSet(field string) [60]bool {
	var set [60]bool
	els, err := parseField(fieldSpecs[0], field)
	if err != nil {
		return set
	}
	for _, e := range els {
		for v := e.lo; v <= e.hi; v += e.step {
			set[v] = true
		}
	}
	return set
}
