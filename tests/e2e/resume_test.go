//go:build e2e

package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// killWhen runs a playbook like tryPlay, but SIGKILLs ansible-playbook and
// everything it started (its process group) as soon as stop, polled every
// 100 ms with the output so far, returns true. It returns whether the
// playbook was killed (false: it ended first) and its output.
func (s *scenario) killWhen(playbook, point string, stop func(out string) bool) (killed bool, output string) {
	s.t.Helper()
	s.step++
	args := []string{"-i", s.inventory}
	for _, e := range s.extra {
		args = append(args, "-e", e)
	}
	args = append(args, filepath.Join(s.root, playbook))
	cmd := exec.Command("ansible-playbook", args...)
	cmd.Dir, cmd.Env = s.root, s.env
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	logPath := filepath.Join(s.dir, "logs", fmt.Sprintf("%02d-%s-killed.log", s.step, strings.TrimSuffix(filepath.Base(playbook), ".yml")))
	defer func() { _ = os.WriteFile(logPath, []byte(out.String()), 0o644) }()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-exited:
			s.t.Logf("%s: %s ended (%v) before %s; log %s", s.id, playbook, err, point, logPath)
			return false, out.String()
		case <-tick.C:
			if time.Since(start) > playbookTimeout {
				_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
				<-exited
				s.t.Fatalf("%s never reached %s", playbook, point)
			}
			if stop(out.String()) {
				_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
				<-exited
				s.t.Logf("%s: ansible-playbook %s killed (SIGKILL) %s, %.1fs in (log %s)", s.id, playbook, point, time.Since(start).Seconds(), logPath)
				return true, out.String()
			}
		}
	}
}

// lockedBuffer is an output buffer the command writes while the test reads.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// dbStepEnded reports whether a database step of the new release ended,
// by the operation markers.
func (s *scenario) dbStepEnded(op string) bool {
	events, err := s.readMarkers()
	if err != nil {
		return false
	}
	for _, e := range events {
		if e.Op == op && e.Kind == "end" {
			return true
		}
	}
	return false
}

// TestRollingUpgradeResumes kills the controller (ansible-playbook and its
// workers, SIGKILL) twice during a rolling upgrade across the real release
// pair: once right after the database expand, once after the first host
// was upgraded and put back in rotation. Each time, running the upgrade
// again finishes it: every host runs the new release, the database is
// contracted, HAProxy has every member in rotation and no image is lost.
func TestRollingUpgradeResumes(t *testing.T) {
	d := deployOld(t, "resume", "three.yml", "glance_enable_rolling_upgrade=yes")
	s, hp := d.s, d.hp
	first := s.hosts[0].Name

	// 1. Killed right after the expand, before any host runs new code.
	if killed, _ := s.killWhen("molecule/_shared/playbooks/upgrade.yml", "after db expand", func(string) bool { return s.dbStepEnded("db_expand") }); !killed {
		t.Fatal("the upgrade ended before the first kill")
	}
	if got := s.runningImage(first); got == "kolla-glance/glance-api:new true" {
		t.Fatalf("%s already runs the new release right after the expand", first)
	}
	if err := hp.waitAllUp(60 * time.Second); err == nil {
		t.Logf("after the first kill every member is still UP")
	} else {
		t.Logf("after the first kill: %v", err)
	}

	// 2. Resumed, then killed once the first host is upgraded and back in rotation.
	killed, _ := s.killWhen("molecule/_shared/playbooks/upgrade.yml", "after the first batch", func(string) bool {
		if s.runningImage(first) != "kolla-glance/glance-api:new true" {
			return false
		}
		servers, _, err := hp.stats()
		return err == nil && servers[first].Status == "UP"
	})
	if !killed {
		t.Fatal("the upgrade ended before the second kill")
	}
	upgraded := 0
	for _, h := range s.hosts {
		if s.runningImage(h.Name) == "kolla-glance/glance-api:new true" {
			upgraded++
		}
	}
	if upgraded == len(s.hosts) {
		t.Fatalf("every host already runs the new release when the second kill came; it should have stopped after the first batch")
	}
	t.Logf("killed with %d of %d hosts on the new release", upgraded, len(s.hosts))

	// 3. The rerun finishes it.
	out := s.play("molecule/_shared/playbooks/upgrade.yml")
	plan := planLines(out)
	t.Logf("the resumed run planned:\n%s", plan)
	if !strings.Contains(plan, "db check reported 5") || !strings.Contains(plan, "- upgrade of "+first+": "+first+" already runs the new release") {
		t.Errorf("the resumed run should read the database state from the new release's db check (5: contract next) and skip %s", first)
	}
	for _, h := range s.hosts {
		if got := s.runningImage(h.Name); got != "kolla-glance/glance-api:new true" {
			t.Errorf("%s runs %q after the resumed upgrade", h.Name, got)
		}
	}
	if err := hp.waitAllUp(allUpAfterwards); err != nil {
		t.Error(err)
	}
	if !s.dbStepEnded("db_contract") {
		t.Errorf("no db_contract ran")
	}
	if out, err := s.checkOperations("rolling", "--resumed"); err != nil {
		t.Errorf("check_operations.py --mode rolling on the three runs: %v\n%s", err, out)
	} else {
		t.Logf("check_operations.py: %s", lastLine(out))
	}
	lost, total := d.checkImagesKept(t)
	t.Logf("resume: images lost: %d of %d", lost, total)
}

// planLines keeps the plan's summary and what it skipped, as the role
// printed them.
func planLines(out string) string {
	var keep []string
	for _, l := range strings.Split(out, "\n") {
		l = strings.TrimSpace(strings.Trim(strings.TrimSpace(l), `",`))
		if strings.HasPrefix(l, "Glance upgrade plan:") || strings.HasPrefix(l, "Database:") || strings.HasPrefix(l, "- db_") ||
			strings.HasPrefix(l, "- upgrade of") {
			keep = append(keep, "  "+l)
		}
	}
	return strings.Join(keep, "\n")
}
