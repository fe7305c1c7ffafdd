//go:build reliability

// Package crash checks that kolla.glance.cache_cron never leaves a cron.d
// file half-written: under 50 concurrent runs, when runs are killed with
// SIGKILL at random moments, and when the disk is full. It drives the
// binary that `make dist` builds (plugins/modules/kolla_glance_linux_<arch>)
// the way the action plugin does, with a JSON arguments file that names
// the module, and judges the outcome on the files alone. It needs root (tmpfs
// mounts) and runs with
//
//	go test -count=1 -v -tags reliability ./tests/crash/
package crash

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kolla-glance/kolla-glance/internal/ansible"
	"github.com/kolla-glance/kolla-glance/internal/glance/cachejobs"
	"github.com/kolla-glance/kolla-glance/internal/platforms"
	"github.com/kolla-glance/kolla-glance/internal/realpart"
)

const (
	cronFile = "kolla-glance-cache"
	pruner   = "glance-cache-pruner"
	cleaner  = "glance-cache-cleaner"
	// tempPrefix is the prefix of the module's temporary files.
	tempPrefix = "." + cronFile + ".tmp-"
)

// foreign is a cron.d file someone else wrote: comments, environment
// lines, another ansible.builtin.cron entry, a plain job, blank lines and
// odd spacing. Every byte of it must survive.
const foreign = "# foreign lines, kept byte for byte\n" +
	"SHELL=/bin/sh\n" +
	"MAILTO=\"\"\n" +
	"\n" +
	"#Ansible: other-job\n" +
	"*/10 * * * * root /usr/bin/true other\n" +
	"  \t# odd  spacing \n" +
	"17 *\t* * *  nobody  /bin/echo  x\n" +
	"\n"

// variants are the schedules the runs alternate between: each gives a
// different file.
const variants = 10

func schedules(v int) (prune, clean string) {
	return fmt.Sprintf("%d * * * *", v), fmt.Sprintf("%d %d * * *", 59-v, v)
}

// command is the documented command line for glance_api and release zed,
// written out here rather than taken from the module; timeout is the
// run's bound in seconds.
func command(tool, timeout string) string {
	return "flock -n /run/lock/kolla-glance-" + tool + "-glance_api.lock " + cronDocker() + " exec --user glance glance_api sh -c 'exec timeout -k 10s " +
		timeout + "s " + tool + " --config-file /etc/glance/glance-cache.conf >>/var/log/kolla/glance/" + tool + ".log 2>&1'"
}

// rendering is the complete file variant v must give from foreign. The
// timeouts are derived from the schedules: the pruner runs hourly (90% of
// an hour: 3240 s), the cleaner daily (capped at 3600 s).
func rendering(v int) string {
	p, c := schedules(v)
	return foreign +
		"#Ansible: " + pruner + "\n" + p + " root " + command(pruner, "3240") + "\n" +
		"#Ansible: " + cleaner + "\n" + c + " root " + command(cleaner, "3600") + "\n"
}

// validContents maps every complete content the file may hold to a label.
func validContents() map[string]string {
	valid := map[string]string{foreign: "foreign only"}
	for v := 0; v < variants; v++ {
		valid[rendering(v)] = fmt.Sprintf("variant %d", v)
	}
	return valid
}

func binary(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	tab, err := platforms.Load(root)
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(root, "plugins", "modules", tab.Host())
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("%s is missing: run `make dist` first (%v)", bin, err)
	}
	return bin
}

func needRoot(t *testing.T) {
	t.Helper()
	realpart.Root(t, "tmpfs mounts; cron.d files owned by root")
}

