//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
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
	s.play("molecule/default/converge.yml") // the role's defaults: Glance 2025.1

	// The cron file the role wrote: both jobs every minute (splay keeps
	// every-minute schedules), run in this host's glance_api container,
	// each bounded by timeout, reading 2025.1's two config files.
	cronFile := filepath.Join(cronDir, "kolla-glance-cache")
	content, err := os.ReadFile(cronFile)
	if err != nil {
		t.Fatal(err)
	}
	bounds := map[string]time.Duration{}
	for _, tool := range []string{"glance-cache-pruner", "glance-cache-cleaner"} {
		job := regexp.MustCompile(`(?m)^#Ansible: ` + tool + `\n\* \* \* \* \* root flock -n \S+ \S*docker exec (.* )?` +
			regexp.QuoteMeta(s.container(host.Name)) + ` .*\bexec timeout -k ([0-9]+)s ([0-9]+)s ` + tool +
			` --config-file /etc/glance/glance-api.conf --config-file /etc/glance/glance-cache.conf\b`)
		m := job.FindSubmatch(content)
		if m == nil {
			t.Fatalf("%s has no every-minute, time-bounded %s job for 2025.1:\n%s", cronFile, tool, content)
		}
		grace, _ := strconv.Atoi(string(m[2]))
		limit, _ := strconv.Atoi(string(m[3]))
		if limit <= 0 || limit >= 60 {
			t.Fatalf("%s's timeout is %d s; an every-minute job needs one shorter than a minute", tool, limit)
		}
		bounds[tool] = time.Duration(limit+grace) * time.Second
	}
	t.Logf("cron file %s:\n%s", cronFile, content)
	conf := readFile(filepath.Join(s.hostDir(host.Name), "etc-kolla", "glance-api", "glance-api.conf"))
	for _, want := range []string{"image_cache_driver = centralized_db", "worker_self_reference_url = " + base, "flavor = cachemanagement"} {
		if !strings.Contains(conf, want) {
			t.Fatalf("glance-api.conf lacks %q:\n%s", want, conf)
		}
	}

	f := pruneAndClean(t, s, cacheDir, base, "docker")
	orphanWedgeBounded(t, s, cacheDir, bounds["glance-cache-pruner"])
	recordCache(f)
}

// pruneAndClean fills the cache past its limit through the API, adds a
// stale incomplete entry, starts the real cron daemon on the role's cron
// file and waits until the pruner brought the cache down to its limit (not
// to zero) and the cleaner removed the stale entry. engine is the
// container engine the cron jobs call (kolla_container_engine).
func pruneAndClean(t *testing.T, s *scenario, cacheDir, base, engine string) *cacheFigures {
	t.Helper()
	host := s.hosts[0]
	// Every image is uploaded, then downloaded once, which caches it.
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
	writeGlanceFile(t, stale, 512<<10)
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

	started := startCron(t, s.dir, filepath.Join(s.hostDir(host.Name), "cron.d"), engine)
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
				tailFile(filepath.Join(s.dir, "cron", "cron.log")))
		}
		time.Sleep(time.Second)
	}
	t.Logf("cache after cron: %d bytes in %d images, stale entry removed, %.0fs after cron started (cron runs jobs at the next minute boundary)",
		f.After, f.EntriesAfter, f.Seconds)
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
	return f
}

