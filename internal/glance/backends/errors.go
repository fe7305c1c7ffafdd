package backends

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/go-multierror"
)

// ErrInvalid is the sentinel every problem reported by Select wraps, so that
// callers can test errors.Is(err, ErrInvalid).
var ErrInvalid = errors.New("invalid glance backend options")

// OptionError is one problem found by Select. Option is the option name of
// the module spec (api_hosts, ceph_backends, s3_url, default_backend, ...);
// Field narrows it down inside a list option (for example "[1].pool") and is
// empty otherwise. Msg says what is wrong and what would be accepted.
//
// Select returns every OptionError of one call together, aggregated in a
// *multierror.Error; use errors.As on each element of its Errors, or
// OptionErrors, to get them back.
type OptionError struct {
	Option string
	Field  string
	Msg    string
}

// Error renders "<option><field>: <message>".
func (e *OptionError) Error() string {
	return e.Option + e.Field + ": " + e.Msg
}

// Unwrap makes every OptionError match ErrInvalid.
func (e *OptionError) Unwrap() error { return ErrInvalid }

// OptionErrors returns the OptionErrors aggregated in an error returned by
// Select, in the order they were found (nil for a nil error).
func OptionErrors(err error) []*OptionError {
	if err == nil {
		return nil
	}
	var merr *multierror.Error
	if !errors.As(err, &merr) {
		var oe *OptionError
		if errors.As(err, &oe) {
			return []*OptionError{oe}
		}
		return nil
	}
	out := make([]*OptionError, 0, len(merr.Errors))
	for _, e := range merr.Errors {
		var oe *OptionError
		if errors.As(e, &oe) {
			out = append(out, oe)
		}
	}
	return out
}

// problems collects the OptionErrors of one Select call.
type problems struct {
	merr *multierror.Error
}

func (p *problems) add(option, field, format string, args ...any) {
	p.merr = multierror.Append(p.merr, &OptionError{
		Option: option,
		Field:  field,
		Msg:    fmt.Sprintf(format, args...),
	})
	p.merr.ErrorFormat = formatProblems
}

func (p *problems) err() error {
	if p.merr.ErrorOrNil() == nil {
		return nil
	}
	return fmt.Errorf("glance backends: %w", p.merr)
}

// formatProblems renders one problem on one line, several as a list.
func formatProblems(es []error) string {
	if len(es) == 1 {
		return es[0].Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d problems:", len(es))
	for _, e := range es {
		b.WriteString("\n  * ")
		b.WriteString(e.Error())
	}
	return b.String()
}

// quoteList renders names as "a", "b", "c".
func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}
