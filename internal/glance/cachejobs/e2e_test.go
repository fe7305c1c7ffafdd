package cachejobs

import (
	"fmt"
	"github.com/kolla-glance/kolla-glance/internal/realpart"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRealCronRunsWhatWeWrite starts the real cron daemon (Debian cron
// 3.0pl1 or compatible) in a private mount namespace where /etc/cron.d,
// /etc/crontab, /run and the user spool are scratch directories, writes a
// file with WriteAtomic and waits until cron has run every entry. It also
// checks that the hidden temporary and backup names are never loaded, and
// that a wedged tool (one that ignores TERM) is killed at its timeout,
// so that cron's next run of the job is not skipped by its flock.
// The engine is a fake that runs the command after "<engine> exec
// [--user U] <container>" on the host: the rest of the line (flock, sh -c,
// coreutils timeout, redirections) is the real one.
// It takes about two minutes and needs root, unshare(1) and cron(8), so
// it only runs with KOLLA_GLANCE_CRON_E2E=1.
func TestRealCronRunsWhatWeWrite(t *testing.T) {
	if os.Getenv("KOLLA_GLANCE_CRON_E2E") != "1" {
		t.Skip("set KOLLA_GLANCE_CRON_E2E=1 to run the real cron daemon (root, ~2 minutes)")
	}
	realpart.Root(t, "it mounts scratch directories over /etc/cron.d and /run")
	realpart.Commands(t, "cron", "cron", "cron")
	realpart.Commands(t, "unshare", "util-linux, mount", "unshare", "flock", "mount")
	realpart.Commands(t, "timeout", "coreutils", "timeout")
	d := t.TempDir()
	for _, sub := range []string{"crond", "run/lock", "bin", "logs", "spool", "out", "wedged"} {
		require.NoError(t, os.MkdirAll(filepath.Join(d, sub), 0o755))
	}
	require.NoError(t, os.WriteFile(filepath.Join(d, "crontab"), nil, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(d, "bin", "docker"), []byte(fakeEngine), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(d, "bin", ToolPruner), []byte("#!/bin/sh\necho \"ran: $*\"\necho deprecated >&2\n"), 0o755))
	// The wedged cleaner ignores TERM (so do its sleeps): only KILL ends it.
	wedged := filepath.Join(d, "wedged", "pids")
	require.NoError(t, os.WriteFile(filepath.Join(d, "bin", ToolCleaner),
		[]byte("#!/bin/sh\ntrap '' TERM\necho $$ >>"+wedged+"\necho wedged\nwhile :; do sleep 1; done\n"), 0o755))

	everyMinute := mustSchedule(t, "* * * * *")
	cmd, err := renderCommand(CommandSpec{Engine: "docker", User: "glance", Container: "glance_api", Tool: ToolPruner, Release: "2026.1",
		LogDir: filepath.Join(d, "logs"), Timeout: DefaultTimeout(everyMinute)})
	require.NoError(t, err)
	const wedgedTimeout = 2
	wedgedCmd, err := renderCommand(CommandSpec{Engine: "docker", Container: "glance_api", Tool: ToolCleaner, Release: "2026.1",
		LogDir: filepath.Join(d, "logs"), Timeout: wedgedTimeout})
	require.NoError(t, err)
	schedules := []string{"* * * * *", "0-59 * * * *", "*/1 * * * *", "0-29,30-59 * * jan-dec sun-sat", "0-59/1 0-23 1-31 1-12 0-7", "* * * * MON-fri,sat,Sun"}
	var es []Entry
	for i, s := range schedules {
		es = append(es, Entry{Name: fmt.Sprintf("e%d", i), Schedule: mustSchedule(t, s), User: "root", Command: fmt.Sprintf("touch %s/out/ran-%d", d, i)})
	}
	es = append(es, Entry{Name: ToolPruner, Schedule: everyMinute, User: "root", Command: cmd},
		Entry{Name: ToolCleaner, Schedule: everyMinute, User: "root", Command: wedgedCmd})
	foreign := "PATH=" + d + "/bin:/usr/bin:/bin\nMAILTO=\"\"\n# foreign comment\n"
	content := ParseFile([]byte(foreign)).Ensure(es).Render()
	crond := filepath.Join(d, "crond")
	require.NoError(t, writeAtomic(realOps(), crond, "kolla-glance-cache", content, FileMode))
	for _, n := range []string{".kolla-glance-cache.tmp-1", ".kolla-glance-cache.20260101T000000Z.bak"} {
		require.NoError(t, os.WriteFile(filepath.Join(crond, n), []byte("* * * * * root touch "+d+"/out/ignored\n"), 0o644))
	}

	script := strings.Join([]string{
		"mount --make-rprivate / 2>/dev/null",
		"mount --bind " + crond + " /etc/cron.d",
		"mount --bind " + d + "/run /run",
		"mount --bind " + d + "/crontab /etc/crontab",
		"if [ -d /var/spool/cron/crontabs ]; then mount --bind " + d + "/spool /var/spool/cron/crontabs; fi",
		"exec cron -f",
	}, " && ")
	daemon := exec.Command("unshare", "-m", "sh", "-c", script)
	require.NoError(t, daemon.Start())
	t.Cleanup(func() { _ = daemon.Process.Kill(); _ = daemon.Wait() })

	want := len(schedules)
	require.Eventually(t, func() bool {
		ents, _ := os.ReadDir(filepath.Join(d, "out"))
		return len(ents) >= want
	}, 130*time.Second, time.Second, "cron did not run every entry")
	require.Eventually(t, func() bool {
		b, _ := os.ReadFile(filepath.Join(d, "logs", ToolPruner+".log"))
		return len(b) > 0
	}, 2*time.Minute, 100*time.Millisecond)
	b, _ := os.ReadFile(filepath.Join(d, "logs", ToolPruner+".log"))
	assert.Contains(t, string(b), "ran: --config-file /etc/glance/glance-api.conf --config-file /etc/glance/glance-cache.conf\ndeprecated\n")
	time.Sleep(2 * time.Second) // let that minute's jobs finish
	_, err = os.Stat(filepath.Join(d, "out", "ignored"))
	assert.True(t, os.IsNotExist(err), "cron loaded a hidden temporary or backup file")

	// The wedged cleaner: TERM at 2 s does nothing, KILL 10 s later ends it,
	// and cron's next minute runs it again instead of skipping it.
	pids := func() []int {
		b, _ := os.ReadFile(wedged)
		var out []int
		for _, f := range strings.Fields(string(b)) {
			if n, err := strconv.Atoi(f); err == nil {
				out = append(out, n)
			}
		}
		return out
	}
	require.Eventually(t, func() bool { return len(pids()) >= 1 }, 3*time.Minute, 100*time.Millisecond, "cron never ran the wedged cleaner")
	first := pids()[0]
	var started time.Time
	if st, err := os.Stat(wedged); err == nil {
		started = st.ModTime()
		// Past its TERM, before its KILL, the wedged cleaner still runs.
		if afterTerm := started.Add((wedgedTimeout + 2) * time.Second); time.Until(afterTerm) > -(KillAfter-4)*time.Second {
			time.Sleep(time.Until(afterTerm))
			assert.True(t, running(first), "the wedged cleaner ignores TERM, yet ended before the KILL")
			t.Logf("wedged cleaner %d still runs %.1f s after it started (TERM ignored)", first, time.Since(started).Seconds())
		}
	}
	// ended by the KILL after its timeout, not by the tool's own end; the
	// bound leaves a loaded machine a minute
	require.Eventually(t, func() bool { return !running(first) }, (wedgedTimeout+KillAfter+60)*time.Second, 100*time.Millisecond,
		"the wedged cleaner outlived its timeout and the KILL grace")
	t.Logf("wedged cleaner %d gone %.1f s after it started (timeout %d s, KILL %d s later)", first, time.Since(started).Seconds(), wedgedTimeout, KillAfter)
	require.Eventually(t, func() bool { return len(pids()) >= 2 }, 3*time.Minute, 100*time.Millisecond,
		"cron's next run of the wedged cleaner never started (its lock was not released)")
	second := pids()[1]
	// Do not leave the second run (timeout and all) behind.
	t.Cleanup(func() {
		if pgid, err := syscall.Getpgid(second); err == nil && pgid > 1 {
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
		}
	})
	assert.NotEqual(t, first, second)
	require.Eventually(t, func() bool {
		b, _ := os.ReadFile(filepath.Join(d, "logs", ToolCleaner+".log"))
		return string(b) == "wedged\nwedged\n"
	}, time.Minute, 100*time.Millisecond, "the cleaner's log holds one line per run")
}

// running reports whether process pid exists and is not a zombie (an
// orphan's zombie lingers when PID 1 does not reap).
func running(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// pid (comm) state ...: comm may hold spaces, so look after the last ")".
	rest := string(b[strings.LastIndexByte(string(b), ')')+1:])
	return !strings.HasPrefix(strings.TrimSpace(rest), "Z")
}
