package main

import (
	"bufio"
	"bytes"
	"debug/elf"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// pair is one row family of the per-task table: our task against its
// Python/Jinja equivalent.
type pair struct {
	Label   string
	Ours    string // case names (cases.tsv)
	Python  string
	Targets map[string]target // by connection
}

var cronTargets = map[string]target{"local": {Value: 0.35}, "ssh": {Strict: true, Value: 1.0}}
var computeTargets = map[string]target{"local": {Value: 1.5}, "ssh": {Value: 1.5}}

var pairs = []pair{
	{"cache_cron vs 2× ansible.builtin.cron, idempotent", "cc-idem", "cron-idem", cronTargets},
	{"cache_cron vs 2× ansible.builtin.cron, first write", "cc-first", "cron-first", cronTargets},
	{"backends (on the controller) vs set_fact", "backends-ctrl", "sf-backends", computeTargets},
	{"backends (compute_on=target) vs set_fact", "backends-target", "sf-backends", computeTargets},
	{"upgrade_plan (on the controller) vs set_fact", "plan-ctrl", "sf-plan", computeTargets},
	{"upgrade_plan (compute_on=target) vs set_fact", "plan-target", "sf-plan", computeTargets},
}

// caseInfo says what a case's playbook runs, for the table of every playbook.
var caseInfo = map[string]string{
	"empty":           "only the setup task (the baseline)",
	"cc-idem":         "kolla.glance.cache_cron, file already right",
	"cron-idem":       "2 ansible.builtin.cron tasks, file already right",
	"cc-first":        "kolla.glance.cache_cron, new file each task",
	"cron-first":      "2 ansible.builtin.cron tasks, new file each pair",
	"backends-ctrl":   "kolla.glance.backends, run on the controller",
	"backends-target": "kolla.glance.backends, kolla_glance_compute_on=target",
	"sf-backends":     "set_fact with kolla-ansible's backend Jinja",
	"plan-ctrl":       "kolla.glance.upgrade_plan (3 hosts), on the controller",
	"plan-target":     "kolla.glance.upgrade_plan (3 hosts), compute_on=target",
	"sf-plan":         "set_fact building kolla-ansible's step list (3 hosts)",
}

var connections = []string{"local", "ssh"}

type hfFile struct {
	Results []struct {
		Command string    `json:"command"`
		Times   []float64 `json:"times"`
	} `json:"results"`
}

// loadHyperfine merges the timed runs of every command across the given
// hyperfine JSON exports (one per round and group).
func loadHyperfine(paths ...string) (map[string]sample, []string, error) {
	out := map[string]sample{}
	var order []string
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, nil, err
		}
		var f hfFile
		if err := json.Unmarshal(data, &f); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", p, err)
		}
		for _, r := range f.Results {
			if _, seen := out[r.Command]; !seen {
				order = append(order, r.Command)
			}
			out[r.Command] = append(out[r.Command], r.Times...)
		}
	}
	return out, order, nil
}

type caseRow struct {
	N     int
	Group string
}

func loadCases(path string) (map[string]caseRow, []string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	out := map[string]caseRow{}
	var order []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t")
		if len(fields) != 3 {
			continue
		}
		n, err := strconv.Atoi(fields[1])
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %q: %w", path, sc.Text(), err)
		}
		out[fields[0]] = caseRow{N: n, Group: fields[2]}
		order = append(order, fields[0])
	}
	return out, order, sc.Err()
}

func loadMeta(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	for _, l := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(l, "\t"); ok {
			m[k] = v
		}
	}
	return m, nil
}

// goBench is one benchmark's results over -count runs.
type goBench struct {
	Pkg, Name string
	NsOp      sample
	BOp       sample
	AllocsOp  sample
	OutBytes  sample
}

