package cachejobs

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kolla-glance/kolla-glance/internal/problem"
	"github.com/kolla-glance/kolla-glance/internal/realpart"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRenderCommand(t *testing.T) {
	tests := []struct {
		spec CommandSpec
		want string
	}{
		{CommandSpec{Engine: "docker", Container: "glance_api", Tool: ToolPruner, Release: "zed", Timeout: 1620},
			"flock -n /run/lock/kolla-glance-glance-cache-pruner-glance_api.lock docker exec glance_api sh -c 'exec timeout -k 10s 1620s glance-cache-pruner --config-file /etc/glance/glance-cache.conf >>/var/log/kolla/glance/glance-cache-pruner.log 2>&1'"},
		{CommandSpec{Engine: "podman", Container: "glance_api", Tool: ToolCleaner, Release: "zed", Timeout: 3600},
			"flock -n /run/lock/kolla-glance-glance-cache-cleaner-glance_api.lock podman exec glance_api sh -c 'exec timeout -k 10s 3600s glance-cache-cleaner --config-file /etc/glance/glance-cache.conf >>/var/log/kolla/glance/glance-cache-cleaner.log 2>&1'"},
		{CommandSpec{Engine: "docker", Container: "glance_api", Tool: ToolPruner, Release: "2023.2", Timeout: 54},
			"flock -n /run/lock/kolla-glance-glance-cache-pruner-glance_api.lock docker exec glance_api sh -c 'exec timeout -k 10s 54s glance-cache-pruner --config-file /etc/glance/glance-cache.conf >>/var/log/kolla/glance/glance-cache-pruner.log 2>&1'"},
		{CommandSpec{Engine: "docker", Container: "glance_api", Tool: ToolPruner, Release: "2024.1", Timeout: 1},
			"flock -n /run/lock/kolla-glance-glance-cache-pruner-glance_api.lock docker exec glance_api sh -c 'exec timeout -k 10s 1s glance-cache-pruner --config-file /etc/glance/glance-api.conf --config-file /etc/glance/glance-cache.conf >>/var/log/kolla/glance/glance-cache-pruner.log 2>&1'"},
		{CommandSpec{Engine: "podman", Container: "glance_api", Tool: ToolCleaner, Release: "2026.1", Timeout: 86400},
			"flock -n /run/lock/kolla-glance-glance-cache-cleaner-glance_api.lock podman exec glance_api sh -c 'exec timeout -k 10s 86400s glance-cache-cleaner --config-file /etc/glance/glance-api.conf --config-file /etc/glance/glance-cache.conf >>/var/log/kolla/glance/glance-cache-cleaner.log 2>&1'"},
		{CommandSpec{Engine: "docker", Container: "glance-api.1", Tool: ToolPruner, Release: "2024.1", LogDir: "/var/log/glance", Timeout: 600},
			"flock -n /run/lock/kolla-glance-glance-cache-pruner-glance-api.1.lock docker exec glance-api.1 sh -c 'exec timeout -k 10s 600s glance-cache-pruner --config-file /etc/glance/glance-api.conf --config-file /etc/glance/glance-cache.conf >>/var/log/glance/glance-cache-pruner.log 2>&1'"},
	}
	for _, tt := range tests {
		t.Run(tt.spec.Engine+"/"+tt.spec.Release+"/"+tt.spec.Tool, func(t *testing.T) {
			got, err := renderCommand(tt.spec)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			e := Entry{Name: tt.spec.Tool, Schedule: mustSchedule(t, "*/30 * * * *"), User: "root", Command: got}
			require.NoError(t, e.validate())
		})
	}
}

