//go:build integration

package integration

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/kolla-glance/kolla-glance/internal/realpart"
	"io/fs"
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

// recapHostOK matches a host's play recap line without failures.
func recapHostOK(host string) *regexp.Regexp {
	return regexp.MustCompile(regexp.QuoteMeta(host) + `\s+: ok=\d+\s+changed=\d+\s+unreachable=0\s+failed=0\s`)
}

// cronLine is one splayed entry of the module's file: the schedule fields,
// the engine it calls and the timeout of the tool's run.
var cronLine = regexp.MustCompile(`^(\S+) (\S+) \* \* \* root flock -n /run/lock/kolla-glance-(glance-cache-(?:pruner|cleaner))-glance_api\.lock (\S+) exec --user glance glance_api sh -c 'exec timeout -k 10s ([0-9]+)s (glance-cache-(?:pruner|cleaner)) --config-file /etc/glance/glance-cache\.conf >>/var/log/kolla/glance/(glance-cache-(?:pruner|cleaner))\.log 2>&1'$`)

// splayedSchedules reads a host's cron file and returns its pruner and
// cleaner schedules, checking each line's shape on the way: the tool named
// three times alike, an engine that is "docker" or the absolute path of an
// executable docker (what cron's PATH would not find), and the timeouts
// derived from "*/30 * * * *" (90% of 30 minutes) and "@daily" (capped at
// an hour), which splay keeps.
func splayedSchedules(t *testing.T, path string) (pruner, cleaner [2]string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(lines) != 4 || lines[0] != "#Ansible: glance-cache-pruner" || lines[2] != "#Ansible: glance-cache-cleaner" {
		t.Fatalf("%s: want two managed entries, pruner then cleaner:\n%s", path, b)
	}
	for i, want := range []string{"glance-cache-pruner", "glance-cache-cleaner"} {
		m := cronLine.FindStringSubmatch(lines[2*i+1])
		if m == nil || m[3] != want || m[6] != want || m[7] != want {
			t.Fatalf("%s: line %q is not a %s entry", path, lines[2*i+1], want)
		}
		if timeout := []string{"1620", "3600"}[i]; m[5] != timeout {
			t.Errorf("%s: %s runs with a timeout of %s s, want %s s", path, want, m[5], timeout)
		}
		if engine := m[4]; engine != "docker" {
			if info, err := os.Stat(engine); err != nil || !filepath.IsAbs(engine) || filepath.Base(engine) != "docker" || info.Mode()&0o111 == 0 {
				t.Errorf("%s: engine %q is neither docker nor an executable docker's absolute path", path, engine)
			}
		}
		if i == 0 {
			pruner = [2]string{m[1], m[2]}
		} else {
			cleaner = [2]string{m[1], m[2]}
		}
	}
	return pruner, cleaner
}

