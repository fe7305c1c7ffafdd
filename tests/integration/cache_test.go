//go:build integration

package integration

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kolla-glance/kolla-glance/internal/platforms"
	"github.com/kolla-glance/kolla-glance/internal/realpart"
)

// The binary cache on the target (plugins/plugin_utils/binary_cache.py),
// with real files on this machine through the local connection: what a
// cold and a warm task transfer and run, and the security properties. A
// cached binary that was replaced, truncated, loosened or swapped for a
// link is never run (the check fails and a fresh copy is installed); a
// cache directory with loose permissions, an ACL, a foreign owner, a loose
// parent, or that is a link, is not used at all (the task falls back to the
// upload-and-delete path, with a warning, and the directory is left as it
// was); nothing outside the cache directory is written.

// cacheCmd matches the cache's command at -vvv; Ansible's own module path
// shows AnsiballZ_ files instead.
var cacheCmd = regexp.MustCompile(`(?m)^<localhost> EXEC .*umask 077; set -f`)

// pwned is what a planted binary would write if it ran.
const pwned = "#!/bin/sh\ntouch %s\necho '{\"changed\": false, \"mode\": \"planted\"}'\n"

type cacheEnv struct {
	*env
	target string // the "target's" files: the cache and its neighbours
	cache  string
	sha    string // the host binary's sha256
	binary string // its path on the controller
}

func newCacheEnv(t *testing.T) *cacheEnv {
	e := newEnv(t)
	tab, err := platforms.Load(e.root)
	if err != nil {
		t.Fatal(err)
	}
	c := &cacheEnv{env: e, target: filepath.Join(e.scratch, "target"), binary: filepath.Join(e.root, "plugins", "modules", tab.Host())}
	c.cache = filepath.Join(c.target, "home", "cache")
	if err := os.MkdirAll(filepath.Join(c.target, "home"), 0o755); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(c.binary)
	if err != nil {
		t.Fatalf("%v: run make dist", err)
	}
	sum := sha256.Sum256(data)
	c.sha = hex.EncodeToString(sum[:])
	return c
}

// plan runs upgrade_plan on the target (kolla_glance_compute_on=target) at
// -vvv with the cache at c.cache, and fails unless it succeeded.
func (c *cacheEnv) plan(extra ...string) string {
	c.t.Helper()
	return c.planWith(nil, extra...)
}

// planWith is plan with extra environment (KEY=value) for ansible and so
// for the target's commands, which the local connection runs as children.
func (c *cacheEnv) planWith(environ []string, extra ...string) string {
	c.t.Helper()
	args := append([]string{"-vvv", "-e", "kolla_glance_compute_on=target", "-e", "kolla_glance_binary_cache_dir=" + c.cache}, extra...)
	r := adHocWith(c.env, environ, "upgrade_plan", "api_hosts=a,b rolling=yes", args...)
	if r.code != 0 || !strings.Contains(r.out, `"mode": "rolling"`) {
		c.t.Fatalf("the task failed (rc=%d):\n%s", r.code, r.out)
	}
	return r.out
}

func (c *cacheEnv) cached() string { return filepath.Join(c.cache, c.sha) }

// upload is the -vvv line of the binary's upload into the cache (ansible-core
// 2.19 names the binary by the collection's path, 2.14 by the resolved one).
func (c *cacheEnv) upload() string {
	return "re:PUT \\S*/plugins/modules/" + regexp.QuoteMeta(filepath.Base(c.binary)+" TO "+c.cache+"/.up-")
}

