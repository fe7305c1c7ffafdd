package cron

import (
	"fmt"
	"github.com/kolla-glance/kolla-glance/internal/realpart"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRealCronRunsWhatWeWrite starts the real cron daemon (Debian cron
// 3.0pl1 or compatible) in a private mount namespace where /etc/cron.d,
// /etc/crontab, /run and the user spool are scratch directories, writes a
// file with WriteAtomic and waits until cron has run every entry. It also
// checks that the hidden temporary and backup names are never loaded.
// It takes one to two minutes and needs root, unshare(1) and cron(8), so
// it only runs with KOLLA_GLANCE_CRON_E2E=1.
func TestRealCronRunsWhatWeWrite(t *testing.T) {
	if os.Getenv("KOLLA_GLANCE_CRON_E2E") != "1" {
		t.Skip("set KOLLA_GLANCE_CRON_E2E=1 to run the real cron daemon (root, ~2 minutes)")
	}
	realpart.Root(t, "it mounts scratch directories over /etc/cron.d and /run")
	realpart.Commands(t, "cron", "cron", "cron")
	realpart.Commands(t, "unshare", "util-linux, mount", "unshare", "flock", "mount")
	d := t.TempDir()
	for _, sub := range []string{"crond", "run/lock", "bin", "logs", "spool", "out"} {
		require.NoError(t, os.MkdirAll(filepath.Join(d, sub), 0o755))
	}
	require.NoError(t, os.WriteFile(filepath.Join(d, "crontab"), nil, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(d, "bin", "docker"), []byte("#!/bin/sh\n[ \"$1\" = exec ] || exit 9\nshift 2\nexec \"$@\"\n"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(d, "bin", ToolPruner), []byte("#!/bin/sh\necho \"ran: $*\"\necho deprecated >&2\n"), 0o755))

	cmd, err := RenderCommand(CommandSpec{Engine: "docker", Container: "glance_api", Tool: ToolPruner, Release: "2026.1", LogDir: filepath.Join(d, "logs")})
	require.NoError(t, err)
	schedules := []string{"* * * * *", "0-59 * * * *", "*/1 * * * *", "0-29,30-59 * * jan-dec sun-sat", "0-59/1 0-23 1-31 1-12 0-7", "* * * * MON-fri,sat,Sun"}
	var es []Entry
	for i, s := range schedules {
		es = append(es, Entry{Name: fmt.Sprintf("e%d", i), Schedule: mustSchedule(t, s), User: "root", Command: fmt.Sprintf("touch %s/out/ran-%d", d, i)})
	}
	es = append(es, Entry{Name: ToolPruner, Schedule: mustSchedule(t, "* * * * *"), User: "root", Command: cmd})
	foreign := "PATH=" + d + "/bin:/usr/bin:/bin\nMAILTO=\"\"\n# foreign comment\n"
	content := ParseFile([]byte(foreign)).Ensure(es).Render()
	crond := filepath.Join(d, "crond")
	require.NoError(t, WriteAtomic(crond, "kolla-glance-cache", content, FileMode))
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
	}, 10*time.Second, 100*time.Millisecond)
	b, _ := os.ReadFile(filepath.Join(d, "logs", ToolPruner+".log"))
	assert.Contains(t, string(b), "ran: --config-file /etc/glance/glance-api.conf --config-file /etc/glance/glance-cache.conf\ndeprecated\n")
	time.Sleep(2 * time.Second) // let that minute's jobs finish
	_, err = os.Stat(filepath.Join(d, "out", "ignored"))
	assert.True(t, os.IsNotExist(err), "cron loaded a hidden temporary or backup file")
}
