//go:build e2e

// Package e2e holds the end-to-end proofs of kolla.glance on real
// containers: the role's rolling upgrade under load through a real HAProxy
// loses no request, a legacy upgrade and kolla-ansible's own way of
// upgrading do, and the cron file the role installs really keeps the image
// cache under its limit. See README.md.
//
//	go test -tags e2e -count=1 -timeout 30m -v ./tests/e2e/
//	go test -tags e2e -count=1 -v -run TestCachePrunedByCron ./tests/e2e/
//
// The suite ends with a table of the figures it measured; they are also
// written to $KOLLA_GLANCE_FIGURES_DIR/e2e.json (tests/figures).
package e2e

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	figfile "github.com/kolla-glance/kolla-glance/tests/figures"
)

var figures = struct {
	sync.Mutex
	upgrades map[string]*upgradeFigures
	cache    *cacheFigures
	podman   *podmanFigures
	faults   []faultRow
	kills    []killRow
	killSeed int64
	killN    int
	started  time.Time
}{upgrades: map[string]*upgradeFigures{}}

func recordFault(r faultRow) {
	figures.Lock()
	defer figures.Unlock()
	figures.faults = append(figures.faults, r)
}

func recordKill(r killRow) {
	figures.Lock()
	defer figures.Unlock()
	figures.kills = append(figures.kills, r)
}

func setKillSeed(seed int64, n int) {
	figures.Lock()
	defer figures.Unlock()
	figures.killSeed, figures.killN = seed, n
}

func record(f *upgradeFigures) {
	figures.Lock()
	defer figures.Unlock()
	figures.upgrades[f.Name] = f
}

func recordPodman(f *podmanFigures) {
	figures.Lock()
	defer figures.Unlock()
	figures.podman = f
}

func recordCache(f *cacheFigures) {
	figures.Lock()
	defer figures.Unlock()
	figures.cache = f
}

func TestMain(m *testing.M) {
	figures.started = time.Now()
	code := m.Run()
	fmt.Print(summary(time.Since(figures.started)))
	if path, err := writeFiguresJSON(time.Since(figures.started)); err != nil {
		fmt.Printf("e2e figures not recorded: %v\n", err)
	} else {
		fmt.Printf("e2e figures recorded in %s\n", path)
	}
	os.Exit(code)
}

// upgradeRows names the upgrade tests in the order of the table.
var upgradeRows = []struct{ key, label string }{
	{"rolling", "rolling (role, HAProxy drain)"},
	{"ceph", "rolling on Ceph RBD (role)"},
	{"legacy", "legacy (role)"},
	{"kolla", "kolla-ansible style (flush)"},
}

