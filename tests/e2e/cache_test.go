//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// cacheFigures is what TestCachePrunedByCron measured.
type cacheFigures struct {
	MaxSize       int64
	Before        int64 // cache size when cron started (complete images only)
	After         int64
	EntriesBefore int
	EntriesAfter  int
	StaleRemoved  bool
	Seconds       float64 // from cron's start until the cache was under its limit and the stale entry gone
}

const (
	cacheMaxSize   = 3 << 20 // glance_cache_max_size in inventory/cache.yml
	cacheImageSize = 1 << 20
	cacheWait      = 3 * time.Minute
	glanceUID      = 42415
)

// cacheUsage is what glance's sqlite cache driver counts as the cache
// size: the regular files directly in image_cache_dir except its database
// (incomplete/, invalid/ and queue/ are directories, not counted).
func cacheUsage(dir string) (size int64, entries int, err error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return 0, 0, err
	}
	for _, e := range ents {
		if !e.Type().IsRegular() || strings.HasPrefix(e.Name(), "cache.db") {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue // pruned meanwhile
		}
		size += info.Size()
		entries++
	}
	return size, entries, nil
}

func TestCachePrunedByCron(t *testing.T) {
	for _, bin := range []string{"unshare", "cron", "flock", "mount", "touch"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Fatalf("%s is not installed (tests/bin/install-deps)", bin)
		}
	}
	s := newScenario(t, "cache", "cache.yml")
	host := s.hosts[0]
	cronDir := filepath.Join(s.hostDir(host.Name), "cron.d")
	cacheDir := filepath.Join(s.dir, "shared", "glance", "image-cache")
	base := fmt.Sprintf("http://127.0.0.1:%d", host.Port)

	s.play("molecule/_shared/playbooks/create.yml")
	s.play("molecule/_shared/playbooks/deploy-old.yml")

	// The cron file the role wrote: both jobs every minute (splay keeps
	// every-minute schedules), run in this host's glance_api container.
	cronFile := filepath.Join(cronDir, "kolla-glance-cache")
	content, err := os.ReadFile(cronFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, tool := range []string{"glance-cache-pruner", "glance-cache-cleaner"} {
		job := regexp.MustCompile(`(?m)^#Ansible: ` + tool + `\n\* \* \* \* \* root .*\bdocker exec (.* )?` +
			regexp.QuoteMeta(s.container(host.Name)) + ` .*\bexec ` + tool + ` --config-file /etc/glance/glance-cache.conf\b`)
		if !job.Match(content) {
			t.Fatalf("%s has no every-minute %s job:\n%s", cronFile, tool, content)
		}
	}
	t.Logf("cron file %s:\n%s", cronFile, content)

	// Fill the cache past its limit through the API: every image is
	// uploaded, then downloaded once, which caches it.
	for i := 0; ; i++ {
		size, _, err := cacheUsage(cacheDir)
		if err == nil && size > cacheMaxSize+cacheImageSize {
			break
		}
		if i == 8 {
			t.Fatalf("the cache holds %d bytes after %d downloads; downloads are not cached", size, i)
		}
		if _, err := createImage(base, fmt.Sprintf("e2e-cache-%d", i), randomBytes(cacheImageSize)); err != nil {
			t.Fatal(err)
		}
		// the cache entry is committed when the download ends
		time.Sleep(300 * time.Millisecond)
	}

	// A stale incomplete entry: a download that stopped long before
	// image_cache_stall_time (60 s) ago.
	stale := filepath.Join(cacheDir, "incomplete", "00000000-e2e0-4000-8000-stalestale00")
	if err := os.WriteFile(stale, randomBytes(512<<10), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(stale, glanceUID, glanceUID); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("touch", "-d", "10 minutes ago", stale).CombinedOutput(); err != nil {
		t.Fatalf("touch -d: %v %s", err, out)
	}

	before, entriesBefore, err := cacheUsage(cacheDir)
	if err != nil {
		t.Fatal(err)
	}
	if before <= cacheMaxSize {
		t.Fatalf("the cache (%d bytes) is not above its limit (%d)", before, cacheMaxSize)
	}
	t.Logf("cache before cron: %d bytes in %d images (limit %d), stale incomplete entry %s", before, entriesBefore, cacheMaxSize, stale)

	started := startCron(t, s.dir, cronDir)
	f := &cacheFigures{MaxSize: cacheMaxSize, Before: before, EntriesBefore: entriesBefore}
	deadline := started.Add(cacheWait)
	for {
		size, entries, err := cacheUsage(cacheDir)
		_, statErr := os.Stat(stale)
		f.After, f.EntriesAfter, f.StaleRemoved = size, entries, os.IsNotExist(statErr)
		if err == nil && size <= cacheMaxSize && f.StaleRemoved {
			f.Seconds = time.Since(started).Seconds()
			break
		}
		if time.Now().After(deadline) {
			recordCache(f)
			t.Fatalf("after %s of cron: cache %d bytes (limit %d), stale entry removed %v\npruner log:\n%s\ncleaner log:\n%s\ncron:\n%s",
				cacheWait, size, cacheMaxSize, f.StaleRemoved, s.toolLog(host.Name, "glance-cache-pruner"), s.toolLog(host.Name, "glance-cache-cleaner"),
				readFile(filepath.Join(s.dir, "cron", "cron.log")))
		}
		time.Sleep(time.Second)
	}
	recordCache(f)
	t.Logf("cache after cron: %d bytes in %d images, stale entry removed, %.0fs after cron started (cron runs jobs at the next minute boundary)",
		f.After, f.EntriesAfter, f.Seconds)
	t.Logf("glance-cache.log (the tools' own log, glance-cache.conf log_file):\n%s", s.toolLog(host.Name, "glance-cache"))
	if f.EntriesAfter == 0 {
		t.Errorf("the pruner emptied the cache; it should stop at the limit")
	}
	// The API still serves every image (from the store when not cached).
	resp, err := apiClient.Get(base + "/healthcheck")
	if err != nil || resp.StatusCode != 200 {
		t.Errorf("glance-api after pruning: %v %v", err, resp)
	}
	if resp != nil {
		resp.Body.Close()
	}
}

// startCron runs the real cron daemon (cron -f) in a private mount
// namespace where /etc/cron.d is the role's cron directory of the host,
// /etc/crontab and the user spool are empty scratch files, and /run is a
// scratch directory (cron's pid file and the jobs' /run/lock) that holds
// the docker socket. It is stopped at cleanup.
func startCron(t *testing.T, dir, cronDir string) time.Time {
	t.Helper()
	d := filepath.Join(dir, "cron")
	for _, sub := range []string{"run/lock", "spool"} {
		if err := os.MkdirAll(filepath.Join(d, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"crontab", "run/docker.sock"} {
		if err := os.WriteFile(filepath.Join(d, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sock, err := filepath.EvalSymlinks("/run/docker.sock")
	if err != nil {
		t.Fatalf("the docker socket: %v", err)
	}
	script := strings.Join([]string{
		"set -e",
		"mount --make-rprivate /",
		"mount --bind " + sock + " " + d + "/run/docker.sock",
		"mount --rbind " + d + "/run /run",
		"mount --bind " + cronDir + " /etc/cron.d",
		"mount --bind " + d + "/crontab /etc/crontab",
		"if [ -d /var/spool/cron/crontabs ]; then mount --bind " + d + "/spool /var/spool/cron/crontabs; fi",
		"exec cron -f",
	}, "\n")
	logf, err := os.Create(filepath.Join(d, "cron.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("unshare", "--mount", "sh", "-c", script)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	started := time.Now()
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); logf.Close(); close(exited) }()
	t.Cleanup(func() {
		// cron and the jobs it is running are in its process group
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
	})
	select {
	case <-exited:
		t.Fatalf("cron exited at once:\n%s", readFile(filepath.Join(d, "cron.log")))
	case <-time.After(2 * time.Second):
	}
	t.Logf("cron %d runs in a private mount namespace with /etc/cron.d = %s", cmd.Process.Pid, cronDir)
	return started
}

// toolLog is the output a cache tool appended in the container's log dir.
func (s *scenario) toolLog(host, tool string) string {
	return readFile(filepath.Join(s.hostDir(host), "log", "glance", tool+".log"))
}

func readFile(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(%v)", err)
	}
	return tail(string(b), 40)
}
