//go:build suitestatus

package suitestatus

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

// The suites `make test` runs: the label their deliberate test answers to
// and the make target that runs it.
var suites = []struct{ label, target string }{
	{"kolla-parity", "kolla-parity"},
	{"kolla-guide", "kolla-guide"},
	{"unit", "unit"},
	{"integration", "integration"},
	{"qemu", "qemu-protocol"},
	{"molecule", "molecule"},
	{"reliability", "reliability"},
	{"crash", "reliability"},
	{"e2e", "e2e"},
}

// unnarrowed are the suites RUN does not narrow (drivers that render
// kolla-ansible's files whole); asked to fail, they fail before any work.
var unnarrowed = []string{"kolla-parity", "kolla-guide"}

// narrowedTest runs `make test` with every suite narrowed to its
// deliberate test, failing the one that label names ("" for none). The
// steps before the suites (deps, lint, generated files), this proof itself
// and the suites RUN cannot narrow, unless asked to fail, are taken as done
// (-o).
func narrowedTest(t *testing.T, label string) (string, error) {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	args := []string{"--no-print-directory", "-o", "deps", "-o", "clear-skips", "-o", "check-generated", "-o", "lint",
		"-o", "suite-status"}
	for _, s := range unnarrowed {
		if s != label {
			args = append(args, "-o", s)
		}
	}
	args = append(args, "test", "RUN=^TestDeliberateFailure$$", "TAGS=deliberate",
		// the unit suite's deliberate test is in this package: linking every
		// package's tests for it would only cost time
		"UNIT_PKGS=./tests/suitestatus/")
	cmd := exec.Command("make", args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), Env+"="+label)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	t.Logf("make test, %s=%q: %v in %.0fs", Env, label, err, time.Since(start).Seconds())
	return out.String(), err
}

// TestEverySuiteFailureFailsMakeTest: for each suite, its deliberately
// failing test makes its target and `make test` exit non-zero, naming the
// target; with none asked to fail, the same narrowed `make test` passes (so
// a failure above comes from the deliberate test, not from the narrowing).
func TestEverySuiteFailureFailsMakeTest(t *testing.T) {
	out, err := narrowedTest(t, "")
	if err != nil {
		t.Fatalf("narrowed make test with no deliberate failure failed: %v\n%s", err, tail(out))
	}
	if !strings.Contains(out, "make test: all suites passed") {
		t.Fatalf("narrowed make test passed without its closing line:\n%s", tail(out))
	}
	for _, s := range suites {
		t.Run(s.label, func(t *testing.T) {
			out, err := narrowedTest(t, s.label)
			if err == nil {
				t.Fatalf("make test exited 0 although the %s suite failed:\n%s", s.label, tail(out))
			}
			if !strings.Contains(out, Marker(s.label)) {
				t.Errorf("make test failed, but not with the %s suite's deliberate failure:\n%s", s.label, tail(out))
			}
			target := regexp.MustCompile(fmt.Sprintf(`\*\*\* \[Makefile:\d+: %s\] Error`, regexp.QuoteMeta(s.target)))
			if !target.MatchString(out) {
				t.Errorf("make did not report the target %s as failed:\n%s", s.target, tail(out))
			}
			if strings.Contains(out, "make test: all suites passed") {
				t.Errorf("make test printed its success line although the %s suite failed", s.label)
			}
		})
	}
}

func tail(s string) string {
	lines := strings.Split(s, "\n")
	if len(lines) > 60 {
		lines = lines[len(lines)-60:]
	}
	return strings.Join(lines, "\n")
}