// summary renders the figures of this run as a table.
func summary(elapsed time.Duration) string {
	figures.Lock()
	defer figures.Unlock()
	var b strings.Builder
	line := strings.Repeat("=", 104)
	fmt.Fprintf(&b, "\n%s\nkolla.glance e2e figures (%s, %d workers through HAProxy, suite %.0fs)\n%s\n",
		line, time.Now().UTC().Format("2006-01-02 15:04 UTC"), loadWorkers, elapsed.Seconds(), line)
	fmt.Fprintf(&b, "%-31s %14s %8s %7s %7s %6s %7s %7s %8s %7s\n",
		"upgrade under load", "failed/total", "outage", "p99", "max", "req/s", "down@1x", "in-rot.", "upgrade", "redisp.")
	for _, row := range upgradeRows {
		f := figures.upgrades[row.key]
		if f == nil {
			fmt.Fprintf(&b, "%-31s %16s\n", row.label, "not run")
			continue
		}
		r := f.Report
		fmt.Fprintf(&b, "%-31s %14s %7.2fs %5.0fms %5.0fms %6.1f %7d %7s %7.1fs %7d\n", row.label,
			fmt.Sprintf("%d/%d", r.Failed, r.Total), r.Outage.Duration().Seconds(), msf(r.P99), msf(r.Max), r.RPS,
			f.MaxDown, fmt.Sprintf("%d/%d", f.MinInRotation, f.Hosts), f.UpgradeSeconds, f.Redispatches)
		if r.Failed > 0 {
			fmt.Fprintf(&b, "%-31s   failures: %s\n", "", r.Kinds())
		}
		fmt.Fprintf(&b, "%-31s   images lost: %d of %d; %s\n", "", len(f.ImagesLost), f.ImagesTotal, f.LedgerUploads)
	}
	rolling, kolla, legacy := figures.upgrades["rolling"], figures.upgrades["kolla"], figures.upgrades["legacy"]
	for _, other := range []struct {
		label string
		f     *upgradeFigures
	}{{"kolla-ansible style", kolla}, {"legacy", legacy}} {
		if rolling == nil || other.f == nil {
			continue
		}
		fmt.Fprintf(&b, "improvement, rolling vs %s: failed requests %s, outage %.2fs vs %.2fs\n", other.label,
			ratio(rolling.Report.Failed, other.f.Report.Failed), rolling.Report.Outage.Duration().Seconds(), other.f.Report.Outage.Duration().Seconds())
	}
	if c := figures.cache; c != nil {
		state := "NOT under the limit"
		if c.After <= c.MaxSize {
			state = "under the limit"
		}
		stale := "still there"
		if c.StaleRemoved {
			stale = "removed"
		}
		fmt.Fprintf(&b, "image cache pruned by cron (limit %s): before %s in %d images -> after %s in %d images (%s); stale incomplete entry %s; %.0fs after cron started\n",
			mib(c.MaxSize), mib(c.Before), c.EntriesBefore, mib(c.After), c.EntriesAfter, state, stale, c.Seconds)
	} else {
		b.WriteString("image cache pruned by cron: not run\n")
	}
	if p := figures.podman; p != nil {
		fmt.Fprintf(&b, "podman (kolla_container_engine): deploy Zed %.0fs, upgrade to 2025.1 %.0fs, image of %d bytes intact; cron through podman exec: cache %s -> %s (limit %s) %.0fs after cron started\n",
			p.DeploySeconds, p.UpgradeSeconds, p.ImageBytes, mib(p.Cache.Before), mib(p.Cache.After), mib(p.Cache.MaxSize), p.Cache.Seconds)
	} else {
		b.WriteString("podman (kolla_container_engine): not run\n")
	}
	b.WriteString(faultTable())
	b.WriteString(killTable())
	b.WriteString("columns: outage = longest time every request failed; down@1x = most API hosts down at once (operation markers);\n" +
		"in-rot. = fewest HAProxy members in rotation at once; redisp. = requests HAProxy redispatched after a connection failure\n")
	b.WriteString(line + "\n")
	return b.String()
}

// faultTable renders TestRollingUpgradeFaults' rows; figures is locked.
func faultTable() string {
	if len(figures.faults) == 0 {
		return "faults under load: not run\n"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "faults under load (rolling, HAProxy):\n  %-26s %-72s %12s %6s %6s %7s\n", "fault", "the role stopped with", "failed/total", "1st back", "others", "images")
	for _, r := range figures.faults {
		fmt.Fprintf(&b, "  %-26s %-72s %12s %6s %6s %7s\n", r.Fault, r.StoppedAt, fmt.Sprintf("%d/%d", r.Failed, r.Total),
			yesNo(r.FirstBack), yesNo(r.OthersKept), fmt.Sprintf("%d/%d", r.ImagesLost, r.ImagesTotal))
	}
	return b.String()
}