// mustBeInstalled: the cache holds exactly the controller's binary, 0700, in
// a 0700 directory.
func (c *cacheEnv) mustBeInstalled() {
	c.t.Helper()
	for path, want := range map[string]fs.FileMode{c.cache: fs.ModeDir | 0o700, c.cached(): 0o700} {
		st, err := os.Lstat(path)
		if err != nil {
			c.t.Fatal(err)
		}
		if st.Mode() != want {
			c.t.Errorf("%s: mode %v, want %v", path, st.Mode(), want)
		}
	}
	data, err := os.ReadFile(c.cached())
	if err != nil {
		c.t.Fatal(err)
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != c.sha {
		c.t.Errorf("the cached binary is not the controller's")
	}
}

// snapshot lists every path under root but skip with its mode, size,
// mtime and link target.
func snapshot(t *testing.T, root, skip string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == skip {
			return filepath.SkipDir
		}
		st, err := os.Lstat(p)
		if err != nil {
			return err
		}
		link, _ := os.Readlink(p)
		sys := st.Sys().(*syscall.Stat_t)
		out[p] = st.Mode().String() + " " + strconv.FormatInt(st.Size(), 10) + " " + st.ModTime().String() + " " +
			strconv.Itoa(int(sys.Uid)) + " " + link
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameTree(t *testing.T, what string, before, after map[string]string) {
	t.Helper()
	var diff []string
	for p, a := range after {
		if b, ok := before[p]; !ok {
			diff = append(diff, "new: "+p)
		} else if a != b {
			diff = append(diff, "changed: "+p+": "+b+" => "+a)
		}
	}
	for p := range before {
		if _, ok := after[p]; !ok {
			diff = append(diff, "removed: "+p)
		}
	}
	sort.Strings(diff)
	if len(diff) > 0 {
		t.Errorf("%s:\n%s", what, strings.Join(diff, "\n"))
	}
}

func TestBinaryCacheColdThenWarm(t *testing.T) {
	c := newCacheEnv(t)
	outside := snapshot(t, c.target, c.cache)

	// Cold: the warm attempt misses, the binary is uploaded into the cache
	// directory and installed by a second command, which runs it.
	out := c.plan()
	// Creating the directory is the one change to its parent.
	parent := filepath.Dir(c.cache)
	after := snapshot(t, c.target, c.cache)
	delete(outside, parent)
	delete(after, parent)
	sameTree(t, "outside the cache directory, cold", outside, after)
	outside = snapshot(t, c.target, c.cache)
	if n := len(cacheCmd.FindAllString(out, -1)); n != 2 {
		t.Errorf("a cold task: want 2 cache commands, got %d:\n%s", n, out)
	}
	mustContain(t, out, c.upload())
	mustNotContain(t, out, "AnsiballZ_", "ansible-tmp-", "[WARNING]: kolla.glance")
	c.mustBeInstalled()

	// Warm: one command, nothing transferred.
	out = c.plan()
	if n := len(cacheCmd.FindAllString(out, -1)); n != 1 {
		t.Errorf("a warm task: want 1 cache command, got %d:\n%s", n, out)
	}
	mustNotContain(t, out, "PUT ", "AnsiballZ_", "ansible-tmp-")
	entries, _ := os.ReadDir(c.cache)
	if len(entries) != 1 {
		t.Errorf("the cache holds %d entries, want the binary alone", len(entries))
	}
	sameTree(t, "outside the cache directory, warm", outside, snapshot(t, c.target, c.cache))
	// Ansible's own remote temp dir was not needed either.
	if left, _ := filepath.Glob(filepath.Join(c.scratch, "remote-tmp", "ansible-tmp-*")); len(left) > 0 {
		t.Errorf("temp dirs left: %v", left)
	}
}

// TestBinaryCacheNeverRunsAWrongBinary: whatever sits under the cached
// binary's name, it is run only if its sha256 is the controller's binary's.
// Otherwise a fresh copy replaces it, and nothing outside the cache
// directory is written, even through a planted link.
func TestBinaryCacheNeverRunsAWrongBinary(t *testing.T) {
	c := newCacheEnv(t)
	c.plan()
	marker := filepath.Join(c.target, "PWNED")
	victim := filepath.Join(c.target, "victim")
	for name, plant := range map[string]func(){
		"replaced":  func() { must(t, os.WriteFile(c.cached(), []byte(strings.ReplaceAll(pwned, "%s", marker)), 0o700)) },
		"truncated": func() { must(t, os.Truncate(c.cached(), 1000)) },
		"appended": func() {
			f, err := os.OpenFile(c.cached(), os.O_APPEND|os.O_WRONLY, 0)
			must(t, err)
			_, err = f.WriteString("\n#!/bin/sh\n")
			must(t, err)
			must(t, f.Close())
		},
		"loose mode": func() { must(t, os.Chmod(c.cached(), 0o777)) },
		"link out of the cache": func() {
			must(t, os.WriteFile(victim, []byte(strings.ReplaceAll(pwned, "%s", marker)), 0o700))
			must(t, os.Remove(c.cached()))
			must(t, os.Symlink(victim, c.cached()))
		},
	} {
		t.Run(name, func(t *testing.T) {
			plant()
			before := snapshot(t, c.target, c.cache)
			out := c.plan()
			if _, err := os.Stat(marker); err == nil {
				t.Fatalf("the planted binary ran:\n%s", out)
			}
			mustContain(t, out, c.upload())
			mustNotContain(t, out, "planted")
			c.mustBeInstalled()
			sameTree(t, "outside the cache directory", before, snapshot(t, c.target, c.cache))
		})
	}
}

// TestBinaryCacheHashers: the cache's check uses openssl's sha256 when the
// target has openssl and coreutils' sha256sum when it has not or when
// openssl fails; a hasher that gives a wrong digest is a mismatch, never a
// run: the task falls back to the upload-and-delete path and still runs the
// controller's binary. Wrappers ahead of the real tools on the PATH log each
// call and do what the case asks of them.
func TestBinaryCacheHashers(t *testing.T) {
	realpart.Commands(t, "the cache's sha256 with openssl", "openssl", "openssl")
	const (
		real  = "exec /usr/bin/@TOOL@ \"$@\""
		fails = "exit 1"
		lies  = "echo 0000000000000000000000000000000000000000000000000000000000000000 \"$1\""
	)
	cases := map[string]struct {
		openssl, sha256sum string
		calls              string // the hashers a warm task calls, in order
		fallback           bool   // the cache is not used
	}{
		"openssl":                      {openssl: real, sha256sum: real, calls: "openssl\n"},
		"openssl fails":                {openssl: fails, sha256sum: real, calls: "openssl\nsha256sum\n"},
		"openssl gives a wrong digest": {openssl: lies, sha256sum: real, fallback: true},
		"both fail":                    {openssl: fails, sha256sum: fails, fallback: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c := newCacheEnv(t)
			bin := filepath.Join(c.scratch, "hashers")
			calls := filepath.Join(c.scratch, "hasher-calls")
			must(t, os.MkdirAll(bin, 0o755))
			for tool, body := range map[string]string{"openssl": tc.openssl, "sha256sum": tc.sha256sum} {
				script := "#!/bin/sh\necho " + tool + " >>" + calls + "\n" + strings.ReplaceAll(body, "@TOOL@", tool) + "\n"
				must(t, os.WriteFile(filepath.Join(bin, tool), []byte(script), 0o755))
			}
			environ := []string{"PATH=" + bin + ":" + os.Getenv("PATH")}
			out := c.planWith(environ) // cold
			if tc.fallback {
				mustContain(t, out, "AnsiballZ_kolla_glance_linux_")
				mustWarn(t, out, "kolla.glance.upgrade_plan: the binary cache is not used", "the upload's sha256 is")
				if _, err := os.Stat(c.cached()); err == nil {
					t.Errorf("a binary whose digest was not confirmed is in the cache")
				}
				return
			}
			c.mustBeInstalled()
			must(t, os.Remove(calls))
			out = c.planWith(environ) // warm
			if n := len(cacheCmd.FindAllString(out, -1)); n != 1 {
				t.Errorf("a warm task: want 1 cache command, got %d:\n%s", n, out)
			}
			got, err := os.ReadFile(calls)
			must(t, err)
			if string(got) != tc.calls {
				t.Errorf("the warm task's hashers: got %q, want %q", got, tc.calls)
			}
		})
	}
}

// TestBinaryCacheRefusesAnUnsafeDirectory: a directory others could write
// to or that is not the user's own is not used at all: the task uploads the
// binary into Ansible's temp dir as without the cache, warns, and leaves
// the directory (and a planted binary in it) alone.
func TestBinaryCacheRefusesAnUnsafeDirectory(t *testing.T) {
	cases := map[string]struct {
		root  bool
		setup func(c *cacheEnv)
		warn  string
	}{
		"mode 0777": {setup: func(c *cacheEnv) { must(t, os.Chmod(c.cache, 0o777)) }, warn: "has mode drwxrwxrwx, not drwx------"},
		"mode 0755": {setup: func(c *cacheEnv) { must(t, os.Chmod(c.cache, 0o755)) }, warn: "has mode drwxr-xr-x, not drwx------"},
		"an ACL": {setup: func(c *cacheEnv) {
			out, err := exec.Command("setfacl", "-m", "u:nobody:rwx", c.cache).CombinedOutput()
			if err != nil {
				t.Fatalf("setfacl: %v: %s", err, out)
			}
		}, warn: "has mode drwxrwx---+"},
		"owned by nobody": {root: true, setup: func(c *cacheEnv) { must(t, os.Chown(c.cache, nobody(t), -1)) }, warn: "belongs to uid"},
		"a loose parent":  {setup: func(c *cacheEnv) { must(t, os.Chmod(filepath.Dir(c.cache), 0o777)) }, warn: "has mode drwxrwxrwx: others can replace"},
		"a link": {setup: func(c *cacheEnv) {
			real := c.cache + "-real"
			must(t, os.Rename(c.cache, real))
			must(t, os.Symlink(real, c.cache))
		}, warn: "is not a directory"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if tc.root {
				realpart.Root(t, "chown of the cache directory to another user")
			}
			if name == "an ACL" {
				realpart.Commands(t, "setfacl", "acl", "setfacl")
			}
			c := newCacheEnv(t)
			c.plan()
			marker := filepath.Join(c.target, "PWNED")
			// A binary under the right name that would betray a run. Its
			// sha256 is wrong, but a refused directory is not even read.
			must(t, os.WriteFile(c.cached(), []byte(strings.ReplaceAll(pwned, "%s", marker)), 0o700))
			tc.setup(c)
			before := snapshot(t, c.target, "")
			out := c.plan()
			if _, err := os.Stat(marker); err == nil {
				t.Fatalf("the planted binary ran:\n%s", out)
			}
			mustContain(t, out, "AnsiballZ_kolla_glance_linux_")
			mustWarn(t, out, "kolla.glance.upgrade_plan: the binary cache is not used", tc.warn)
			mustNotContain(t, out, "planted", "/.up-")
			sameTree(t, "the target's files", before, snapshot(t, c.target, ""))
		})
	}
}

