package upgrade

import (
	"encoding/json"
	"errors"
	"github.com/kolla-glance/kolla-glance/internal/problem"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// compact renders steps as "action host" ("set_log_bin_trust=1 host").
func compact(p Plan) []string {
	out := make([]string, len(p.Steps))
	for i, s := range p.Steps {
		a := s.Action
		if s.Value != nil {
			a += "=" + map[int]string{0: "0", 1: "1"}[*s.Value]
		}
		out[i] = a + " " + *s.Host
	}
	return out
}

func rollingInput(hosts ...string) Input {
	in := NewInput(hosts...)
	in.Rolling = true
	return in
}

func with(in Input, f func(*Input)) Input { f(&in); return in }

const (
	wantFileReason = "the file store is not on a shared filesystem (file_backend=true, file_datadir_shared=false): " +
		"glance-api runs on one host only and a rolling upgrade would leave glance services in a corrupt state; " +
		"put file_datadir_volume on a shared filesystem or use rolling=false"
	wantHostsReason = "api_hosts has 1 host; a rolling upgrade needs at least two glance-api hosts " +
		"so that one keeps serving while another restarts; use rolling=false"
	wantPostgresReason = "database postgresql has no online expand/migrate/contract: glance-manage runs them only on " +
		"MySQL/MariaDB (and sqlite, for tests); use rolling=false"
	wantFallback = "rolling upgrade refused, planning a legacy upgrade instead (on_unsafe=legacy): "
	wantExpGuard = "Glance documents rolling upgrades as EXPERIMENTAL and not supported in production " +
		"(doc/source/admin/rollingupgrades.rst); back up the glance database first"
)

func TestRefusals(t *testing.T) {
	cases := []struct {
		name    string
		in      Input
		reasons []string
	}{
		{
			name: "file store not shared",
			in: with(rollingInput("h1", "h2", "h3"), func(in *Input) {
				in.FileBackend, in.FileDatadirShared = true, false
			}),
			reasons: []string{wantFileReason},
		},
		{
			name:    "one API host",
			in:      rollingInput("h1"),
			reasons: []string{wantHostsReason},
		},
		{
			name:    "postgresql",
			in:      with(rollingInput("h1", "h2"), func(in *Input) { in.Database = DatabasePostgreSQL }),
			reasons: []string{wantPostgresReason},
		},
		{
			name: "all three (kolla collapses api_hosts to one host for a local file store)",
			in: with(rollingInput("h1"), func(in *Input) {
				in.FileBackend, in.FileDatadirShared = true, false
				in.Database = DatabasePostgreSQL
			}),
			reasons: []string{wantFileReason, wantHostsReason, wantPostgresReason},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name+"/fail", func(t *testing.T) {
			_, err := Build(tc.in)
			require.Error(t, err)
			assert.True(t, errors.Is(err, problem.ErrRefused))
			assert.False(t, errors.Is(err, problem.ErrArgument))
			msg := err.Error()
			assert.True(t, strings.HasPrefix(msg, "glance upgrade plan: "), msg)
			for _, r := range tc.reasons {
				assert.Contains(t, msg, "rolling upgrade refused: "+r)
			}
			if len(tc.reasons) == 1 {
				assert.Equal(t, "glance upgrade plan: rolling upgrade refused: "+tc.reasons[0], msg)
			} else {
				// refusals read as refusals, one after another
				assert.Equal(t, "glance upgrade plan: rolling upgrade refused: "+
					strings.Join(tc.reasons, "; rolling upgrade refused: "), msg)
			}
			refusals := problem.Of(err).Refusals()
			require.Len(t, refusals, len(tc.reasons))
			assert.NotEmpty(t, refusals[0].Options)
		})
		t.Run(tc.name+"/legacy", func(t *testing.T) {
			in := tc.in
			in.OnUnsafe = OnUnsafeLegacy
			p, err := Build(in)
			require.NoError(t, err)
			assert.Equal(t, ModeLegacy, p.Mode)
			assert.True(t, p.APIOutage)
			for _, r := range tc.reasons {
				assert.Contains(t, p.Warnings, wantFallback+r)
				assert.Contains(t, p.PlanText, wantFallback+r)
			}
			// The same steps as asking for legacy directly.
			in.Rolling = false
			direct, err := Build(in)
			require.NoError(t, err)
			assert.Equal(t, direct.Steps, p.Steps)
			assert.Equal(t, direct.Batches, p.Batches)
		})
	}
}

func TestRollingAllowedDatabases(t *testing.T) {
	for _, db := range []string{DatabaseMariaDB, DatabaseMySQL, DatabaseSQLite} {
		p, err := Build(with(rollingInput("h1", "h2"), func(in *Input) { in.Database = db }))
		require.NoError(t, err, db)
		assert.Equal(t, ModeRolling, p.Mode, db)
		assert.False(t, p.APIOutage)
		assert.Contains(t, p.Warnings, wantExpGuard)
		if db == DatabaseSQLite {
			assert.Contains(t, p.Warnings, "database sqlite: glance-manage allows online expand/migrate/contract on sqlite for tests only")
		}
	}
	// The file store shared, or off: rolling is fine.
	p, err := Build(with(rollingInput("h1", "h2"), func(in *Input) { in.FileBackend = true }))
	require.NoError(t, err)
	assert.Equal(t, ModeRolling, p.Mode)
	p, err = Build(with(rollingInput("h1", "h2"), func(in *Input) { in.FileDatadirShared = false }))
	require.NoError(t, err)
	assert.Equal(t, ModeRolling, p.Mode)
}

func TestInputErrors(t *testing.T) {
	cases := []struct {
		name string
		in   Input
		want string // the whole message after "glance upgrade plan: "
	}{
		{"no api hosts", NewInput(), "api_hosts: must name at least one glance-api host, got an empty list"},
		{"empty host name", NewInput("h1", "", "h3"), "api_hosts: empty host name at index 1; every item must be a non-empty host name"},
		{"duplicate host", NewInput("h1", "h2", "h1", "h1"), `api_hosts: duplicate host "h1"; each host must be listed once`},
		{"unknown database", with(NewInput("h1"), func(in *Input) { in.Database = "oracle" }),
			`database: must be one of mariadb, mysql, postgresql, sqlite, got "oracle"`},
		{"empty database", with(NewInput("h1"), func(in *Input) { in.Database = "" }),
			`database: must be one of mariadb, mysql, postgresql, sqlite, got ""`},
		{"unknown on_unsafe", with(NewInput("h1"), func(in *Input) { in.OnUnsafe = "ignore" }),
			`on_unsafe: must be one of fail, legacy, got "ignore"`},
		{"unknown on_failure", with(rollingInput("h1", "h2"), func(in *Input) { in.OnFailure = "ignore" }),
			`on_failure: must be one of rollback, stop, got "ignore"`},
		{"empty on_failure (no default filled in)", with(NewInput("h1"), func(in *Input) { in.OnFailure = "" }),
			`on_failure: must be one of rollback, stop, got ""`},
		{"max_unavailable 0", with(rollingInput("h1", "h2", "h3"), func(in *Input) { in.MaxUnavailable = 0 }),
			"max_unavailable: must be between 1 and 2 (one less than the 3 api_hosts) in rolling mode, got 0"},
		{"max_unavailable = hosts", with(rollingInput("h1", "h2", "h3"), func(in *Input) { in.MaxUnavailable = 3 }),
			"max_unavailable: must be between 1 and 2 (one less than the 3 api_hosts) in rolling mode, got 3"},
		{"max_unavailable negative", with(rollingInput("h1", "h2"), func(in *Input) { in.MaxUnavailable = -1 }),
			"max_unavailable: must be between 1 and 1 (one less than the 2 api_hosts) in rolling mode, got -1"},
		{"db_state 7", with(NewInput("h1"), func(in *Input) { in.DBState = intp(7) }),
			"db_state: must be null (unknown) or an exit code of `glance-manage db check`: 0 (up to date), 3 (needs expand), 4 (needs migrate), 5 (needs contract); got 7"},
		{"db_state 1", with(NewInput("h1"), func(in *Input) { in.DBState = intp(1) }),
			"db_state: must be null (unknown) or an exit code of `glance-manage db check`: 0 (up to date), 3 (needs expand), 4 (needs migrate), 5 (needs contract); got 1 " +
				"(1 means db check itself failed, for example on an engine other than MySQL/MariaDB or sqlite: fix that first, or leave db_state null)"},
		{"db_state 2", with(NewInput("h1"), func(in *Input) { in.DBState = intp(2) }),
			"db_state: must be null (unknown) or an exit code of `glance-manage db check`: 0 (up to date), 3 (needs expand), 4 (needs migrate), 5 (needs contract); got 2 (2 is glance-manage's usage error)"},
		{"upgraded host unknown", with(NewInput("h1", "h2"), func(in *Input) { in.UpgradedHosts = []string{"h9"} }),
			`upgraded_hosts: "h9" is not in api_hosts; only hosts listed in api_hosts are accepted`},
		{"upgraded hosts unknown", with(NewInput("h1", "h2"), func(in *Input) { in.UpgradedHosts = []string{"h8", "h1", "h9"} }),
			`upgraded_hosts: "h8", "h9" are not in api_hosts; only hosts listed in api_hosts are accepted`},
		{"upgraded host empty", with(NewInput("h1", "h2"), func(in *Input) { in.UpgradedHosts = []string{""} }),
			`upgraded_hosts: "" is not in api_hosts; only hosts listed in api_hosts are accepted`},
		{"upgraded host twice", with(NewInput("h1", "h2"), func(in *Input) { in.UpgradedHosts = []string{"h2", "h2"} }),
			`upgraded_hosts: duplicate host "h2"; each host must be listed once`},
	}
	for _, tc := range cases {
		for _, onUnsafe := range []string{OnUnsafeFail, OnUnsafeLegacy} {
			t.Run(tc.name+"/"+onUnsafe, func(t *testing.T) {
				in := tc.in
				if in.OnUnsafe == OnUnsafeFail {
					in.OnUnsafe = onUnsafe
				}
				_, err := Build(in)
				require.Error(t, err)
				assert.Equal(t, "glance upgrade plan: "+tc.want, err.Error())
				assert.True(t, errors.Is(err, problem.ErrArgument))
				assert.False(t, errors.Is(err, problem.ErrRefused))
				args := problem.Of(err).Arguments()
				require.Len(t, args, 1)
				assert.Equal(t, tc.want[:strings.Index(tc.want, ":")], args[0].Option)
			})
		}
	}
}

func TestInputErrorsAggregated(t *testing.T) {
	in := Input{
		APIHosts:       []string{"a", "", "a", "b", "b"},
		Rolling:        true,
		Database:       "db2",
		MaxUnavailable: 9,
		DBState:        intp(6),
		UpgradedHosts:  []string{"z", "a", "a"},
		OnUnsafe:       "maybe",
		OnFailure:      "later",
	}
	_, err := Build(in)
	require.Error(t, err)
	msg := err.Error()
	assert.True(t, strings.HasPrefix(msg, "glance upgrade plan: 9 problems with the arguments: (1) api_hosts: empty host name at index 1"), msg)
	for _, frag := range []string{
		`(2) api_hosts: duplicate hosts "a", "b"; each host must be listed once`,
		`(3) database: must be one of mariadb, mysql, postgresql, sqlite, got "db2"`,
		`(4) on_unsafe: must be one of fail, legacy, got "maybe"`,
		`(5) on_failure: must be one of rollback, stop, got "later"`,
		`(6) max_unavailable: must be between 1 and 4 (one less than the 5 api_hosts) in rolling mode, got 9`,
		`(7) db_state: must be null (unknown)`,
		`(8) upgraded_hosts: "z" is not in api_hosts`,
		`(9) upgraded_hosts: duplicate host "a"; each host must be listed once`,
	} {
		assert.Contains(t, msg, frag)
	}
	assert.NotContains(t, msg, "refused") // an unknown engine is an input error, not a refusal
	assert.True(t, errors.Is(err, problem.ErrArgument))
	options := []string{}
	for _, p := range problem.Of(err).Arguments() {
		options = append(options, p.Option)
	}
	assert.Equal(t, []string{"api_hosts", "api_hosts", "database", "on_unsafe", "on_failure", "max_unavailable",
		"db_state", "upgraded_hosts", "upgraded_hosts"}, options)

	// An input error and a refusal: both reported with on_unsafe=fail, only
	// the input error with on_unsafe=legacy.
	in = with(rollingInput("h1"), func(in *Input) { in.Database = DatabasePostgreSQL; in.DBState = intp(9) })
	_, err = Build(in)
	require.Error(t, err)
	assert.True(t, errors.Is(err, problem.ErrArgument))
	assert.True(t, errors.Is(err, problem.ErrRefused))
	// the refusals first, as refusals; then the argument problem
	assert.Contains(t, err.Error(), "glance upgrade plan: rolling upgrade refused: api_hosts has 1 host")
	assert.Contains(t, err.Error(), "; rolling upgrade refused: database postgresql")
	assert.Contains(t, err.Error(), "; and db_state: must be null")
	in.OnUnsafe = OnUnsafeLegacy
	_, err = Build(in)
	require.Error(t, err)
	assert.True(t, errors.Is(err, problem.ErrArgument))
	assert.False(t, errors.Is(err, problem.ErrRefused))
	assert.NotContains(t, err.Error(), "refused")

	// One host in rolling mode: max_unavailable has no valid upper bound, so
	// only its lower bound is checked; the refusal says the rest.
	in = with(rollingInput("h1"), func(in *Input) { in.MaxUnavailable = 0 })
	_, err = Build(in)
	require.Error(t, err)
	assert.Equal(t, "glance upgrade plan: rolling upgrade refused: "+wantHostsReason+
		"; and max_unavailable: must be at least 1 in rolling mode, got 0", err.Error())
	in.MaxUnavailable = 1
	_, err = Build(in)
	assert.Equal(t, "glance upgrade plan: rolling upgrade refused: "+wantHostsReason, err.Error())
}

func TestLongListsAreCapped(t *testing.T) {
	hosts := []string{"h"}
	var unknown []string
	for i := 0; i < 25; i++ {
		unknown = append(unknown, "x"+string(rune('a'+i)))
	}
	_, err := Build(with(NewInput(hosts...), func(in *Input) { in.UpgradedHosts = unknown }))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"xj" and 15 more are not in api_hosts`)
}

func TestLegacyIgnoresRollingOptions(t *testing.T) {
	for _, m := range []int{-3, 0, 1, 99} {
		p, err := Build(with(NewInput("h1", "h2"), func(in *Input) { in.MaxUnavailable = m; in.LoadBalancer = true }))
		require.NoError(t, err, m)
		assert.Equal(t, ModeLegacy, p.Mode)
		for _, s := range p.Steps {
			assert.NotEqual(t, ActionDrain, s.Action)
		}
	}
	// A local file store is no refusal in legacy mode, but a warning when
	// api_hosts was not collapsed to one host.
	p, err := Build(with(NewInput("h1", "h2"), func(in *Input) { in.FileBackend, in.FileDatadirShared = true, false }))
	require.NoError(t, err)
	assert.Equal(t, []string{"the file store is not shared (file_datadir_shared=false) but api_hosts has 2 hosts: " +
		"kolla runs glance-api on the first host only; pass the api_hosts the backends module returns"}, p.Warnings)
}

func TestPlans(t *testing.T) {
	h3 := []string{"h1", "h2", "h3"}
	cases := []struct {
		name     string
		in       Input
		steps    []string
		batches  [][]string
		outage   bool
		skipped  []Skip
		warnings []string // each must be present
	}{
		{
			name: "legacy full",
			in:   NewInput(h3...),
			steps: []string{"set_log_bin_trust=1 h1",
				"stop h1", "stop h2", "stop h3", "config h1", "config h2", "config h3",
				"db_sync h1",
				"start h1", "start h2", "start h3", "wait_healthy h1", "wait_healthy h2", "wait_healthy h3",
				"set_log_bin_trust=0 h1"},
			batches: [][]string{h3},
			outage:  true,
			skipped: []Skip{},
		},
		{
			name: "legacy preconfigured database",
			in:   with(NewInput("h1", "h2"), func(in *Input) { in.UsePreconfiguredDatabases = true }),
			steps: []string{"stop h1", "stop h2", "config h1", "config h2", "db_sync h1",
				"start h1", "start h2", "wait_healthy h1", "wait_healthy h2"},
			batches: [][]string{{"h1", "h2"}},
			outage:  true,
			skipped: []Skip{{"set_log_bin_trust", "use_preconfigured_databases is true: the database server is not managed by this deployment"}},
		},
		{
			name: "rolling full, max_unavailable 2",
			in:   with(rollingInput("h1", "h2", "h3", "h4"), func(in *Input) { in.MaxUnavailable = 2 }),
			steps: []string{
				"drain h1", "stop h1", "config h1", "set_log_bin_trust=1 h1", "db_expand h1", "db_migrate h1",
				"start h1", "wait_healthy h1", "undrain h1",
				"drain h2", "drain h3", "stop h2", "stop h3", "config h2", "config h3",
				"start h2", "start h3", "wait_healthy h2", "wait_healthy h3", "undrain h2", "undrain h3",
				"drain h4", "stop h4", "config h4", "start h4", "wait_healthy h4", "undrain h4",
				"db_contract h1", "set_log_bin_trust=0 h1"},
			batches:  [][]string{{"h1"}, {"h2", "h3"}, {"h4"}},
			skipped:  []Skip{},
			warnings: []string{wantExpGuard},
		},
		{
			name: "rolling without load balancer",
			in:   with(rollingInput("h1", "h2"), func(in *Input) { in.LoadBalancer = false; in.Database = DatabaseMySQL }),
			steps: []string{"stop h1", "config h1", "set_log_bin_trust=1 h1", "db_expand h1", "db_migrate h1",
				"start h1", "wait_healthy h1", "stop h2", "config h2", "start h2", "wait_healthy h2",
				"db_contract h1", "set_log_bin_trust=0 h1"},
			batches: [][]string{{"h1"}, {"h2"}},
			skipped: []Skip{{"drain, undrain", "loadbalancer is false: hosts stop while still in rotation, so requests in flight there fail"}},
		},
		{
			name: "rolling resume: db check 4",
			in:   with(rollingInput(h3...), func(in *Input) { in.DBState = intp(4) }),
			steps: []string{"drain h1", "stop h1", "config h1", "set_log_bin_trust=1 h1", "db_migrate h1",
				"start h1", "wait_healthy h1", "undrain h1",
				"drain h2", "stop h2", "config h2", "start h2", "wait_healthy h2", "undrain h2",
				"drain h3", "stop h3", "config h3", "start h3", "wait_healthy h3", "undrain h3",
				"db_contract h1", "set_log_bin_trust=0 h1"},
			batches: [][]string{{"h1"}, {"h2"}, {"h3"}},
			skipped: []Skip{{"db_expand", "db check reported 4: expand already done"}},
		},
		{
			name: "rolling resume: db check 5, h1 upgraded",
			in: with(rollingInput(h3...), func(in *Input) {
				in.DBState = intp(5)
				in.UpgradedHosts = []string{"h1"}
				in.MaxUnavailable = 2
			}),
			steps: []string{
				"drain h2", "stop h2", "config h2", "start h2", "wait_healthy h2", "undrain h2",
				"drain h3", "stop h3", "config h3", "start h3", "wait_healthy h3", "undrain h3",
				"set_log_bin_trust=1 h1", "db_contract h1", "set_log_bin_trust=0 h1"},
			batches: [][]string{{"h2"}, {"h3"}},
			skipped: []Skip{
				{"db_expand", "db check reported 5: expand already done"},
				{"db_migrate", "db check reported 5: migrate already done"},
				{"upgrade of h1", "h1 already runs the new release"},
			},
		},
		{
			name: "rolling resume: db check 0",
			in:   with(rollingInput(h3...), func(in *Input) { in.DBState = intp(0); in.UpgradedHosts = []string{"h2"} }),
			steps: []string{
				"drain h1", "stop h1", "config h1", "start h1", "wait_healthy h1", "undrain h1",
				"drain h3", "stop h3", "config h3", "start h3", "wait_healthy h3", "undrain h3"},
			batches: [][]string{{"h1"}, {"h3"}},
			skipped: []Skip{
				{"db_expand", "db check reported 0: database already up to date"},
				{"db_migrate", "db check reported 0: database already up to date"},
				{"db_contract", "db check reported 0: database already up to date"},
				{"set_log_bin_trust", "no database step runs (db check reported 0)"},
				{"upgrade of h2", "h2 already runs the new release"},
			},
		},
		{
			name: "rolling resume: expand pending but h1 already upgraded",
			in:   with(rollingInput(h3...), func(in *Input) { in.DBState = intp(3); in.UpgradedHosts = []string{"h1"} }),
			steps: []string{"drain h2", "stop h2", "config h2", "set_log_bin_trust=1 h2", "db_expand h2", "db_migrate h2",
				"start h2", "wait_healthy h2", "undrain h2",
				"drain h3", "stop h3", "config h3", "start h3", "wait_healthy h3", "undrain h3",
				"db_contract h2", "set_log_bin_trust=0 h2"},
			batches: [][]string{{"h2"}, {"h3"}},
			skipped: []Skip{{"upgrade of h1", "h1 already runs the new release"}},
			warnings: []string{"upgraded_hosts h1 already runs the new release while db check reported 3: new code has been serving " +
				"against a database that is not expanded and migrated (invariants I2/I3 already broken); " +
				"the plan runs the database steps first, on h2, before any other restart"},
		},
		{
			name: "rolling resume: every host upgraded, migrate pending",
			in:   with(rollingInput(h3...), func(in *Input) { in.DBState = intp(4); in.UpgradedHosts = []string{"h3", "h2", "h1"} }),
			steps: []string{"drain h1", "stop h1", "set_log_bin_trust=1 h1", "db_migrate h1",
				"start h1", "wait_healthy h1", "undrain h1", "db_contract h1", "set_log_bin_trust=0 h1"},
			batches: [][]string{{"h1"}},
			skipped: []Skip{
				{"db_expand", "db check reported 4: expand already done"},
				{"config on h1", "h1 already runs the new release; it is stopped only to run the database steps"},
				{"upgrade of h2", "h2 already runs the new release"},
				{"upgrade of h3", "h3 already runs the new release"},
			},
			warnings: []string{"upgraded_hosts h1, h2, h3 already run the new release while db check reported 4: new code has been serving " +
				"against a database that is not expanded and migrated (invariants I2/I3 already broken); " +
				"h1 is drained and stopped to run the database steps, then restarted"},
		},
		{
			name: "rolling resume: unknown state with an upgraded host",
			in:   with(rollingInput("h1", "h2"), func(in *Input) { in.UpgradedHosts = []string{"h2"} }),
			steps: []string{"drain h1", "stop h1", "config h1", "set_log_bin_trust=1 h1", "db_expand h1", "db_migrate h1",
				"start h1", "wait_healthy h1", "undrain h1", "db_contract h1", "set_log_bin_trust=0 h1"},
			batches: [][]string{{"h1"}},
			skipped: []Skip{{"upgrade of h2", "h2 already runs the new release"}},
			warnings: []string{"upgraded_hosts h2 already runs the new release while db_state is unknown: if expand and migrate " +
				"had not run yet, new code has been serving against the old schema; the plan runs the database steps first, on h1, before any other restart"},
		},
		{
			name:    "rolling resume: nothing left",
			in:      with(rollingInput("h1", "h2"), func(in *Input) { in.DBState = intp(0); in.UpgradedHosts = []string{"h1", "h2"} }),
			steps:   []string{},
			batches: [][]string{},
			skipped: []Skip{
				{"db_expand", "db check reported 0: database already up to date"},
				{"db_migrate", "db check reported 0: database already up to date"},
				{"db_contract", "db check reported 0: database already up to date"},
				{"set_log_bin_trust", "no database step runs (db check reported 0)"},
				{"upgrade of h1", "h1 already runs the new release"},
				{"upgrade of h2", "h2 already runs the new release"},
			},
		},
		{
			name: "rolling resume: only contract left",
			in: with(rollingInput("h1", "h2"), func(in *Input) {
				in.DBState = intp(5)
				in.UpgradedHosts = []string{"h1", "h2"}
				in.UsePreconfiguredDatabases = true
			}),
			steps:   []string{"db_contract h1"},
			batches: [][]string{},
			skipped: []Skip{
				{"db_expand", "db check reported 5: expand already done"},
				{"db_migrate", "db check reported 5: migrate already done"},
				{"set_log_bin_trust", "use_preconfigured_databases is true: the database server is not managed by this deployment"},
				{"upgrade of h1", "h1 already runs the new release"},
				{"upgrade of h2", "h2 already runs the new release"},
			},
		},
		{
			name: "legacy resume: db up to date, h2 upgraded",
			in:   with(NewInput(h3...), func(in *Input) { in.DBState = intp(0); in.UpgradedHosts = []string{"h2"} }),
			steps: []string{"stop h1", "stop h3", "config h1", "config h3",
				"start h1", "start h3", "wait_healthy h1", "wait_healthy h3"},
			batches: [][]string{{"h1", "h3"}},
			outage:  false, // h2 keeps serving
			skipped: []Skip{
				{"db_sync", "db check reported 0: database already up to date"},
				{"set_log_bin_trust", "no database step runs (db check reported 0)"},
				{"upgrade of h2", "h2 already runs the new release"},
			},
		},
		{
			name: "legacy resume: db up to date, nothing upgraded",
			in:   with(NewInput("h1", "h2"), func(in *Input) { in.DBState = intp(0) }),
			steps: []string{"stop h1", "stop h2", "config h1", "config h2",
				"start h1", "start h2", "wait_healthy h1", "wait_healthy h2"},
			batches: [][]string{{"h1", "h2"}},
			outage:  true,
			skipped: []Skip{
				{"db_sync", "db check reported 0: database already up to date"},
				{"set_log_bin_trust", "no database step runs (db check reported 0)"},
			},
		},
		{
			name: "legacy resume: db not up to date, upgraded hosts restart anyway",
			in:   with(NewInput(h3...), func(in *Input) { in.DBState = intp(5); in.UpgradedHosts = []string{"h3", "h2"} }),
			steps: []string{"set_log_bin_trust=1 h1",
				"stop h1", "stop h2", "stop h3", "config h1", "config h2", "config h3",
				"db_sync h1",
				"start h1", "start h2", "start h3", "wait_healthy h1", "wait_healthy h2", "wait_healthy h3",
				"set_log_bin_trust=0 h1"},
			batches: [][]string{h3},
			outage:  true,
			skipped: []Skip{},
			warnings: []string{"upgraded_hosts h2, h3 restart anyway: db check reported 5 (not 0, up to date), and a legacy upgrade " +
				"stops every glance-api host before db_sync and starts them after it"},
		},
		{
			name:    "legacy resume: nothing left",
			in:      with(NewInput("h1"), func(in *Input) { in.DBState = intp(0); in.UpgradedHosts = []string{"h1"} }),
			steps:   []string{},
			batches: [][]string{},
			skipped: []Skip{
				{"db_sync", "db check reported 0: database already up to date"},
				{"set_log_bin_trust", "no database step runs (db check reported 0)"},
				{"upgrade of h1", "h1 already runs the new release"},
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Build(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.steps, compact(p))
			assert.Equal(t, tc.batches, p.Batches)
			assert.Equal(t, tc.outage, p.APIOutage)
			assert.Equal(t, tc.skipped, p.Skipped)
			for _, w := range tc.warnings {
				assert.Contains(t, p.Warnings, w)
			}
			for _, s := range tc.skipped {
				assert.Contains(t, p.PlanText, " - "+s.What+": "+s.Why+"\n")
			}
			if len(tc.steps) == 0 {
				assert.Contains(t, p.PlanText, "Nothing to do")
			}
		})
	}
}

func TestPlanTextRolling(t *testing.T) {
	p, err := Build(rollingInput("h1", "h2"))
	require.NoError(t, err)
	want := `Glance upgrade plan: rolling upgrade of 2 glance-api hosts (h1, h2), max_unavailable 1, no API outage
Database: mariadb, db_state is unknown, 0 of 2 hosts already upgraded
Before step 1: back up the glance database (downgrades are not supported; the backup is the only way back).
 1. [batch 0] drain glance-api on h1 (out of load-balancer rotation, let connections finish)
 2. [batch 0] stop glance-api on h1
 3. [batch 0] install new glance-api code and configuration on h1 (do not start)
 4. set MySQL log_bin_trust_function_creators=1 (delegated to h1)
 5. glance-manage db expand on h1
 6. glance-manage db migrate on h1 (must complete before any new code starts)
 7. [batch 0] start glance-api on h1
 8. [batch 0] wait until glance-api on h1 is healthy
 9. [batch 0] undrain glance-api on h1 (back into load-balancer rotation)
10. [batch 1] drain glance-api on h2 (out of load-balancer rotation, let connections finish)
11. [batch 1] stop glance-api on h2
12. [batch 1] install new glance-api code and configuration on h2 (do not start)
13. [batch 1] start glance-api on h2
14. [batch 1] wait until glance-api on h2 is healthy
15. [batch 1] undrain glance-api on h2 (back into load-balancer rotation)
16. glance-manage db contract on h1 (no host runs old code any more)
17. set MySQL log_bin_trust_function_creators=0 (delegated to h1)
On failure before db contract: the failed batch is rolled back to the previous release and back into rotation; the upgrade stops.
Skipped: none
Warnings:
 - ` + wantExpGuard + "\n"
	assert.Equal(t, want, p.PlanText)
}

func TestPlanTextLegacy(t *testing.T) {
	p, err := Build(with(NewInput("h1", "h2"), func(in *Input) { in.Database = DatabasePostgreSQL }))
	require.NoError(t, err)
	want := `Glance upgrade plan: legacy upgrade of 2 glance-api hosts (h1, h2), max_unavailable not used, API OUTAGE while every host is stopped
Database: postgresql, db_state is unknown, 0 of 2 hosts already upgraded
Before step 1: back up the glance database (downgrades are not supported; the backup is the only way back).
    --- API outage begins: glance-api is stopped on every host ---
1. [batch 0] stop glance-api on h1
2. [batch 0] stop glance-api on h2
3. [batch 0] install new glance-api code and configuration on h1 (do not start)
4. [batch 0] install new glance-api code and configuration on h2 (do not start)
5. glance-manage db sync on h1 (offline expand, migrate and contract)
6. [batch 0] start glance-api on h1
7. [batch 0] start glance-api on h2
8. [batch 0] wait until glance-api on h1 is healthy
9. [batch 0] wait until glance-api on h2 is healthy
    --- API outage ends: glance-api is healthy on every host again ---
On failure: the upgrade stops; nothing is rolled back.
Skipped:
 - set_log_bin_trust: database postgresql has no log_bin_trust_function_creators (MySQL/MariaDB only)
`
	assert.Equal(t, want, p.PlanText)

	// No outage markers when upgraded hosts keep serving.
	p, err = Build(with(NewInput("h1", "h2"), func(in *Input) { in.DBState = intp(0); in.UpgradedHosts = []string{"h2"} }))
	require.NoError(t, err)
	assert.NotContains(t, p.PlanText, "outage begins")
	assert.Contains(t, p.PlanText, "no API outage (hosts that already run the new release keep serving)")
}

func TestPlanTextHeaderCapsHosts(t *testing.T) {
	hosts := make([]string, 12)
	for i := range hosts {
		hosts[i] = "c" + string(rune('a'+i))
	}
	p, err := Build(with(rollingInput(hosts...), func(in *Input) { in.MaxUnavailable = 3 }))
	require.NoError(t, err)
	first := p.PlanText[:strings.IndexByte(p.PlanText, '\n')]
	assert.Equal(t, "Glance upgrade plan: rolling upgrade of 12 glance-api hosts (ca, cb, cc, cd, ce and 7 more), max_unavailable 3, no API outage", first)
	// Step numbers are right-aligned to the widest.
	assert.Contains(t, p.PlanText, "\n 7. [batch 0] start glance-api on ca\n")
	assert.Contains(t, p.PlanText, "] stop glance-api on cd\n")
}

func TestJSON(t *testing.T) {
	p, err := Build(rollingInput("h1", "h2"))
	require.NoError(t, err)
	raw, err := json.Marshal(p)
	require.NoError(t, err)
	var got map[string]any
	require.NoError(t, json.Unmarshal(raw, &got))
	assert.ElementsMatch(t, []string{"mode", "steps", "batches", "api_outage", "skipped", "plan_text",
		"rollback_steps", "on_failure"}, keys(got))
	steps := got["steps"].([]any)
	assert.Equal(t, map[string]any{"step": 1.0, "action": "drain", "host": "h1", "batch": 0.0, "rollback_batch": 0.0}, steps[0])
	assert.Equal(t, map[string]any{"step": 4.0, "action": "set_log_bin_trust", "host": "h1", "value": 1.0, "rollback_batch": 0.0}, steps[3])
	assert.Equal(t, map[string]any{"step": 5.0, "action": "db_expand", "host": "h1", "rollback_batch": 0.0}, steps[4])
	assert.Equal(t, map[string]any{"step": 16.0, "action": "db_contract", "host": "h1", "rollback_batch": nil}, steps[15])
	assert.Equal(t, []any{}, got["skipped"])
	assert.Equal(t, []any{[]any{"h1"}, []any{"h2"}}, got["batches"])
	assert.Equal(t, "rollback", got["on_failure"])
	rollback := got["rollback_steps"].([]any)
	require.Len(t, rollback, 2)
	assert.Equal(t, []any{
		map[string]any{"step": 1.0, "action": "stop", "host": "h2", "batch": 1.0, "rollback_batch": nil},
		map[string]any{"step": 2.0, "action": "revert", "host": "h2", "batch": 1.0, "rollback_batch": nil},
		map[string]any{"step": 3.0, "action": "start", "host": "h2", "batch": 1.0, "rollback_batch": nil},
		map[string]any{"step": 4.0, "action": "wait_healthy", "host": "h2", "batch": 1.0, "rollback_batch": nil},
		map[string]any{"step": 5.0, "action": "undrain", "host": "h2", "batch": 1.0, "rollback_batch": nil},
	}, rollback[1])

	// A plan with nothing to do still has lists, not nulls.
	p, err = Build(with(NewInput("h1"), func(in *Input) { in.DBState = intp(0); in.UpgradedHosts = []string{"h1"} }))
	require.NoError(t, err)
	raw, err = json.Marshal(p)
	require.NoError(t, err)
	assert.Contains(t, string(raw), `"steps":[],"batches":[]`)
	assert.Contains(t, string(raw), `"rollback_steps":[],"on_failure":"rollback"`)

	// A host step with no host would be null (none exist today);
	// rollback_batch is null, not absent, when not set.
	raw, err = json.Marshal(Step{Step: 1, Action: ActionStop})
	require.NoError(t, err)
	assert.Equal(t, `{"step":1,"action":"stop","host":null,"rollback_batch":null}`, string(raw))
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestPlanDoesNotAliasInput(t *testing.T) {
	in := rollingInput("h1", "h2", "h3")
	p, err := Build(in)
	require.NoError(t, err)
	in.APIHosts[0] = "changed"
	assert.Equal(t, "h1", *p.Steps[0].Host)
	assert.Equal(t, "h1", p.Batches[0][0])
	// Batches do not share spare capacity: appending to one leaves the next alone.
	in = with(rollingInput("a", "b", "c", "d", "e"), func(in *Input) { in.MaxUnavailable = 2 })
	p, err = Build(in)
	require.NoError(t, err)
	_ = append(p.Batches[1], "x")
	assert.Equal(t, []string{"d", "e"}, p.Batches[2])
}

func TestInputUntouchedAndDeterministic(t *testing.T) {
	in := with(rollingInput("h1", "h2", "h3"), func(in *Input) { in.UpgradedHosts = []string{"h3"}; in.DBState = intp(5) })
	a, err := Build(in)
	require.NoError(t, err)
	b, err := Build(in)
	require.NoError(t, err)
	assert.Equal(t, a, b)
	assert.Equal(t, []string{"h1", "h2", "h3"}, in.APIHosts)
	assert.Equal(t, []string{"h3"}, in.UpgradedHosts)
}