func TestCacheCronPlaybook(t *testing.T) {
	e := newEnv(t)
	r := e.playbook("cache_cron")
	for _, h := range []string{"localhost", "control01", "control02", "control03"} {
		if !recapHostOK(h).MatchString(r.out) {
			t.Errorf("play recap lacks a clean line for %s:\n%s", h, r.out)
		}
	}
	// The hostile tasks failed (and were ignored) rather than being skipped.
	mustContain(t, r.out, "...ignoring", `cron_file \"kolla.glance-cache\" is not a valid name`,
		"value of container_engine must be one of: docker, podman, got: lxc",
		"timeout: 0 is out of range; it must be a whole number of seconds from 1 to 86400",
		typeError("timeout", "str", "int"))
	// A timeout as long as the pruner's period is accepted with a warning
	// (wrapped at the terminal's width) that names the job and its period.
	mustContain(t, r.out, `re:\[WARNING\]: timeout 1800 s is not shorter than the shortest\s+interval\s+between\s+two\s+runs\s+of\s+glance-cache-pruner\s+\(30\s+min,\s+schedule`)
	mustNotContain(t, r.out, "Traceback", "panicked")

	// Splay, stated as properties: the pruner runs twice an hour at M and
	// M+30 (0 <= M < 30), the cleaner once a day between 00:00 and 05:59;
	// every host prunes at its own minutes; the same host name always gets
	// the same schedule (a second run into another directory agrees).
	seen := map[string]string{}
	for _, host := range []string{"control01", "control02", "control03"} {
		pruner, cleaner := splayedSchedules(t, filepath.Join(e.scratch, "cache_cron", "splay", host, "kolla-glance-cache"))
		minutes := strings.Split(pruner[0], ",")
		m0, err0 := strconv.Atoi(minutes[0])
		if len(minutes) != 2 || err0 != nil || m0 < 0 || m0 >= 30 || minutes[1] != strconv.Itoa(m0+30) || pruner[1] != "*" {
			t.Errorf("%s: pruner schedule %q is not M,M+30 * with 0 <= M < 30", host, pruner)
		}
		cm, errm := strconv.Atoi(cleaner[0])
		ch, errh := strconv.Atoi(cleaner[1])
		if errm != nil || errh != nil || cm < 0 || cm > 59 || ch < 0 || ch > 5 {
			t.Errorf("%s: cleaner schedule %q is not a minute of 00:00-05:59", host, cleaner)
		}
		if other, dup := seen[pruner[0]]; dup {
			t.Errorf("%s and %s prune at the same minutes %s", other, host, pruner[0])
		}
		seen[pruner[0]] = host
		again := filepath.Join(e.scratch, "splay-again", host)
		if err := os.MkdirAll(again, 0o755); err != nil {
			t.Fatal(err)
		}
		if r := adHoc(e, "cache_cron", "glance_release=zed cleaner_schedule=@daily pruner_schedule='*/30 * * * *' splay_seed="+host+" cron_dir="+again); r.code != 0 {
			t.Fatalf("second run for %s failed:\n%s", host, r.out)
		}
		p2, c2 := splayedSchedules(t, filepath.Join(again, "kolla-glance-cache"))
		if p2 != pruner || c2 != cleaner {
			t.Errorf("%s: a second run gave %v/%v, the first %v/%v", host, p2, c2, pruner, cleaner)
		}
	}

	// No temporary file survives anywhere in the scratch cron dirs.
	_ = filepath.WalkDir(filepath.Join(e.scratch, "cache_cron"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.Contains(d.Name(), ".tmp-") {
			t.Errorf("temporary file left: %s", p)
		}
		return nil
	})
}

