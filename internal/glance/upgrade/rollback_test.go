package upgrade

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// withRollback renders forward steps as "action host @batch-to-roll-back"
// ("@-" for null, "=1" after set_log_bin_trust's action).
func withRollback(p Plan) []string {
	out := compact(p)
	for i, s := range p.Steps {
		if s.RollbackBatch == nil {
			out[i] += " @-"
		} else {
			out[i] += " @" + strconv.Itoa(*s.RollbackBatch)
		}
	}
	return out
}

// rollbackLists renders each rollback list as "step. action host [batch]".
func rollbackLists(p Plan) [][]string {
	out := make([][]string, len(p.RollbackSteps))
	for k, list := range p.RollbackSteps {
		out[k] = []string{}
		for _, s := range list {
			line := strconv.Itoa(s.Step) + ". " + s.Action + " " + *s.Host
			if s.Batch != nil {
				line += " [" + strconv.Itoa(*s.Batch) + "]"
			}
			if s.RollbackBatch != nil {
				line += " @" + strconv.Itoa(*s.RollbackBatch)
			}
			out[k] = append(out[k], line)
		}
	}
	return out
}

// one is the rollback list of a batch of one host, with a load balancer.
func one(h string, k int) []string {
	b := " [" + strconv.Itoa(k) + "]"
	return []string{"1. stop " + h + b, "2. revert " + h + b, "3. start " + h + b,
		"4. wait_healthy " + h + b, "5. undrain " + h + b}
}