var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+(.*)$`)

func parseGoBench(r io.Reader) ([]*goBench, error) {
	var out []*goBench
	byKey := map[string]*goBench{}
	pkg := ""
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if p, ok := strings.CutPrefix(line, "pkg: "); ok {
			pkg = p
			continue
		}
		m := benchLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		key := pkg + " " + m[1]
		b := byKey[key]
		if b == nil {
			b = &goBench{Pkg: pkg, Name: m[1]}
			byKey[key] = b
			out = append(out, b)
		}
		f := strings.Fields(m[2])
		for i := 0; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return nil, fmt.Errorf("%q: %w", line, err)
			}
			switch f[i+1] {
			case "ns/op":
				b.NsOp = append(b.NsOp, v)
			case "B/op":
				b.BOp = append(b.BOp, v)
			case "allocs/op":
				b.AllocsOp = append(b.AllocsOp, v)
			case "out-bytes":
				b.OutBytes = append(b.OutBytes, v)
			}
		}
	}
	return out, sc.Err()
}

// hostsOf returns the n of a ".../hosts=n" benchmark name.
func hostsOf(name string) int {
	_, v, ok := strings.Cut(name, "hosts=")
	if !ok {
		return 0
	}
	n, _ := strconv.Atoi(v)
	return n
}

type sizeRow struct {
	Module, Arch, Variant string
	Bytes                 int64
}

func loadSizes(path string) ([]sizeRow, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []sizeRow
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		f := strings.Split(l, "\t")
		if len(f) != 4 {
			continue
		}
		n, err := strconv.ParseInt(f[3], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: %q: %w", path, l, err)
		}
		out = append(out, sizeRow{f[0], f[1], f[2], n})
	}
	return out, nil
}

// elfFacts says whether a binary is statically linked and stripped.
func elfFacts(path string) (static, stripped bool, err error) {
	f, err := elf.Open(path)
	if err != nil {
		return false, false, err
	}
	defer f.Close()
	static = true
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			static = false
		}
	}
	return static, f.Section(".symtab") == nil, nil
}

// ---- formatting -------------------------------------------------------

type table struct {
	head  []string
	right []bool // right-aligned columns
	rows  [][]string
}

func newTable(head ...string) *table {
	t := &table{head: head, right: make([]bool, len(head))}
	for i, h := range head {
		// Headers ending in a unit or a count are numbers.
		if strings.HasSuffix(h, ")") || strings.HasPrefix(h, "N") || strings.HasPrefix(h, "runs") {
			t.right[i] = true
		}
	}
	return t
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

func (t *table) String() string {
	w := make([]int, len(t.head))
	for i, h := range t.head {
		w[i] = runeLen(h)
	}
	for _, r := range t.rows {
		for i, c := range r {
			if n := runeLen(c); n > w[i] {
				w[i] = n
			}
		}
	}
	var b strings.Builder
	line := func(cells []string) {
		b.WriteString("|")
		for i, c := range cells {
			pad := strings.Repeat(" ", w[i]-runeLen(c))
			if t.right[i] {
				b.WriteString(" " + pad + c + " |")
			} else {
				b.WriteString(" " + c + pad + " |")
			}
		}
		b.WriteString("\n")
	}
	line(t.head)
	b.WriteString("|")
	for i := range t.head {
		if t.right[i] {
			b.WriteString(strings.Repeat("-", w[i]+1) + ":|")
		} else {
			b.WriteString(strings.Repeat("-", w[i]+2) + "|")
		}
	}
	b.WriteString("\n")
	for _, r := range t.rows {
		line(r)
	}
	return b.String()
}

func runeLen(s string) int { return len([]rune(s)) }

func trimFloat(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func ms(sec float64) string {
	if math.IsNaN(sec) {
		return "n/a"
	}
	v := sec * 1000
	switch {
	case math.Abs(v) >= 100:
		return fmt.Sprintf("%.0f", v)
	case math.Abs(v) >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}

func ratioStr(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "n/a"
	}
	if v >= 10 {
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

func bytesStr(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "−" + b.String()
	}
	return b.String()
}

func mb(n int64) string { return fmt.Sprintf("%.2f", float64(n)/1e6) }

func nsStr(ns float64) string {
	switch {
	case ns >= 1e6:
		return fmt.Sprintf("%.2f ms", ns/1e6)
	case ns >= 1e3:
		return fmt.Sprintf("%.1f µs", ns/1e3)
	default:
		return fmt.Sprintf("%.0f ns", ns)
	}
}

func verdict(t target, r ratio) string {
	pass := t.met(r.Value)
	borderline := t.met(r.Low) != t.met(r.High)
	s := "FAIL"
	if pass {
		s = "pass"
	}
	if borderline {
		s += " (within noise)"
	}
	return s
}

// ---- the report ---------------------------------------------------------

type report struct {
	meta     map[string]string
	cases    map[string]caseRow
	order    []string
	times    map[string]sample
	benches  []*goBench
	binary   map[string]sample
	binOrder []string
	ssh      map[string]sample
	sshOrder []string
	sizes    []sizeRow
	modules  string
}

func reportCmd(args []string) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	dir := fs.String("results", "", "the bench's results directory")
	modules := fs.String("modules", "plugins/modules", "where the dist binaries are")
	doc := fs.String("doc", "docs/benchmarks.md", "markdown file to write")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" {
		return fmt.Errorf("-results is required")
	}
	r := &report{modules: *modules}
	var err error
	if r.meta, err = loadMeta(filepath.Join(*dir, "meta.tsv")); err != nil {
		return err
	}
	if r.cases, r.order, err = loadCases(filepath.Join(*dir, "cases.tsv")); err != nil {
		return err
	}
	hf, err := filepath.Glob(filepath.Join(*dir, "hf", "*.json"))
	if err != nil {
		return err
	}
	sort.Strings(hf)
	if r.times, _, err = loadHyperfine(hf...); err != nil {
		return err
	}
	if r.binary, r.binOrder, err = loadHyperfine(filepath.Join(*dir, "binary.json")); err != nil {
		return err
	}
	if r.ssh, r.sshOrder, err = loadHyperfine(filepath.Join(*dir, "ssh.json")); err != nil {
		return err
	}
	gb, err := os.Open(filepath.Join(*dir, "gobench.txt"))
	if err != nil {
		return err
	}
	defer gb.Close()
	if r.benches, err = parseGoBench(gb); err != nil {
		return err
	}
	if r.sizes, err = loadSizes(filepath.Join(*dir, "sizes.tsv")); err != nil {
		return err
	}
	body, err := r.tables()
	if err != nil {
		return err
	}
	fmt.Print(r.header(false) + body)
	return os.WriteFile(*doc, []byte(r.header(true)+body+r.howMeasured()), 0o644)
}

func (r *report) header(doc bool) string {
	var b strings.Builder
	m := r.meta
	elapsed := m["elapsed"]
	if s, err := strconv.Atoi(elapsed); err == nil {
		elapsed = fmt.Sprintf("%d min %02d s", s/60, s%60)
	}
	if doc {
		b.WriteString("# Benchmarks\n\n")
		b.WriteString("Generated by `make bench` (tests/bin/bench); do not edit by hand, run it again.\n")
		b.WriteString("Method and caveats: [How measured](#how-measured) at the end.\n\n")
	} else {
		b.WriteString("\n# make bench\n\n")
	}
	fmt.Fprintf(&b, "- **Date**: %s\n", m["date"])
	fmt.Fprintf(&b, "- **Command**: `make bench` (tests/bin/bench ran %s, after make deps dist)\n", elapsed)
	fmt.Fprintf(&b, "- **Machine**: %s CPUs (nproc), %s; %s\n", m["nproc"], m["cpu"], m["os"])
	fmt.Fprintf(&b, "- **Load average** (1, 5, 15 min): %s at the start, %s at the end\n", m["load_start"], m["load_end"])
	fmt.Fprintf(&b, "- **Tools**: %s; %s; %s; %s\n", m["ansible"], m["go"], m["hyperfine"], m["openssh"])
	b.WriteString("\n")
	return b.String()
}

func (r *report) tables() (string, error) {
	var b strings.Builder
	runs, _ := strconv.Atoi(r.meta["runs"])
	rounds, _ := strconv.Atoi(r.meta["rounds"])

	// 1. per-task cost
	fmt.Fprintf(&b, "## 1. Per-task cost under ansible-playbook\n\n")
	fmt.Fprintf(&b, "Per task = (mean time of the playbook with N tasks − mean time of the same playbook with none) / N, "+
		"over %d timed runs of each playbook (%d rounds × %d); ± is one standard error. "+
		"Ratio = ours / Python, with the range ± one standard error gives; the median ratio uses medians instead of means.\n\n",
		rounds*runs, rounds, runs)
	t := newTable("pair", "connection", "N", "ours (ms/task)", "Python (ms/task)", "ratio (range)", "median ratio", "target", "result")
	for _, p := range pairs {
		for _, conn := range connections {
			ours, okO := r.estimate(conn, p.Ours)
			py, okP := r.estimate(conn, p.Python)
			if !okO || !okP {
				t.add(p.Label, conn, "", "missing", "missing", "", "", p.Targets[conn].String(), "n/a")
				continue
			}
			rt := ratioOf(ours, py)
			nCell := strconv.Itoa(ours.N)
			if ours.N != py.N {
				nCell = fmt.Sprintf("%d/%d", ours.N, py.N)
			}
			t.add(p.Label, conn, nCell,
				ms(ours.Mean)+" ± "+ms(ours.SE), ms(py.Mean)+" ± "+ms(py.SE),
				fmt.Sprintf("%s (%s–%s)", ratioStr(rt.Value), ratioStr(rt.Low), ratioStr(rt.High)),
				ratioStr(rt.Median), p.Targets[conn].String(), verdict(p.Targets[conn], rt))
		}
	}
	b.WriteString(t.String())
	b.WriteString("\nThe cron pairs compare one cache_cron task with the two ansible.builtin.cron tasks that write the same two entries " +
		"(the files are byte for byte the same, checked before timing). N counts cache_cron tasks, so the Python playbook runs 2N tasks.\n\n")

	// every playbook
	b.WriteString("### Every timed playbook (the spread)\n\n")
	t = newTable("connection", "playbook", "what each task runs", "N", "runs", "mean (s)", "sd (s)", "median (s)", "min (s)", "max (s)")
	for _, conn := range connections {
		for _, c := range r.order {
			s, ok := r.times[conn+"/"+c]
			if !ok {
				continue
			}
			t.add(conn, c, caseInfo[c], strconv.Itoa(r.cases[c].N), strconv.Itoa(len(s)),
				fmt.Sprintf("%.3f", s.mean()), fmt.Sprintf("%.3f", s.sd()), fmt.Sprintf("%.3f", s.median()),
				fmt.Sprintf("%.3f", s.min()), fmt.Sprintf("%.3f", s.max()))
		}
	}
	b.WriteString(t.String())
	b.WriteString("\n")

	b.WriteString("### Where the time goes over SSH\n\n")
	b.WriteString("What a binary module adds to each task over SSH, timed through the same master connection " +
		"(hyperfine, 20 runs): Ansible uploads the binary and the args file with sftp and runs four commands " +
		"(mkdir of the temp dir, chmod, the module, rm). A Python module without pipelining uploads one AnsiballZ " +
		"file (tens of kB) and runs the same commands, plus a Python start on the target.\n\n")
	t = newTable("operation", "runs", "mean (ms)", "sd (ms)", "median (ms)", "min (ms)")
	for _, name := range r.sshOrder {
		s := r.ssh[name]
		t.add(name, strconv.Itoa(len(s)), ms(s.mean()), ms(s.sd()), ms(s.median()), ms(s.min()))
	}
	b.WriteString(t.String())
	b.WriteString("\n")

	// 2. sizes
	sz, err := r.sizeTables()
	if err != nil {
		return "", err
	}
	b.WriteString(sz)

	// 3. planning
	b.WriteString(r.planTables())
	b.WriteString(r.notes())
	return b.String(), nil
}

// notes explains the figures a reader would stop at, with this run's numbers.
func (r *report) notes() string {
	var b strings.Builder
	b.WriteString("## Notes on these figures\n\n")
	sf, ok1 := r.estimate("ssh", "sf-backends")
	tg, ok2 := r.estimate("ssh", "backends-target")
	ctl, ok3 := r.estimate("ssh", "backends-ctrl")
	var up, upPlain sample
	for _, name := range r.sshOrder {
		switch {
		case strings.Contains(name, "binary") && strings.Contains(name, "compression on"):
			up = r.ssh[name]
		case strings.Contains(name, "binary") && strings.Contains(name, "compression off"):
			upPlain = r.ssh[name]
		}
	}
	if ok1 && ok2 && ok3 && len(up) > 0 && len(upPlain) > 0 {
		fmt.Fprintf(&b, "- **compute_on=target over SSH cannot meet a set_fact target**: set_fact never leaves the controller "+
			"(%s ms/task here), while the target path uploads the whole binary on every task (%s ms for the sftp PUT alone "+
			"with Ansible's default compression, %s ms without) and runs four commands there: %s ms/task. "+
			"That is why the compute-only modules run on the controller by default (%s ms/task, %s× set_fact).\n",
			ms(sf.Mean), ms(up.median()), ms(upPlain.median()), ms(tg.Mean), ms(ctl.Mean), ratioStr(ctl.Mean/sf.Mean))
	}
	get := map[string]int64{}
	for _, s := range r.sizes {
		get[s.Module+"/"+s.Arch+"/"+s.Variant] = s.Bytes
	}
	aligned := true
	for _, m := range []string{"backends", "upgrade_plan", "cache_cron"} {
		for a, unit := range map[string]int64{"x86_64": 4096, "aarch64": 65536} {
			for _, pair := range [][2]string{{"sw", "trimpath"}, {"trimpath", "noinline"}} {
				if d := get[m+"/"+a+"/"+pair[0]] - get[m+"/"+a+"/"+pair[1]]; d%unit != 0 {
					aligned = false
				}
			}
		}
	}
	if aligned {
		b.WriteString("- **Size steps come in whole pages**: once symbols are stripped, the savings of -trimpath and " +
			"-gcflags=all=-l are whole multiples of 4,096 B on x86_64 and 65,536 B on aarch64, the segment alignment of " +
			"Go's ELF output. -trimpath's real saving (shorter file names in the line tables) is smaller than a page, " +
			"so it shows as 0 or one page.\n")
	}
	for _, a := range []string{"x86_64", "aarch64"} {
		bk, up := get["backends/"+a+"/dist"], get["upgrade_plan/"+a+"/dist"]
		if bk == 0 || bk != up {
			continue
		}
		x, errX := os.ReadFile(filepath.Join(r.modules, "backends_linux_"+a))
		y, errY := os.ReadFile(filepath.Join(r.modules, "upgrade_plan_linux_"+a))
		if errX == nil && errY == nil && !bytes.Equal(x, y) {
			fmt.Fprintf(&b, "- **backends and upgrade_plan have the same size on %s (%s B)**, a coincidence of that padding: "+
				"the files differ.\n", a, bytesStr(bk))
		}
	}
	medians := map[string]float64{}
	for _, gb := range r.benches {
		medians[gb.Name] = gb.NsOp.median()
	}
	runT, okR := medians["BenchmarkUpgradePlanRun/hosts=1000"]
	execT, okE := medians["BenchmarkUpgradePlanExecute/hosts=1000"]
	bin := r.binary["upgrade_plan binary, 1000 hosts"]
	if okR && okE && len(bin) > 0 {
		fmt.Fprintf(&b, "- **Planning is not where a big plan's time goes**: at 1,000 hosts planning inside the module takes %s, "+
			"but decoding the args and encoding the ~1 MB JSON result brings it to %s in-process, and the whole binary "+
			"(a fresh process whose heap starts empty) takes %s ms (median).\n", nsStr(runT), nsStr(execT), ms(bin.median()))
	}
	b.WriteString("\n")
	return b.String()
}

func (r *report) estimate(conn, c string) (estimate, bool) {
	timed, ok := r.times[conn+"/"+c]
	empty, okE := r.times[conn+"/empty"]
	info, okC := r.cases[c]
	if !ok || !okE || !okC {
		return estimate{}, false
	}
	return perTask(timed, empty, info.N), true
}

var sizeTarget = target{Value: 2.5}

func (r *report) sizeTables() (string, error) {
	var b strings.Builder
	get := map[string]int64{}
	for _, s := range r.sizes {
		get[s.Module+"/"+s.Arch+"/"+s.Variant] = s.Bytes
	}
	modules := []string{"backends", "upgrade_plan", "cache_cron"}
	arches := []string{"x86_64", "aarch64"}

	b.WriteString("## 2. Binary sizes\n\n")
	b.WriteString("The binaries `make dist` puts in plugins/modules (static, stripped, -trimpath, -gcflags=all=-l). MB = 10⁶ bytes.\n\n")
	t := newTable("module", "arch", "bytes (B)", "size (MB)", "size (MiB)", "static", "stripped", "target", "result")
	for _, m := range modules {
		for _, a := range arches {
			n, ok := get[m+"/"+a+"/dist"]
			if !ok {
				continue
			}
			static, stripped, err := elfFacts(filepath.Join(r.modules, m+"_linux_"+a))
			if err != nil {
				return "", err
			}
			res := "FAIL"
			if sizeTarget.met(float64(n) / 1e6) {
				res = "pass"
			}
			t.add(m, a, bytesStr(n), mb(n), fmt.Sprintf("%.2f", float64(n)/(1<<20)), yesNo(static), yesNo(stripped), sizeTarget.String()+" MB", res)
		}
	}
	b.WriteString(t.String())

	b.WriteString("\n### What shrank them\n\n")
	b.WriteString("Each module rebuilt by the bench, adding one flag at a time (CGO_ENABLED=0 and GOOS/GOARCH in every build). " +
		"Each cell: size in bytes, then the saving of that step. The last column is the whole saving from a plain `go build`. " +
		"`-ldflags` also carries the `-X` version stamp `make dist` adds.\n\n")
	t = newTable("module", "arch", "plain go build (B)", "+ -ldflags=-s -w (B)", "+ -trimpath (B)", "+ -gcflags=all=-l (B)", "total saving (B)", "same as make dist")
	steps := []string{"plain", "sw", "trimpath", "noinline"}
	stepSum := make([]float64, len(steps))
	stepCount := 0
	for _, m := range modules {
		for _, a := range arches {
			var cells []string
			ok := true
			prev := int64(0)
			for i, v := range steps {
				n, found := get[m+"/"+a+"/"+v]
				if !found {
					ok = false
					break
				}
				if i == 0 {
					cells = append(cells, bytesStr(n))
				} else {
					d := n - prev
					cells = append(cells, fmt.Sprintf("%s (%s, %.1f%%)", bytesStr(n), bytesStr(d), 100*float64(d)/float64(prev)))
					stepSum[i] += 100 * float64(d) / float64(prev)
				}
				prev = n
			}
			if !ok {
				continue
			}
			stepCount++
			plain := get[m+"/"+a+"/plain"]
			last := get[m+"/"+a+"/noinline"]
			cells = append(cells, fmt.Sprintf("%s (%.1f%%)", bytesStr(last-plain), 100*float64(last-plain)/float64(plain)))
			cells = append(cells, r.meta["identical_"+m+"_"+a])
			t.add(append([]string{m, a}, cells...)...)
		}
	}
	b.WriteString(t.String())
	if stepCount > 0 {
		fmt.Fprintf(&b, "\nMean saving per step: -ldflags=-s -w %.1f%%, -trimpath %.1f%%, -gcflags=all=-l %.1f%%.\n",
			stepSum[1]/float64(stepCount), stepSum[2]/float64(stepCount), stepSum[3]/float64(stepCount))
	}

	b.WriteString("\n### An earlier step: YAML out of the runtime\n\n")
	b.WriteString("Module docs used to be rendered by the runtime package, which linked gopkg.in/yaml.v3 (and regexp) into every binary; " +
		"they are now rendered by internal/ansible/docgen, which only the docs generator imports.")
	_, ok1 := get["backends/x86_64/yaml-before"]
	_, ok2 := get["backends/x86_64/yaml-after"]
	if ok1 && ok2 {
		fmt.Fprintf(&b, " Measured by building that commit (%s) and its parent from `git archive` with today's dist flags (x86_64):\n\n", r.meta["yaml_commit"])
		t = newTable("module", "with yaml.v3 (B)", "without (B)", "saving (B)")
		for _, m := range []string{"backends", "upgrade_plan"} {
			bb, okB := get[m+"/x86_64/yaml-before"]
			aa, okA := get[m+"/x86_64/yaml-after"]
			if !okB || !okA {
				continue
			}
			t.add(m, bytesStr(bb), bytesStr(aa), fmt.Sprintf("%s (%.1f%%)", bytesStr(aa-bb), 100*float64(aa-bb)/float64(bb)))
		}
		b.WriteString(t.String())
	} else {
		b.WriteString(" That commit is not in this checkout's history, so the saving was not re-measured; its message records " +
			"backends and upgrade_plan going from 2.62/2.66 MB to 2.39/2.43 MB.\n")
	}
	b.WriteString("\n")
	return b.String(), nil
}

func yesNo(v bool) string {
	if v {
		return "yes"
	}
	return "no"
}

var planTarget = target{Strict: true, Value: 10} // ms, inside the module, 1,000 hosts

func (r *report) planTables() string {
	var b strings.Builder
	b.WriteString("## 3. Upgrade planning time\n\n")
	fmt.Fprintf(&b, "`go test -bench` (count %s, benchtime %s): the median of the runs, with the min–max spread. "+
		"Input for n hosts: rolling, every tenth host already upgraded, max_unavailable n/10, db_state 4 (needs migrate). "+
		"Growth = time / time at 10× fewer hosts.\n\n", r.meta["go_count"], r.meta["go_benchtime"])
	b.WriteString("- **Build**: the planner alone, `upgrade.Build` (internal/glance/upgrade, BenchmarkBuild).\n" +
		"- **Run**: inside the module: the args map Ansible sends, validated against the module's spec, then the module's Run " +
		"(tests/bench, BenchmarkUpgradePlanRun). The target applies to this one.\n" +
		"- **Execute**: everything the binary does after process start: read and decode the args file, validate, Run, " +
		"encode the JSON result (tests/bench, BenchmarkUpgradePlanExecute).\n\n")
	t := newTable("benchmark", "hosts (N)", "time/op (median)", "min–max", "growth (×)", "B/op (B)", "allocs/op (N)", "JSON out (B)")
	median := map[string]float64{}
	families := []struct{ label, name string }{
		{"Build", "BenchmarkBuild"}, {"Run", "BenchmarkUpgradePlanRun"}, {"Execute", "BenchmarkUpgradePlanExecute"},
	}
	for _, family := range families {
		var rows []*goBench
		for _, gb := range r.benches {
			if strings.HasPrefix(gb.Name, family.name+"/") {
				rows = append(rows, gb)
			}
		}
		sort.Slice(rows, func(i, j int) bool { return hostsOf(rows[i].Name) < hostsOf(rows[j].Name) })
		prev := math.NaN()
		for _, gb := range rows {
			med := gb.NsOp.median()
			growth := ""
			if !math.IsNaN(prev) {
				growth = fmt.Sprintf("%.1f", med/prev)
			}
			prev = med
			out := ""
			if len(gb.OutBytes) > 0 {
				out = bytesStr(int64(gb.OutBytes.median()))
			}
			h := hostsOf(gb.Name)
			median[fmt.Sprintf("%s/%d", family.label, h)] = med
			t.add(family.label, bytesStr(int64(h)), nsStr(med), nsStr(gb.NsOp.min())+" – "+nsStr(gb.NsOp.max()), growth,
				bytesStr(int64(gb.BOp.median())), bytesStr(int64(gb.AllocsOp.median())), out)
		}
	}
	b.WriteString(t.String())
	b.WriteString("\nFrom 10 to 10,000 hosts (1,000×):")
	for i, family := range families {
		lo, okL := median[family.label+"/10"]
		hi, okH := median[family.label+"/10000"]
		if !okL || !okH || lo <= 0 {
			continue
		}
		sep := ";"
		if i == len(families)-1 {
			sep = "."
		}
		fmt.Fprintf(&b, " %s ×%.0f (time ∝ n^%.2f)%s", family.label, hi/lo, math.Log(hi/lo)/math.Log(1000), sep)
	}
	b.WriteString("\n")
	run1000, ok := median["Run/1000"]
	if !ok {
		run1000 = math.NaN()
	}
	res := "FAIL"
	if planTarget.met(run1000 / 1e6) {
		res = "pass"
	}
	fmt.Fprintf(&b, "\nTarget: 1,000 hosts inside the module (Run) %s ms: %s, **%s**.", planTarget.String(), nsStr(run1000), res)
	if exec1000, ok := median["Execute/1000"]; ok && run1000 > 0 {
		fmt.Fprintf(&b, " With the args file and the JSON result (Execute): %s, %.0f× Run.", nsStr(exec1000), exec1000/run1000)
	}
	b.WriteString("\n\n")

	b.WriteString("### The whole binary\n\n")
	b.WriteString("hyperfine of `upgrade_plan_linux_<arch> args.json` (process start, planning, JSON out, exit), args as Ansible writes them.\n\n")
	t = newTable("command", "runs", "mean (ms)", "sd (ms)", "median (ms)", "min (ms)", "max (ms)")
	for _, name := range r.binOrder {
		s := r.binary[name]
		t.add(name, strconv.Itoa(len(s)), ms(s.mean()), ms(s.sd()), ms(s.median()), ms(s.min()), ms(s.max()))
	}
	b.WriteString(t.String())
	b.WriteString("\n")
	return b.String()
}

func (r *report) howMeasured() string {
	m := r.meta
	runs, _ := strconv.Atoi(m["runs"])
	rounds, _ := strconv.Atoi(m["rounds"])
	bashrc := "The bench's sshd sets `SHLVL=1` for its sessions: root's login shell is bash, which otherwise sources ~/.bashrc for every command sshd runs, " +
		"and this machine's ~/.bashrc runs `pyenv init` (about 100 ms per command, and a task runs five or six). " +
		"A target without such a .bashrc behaves like this; `BENCH_SSH_BASHRC=1 make bench` measures with it."
	if m["ssh_bashrc"] == "1" {
		bashrc = "This run let root's ~/.bashrc run for every command sshd runs (`BENCH_SSH_BASHRC=1`)."
	}
	return fmt.Sprintf(`
