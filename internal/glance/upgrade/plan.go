package upgrade

import "strconv"

// builder appends steps. Step.Host points into hosts, Step.Batch into
// batchNo and Step.Value into values, all owned by the one Plan, so a step
// costs no allocation of its own.
type builder struct {
	hosts   []string // copy of Input.APIHosts
	steps   []Step
	batchNo []int
	nameBuf []string // backing array of the batches' host lists
	values  [2]int   // values[0] = 0, values[1] = 1
}

func newBuilder(hosts []string, capSteps, nBatches, nRestart int) *builder {
	b := &builder{
		hosts:   append([]string(nil), hosts...),
		nameBuf: make([]string, 0, nRestart),
		steps:   make([]Step, 0, capSteps),
		batchNo: make([]int, nBatches),
		values:  [2]int{0, 1},
	}
	for i := range b.batchNo {
		b.batchNo[i] = i
	}
	return b
}

// add appends action on host index h; batch < 0 means no batch.
func (b *builder) add(action string, h, batch int) {
	s := Step{Step: len(b.steps) + 1, Action: action, Host: &b.hosts[h]}
	if batch >= 0 {
		s.Batch = &b.batchNo[batch]
	}
	b.steps = append(b.steps, s)
}

func (b *builder) logBin(h, value int) {
	b.steps = append(b.steps, Step{
		Step: len(b.steps) + 1, Action: ActionSetLogBinTrust,
		Host: &b.hosts[h], Value: &b.values[value],
	})
}

// each appends action for every host index of batch.
func (b *builder) each(action string, hosts []int, batch int) {
	for _, h := range hosts {
		b.add(action, h, batch)
	}
}

// names returns the host names of the indexes, in a slice with no spare
// capacity carved from one backing array.
func (b *builder) names(idx []int) []string {
	start := len(b.nameBuf)
	for _, h := range idx {
		b.nameBuf = append(b.nameBuf, b.hosts[h])
	}
	return b.nameBuf[start:len(b.nameBuf):len(b.nameBuf)]
}

// logBinApplies tells whether kolla toggles log_bin_trust_function_creators:
// MySQL/MariaDB managed by the deployment. skipWhy says why not otherwise.
func logBinApplies(in Input) (ok bool, skipWhy string) {
	switch {
	case in.Database != DatabaseMariaDB && in.Database != DatabaseMySQL:
		return false, "database " + in.Database + " has no log_bin_trust_function_creators (MySQL/MariaDB only)"
	case in.UsePreconfiguredDatabases:
		return false, "use_preconfigured_databases is true: the database server is not managed by this deployment"
	}
	return true, ""
}

// dbStateText renders the db check result for messages.
func dbStateText(s *int) string {
	if s == nil {
		return "db_state is unknown"
	}
	return "db check reported " + strconv.Itoa(*s)
}