func TestRollback(t *testing.T) {
	c3 := []string{"control01", "control02", "control03"}
	cases := []struct {
		name     string
		in       Input
		steps    []string   // "action host @rollback_batch"
		rollback [][]string // rollback_steps
		text     string     // the on-failure line of plan_text
	}{
		{
			name: "rolling, 3 hosts, load balancer",
			in:   rollingInput(c3...),
			steps: []string{
				"drain control01 @0", "stop control01 @0", "config control01 @0",
				"set_log_bin_trust=1 control01 @0", "db_expand control01 @0", "db_migrate control01 @0",
				"start control01 @0", "wait_healthy control01 @0", "undrain control01 @0",
				"drain control02 @1", "stop control02 @1", "config control02 @1",
				"start control02 @1", "wait_healthy control02 @1", "undrain control02 @1",
				"drain control03 @2", "stop control03 @2", "config control03 @2",
				"start control03 @2", "wait_healthy control03 @2", "undrain control03 @2",
				"db_contract control01 @-", "set_log_bin_trust=0 control01 @-"},
			rollback: [][]string{one("control01", 0), one("control02", 1), one("control03", 2)},
			text:     "On failure before db contract: the failed batch is rolled back to the previous release and back into rotation; the upgrade stops.",
		},
		{
			name: "rolling, 3 hosts, no load balancer",
			in:   with(rollingInput(c3...), func(in *Input) { in.LoadBalancer = false }),
			steps: []string{
				"stop control01 @0", "config control01 @0",
				"set_log_bin_trust=1 control01 @0", "db_expand control01 @0", "db_migrate control01 @0",
				"start control01 @0", "wait_healthy control01 @0",
				"stop control02 @1", "config control02 @1", "start control02 @1", "wait_healthy control02 @1",
				"stop control03 @2", "config control03 @2", "start control03 @2", "wait_healthy control03 @2",
				"db_contract control01 @-", "set_log_bin_trust=0 control01 @-"},
			rollback: [][]string{
				{"1. stop control01 [0]", "2. revert control01 [0]", "3. start control01 [0]", "4. wait_healthy control01 [0]"},
				{"1. stop control02 [1]", "2. revert control02 [1]", "3. start control02 [1]", "4. wait_healthy control02 [1]"},
				{"1. stop control03 [2]", "2. revert control03 [2]", "3. start control03 [2]", "4. wait_healthy control03 [2]"},
			},
			text: "On failure before db contract: the failed batch is rolled back to the previous release and back into rotation; the upgrade stops.",
		},
		{
			name: "rolling, 4 hosts, max_unavailable 2",
			in:   with(rollingInput("h1", "h2", "h3", "h4"), func(in *Input) { in.MaxUnavailable = 2 }),
			steps: []string{
				"drain h1 @0", "stop h1 @0", "config h1 @0", "set_log_bin_trust=1 h1 @0", "db_expand h1 @0", "db_migrate h1 @0",
				"start h1 @0", "wait_healthy h1 @0", "undrain h1 @0",
				"drain h2 @1", "drain h3 @1", "stop h2 @1", "stop h3 @1", "config h2 @1", "config h3 @1",
				"start h2 @1", "start h3 @1", "wait_healthy h2 @1", "wait_healthy h3 @1", "undrain h2 @1", "undrain h3 @1",
				"drain h4 @2", "stop h4 @2", "config h4 @2", "start h4 @2", "wait_healthy h4 @2", "undrain h4 @2",
				"db_contract h1 @-", "set_log_bin_trust=0 h1 @-"},
			rollback: [][]string{
				one("h1", 0),
				{"1. stop h2 [1]", "2. stop h3 [1]", "3. revert h2 [1]", "4. revert h3 [1]", "5. start h2 [1]", "6. start h3 [1]",
					"7. wait_healthy h2 [1]", "8. wait_healthy h3 [1]", "9. undrain h2 [1]", "10. undrain h3 [1]"},
				one("h4", 2),
			},
			text: "On failure before db contract: the failed batch is rolled back to the previous release and back into rotation; the upgrade stops.",
		},
		{
			name: "resume: db check 5, control01 upgraded",
			in: with(rollingInput(c3...), func(in *Input) {
				in.DBState = intp(5)
				in.UpgradedHosts = []string{"control01"}
			}),
			steps: []string{
				"drain control02 @0", "stop control02 @0", "config control02 @0",
				"start control02 @0", "wait_healthy control02 @0", "undrain control02 @0",
				"drain control03 @1", "stop control03 @1", "config control03 @1",
				"start control03 @1", "wait_healthy control03 @1", "undrain control03 @1",
				// no batch is out of service: nothing to put back
				"set_log_bin_trust=1 control01 @-", "db_contract control01 @-", "set_log_bin_trust=0 control01 @-"},
			rollback: [][]string{one("control02", 0), one("control03", 1)},
			text:     "On failure before db contract: the failed batch is rolled back to the previous release and back into rotation; the upgrade stops.",
		},
		{
			name: "resume: expand pending, h1 upgraded: h2 is the database host",
			in:   with(rollingInput("h1", "h2", "h3"), func(in *Input) { in.DBState = intp(3); in.UpgradedHosts = []string{"h1"} }),
			steps: []string{
				"drain h2 @0", "stop h2 @0", "config h2 @0", "set_log_bin_trust=1 h2 @0", "db_expand h2 @0", "db_migrate h2 @0",
				"start h2 @0", "wait_healthy h2 @0", "undrain h2 @0",
				"drain h3 @1", "stop h3 @1", "config h3 @1", "start h3 @1", "wait_healthy h3 @1", "undrain h3 @1",
				"db_contract h2 @-", "set_log_bin_trust=0 h2 @-"},
			rollback: [][]string{one("h2", 0), one("h3", 1)},
			text:     "On failure before db contract: the failed batch is rolled back to the previous release and back into rotation; the upgrade stops.",
		},
		{
			name: "resume: every host upgraded, migrate pending: nothing to revert on h1",
			in:   with(rollingInput("h1", "h2", "h3"), func(in *Input) { in.DBState = intp(4); in.UpgradedHosts = []string{"h3", "h2", "h1"} }),
			steps: []string{"drain h1 @0", "stop h1 @0", "set_log_bin_trust=1 h1 @0", "db_migrate h1 @0",
				"start h1 @0", "wait_healthy h1 @0", "undrain h1 @0", "db_contract h1 @-", "set_log_bin_trust=0 h1 @-"},
			rollback: [][]string{{"1. stop h1 [0]", "2. start h1 [0]", "3. wait_healthy h1 [0]", "4. undrain h1 [0]"}},
			text:     "On failure before db contract: the failed batch is rolled back to the previous release and back into rotation; the upgrade stops.",
		},
		{
			name:     "resume: only contract left",
			in:       with(rollingInput("h1", "h2"), func(in *Input) { in.DBState = intp(5); in.UpgradedHosts = []string{"h1", "h2"} }),
			steps:    []string{"set_log_bin_trust=1 h1 @-", "db_contract h1 @-", "set_log_bin_trust=0 h1 @-"},
			rollback: [][]string{},
			text:     "On failure: the upgrade stops; nothing is rolled back.",
		},
		{
			name: "on_failure stop: rollback_batch still says which batch, no rollback steps",
			in:   with(rollingInput("h1", "h2"), func(in *Input) { in.OnFailure = OnFailureStop; in.DBState = intp(4) }),
			steps: []string{"drain h1 @0", "stop h1 @0", "config h1 @0", "set_log_bin_trust=1 h1 @0", "db_migrate h1 @0",
				"start h1 @0", "wait_healthy h1 @0", "undrain h1 @0",
				"drain h2 @1", "stop h2 @1", "config h2 @1", "start h2 @1", "wait_healthy h2 @1", "undrain h2 @1",
				"db_contract h1 @-", "set_log_bin_trust=0 h1 @-"},
			rollback: [][]string{},
			text:     "On failure: the upgrade stops; nothing is rolled back.",
		},
		{
			name: "legacy: never rolled back",
			in:   NewInput("h1", "h2"),
			steps: []string{"set_log_bin_trust=1 h1 @-", "stop h1 @-", "stop h2 @-", "config h1 @-", "config h2 @-",
				"db_sync h1 @-", "start h1 @-", "start h2 @-", "wait_healthy h1 @-", "wait_healthy h2 @-",
				"set_log_bin_trust=0 h1 @-"},
			rollback: [][]string{},
			text:     "On failure: the upgrade stops; nothing is rolled back.",
		},
		{
			name: "legacy fallback of a refused rolling upgrade: never rolled back",
			in: with(rollingInput("h1"), func(in *Input) {
				in.OnUnsafe = OnUnsafeLegacy
				in.UsePreconfiguredDatabases = true
			}),
			steps:    []string{"stop h1 @-", "config h1 @-", "db_sync h1 @-", "start h1 @-", "wait_healthy h1 @-"},
			rollback: [][]string{},
			text:     "On failure: the upgrade stops; nothing is rolled back.",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Build(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.steps, withRollback(p))
			assert.Equal(t, tc.rollback, rollbackLists(p))
			assert.NotNil(t, p.RollbackSteps)
			assert.Equal(t, tc.in.OnFailure, p.OnFailure)
			assert.Contains(t, p.PlanText, "\n"+tc.text+"\n")
			// Forward steps never revert.
			for _, s := range p.Steps {
				assert.NotEqual(t, ActionRevert, s.Action)
			}
		})
	}
}

