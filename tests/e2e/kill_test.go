//go:build e2e

package e2e

import (
	"fmt"
	"math/rand"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The kill trials' knobs: how many trials and the seed that draws them.
// `make e2e` runs killTrialsDefault; `make e2e-kill` runs the full set.
const (
	envKillTrials     = "KOLLA_GLANCE_E2E_KILL_TRIALS"
	envKillSeed       = "KOLLA_GLANCE_E2E_KILL_SEED"
	killTrialsDefault = 3
	killDelayMax      = 1500 * time.Millisecond // how far into its step a trial kills
)

// killKinds are the kinds of step of a rolling upgrade of three hosts
// behind HAProxy onto a release with database migrations: every trial
// kills in one of them, and any ten trials cover all.
var killKinds = []string{"drain", "stop", "config", "set_log_bin_trust", "db_expand", "db_migrate",
	"start", "wait_healthy", "undrain", "db_contract"}

// dbKinds run once, on the database host: their trials name no host.
var dbKinds = map[string]bool{"set_log_bin_trust": true, "db_expand": true, "db_migrate": true, "db_contract": true}

// killTrial is one drawn trial: kill in the step of kind Kind on Host
// (any host for database steps), Delay after the step began.
type killTrial struct {
	N     int
	Kind  string
	Host  string
	Delay time.Duration
}

// drawKillTrials draws n trials from seed: kinds go round a shuffled
// order, so that any len(killKinds) consecutive trials cover every kind.
func drawKillTrials(seed int64, n int, hosts []apiHost) []killTrial {
	rng := rand.New(rand.NewSource(seed))
	order := rng.Perm(len(killKinds))
	trials := make([]killTrial, n)
	for i := range trials {
		k := killTrial{N: i + 1, Kind: killKinds[order[i%len(order)]], Delay: time.Duration(rng.Int63n(int64(killDelayMax)))}
		if !dbKinds[k.Kind] {
			k.Host = hosts[rng.Intn(len(hosts))].Name
		}
		trials[i] = k
	}
	return trials
}

// The plan loop as the default callback prints it: every item's label
// first, when the loop is included ("(item=7. start control01)"), then the
// banner of each step as it begins ("TASK [kolla.glance.glance : Run step 7]").
var (
	stepLabel = regexp.MustCompile(`\(item=(\d+)\. ([a-z_]+) ?([^)\s]*)\)`)
	stepBegin = regexp.MustCompile(`TASK \[kolla\.glance\.glance : Run step (\d+)\]`)
)

// currentStep returns the label of the last step that began in out
// ("7. start control01"), and its kind and host; "" when none began.
func currentStep(out string) (label, kind, host string) {
	labels := map[string][2]string{}
	for _, m := range stepLabel.FindAllStringSubmatch(out, -1) {
		labels[m[1]] = [2]string{m[2], m[3]}
	}
	begun := stepBegin.FindAllStringSubmatch(out, -1)
	if len(begun) == 0 {
		return "", "", ""
	}
	n := begun[len(begun)-1][1]
	l := labels[n]
	return strings.TrimSpace(n + ". " + l[0] + " " + l[1]), l[0], l[1]
}

// killRow is the outcome of one trial, for the table.
type killRow struct {
	killTrial
	KilledIn    string // the step running when the kill came, "7. start control01"
	Seconds     float64
	NewAtKill   int // hosts running the new release when the kill came
	Outcome     string
	Failed      int
	Total       int
	ImagesLost  int
	ImagesTotal int
}

// TestRollingUpgradeKillTrials kills the controller (ansible-playbook and
// its workers, SIGKILL) at a step drawn at random, then runs the upgrade
// again; each trial starts from a fresh deployment of the old release and
// runs under load through HAProxy. Every trial must end with every host on
// the new release and in rotation, the database contracted, no host that
// ran the new release at the kill restarted by the rerun, every image
// intact and no failed request over the kill and the rerun together.
func TestRollingUpgradeKillTrials(t *testing.T) {
	n := killTrialsDefault
	if v := os.Getenv(envKillTrials); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			t.Fatalf("%s=%q: want a positive number of trials", envKillTrials, v)
		}
	}
	seed := time.Now().UnixNano() % 1_000_000
	if v := os.Getenv(envKillSeed); v != "" {
		var err error
		if seed, err = strconv.ParseInt(v, 10, 64); err != nil {
			t.Fatalf("%s=%q: want an integer seed", envKillSeed, v)
		}
	}
	hosts, _ := inventoryHosts(t, repoRoot(t)+"/tests/e2e/inventory/three.yml")
	trials := drawKillTrials(seed, n, hosts)
	setKillSeed(seed, n)
	t.Logf("kill trials: %d, seed %d (replay: %s=%d %s=%d make e2e-kill)", n, seed, envKillSeed, seed, envKillTrials, n)
	// One deployment of the old release; each trial after the first starts
	// from its snapshot (database, directories, containers started again).
	d := deployOld(t, "kill", "three.yml", "glance_enable_rolling_upgrade=yes")
	snap := d.snapshot(t)
	for i, tr := range trials {
		tr, restore := tr, i > 0
		t.Run(fmt.Sprintf("trial%02d-%s", tr.N, tr.Kind), func(t *testing.T) {
			defer d.s.useTest(t)()
			if restore {
				d.restore(t, snap)
			}
			row := runKillTrial(t, d, tr)
			recordKill(row)
			// the row in the log too, should the suite's summary be cut short
			t.Logf("trial %d row: asked %s %s +%v; killed in %q at %.1fs, %d/3 new; requests failed %d of %d; images lost %d of %d; %s",
				row.N, row.Kind, row.Host, row.Delay.Round(time.Millisecond), row.KilledIn, row.Seconds, row.NewAtKill,
				row.Failed, row.Total, row.ImagesLost, row.ImagesTotal, row.Outcome)
		})
	}
}