// buildLegacy plans the offline upgrade.
//
// Every host that restarts is stopped before db_sync and started after it.
// When the database is already up to date (db_state 0), hosts that already
// run the new release are left alone and db_sync is skipped; otherwise every
// host restarts, upgraded ones included: old code must not run against the
// new schema and new code must not run before db_sync.
func buildLegacy(in Input, v checked, warnings []string) Plan {
	n := len(in.APIHosts)
	upToDate := in.DBState != nil && *in.DBState == DBUpToDate
	var skipped []Skip

	restart := make([]int, 0, n)
	for i := 0; i < n; i++ {
		if upToDate && v.upgraded[i] {
			continue
		}
		restart = append(restart, i)
	}

	logBin, logBinWhy := logBinApplies(in)
	if upToDate {
		why := dbStateText(in.DBState) + ": database already up to date"
		skipped = append(skipped, Skip{What: ActionDBSync, Why: why})
		if logBin {
			logBin, logBinWhy = false, "no database step runs ("+dbStateText(in.DBState)+")"
		}
	}
	if !logBin {
		skipped = append(skipped, Skip{What: ActionSetLogBinTrust, Why: logBinWhy})
	}
	if upToDate {
		for i := 0; i < n; i++ {
			if v.upgraded[i] {
				skipped = append(skipped, Skip{What: "upgrade of " + in.APIHosts[i], Why: in.APIHosts[i] + " already runs the new release"})
			}
		}
	} else if v.nUpgraded > 0 {
		up := v.upgradedHosts(in.APIHosts)
		verb := " restart anyway: "
		if len(up) == 1 {
			verb = " restarts anyway: "
		}
		warnings = append(warnings, "upgraded_hosts "+listText(up, false)+verb+
			dbStateText(in.DBState)+" (not 0, up to date), and a legacy upgrade stops every glance-api host "+
			"before db_sync and starts them after it")
	}
	if in.FileBackend && !in.FileDatadirShared && n > 1 {
		warnings = append(warnings, "the file store is not shared (file_datadir_shared=false) but api_hosts has "+
			strconv.Itoa(n)+" hosts: kolla runs glance-api on the first host only; pass the api_hosts the backends module returns")
	}

	nb := 0
	if len(restart) > 0 {
		nb = 1
	}
	b := newBuilder(in.APIHosts, 4*len(restart)+3, nb, len(restart))
	if logBin {
		b.logBin(0, 1)
	}
	b.each(ActionStop, restart, 0)
	b.each(ActionConfig, restart, 0)
	if !upToDate {
		b.add(ActionDBSync, 0, -1)
	}
	b.each(ActionStart, restart, 0)
	b.each(ActionWaitHealthy, restart, 0)
	if logBin {
		b.logBin(0, 0)
	}

	batches := make([][]string, 0, nb)
	if nb == 1 {
		batches = append(batches, b.names(restart))
	}
	if skipped == nil {
		skipped = []Skip{}
	}
	return Plan{
		Mode:      ModeLegacy,
		Steps:     b.steps,
		Batches:   batches,
		APIOutage: n > 0 && len(restart) == n,
		Skipped:   skipped,
		Warnings:  warnings,
	}
}