// orphanWedgeBounded puts a file the cache database does not know into the
// cache directory, larger than the cache's limit. Glance 2025.1's pruner
// then never gets under the limit and loops forever (get_least_recently_
// accessed answers (None, 0), a true tuple); the test shows that first,
// with a pruner run by hand under a 20 s timeout. Then it watches the runs
// cron starts: each ends within its timeout and grace, the job's lock is
// free again between runs, and the next minute's run starts.
func orphanWedgeBounded(t *testing.T, s *scenario, cacheDir string, bound time.Duration) {
	t.Helper()
	host := s.hosts[0]
	container := s.container(host.Name)
	writeGlanceFile(t, filepath.Join(cacheDir, "00000000-e2e0-4000-8000-orphanorphan"), cacheMaxSize+cacheImageSize)

	// The wedge is real: a pruner run by hand is still looping after 20 s.
	control := exec.Command("docker", "exec", "--user", "glance", container, "timeout", "20", "glance-cache-pruner",
		"--config-file", "/etc/glance/glance-api.conf", "--config-file", "/etc/glance/glance-cache.conf")
	if out, err := control.CombinedOutput(); exitCode(err) != 124 {
		t.Fatalf("with an orphan file above the limit, the 2025.1 pruner should still run after 20 s (timeout's exit 124); it ended with %v:\n%s", err, tail(string(out), 20))
	}
	t.Logf("with the orphan file, a pruner run by hand was still looping after 20 s (timeout killed it: exit 124)")

	lock := filepath.Join(s.dir, "cron", "run", "lock", "kolla-glance-glance-cache-pruner-"+container+".lock")
	runs := map[string]*pruneRun{} // by host pid
	var order []string
	lockFreed := false
	deadline := time.Now().Add(bound + 2*time.Minute + 10*time.Second)
	for time.Now().Before(deadline) {
		now := time.Now()
		seen := pruners(t, container)
		for pid := range seen {
			if runs[pid] == nil {
				runs[pid] = &pruneRun{First: now}
				order = append(order, pid)
			}
			runs[pid].Last = now
		}
		for _, pid := range order {
			if _, alive := seen[pid]; !alive && !runs[pid].Ended {
				runs[pid].Ended = true
			}
		}
		if len(seen) == 0 && len(order) > 0 && exec.Command("flock", "-n", lock, "true").Run() == nil {
			lockFreed = true
		}
		if lockFreed && endedThenNext(runs, order, bound) {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	var b strings.Builder
	for _, pid := range order {
		r := runs[pid]
		fmt.Fprintf(&b, "  pid %s seen %s..%s (%.0fs), ended %v\n", pid, r.First.Format("15:04:05"), r.Last.Format("15:04:05"), r.Last.Sub(r.First).Seconds(), r.Ended)
	}
	t.Logf("pruner runs cron started with the orphan file in place (bound %s):\n%s  lock free between runs: %v", bound, b.String(), lockFreed)
	for _, pid := range order {
		if r := runs[pid]; r.Last.Sub(r.First) > bound+3*time.Second {
			t.Errorf("pruner pid %s ran for %.0fs, longer than its timeout and grace (%s)", pid, r.Last.Sub(r.First).Seconds(), bound)
		}
	}
	if !endedThenNext(runs, order, bound) {
		t.Errorf("no wedged pruner run was ended by its timeout and followed by the next run")
	}
	if !lockFreed {
		t.Errorf("the pruner job's lock %s was never free between runs", lock)
	}
}

// pruneRun is one pruner process the test saw.
type pruneRun struct {
	First, Last time.Time
	Ended       bool
}

// endedThenNext reports whether a run that was still looping near its
// bound ended and a later run started.
func endedThenNext(runs map[string]*pruneRun, order []string, bound time.Duration) bool {
	for i, pid := range order {
		r := runs[pid]
		if r.Ended && r.Last.Sub(r.First) >= bound-15*time.Second && i+1 < len(order) {
			return true
		}
	}
	return false
}

// pruners lists the python processes of glance-cache-pruner in the
// container, by host pid (not the sh or timeout around them).
func pruners(t *testing.T, container string) map[string]bool {
	t.Helper()
	out, err := exec.Command("docker", "top", container, "-eo", "pid,args").Output()
	if err != nil {
		t.Fatalf("docker top %s: %v", container, err)
	}
	found := map[string]bool{}
	for _, line := range strings.Split(string(out), "\n")[1:] {
		fields := strings.Fields(line)
		if len(fields) >= 3 && strings.Contains(fields[1], "python") && strings.HasSuffix(fields[2], "glance-cache-pruner") {
			found[fields[0]] = true
		}
	}
	return found
}

// writeGlanceFile writes size random bytes owned by glance's uid.
func writeGlanceFile(t *testing.T, path string, size int) {
	t.Helper()
	if err := os.WriteFile(path, randomBytes(size), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(path, glanceUID, glanceUID); err != nil {
		t.Fatal(err)
	}
}

// exitCode is a command's exit status, -1 when it did not run or died of a
// signal.
func exitCode(err error) int {
	if err == nil {
		return 0
	}
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	return -1
}

// startCron runs the real cron daemon (cron -f) in a private mount
// namespace where /etc/cron.d is the role's cron directory of the host,
// /etc/crontab and the user spool are empty scratch files, and /run is a
// scratch directory (cron's pid file and the jobs' /run/lock) that holds
// what the engine's client needs of the host's /run: docker's socket, or
// podman's and its runtime's state directories. It is stopped at cleanup.
func startCron(t *testing.T, dir, cronDir, engine string) time.Time {
	t.Helper()
	d := filepath.Join(dir, "cron")
	for _, sub := range []string{"run/lock", "spool"} {
		if err := os.MkdirAll(filepath.Join(d, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(d, "crontab"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	binds, err := engineRunBinds(engine, filepath.Join(d, "run"))
	if err != nil {
		t.Fatal(err)
	}
	script := strings.Join(append(append([]string{"set -e", "mount --make-rprivate /"}, binds...),
		"mount --rbind "+d+"/run /run",
		"mount --bind "+cronDir+" /etc/cron.d",
		"mount --bind "+d+"/crontab /etc/crontab",
		"if [ -d /var/spool/cron/crontabs ]; then mount --bind "+d+"/spool /var/spool/cron/crontabs; fi",
		"exec cron -f",
	), "\n")
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
		t.Fatalf("cron exited at once:\n%s", tailFile(filepath.Join(d, "cron.log")))
	case <-time.After(2 * time.Second):
	}
	t.Logf("cron %d runs in a private mount namespace with /etc/cron.d = %s", cmd.Process.Pid, cronDir)
	return started
}

// engineRunBinds makes, in the scratch run directory, the mount points of
// what the engine's client needs of the host's /run, and returns the mount
// commands that bind them: docker's socket; podman's storage and state
// directories and its OCI runtime's.
func engineRunBinds(engine, run string) ([]string, error) {
	switch engine {
	case "docker":
		sock, err := filepath.EvalSymlinks("/run/docker.sock")
		if err != nil {
			return nil, fmt.Errorf("the docker socket: %v", err)
		}
		if err := os.WriteFile(filepath.Join(run, "docker.sock"), nil, 0o644); err != nil {
			return nil, err
		}
		return []string{"mount --bind " + sock + " " + run + "/docker.sock"}, nil
	case "podman":
		var binds []string
		for _, sub := range []string{"containers", "libpod", "runc", "crun", "netns"} {
			if fi, err := os.Stat(filepath.Join("/run", sub)); err != nil || !fi.IsDir() {
				continue
			}
			if err := os.MkdirAll(filepath.Join(run, sub), 0o755); err != nil {
				return nil, err
			}
			binds = append(binds, "mount --rbind /run/"+sub+" "+run+"/"+sub)
		}
		if len(binds) == 0 {
			return nil, fmt.Errorf("podman has no state under /run: has it run a container?")
		}
		return binds, nil
	}
	return nil, fmt.Errorf("no cron binds for container engine %q", engine)
}

// toolLog is the end of the output a cache tool appended in the
// container's log dir.
func (s *scenario) toolLog(host, tool string) string {
	return tailFile(filepath.Join(s.hostDir(host), "log", "glance", tool+".log"))
}

// readFile is a file's whole content, or the error in its place.
func readFile(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(%v)", err)
	}
	return string(b)
}

// tailFile is the last 40 lines of a file, for a failure's diagnosis.
func tailFile(path string) string { return tail(readFile(path), 40) }