// TestRealCronRunsTheModulesFile has the module write its file through
// ansible-playbook, hands that directory to the real cron daemon as
// /etc/cron.d (in a private mount namespace, with a scratch /run and
// /etc/crontab) and checks that cron really runs glance-cache-pruner and
// glance-cache-cleaner inside a kolla-glance/glance-api:old container
// (Debian's Glance Zed), with Zed's config file, and that a run holding
// the job's flock makes the next one skip instead of overlapping.
//
// Timeline (about two minutes): cron fires both jobs at the next minute
// while the test holds the pruner's lock: the cleaner runs, the pruner is
// skipped; the test releases the lock and the pruner runs the minute after.
func TestRealCronRunsTheModulesFile(t *testing.T) {
	realpart.Root(t, "it mounts over /etc/cron.d in a private mount namespace and runs cron")
	realpart.Commands(t, "docker", "docker.io", "docker")
	realpart.Commands(t, "cron", "cron", "cron")
	realpart.Commands(t, "unshare", "util-linux, mount", "unshare", "flock", "mount")
	dockerBin, _ := exec.LookPath("docker")
	for _, p := range []string{"/etc/cron.d", "/etc/crontab", "/run/docker.sock"} {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("%s is missing: %v", p, err)
		}
	}
	e := newEnv(t)
	const image = "kolla-glance/glance-api:old" // Zed: glance-cache.conf alone
	if r := e.run(nil, filepath.Join(e.root, "molecule", "_shared", "images", "build.sh")); r.code != 0 {
		t.Fatalf("build.sh failed (rc=%d):\n%s", r.code, r.out)
	}

	d := filepath.Join(e.scratch, "realcron")
	for _, sub := range []string{"crond", "run/lock", "spool", "config"} {
		if err := os.MkdirAll(filepath.Join(d, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, content := range map[string]string{
		"crontab":         "",
		"run/docker.sock": "", // mount point for the host's docker socket
		// glance-api.conf would send the tools' logs elsewhere: read only
		// when the command passes it (2024.1 and later), never for zed.
		"config/glance-api.conf": "[DEFAULT]\nlog_file = /var/log/kolla/glance/read-glance-api-conf.log\n",
		// glance-cache.conf, the only file zed's tools must read.
		"config/glance-cache.conf": "[DEFAULT]\ndebug = true\nimage_cache_dir = /var/lib/glance/image-cache-crontest\n",
	} {
		if err := os.WriteFile(filepath.Join(d, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	name := fmt.Sprintf("kg-crontest-%d", os.Getpid())
	docker := func(args ...string) (string, error) {
		out, err := exec.Command(dockerBin, args...).CombinedOutput()
		return string(out), err
	}
	_, _ = docker("rm", "-f", name)
	// kolla_start copies the config dir into /etc/glance and prepares
	// /var/log/kolla/glance as kolla does; sleep stands in for glance-api.
	if out, err := docker("run", "-d", "--name", name, "--network", "none",
		"-e", "GLANCE_API_COMMAND=sleep infinity",
		"-v", filepath.Join(d, "config")+":/var/lib/kolla/config_files:ro", image); err != nil {
		t.Fatalf("docker run: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		if out, err := docker("rm", "-f", name); err != nil {
			t.Errorf("docker rm -f %s: %v\n%s", name, err, out)
		}
	})
	inContainer := func(script string) (string, error) { return docker("exec", name, "sh", "-c", script) }
	waitFor(t, 30*time.Second, "kolla_start to copy the config", func() bool {
		_, err := inContainer("grep -q image-cache-crontest /etc/glance/glance-cache.conf && test -d /var/log/kolla/glance")
		return err == nil
	})

	// No PATH line: cron's PATH for cron.d jobs is /usr/bin:/bin, and the
	// module writes the engine's absolute path when it lives elsewhere
	// (this machine's docker is in /usr/local/bin).
	crond := filepath.Join(d, "crond")
	r := e.run(nil, "ansible-playbook", "-i", "inventory.ini", filepath.Join("targets", "cache_cron", "realcron.yml"),
		"-e", "scratch_dir="+e.scratch, "-e", "cron_dir="+crond, "-e", "container_name="+name)
	if r.code != 0 {
		t.Fatalf("realcron.yml failed (rc=%d):\n%s", r.code, r.out)
	}
	cronFile, err := os.ReadFile(filepath.Join(crond, "kolla-glance-cache"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("cron file:\n%s", cronFile)

	// Hold the pruner's lock, as a long previous run would, and watch who
	// opens the lock file: cron's flock -n does when it fires the job.
	lockDir := filepath.Join(d, "run", "lock")
	pruneLock := filepath.Join(lockDir, "kolla-glance-glance-cache-pruner-"+name+".lock")
	cleanLock := filepath.Join(lockDir, "kolla-glance-glance-cache-cleaner-"+name+".lock")
	held, err := os.OpenFile(pruneLock, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	if err := syscall.Flock(int(held.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	ino, err := syscall.InotifyInit1(syscall.IN_NONBLOCK | syscall.IN_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(ino)
	if _, err := syscall.InotifyAddWatch(ino, pruneLock, syscall.IN_OPEN); err != nil {
		t.Fatal(err)
	}

	daemonLog := filepath.Join(d, "daemon.log")
	logf, err := os.Create(daemonLog)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	script := strings.Join([]string{
		"mount --make-rprivate /",
		"mount --bind " + crond + " /etc/cron.d",
		"mount --bind " + filepath.Join(d, "crontab") + " /etc/crontab",
		"if [ -d /var/spool/cron/crontabs ]; then mount --bind " + filepath.Join(d, "spool") + " /var/spool/cron/crontabs; fi",
		// A scratch /run (cron's pid file, /run/lock) that still holds the
		// docker socket the jobs talk to.
		"mount --bind /run/docker.sock " + filepath.Join(d, "run", "docker.sock"),
		"mount --rbind " + filepath.Join(d, "run") + " /run",
		"exec cron -f",
	}, " && ")
	daemon := exec.Command("unshare", "-m", "sh", "-c", script)
	daemon.Stdout, daemon.Stderr = logf, logf
	daemon.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := daemon.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = daemon.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = syscall.Kill(-daemon.Process.Pid, syscall.SIGKILL)
		<-exited
	})
	alive := func() {
		t.Helper()
		select {
		case <-exited:
			out, _ := os.ReadFile(daemonLog)
			t.Fatalf("the cron daemon exited: %s\n%s", daemon.ProcessState, out)
		default:
		}
	}
	diagnose := func() string {
		var b strings.Builder
		out, _ := inContainer("ls -la /var/log/kolla/glance; tail -n 20 /var/log/kolla/glance/glance-cache-*.log")
		fmt.Fprintf(&b, "container logs dir:\n%s\n", out)
		daemonOut, _ := os.ReadFile(daemonLog)
		fmt.Fprintf(&b, "daemon output:\n%s\n", daemonOut)
		// What the job prints when run by hand, with cron's environment.
		for _, l := range strings.Split(string(cronFile), "\n") {
			if strings.HasPrefix(l, "* * * * * root flock -n ") {
				// without the flock, which would leave a lock file on the host
				job := strings.TrimPrefix(l, "* * * * * root flock -n ")
				job = job[strings.Index(job, " ")+1:]
				c := exec.Command("sh", "-c", job)
				c.Env = []string{"PATH=/usr/bin:/bin", "HOME=/root", "SHELL=/bin/sh"}
				o, err := c.CombinedOutput()
				fmt.Fprintf(&b, "by hand: %s\n-> %v %s\n", l, err, o)
			}
		}
		return b.String()
	}
	// running says what is still running when a wait runs out: a loaded
	// machine slows the tools down, a wedged one never ends them.
	running := func() string {
		var b strings.Builder
		ps, _ := inContainer("ps -eo pid,etimes,args")
		fmt.Fprintf(&b, "processes in %s:\n%s\n", name, ps)
		for _, p := range []string{pruneLock, cleanLock} {
			state := "free"
			if _, err := os.Stat(p); err != nil {
				state = "never opened"
			} else if f, err := os.OpenFile(p, os.O_RDWR, 0); err == nil {
				if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) != nil {
					state = "held (a job is running)"
				}
				f.Close()
			}
			fmt.Fprintf(&b, "%s: %s\n", filepath.Base(p), state)
		}
		if load, err := os.ReadFile("/proc/loadavg"); err == nil {
			fmt.Fprintf(&b, "load average: %s", load)
		}
		return b.String()
	}

	// 1. Cron fires both jobs at the next minute: within 60 s of its
	// start, which a loaded 2-core machine may delay; the bound is three
	// minutes, the event the open of the pruner's lock file.
	start := time.Now()
	deadline := start.Add(3 * time.Minute)
	buf := make([]byte, 4096)
	opened := false
	for !opened {
		alive()
		if time.Now().After(deadline) {
			t.Fatalf("cron never ran the pruner's flock within 3 minutes\n%s%s", running(), diagnose())
		}
		n, err := syscall.Read(ino, buf)
		if err == nil && n > 0 {
			opened = true
			break
		}
		if err != nil && !errors.Is(err, syscall.EAGAIN) {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("cron fired the jobs %.0fs after it started", time.Since(start).Seconds())
	// The cleaner (a docker exec of Glance's tool: seconds when idle, more
	// on a loaded machine) has written its log; bounded at five minutes.
	waitFor(t, 5*time.Minute, "the cleaner's log", func() bool {
		alive()
		out, _ := inContainer("cat /var/log/kolla/glance/glance-cache-cleaner.log")
		return strings.Contains(out, "Image cache loaded driver 'sqlite'")
	}, running, diagnose)
	time.Sleep(3 * time.Second)
	if out, err := inContainer("test ! -e /var/log/kolla/glance/glance-cache-pruner.log && echo absent"); err != nil || strings.TrimSpace(out) != "absent" {
		t.Fatalf("the pruner ran while a previous run held its lock (flock -n did not skip it): %v %s", err, out)
	}
	if _, err := os.Stat(cleanLock); err != nil {
		t.Errorf("cron's cleaner run left no lock file in the namespace's /run/lock: %v", err)
	}

	// 2. The lock is free: the pruner runs at the following minute.
	if err := syscall.Flock(int(held.Fd()), syscall.LOCK_UN); err != nil {
		t.Fatal(err)
	}
	held.Close()
	// the next minute's run (within 60 s), then the tool's own time
	waitFor(t, 5*time.Minute, "the pruner's log", func() bool {
		alive()
		out, _ := inContainer("cat /var/log/kolla/glance/glance-cache-pruner.log")
		return strings.Contains(out, "Image cache has free space, skipping prune")
	}, running, diagnose)
	t.Logf("the pruner ran %.0fs after cron started", time.Since(start).Seconds())

	// 3. What the runs prove.
	for _, c := range []struct{ script, why string }{
		{"test -s /var/log/kolla/glance/glance-cache-pruner.log", "the pruner's log is empty"},
		{"test -s /var/log/kolla/glance/glance-cache-cleaner.log", "the cleaner's log is empty"},
		{"test -f /var/lib/glance/image-cache-crontest/cache.db",
			"the tools did not use glance-cache.conf's image_cache_dir: --config-file /etc/glance/glance-cache.conf was not read"},
		{"test ! -e /var/log/kolla/glance/read-glance-api-conf.log",
			"the tools read glance-api.conf: the command passed 2024.1's config files for a zed container"},
	} {
		if out, err := inContainer(c.script); err != nil {
			t.Errorf("%s (%s: %v %s)", c.why, c.script, err, out)
		}
	}
	for _, p := range []string{pruneLock, cleanLock} {
		if st, err := os.Stat(p); err != nil || !st.Mode().IsRegular() {
			t.Errorf("lock file %s: %v", p, err)
		}
		host := filepath.Join("/run/lock", filepath.Base(p))
		if _, err := os.Stat(host); err == nil {
			t.Errorf("%s exists on the host: the namespace's /run/lock leaked", host)
		}
	}
	out, _ := inContainer("cat /var/log/kolla/glance/glance-cache-pruner.log")
	if !strings.Contains(out, "Image cache loaded driver 'sqlite'") {
		t.Errorf("pruner log:\n%s", out)
	}
	// cron ran what the module wrote and nothing else: the file is as written.
	if now, _ := os.ReadFile(filepath.Join(crond, "kolla-glance-cache")); !bytes.Equal(now, cronFile) {
		t.Errorf("the cron file changed while cron ran:\n%s", now)
	}
}

// waitFor polls cond every 500 ms until it holds or timeout passes; then
// it fails the test, adding what diag returns.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool, diag ...func() string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			msg := ""
			for _, d := range diag {
				msg += d()
			}
			t.Fatalf("timed out after %s waiting for %s\n%s", timeout, what, msg)
		}
		time.Sleep(500 * time.Millisecond)
	}
}