// buildRolling plans Glance's rolling upgrade, resuming from DBState and
// UpgradedHosts.
//
// pending = APIHosts not in UpgradedHosts, in order. Expand and migrate are
// needed for db_state nil, 3 (both) or 4 (migrate only); contract for nil, 3,
// 4, 5. The database host is pending[0] when expand or migrate is needed and
// a pending host exists, else APIHosts[0]. Batch 0 is the database host (or,
// without expand/migrate, the first pending host as a canary) alone; the
// rest of pending follows in batches of MaxUnavailable. When every host
// already runs the new release but expand or migrate is still needed,
// APIHosts[0] is drained and stopped to run them (no config: it already has
// the new code and configuration) and restarted; that is batch 0.
func buildRolling(in Input, v checked, warnings []string) Plan {
	n := len(in.APIHosts)
	st := in.DBState
	needExpand := st == nil || *st == DBNeedsExpand
	needMigrate := needExpand || *st == DBNeedsMigrate
	needContract := needMigrate || *st == DBNeedsContract
	lb := in.LoadBalancer
	maxU := in.MaxUnavailable

	pending := make([]int, 0, n-v.nUpgraded)
	for i := 0; i < n; i++ {
		if !v.upgraded[i] {
			pending = append(pending, i)
		}
	}

	var skipped []Skip
	switch {
	case st == nil:
	case *st == DBNeedsMigrate:
		skipped = append(skipped, Skip{What: ActionDBExpand, Why: dbStateText(st) + ": expand already done"})
	case *st == DBNeedsContract:
		skipped = append(skipped,
			Skip{What: ActionDBExpand, Why: dbStateText(st) + ": expand already done"},
			Skip{What: ActionDBMigrate, Why: dbStateText(st) + ": migrate already done"})
	case *st == DBUpToDate:
		why := dbStateText(st) + ": database already up to date"
		skipped = append(skipped,
			Skip{What: ActionDBExpand, Why: why},
			Skip{What: ActionDBMigrate, Why: why},
			Skip{What: ActionDBContract, Why: why})
	}
	logBin, logBinWhy := logBinApplies(in)
	if logBin && !needContract {
		logBin, logBinWhy = false, "no database step runs ("+dbStateText(st)+")"
	}
	if !logBin {
		skipped = append(skipped, Skip{What: ActionSetLogBinTrust, Why: logBinWhy})
	}
	if !lb {
		skipped = append(skipped, Skip{What: ActionDrain + ", " + ActionUndrain,
			Why: "loadbalancer is false: hosts stop while still in rotation, so requests in flight there fail"})
	}

	// Database host and batch 0.
	dbHost := 0
	reuse := false // every host upgraded but expand/migrate pending
	var first []int
	switch {
	case needMigrate && len(pending) > 0:
		dbHost = pending[0]
		first = pending[:1]
		pending = pending[1:]
	case needMigrate:
		reuse = true
		first = []int{0}
	case len(pending) > 0:
		first = pending[:1]
		pending = pending[1:]
	}

	// Warnings about states a resume finds already unsafe.
	if needMigrate && v.nUpgraded > 0 {
		up := v.upgradedHosts(in.APIHosts)
		verb := " already run"
		if len(up) == 1 {
			verb = " already runs"
		}
		msg := "upgraded_hosts " + listText(up, false) + verb + " the new release while " + dbStateText(st)
		if st == nil {
			msg += ": if expand and migrate had not run yet, new code has been serving against the old schema"
		} else {
			msg += ": new code has been serving against a database that is not expanded and migrated (invariants I2/I3 already broken)"
		}
		if reuse {
			msg += "; " + in.APIHosts[0] + " is drained and stopped to run the database steps, then restarted"
		} else {
			msg += "; the plan runs the database steps first, on " + in.APIHosts[dbHost] + ", before any other restart"
		}
		warnings = append(warnings, msg)
	}
	if in.Database == DatabaseSQLite {
		warnings = append(warnings, "database sqlite: glance-manage allows online expand/migrate/contract on sqlite for tests only")
	}
	warnings = append(warnings, "Glance documents rolling upgrades as EXPERIMENTAL and not supported in production "+
		"(doc/source/admin/rollingupgrades.rst); back up the glance database first")

	nb := 0
	if len(first) > 0 {
		nb = 1 + (len(pending)+maxU-1)/maxU
	}
	b := newBuilder(in.APIHosts, 6*(len(first)+len(pending))+6, nb, len(first)+len(pending))
	batches := make([][]string, 0, nb)

	// Batch 0.
	if len(first) > 0 {
		batches = append(batches, b.names(first))
		h := first[0]
		if lb {
			b.add(ActionDrain, h, 0)
		}
		b.add(ActionStop, h, 0)
		if !reuse {
			b.add(ActionConfig, h, 0)
		} else {
			skipped = append(skipped, Skip{What: ActionConfig + " on " + in.APIHosts[h],
				Why: in.APIHosts[h] + " already runs the new release; it is stopped only to run the database steps"})
		}
		if needMigrate {
			if logBin {
				b.logBin(dbHost, 1)
			}
			if needExpand {
				b.add(ActionDBExpand, dbHost, -1)
			}
			b.add(ActionDBMigrate, dbHost, -1)
		}
		b.add(ActionStart, h, 0)
		b.add(ActionWaitHealthy, h, 0)
		if lb {
			b.add(ActionUndrain, h, 0)
		}
	}

	// The remaining batches.
	for k := 1; len(pending) > 0; k++ {
		m := maxU
		if m > len(pending) {
			m = len(pending)
		}
		batch := pending[:m:m]
		pending = pending[m:]
		batches = append(batches, b.names(batch))
		if lb {
			b.each(ActionDrain, batch, k)
		}
		b.each(ActionStop, batch, k)
		b.each(ActionConfig, batch, k)
		b.each(ActionStart, batch, k)
		b.each(ActionWaitHealthy, batch, k)
		if lb {
			b.each(ActionUndrain, batch, k)
		}
	}

	// Contract once no host runs old code.
	if needContract {
		if logBin && !needMigrate {
			b.logBin(dbHost, 1)
		}
		b.add(ActionDBContract, dbHost, -1)
	}
	if logBin {
		b.logBin(dbHost, 0)
	}

	for i := 0; i < n; i++ {
		if v.upgraded[i] && !(reuse && i == 0) {
			skipped = append(skipped, Skip{What: "upgrade of " + in.APIHosts[i], Why: in.APIHosts[i] + " already runs the new release"})
		}
	}
	if skipped == nil {
		skipped = []Skip{}
	}
	return Plan{
		Mode:     ModeRolling,
		Steps:    b.steps,
		Batches:  batches,
		Skipped:  skipped,
		Warnings: warnings,
	}
}

// upgradedHosts are the hosts of apiHosts listed in upgraded_hosts, in
// api_hosts order.
func (v checked) upgradedHosts(apiHosts []string) []string {
	up := make([]string, 0, v.nUpgraded)
	for i, h := range apiHosts {
		if v.upgraded[i] {
			up = append(up, h)
		}
	}
	return up
}
