// Package suitestatus holds the deliberately failing test of every suite
// `make test` runs, and the proof that each one fails its make target and
// `make test` itself (status_test.go, `make suite-status`).
//
// Each suite has a TestDeliberateFailure, compiled only with the build tag
// `deliberate` (never by default), that fails when KOLLA_GLANCE_DELIBERATE_FAILURE
// names its suite and passes otherwise: a narrowed run
// (`make test RUN='^TestDeliberateFailure$' TAGS=deliberate`) then passes
// as a whole unless one suite is asked to fail.
package suitestatus

import (
	"os"
	"testing"
)

// Env names the suite whose deliberate test fails.
const Env = "KOLLA_GLANCE_DELIBERATE_FAILURE"

// Marker is what a deliberate failure prints, for the suite it names.
func Marker(suite string) string { return "deliberate failure of the " + suite + " suite" }

// FailIfAsked fails t when Env names suite.
func FailIfAsked(t testing.TB, suite string) {
	t.Helper()
	if os.Getenv(Env) == suite {
		t.Fatalf("%s (%s=%s)", Marker(suite), Env, suite)
	}
}
