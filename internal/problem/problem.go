// Package problem is the one way the collection builds and renders what is
// wrong with a module's input. There are two kinds: an argument problem
// (malformed, or contradicting another option: fix the arguments) and a
// refusal (well formed, but unsafe, or something the kolla-ansible release
// no longer has: the module will not do it). The domain packages collect
// them in a List; the Ansible SDK renders the Error a module returns into
// msg and the result keys refused/reasons and argument_errors, so that a
// refusal reads as a refusal and a playbook can tell the kinds apart.
package problem

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Kind tells an argument problem from a refusal.
type Kind uint8

const (
	// Argument is malformed input, or options that contradict each other.
	Argument Kind = iota + 1
	// Refusal is well-formed input the module will not act on.
	Refusal
)

// ErrArgument matches (errors.Is) every argument problem and every Error
// that holds one; ErrRefused likewise for refusals.
var (
	ErrArgument = errors.New("invalid arguments")
	ErrRefused  = errors.New("refused")
)

// Problem is one thing wrong with a module's input.
type Problem struct {
	Kind Kind
	// Option is the module option the problem is about ("" when it is
	// about the call as a whole, an unknown option for one); Field narrows
	// it down inside a list or dict ("[1].pool", "[control02]").
	Option, Field string
	// Options are every option the problem is about, Option first: the
	// options that lead to a refusal, or the ones an AnsibleModule text
	// names ("missing required arguments: a, b").
	Options []string
	// Msg says what is wrong and what is accepted; a refusal's Msg is one
	// sentence that starts with what is refused.
	Msg string
	// named: Msg names the option itself (AnsibleModule's texts, the cron
	// checks'), so Error does not put "<option><field>: " before it.
	named bool
}

// Error renders an argument problem as "<option><field>: <msg>" and a
// refusal, or a problem whose Msg names its option itself, as its Msg.
func (p *Problem) Error() string {
	if p.Kind == Refusal || p.Option == "" || p.named {
		return p.Msg
	}
	return p.Path() + ": " + p.Msg
}

// Path is where in the arguments the value is: the option and its field
// ("ceph_backends[1].pool", "api_ports[control02]"), "" for a refusal, a
// problem about several options or about the call as a whole.
func (p *Problem) Path() string {
	if p.Kind == Refusal || p.Option == "" || len(p.Options) > 1 {
		return ""
	}
	return p.Option + p.Field
}

// String names the kind as a result shows it: "argument" or "refusal".
func (k Kind) String() string {
	if k == Refusal {
		return "refusal"
	}
	return "argument"
}

// Is makes a Problem match ErrArgument or ErrRefused, by kind.
func (p *Problem) Is(target error) bool {
	return (target == ErrArgument && p.Kind == Argument) || (target == ErrRefused && p.Kind == Refusal)
}

// Item is one problem as a failed module's result lists it under
// "problems", beside msg: what a playbook reads instead of parsing msg.
type Item struct {
	Kind    string   `json:"kind"`
	Option  string   `json:"option"`
	Options []string `json:"options"`
	Path    string   `json:"path"`
	Msg     string   `json:"msg"`
}

// Items lists the problems as a result shows them, in order.
func Items(problems []*Problem) []Item {
	out := make([]Item, len(problems))
	for i, p := range problems {
		opts := p.Options
		if opts == nil {
			opts = []string{}
		}
		out[i] = Item{Kind: p.Kind.String(), Option: p.Option, Options: opts, Path: p.Path(), Msg: p.Error()}
	}
	return out
}

// List collects the problems of one call, in the order they are found.
type List struct {
	problems []*Problem
}

// Argument adds an argument problem about option (field: "" or the part of
// the option, e.g. "[1].pool"), rendered "<option><field>: <msg>".
func (l *List) Argument(option, field, format string, args ...any) {
	p := &Problem{Kind: Argument, Option: option, Field: field, Msg: fmt.Sprintf(format, args...)}
	if option != "" {
		p.Options = []string{option}
	}
	l.problems = append(l.problems, p)
}

// Named adds an argument problem about options (the first one the main
// one; field narrows it down) whose message names them itself, as
// AnsibleModule's texts do: it is rendered as the message alone.
func (l *List) Named(options []string, field, format string, args ...any) {
	p := &Problem{Kind: Argument, Field: field, Options: options, Msg: fmt.Sprintf(format, args...), named: true}
	if len(options) > 0 {
		p.Option = options[0]
	}
	l.problems = append(l.problems, p)
}

// Refuse adds a refusal that options lead to.
func (l *List) Refuse(options []string, format string, args ...any) {
	p := &Problem{Kind: Refusal, Options: options, Msg: fmt.Sprintf(format, args...)}
	if len(options) > 0 {
		p.Option = options[0]
	}
	l.problems = append(l.problems, p)
}

// Add adds problems made elsewhere.
func (l *List) Add(p ...*Problem) { l.problems = append(l.problems, p...) }

// Len is the number of problems collected.
func (l *List) Len() int { return len(l.problems) }

// Err is nil without problems, else an *Error holding them all.
func (l *List) Err() error {
	if len(l.problems) == 0 {
		return nil
	}
	return &Error{Problems: append([]*Problem(nil), l.problems...)}
}

// Error is every problem of one call.
type Error struct {
	Problems []*Problem
}

// Error renders the problems as Render does.
func (e *Error) Error() string { return Render(e.Problems) }

// Unwrap exposes each problem, so errors.Is(err, ErrRefused) tells whether
// any of them is a refusal.
func (e *Error) Unwrap() []error {
	out := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		out[i] = p
	}
	return out
}

// Arguments are the argument problems, in order (nil-safe).
func (e *Error) Arguments() []*Problem { return e.of(Argument) }

// Refusals are the refusals, in order (nil-safe).
func (e *Error) Refusals() []*Problem { return e.of(Refusal) }

func (e *Error) of(k Kind) []*Problem {
	if e == nil {
		return nil
	}
	var out []*Problem
	for _, p := range e.Problems {
		if p.Kind == k {
			out = append(out, p)
		}
	}
	return out
}

// Of returns the *Error in err's chain, or nil.
func Of(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// Render is the one rendering of a module's problems, on one line (Ansible's
// msg): the refusals first, joined by "; "; then the argument problems, one
// as itself, several as "N problems with the arguments: (1) a; (2) b"
// (numbered, since messages hold semicolons), after "; and " when refusals
// came first.
func Render(problems []*Problem) string {
	var refusals, args []string
	for _, p := range problems {
		if p.Kind == Refusal {
			refusals = append(refusals, p.Error())
		} else {
			args = append(args, p.Error())
		}
	}
	text := strings.Join(refusals, "; ")
	if len(args) == 0 {
		return text
	}
	if text != "" {
		text += "; and "
	}
	return text + RenderArguments(args)
}

// RenderArguments renders argument problems given as text (the SDK's
// AnsibleModule messages, the controller's): one as itself, several
// numbered. plugins/plugin_utils/argument_validation.py renders the
// controller's the same way.
func RenderArguments(msgs []string) string {
	if len(msgs) == 1 {
		return msgs[0]
	}
	var b strings.Builder
	b.WriteString(strconv.Itoa(len(msgs)))
	b.WriteString(" problems with the arguments:")
	for i, m := range msgs {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(" (")
		b.WriteString(strconv.Itoa(i + 1))
		b.WriteString(") ")
		b.WriteString(m)
	}
	return b.String()
}
