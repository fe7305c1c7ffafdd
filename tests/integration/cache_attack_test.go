//go:build integration

package integration

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kolla-glance/kolla-glance/internal/realpart"
)

// Real attackers against the binary cache (issue 27): an unprivileged user
// of the target, made with useradd, runs as itself (setpriv) against the
// real action plugins and the real binary, while the task runs as root. Each
// test fails when the attacker's marker appears: a file only root could have
// written, by running the attacker's script.

const attackerName = "kg-attacker"

// attacker is the unprivileged local user of the target.
type attacker struct{ uid, gid int }

func newAttacker(t *testing.T) attacker {
	t.Helper()
	realpart.Root(t, "useradd and setpriv for an unprivileged attacker")
	realpart.Commands(t, "the attacker's user", "util-linux", "setpriv")
	if _, err := user.Lookup(attackerName); err != nil {
		if out, err := exec.Command("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", attackerName).CombinedOutput(); err != nil {
			t.Fatalf("useradd %s: %v: %s", attackerName, err, out)
		}
	}
	u, err := user.Lookup(attackerName)
	must(t, err)
	uid, err := strconv.Atoi(u.Uid)
	must(t, err)
	gid, err := strconv.Atoi(u.Gid)
	must(t, err)
	return attacker{uid, gid}
}

// as runs name args as the attacker, with environ, and waits.
func (a attacker) as(t *testing.T, environ []string, name string, args ...string) {
	t.Helper()
	cmd := a.command(environ, name, args...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("as %s: %s %v: %v: %s", attackerName, name, args, err, out)
	}
}

