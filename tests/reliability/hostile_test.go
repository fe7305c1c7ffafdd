//go:build reliability

// Package reliability runs hostile argument files against every module
// binary built for this machine (plugins/modules/<module>_linux_<uname -m>,
// from `make dist`). The corpus is data: cases.json lists the cases, the
// small args files are in corpus/, the huge ones are generated here. Every
// case must end in failed: true with a msg naming the problem, exactly one
// JSON object on stdout, nothing on stderr, exit code 1, and nothing
// written: each run gets its own temp dir as HOME, cwd and TMPDIR, cache_cron
// cron_dir values point into it (or the case runs in check mode), and the
// tree is compared before and after. See README.md.
package reliability

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/kolla-glance/kolla-glance/internal/ansible"
	"github.com/kolla-glance/kolla-glance/internal/modules"
	"github.com/kolla-glance/kolla-glance/internal/platforms"
)

// runTimeout bounds one module run; the slowest case (a 10 MB string
// echoed in msg) takes well under a second.
const runTimeout = 2 * time.Minute

// tmpPlaceholder in an args file becomes the case's temp dir.
const tmpPlaceholder = "@TMP@"

type manifest struct {
	Doc   string                    `json:"_doc"`
	Base  map[string]map[string]any `json:"base"`
	Cases []hostileCase             `json:"cases"`
}

// hostileCase is one entry of cases.json.
type hostileCase struct {
	Name string `json:"name"`
	// File is an args file in corpus/; Generate names a generator instead
	// (string, list, nested, nested-objects, padding) that puts a value of
	// Size into the option Option[module] of the module's base args.
	File     string            `json:"file"`
	Generate string            `json:"generate"`
	Size     int               `json:"size"`
	Option   map[string]string `json:"option"`
	// Argv: missing, directory, none (no args file, empty stdin) or two.
	Argv    string   `json:"argv"`
	Modules []string `json:"modules"` // module names, or "*" for every binary
	// Want are fragments of msg (of stdout for check-ok); {module} is the
	// FQCN, {file} the args file's base name, {tmp} the case's temp dir.
	Want       []string            `json:"want"`
	WantModule map[string][]string `json:"want_module"`
	Absent     []string            `json:"absent"` // must not appear on stdout
	Setup      []string            `json:"setup"`  // victim: a regular file; link: a symlink to cron.d
	Expect     string              `json:"expect"` // fail (default) or check-ok
	Note       string              `json:"note"`
}