// killTable renders the kill trials with their seed; figures is locked.
func killTable() string {
	if len(figures.kills) == 0 {
		return "controller killed at a random step: not run\n"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "controller killed (SIGKILL) at a random step, then rerun: %d trials, seed %d (replay: %s=%d %s=%d make e2e-kill)\n",
		figures.killN, figures.killSeed, envKillSeed, figures.killSeed, envKillTrials, figures.killN)
	fmt.Fprintf(&b, "  %-3s %-27s %-7s %-27s %6s %5s %12s %7s  %s\n", "#", "asked: step kind (host)", "delay", "killed in step", "at", "new", "failed/total", "lost", "outcome")
	passed := 0
	for _, r := range figures.kills {
		asked := r.Kind
		if r.Host != "" {
			asked += " (" + r.Host + ")"
		}
		if r.Outcome == "finished by the rerun" {
			passed++
		}
		fmt.Fprintf(&b, "  %-3d %-27s %5.0fms %-27s %5.1fs %3d/3 %12s %7s  %s\n", r.N, asked, msf(r.Delay), r.KilledIn, r.Seconds, r.NewAtKill,
			fmt.Sprintf("%d/%d", r.Failed, r.Total), fmt.Sprintf("%d/%d", r.ImagesLost, r.ImagesTotal), r.Outcome)
	}
	fmt.Fprintf(&b, "  trials passed: %d of %d\n", passed, len(figures.kills))
	return b.String()
}

func yesNo(v bool) string {
	if v {
		return "yes"
	}
	return "NO"
}

// ratio compares the rolling upgrade's failures with another's: "0 vs N"
// when rolling lost none (no finite ratio), else "r vs N (N/r times fewer)".
func ratio(rolling, other int) string {
	if rolling == 0 {
		return fmt.Sprintf("%d vs %d", rolling, other)
	}
	return fmt.Sprintf("%d vs %d (%.1fx fewer)", rolling, other, float64(other)/float64(rolling))
}

func msf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func mib(n int64) string { return fmt.Sprintf("%.2f MiB", float64(n)/(1<<20)) }

// writeFiguresJSON keeps the figures of the run, for the README's tables
// (tests/figures).
func writeFiguresJSON(elapsed time.Duration) (string, error) {
	figures.Lock()
	defer figures.Unlock()
	type up struct {
		Failed, Total, DuringFailed, DuringTotal, MaxDown, MinInRotation, Retries, Redispatches, ImagesTotal, ImagesLost int
		ImagesByAPI                                                                                                      map[string]int
		LedgerUploads                                                                                                    string
		FailuresByKind                                                                                                   map[string]int
		OutageSeconds, P50ms, P95ms, P99ms, MaxMs, RPS, UpgradeSeconds, BelowNMinus1Seconds                              float64
	}
	out := struct {
		Upgrades map[string]up
		Cache    *cacheFigures
		Podman   *podmanFigures
		Faults   []faultRow
		Kills    []killRow
		KillSeed int64
	}{Upgrades: map[string]up{}, Cache: figures.cache, Podman: figures.podman, Faults: figures.faults, Kills: figures.kills, KillSeed: figures.killSeed}
	for k, f := range figures.upgrades {
		r := f.Report
		out.Upgrades[k] = up{Failed: r.Failed, Total: r.Total, DuringFailed: f.During.Failed, DuringTotal: f.During.Total,
			MaxDown: f.MaxDown, MinInRotation: f.MinInRotation, Retries: f.Retries, Redispatches: f.Redispatches, FailuresByKind: r.FailuresByKind,
			OutageSeconds: r.Outage.Duration().Seconds(), P50ms: msf(r.P50), P95ms: msf(r.P95), P99ms: msf(r.P99), MaxMs: msf(r.Max),
			RPS: r.RPS, UpgradeSeconds: f.UpgradeSeconds, BelowNMinus1Seconds: f.BelowNMinus1.Seconds(),
			ImagesTotal: f.ImagesTotal, ImagesLost: len(f.ImagesLost), ImagesByAPI: f.ImagesByAPI, LedgerUploads: f.LedgerUploads}
	}
	// make e2e-kill runs this package too, and names its own figures file
	suite := os.Getenv("KOLLA_GLANCE_FIGURES_SUITE")
	if suite == "" {
		suite = "e2e"
	}
	return figfile.Write(suite, elapsed, out)
}
