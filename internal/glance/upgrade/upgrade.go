package upgrade

// Modes of a Plan.
const (
	ModeRolling = "rolling"
	ModeLegacy  = "legacy"
)

// Step actions, the exact strings of the module contract.
const (
	ActionSetLogBinTrust = "set_log_bin_trust" // SET GLOBAL log_bin_trust_function_creators = Value
	ActionDrain          = "drain"             // take the host out of load-balancer rotation, let connections finish
	ActionStop           = "stop"              // stop glance-api gracefully, wait until it is completely down
	ActionConfig         = "config"            // install the new code (image) and configuration; do not start
	ActionDBSync         = "db_sync"           // glance-manage db sync (offline expand+migrate+contract)
	ActionDBExpand       = "db_expand"         // glance-manage db expand
	ActionDBMigrate      = "db_migrate"        // glance-manage db migrate
	ActionDBContract     = "db_contract"       // glance-manage db contract
	ActionStart          = "start"             // start glance-api (new code)
	ActionWaitHealthy    = "wait_healthy"      // wait until glance-api on the host answers its health check
	ActionUndrain        = "undrain"           // put the host back into load-balancer rotation
	ActionRevert         = "revert"            // rollback only: put back the image and configuration the host ran before its config step; do not start
)

// Actions returns every step action (a new slice each call: the package
// keeps no global state).
func Actions() []string {
	return []string{
		ActionSetLogBinTrust, ActionDrain, ActionStop, ActionConfig, ActionDBSync,
		ActionDBExpand, ActionDBMigrate, ActionDBContract, ActionStart,
		ActionWaitHealthy, ActionUndrain, ActionRevert,
	}
}

// Database engines accepted in Input.Database.
const (
	DatabaseMariaDB    = "mariadb"
	DatabaseMySQL      = "mysql"
	DatabasePostgreSQL = "postgresql"
	DatabaseSQLite     = "sqlite"
)

// Values of Input.OnUnsafe.
const (
	OnUnsafeFail   = "fail"
	OnUnsafeLegacy = "legacy"
)

// Values of Input.OnFailure.
const (
	OnFailureRollback = "rollback"
	OnFailureStop     = "stop"
)

// Exit codes of `glance-manage db check` accepted in Input.DBState.
const (
	DBUpToDate      = 0 // contract head reached: nothing to do
	DBNeedsExpand   = 3 // run db expand (then migrate, then contract)
	DBNeedsMigrate  = 4 // expand done, data migrations pending
	DBNeedsContract = 5 // expand and migrate done, contract pending
)

// Input holds the options of kolla.glance.upgrade_plan. Field comments name
// the module option; the module applies its defaults. Build does not
// fill defaults for zero values: an empty Database, OnUnsafe or OnFailure, or a
// MaxUnavailable of 0 in rolling mode, is an input error.
type Input struct {
	// APIHosts (api_hosts) are the hosts running glance-api, in inventory
	// order, as the backends module returns them. The first host is the NEW
	// NODE of Glance's procedure: database steps run there (see Build for the
	// resume exception). Must be non-empty, without empty or duplicate names.
	APIHosts []string
	// Rolling (rolling) asks for a rolling upgrade
	// (glance_enable_rolling_upgrade); false plans the legacy, offline one.
	Rolling bool
	// FileBackend (file_backend) is true when the file store is enabled.
	FileBackend bool
	// FileDatadirShared (file_datadir_shared) is true when the file store's
	// directory is shared between the API hosts.
	FileDatadirShared bool
	// Database (database) is the engine: mariadb, mysql, postgresql, sqlite.
	Database string
	// UsePreconfiguredDatabases (use_preconfigured_databases) drops the
	// set_log_bin_trust steps: the database server is not kolla's to change.
	UsePreconfiguredDatabases bool
	// MaxUnavailable (max_unavailable) is, in rolling mode, how many API hosts
	// may be out of service at once: 1..len(APIHosts)-1. Ignored in legacy
	// mode.
	MaxUnavailable int
	// LoadBalancer (loadbalancer), in rolling mode, drains a host before it
	// stops and undrains it once it is healthy again.
	LoadBalancer bool
	// DBState (db_state) is the exit code of `glance-manage db check` run
	// with the NEW code: 0 up to date, 3 needs expand, 4 needs migrate, 5
	// needs contract; nil when unknown (every database step is planned; they
	// are idempotent and print "up to date" when already done).
	DBState *int
	// UpgradedHosts (upgraded_hosts) are hosts of APIHosts that already run
	// the new release; without duplicates.
	UpgradedHosts []string
	// OnUnsafe (on_unsafe) is "fail" (a refused rolling upgrade is an error)
	// or "legacy" (a refused rolling upgrade becomes a legacy plan plus a
	// warning saying why).
	OnUnsafe string
	// OnFailure (on_failure) is "rollback" (a rolling plan carries, per
	// batch, the steps that put the batch back on the previous release) or
	// "stop" (no rollback steps: the operator inspects the failed batch as
	// it is). See Plan.RollbackSteps.
	OnFailure string
}