func (a attacker) command(environ []string, name string, args ...string) *exec.Cmd {
	all := append([]string{"--reuid=" + strconv.Itoa(a.uid), "--regid=" + strconv.Itoa(a.gid), "--clear-groups", "--", name}, args...)
	cmd := exec.Command("setpriv", all...)
	cmd.Env = append([]string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin"}, environ...)
	cmd.Dir = "/"
	return cmd
}

// attackerDir is a directory of the attacker's right under /tmp, mode 0777:
// the shape of a /tmp/.ansible whose top folder another user created first.
func (a attacker) dir(t *testing.T) string {
	t.Helper()
	d := filepath.Join("/tmp", fmt.Sprintf("kg-attack-%d-%d", os.Getpid(), time.Now().UnixNano()))
	a.as(t, nil, "mkdir", "-m", "0777", d)
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

// evilScript is what the attacker wants root to run: it leaves the marker
// and answers like the module, so nothing else gives it away.
func evilScript(marker string) string {
	return "#!/bin/sh\nid > " + marker + "\necho '{\"changed\": false, \"mode\": \"rolling\", \"msg\": \"attacker\"}'\n"
}

// helperBinary is a copy of this test binary the attacker can run.
func helperBinary(t *testing.T) string {
	t.Helper()
	self, err := os.Executable()
	must(t, err)
	dir, err := os.MkdirTemp("/tmp", "kg-attack-bin-")
	must(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	must(t, os.Chmod(dir, 0o755))
	in, err := os.Open(self)
	must(t, err)
	defer in.Close()
	path := filepath.Join(dir, "attacker")
	out, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY, 0o755)
	must(t, err)
	_, err = io.Copy(out, in)
	must(t, err)
	must(t, out.Close())
	return path
}

// racer starts the racing attacker: it watches every process for the
// cache's digest of a file under watch (openssl or sha256sum: the check that
// comes just before the run) and at once swaps victim (a directory or a
// link on the cache's path) for its own, whose cache directory holds its
// script under the binary's name and under the upload's name it read from
// the digest's command line; when the digest is over it swaps back, for the
// next task. Stop it with the returned function, which says how many swaps
// it made.
func (a attacker) racer(t *testing.T, victim, evil, watch, marker string) func() int {
	t.Helper()
	stop := filepath.Join(filepath.Dir(evil), "stop")
	count := filepath.Join(filepath.Dir(evil), "count")
	cmd := a.command([]string{"KG_ATTACK=race", "KG_VICTIM=" + victim, "KG_EVIL=" + evil, "KG_WATCH=" + watch,
		"KG_MARKER=" + marker, "KG_STOP=" + stop, "KG_COUNT=" + count},
		helperBinary(t))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	must(t, cmd.Start())
	// ready when it has written its count; a loaded machine starts it late
	deadline := time.Now().Add(time.Minute)
	for {
		if _, err := os.Stat(count); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the attacker did not start:\n%s", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	return func() int {
		f, err := os.OpenFile(stop, os.O_CREATE|os.O_WRONLY, 0o644)
		if err == nil {
			f.Close()
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("the attacker failed: %v\n%s", err, out.String())
			}
		case <-time.After(time.Minute):
			cmd.Process.Kill()
			t.Errorf("the attacker did not stop:\n%s", out.String())
		}
		data, _ := os.ReadFile(count)
		n, _ := strconv.Atoi(strings.TrimSpace(string(data)))
		return n
	}
}

// TestMain runs the racing attacker instead of the tests when racer
// starts this test binary as the attacker's user (KG_ATTACK=race).
func TestMain(m *testing.M) {
	if os.Getenv("KG_ATTACK") == "race" {
		if err := raceAttacker(); err != nil {
			fmt.Fprintln(os.Stderr, "attacker:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// raceAttacker is the racing attacker itself: it watches /proc for the
// digest of the watched cache and swaps the victim for its own directory
// (or re-points the victim link) until the stop file appears.
func raceAttacker() error {
	victim, evil, watch := os.Getenv("KG_VICTIM"), os.Getenv("KG_EVIL"), os.Getenv("KG_WATCH")
	script := []byte(evilScript(os.Getenv("KG_MARKER")))
	stop, count := os.Getenv("KG_STOP"), os.Getenv("KG_COUNT")
	st, err := os.Lstat(victim)
	link := err == nil && st.Mode()&os.ModeSymlink != 0
	var realTarget string
	if link {
		if realTarget, err = os.Readlink(victim); err != nil {
			return err
		}
	}
	cacheName := filepath.Base(watch)
	swaps := 0
	if err := os.WriteFile(count, []byte("0"), 0o644); err != nil {
		return err
	}
	swap := func(toEvil bool) {
		if link {
			tmp := victim + ".new"
			target := realTarget
			if toEvil {
				target = evil
			}
			os.Remove(tmp)
			if os.Symlink(target, tmp) == nil {
				os.Rename(tmp, victim)
			}
			return
		}
		if toEvil {
			os.Rename(victim, victim+".real")
			os.Rename(evil, victim)
		} else {
			os.Rename(victim, evil)
			os.Rename(victim+".real", victim)
		}
	}
	seen := map[string]bool{} // pids whose command line was something else
	for {
		if _, err := os.Stat(stop); err == nil {
			return nil
		}
		d, err := os.Open("/proc")
		if err != nil {
			return err
		}
		names, _ := d.Readdirnames(-1)
		d.Close()
		for _, pid := range names {
			if pid[0] < '0' || pid[0] > '9' || seen[pid] {
				continue
			}
			cmdline, err := os.ReadFile("/proc/" + pid + "/cmdline")
			if err != nil || len(cmdline) == 0 {
				continue
			}
			args := strings.Split(strings.TrimRight(string(cmdline), "\x00"), "\x00")
			base := filepath.Base(args[0])
			if base != "openssl" && base != "sha256sum" {
				if base != "sh" && base != "dash" && base != "bash" { // a shell may still exec the digest
					seen[pid] = true
				}
				continue
			}
			seen[pid] = true
			file := args[len(args)-1]
			if !strings.Contains(file, watch) && !strings.Contains(file, "/proc/self/fd/") {
				continue
			}
			// The upload's name, for an install: the attacker's cache holds
			// its script under it too.
			if name := filepath.Base(file); strings.HasPrefix(name, ".up-") {
				os.WriteFile(filepath.Join(evil, cacheName, name), script, 0o755)
			}
			swap(true)
			for i := 0; i < 500; i++ { // until the digest is over, and the run begun
				if _, err := os.Stat("/proc/" + pid); err != nil {
					break
				}
				time.Sleep(100 * time.Microsecond)
			}
			time.Sleep(30 * time.Millisecond)
			swap(false)
			swaps++
			os.WriteFile(count, []byte(strconv.Itoa(swaps)), 0o644)
		}
	}
}

// attackPlaybook writes a playbook of n upgrade_plan tasks run on the target
// from the cache at cacheDir, with environment, and returns its path.
func attackPlaybook(t *testing.T, dir, cacheDir string, n int, environment map[string]string, become bool) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("- hosts: localhost\n  gather_facts: false\n")
	if become {
		b.WriteString("  become: true\n  become_method: su\n  become_user: root\n")
	}
	fmt.Fprintf(&b, "  vars:\n    kolla_glance_compute_on: target\n    kolla_glance_binary_cache_dir: %s\n", strconv.Quote(cacheDir))
	b.WriteString("  tasks:\n    - name: Plan\n      kolla.glance.upgrade_plan:\n        api_hosts: [a, b]\n        rolling: true\n")
	if len(environment) > 0 {
		b.WriteString("      environment:\n")
		for k, v := range environment {
			fmt.Fprintf(&b, "        %s: %s\n", k, strconv.Quote(v))
		}
	}
	fmt.Fprintf(&b, "      loop: \"{{ range(%d) | list }}\"\n", n)
	path := filepath.Join(dir, fmt.Sprintf("attack-%d.yml", time.Now().UnixNano()))
	must(t, os.WriteFile(path, []byte(b.String()), 0o644))
	return path
}

// pwnedBy fails the test when the marker exists: the attacker's script ran.
func pwnedBy(t *testing.T, marker, out string) {
	t.Helper()
	if data, err := os.ReadFile(marker); err == nil {
		t.Fatalf("the attacker's script ran as %s:\n%s", strings.TrimSpace(string(data)), out)
	}
	mustNotContain(t, out, `"msg": "attacker"`)
}

// TestCacheAttackRace: the cache sits under a directory the attacker owns
// (/tmp/<theirs>/tmp/kolla-glance-binaries, /tmp/<theirs> mode 0777). The
// attacker races every task: when the digest of the cached binary (warm) or
// of the upload (cold) starts, it renames the cache's parent away and puts
// its own in its place, with its script under the binary's and the upload's
// names. 0.2 ran the script as root; now the path is refused before anything
// in it is read (one warning naming it) and what runs is what was hashed.
func TestCacheAttackRace(t *testing.T) {
	a := newAttacker(t)
	c := newCacheEnv(t)
	theirs := a.dir(t)
	marker := filepath.Join(c.scratch, "PWNED")
	victim := filepath.Join(theirs, "tmp")
	cacheDir := filepath.Join(victim, "kolla-glance-binaries")
	r := race(t, a, c, victim, filepath.Join(theirs, "evil"), cacheDir, marker, 25, "swaps")
	mustWarn(t, r.out, "the binary cache is not used", theirs+" belongs to uid "+strconv.Itoa(a.uid))
}

// race plants the attacker's script, named as the binary, in its own
// evil/kolla-glance-binaries, runs trials cache tasks on cacheDir while the
// attacker's racer swaps what it watches (moved) for evil, and fails the
// test if the script ran or the play failed.
func race(t *testing.T, a attacker, c *cacheEnv, moved, evil, cacheDir, marker string, trials int, what string) runResult {
	t.Helper()
	a.as(t, nil, "mkdir", "-p", filepath.Join(evil, "kolla-glance-binaries"))
	a.as(t, []string{"S=" + evilScript(marker), "F=" + filepath.Join(evil, "kolla-glance-binaries", c.sha)}, "sh", "-c", `printf '%s' "$S" > "$F" && chmod 755 "$F"`)
	stop := a.racer(t, moved, evil, cacheDir, marker)
	r := c.run(nil, "ansible-playbook", "-i", "inventory.ini", attackPlaybook(t, c.scratch, cacheDir, trials, nil, false))
	t.Logf("%d tasks, %d %s by the attacker", trials, stop(), what)
	pwnedBy(t, marker, r.out)
	if r.code != 0 {
		t.Fatalf("the play failed (rc=%d):\n%s", r.code, r.out)
	}
	return r
}

// TestCacheAttackMidPathLink: a link in the middle of the cache's path,
// /tmp/<link> -> a root directory, owned by the attacker. 0.2 used the cache
// through it silently, and the attacker re-pointed it during the digest;
// now it is refused with one warning that names it, and the racing attacker
// gets nothing to run.
func TestCacheAttackMidPathLink(t *testing.T) {
	a := newAttacker(t)
	c := newCacheEnv(t)
	theirs := a.dir(t)
	marker := filepath.Join(c.scratch, "PWNED")
	// A root directory, as /var is, that the link points to.
	rootDir := filepath.Join(c.target, "var")
	must(t, os.MkdirAll(rootDir, 0o755))
	// The scratch dir is root's 0700: open the way for the link's target.
	for d := rootDir; d != "/" && d != "/tmp"; d = filepath.Dir(d) {
		must(t, os.Chmod(d, 0o755))
	}
	link := filepath.Join("/tmp", fmt.Sprintf("kg-attack-link-%d-%d", os.Getpid(), time.Now().UnixNano()))
	a.as(t, nil, "ln", "-s", rootDir, link)
	t.Cleanup(func() { os.Remove(link) })
	cacheDir := filepath.Join(link, "kolla-glance-binaries")
	r := race(t, a, c, link, filepath.Join(theirs, "evil"), cacheDir, marker, 15, "re-pointings")
	mustWarn(t, r.out, "the binary cache is not used", link+" -> "+rootDir+" belongs to uid "+strconv.Itoa(a.uid))
	if _, err := os.Stat(filepath.Join(rootDir, "kolla-glance-binaries")); err == nil {
		t.Errorf("the cache was created through the attacker's link")
	}
}

// TestCacheAttackPlaceholders: values that 0.2's placeholders read again,
// or that need quoting. A cache directory naming @ENV@ with a task
// environment that holds shell; one naming @ARGS@ under become, whose args
// path (in remote_tmp) needs quoting; one that is shell itself. Now each
// value is quoted once, in one pass: nothing runs, and each path, with its
// spaces, quotes and @, is a working cache.
func TestCacheAttackPlaceholders(t *testing.T) {
	realpart.Root(t, "become to root with su")
	c := newCacheEnv(t)
	base := filepath.Join(c.target, `it's a "cache" @home`)
	must(t, os.MkdirAll(base, 0o755))
	for name, tc := range map[string]struct {
		cacheDir    string
		environment map[string]string
		environ     []string
		become      bool
	}{
		"env":  {cacheDir: filepath.Join(base, "kg env@ENV@"), environment: map[string]string{"KGX": "a'; id > @MARKER@; b'"}},
		"args": {cacheDir: filepath.Join(base, "kg args@ARGS@"), become: true, environ: []string{"ANSIBLE_REMOTE_TEMP=" + filepath.Join(c.scratch, "remote tmp @ARGS@")}},
		"dir":  {cacheDir: filepath.Join(base, "kg '; id > @MARKER@; '")},
	} {
		t.Run(name, func(t *testing.T) {
			marker := filepath.Join(c.scratch, "PWNED-"+name)
			cacheDir := strings.ReplaceAll(tc.cacheDir, "@MARKER@", marker)
			environment := map[string]string{}
			for k, v := range tc.environment {
				environment[k] = strings.ReplaceAll(v, "@MARKER@", marker)
			}
			r := c.run(tc.environ, "ansible-playbook", "-vvv", "-i", "inventory.ini", attackPlaybook(t, c.scratch, cacheDir, 2, environment, tc.become))
			pwnedBy(t, marker, r.out)
			if r.code != 0 {
				t.Fatalf("the play failed (rc=%d):\n%s", r.code, r.out)
			}
			mustNotContain(t, r.out, "[WARNING]: kolla.glance", "AnsiballZ_")
			st, err := os.Lstat(filepath.Join(cacheDir, c.sha))
			if err != nil || st.Mode() != 0o700 {
				t.Errorf("the cache at %q does not hold the binary: %v", cacheDir, err)
			}
			if n := len(cacheCmd.FindAllString(r.out, -1)); n != 3 {
				t.Errorf("want 3 cache commands (cold, install, warm), got %d", n)
			}
		})
	}
}