// TestBinaryCacheUnderBecome: with become to another user the cache is that
// user's own, the binary is copied into it by that user, and runs as that
// user; the args travel in Ansible's temp dir, made readable to the become
// user the way Ansible does it for modules.
func TestBinaryCacheUnderBecome(t *testing.T) {
	realpart.Root(t, "become to nobody with su")
	c := newCacheEnv(t)
	// nobody's own directories, somewhere nobody can reach.
	base, err := os.MkdirTemp("/tmp", "kolla-glance-become-")
	must(t, err)
	t.Cleanup(func() { os.RemoveAll(base) })
	must(t, os.Chmod(base, 0o755))
	c.cache = filepath.Join(base, "cache")
	cronDir := filepath.Join(base, "cron.d")
	for _, d := range []string{c.cache, cronDir} {
		must(t, os.Mkdir(d, 0o700))
		must(t, os.Chown(d, nobody(t), -1))
	}
	become := []string{"-vvv", "-b", "--become-method", "su", "--become-user", "nobody", "-e", `ansible_become_flags="-s /bin/sh"`,
		"-e", "kolla_glance_binary_cache_dir=" + c.cache}
	for i, want := range []int{2, 1} { // cold, then warm
		r := adHoc(c.env, "cache_cron", "cron_dir="+cronDir+" cron_file=f"+strconv.Itoa(i)+" glance_release=zed", become...)
		if r.code != 0 {
			t.Fatalf("the task failed:\n%s", r.out)
		}
		if n := len(cacheCmd.FindAllString(r.out, -1)); n != want {
			t.Errorf("run %d: want %d cache commands, got %d:\n%s", i, want, n, r.out)
		}
		mustContain(t, r.out, "BECOME-SUCCESS")
		mustNotContain(t, r.out, "AnsiballZ_", "[WARNING]: kolla.glance")
		for _, p := range []string{c.cached(), filepath.Join(cronDir, "f"+strconv.Itoa(i))} {
			st, err := os.Stat(p)
			must(t, err)
			if uid := st.Sys().(*syscall.Stat_t).Uid; int(uid) != nobody(t) {
				t.Errorf("%s belongs to uid %d, not to nobody", p, uid)
			}
		}
	}
}

