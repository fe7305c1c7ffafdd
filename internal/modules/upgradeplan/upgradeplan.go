// Package upgradeplan is the kolla.glance.upgrade_plan module: its argument
// spec and the glue to the pure planner in internal/glance/upgrade.
package upgradeplan

import (
	"github.com/kolla-glance/kolla-glance/internal/ansible"
	"github.com/kolla-glance/kolla-glance/internal/glance/upgrade"
)

func desc(s ...string) []string { return s }

// Spec declares the module once: options, documentation and return values.
func Spec() *ansible.Spec {
	return &ansible.Spec{
		Name:             "upgrade_plan",
		Collection:       "kolla.glance",
		VersionAdded:     "0.1.0",
		ShortDescription: "Emit the ordered Glance upgrade plan, legacy or truly rolling, and refuse the unsafe cases",
		Description: desc(
			"Legacy mode stops every glance-api host before the schema migration (kolla-ansible forgets to), runs glance-manage db_sync once, then starts every host: an API outage.",
			"Rolling mode follows Glance's documented procedure: the first host is drained, stopped and reconfigured; db expand and db migrate run on it; it starts, passes its health check and rejoins the load balancer; then the other hosts follow in batches of at most max_unavailable; db contract runs only once no host runs the old code. kolla-ansible instead restarts every host at one handler flush.",
			"Rolling is refused (or, with on_unsafe=legacy, turned into legacy with a warning) when the file store is not shared, when fewer than two API hosts serve, or when the database cannot do online expand and contract (PostgreSQL).",
			"db_state (the exit code of glance-manage db check) and upgraded_hosts resume a partial upgrade: what is done is skipped, and the plan says what it skipped and why.",
			"The plan says what a failed step leads to: each step of a rolling plan names the batch to roll back (rollback_batch, null from db contract on), and with on_failure=rollback each batch carries the ordered steps that put its hosts back on the previous release and into rotation (rollback_steps), so the role never invents an order.",
			"A compute-only module: by default it runs on the controller without a remote round trip (set the variable kolla_glance_compute_on=target to run it on the target).",
		),
		SupportsCheckMode: true,
		Options: []ansible.Option{
			{Name: "api_hosts", Type: ansible.TypeList, Elements: ansible.TypeStr, Required: true,
				Description: desc("Hosts running glance-api, in order (the api_hosts returned by kolla.glance.backends). The first is the host that runs the database steps.")},
			{Name: "rolling", Type: ansible.TypeBool, Default: false, Description: desc("glance_enable_rolling_upgrade.")},
			{Name: "file_backend", Type: ansible.TypeBool, Default: false, Description: desc("Whether the file store is enabled (backends' file_enabled).")},
			{Name: "file_datadir_shared", Type: ansible.TypeBool, Default: true, Description: desc("Whether the file store is shared by every API host (backends' file_datadir_shared).")},
			{Name: "database", Type: ansible.TypeStr, Default: "mariadb", Choices: []any{"mariadb", "mysql", "postgresql", "sqlite"},
				Description: desc("Database engine. Online expand and contract exist only for MariaDB/MySQL (and sqlite, for tests).")},
			{Name: "use_preconfigured_databases", Type: ansible.TypeBool, Default: false,
				Description: desc("use_preconfigured_databases: skip the log_bin_trust_function_creators steps.")},
			{Name: "max_unavailable", Type: ansible.TypeInt, Default: 1,
				Description: desc("Rolling: API hosts out of service at once, from 1 to the number of hosts minus one.")},
			{Name: "loadbalancer", Type: ansible.TypeBool, Default: true,
				Description: desc("Rolling: drain a host in the load balancer before stopping it, and undrain it after it is healthy.")},
			{Name: "db_state", Type: ansible.TypeInt,
				Description: desc("Exit code of C(glance-manage db check) run with the new release: 0 up to date, 3 needs expand, 4 needs migrate, 5 needs contract. Null plans every database step.")},
			{Name: "upgraded_hosts", Type: ansible.TypeList, Elements: ansible.TypeStr, Default: []any{},
				Description: desc("Hosts already running the new release; they are not restarted.")},
			{Name: "on_unsafe", Type: ansible.TypeStr, Default: "fail", Choices: []any{"fail", "legacy"},
				Description: desc("What to do when rolling is asked for but unsafe: fail, or plan a legacy upgrade and warn.")},
			{Name: "on_failure", Type: ansible.TypeStr, Default: "rollback", Choices: []any{"rollback", "stop"},
				Description: desc(
					"What a failed step of a rolling upgrade leads to.",
					"C(rollback): the failed batch is put back on the previous release and into rotation by the steps of C(rollback_steps), then the upgrade stops; the database stays expanded and migrated, which the previous release runs on. A step from db contract on is never rolled back.",
					"C(stop): the upgrade stops and nothing is touched, which leaves the failure in place to inspect but the batch's hosts out of rotation; C(rollback_steps) is empty.",
					"A legacy upgrade is never rolled back (once db sync has run no previous release can run), whatever this says.")},
		},
		SeeAlso: []string{"kolla.glance.backends"},
		Author:  []string{"kolla-glance contributors"},
		Examples: `- name: Plan a rolling upgrade of three API hosts
  kolla.glance.upgrade_plan:
    api_hosts: [control01, control02, control03]
    rolling: true
    max_unavailable: 1
  register: plan

- name: Show the plan to the operator
  ansible.builtin.debug:
    msg: "{{ plan.plan_text.splitlines() }}"

- name: Resume after the database was expanded and migrated
  kolla.glance.upgrade_plan:
    api_hosts: [control01, control02, control03]
    rolling: true
    db_state: 5
    upgraded_hosts: [control01]
  register: resumed

- name: Plan a rolling upgrade that stops on a failure, leaving the batch as it is
  kolla.glance.upgrade_plan:
    api_hosts: [control01, control02, control03]
    rolling: true
    on_failure: stop
  register: plan_stop

- name: Fall back to legacy on an unshared file store instead of failing
  kolla.glance.upgrade_plan:
    api_hosts: [control01]
    rolling: true
    file_backend: true
    file_datadir_shared: false
    on_unsafe: legacy
  register: fallback
`,
		Returns: []ansible.Return{
			{Name: "mode", Type: "str", Returned: "success", Sample: "rolling", Description: desc("rolling or legacy.")},
			{Name: "steps", Type: "list", Elements: "dict", Returned: "success",
				Description: desc("The ordered plan."),
				Sample:      []any{map[string]any{"step": 1, "action": "drain", "host": "control01", "batch": 0, "rollback_batch": 0}},
				Contains: []ansible.Return{
					{Name: "step", Type: "int", Returned: "always", Description: desc("1-based position.")},
					{Name: "action", Type: "str", Returned: "always", Description: desc("One of set_log_bin_trust, drain, stop, config, db_sync, db_expand, db_migrate, db_contract, start, wait_healthy, undrain (revert appears in C(rollback_steps) only).")},
					{Name: "host", Type: "str", Returned: "always", Description: desc("The host the step runs on, or null.")},
					{Name: "value", Type: "int", Returned: "set_log_bin_trust steps", Description: desc("1 or 0.")},
					{Name: "batch", Type: "int", Returned: "host steps of a restart batch", Description: desc("Index into batches.")},
					{Name: "rollback_batch", Type: "int", Returned: "always",
						Description: desc(
							"The batch whose C(rollback_steps) put things back when this step fails: in a rolling plan, the batch out of service when the step runs (its host steps and, for batch 0, the database steps run while it is down).",
							"Null (always present, so that a template can test C(is none)) when the step must not be rolled back: db_contract and every later step, a set_log_bin_trust outside every batch, and every step of a legacy plan.",
							"It does not depend on C(on_failure); with C(stop), C(rollback_steps) is empty.")},
				}},
			{Name: "rollback_steps", Type: "list", Elements: "list", Returned: "success",
				Description: desc(
					"Indexed by batch, like C(batches): the ordered steps that put that batch's hosts back on the previous release and into rotation after any step of the batch failed.",
					"For the hosts of the batch, in order: stop every host (the new container, if any), revert every host the batch reconfigured (put back the image and configuration it ran before its config step, without starting it), start every host, wait_healthy every host, and with C(loadbalancer) undrain every host.",
					"Each element has the keys of a step of C(steps): step (numbered from 1 within the list), action, host, batch, and rollback_batch (null: a failed rollback is not rolled back).",
					"Empty for a legacy plan and when C(on_failure) is C(stop)."),
				Sample: []any{
					[]any{
						map[string]any{"step": 1, "action": "stop", "host": "control01", "batch": 0, "rollback_batch": nil},
						map[string]any{"step": 2, "action": "revert", "host": "control01", "batch": 0, "rollback_batch": nil},
						map[string]any{"step": 3, "action": "start", "host": "control01", "batch": 0, "rollback_batch": nil},
						map[string]any{"step": 4, "action": "wait_healthy", "host": "control01", "batch": 0, "rollback_batch": nil},
						map[string]any{"step": 5, "action": "undrain", "host": "control01", "batch": 0, "rollback_batch": nil},
					},
				}},
			{Name: "on_failure", Type: "str", Returned: "success", Sample: "rollback", Description: desc("The C(on_failure) the plan was made for.")},
			{Name: "batches", Type: "list", Elements: "list", Returned: "success", Sample: []any{[]any{"control01"}, []any{"control02"}},
				Description: desc("Host lists restarted together, in order.")},
			{Name: "api_outage", Type: "bool", Returned: "success", Sample: false, Description: desc("Whether the API is down at some point of the plan.")},
			{Name: "skipped_steps", Type: "list", Elements: "dict", Returned: "success",
				Description: desc("What a resumed plan skips and why. (Not named skipped: Ansible would take that key for a skipped task.)"),
				Contains: []ansible.Return{
					{Name: "what", Type: "str", Returned: "always", Description: desc("The skipped work.")},
					{Name: "why", Type: "str", Returned: "always", Description: desc("Why it is skipped.")},
				}},
			{Name: "plan_text", Type: "str", Returned: "success", Description: desc("A numbered plan for an operator to review: each batch, where any outage begins and ends, and what a failed step leads to.")},
			ansible.ProblemsReturn(),
		},
	}
}

