//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// faultRow is one part of TestRollingUpgradeFaults, for the summary.
type faultRow struct {
	Fault       string
	StoppedAt   string // the role's stop message, shortened; "finished" for the rerun
	Failed      int
	Total       int
	FirstBack   bool // the first batch's host runs the old release again and is UP
	OthersKept  bool // no other host was drained, stopped or restarted
	ImagesLost  int
	ImagesTotal int
}

// The faulty releases: the good 2025.1 image with one part broken.
const (
	brokenDBImage  = "kolla-glance/glance-api:e2e-broken-db"  // glance-manage db migrate fails
	brokenAPIImage = "kolla-glance/glance-api:e2e-broken-api" // glance-api exits at once
)

// brokenRelease commits a copy of the new release with the changes made by
// prepare (given the name of a created, not started, container).
func brokenRelease(t *testing.T, tag string, prepare func(container string) error, change ...string) {
	t.Helper()
	name := "kg-e2e-build-" + strings.TrimPrefix(tag, "kolla-glance/glance-api:")
	_ = exec.Command("docker", "rm", "--force", name).Run()
	if out, err := exec.Command("docker", "create", "--name", name, newImage).CombinedOutput(); err != nil {
		t.Fatalf("docker create: %v\n%s", err, out)
	}
	defer exec.Command("docker", "rm", "--force", name).Run()
	if err := prepare(name); err != nil {
		t.Fatal(err)
	}
	args := []string{"commit"}
	for _, c := range change {
		args = append(args, "--change", c)
	}
	if out, err := exec.Command("docker", append(args, name, tag)...).CombinedOutput(); err != nil {
		t.Fatalf("docker commit: %v\n%s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("docker", "rmi", "--force", tag).Run() })
}

// failingMigrate puts a glance-manage before Debian's in PATH that fails
// `db migrate` and runs everything else (db check, expand, contract).
func failingMigrate(dir string) func(string) error {
	return func(container string) error {
		wrapper := filepath.Join(dir, "glance-manage")
		script := "#!/bin/sh\n" +
			"case \" $* \" in *\" migrate \"*) echo 'glance-manage: db migrate fails (an e2e fault)' >&2; exit 1 ;; esac\n" +
			"exec /usr/bin/glance-manage \"$@\"\n"
		if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
			return err
		}
		if out, err := exec.Command("docker", "cp", wrapper, container+":/usr/local/bin/glance-manage").CombinedOutput(); err != nil {
			return fmt.Errorf("docker cp: %v\n%s", err, out)
		}
		return nil
	}
}

// TestRollingUpgradeFaults runs a rolling upgrade under load through
// HAProxy onto two broken releases in turn, then onto the good one:
//
//  1. a release whose glance-manage db migrate fails (after its expand ran),
//  2. a release whose glance-api never becomes healthy (on the database the
//     first fault left expanded),
//  3. the good release, which finishes the upgrade from there.
//
// Each fault must stop the upgrade in the first batch with the role's
// message, put that host back on the old release and configuration and
// into rotation, leave every other host untouched, and fail no request.
func TestRollingUpgradeFaults(t *testing.T) {
	d := deployOld(t, "faults", "three.yml", "glance_enable_rolling_upgrade=yes", "glance_healthcheck_timeout=30")
	s := d.s
	brokenRelease(t, brokenDBImage, failingMigrate(s.dir))
	brokenRelease(t, brokenAPIImage, func(string) error { return nil }, "ENV GLANCE_API_COMMAND=/bin/false")
	first := s.hosts[0].Name
	confPath := filepath.Join(s.hostDir(first), "etc-kolla", "glance-api", "glance-api.conf")
	oldConf, err := os.ReadFile(confPath)
	if err != nil {
		t.Fatal(err)
	}

	for _, fault := range []struct{ name, image, step string }{
		{"db migrate fails", brokenDBImage, "db_migrate"},
		{"glance-api never healthy", brokenAPIImage, "wait_healthy"},
	} {
		before := s.startedAll()
		load := d.startLoad(t)
		out, err := s.tryPlay("molecule/_shared/playbooks/upgrade.yml", "glance_api_image_full="+fault.image)
		results, report, trans := load.finish(t, d)
		logFailures(t, results)
		row := faultRow{Fault: fault.name, Failed: report.Failed, Total: report.Total}
		if err == nil {
			t.Errorf("%s: the upgrade finished; it should have stopped", fault.name)
		}
		msg := stopMessage(out)
		row.StoppedAt = truncate(msg, 70)
		t.Logf("%s: the role said: %s", fault.name, msg)
		for _, want := range []string{"Glance upgrade stopped: step", "(" + fault.step + " on " + first + ")", "No later step ran on any host",
			"Batch 0 (" + first + ") was put back", "run the upgrade again"} {
			if !strings.Contains(msg, want) {
				t.Errorf("%s: the stop message lacks %q: %s", fault.name, want, msg)
			}
		}
		row.FirstBack = s.runningImage(first) == oldImage+" true"
		if !row.FirstBack {
			t.Errorf("%s: %s runs %q, want the old release running", fault.name, first, s.runningImage(first))
		}
		if conf, _ := os.ReadFile(confPath); string(conf) != string(oldConf) {
			t.Errorf("%s: %s's glance-api.conf is not the old release's again", fault.name, first)
		}
		row.OthersKept = true
		for _, h := range s.hosts[1:] {
			if now := s.startedAt(h.Name); now != before[h.Name] {
				row.OthersKept = false
				t.Errorf("%s: %s was touched: %s, then %s", fault.name, h.Name, before[h.Name], now)
			}
			for _, tr := range trans {
				if tr.Server == h.Name {
					row.OthersKept = false
					t.Errorf("%s: HAProxy saw %s change: %s", fault.name, h.Name, tr)
				}
			}
		}
		if report.Failed != 0 {
			t.Errorf("%s: %d of %d requests failed (%s); want 0", fault.name, report.Failed, report.Total, report.Kinds())
		}
		row.ImagesLost, row.ImagesTotal = d.checkImagesKept(t)
		t.Logf("%s: %s; HAProxy status changes:\n%s", fault.name, report, transitionsText(trans))
		recordFault(row)
	}

	// The good release resumes from the expanded database.
	load := d.startLoad(t)
	out, err := s.tryPlay("molecule/_shared/playbooks/upgrade.yml")
	results, report, _ := load.finish(t, d)
	logFailures(t, results)
	row := faultRow{Fault: "then the good release", StoppedAt: "finished", Failed: report.Failed, Total: report.Total, OthersKept: true, FirstBack: true}
	if err != nil {
		row.StoppedAt = "failed: " + truncate(stopMessage(out), 60)
		t.Errorf("the upgrade onto the good release after the faults: %v", err)
	}
	t.Logf("the rerun planned:\n%s", planLines(out))
	for _, h := range s.hosts {
		if got := s.runningImage(h.Name); got != newImage+" true" {
			t.Errorf("%s runs %q after the good upgrade", h.Name, got)
		}
	}
	if report.Failed != 0 {
		t.Errorf("the good upgrade: %d of %d requests failed (%s); want 0", report.Failed, report.Total, report.Kinds())
	}
	if out, err := s.checkOperations("rolling", "--resumed"); err != nil {
		t.Errorf("check_operations.py --mode rolling --resumed over the three runs: %v\n%s", err, out)
	} else {
		t.Logf("check_operations.py: %s", lastLine(out))
	}
	row.ImagesLost, row.ImagesTotal = d.checkImagesKept(t)
	recordFault(row)
}

// stopMessage finds the role's "Glance upgrade stopped" message in a
// playbook's output (the same on every host; the first is kept).
func stopMessage(out string) string {
	i := strings.Index(out, "Glance upgrade stopped:")
	if i < 0 {
		return "(no stop message) " + lastLine(out)
	}
	msg := out[i:]
	if j := strings.Index(msg, "\"}"); j >= 0 {
		msg = msg[:j]
	}
	return strings.TrimSpace(msg)
}
