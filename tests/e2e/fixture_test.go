//go:build e2e

package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kolla-glance/kolla-glance/tests/e2e/loadgen"
)

// oldDeployment is where every upgrade test starts: the old release on the
// inventory's hosts deployed by the role, HAProxy in front with every
// member UP, the image the load downloads, and the ledger's images stored
// before the upgrade.
type oldDeployment struct {
	s        *scenario
	hp       *haproxy
	img      loadgen.Image
	ledger   *imageLedger
	hostURLs map[string]string // each API host's own address, by name
}

func deployOld(t *testing.T, name, inventory string, extra ...string) *oldDeployment {
	t.Helper()
	s := newScenario(t, name, inventory, extra...)
	s.play("molecule/_shared/playbooks/create.yml")
	s.play("molecule/_shared/playbooks/deploy-old.yml")
	hp := startHAProxy(t, s, true)
	if err := hp.waitAllUp(2 * time.Minute); err != nil {
		t.Fatal(err)
	}
	img, err := createImage(hp.url, "e2e-load-"+name, randomBytes(loadImageSize))
	if err != nil {
		t.Fatal(err)
	}
	ledger := &imageLedger{}
	if err := ledger.storeBefore(hp.url, name); err != nil {
		t.Fatal(err)
	}
	ledger.add(storedImage{ID: img.ID, SHA256: img.SHA256, Via: "haproxy"}) // the load's image
	urls := map[string]string{}
	for _, h := range s.hosts {
		urls[h.Name] = fmt.Sprintf("http://127.0.0.1:%d", h.Port)
	}
	return &oldDeployment{s: s, hp: hp, img: img, ledger: ledger, hostURLs: urls}
}

// loadPhase is the load through HAProxy and the sampling of its members
// while one part of a test runs.
type loadPhase struct {
	run *loadgen.Run
	mon *monitor
}

// startLoad starts the load and the member sampling, and lets the load
// warm up before it returns.
func (d *oldDeployment) startLoad(t *testing.T) *loadPhase {
	t.Helper()
	run, err := loadgen.Start(loadgen.Config{BaseURLs: d.hp.urls, Image: d.img, Workers: loadWorkers, Interval: loadInterval,
		Duration: loadHardLimit, RequestTimeout: requestTimeout})
	if err != nil {
		t.Fatal(err)
	}
	p := &loadPhase{run: run, mon: d.hp.monitor()}
	t.Cleanup(func() { p.run.Stop(); p.mon.Stop() })
	time.Sleep(loadWarmup)
	return p
}

// finish waits until HAProxy has every member UP again, lets the load run
// loadTail longer and stops it. It returns every request, the analysis
// and the member status changes.
func (p *loadPhase) finish(t *testing.T, d *oldDeployment) ([]loadgen.Result, loadgen.Report, []transition) {
	t.Helper()
	if err := d.hp.waitAllUp(allUpAfterwards); err != nil {
		t.Error(err)
	}
	time.Sleep(loadTail)
	results := p.run.Stop()
	trans, _, _ := p.mon.Stop()
	rep := loadgen.Analyze(results)
	d.hp.checkSpread(t, rep)
	return results, rep, trans
}

// checkSpread fails the test unless every frontend of every HAProxy took
// a share of the load.
func (h *haproxy) checkSpread(t *testing.T, rep loadgen.Report) {
	t.Helper()
	var parts []string
	for _, u := range h.urls {
		parts = append(parts, fmt.Sprintf("%s %d", u, rep.ByTarget[u]))
		if rep.ByTarget[u] == 0 {
			t.Errorf("no request of the load went through %s", u)
		}
	}
	t.Logf("requests per HAProxy frontend: %s", strings.Join(parts, ", "))
}

// startedAt returns when a host's glance-api container last started, with
// its image: a container that was restarted or recreated reads differently.
func (s *scenario) startedAt(host string) string {
	return s.inspect(host, "{{.Config.Image}} {{.State.StartedAt}}")
}

// startedAll maps every host to startedAt.
func (s *scenario) startedAll() map[string]string {
	m := map[string]string{}
	for _, h := range s.hosts {
		m[h.Name] = s.startedAt(h.Name)
	}
	return m
}

// checkImagesKept fails the test when an image of the ledger is lost and
// returns how many were lost of how many.
func (d *oldDeployment) checkImagesKept(t *testing.T) (lost, total int) {
	t.Helper()
	l, total, err := d.ledger.lost(d.hp.url)
	if err != nil {
		t.Errorf("listing the images: %v", err)
		return -1, total
	}
	if len(l) > 0 {
		t.Errorf("images lost: %d of %d:\n  %s", len(l), total, strings.Join(l, "\n  "))
	}
	return len(l), total
}

const (
	oldImage = "kolla-glance/glance-api:old"
	newImage = "kolla-glance/glance-api:new"
)