## How measured

- **One command, one run**: `+"`make bench`"+` builds the binaries (`+"`make dist`"+`), then tests/bin/bench measures everything above and
  writes this file. It prints the same tables. Nothing fails on a missed target; the tables say pass or FAIL.
- **Per-task cost.** For each case, a playbook with N identical tasks (N = %[1]s for set_fact and the compute-only modules run
  on the controller, %[11]s for those run with kolla_glance_compute_on=target, %[2]s for the cron tasks) and the same playbook with no task are timed by hyperfine (`+"`-N`"+`, `+"`--export-json`"+`), %[3]d timed runs each after
  %[4]s warm-up run. The runs are taken in %[5]d rounds of %[6]d; each round times every playbook of a connection and group in one
  hyperfine call, and even rounds reverse the order, so the machine's drifting load falls on every playbook alike. Per task =
  (mean_N − mean_0) / N. Every playbook starts with a `+"`set_fact`"+` of the platform facts gather_facts would give (cacheable), so
  the action plugins pick the binary without running `+"`uname`"+` on the target, as in a play that gathered facts.
- **Inventory.** Two hosts entries for the same machine: `+"`ansible_connection=local`"+`, and `+"`ansible_connection=ssh`"+` to an sshd
  the bench starts on 127.0.0.1:%[7]s with its own sshd_config, host key and authorized key in a temp dir (stopped at the end),
  `+"`ansible_user=root`"+`, a private key, `+"`-o StrictHostKeyChecking=no`"+`, `+"`-F /dev/null`"+`. Ansible's default ssh_args
  (`+"`-C -o ControlMaster=auto -o ControlPersist=60s`"+`) are kept, no pipelining (the default; binary modules are never pipelined
  anyway). One master connection on Ansible's ControlPath is opened before timing and kept for the whole bench, the state a
  play is in after its first task, so no timed run pays the SSH handshake.
