// Package realpart is for tests that claim a real part (the cron daemon,
// the container engine, root): when the part is missing such a test fails,
// instead of skipping while `go test` still prints ok.
//
// Only an explicit opt-out turns the failure into a skip:
// KOLLA_GLANCE_MAY_SKIP=all, or a comma-separated list of part names
// (root, cron, docker, flock, unshare). Each such skip is appended to the
// file KOLLA_GLANCE_SKIP_LOG names (make test prints it in its summary line).
package realpart

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Missing fails t because part is missing (why says what to install or
// do), or skips it when KOLLA_GLANCE_MAY_SKIP allows that part to be missing.
func Missing(t testing.TB, part, why string) {
	t.Helper()
	if !maySkip(part) {
		t.Fatalf("%s is missing: %s (KOLLA_GLANCE_MAY_SKIP=%s skips this test instead)", part, why, part)
	}
	if log := os.Getenv("KOLLA_GLANCE_SKIP_LOG"); log != "" {
		if f, err := os.OpenFile(log, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
			fmt.Fprintf(f, "%s (%s missing)\n", t.Name(), part)
			f.Close()
		}
	}
	t.Skipf("%s is missing: %s (skipped: KOLLA_GLANCE_MAY_SKIP)", part, why)
}

// Root requires the test to run as root.
func Root(t testing.TB, why string) {
	t.Helper()
	if os.Geteuid() != 0 {
		Missing(t, "root", why)
	}
}

// Commands requires each command on PATH; part is the name the opt-out
// uses, pkg the Debian package that provides them.
func Commands(t testing.TB, part, pkg string, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			Missing(t, part, fmt.Sprintf("%s is not on PATH (Debian package %s)", n, pkg))
		}
	}
}

func maySkip(part string) bool {
	for _, p := range strings.Split(os.Getenv("KOLLA_GLANCE_MAY_SKIP"), ",") {
		if p = strings.TrimSpace(p); p == "all" || p == part {
			return true
		}
	}
	return false
}
