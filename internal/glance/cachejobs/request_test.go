package cachejobs

import (
	"strconv"
	"strings"
	"testing"

	"github.com/kolla-glance/kolla-glance/internal/problem"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// requestSpec is a valid present request: the module's defaults.
func requestSpec() RequestSpec {
	return RequestSpec{
		Dir: "/etc/cron.d", FileName: "kolla-glance-cache", Present: true, User: "root",
		PrunerSchedule: "*/30 * * * *", CleanerSchedule: "1 0 * * *",
		Command: CommandSpec{Engine: "docker", User: "glance", Container: "glance_api", Release: "2026.1"},
	}
}

func seconds(n int) *int { return &n }

// timeoutsOf returns each entry's timeout and checks that its command
// carries it.
func timeoutsOf(t *testing.T, req Request) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, e := range req.Entries {
		out[e.Name] = e.Timeout
		assert.Contains(t, e.Command, " sh -c 'exec timeout -k 10s "+strconv.Itoa(e.Timeout)+"s "+e.Name+" --config-file ", e.Name)
	}
	return out
}

func TestNewRequestDerivesTimeouts(t *testing.T) {
	tests := []struct {
		name            string
		pruner, cleaner string
		seed            string
		pruneT, cleanT  int
	}{
		{"defaults", "*/30 * * * *", "1 0 * * *", "", 1620, 3600},
		{"defaults splayed", "*/30 * * * *", "1 0 * * *", "control01", 1620, 3600}, // M,M+30 and M H * * *
		{"every minute", "* * * * *", "* * * * *", "control01", 54, 54},
		{"hourly and weekly, splayed", "@hourly", "@weekly", "control02", 3240, 3600}, // M * * * *, M H * * 0
		{"quarter-hourly and reboot", "*/15 * * * *", "@reboot", "", 810, 3600},
		{"uneven", "0,10 * * * *", "0 0,1 * * *", "", 540, 3240}, // 10 min; 1 h
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := requestSpec()
			s.PrunerSchedule, s.CleanerSchedule, s.SplaySeed = tt.pruner, tt.cleaner, tt.seed
			req, err := NewRequest(s)
			require.NoError(t, err)
			assert.Empty(t, req.Warnings)
			assert.Equal(t, map[string]int{ToolPruner: tt.pruneT, ToolCleaner: tt.cleanT}, timeoutsOf(t, req))
		})
	}
}

func TestNewRequestExplicitTimeout(t *testing.T) {
	s := requestSpec()
	s.Timeout = seconds(600)
	req, err := NewRequest(s)
	require.NoError(t, err)
	assert.Empty(t, req.Warnings, "600 s is shorter than 30 min and a day")
	assert.Equal(t, map[string]int{ToolPruner: 600, ToolCleaner: 600}, timeoutsOf(t, req))
	assert.Equal(t, "flock -n /run/lock/kolla-glance-glance-cache-pruner-glance_api.lock docker exec --user glance glance_api sh -c 'exec timeout -k 10s 600s glance-cache-pruner --config-file /etc/glance/glance-api.conf --config-file /etc/glance/glance-cache.conf >>/var/log/kolla/glance/glance-cache-pruner.log 2>&1'",
		req.Entries[0].Command)

	for _, ok := range []int{1, 1799, 86399, 86400} {
		s.Timeout = seconds(ok)
		req, err := NewRequest(s)
		require.NoError(t, err, ok)
		assert.Equal(t, ok, req.Entries[0].Timeout)
		assert.Equal(t, ok, req.Entries[1].Timeout)
	}
}

// A timeout not shorter than a job's shortest interval is accepted, with a
// warning that names the job and its period.
func TestNewRequestWarnsOfATimeoutNotShorterThanThePeriod(t *testing.T) {
	tests := []struct {
		name            string
		pruner, cleaner string
		timeout         int
		want            []string
	}{
		{"equal to the pruner's period", "*/30 * * * *", "1 0 * * *", 1800,
			[]string{`timeout 1800 s is not shorter than the shortest interval between two runs of glance-cache-pruner (30 min, schedule "*/30 * * * *"): a run may still be going when the next is due, and flock -n skips that next run`}},
		{"longer than both", "* * * * *", "1 0 * * *", 86400,
			[]string{
				`timeout 86400 s is not shorter than the shortest interval between two runs of glance-cache-pruner (1 min, schedule "* * * * *")`,
				`timeout 86400 s is not shorter than the shortest interval between two runs of glance-cache-cleaner (1 day, schedule "1 0 * * *")`,
			}},
		{"uneven: the shortest gap counts", "0,10 * * * *", "@reboot", 600,
			[]string{`glance-cache-pruner (10 min, schedule "0,10 * * * *")`}},
		{"a second shorter", "*/30 * * * *", "1 0 * * *", 1799, nil},
		{"reboot has no period", "@reboot", "@reboot", 86400, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := requestSpec()
			s.PrunerSchedule, s.CleanerSchedule, s.Timeout = tt.pruner, tt.cleaner, seconds(tt.timeout)
			req, err := NewRequest(s)
			require.NoError(t, err)
			require.Len(t, req.Warnings, len(tt.want), "%q", req.Warnings)
			for i, w := range tt.want {
				assert.Contains(t, req.Warnings[i], w)
			}
			assert.Len(t, req.Entries, 2, "a warning does not stop the entries")
		})
	}
	// The warning speaks of the schedule after splay.
	s := requestSpec()
	s.SplaySeed, s.Timeout = "control01", seconds(1800)
	req, err := NewRequest(s)
	require.NoError(t, err)
	require.Len(t, req.Warnings, 1)
	assert.Contains(t, req.Warnings[0], `(30 min, schedule "`+req.Entries[0].Schedule.String()+`")`)
	assert.NotContains(t, req.Warnings[0], "*/30")
}

func TestNewRequestRefusesBadTimeouts(t *testing.T) {
	for _, bad := range []int{0, -1, 86401, 1 << 40} {
		s := requestSpec()
		s.Timeout = seconds(bad)
		_, err := NewRequest(s)
		require.Error(t, err, bad)
		e := problem.Of(err)
		require.NotNil(t, e)
		require.Len(t, e.Problems, 1, err.Error())
		p := e.Problems[0]
		assert.Equal(t, problem.Argument, p.Kind)
		assert.Equal(t, "timeout", p.Option)
		assert.Equal(t, "timeout: "+strconv.Itoa(bad)+" is out of range; it must be a whole number of seconds from 1 to 86400, or null to derive each job's timeout from its schedule", p.Error())
	}
	// With other problems: all reported together, the timeout once.
	s := requestSpec()
	s.Timeout = seconds(0)
	s.PrunerSchedule = "61 * * * *"
	s.Command.Container = "glance api"
	_, err := NewRequest(s)
	require.Error(t, err)
	msg := problem.Render(problem.Of(err).Problems)
	assert.True(t, strings.HasPrefix(msg, "3 problems with the arguments: "), msg)
	assert.Equal(t, 1, strings.Count(msg, "timeout: 0 is out of range"), msg)
	assert.Contains(t, msg, "pruner_schedule: ")
	assert.Contains(t, msg, `container_name "glance api"`)
	// state=absent reads none of the entry options.
	s = requestSpec()
	s.Present, s.Timeout = false, seconds(0)
	_, err = NewRequest(s)
	assert.NoError(t, err)
}