// TestRollbackOnFailureOnlyChangesRollbackSteps: on_failure changes
// rollback_steps and the on-failure line of plan_text, nothing else.
func TestRollbackOnFailureOnlyChangesRollbackSteps(t *testing.T) {
	for _, in := range []Input{
		rollingInput("h1", "h2", "h3"),
		with(rollingInput("h1", "h2", "h3", "h4", "h5"), func(in *Input) { in.MaxUnavailable = 2; in.DBState = intp(5) }),
		NewInput("h1", "h2"),
	} {
		rb, err := Build(in)
		require.NoError(t, err)
		in.OnFailure = OnFailureStop
		st, err := Build(in)
		require.NoError(t, err)
		assert.Equal(t, rb.Steps, st.Steps)
		assert.Equal(t, rb.Batches, st.Batches)
		assert.Equal(t, rb.Skipped, st.Skipped)
		assert.Equal(t, rb.Warnings, st.Warnings)
		assert.Equal(t, [][]Step{}, st.RollbackSteps)
		assert.Equal(t, OnFailureStop, st.OnFailure)
		assert.Contains(t, st.PlanText, "\nOn failure: the upgrade stops; nothing is rolled back.\n")
	}
}

// TestRollbackListsDoNotShareCapacity: appending to one rollback list
// leaves the next alone.
func TestRollbackListsDoNotShareCapacity(t *testing.T) {
	p, err := Build(rollingInput("h1", "h2", "h3"))
	require.NoError(t, err)
	next := append([]Step(nil), p.RollbackSteps[2]...)
	_ = append(p.RollbackSteps[1], Step{Action: "x"})
	assert.Equal(t, next, p.RollbackSteps[2])
}

func TestNothingToDoHasNoFailureLine(t *testing.T) {
	p, err := Build(with(rollingInput("h1", "h2"), func(in *Input) { in.DBState = intp(0); in.UpgradedHosts = []string{"h1", "h2"} }))
	require.NoError(t, err)
	assert.NotContains(t, p.PlanText, "On failure")
	assert.Equal(t, [][]Step{}, p.RollbackSteps)
}