// argsFile writes module arguments as Ansible does for a binary module:
// the user's options plus the _ansible_* keys and the module's name, in one
// JSON object.
func argsFile(t *testing.T, dir string, n int, opts map[string]any) string {
	t.Helper()
	args := map[string]any{
		"_ansible_check_mode":               false,
		"_ansible_diff":                     false,
		"_ansible_no_log":                   false,
		"_ansible_debug":                    false,
		"_ansible_verbosity":                0,
		"_ansible_version":                  "2.14.18",
		"_ansible_module_name":              "kolla.glance.cache_cron",
		"_ansible_syslog_facility":          "LOG_USER",
		"_ansible_selinux_special_fs":       []string{"fuse", "nfs", "vboxsf", "ramfs", "9p", "vfat"},
		"_ansible_string_conversion_action": "warn",
		"_ansible_keep_remote_files":        false,
		"_ansible_remote_tmp":               "~/.ansible/tmp",
		"_ansible_tmpdir":                   dir,
		"_ansible_shell_executable":         "/bin/sh",
		"_ansible_socket":                   nil,
		ansible.ModuleKey:                   "cache_cron",
	}
	for k, v := range opts {
		args[k] = v
	}
	b, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, fmt.Sprintf("args-%d.json", n))
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func variantOpts(cronDir string, v int) map[string]any {
	p, c := schedules(v)
	return map[string]any{"cron_dir": cronDir, "glance_release": "zed", "pruner_schedule": p, "cleaner_schedule": c}
}

type result struct {
	out            map[string]any
	stdout, stderr string
	code           int
}

func (r result) String() string {
	return fmt.Sprintf("rc=%d stdout=%s stderr=%q", r.code, r.stdout, r.stderr)
}

func run(t *testing.T, bin, args string) result {
	t.Helper()
	cmd := exec.Command(bin, args)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		t.Fatalf("run %s: %v", bin, err)
	}
	if err := json.Unmarshal(stdout.Bytes(), &r.out); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, r)
	}
	return r
}

func temps(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), tempPrefix) {
			out = append(out, e.Name())
		}
	}
	return out
}

// checkFile judges the file on its own: it parses, each managed entry is
// there exactly once, and the foreign lines are intact byte for byte.
func checkFile(t *testing.T, content []byte) {
	t.Helper()
	f := cachejobs.ParseFile(content)
	for _, name := range []string{pruner, cleaner} {
		markers, jobs := 0, 0
		for _, l := range f.Lines() {
			if l == "#Ansible: "+name {
				markers++
			}
			if strings.Contains(l, "s "+name+" --config-file ") {
				jobs++
			}
		}
		if markers != 1 || jobs != 1 {
			t.Errorf("%s: %d markers and %d job lines, want 1 and 1:\n%s", name, markers, jobs, content)
		}
		if _, ok := f.Job(name); !ok {
			t.Errorf("%s has a marker without a job line:\n%s", name, content)
		}
	}
	if !bytes.HasPrefix(content, []byte(foreign)) {
		t.Errorf("the foreign lines are not intact:\n%q", content)
	}
	if rest := f.Remove([]string{pruner, cleaner}).Render(); string(rest) != foreign {
		t.Errorf("without the managed entries the file is\n%q\nwant\n%q", rest, foreign)
	}
}

