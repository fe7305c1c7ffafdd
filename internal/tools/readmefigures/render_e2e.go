package main

import (
	"fmt"
	"strings"
)

// e2eFigures is the part of docs/figures/e2e.json the documents quote
// (tests/e2e's writeFiguresJSON).
type e2eFigures struct {
	Upgrades map[string]struct {
		Failed, Total, MaxDown, MinInRotation, ImagesTotal, ImagesLost int
		OutageSeconds, UpgradeSeconds, RPS                             float64
		LedgerUploads                                                  string
	}
	Cache *struct {
		MaxSize, Before, After      int64
		EntriesBefore, EntriesAfter int
		StaleRemoved                bool
		Seconds                     float64
	}
	Podman *struct {
		DeploySeconds, UpgradeSeconds float64
		ImageBytes                    int
		Cache                         *struct {
			MaxSize, Before, After int64
			Seconds                float64
		}
	}
	Faults []struct {
		Fault, StoppedAt        string
		Failed, Total           int
		FirstBack, OthersKept   bool
		ImagesLost, ImagesTotal int
	}
	Kills []struct {
		N                                                 int
		Kind, Host, KilledIn, Outcome                     string
		Seconds                                           float64
		NewAtKill, Failed, Total, ImagesLost, ImagesTotal int
	}
	KillSeed int64
}

// e2eRows are the upgrade rows, in the table's order, with their labels.
var e2eRows = []struct{ key, label string }{
	{"rolling", "the role's rolling upgrade (HAProxy drain)"},
	{"ceph", "the same on Ceph RBD (one real Ceph 16.2 cluster)"},
	{"legacy", "the role's legacy upgrade"},
	{"kolla", "kolla-ansible's way (every host at one flush): a re-enactment with this role's own tasks, not kolla-ansible itself"},
}

func (s sources) e2e() (e2eFigures, figuresFile, error) {
	var e e2eFigures
	f, err := s.read("e2e", &e)
	return e, f, err
}

func (s sources) e2eUpgrades() (string, error) {
	e, f, err := s.e2e()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("| upgrade of 3 glance-api hosts under load, Zed to 2025.1 | failed requests | longest outage | most hosts down at once | images lost | upgrade's wall time |\n")
	b.WriteString("| --- | --- | --- | --- | --- | --- |\n")
	for _, r := range e2eRows {
		u, ok := e.Upgrades[r.key]
		if !ok {
			return "", fmt.Errorf("docs/figures/e2e.json has no %q upgrade: the run did not run it", r.key)
		}
		fmt.Fprintf(&b, "| %s | %d of %d | %.1f s | %d | %d of %d | %.0f s |\n", r.label, u.Failed, u.Total, u.OutageSeconds, u.MaxDown,
			u.ImagesLost, u.ImagesTotal, u.UpgradeSeconds)
	}
	b.WriteString("\nThe images ledger's uploads straight to each API host during each upgrade (a refusal is retried on the next host):\n\n")
	for _, r := range e2eRows {
		fmt.Fprintf(&b, "- %s: %s.\n", strings.SplitN(r.label, ":", 2)[0], e.Upgrades[r.key].LedgerUploads)
	}
	b.WriteString(sourceLine(f))
	return b.String(), nil
}

func mib(n int64) string { return fmt.Sprintf("%.2f MiB", float64(n)/(1<<20)) }

func yesNo(v bool) string {
	if v {
		return "yes"
	}
	return "no"
}

// e2eMore renders podman, the cache cron, the faults and the kill trials.
func (s sources) e2eMore() (string, error) {
	e, f, err := s.e2e()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if p := e.Podman; p != nil && p.Cache != nil {
		fmt.Fprintf(&b, "- `kolla_container_engine: podman`: deploy of Zed %.0f s, upgrade to 2025.1 %.0f s with an image of %d bytes intact; the real cron daemon's `podman exec` jobs pruned the cache from %s to %s (limit %s) %.0f s after cron started.\n",
			p.DeploySeconds, p.UpgradeSeconds, p.ImageBytes, mib(p.Cache.Before), mib(p.Cache.After), mib(p.Cache.MaxSize), p.Cache.Seconds)
	} else {
		return "", fmt.Errorf("docs/figures/e2e.json has no podman figures")
	}
	if c := e.Cache; c != nil {
		fmt.Fprintf(&b, "- Image cache on Glance 2025.1 (centralized_db): %s in %d images above a %s limit, pruned to %s in %d images by the real cron daemon running the entries the role installed, %.0f s after cron started; the stalled `incomplete/` entry removed: %s.\n",
			mib(c.Before), c.EntriesBefore, mib(c.MaxSize), mib(c.After), c.EntriesAfter, c.Seconds, yesNo(c.StaleRemoved))
	} else {
		return "", fmt.Errorf("docs/figures/e2e.json has no cache figures")
	}
	if len(e.Faults) == 0 {
		return "", fmt.Errorf("docs/figures/e2e.json has no fault rows")
	}
	b.WriteString("\n| fault under load (rolling, HAProxy) | the role stopped with | failed requests | first batch back | other hosts untouched | images lost |\n| --- | --- | --- | --- | --- | --- |\n")
	for _, r := range e.Faults {
		fmt.Fprintf(&b, "| %s | %s | %d of %d | %s | %s | %d of %d |\n", r.Fault, strings.ReplaceAll(r.StoppedAt, "|", "\\|"), r.Failed, r.Total,
			yesNo(r.FirstBack), yesNo(r.OthersKept), r.ImagesLost, r.ImagesTotal)
	}
	if len(e.Kills) == 0 {
		return "", fmt.Errorf("docs/figures/e2e.json has no kill trials")
	}
	fmt.Fprintf(&b, "\n| controller killed (SIGKILL), seed %d | killed in step | hosts on the new release then | failed requests | images lost | outcome |\n| --- | --- | --- | --- | --- | --- |\n", e.KillSeed)
	for _, k := range e.Kills {
		asked := k.Kind
		if k.Host != "" {
			asked += " (" + k.Host + ")"
		}
		fmt.Fprintf(&b, "| %d. %s | %s | %d of 3 | %d of %d | %d of %d | %s |\n", k.N, asked, k.KilledIn, k.NewAtKill, k.Failed, k.Total, k.ImagesLost, k.ImagesTotal, k.Outcome)
	}
	b.WriteString(sourceLine(f))
	return b.String(), nil
}