type row struct {
	name, module, status string
	code                 int
	took                 time.Duration
	stdout               int
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func loadManifest(t *testing.T) manifest {
	t.Helper()
	data, err := os.ReadFile("cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var m manifest
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("cases.json: %v", err)
	}
	seen := map[string]bool{}
	for _, c := range m.Cases {
		if seen[c.Name] {
			t.Fatalf("cases.json: case %q is listed twice", c.Name)
		}
		seen[c.Name] = true
		if (c.File != "") == (c.Generate != "") && c.Argv == "" {
			t.Fatalf("cases.json: case %q needs exactly one of file, generate or argv", c.Name)
		}
	}
	return m
}

// binaries returns module name -> a path that runs the module: a link
// named after the module to the collection's one binary for this machine
// (plugins/modules/kolla_glance_linux_<arch>), which runs the module its
// argv[0] names when the args do not name one.
func binaries(t *testing.T) map[string]string {
	t.Helper()
	tab, err := platforms.Load(repoRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(repoRoot(t), "plugins", "modules", tab.Host())
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("no binary for this machine: %v: run `make dist` first", err)
	}
	links := t.TempDir()
	bins := map[string]string{}
	for _, m := range modules.All() {
		link := filepath.Join(links, m.Spec.Name)
		if err := os.Symlink(bin, link); err != nil {
			t.Fatal(err)
		}
		bins[m.Spec.Name] = link
	}
	return bins
}

func fqcns() map[string]string {
	out := map[string]string{}
	for _, m := range modules.All() {
		out[m.Spec.Name] = m.Spec.FQCN()
	}
	return out
}

// scratch returns a fresh directory: a t.TempDir, or with RELIABILITY_KEEP
// set a directory under it that is kept for reproducing a case by hand.
func scratch(t *testing.T, what string) string {
	t.Helper()
	keep := os.Getenv("RELIABILITY_KEEP")
	if keep == "" {
		return t.TempDir()
	}
	slug := strings.NewReplacer("/", "_", " ", "_").Replace(t.Name())
	dir, err := os.MkdirTemp(keep, slug+"-"+what+"-")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// argsContent returns the bytes of the case's args file for one module.
func argsContent(t *testing.T, m manifest, c hostileCase, module string) []byte {
	t.Helper()
	if c.File != "" {
		data, err := os.ReadFile(filepath.Join("corpus", c.File))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	base := map[string]any{}
	for k, v := range m.Base[module] {
		base[k] = v
	}
	opt := c.Option[module]
	if c.Generate != "padding" && opt == "" {
		t.Fatalf("case %s: no option for module %s", c.Name, module)
	}
	switch c.Generate {
	case "string":
		base[opt] = strings.Repeat("x", c.Size)
	case "list":
		list := make([]string, c.Size)
		for i := range list {
			list[i] = "control01"
		}
		base[opt] = list
	case "padding":
		base["padding"] = strings.Repeat("x", c.Size)
	case "nested", "nested-objects":
		delete(base, opt)
		head, err := json.Marshal(base)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		b.Write(head[:len(head)-1])
		fmt.Fprintf(&b, ",%q:", opt)
		if c.Generate == "nested" {
			b.WriteString(strings.Repeat("[", c.Size))
			b.WriteString(strings.Repeat("]", c.Size))
		} else {
			b.WriteString(strings.Repeat(`{"a":`, c.Size))
			b.WriteString("1")
			b.WriteString(strings.Repeat("}", c.Size))
		}
		b.WriteString("}")
		return b.Bytes()
	default:
		t.Fatalf("case %s: unknown generator %q", c.Name, c.Generate)
	}
	data, err := json.Marshal(base)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// unsafeCacheCron explains why an args file could make cache_cron write
// outside tmp, or returns "": when it decodes as an object, either
// _ansible_check_mode is true (check mode only reads) and no key that
// equals it under case folding could override it, or cron_dir is a plain
// path inside tmp (relative paths resolve from cwd, tmp/work).
func unsafeCacheCron(content []byte, tmp string) string {
	if !utf8.Valid(content) {
		return ""
	}
	dec := json.NewDecoder(bytes.NewReader(content))
	var m map[string]any
	if dec.Decode(&m) != nil || m == nil {
		return ""
	}
	folded := false
	for k := range m {
		folded = folded || (k != "_ansible_check_mode" && strings.EqualFold(k, "_ansible_check_mode"))
	}
	if m["_ansible_check_mode"] == true && !folded {
		return ""
	}
	dir, ok := m["cron_dir"].(string)
	if !ok || strings.ContainsAny(dir, "$~") {
		return fmt.Sprintf("cron_dir %#v may point outside the temp dir and _ansible_check_mode is not true", m["cron_dir"])
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(tmp, "work", dir)
	}
	if c := filepath.Clean(dir); c != tmp && !strings.HasPrefix(c, tmp+"/") {
		return fmt.Sprintf("cron_dir %q is outside the temp dir and _ansible_check_mode is not true", dir)
	}
	return ""
}

// snapshot describes every entry under root (not following symlinks):
// type, mode, size, mtime and link target.
func snapshot(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		desc := fmt.Sprintf("%v %d %d", info.Mode(), info.Size(), info.ModTime().UnixNano())
		if info.Mode()&fs.ModeSymlink != 0 {
			target, _ := os.Readlink(p)
			desc += " -> " + target
		}
		out[p] = desc
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("snapshot %s: %v", root, err)
	}
	return out
}

func diffSnapshots(before, after map[string]string) []string {
	var d []string
	for p, a := range after {
		if b, ok := before[p]; !ok {
			d = append(d, "new: "+p)
		} else if a != b {
			d = append(d, "changed: "+p+" ("+b+" => "+a+")")
		}
	}
	for p := range before {
		if _, ok := after[p]; !ok {
			d = append(d, "removed: "+p)
		}
	}
	sort.Strings(d)
	return d
}

type outcome struct {
	code           int
	stdout, stderr []byte
	took           time.Duration
	timedOut       bool
}

// runCase prepares the case's temp tree, runs the binary and checks the
// expectations. It returns the table status.
func runCase(t *testing.T, m manifest, c hostileCase, module, bin, fqcn string) (string, outcome) {
	tmp := scratch(t, "tree")
	for _, d := range []string{"home", "work", "tmp", "cron.d"} {
		if err := os.MkdirAll(filepath.Join(tmp, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range c.Setup {
		switch s {
		case "victim":
			if err := os.WriteFile(filepath.Join(tmp, "victim"), []byte("must survive\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		case "link":
			if err := os.Symlink(filepath.Join(tmp, "cron.d"), filepath.Join(tmp, "link")); err != nil {
				t.Fatal(err)
			}
		case "cron.d":
		default:
			t.Fatalf("unknown setup %q", s)
		}
	}
	argsDir := scratch(t, "args")
	fileName := c.File
	if fileName == "" {
		fileName = strings.NewReplacer("/", "-").Replace(c.Name) + ".json"
	}
	argsPath := filepath.Join(argsDir, fileName)
	argv := []string{argsPath}
	switch c.Argv {
	case "":
		content := bytes.ReplaceAll(argsContent(t, m, c, module), []byte(tmpPlaceholder), []byte(tmp))
		if module == "cache_cron" {
			if why := unsafeCacheCron(content, tmp); why != "" {
				t.Fatalf("refusing to run an unsafe case: %s", why)
			}
		}
		if err := os.WriteFile(argsPath, content, 0o600); err != nil {
			t.Fatal(err)
		}
	case "missing":
	case "directory":
		if err := os.Mkdir(argsPath, 0o700); err != nil {
			t.Fatal(err)
		}
	case "none":
		argv = nil
	case "two":
		second := filepath.Join(argsDir, "second.json")
		for _, p := range []string{argsPath, second} {
			if err := os.WriteFile(p, []byte(`{"cron_dir": "`+tmp+`/cron.d"}`), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		argv = append(argv, second)
	default:
		t.Fatalf("unknown argv %q", c.Argv)
	}

	before := snapshot(t, tmp)
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, argv...)
	cmd.Dir = filepath.Join(tmp, "work")
	cmd.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=" + filepath.Join(tmp, "home"), "TMPDIR=" + filepath.Join(tmp, "tmp"), "LANG=C.UTF-8"}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	if err != nil && !errors.As(err, new(*exec.ExitError)) {
		t.Fatalf("run %s: %v", bin, err)
	}
	o := outcome{code: cmd.ProcessState.ExitCode(), stdout: stdout.Bytes(), stderr: stderr.Bytes(), took: time.Since(start), timedOut: ctx.Err() != nil}
	if os.Getenv("RELIABILITY_KEEP") != "" {
		t.Logf("reproduce: cd %s && HOME=%s %s %s", cmd.Dir, filepath.Join(tmp, "home"), bin, strings.Join(argv, " "))
	}

	subst := strings.NewReplacer("{module}", fqcn, "{file}", fileName, "{tmp}", tmp)
	var problems []string
	fail := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	// What no case may do, whatever it expects.
	if o.timedOut {
		fail("no result within %v", runTimeout)
	}
	if len(o.stderr) > 0 {
		fail("stderr is not empty: %q", clip(o.stderr))
	}
	dec := json.NewDecoder(bytes.NewReader(o.stdout))
	var res map[string]any
	if err := dec.Decode(&res); err != nil || res == nil {
		fail("stdout is not a JSON object (%v): %q", err, clip(o.stdout))
	} else if rest := bytes.TrimSpace(o.stdout[dec.InputOffset():]); len(rest) > 0 {
		fail("stdout holds more than one JSON value: %q", clip(rest))
	}
	if bytes.Contains(o.stdout, []byte("goroutine ")) || bytes.Contains(o.stdout, []byte("panicked")) {
		fail("stdout shows a panic: %q", clip(o.stdout))
	}
	for _, a := range c.Absent {
		if bytes.Contains(o.stdout, []byte(a)) {
			fail("stdout contains %q", a)
		}
	}
	if d := diffSnapshots(before, snapshot(t, tmp)); len(d) > 0 {
		fail("the run wrote to its temp tree: %s", strings.Join(d, "; "))
	}

	want := append(append([]string{}, c.Want...), c.WantModule[module]...)
	msg, _ := res["msg"].(string)
	accepted := o.code == 0 && res != nil && res["failed"] != true
	_ = accepted
	switch c.Expect {
	case "", "fail":
		if o.code != 1 {
			fail("exit code %d, want 1", o.code)
		}
		if res != nil && (res["failed"] != true || res["changed"] != false) {
			fail("failed=%v changed=%v, want failed=true changed=false", res["failed"], res["changed"])
		}
		if strings.TrimSpace(msg) == "" && res != nil {
			fail("no msg")
		}
		for _, w := range want {
			if w = subst.Replace(w); !strings.Contains(msg, w) {
				fail("msg lacks %q; msg: %q", w, clip([]byte(msg)))
			}
		}
	case "check-ok":
		if o.code != 0 || !accepted {
			fail("exit code %d, failed=%v, want success in check mode: %q", o.code, res["failed"], clip([]byte(msg)))
		}
		for _, w := range want {
			if w = subst.Replace(w); !bytes.Contains(o.stdout, []byte(w)) {
				fail("stdout lacks %q: %q", w, clip(o.stdout))
			}
		}
	default:
		t.Fatalf("unknown expect %q", c.Expect)
	}

	if len(problems) > 0 {
		for _, p := range problems {
			t.Error(p)
		}
		return "FAIL", o
	}
	return "ok", o
}

func clip(b []byte) string {
	const max = 600
	if len(b) <= max {
		return string(b)
	}
	return fmt.Sprintf("%s... (%d bytes)", b[:max], len(b))
}

func caseModules(c hostileCase, bins map[string]string) []string {
	var mods []string
	for _, m := range c.Modules {
		if m == "*" {
			for b := range bins {
				mods = append(mods, b)
			}
			continue
		}
		mods = append(mods, m)
	}
	sort.Strings(mods)
	return mods
}

// TestHostile runs every case of cases.json against every module binary it
// names. Run one case: go test -tags reliability -run 'TestHostile/<case name>' ./tests/reliability/
func TestHostile(t *testing.T) {
	m := loadManifest(t)
	bins := binaries(t)
	names := fqcns()
	cronD := snapshot(t, "/etc/cron.d")
	var rows []row
	for _, c := range m.Cases {
		mods := caseModules(c, bins)
		for _, module := range mods {
			bin, ok := bins[module]
			if !ok {
				t.Errorf("case %s: no binary for module %s", c.Name, module)
				continue
			}
			name := c.Name
			if len(c.Modules) != 1 || c.Modules[0] == "*" {
				name += "/" + module
			}
			var status string
			var o outcome
			passed := t.Run(name, func(t *testing.T) {
				status, o = runCase(t, m, c, module, bin, names[module])
			})
			switch {
			case status == "" && passed:
				continue // not selected by -run
			case status == "":
				status = "FAIL" // stopped by t.Fatal
			}
			rows = append(rows, row{name: c.Name, module: module, status: status, code: o.code, took: o.took, stdout: len(o.stdout)})
		}
	}
	if d := diffSnapshots(cronD, snapshot(t, "/etc/cron.d")); len(d) > 0 {
		t.Errorf("/etc/cron.d changed during the run: %s", strings.Join(d, "; "))
	}

	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "case\tmodule\tok\texit\tms\tstdout bytes")
	counts := map[string]int{}
	for _, r := range rows {
		counts[r.status]++
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\n", r.name, r.module, r.status, r.code, r.took.Milliseconds(), r.stdout)
	}
	tw.Flush()
	t.Logf("hostile corpus: %d runs: %d ok, %d FAIL\n%s", len(rows), counts["ok"], counts["FAIL"], b.String())
}

// TestCorpusCoversEveryOption checks that the wrong-type cases give a wrong
// JSON type to every option and sub-option of every module.
func TestCorpusCoversEveryOption(t *testing.T) {
	m := loadManifest(t)
	for _, mod := range modules.All() {
		spec := mod.Spec
		var fragments []string
		for _, c := range m.Cases {
			if !strings.Contains(c.Name, "/wrong-type/") {
				continue
			}
			for _, cm := range c.Modules {
				if cm == spec.Name || cm == "*" {
					fragments = append(fragments, c.Want...)
					fragments = append(fragments, c.WantModule[spec.Name]...)
				}
			}
		}
		covered := func(opt, parent string) bool {
			for _, f := range fragments {
				if parent == "" && (strings.HasPrefix(f, "argument '"+opt+"' is of type") && !strings.Contains(f, "found in")) {
					return true
				}
				if parent != "" && strings.HasPrefix(f, "argument '"+opt+"' is of type") && strings.Contains(f, "found in '"+parent+"'") {
					return true
				}
			}
			return false
		}
		var walk func(opts []ansible.Option, parent string)
		walk = func(opts []ansible.Option, parent string) {
			for _, o := range opts {
				if !covered(o.Name, parent) {
					t.Errorf("%s: option %s%s gets no wrong JSON type in a */wrong-type/* case of cases.json", spec.Name, strings.TrimPrefix(parent+".", "."), o.Name)
				}
				walk(o.Options, o.Name)
			}
		}
		walk(spec.Options, "")
	}
}

// TestCorpusFilesAreListed checks that corpus/ and cases.json agree.
func TestCorpusFilesAreListed(t *testing.T) {
	m := loadManifest(t)
	listed := map[string]bool{}
	for _, c := range m.Cases {
		if c.File == "" {
			continue
		}
		listed[c.File] = true
		if _, err := os.Stat(filepath.Join("corpus", c.File)); err != nil {
			t.Errorf("case %s: %v", c.Name, err)
		}
	}
	entries, err := os.ReadDir("corpus")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !listed[e.Name()] {
			t.Errorf("corpus/%s is not used by any case of cases.json", e.Name())
		}
	}
}