func runKillTrial(t *testing.T, d *oldDeployment, tr killTrial) killRow {
	row := killRow{killTrial: tr, Outcome: "failed"}
	s := d.s
	load := d.startLoad(t)
	d.ledger.uploadDuring(fmt.Sprintf("kill%02d", tr.N), d.hostURLs)
	defer d.ledger.stopUploads()

	var seen time.Time
	start := time.Now()
	killed, out := s.killWhen("molecule/_shared/playbooks/upgrade.yml", "in "+tr.Kind+" "+tr.Host, func(out string) bool {
		if seen.IsZero() {
			if _, kind, host := currentStep(out); kind == tr.Kind && (tr.Host == "" || host == tr.Host) {
				seen = time.Now()
			}
			return false
		}
		return time.Since(seen) >= tr.Delay
	})
	row.Seconds = time.Since(start).Seconds()
	row.KilledIn, _, _ = currentStep(out)
	if !killed {
		row.Outcome = "not killed: the upgrade ended first"
		t.Errorf("trial %d: the upgrade ended before its %s step was reached", tr.N, tr.Kind)
		return row
	}
	atKill := map[string]string{}
	for _, h := range s.hosts {
		if s.runningImage(h.Name) == newImage+" true" {
			atKill[h.Name] = s.startedAt(h.Name)
			row.NewAtKill++
		}
	}
	t.Logf("trial %d: killed in %q %.1fs in, %d host(s) on the new release", tr.N, row.KilledIn, row.Seconds, row.NewAtKill)

	rerun, err := s.tryPlay("molecule/_shared/playbooks/upgrade.yml")
	d.ledger.stopUploads()
	results, report, _ := load.finish(t, d)
	logFailures(t, results)
	row.Failed, row.Total = report.Failed, report.Total
	t.Logf("trial %d: the rerun planned:\n%s", tr.N, planLines(rerun))
	var problems []string
	if err != nil {
		problems = append(problems, "rerun failed: "+truncate(stopMessage(rerun), 80))
	}
	for _, h := range s.hosts {
		if got := s.runningImage(h.Name); got != newImage+" true" {
			problems = append(problems, fmt.Sprintf("%s runs %q", h.Name, got))
		}
		if was, ok := atKill[h.Name]; ok && s.startedAt(h.Name) != was {
			problems = append(problems, h.Name+" restarted twice")
		}
	}
	if !s.dbStepEnded("db_contract") {
		problems = append(problems, "no db_contract")
	}
	if out, err := s.checkOperations("rolling", "--resumed"); err != nil {
		problems = append(problems, "operations: "+lastLine(out))
		t.Logf("check_operations.py:\n%s", tail(out, 30))
	}
	if report.Failed != 0 {
		problems = append(problems, fmt.Sprintf("%d failed requests (%s)", report.Failed, report.Kinds()))
	}
	row.ImagesLost, row.ImagesTotal = d.checkImagesKept(t)
	if row.ImagesLost != 0 {
		problems = append(problems, fmt.Sprintf("%d images lost", row.ImagesLost))
	}
	if len(problems) > 0 {
		row.Outcome = strings.Join(problems, "; ")
		t.Errorf("trial %d (%s %s, %v in): %s", tr.N, tr.Kind, tr.Host, tr.Delay, row.Outcome)
		return row
	}
	row.Outcome = "finished by the rerun"
	return row
}