// TestBinaryCacheOffAsyncAndKeptFiles: the variable turns the cache off,
// and async tasks and ANSIBLE_KEEP_REMOTE_FILES keep Ansible's own path
// (the binary and args in a temp dir, which keep_remote_files keeps).
func TestBinaryCacheOffAsyncAndKeptFiles(t *testing.T) {
	c := newCacheEnv(t)
	out := c.plan("-e", "kolla_glance_binary_cache=false")
	mustContain(t, out, "AnsiballZ_kolla_glance_linux_")
	if cacheCmd.MatchString(out) {
		t.Errorf("the cache ran although it is off:\n%s", out)
	}
	if _, err := os.Stat(c.cache); err == nil {
		t.Errorf("the cache directory was created although the cache is off")
	}

	r := c.run([]string{"ANSIBLE_KEEP_REMOTE_FILES=1"}, "ansible", "-vvv", "-i", "inventory.ini", "localhost", "-m", "kolla.glance.upgrade_plan",
		"-a", "api_hosts=a,b", "-e", "kolla_glance_compute_on=target", "-e", "kolla_glance_binary_cache_dir="+c.cache)
	if r.code != 0 || cacheCmd.MatchString(r.out) {
		t.Fatalf("keep_remote_files (rc=%d):\n%s", r.code, r.out)
	}
	kept, _ := filepath.Glob(filepath.Join(c.scratch, "remote-tmp", "ansible-tmp-*", "AnsiballZ_kolla_glance_linux_*"))
	if len(kept) != 1 {
		t.Errorf("want the binary kept in Ansible's temp dir, found %v", kept)
	}

	r = adHoc(c.env, "upgrade_plan", "api_hosts=a,b", "-vvv", "-B", "60", "-P", "1", "-e", "kolla_glance_binary_cache_dir="+c.cache)
	if r.code != 0 || cacheCmd.MatchString(r.out) {
		t.Fatalf("async (rc=%d):\n%s", r.code, r.out)
	}
	mustContain(t, r.out, "async_wrapper", "AnsiballZ_kolla_glance_linux_")
}