func setup(t *testing.T, content string) (cronDir, argsDir string) {
	t.Helper()
	d := t.TempDir()
	cronDir, argsDir = filepath.Join(d, "cron.d"), filepath.Join(d, "args")
	for _, p := range []string{cronDir, argsDir} {
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(cronDir, cronFile), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return cronDir, argsDir
}

// TestRenderingsMatchTheModule checks the expected renderings the other
// scenarios compare against, one uninterrupted run per variant.
func TestRenderingsMatchTheModule(t *testing.T) {
	needRoot(t)
	bin := binary(t)
	for v := 0; v < variants; v++ {
		cronDir, argsDir := setup(t, foreign)
		r := run(t, bin, argsFile(t, argsDir, 0, variantOpts(cronDir, v)))
		if r.code != 0 || r.out["changed"] != true {
			t.Fatalf("variant %d: %s", v, r)
		}
		got, _ := os.ReadFile(filepath.Join(cronDir, cronFile))
		if string(got) != rendering(v) {
			t.Fatalf("variant %d wrote\n%s\nwant\n%s", v, got, rendering(v))
		}
		checkFile(t, got)
	}
}

// TestConcurrentRuns starts 50 runs at once, each with its own schedules
// and backup=true: they must serialise on the cron dir's lock.
func TestConcurrentRuns(t *testing.T) {
	needRoot(t)
	bin := binary(t)
	const runs = 50
	cronDir, argsDir := setup(t, foreign)
	valid := validContents()
	results := make([]result, runs)
	var wg sync.WaitGroup
	start := make(chan struct{})
	cmds := make([]*exec.Cmd, runs)
	outs := make([][2]*bytes.Buffer, runs)
	for i := 0; i < runs; i++ {
		opts := variantOpts(cronDir, i%variants)
		opts["backup"] = true
		cmds[i] = exec.Command(bin, argsFile(t, argsDir, i, opts))
		outs[i] = [2]*bytes.Buffer{{}, {}}
		cmds[i].Stdout, cmds[i].Stderr = outs[i][0], outs[i][1]
	}
	begin := time.Now()
	for i := 0; i < runs; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			err := cmds[i].Run()
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				results[i].code = ee.ExitCode()
			} else if err != nil {
				results[i].code = -1
			}
			results[i].stdout, results[i].stderr = outs[i][0].String(), outs[i][1].String()
		}(i)
	}
	close(start)
	wg.Wait()
	elapsed := time.Since(begin)

	changed, backups := 0, map[string]bool{}
	for i, r := range results {
		if err := json.Unmarshal([]byte(r.stdout), &r.out); err != nil || r.code != 0 || r.stderr != "" || r.out["failed"] != nil {
			t.Errorf("run %d: %v %s", i, err, r)
			continue
		}
		p, c := schedules(i % variants)
		ents, _ := r.out["entries"].([]any)
		if len(ents) != 2 || ents[0].(map[string]any)["schedule"] != p || ents[1].(map[string]any)["schedule"] != c {
			t.Errorf("run %d returned entries %v", i, r.out["entries"])
		}
		if r.out["changed"] == true {
			changed++
			b, _ := r.out["backup_file"].(string)
			if b == "" || backups[b] {
				t.Errorf("run %d changed the file with backup_file %q (empty or shared with another run)", i, b)
				continue
			}
			backups[b] = true
			content, err := os.ReadFile(b)
			if err != nil {
				t.Errorf("run %d: backup: %v", i, err)
			} else if _, ok := valid[string(content)]; !ok {
				t.Errorf("run %d: backup %s holds a content no run wrote:\n%s", i, b, content)
			}
		} else if r.out["backup_file"] != nil {
			t.Errorf("run %d changed nothing but returned backup_file %v", i, r.out["backup_file"])
		}
	}
	final, err := os.ReadFile(filepath.Join(cronDir, cronFile))
	if err != nil {
		t.Fatal(err)
	}
	label, ok := valid[string(final)]
	if !ok || label == "foreign only" {
		t.Errorf("final file is not one run's complete content (%q):\n%s", label, final)
	}
	checkFile(t, final)
	if st, err := os.Stat(filepath.Join(cronDir, cronFile)); err != nil || st.Mode().Perm() != 0o644 {
		t.Errorf("final file mode: %v %v", st.Mode(), err)
	}
	if left := temps(t, cronDir); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
	baks, _ := filepath.Glob(filepath.Join(cronDir, "."+cronFile+".*.bak"))
	if len(baks) != changed {
		t.Errorf("%d backup files for %d changes", len(baks), changed)
	}
	if changed == 0 {
		t.Errorf("no run changed the file")
	}
	t.Logf("concurrent: runs=%d failed=%d changed=%d backups=%d final=%s temps_left=%d elapsed=%s",
		runs, countFailed(results), changed, len(baks), label, len(temps(t, cronDir)), elapsed.Round(time.Millisecond))
}

func countFailed(rs []result) int {
	n := 0
	for _, r := range rs {
		if r.code != 0 {
			n++
		}
	}
	return n
}

