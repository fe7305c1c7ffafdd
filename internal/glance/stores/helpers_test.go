package stores_test

import (
	"fmt"
	"sort"

	"github.com/kolla-glance/kolla-glance/internal/problem"
)

func bp(b bool) *bool { return &b }

func showBool(b *bool) string {
	if b == nil {
		return "nil"
	}
	return fmt.Sprint(*b)
}

// optionsOf returns the sorted options of the argument problems in err.
func optionsOf(err error) []string {
	var opts []string
	for _, oe := range problem.Of(err).Arguments() {
		opts = append(opts, oe.Option)
	}
	sort.Strings(opts)
	return opts
}

// reasonsOf returns the reasons of the refusals in err, in order.
func reasonsOf(err error) []string {
	var out []string
	for _, r := range problem.Of(err).Refusals() {
		out = append(out, r.Msg)
	}
	return out
}

// argumentTexts returns the argument problems in err as rendered, in order.
func argumentTexts(err error) []string {
	var out []string
	for _, p := range problem.Of(err).Arguments() {
		out = append(out, p.Error())
	}
	return out
}