// Step is one entry of a Plan.
type Step struct {
	// Step is the 1-based position in Plan.Steps.
	Step int `json:"step"`
	// Action is one of the Action* constants.
	Action string `json:"action"`
	// Host is where the step runs (set_log_bin_trust and the db_* steps run
	// delegated to the database host); null for none.
	Host *string `json:"host"`
	// Value is set for set_log_bin_trust only: 1 or 0.
	Value *int `json:"value,omitempty"`
	// Batch is set on the host steps of a restart batch (drain, stop, config,
	// start, wait_healthy, undrain, and revert in a rollback): an index into
	// Plan.Batches. Absent from the JSON when not set.
	Batch *int `json:"batch,omitempty"`
	// RollbackBatch is, on a step of a rolling plan, the batch out of service
	// when the step runs: the index into Plan.RollbackSteps of the steps that
	// put that batch back when this step fails. It is null (always present
	// in the JSON, like Host, so that a template can test `is none`) for
	// steps that must not be rolled back: db_contract and every step after
	// it or outside a batch (the set_log_bin_trust steps around contract),
	// every step of a legacy plan, and the rollback steps themselves. It does
	// not depend on OnFailure. See rollback.go.
	RollbackBatch *int `json:"rollback_batch"`
}

// Skip is a step the plan leaves out, and why.
type Skip struct {
	What string `json:"what"`
	Why  string `json:"why"`
}

// Plan is the result of Build.
type Plan struct {
	// Mode is "rolling" or "legacy" (also when a refused rolling upgrade
	// falls back to legacy).
	Mode string `json:"mode"`
	// Steps are the ordered steps, numbered from 1.
	Steps []Step `json:"steps"`
	// Batches are the host lists restarted together, in order. Rolling: batch
	// 0 is one host alone, then batches of at most MaxUnavailable hosts.
	// Legacy: one batch with every restarted host.
	Batches [][]string `json:"batches"`
	// APIOutage is true when the plan has every glance-api host out of
	// service at the same time: a legacy plan, unless hosts that already run
	// the new release keep serving (db_state 0 resume).
	APIOutage bool `json:"api_outage"`
	// RollbackSteps has, for each batch of a rolling plan (same index as
	// Batches), the ordered steps that put that batch's hosts back on the
	// previous release and into rotation after a step of the batch failed:
	// stop every host of the batch, revert every host that the batch
	// reconfigured, start, wait_healthy and (with a load balancer) undrain
	// every host. Steps are numbered from 1 within each list and carry the
	// batch; their RollbackBatch is null (a failed rollback is not rolled
	// back). Empty for a legacy plan and when OnFailure is "stop".
	RollbackSteps [][]Step `json:"rollback_steps"`
	// OnFailure is Input.OnFailure.
	OnFailure string `json:"on_failure"`
	// Skipped lists what a full plan would do and this one does not.
	Skipped []Skip `json:"skipped"`
	// PlanText is the plan for an operator to review.
	PlanText string `json:"plan_text"`
	// Warnings are messages for the operator (Ansible warnings).
	Warnings []string `json:"-"`
}

// Build checks in and returns the ordered upgrade plan.
//
// Argument problems are always returned, whatever OnUnsafe says.
// A rolling upgrade that is unsafe (a refusal) is an error when
// OnUnsafe is "fail", and a legacy plan with one warning per reason when it
// is "legacy". Every error Build returns is a *problem.Error wrapped with
// the prefix "glance upgrade plan: "; errors.Is(err, problem.ErrArgument)
// and errors.Is(err, problem.ErrRefused) tell the two kinds apart.
//
// Legacy plan: [set_log_bin_trust 1], stop every host, config every host,
// db_sync once on the first host, start every host, wait_healthy every host,
// [set_log_bin_trust 0].
//
// Rolling plan (Glance's documented procedure): the database host alone is
// batch 0: [drain], stop, config, [set_log_bin_trust 1], db_expand,
// db_migrate, start, wait_healthy, [undrain]. The other hosts follow in
// batches of at most MaxUnavailable, each batch: drain all, stop all, config
// all, start all, wait_healthy all, undrain all. Then db_contract on the
// database host, [set_log_bin_trust 0].
//
// Failure handling (RollbackSteps, Step.RollbackBatch, OnFailure) is in
// rollback.go. Resume (DBState, UpgradedHosts) is described in the package
// documentation.
func Build(in Input) (Plan, error) {
	v, err := check(in)
	if err != nil {
		return Plan{}, err
	}
	var warnings []string
	rolling := in.Rolling
	if rolling && len(v.refusals) > 0 {
		// check returned an error for on_unsafe=fail: only legacy gets here.
		for _, r := range v.refusals {
			warnings = append(warnings, fallbackWarningPrefix+r.reason)
		}
		rolling = false
	}
	var p Plan
	if rolling {
		p = buildRolling(in, v, warnings)
	} else {
		p = buildLegacy(in, v, warnings)
	}
	addRollback(&p, in, rolling)
	p.PlanText = render(&p, in, v, rolling)
	return p, nil
}