// Run plans the upgrade from validated parameters.
func Run(ctx *ansible.Context) (*ansible.Result, error) {
	p := ctx.Params
	plan, err := upgrade.Build(upgrade.Input{
		APIHosts:                  p.Strings("api_hosts"),
		Rolling:                   p.Bool("rolling"),
		FileBackend:               p.Bool("file_backend"),
		FileDatadirShared:         p.Bool("file_datadir_shared"),
		Database:                  p.String("database"),
		UsePreconfiguredDatabases: p.Bool("use_preconfigured_databases"),
		MaxUnavailable:            p.Int("max_unavailable"),
		LoadBalancer:              p.Bool("loadbalancer"),
		DBState:                   p.OptInt("db_state"),
		UpgradedHosts:             p.Strings("upgraded_hosts"),
		OnUnsafe:                  p.String("on_unsafe"),
		OnFailure:                 p.String("on_failure"),
	})
	if err != nil {
		return nil, err
	}
	for _, w := range plan.Warnings {
		ctx.Warn(w)
	}
	// The skip list is returned as skipped_steps: a top-level "skipped" key
	// would make Ansible report the whole task as skipped.
	return &ansible.Result{Values: map[string]any{
		"mode": plan.Mode, "steps": plan.Steps, "batches": plan.Batches, "api_outage": plan.APIOutage,
		"skipped_steps": plan.Skipped, "plan_text": plan.PlanText,
		"rollback_steps": plan.RollbackSteps, "on_failure": plan.OnFailure,
	}}, nil
}