// TestRenderCommandKollaReleases: every openstack_release value of
// kolla.glance.backends renders the 2024.1-and-later command (glance-api.conf
// then glance-cache.conf: the centralized_db cache needs the database
// connection and worker_self_reference_url of glance-api.conf).
func TestRenderCommandKollaReleases(t *testing.T) {
	want := map[string]string{
		"2024.1": "flock -n /run/lock/kolla-glance-glance-cache-pruner-glance_api.lock docker exec glance_api sh -c 'exec timeout -k 10s 1620s glance-cache-pruner --config-file /etc/glance/glance-api.conf --config-file /etc/glance/glance-cache.conf >>/var/log/kolla/glance/glance-cache-pruner.log 2>&1'",
		"2025.1": "flock -n /run/lock/kolla-glance-glance-cache-pruner-glance_api.lock docker exec glance_api sh -c 'exec timeout -k 10s 1620s glance-cache-pruner --config-file /etc/glance/glance-api.conf --config-file /etc/glance/glance-cache.conf >>/var/log/kolla/glance/glance-cache-pruner.log 2>&1'",
		"2025.2": "flock -n /run/lock/kolla-glance-glance-cache-pruner-glance_api.lock docker exec glance_api sh -c 'exec timeout -k 10s 1620s glance-cache-pruner --config-file /etc/glance/glance-api.conf --config-file /etc/glance/glance-cache.conf >>/var/log/kolla/glance/glance-cache-pruner.log 2>&1'",
		"2026.1": "flock -n /run/lock/kolla-glance-glance-cache-pruner-glance_api.lock docker exec glance_api sh -c 'exec timeout -k 10s 1620s glance-cache-pruner --config-file /etc/glance/glance-api.conf --config-file /etc/glance/glance-cache.conf >>/var/log/kolla/glance/glance-cache-pruner.log 2>&1'",
		"master": "flock -n /run/lock/kolla-glance-glance-cache-pruner-glance_api.lock docker exec glance_api sh -c 'exec timeout -k 10s 1620s glance-cache-pruner --config-file /etc/glance/glance-api.conf --config-file /etc/glance/glance-cache.conf >>/var/log/kolla/glance/glance-cache-pruner.log 2>&1'",
		// Older releases the option also takes: glance-cache.conf alone.
		"2023.2": "flock -n /run/lock/kolla-glance-glance-cache-pruner-glance_api.lock docker exec glance_api sh -c 'exec timeout -k 10s 1620s glance-cache-pruner --config-file /etc/glance/glance-cache.conf >>/var/log/kolla/glance/glance-cache-pruner.log 2>&1'",
		"zed":    "flock -n /run/lock/kolla-glance-glance-cache-pruner-glance_api.lock docker exec glance_api sh -c 'exec timeout -k 10s 1620s glance-cache-pruner --config-file /etc/glance/glance-cache.conf >>/var/log/kolla/glance/glance-cache-pruner.log 2>&1'",
	}
	for rel, cmd := range want {
		got, err := renderCommand(CommandSpec{Engine: "docker", Container: "glance_api", Tool: ToolPruner, Release: rel, Timeout: 1620})
		require.NoError(t, err, rel)
		assert.Equal(t, cmd, got, rel)
	}
}

