//go:build e2e

package e2e

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kolla-glance/kolla-glance/tests/e2e/loadgen"
)

// The load every upgrade test runs through HAProxy: the same for all three
// so that their figures compare. Each worker starts at most one request
// per loadInterval, so a fast stream of 503s cannot inflate the failure
// count of an outage compared with normal service.
const (
	loadWorkers     = 6
	loadInterval    = 40 * time.Millisecond
	loadImageSize   = 256 << 10
	loadWarmup      = 3 * time.Second // load before the upgrade starts
	loadTail        = 3 * time.Second // load after every member is UP again
	minRequests     = 2000            // the rolling test's target
	loadHardLimit   = 10 * time.Minute
	requestTimeout  = 30 * time.Second
	allUpAfterwards = 90 * time.Second
)

// upgradeFigures is what one upgrade under load measured.
type upgradeFigures struct {
	Name           string
	Hosts          int
	Report         loadgen.Report // every request, warm-up and tail included
	During         loadgen.Report // requests started while the upgrade playbook ran
	UpgradeSeconds float64        // the upgrade playbook's wall time
	MaxDown        int            // most API hosts down at once (operation markers)
	Retries        int            // HAProxy backend retries during the load
	Redispatches   int            // HAProxy backend redispatches during the load
	Transitions    []transition   // member status changes HAProxy's checks saw
	MinInRotation  int            // fewest members HAProxy sent new requests to at once (200 ms samples)
	BelowNMinus1   time.Duration  // how long fewer than all members but one were in rotation
	ImagesTotal    int            // images acknowledged before and during the upgrade
	ImagesLost     []string       // of those, the ones not listed, not active or changed afterwards
	ImagesByAPI    map[string]int // images acknowledged during the upgrade, by the API version that took them
	ImageIDs       []string       // the ids of the images acknowledged before and during the upgrade
	LedgerUploads  string         // what became of the uploads during the upgrade (imageLedger.uploadReport)
	LedgerUnstored int            // uploads during the upgrade that no host acknowledged
}