// TestBinaryCachePrunesOldVersions: a new binary is installed beside the
// old ones and all but the three newest versions are removed.
func TestBinaryCachePrunesOldVersions(t *testing.T) {
	c := newCacheEnv(t)
	must(t, os.MkdirAll(c.cache, 0o700))
	var old []string
	for i := 0; i < 4; i++ {
		name := strings.Repeat(strconv.Itoa(i), 64)
		p := filepath.Join(c.cache, name)
		must(t, os.WriteFile(p, []byte("old version"), 0o700))
		// older first: i=0 is the oldest
		ts := int64(1_600_000_000 + i*1000)
		must(t, os.Chtimes(p, timeOf(ts), timeOf(ts)))
		old = append(old, name)
	}
	stale := filepath.Join(c.cache, ".up-0123456789abcdef")
	must(t, os.WriteFile(stale, []byte("an upload left by a killed run"), 0o600))
	must(t, os.Chtimes(stale, timeOf(1_600_000_000), timeOf(1_600_000_000)))
	c.plan()
	var got []string
	entries, _ := os.ReadDir(c.cache)
	for _, e := range entries {
		got = append(got, e.Name())
	}
	want := []string{old[2], old[3], c.sha}
	sort.Strings(want)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("the cache holds %v, want the newest two old versions and the new one %v", got, want)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func nobody(t *testing.T) int {
	t.Helper()
	u, err := user.Lookup("nobody")
	must(t, err)
	uid, err := strconv.Atoi(u.Uid)
	must(t, err)
	return uid
}

func timeOf(unix int64) time.Time { return time.Unix(unix, 0) }

// mustWarn checks that Ansible warned each of wants. Ansible wraps warnings
// at the terminal's width, breaking long paths too, so the comparison
// ignores white space.
func mustWarn(t *testing.T, out string, wants ...string) {
	t.Helper()
	squeeze := func(s string) string { return strings.Join(strings.Fields(s), "") }
	warnings := ""
	for _, block := range strings.Split(out, "[WARNING]:")[1:] {
		warnings += squeeze(block)
	}
	for _, w := range wants {
		if !strings.Contains(warnings, squeeze(w)) {
			t.Errorf("no warning says %q:\n%s", w, out)
		}
	}
}