func TestRenderCommandRefuses(t *testing.T) {
	ok := CommandSpec{Engine: "docker", Container: "glance_api", Tool: ToolPruner, Release: "2024.1", Timeout: 1620}
	tests := []struct {
		name   string
		mutate func(*CommandSpec)
		frag   string
	}{
		{"engine", func(c *CommandSpec) { c.Engine = "lxc" }, `container_engine "lxc" is not supported; use docker or podman`},
		{"engine case", func(c *CommandSpec) { c.Engine = "Docker" }, `container_engine "Docker"`},
		{"engine empty", func(c *CommandSpec) { c.Engine = "" }, `container_engine ""`},
		{"container space", func(c *CommandSpec) { c.Container = "glance api" }, `container_name "glance api" is not a plain container name`},
		{"container empty", func(c *CommandSpec) { c.Container = "" }, `container_name ""`},
		{"container leading dash", func(c *CommandSpec) { c.Container = "-it" }, `container_name "-it"`},
		{"container quote", func(c *CommandSpec) { c.Container = "a'b" }, "container_name"},
		{"container semicolon", func(c *CommandSpec) { c.Container = "a;reboot" }, "container_name"},
		{"container dollar", func(c *CommandSpec) { c.Container = "$(id)" }, "container_name"},
		{"container percent", func(c *CommandSpec) { c.Container = "a%b" }, "container_name"},
		{"container newline", func(c *CommandSpec) { c.Container = "a\nb" }, "container_name"},
		{"release", func(c *CommandSpec) { c.Release = "2022.2" }, `glance_release "2022.2" is not a known release`},
		{"logdir relative", func(c *CommandSpec) { c.LogDir = "var/log" }, `log_dir "var/log" must be an absolute path made of letters, digits`},
		{"logdir space", func(c *CommandSpec) { c.LogDir = "/var/log/a b" }, `log_dir "/var/log/a b"`},
		{"logdir quote", func(c *CommandSpec) { c.LogDir = "/var/log/'x" }, "log_dir"},
		{"logdir percent", func(c *CommandSpec) { c.LogDir = "/var/log/%" }, "log_dir"},
		{"logdir dotdot", func(c *CommandSpec) { c.LogDir = "/var/log/../etc" }, `log_dir "/var/log/../etc" is not a clean path`},
		{"logdir trailing slash", func(c *CommandSpec) { c.LogDir = "/var/log/" }, `use "/var/log"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.mutate(&c)
			got, err := renderCommand(c)
			require.Error(t, err)
			assert.Empty(t, got)
			assert.Contains(t, err.Error(), tt.frag)
		})
	}
	// every problem is reported at once
	_, err := renderCommand(CommandSpec{Engine: "lxc", Container: "a b", Tool: "x", Release: "y", LogDir: "z"})
	require.Error(t, err)
	for _, f := range []string{"container_engine", "container_name", "glance_release", "log_dir"} {
		assert.Contains(t, err.Error(), f)
	}
}

func TestEntry(t *testing.T) {
	e := Entry{Name: "glance-cache-pruner", Schedule: mustSchedule(t, "*/30 * * * *"), User: "root", Command: "echo hi"}
	assert.Equal(t, "#Ansible: glance-cache-pruner", e.Marker())
	assert.Equal(t, "*/30 * * * * root echo hi", e.Line())
	require.NoError(t, e.validate())
	d := Entry{Name: "x", Schedule: mustSchedule(t, "@daily"), User: "glance", Command: "true"}
	assert.Equal(t, "@daily glance true", d.Line())

	bad := []struct {
		e    Entry
		frag string
	}{
		{Entry{Name: "", Schedule: e.Schedule, User: "root", Command: "x"}, "entry name is empty"},
		{Entry{Name: " a", Schedule: e.Schedule, User: "root", Command: "x"}, `entry name " a" has leading or trailing spaces`},
		{Entry{Name: "a\nb", Schedule: e.Schedule, User: "root", Command: "x"}, `entry name "a\nb" contains a newline at byte 1`},
		{Entry{Name: "a", User: "root", Command: "x"}, `entry "a" has no schedule`},
		{Entry{Name: "a", Schedule: e.Schedule, User: "", Command: "x"}, `user "" is not a valid user name`},
		{Entry{Name: "a", Schedule: e.Schedule, User: "ro ot", Command: "x"}, `user "ro ot"`},
		{Entry{Name: "a", Schedule: e.Schedule, User: "root", Command: ""}, `entry "a" has an empty command`},
		{Entry{Name: "a", Schedule: e.Schedule, User: "root", Command: " x"}, `command " x" has leading or trailing spaces`},
		{Entry{Name: "a", Schedule: e.Schedule, User: "root", Command: "date +%s"}, `command "date +%s" contains a percent sign ("%") at byte 6`},
		{Entry{Name: "a", Schedule: e.Schedule, User: "root", Command: "a\nb"}, "contains a newline"},
		{Entry{Name: "a", Schedule: e.Schedule, User: "root", Command: "a\tb"}, "control character U+0009"},
	}
	for _, b := range bad {
		err := b.e.validate()
		require.Error(t, err, "%+v", b.e)
		assert.Contains(t, err.Error(), b.frag)
	}
	err := validateEntries([]Entry{e, e})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `entry name "glance-cache-pruner" is used twice`)
	require.NoError(t, validateEntries([]Entry{e, d}))
}

// fakeEngine stands in for "<engine> exec [--user <user>] <container>
// cmd...": it runs cmd... right here, so that the rest of the rendered
// line (sh -c, exec, coreutils timeout, the redirections) runs for real.
const fakeEngine = "#!/bin/sh\n[ \"$1\" = exec ] || exit 9\nshift\nif [ \"$1\" = --user ]; then shift 2; fi\nshift\nexec \"$@\"\n"

// TestRenderedCommandRunsInDash runs a rendered command through /bin/sh
// (dash on Debian, as cron does) with a fake engine and fake tools, and
// the real flock and timeout.
func TestRenderedCommandRunsInDash(t *testing.T) {
	realpart.Commands(t, "flock", "util-linux", "flock")
	realpart.Commands(t, "timeout", "coreutils", "timeout")
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "bin")
	logs := filepath.Join(tmp, "logs")
	locks := filepath.Join(tmp, "lock")
	for _, d := range []string{bin, logs, locks} {
		require.NoError(t, os.Mkdir(d, 0o755))
	}
	require.NoError(t, os.WriteFile(filepath.Join(bin, "docker"), []byte(fakeEngine), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(bin, ToolPruner), []byte("#!/bin/sh\necho \"args: $*\"\necho 'deprecated' >&2\n"), 0o755))

	render := func(timeout int) string {
		cmd, err := renderCommand(CommandSpec{Engine: "docker", User: "glance", Container: "glance_api", Tool: ToolPruner, Release: "2026.1", LogDir: logs, Timeout: timeout})
		require.NoError(t, err)
		return strings.Replace(cmd, LockDir+"/", locks+"/", 1)
	}
	run := func(cmd string) (string, error) {
		c := exec.Command("/bin/sh", "-c", cmd)
		c.Env = []string{"PATH=" + bin + ":/usr/bin:/bin"}
		out, err := c.CombinedOutput()
		return string(out), err
	}
	cmd := render(54)
	out, err := run(cmd)
	require.NoError(t, err)
	assert.Empty(t, out, "nothing for cron to mail")
	logPath := filepath.Join(logs, ToolPruner+".log")
	log, err := os.ReadFile(logPath)
	require.NoError(t, err)
	assert.Equal(t, "args: --config-file /etc/glance/glance-api.conf --config-file /etc/glance/glance-cache.conf\ndeprecated\n", string(log))

	// While a previous run holds the lock, the next run is skipped silently.
	lockFile := filepath.Join(locks, "kolla-glance-"+ToolPruner+"-glance_api.lock")
	holder := exec.Command("flock", lockFile, "sleep", "30")
	holder.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	require.NoError(t, holder.Start())
	var once sync.Once
	stop := func() {
		once.Do(func() { _ = syscall.Kill(-holder.Process.Pid, syscall.SIGKILL); _ = holder.Wait() })
	}
	t.Cleanup(stop)
	require.Eventually(t, func() bool {
		return exec.Command("flock", "-n", lockFile, "true").Run() != nil
	}, time.Minute, 10*time.Millisecond)
	out, err = run(cmd)
	require.Error(t, err, "skipped run exits non-zero")
	assert.Empty(t, out, "a skipped run prints nothing")
	log2, _ := os.ReadFile(logPath)
	assert.Equal(t, string(log), string(log2))
	stop()
	// The holder's sleep keeps the lock until the kernel has ended it,
	// which a loaded machine may delay past the kill: wait for the event.
	require.Eventually(t, func() bool {
		return exec.Command("flock", "-n", lockFile, "true").Run() == nil
	}, time.Minute, 10*time.Millisecond, "the killed holder's lock was never freed")

	// A wedged tool is ended at its timeout (TERM): the run exits 124,
	// prints nothing, leaves no process behind and frees the lock.
	pidFile := filepath.Join(tmp, "wedged.pid")
	require.NoError(t, os.WriteFile(filepath.Join(bin, ToolPruner), []byte("#!/bin/sh\necho $$ >"+pidFile+"\necho wedged\nexec sleep 300\n"), 0o755))
	start := time.Now()
	out, err = run(render(1))
	took := time.Since(start)
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	assert.Equal(t, 124, exit.ExitCode(), "timeout's exit status")
	assert.Empty(t, out, "a run that timed out prints nothing")
	// ended at its 1 s timeout, not by the tool's 300 s sleep; the bound
	// leaves a loaded machine room
	assert.Less(t, took, 30*time.Second, "the run was not ended after 1 s")
	pid, err := os.ReadFile(pidFile)
	require.NoError(t, err)
	n, err := strconv.Atoi(strings.TrimSpace(string(pid)))
	require.NoError(t, err)
	assert.ErrorIs(t, syscall.Kill(n, 0), syscall.ESRCH, "the wedged tool still runs")
	log3, _ := os.ReadFile(logPath)
	assert.Equal(t, string(log)+"wedged\n", string(log3))
	assert.NoError(t, exec.Command("flock", "-n", lockFile, "true").Run(), "the lock is still held")

	// A failure of the engine itself (container down) is not redirected:
	// it reaches cron's mail.
	require.NoError(t, os.WriteFile(filepath.Join(bin, "docker"), []byte("#!/bin/sh\necho 'Error: No such container: glance_api' >&2\nexit 1\n"), 0o755))
	out, err = run(cmd)
	require.Error(t, err)
	assert.Equal(t, "Error: No such container: glance_api\n", out)
}

func TestRenderCommandUserAndEngineBinary(t *testing.T) {
	got, err := renderCommand(CommandSpec{Engine: "docker", EngineBinary: "/usr/local/bin/docker", User: "glance",
		Container: "glance_api", Tool: ToolPruner, Release: "zed", Timeout: 3240})
	if err != nil {
		t.Fatal(err)
	}
	want := "flock -n /run/lock/kolla-glance-glance-cache-pruner-glance_api.lock /usr/local/bin/docker exec --user glance glance_api sh -c 'exec timeout -k 10s 3240s glance-cache-pruner --config-file /etc/glance/glance-cache.conf >>/var/log/kolla/glance/glance-cache-pruner.log 2>&1'"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	for _, bad := range []CommandSpec{
		{Engine: "docker", EngineBinary: "/usr/local/bin/podman", Container: "c", Tool: ToolPruner, Release: "zed", Timeout: 60},
		{Engine: "docker", EngineBinary: "bin/docker", Container: "c", Tool: ToolPruner, Release: "zed", Timeout: 60},
		{Engine: "docker", User: "gl ance", Container: "c", Tool: ToolPruner, Release: "zed", Timeout: 60},
		{Engine: "docker", User: "x;rm", Container: "c", Tool: ToolPruner, Release: "zed", Timeout: 60},
	} {
		if _, err := renderCommand(bad); err == nil {
			t.Errorf("accepted %+v", bad)
		}
	}
}

// renderCommand is the command NewRequest renders for c, or the problems
// checkCommand finds in it.
func renderCommand(c CommandSpec) (string, error) {
	var l problem.List
	checkCommand(c, &l)
	if err := l.Err(); err != nil {
		return "", err
	}
	return commandLine(c), nil
}

// validate checks one entry the way cron reads it (a test oracle: the
// entries NewRequest renders are valid by construction): a name without control characters and without
// leading or trailing spaces; a schedule from ParseSchedule; a user name
// matching ^[A-Za-z_][A-Za-z0-9_.-]{0,31}$; a non-empty command without
// newline, "%" or other control characters and without leading or trailing
// spaces.
func (e Entry) validate() error {
	var errs []error
	switch {
	case e.Name == "":
		errs = append(errs, fmt.Errorf("entry name is empty"))
	case strings.TrimSpace(e.Name) != e.Name:
		errs = append(errs, fmt.Errorf("entry name %q has leading or trailing spaces", e.Name))
	default:
		if i, what := findForbidden(e.Name, false); what != "" {
			errs = append(errs, fmt.Errorf("entry name %q contains %s at byte %d; control characters are not allowed", e.Name, what, i))
		}
	}
	if e.Schedule.IsZero() {
		errs = append(errs, fmt.Errorf("entry %q has no schedule", e.Name))
	}
	if err := checkUser(e.User); err != nil {
		errs = append(errs, err)
	}
	switch {
	case strings.TrimSpace(e.Command) == "":
		errs = append(errs, fmt.Errorf("entry %q has an empty command", e.Name))
	case strings.TrimSpace(e.Command) != e.Command:
		errs = append(errs, fmt.Errorf("command %q has leading or trailing spaces", e.Command))
	default:
		if i, what := findForbidden(e.Command, true); what != "" {
			errs = append(errs, fmt.Errorf("command %q contains %s at byte %d; newlines, %q and control characters are not allowed", e.Command, what, i, "%"))
		}
	}
	return errors.Join(errs...)
}

// validateEntries validates every entry and refuses duplicate names.
// A problem shared by several entries (the user column, say) is reported once.
func validateEntries(entries []Entry) error {
	var errs []error
	reported := map[string]bool{}
	report := func(err error) {
		if !reported[err.Error()] {
			reported[err.Error()] = true
			errs = append(errs, err)
		}
	}
	seen := map[string]bool{}
	for _, e := range entries {
		if err := e.validate(); err != nil {
			if joined, ok := err.(interface{ Unwrap() []error }); ok {
				for _, inner := range joined.Unwrap() {
					report(inner)
				}
			} else {
				report(err)
			}
		}
		if seen[e.Name] {
			report(fmt.Errorf("entry name %q is used twice", e.Name))
		}
		seen[e.Name] = true
	}
	return errors.Join(errs...)
}

func TestUnknownReleaseIsRefusedByName(t *testing.T) {
	for _, bad := range []string{"", "2022.2", "2024.3", "2024", "2024.1.1", "24.1", "caracal", "zed ", "latest"} {
		_, err := renderCommand(CommandSpec{Engine: "docker", Container: "glance_api", Tool: ToolPruner, Release: bad, Timeout: 60})
		require.Error(t, err, bad)
		assert.Equal(t, fmt.Sprintf(`glance_release %q is not a known release; use kolla-ansible's openstack_release ("2024.1", "2025.1", "2025.2", "2026.1" or "master"), another YYYY.N release from 2023.1 on, or a code name up to zed (e.g. "zed")`, bad), err.Error())
	}
}