- %[8]s
- **The Python equivalents.** cache_cron: two ansible.builtin.cron tasks with an absolute cron_file, user root, and the same
  names, schedules and commands cache_cron writes (taken from the module's own output; before timing, both write their file
  and the two files are compared byte for byte). Idempotent: the file is already right. First write: every task writes a new
  file (hyperfine's `+"`--prepare`"+` empties the directories before each run). backends: one set_fact evaluating kolla-ansible's
  own Jinja (copied from kolla-ansible master into tests/bench/inventory/group_vars/all.yml): glance_backend_file,
  glance_api_hosts, glance_store_backends (enabled == true), the enabled_backends line of glance-api.conf.j2 and
  glance_default_backend; the bench checks both give the same answers. upgrade_plan: one set_fact building kolla-ansible's
  rolling-upgrade order for three hosts as a list of steps.
- **Where the compute-only modules run.** backends and upgrade_plan run the controller's binary (no transfer) by default; with
  `+"`kolla_glance_compute_on: target`"+` (a play variable here) they go through Ansible's binary-module path: remote temp dir,
  PUT of the ~2.3 MB binary and of the args, chmod, exec, rm. set_fact never touches the target.
- **Sizes** come from `+"`stat`"+` of the dist binaries and of rebuilds with one more flag each time; static and stripped are read
  from the ELF headers (no PT_INTERP/PT_DYNAMIC, no .symtab).
- **Planning time**: `+"`go test -tags bench -run '^$' -bench 'BenchmarkBuild|BenchmarkUpgradePlan' -benchmem -count %[9]s -benchtime %[10]s ./internal/glance/upgrade/ ./tests/bench/`"+`,
  and hyperfine of the binary (`+"`--warmup 3 --min-runs 15`"+`) on args files the bench writes (`+"`benchtool plan-args`"+`).
- **Noise.** The machine is shared (see the load average above): read the ± columns, the median ratio and the spread table
  before trusting a digit. "within noise" marks a verdict that one standard error either way would flip.
`, m["n"], m["n_cron"], rounds*runs, m["warmup"], rounds, runs, m["ssh_port"], bashrc, m["go_count"], m["go_benchtime"], m["n_target"])
}
