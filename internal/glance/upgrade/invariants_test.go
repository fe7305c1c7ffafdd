package upgrade

import (
	"errors"
	"fmt"
	"github.com/kolla-glance/kolla-glance/internal/problem"
	"math/rand"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var (
	allStates    = []*int{nil, intp(0), intp(3), intp(4), intp(5)}
	allDatabases = []string{DatabaseMariaDB, DatabaseMySQL, DatabasePostgreSQL, DatabaseSQLite}
	allOnUnsafe  = []string{OnUnsafeFail, OnUnsafeLegacy}
	allOnFailure = []string{OnFailureRollback, OnFailureStop}
	allowed      = map[string]bool{}
	restartActs  = map[string]bool{
		ActionDrain: true, ActionStop: true, ActionConfig: true,
		ActionStart: true, ActionWaitHealthy: true, ActionUndrain: true,
	}
	dbActs = map[string]bool{
		ActionDBSync: true, ActionDBExpand: true, ActionDBMigrate: true, ActionDBContract: true,
	}
)

func init() {
	// The contract's exact strings, spelled out rather than taken from the
	// package's constants.
	for _, a := range []string{"set_log_bin_trust", "drain", "stop", "config", "db_sync",
		"db_expand", "db_migrate", "db_contract", "start", "wait_healthy", "undrain", "revert"} {
		allowed[a] = true
	}
}

func TestActions(t *testing.T) {
	require.Len(t, Actions(), len(allowed))
	for _, a := range Actions() {
		require.True(t, allowed[a], a)
	}
}

func intp(i int) *int { return &i }

func stateName(s *int) string {
	if s == nil {
		return "nil"
	}
	return strconv.Itoa(*s)
}

// topology is one generated set of hosts and the flags drawn for it.
type topology struct {
	hosts    []string
	index    map[string]int
	upgraded []string
}

func genTopology(rng *rand.Rand, n int) topology {
	t := topology{hosts: make([]string, n), index: make(map[string]int, n)}
	for i := range t.hosts {
		t.hosts[i] = fmt.Sprintf("ctl%03d-%d", i, rng.Intn(1000))
		t.index[t.hosts[i]] = i
	}
	switch rng.Intn(4) {
	case 0: // none upgraded
	case 1: // all upgraded
		t.upgraded = append(t.upgraded, t.hosts...)
	default: // a random subset, in random order
		for _, i := range rng.Perm(n) {
			if rng.Intn(3) == 0 {
				t.upgraded = append(t.upgraded, t.hosts[i])
			}
		}
	}
	return t
}

// refused tells, independently of the package, whether rolling is unsafe.
func refused(in Input) bool {
	return in.Rolling && ((in.FileBackend && !in.FileDatadirShared) || len(in.APIHosts) < 2 ||
		in.Database == DatabasePostgreSQL)
}

// TestInvariantsGenerated builds plans for thousands of generated topologies
// and checks every invariant on each: hosts 1..24 (two upgraded subsets
// each) and 200 with every max_unavailable, db_state, database and on_unsafe;
// plus random sizes up to 200 with every max_unavailable and db_state, the
// database and on_unsafe drawn at random. The other flags are drawn per build.
func TestInvariantsGenerated(t *testing.T) {
	rng := rand.New(rand.NewSource(20240601))
	type size struct {
		n    int
		full bool
	}
	var sizes []size
	for n := 1; n <= 24; n++ {
		sizes = append(sizes, size{n, true}, size{n, true})
	}
	random := 12
	if testing.Short() {
		random = 3
	} else {
		sizes = append(sizes, size{200, true})
	}
	for i := 0; i < random; i++ {
		sizes = append(sizes, size{25 + rng.Intn(176), false})
	}

	builds, plans := 0, 0
	run := func(topo topology, rolling bool, maxU int, st *int, db, onUnsafe string) {
		in := Input{
			APIHosts:                  topo.hosts,
			Rolling:                   rolling,
			FileBackend:               rng.Intn(2) == 0,
			FileDatadirShared:         rng.Intn(4) != 0,
			Database:                  db,
			UsePreconfiguredDatabases: rng.Intn(4) == 0,
			MaxUnavailable:            maxU,
			LoadBalancer:              rng.Intn(3) != 0,
			DBState:                   st,
			UpgradedHosts:             topo.upgraded,
			OnUnsafe:                  onUnsafe,
			OnFailure:                 allOnFailure[rng.Intn(2)],
		}
		if !rolling {
			in.MaxUnavailable = rng.Intn(5) - 1 // ignored in legacy mode
		}
		desc := func() string {
			return fmt.Sprintf("n=%d rolling=%v maxU=%d state=%s db=%s on_unsafe=%s on_failure=%s file=%v shared=%v lb=%v preconf=%v upgraded=%q",
				len(in.APIHosts), rolling, in.MaxUnavailable, stateName(st), db, onUnsafe, in.OnFailure, in.FileBackend,
				in.FileDatadirShared, in.LoadBalancer, in.UsePreconfiguredDatabases, topo.upgraded)
		}
		builds++
		p, err := Build(in)
		if refused(in) && onUnsafe == OnUnsafeFail {
			if err == nil || !errors.Is(err, problem.ErrRefused) || errors.Is(err, problem.ErrArgument) {
				t.Fatalf("%s: want a refusal, got %v", desc(), err)
			}
			return
		}
		if err != nil {
			t.Fatalf("%s: %v", desc(), err)
		}
		plans++
		if err := verify(in, topo, p); err != nil {
			t.Fatalf("%s: %v\n%s", desc(), err, p.PlanText)
		}
		if err := verifyRollback(in, topo, p); err != nil {
			t.Fatalf("%s: rollback: %v\n%s", desc(), err, p.PlanText)
		}
	}
	for _, sz := range sizes {
		topo := genTopology(rng, sz.n)
		maxUs := []int{1}
		for m := 2; m <= sz.n-1; m++ {
			maxUs = append(maxUs, m)
		}
		for _, st := range allStates {
			if !sz.full {
				for _, rolling := range []bool{false, true} {
					for _, maxU := range maxUs {
						run(topo, rolling, maxU, st, allDatabases[rng.Intn(len(allDatabases))], allOnUnsafe[rng.Intn(2)])
						if !rolling {
							break
						}
					}
				}
				continue
			}
			for _, db := range allDatabases {
				for _, onUnsafe := range allOnUnsafe {
					run(topo, false, 0, st, db, onUnsafe) // legacy: max_unavailable is ignored
					for _, maxU := range maxUs {
						run(topo, true, maxU, st, db, onUnsafe)
					}
				}
			}
		}
	}
	t.Logf("%d builds, %d plans verified", builds, plans)
	require.Greater(t, plans, 10000)
}

// verify checks every invariant of a successful plan.
func verify(in Input, topo topology, p Plan) error {
	n := len(in.APIHosts)
	wantRolling := in.Rolling && !refused(in)
	st := in.DBState
	up := make([]bool, n)
	nUp := 0
	for _, h := range topo.upgraded {
		up[topo.index[h]] = true
		nUp++
	}

	// Mode, outage, fallback warnings.
	if wantRolling != (p.Mode == ModeRolling) || (!wantRolling && p.Mode != ModeLegacy) {
		return fmt.Errorf("mode %q, want rolling=%v", p.Mode, wantRolling)
	}
	if refused(in) {
		found := false
		for _, w := range p.Warnings {
			if strings.HasPrefix(w, fallbackWarningPrefix) {
				found = true
			}
		}
		if !found {
			return fmt.Errorf("fallback to legacy without a warning: %q", p.Warnings)
		}
	}
	if p.Steps == nil || p.Batches == nil || p.Skipped == nil {
		return errors.New("nil slice in plan (JSON would say null)")
	}

	// Per-step checks.
	type hostPos struct{ drain, stop, config, start, wait, undrain, count int }
	pos := make([]hostPos, n)
	for i := range pos {
		pos[i] = hostPos{-1, -1, -1, -1, -1, -1, 0}
	}
	expand, migrate, contract, dbsync := -1, -1, -1, -1
	firstDB, lastDB := -1, -1
	firstStart, lastStart, lastWait, lastStop := -1, -1, -1, -1
	var logBins []int // positions
	var logBinVals []int
	batchOf := make([]int, n)
	for i := range batchOf {
		batchOf[i] = -1
	}
	lastBatch := -1
	for i, s := range p.Steps {
		if s.Step != i+1 {
			return fmt.Errorf("step %d numbered %d", i+1, s.Step)
		}
		if !allowed[s.Action] || s.Action == "revert" {
			return fmt.Errorf("step %d: unknown action %q (revert is for rollbacks only)", s.Step, s.Action)
		}
		if s.Host == nil {
			return fmt.Errorf("step %d: no host", s.Step)
		}
		h, ok := topo.index[*s.Host]
		if !ok {
			return fmt.Errorf("step %d: host %q not in api_hosts", s.Step, *s.Host)
		}
		if (s.Action == ActionSetLogBinTrust) != (s.Value != nil) {
			return fmt.Errorf("step %d: value %v on %s", s.Step, s.Value, s.Action)
		}
		if restartActs[s.Action] != (s.Batch != nil) {
			return fmt.Errorf("step %d: batch %v on %s", s.Step, s.Batch, s.Action)
		}
		if s.Batch != nil {
			k := *s.Batch
			if k < 0 || k >= len(p.Batches) {
				return fmt.Errorf("step %d: batch %d out of range", s.Step, k)
			}
			if k < lastBatch {
				return fmt.Errorf("step %d: batch %d after batch %d", s.Step, k, lastBatch)
			}
			lastBatch = k
			if batchOf[h] == -1 {
				batchOf[h] = k
			} else if batchOf[h] != k {
				return fmt.Errorf("step %d: host %s in batches %d and %d", s.Step, *s.Host, batchOf[h], k)
			}
		}
		if dbActs[s.Action] {
			if firstDB < 0 {
				firstDB = i
			}
			lastDB = i
		}
		hp := &pos[h]
		once := func(p *int) error {
			if *p >= 0 {
				return fmt.Errorf("step %d: %s twice on %s", s.Step, s.Action, *s.Host)
			}
			*p = i
			hp.count++
			return nil
		}
		var err error
		switch s.Action {
		case ActionSetLogBinTrust:
			logBins = append(logBins, i)
			logBinVals = append(logBinVals, *s.Value)
		case ActionDrain:
			err = once(&hp.drain)
		case ActionStop:
			err = once(&hp.stop)
			lastStop = i
		case ActionConfig:
			err = once(&hp.config)
		case ActionStart:
			err = once(&hp.start)
			if firstStart < 0 {
				firstStart = i
			}
			lastStart = i
		case ActionWaitHealthy:
			err = once(&hp.wait)
			lastWait = i
		case ActionUndrain:
			err = once(&hp.undrain)
		case ActionDBExpand, ActionDBMigrate, ActionDBContract, ActionDBSync:
			var at *int
			switch s.Action {
			case ActionDBExpand:
				at = &expand
			case ActionDBMigrate:
				at = &migrate
			case ActionDBContract:
				at = &contract
			default:
				at = &dbsync
			}
			if *at >= 0 {
				return fmt.Errorf("step %d: %s twice", s.Step, s.Action)
			}
			*at = i
			// The host running a pre-start DB step is stopped and has the
			// new code (config done, or already upgraded).
			if s.Action != ActionDBContract {
				if wantRolling && (pos[h].stop < 0 || pos[h].start >= 0) {
					return fmt.Errorf("step %d: %s on %s which is not stopped", s.Step, s.Action, *s.Host)
				}
				if pos[h].config < 0 && !up[h] {
					return fmt.Errorf("step %d: %s on %s without new code", s.Step, s.Action, *s.Host)
				}
			}
		}
		if err != nil {
			return err
		}
	}

	// log_bin_trust_function_creators.
	logBinOK := (in.Database == DatabaseMariaDB || in.Database == DatabaseMySQL) && !in.UsePreconfiguredDatabases
	if logBinOK && firstDB >= 0 {
		if len(logBins) != 2 || logBinVals[0] != 1 || logBinVals[1] != 0 ||
			logBins[0] > firstDB || logBins[1] < lastDB {
			return fmt.Errorf("set_log_bin_trust at %v values %v, db steps %d..%d", logBins, logBinVals, firstDB, lastDB)
		}
		if *p.Steps[logBins[0]].Host != *p.Steps[firstDB].Host {
			return errors.New("set_log_bin_trust not delegated to the database host")
		}
	} else if len(logBins) != 0 {
		return fmt.Errorf("set_log_bin_trust steps %v not expected", logBins)
	}

	// Batches: every restarted host in exactly one batch.
	inBatch := make([]int, n)
	for k, b := range p.Batches {
		if len(b) == 0 {
			return fmt.Errorf("batch %d empty", k)
		}
		for _, name := range b {
			h, ok := topo.index[name]
			if !ok {
				return fmt.Errorf("batch %d: host %q not in api_hosts", k, name)
			}
			inBatch[h]++
			if batchOf[h] != k {
				return fmt.Errorf("batch %d lists %s, its steps say batch %d", k, name, batchOf[h])
			}
		}
	}
	for h := 0; h < n; h++ {
		if (batchOf[h] >= 0) != (inBatch[h] == 1) || inBatch[h] > 1 {
			return fmt.Errorf("host %s: batch %d, listed %d times", in.APIHosts[h], batchOf[h], inBatch[h])
		}
	}

	skippedHost := make(map[string]bool)
	for _, s := range p.Skipped {
		if strings.HasPrefix(s.What, "upgrade of ") {
			skippedHost[strings.TrimPrefix(s.What, "upgrade of ")] = true
		}
		if s.Why == "" {
			return fmt.Errorf("skip %q without a reason", s.What)
		}
	}

	if wantRolling {
		return verifyRolling(in, p, up, nUp, expand, migrate, contract, dbsync,
			firstStart, lastStart, lastWait, skippedHost)
	}

	// Legacy.
	if expand >= 0 || migrate >= 0 || contract >= 0 {
		return errors.New("legacy plan with expand/migrate/contract")
	}
	upToDate := st != nil && *st == 0
	if upToDate != (dbsync < 0) {
		return fmt.Errorf("db_sync at %d with db_state %s", dbsync, stateName(st))
	}
	if dbsync >= 0 && *p.Steps[dbsync].Host != in.APIHosts[0] {
		return errors.New("db_sync not on the first host")
	}
	restarted := 0
	for h := 0; h < n; h++ {
		hp := pos[h]
		want := !(upToDate && up[h])
		if hp.drain >= 0 || hp.undrain >= 0 {
			return errors.New("legacy plan drains")
		}
		if !want {
			if hp.count != 0 {
				return fmt.Errorf("upgraded host %s touched with the database up to date", in.APIHosts[h])
			}
			if !skippedHost[in.APIHosts[h]] {
				return fmt.Errorf("upgraded host %s not listed in skipped", in.APIHosts[h])
			}
			continue
		}
		restarted++
		if hp.stop < 0 || hp.config < 0 || hp.start < 0 || hp.wait < 0 {
			return fmt.Errorf("host %s not fully restarted: %+v", in.APIHosts[h], hp)
		}
		if !(hp.stop < hp.config && hp.config < hp.start && hp.start < hp.wait) {
			return fmt.Errorf("host %s: order %+v", in.APIHosts[h], hp)
		}
		if dbsync >= 0 && !(hp.stop < dbsync && dbsync < hp.start) {
			return fmt.Errorf("host %s not stopped before db_sync or started before it", in.APIHosts[h])
		}
		if firstStart >= 0 && hp.stop > firstStart {
			return fmt.Errorf("host %s stopped after a start", in.APIHosts[h])
		}
	}
	if lastStop >= 0 && firstStart >= 0 && lastStop > firstStart {
		return errors.New("a stop after a start in legacy mode")
	}
	if p.APIOutage != (restarted == n) {
		return fmt.Errorf("api_outage %v with %d of %d hosts restarted", p.APIOutage, restarted, n)
	}
	if !in.Rolling && !upToDate && !p.APIOutage {
		return errors.New("legacy plan without api_outage")
	}
	return nil
}

// verifyRolling checks the rolling-only invariants, simulating which hosts
// are out of service step by step.
func verifyRolling(in Input, p Plan, up []bool, nUp int,
	expand, migrate, contract, dbsync, firstStart, lastStart, lastWait int, skippedHost map[string]bool) error {
	n := len(in.APIHosts)
	st := in.DBState
	if p.APIOutage {
		return errors.New("rolling plan with api_outage")
	}
	if dbsync >= 0 {
		return errors.New("rolling plan with db_sync")
	}
	needExpand := st == nil || *st == 3
	needMigrate := needExpand || *st == 4
	needContract := needMigrate || *st == 5
	if needExpand != (expand >= 0) || needMigrate != (migrate >= 0) || needContract != (contract >= 0) {
		return fmt.Errorf("db steps expand=%d migrate=%d contract=%d for db_state %s", expand, migrate, contract, stateName(st))
	}
	// I2/I3: expand < migrate < every start.
	if expand >= 0 && migrate >= 0 && expand > migrate {
		return errors.New("expand after migrate")
	}
	if firstStart >= 0 && ((expand >= 0 && expand > firstStart) || (migrate >= 0 && migrate > firstStart)) {
		return errors.New("a host starts new code before expand/migrate")
	}
	// I6: contract after the last start and the last wait_healthy.
	if contract >= 0 && (contract < lastStart || contract < lastWait) {
		return errors.New("contract before the last host runs new code")
	}

	// Per host: restarted exactly once or untouched; order; availability.
	allUp := nUp == n
	reuse := allUp && needMigrate
	type hp struct{ drain, stop, config, start, wait, undrain int }
	hs := make([]hp, n)
	for i := range hs {
		hs[i] = hp{-1, -1, -1, -1, -1, -1}
	}
	out := make([]bool, n)
	nOut := 0
	idx := make(map[string]int, n)
	for i, h := range in.APIHosts {
		idx[h] = i
	}
	for i, s := range p.Steps {
		h := idx[*s.Host]
		switch s.Action {
		case ActionDrain:
			hs[h].drain = i
			if !out[h] {
				out[h] = true
				nOut++
			}
		case ActionStop:
			hs[h].stop = i
			if !out[h] {
				out[h] = true
				nOut++
			}
		case ActionConfig:
			hs[h].config = i
		case ActionStart:
			hs[h].start = i
		case ActionWaitHealthy:
			hs[h].wait = i
			if !in.LoadBalancer && out[h] {
				out[h] = false
				nOut--
			}
		case ActionUndrain:
			hs[h].undrain = i
			if out[h] {
				out[h] = false
				nOut--
			}
		}
		if nOut > in.MaxUnavailable {
			return fmt.Errorf("step %d: %d hosts out of service, max_unavailable %d", s.Step, nOut, in.MaxUnavailable)
		}
	}
	if nOut != 0 {
		return fmt.Errorf("%d hosts still out of service at the end", nOut)
	}
	for h := 0; h < n; h++ {
		x := hs[h]
		name := in.APIHosts[h]
		if up[h] && !(reuse && h == 0) {
			if x != (hp{-1, -1, -1, -1, -1, -1}) {
				return fmt.Errorf("upgraded host %s touched: %+v", name, x)
			}
			if !skippedHost[name] {
				return fmt.Errorf("upgraded host %s not listed in skipped", name)
			}
			continue
		}
		if x.stop < 0 || x.start < 0 || x.wait < 0 {
			return fmt.Errorf("host %s not restarted: %+v", name, x)
		}
		if up[h] {
			if x.config >= 0 {
				return fmt.Errorf("reused db host %s reconfigured", name)
			}
		} else if x.config < 0 || !(x.stop < x.config && x.config < x.start) {
			return fmt.Errorf("host %s: stop/config/start order %+v", name, x)
		}
		if x.start > x.wait {
			return fmt.Errorf("host %s: wait_healthy before start", name)
		}
		if in.LoadBalancer {
			if x.drain < 0 || x.undrain < 0 || x.drain > x.stop || x.undrain < x.wait {
				return fmt.Errorf("host %s: drain/undrain order %+v", name, x)
			}
		} else if x.drain >= 0 || x.undrain >= 0 {
			return fmt.Errorf("host %s drained without a load balancer", name)
		}
	}
	// Batch sizes: batch 0 alone, then at most max_unavailable.
	for k, b := range p.Batches {
		if (k == 0 && len(b) != 1) || len(b) > in.MaxUnavailable {
			return fmt.Errorf("batch %d has %d hosts", k, len(b))
		}
	}
	return nil
}