// upgradeUnderLoad deploys the old release on three hosts with the role,
// puts HAProxy in front, uploads an image, starts the load, runs upgrade,
// waits until HAProxy sees every member UP again, lets the load run a
// little longer (and until it made minRequests requests, at most two more
// minutes), stops it and checks that the new release runs everywhere and
// still serves the image stored before the upgrade. Images are stored
// before the upgrade and, while it runs, straight to each API host in
// turn; every one acknowledged must be listed, active and intact after it.
func upgradeUnderLoad(t *testing.T, name string, extra []string, upgrade func(s *scenario)) (*scenario, *upgradeFigures) {
	d := deployOld(t, name, "three.yml", extra...)
	s, hp, ledger := d.s, d.hp, d.ledger
	_, before, err := hp.stats()
	if err != nil {
		t.Fatal(err)
	}
	load := d.startLoad(t)
	run, mon := load.run, load.mon

	upStart := time.Now()
	ledger.uploadDuring(name, d.hostURLs)
	upgrade(s)
	ledger.stopUploads()
	upEnd := time.Now()

	if err := hp.waitAllUp(allUpAfterwards); err != nil {
		t.Error(err)
	}
	time.Sleep(loadTail)
	for total, _ := run.Counts(); total < minRequests && time.Since(upEnd) < 2*time.Minute; total, _ = run.Counts() {
		time.Sleep(500 * time.Millisecond)
	}
	results := run.Stop()
	trans, minInRotation, below := mon.Stop()
	_, after, _ := hp.stats()
	writeResults(t, filepath.Join(s.dir, "logs", "requests.csv"), results)

	f := &upgradeFigures{Name: name, Hosts: len(s.hosts), Report: loadgen.Analyze(results), During: loadgen.Analyze(loadgen.Between(results, upStart, upEnd)),
		UpgradeSeconds: upEnd.Sub(upStart).Seconds(), Retries: after.Retries - before.Retries,
		Redispatches: after.Redispatches - before.Redispatches, Transitions: trans, MinInRotation: minInRotation, BelowNMinus1: below}
	hp.checkSpread(t, f.Report)
	t.Logf("%s: upgrade playbook %.1fs; load:\n%s", name, f.UpgradeSeconds, f.Report)
	t.Logf("%s: requests started during the upgrade: %d, failed %d (%s)", name, f.During.Total, f.During.Failed, f.During.Kinds())
	t.Logf("%s: HAProxy retries %d, redispatches %d; members in rotation: at least %d of %d, fewer than %d during %.1fs; status changes:\n%s",
		name, f.Retries, f.Redispatches, minInRotation, len(s.hosts), len(s.hosts)-1, below.Seconds(), transitionsText(trans))
	logFailures(t, results)

	events, err := s.readMarkers()
	if err != nil {
		t.Fatal(err)
	}
	downs, maxDown, err := apiDowntime(events, s.hosts)
	if err != nil {
		t.Fatalf("%v\n%s", err, timeline(events))
	}
	f.MaxDown = maxDown
	var ds []string
	for _, d := range downs {
		ds = append(ds, fmt.Sprintf("%s %s..%s (%.1fs)", d.Host, d.From.Format("15:04:05.000"), d.Till.Format("15:04:05.000"), d.Till.Sub(d.From).Seconds()))
	}
	t.Logf("%s: API down per host: %s; at most %d at once; markers:\n%s", name, strings.Join(ds, ", "), maxDown, timeline(events))

	for _, h := range s.hosts {
		if got := s.runningImage(h.Name); got != "kolla-glance/glance-api:new true" {
			t.Errorf("%s runs %q after the upgrade, want the new image running", h.Name, got)
		}
	}
	survivor, err := os.ReadFile(filepath.Join(s.dir, "hosts", "survivor-image-id"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := downloadImage(hp.url, strings.TrimSpace(string(survivor))); err != nil {
		t.Errorf("the image stored before the upgrade: %v", err)
	}
	lost, total, err := ledger.lost(hp.url)
	if err != nil {
		t.Fatalf("listing the images after the upgrade: %v", err)
	}
	f.ImagesTotal, f.ImagesLost, f.ImagesByAPI, f.ImageIDs = total, lost, ledger.byAPI(), ledger.ids()
	f.LedgerUploads = ledger.uploadReport()
	ledger.mu.Lock()
	f.LedgerUnstored = ledger.unstored
	ledger.mu.Unlock()
	t.Logf("%s: images lost: %d of %d (stored during the upgrade, by API version: %v); %s", name, len(lost), total, f.ImagesByAPI, f.LedgerUploads)
	if len(lost) > 0 {
		t.Errorf("images lost: %d of %d:\n  %s", len(lost), total, strings.Join(lost, "\n  "))
	}
	return s, f
}

// checkOperations runs the molecule scenarios' order checker on the
// markers (molecule/_shared/files/check_operations.py).
func (s *scenario) checkOperations(mode string, flags ...string) (string, error) {
	args := []string{filepath.Join(s.root, "molecule", "_shared", "files", "check_operations.py"), "--mode", mode, "--max-unavailable", "1"}
	args = append(args, flags...)
	var names []string
	for _, h := range s.hosts {
		names = append(names, h.Name)
	}
	args = append(args, "--hosts", strings.Join(names, ","))
	for _, h := range s.hosts {
		args = append(args, filepath.Join(s.hostDir(h.Name), "log", "glance", "kolla-operations.log"))
	}
	out, err := exec.Command("python3", args...).CombinedOutput()
	return string(out), err
}

func TestRollingUpgradeZeroFailures(t *testing.T) {
	s, f := upgradeUnderLoad(t, "rolling", []string{"glance_enable_rolling_upgrade=yes"}, rollingUpgrade(t))
	record(f)
	checkRolling(t, s, f)
}

// TestRollingUpgradeOnCeph is the rolling upgrade on the store most kolla
// deployments use: the three glance-api hosts keep their images in one
// real Ceph cluster (kolla-glance/ceph, pool images, client.glance with
// kolla's caps) instead of the shared file store. Besides the rolling
// checks, every image acknowledged before and during the upgrade must be
// an RBD image of that pool afterwards.
func TestRollingUpgradeOnCeph(t *testing.T) {
	const cluster, pool = "ceph", "images"
	clusters := fmt.Sprintf(`{"scenario_ceph_clusters": [{"cluster": %q, "port": 13390, "pools": [%q], "clients": {"glance": %q}}]}`,
		cluster, pool, pool)
	s, f := upgradeUnderLoad(t, "ceph", []string{"glance_enable_rolling_upgrade=yes", "glance_backend_file=no",
		"glance_backend_ceph=yes", "node_custom_config={{ molecule_root }}/custom-config", clusters}, rollingUpgrade(t))
	record(f)
	checkRolling(t, s, f)
	out, err := exec.Command("docker", "exec", s.id+"_ceph_"+cluster, "rbd", "--cluster", cluster, "ls", pool).CombinedOutput()
	if err != nil {
		t.Fatalf("rbd ls %s: %v\n%s", pool, err, out)
	}
	inPool := map[string]bool{}
	for _, name := range strings.Fields(string(out)) {
		inPool[name] = true
	}
	var missing []string
	for _, id := range f.ImageIDs {
		if !inPool[id] {
			missing = append(missing, id)
		}
	}
	t.Logf("ceph: %d RBD images in %s/%s, %d images acknowledged", len(inPool), cluster, pool, len(f.ImageIDs))
	if len(missing) > 0 {
		t.Errorf("images acknowledged but not in the pool %s of the Ceph cluster: %v", pool, missing)
	}
}

// rollingUpgrade runs the role's upgrade and checks that it planned a
// rolling one.
func rollingUpgrade(t *testing.T) func(s *scenario) {
	return func(s *scenario) {
		out := s.play("molecule/_shared/playbooks/upgrade.yml")
		if want := fmt.Sprintf("rolling upgrade of %d glance-api hosts", len(s.hosts)); !strings.Contains(out, want) {
			t.Errorf("the role did not plan a %s:\n%s", want, tail(out, 80))
		}
	}
}

// checkRolling holds a rolling upgrade to its promises: no failed request,
// one host down at a time, every other member in rotation, each host
// drained, the order check of the markers, and images stored through both
// releases during the window.
func checkRolling(t *testing.T, s *scenario, f *upgradeFigures) {
	t.Helper()
	if f.Report.Total < minRequests {
		t.Errorf("only %d requests; the proof needs at least %d", f.Report.Total, minRequests)
	}
	if f.Report.Failed != 0 {
		t.Errorf("%d of %d requests failed during the rolling upgrade (%s); want 0", f.Report.Failed, f.Report.Total, f.Report.Kinds())
	}
	if f.MaxDown != 1 {
		t.Errorf("%d API hosts were down at once; a rolling upgrade restarts one at a time", f.MaxDown)
	}
	// the ledger's uploads go straight to each host: one a restarting host
	// refuses is retried on the next, and some host must take it
	if f.LedgerUnstored != 0 {
		t.Errorf("%d image uploads during the rolling upgrade were acknowledged by no API host (%s); want 0", f.LedgerUnstored, f.LedgerUploads)
	}
	// max_unavailable 1 promises every member but one in rotation: the role
	// undrains a host and waits until HAProxy's own checks count it UP before
	// the next host is drained.
	if f.MinInRotation < len(s.hosts)-1 {
		t.Errorf("HAProxy had only %d of %d members in rotation for %.1fs: the next host was drained before HAProxy counted the previous one UP again",
			f.MinInRotation, len(s.hosts), f.BelowNMinus1.Seconds())
	}
	// every host was drained before its restart and back in rotation after
	drained := map[string]bool{}
	for _, tr := range f.Transitions {
		if tr.To == "DRAIN" {
			drained[tr.Server] = true
		}
	}
	for _, h := range s.hosts {
		if !drained[h.Name] {
			t.Errorf("HAProxy never showed %s drained", h.Name)
		}
	}
	if out, err := s.checkOperations("rolling"); err != nil {
		t.Errorf("check_operations.py --mode rolling: %v\n%s", err, out)
	} else {
		t.Logf("check_operations.py: %s", lastLine(out))
	}
	// both releases stored images during the rolling window
	if f.ImagesByAPI[zedAPI] == 0 || f.ImagesByAPI[epoxyAPI] == 0 {
		t.Errorf("images stored during the rolling upgrade by API version: %v; want some through Zed (%s) and some through 2025.1 (%s)",
			f.ImagesByAPI, zedAPI, epoxyAPI)
	}
}

// The CURRENT image API versions of the release pair.
const (
	zedAPI   = "2.15" // Glance 25 (Zed, Debian 12): the first CURRENT it lists in this deployment
	epoxyAPI = "2.17" // Glance 30 (2025.1, Debian 13)
)

func TestLegacyUpgradeOutage(t *testing.T) {
	s, f := upgradeUnderLoad(t, "legacy", []string{"glance_enable_rolling_upgrade=no"}, func(s *scenario) {
		out := s.play("molecule/_shared/playbooks/upgrade.yml")
		if !strings.Contains(out, "legacy upgrade") {
			t.Errorf("the role did not plan a legacy upgrade:\n%s", tail(out, 80))
		}
	})
	record(f)
	if f.Report.Outage.Duration() <= 0 || f.Report.Failed == 0 {
		t.Errorf("a legacy upgrade stops every API during db_sync, yet no outage was measured:\n%s", f.Report)
	}
	if !f.Report.Outage.Recovered {
		t.Errorf("the API did not recover before the load stopped:\n%s", f.Report)
	}
	if f.MaxDown != len(s.hosts) {
		t.Errorf("%d API hosts were down at once; legacy stops all %d", f.MaxDown, len(s.hosts))
	}
	if out, err := s.checkOperations("legacy"); err != nil {
		t.Errorf("check_operations.py --mode legacy: %v\n%s", err, out)
	} else {
		t.Logf("check_operations.py: %s", lastLine(out))
	}
}

func TestKollaAnsibleStyleUpgrade(t *testing.T) {
	s, f := upgradeUnderLoad(t, "kolla", nil, func(s *scenario) {
		s.play("tests/e2e/kolla-style-upgrade.yml")
	})
	record(f)
	// kolla-ansible's handler flush recreates every host at once: the
	// markers must show all of them down together; the rolling checker
	// must refuse that order.
	if f.MaxDown != len(s.hosts) {
		t.Errorf("%d API hosts were down at once; kolla-ansible's flush restarts all %d together", f.MaxDown, len(s.hosts))
	}
	out, err := s.checkOperations("rolling")
	if err == nil || !strings.Contains(out, fmt.Sprintf("%d hosts were down at once", len(s.hosts))) {
		t.Errorf("check_operations.py --mode rolling should refuse the kolla-style order: %v\n%s", err, out)
	} else {
		t.Logf("check_operations.py --mode rolling (expected to refuse): %s", lastLine(out))
	}
	if !f.Report.Outage.Recovered && f.Report.Failed > 0 {
		t.Errorf("the API did not recover before the load stopped:\n%s", f.Report)
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func transitionsText(trs []transition) string {
	var b strings.Builder
	for _, tr := range trs {
		b.WriteString("  " + tr.String() + "\n")
	}
	if b.Len() == 0 {
		return "  (none)\n"
	}
	return b.String()
}

// logFailures logs the first failed requests with what went wrong.
func logFailures(t *testing.T, results []loadgen.Result) {
	var b strings.Builder
	n := 0
	for _, r := range results {
		if r.OK() {
			continue
		}
		n++
		if n <= 15 {
			fmt.Fprintf(&b, "  %s %-8s %-12s %6.0fms %s\n", r.Start.UTC().Format("15:04:05.000"), r.Op, r.Failure,
				float64(r.Latency)/float64(time.Millisecond), truncate(r.Detail, 120))
		}
	}
	if n > 0 {
		t.Logf("failed requests (%d, the first 15):\n%s", n, b.String())
	}
}

func truncate(s string, n int) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// writeResults keeps every request in a CSV file beside the logs.
func writeResults(t *testing.T, path string, results []loadgen.Result) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"start_utc", "op", "worker", "latency_ms", "status", "failure", "detail"})
	for _, r := range results {
		_ = w.Write([]string{r.Start.UTC().Format(time.RFC3339Nano), string(r.Op), fmt.Sprint(r.Worker),
			fmt.Sprintf("%.3f", float64(r.Latency)/float64(time.Millisecond)), fmt.Sprint(r.Status), r.Failure, r.Detail})
	}
	w.Flush()
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Log(err)
	}
}
