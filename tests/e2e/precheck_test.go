//go:build e2e

package e2e

import (
	"os/exec"
	"strings"
	"testing"
)

// TestPrecheckRefusesAnOperatorSocket: kolla opens HAProxy's runtime
// socket at level admin only with haproxy_socket_level_admin (off by
// default), and setting a server's state needs admin. The role's precheck
// asks each real HAProxy for its socket's level (show cli level, through
// socat in the container) and refuses the rolling upgrade before any step,
// naming the variable to set; with the socket at admin it passes.
func TestPrecheckRefusesAnOperatorSocket(t *testing.T) {
	s := newScenario(t, "precheck", "three.yml")
	hp := startHAProxy(t, s, false)
	out, err := s.tryPlay("tests/e2e/precheck.yml")
	if err == nil {
		t.Fatalf("the precheck passed with the sockets below level admin:\n%s", out)
	}
	// Every host stops there: none goes on to a later task.
	if n := strings.Count(out, "Refusing the rolling upgrade"); n < len(s.hosts) {
		t.Errorf("the refusal failed %d hosts, want all %d:\n%s", n, len(s.hosts), out)
	}
	for _, want := range []string{
		"Refusing the rolling upgrade",
		"the runtime socket /var/lib/kolla/haproxy/haproxy.sock at level admin; it is not on lb01 (level operator), lb02 (level operator).",
		"Set haproxy_socket_level_admin to true",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the refusal does not say %q:\n%s", want, out)
		}
	}
	for _, lb := range hp.lbs {
		level, err := lb.command("show cli level")
		if err != nil || strings.TrimSpace(level) != "operator" {
			t.Errorf("%s's socket: level %q (%v), want HAProxy's default, operator", lb.name, level, err)
		}
	}

	// The same precheck once the sockets are at level admin, as kolla's
	// haproxy_socket_level_admin: true renders them.
	hp.stop()
	hp = startHAProxy(t, s, true)
	if out, err := s.tryPlay("tests/e2e/precheck.yml"); err != nil {
		t.Fatalf("the precheck refused with the sockets at level admin: %v\n%s", err, out)
	}

	// An HAProxy that cannot be asked is refused too, with the reason.
	if out, err := exec.Command("docker", "rm", "--force", hp.lbs[1].container).CombinedOutput(); err != nil {
		t.Fatalf("docker rm: %v: %s", err, out)
	}
	out, err = s.tryPlay("tests/e2e/precheck.yml")
	want := "it is not on lb02 (not reachable: Error response from daemon: No such container: " + hp.lbs[1].container
	if err == nil || !strings.Contains(out, want) {
		t.Errorf("with lb02's HAProxy gone the precheck does not refuse with %q (%v):\n%s", want, err, out)
	}
}