// TestKilledRuns kills 200 runs with SIGKILL 0-5 ms after they start.
// After each one the file must be a complete old or new content, never a
// partial one; temp files left by killed runs go with the next finished
// run.
func TestKilledRuns(t *testing.T) {
	needRoot(t)
	bin := binary(t)
	const runs = 200
	cronDir, argsDir := setup(t, foreign)
	path := filepath.Join(cronDir, cronFile)
	valid := validContents()
	args := make([]string, variants)
	for v := range args {
		args[v] = argsFile(t, argsDir, v, variantOpts(cronDir, v))
	}
	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	var killed, finished, partial, unchanged, updated, leftTemps, maxTemps int
	prev := foreign
	for i := 0; i < runs; i++ {
		want := rendering(i % variants)
		cmd := exec.Command(bin, args[i%variants])
		cmd.Stdout, cmd.Stderr = nil, nil
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rng.Int63n(int64(5*time.Millisecond) + 1)))
		_ = cmd.Process.Signal(syscall.SIGKILL)
		err := cmd.Wait()
		ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
		switch {
		case ws.Signaled() && ws.Signal() == syscall.SIGKILL:
			killed++
		case err == nil:
			finished++
		default:
			t.Fatalf("run %d ended with %v", i, err)
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("run %d: the file is gone: %v", i, err)
		}
		label, ok := valid[string(got)]
		switch {
		case !ok:
			partial++
			t.Errorf("run %d left a partial or foreign content:\n%q", i, got)
		case string(got) == want:
			updated++
		case string(got) == prev:
			unchanged++
		default:
			partial++
			t.Errorf("run %d left %s, neither the old nor the new content", i, label)
		}
		if ok {
			prev = string(got)
		}
		if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o644 {
			t.Errorf("run %d: mode %v %v", i, st.Mode(), err)
		}
		n := len(temps(t, cronDir))
		if n > 0 {
			leftTemps++
		}
		if n > maxTemps {
			maxTemps = n
		}
		if !ws.Signaled() && n > 0 {
			t.Errorf("run %d finished but %d temp files remain", i, n)
		}
		if !ws.Signaled() && string(got) != want {
			t.Errorf("run %d finished without writing its content", i)
		}
	}
	if len(temps(t, cronDir)) == 0 {
		// No kill landed between the temp file's creation and the rename:
		// plant one, as such a kill leaves it.
		if err := os.WriteFile(filepath.Join(cronDir, tempPrefix+"123456"), []byte("* * * * * root partial"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	before := len(temps(t, cronDir))
	r := run(t, bin, args[(runs+1)%variants])
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("the run after the kills failed: %s", r)
	}
	got, _ := os.ReadFile(path)
	if string(got) != rendering((runs+1)%variants) {
		t.Errorf("the run after the kills wrote\n%s", got)
	}
	checkFile(t, got)
	if left := temps(t, cronDir); len(left) > 0 {
		t.Errorf("temp files survived a finished run: %v", left)
	}
	t.Logf("kills: runs=%d killed=%d finished=%d file_unchanged=%d file_updated=%d partial_files=%d kills_leaving_temps=%d max_temps=%d temps_swept_by_next_run=%d",
		runs, killed, finished, unchanged, updated, partial, leftTemps, maxTemps, before)
	if partial != 0 {
		t.Errorf("%d partial files seen", partial)
	}
	if killed == 0 {
		t.Errorf("no run was killed before it finished: the scenario tested nothing")
	}
}

// TestFullDisk runs the module on a full 64 KiB tmpfs: every write fails
// cleanly, naming the file, leaving the old file and no temp or backup
// file, with nothing on stderr.
func TestFullDisk(t *testing.T) {
	needRoot(t)
	bin := binary(t)
	d := t.TempDir()
	cronDir, argsDir := filepath.Join(d, "cron.d"), filepath.Join(d, "args")
	for _, p := range []string{cronDir, argsDir} {
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=64k,mode=0755", "tmpfs", cronDir).CombinedOutput(); err != nil {
		t.Fatalf("mount tmpfs: %v %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", cronDir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", cronDir, err, out)
			_ = exec.Command("umount", "-l", cronDir).Run()
		}
	})
	path := filepath.Join(cronDir, cronFile)
	old := rendering(0)
	if err := os.WriteFile(path, []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	oldStat, _ := os.Stat(path)
	filled := fill(t, filepath.Join(cronDir, "filler"))

	cases := []struct {
		name    string
		opts    map[string]any
		check   bool
		fails   bool
		changed bool
	}{
		{name: "new schedules", opts: variantOpts(cronDir, 1), fails: true},
		{name: "new schedules with backup", opts: withOpt(variantOpts(cronDir, 2), "backup", true), fails: true},
		{name: "state=absent keeping foreign lines", opts: map[string]any{"cron_dir": cronDir, "state": "absent"}, fails: true},
		{name: "check mode", opts: variantOpts(cronDir, 3), check: true, changed: true},
		{name: "nothing to change", opts: variantOpts(cronDir, 0), changed: false},
	}
	failedRuns := 0
	for i, c := range cases {
		opts := c.opts
		if c.check {
			opts = withOpt(opts, "_ansible_check_mode", true)
		}
		r := run(t, bin, argsFile(t, argsDir, i, opts))
		msg, _ := r.out["msg"].(string)
		switch {
		case c.fails:
			if r.code != 1 || r.out["failed"] != true {
				t.Errorf("%s: want failed:true on a full disk, got %s", c.name, r)
			}
			if !strings.Contains(msg, path) || !strings.Contains(msg, "no space left on device") {
				t.Errorf("%s: msg does not name the file and the cause: %q", c.name, msg)
			}
			if r.out["failed"] == true {
				failedRuns++
			}
		default:
			if r.code != 0 || r.out["changed"] != c.changed {
				t.Errorf("%s: want changed=%v, got %s", c.name, c.changed, r)
			}
		}
		if r.stderr != "" {
			t.Errorf("%s: stderr: %q", c.name, r.stderr)
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != old {
			t.Errorf("%s: the old file changed (%v):\n%s", c.name, err, got)
		}
		if st, err := os.Stat(path); err != nil || !os.SameFile(st, oldStat) {
			t.Errorf("%s: the file was replaced", c.name)
		}
		ents, _ := os.ReadDir(cronDir)
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		// os.ReadDir sorts by name
		if strings.Join(names, " ") != "filler "+cronFile {
			t.Errorf("%s: the cron dir holds %v, want only the file and the filler", c.name, names)
		}
		t.Logf("full disk, %s: rc=%d msg=%q", c.name, r.code, msg)
	}

	// With space again, the same run succeeds: the failures were the disk's.
	if err := os.Remove(filepath.Join(cronDir, "filler")); err != nil {
		t.Fatal(err)
	}
	r := run(t, bin, argsFile(t, argsDir, 99, variantOpts(cronDir, 1)))
	got, _ := os.ReadFile(path)
	if r.code != 0 || string(got) != rendering(1) {
		t.Errorf("with free space: %s\n%s", r, got)
	}
	t.Logf("full disk: runs=%d failed_as_expected=%d filler_bytes=%d temps_left=%d", len(cases)+1, failedRuns, filled, len(temps(t, cronDir)))
}

func withOpt(m map[string]any, k string, v any) map[string]any {
	out := map[string]any{k: v}
	for kk, vv := range m {
		if kk != k {
			out[kk] = vv
		}
	}
	return out
}

// fill writes to path until the file system reports ENOSPC and returns the
// bytes written.
func fill(t *testing.T, path string) int {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	total := 0
	for _, size := range []int{4096, 1} {
		chunk := bytes.Repeat([]byte{'x'}, size)
		for {
			n, err := f.Write(chunk)
			total += n
			if errors.Is(err, syscall.ENOSPC) {
				break
			}
			if err != nil {
				t.Fatalf("fill: %v", err)
			}
		}
	}
	return total
}

// cronDocker is how cache_cron writes the docker command: by name when
// cron's PATH (/usr/bin:/bin) finds it, else by its absolute path.
func cronDocker() string {
	for _, dir := range []string{"/usr/bin", "/bin"} {
		if _, err := os.Stat(dir + "/docker"); err == nil {
			return "docker"
		}
	}
	for _, dir := range []string{"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/sbin", "/snap/bin", "/opt/bin"} {
		if _, err := os.Stat(dir + "/docker"); err == nil {
			return dir + "/docker"
		}
	}
	return "docker"
}
