package main

import (
	"fmt"
	"strconv"
	"strings"
)

// pair is one row family of the per-task tables: our task against a
// reference (its Python/Jinja equivalent, or another way of running ours).
type pair struct {
	Label   string
	Ours    string // case names (cases.tsv)
	Ref     string
	Targets map[string]target // by connection; a connection without one is reported without a verdict
}

var (
	warmCronTargets = map[string]target{"local": {Value: 0.35}, "ssh": {Value: 0.2}}
	cronTargets     = map[string]target{"local": {Value: 0.35}, "ssh": {Strict: true, Value: 1.0}}
	computeTargets  = map[string]target{"local": {Value: 1.5}, "ssh": {Value: 1.5}}
	noSlower        = map[string]target{"local": {Value: 1.0}, "ssh": {Value: 1.0}}
)

var pairs = []pair{
	{"cache_cron (cache warm) vs 2× ansible.builtin.cron, idempotent", "cc-idem", "cron-idem", warmCronTargets},
	{"cache_cron (cache cold) vs 2× ansible.builtin.cron, idempotent", "cc-idem-cold", "cron-idem", cronTargets},
	{"cache_cron (cache off) vs 2× ansible.builtin.cron, idempotent", "cc-idem-off", "cron-idem", cronTargets},
	{"cache_cron: cache cold vs cache off (no slower than before the cache)", "cc-idem-cold", "cc-idem-off", noSlower},
	{"cache_cron (cache warm) vs command: true (the floor)", "cc-idem", "cmd-true", nil},
	{"backends (on the controller) vs set_fact", "backends-ctrl", "sf-backends", computeTargets},
	{"backends (compute_on=target, cache warm) vs set_fact", "backends-target", "sf-backends", computeTargets},
	{"upgrade_plan (on the controller) vs set_fact", "plan-ctrl", "sf-plan", computeTargets},
	{"upgrade_plan (compute_on=target, cache warm) vs set_fact", "plan-target", "sf-plan", computeTargets},
	{"upgrade_plan (compute_on=target, cache cold) vs set_fact", "plan-target-cold", "sf-plan", nil},
}

var connections = []string{"local", "ssh"}

// tarballTarget is the collection tarball's size goal, in MB.
var tarballTarget = target{Value: 3}

// goalTable is issue 19's goals, each with this run's figure on every line.
func (r *report) goalTable() string {
	var b strings.Builder
	b.WriteString("## Goals\n\n")
	b.WriteString("The targets of the binary cache and the one binary (issue 19), from the tables below: a ratio's range is " +
		"± one standard error; \"within noise\" marks a verdict that one standard error either way would flip.\n\n")
	t := newTable("goal", "ansible-core", "figure", "target", "result")
	ratioGoal := func(label, conn, ours, ref string, tg target) {
		for _, line := range r.lines {
			o, okO := r.estimate(line, conn, ours)
			p, okP := r.estimate(line, conn, ref)
			if !okO || !okP {
				t.add(label, r.version(line), "missing", tg.String(), "n/a")
				continue
			}
			rt := ratioOf(o, p)
			t.add(label, r.version(line), fmt.Sprintf("%s (%s–%s); %s vs %s ms/task", ratioStr(rt.Value), ratioStr(rt.Low), ratioStr(rt.High),
				ms(o.Mean), ms(p.Mean)), tg.String(), verdict(tg, rt))
		}
	}
	ratioGoal("cache_cron per host over SSH, cache warm, vs the two ansible.builtin.cron tasks", "ssh", "cc-idem", "cron-idem", target{Value: 0.2})
	ratioGoal("backends, compute_on=target, over SSH, cache warm, vs set_fact", "ssh", "backends-target", "sf-backends", target{Value: 1.5})
	ratioGoal("upgrade_plan, compute_on=target, over SSH, cache warm, vs set_fact", "ssh", "plan-target", "sf-plan", target{Value: 1.5})
	ratioGoal("cache_cron over SSH, cache cold, vs the cache off (the path before the cache)", "ssh", "cc-idem-cold", "cc-idem-off", target{Value: 1})
	ratioGoal("cache_cron locally, cache cold, vs the cache off", "local", "cc-idem-cold", "cc-idem-off", target{Value: 1})
	if n, ok := r.sizeOf("tarball", "-", "now"); ok {
		res := "FAIL"
		if tarballTarget.met(float64(n) / 1e6) {
			res = "pass"
		}
		before := ""
		if o, ok := r.sizeOf("tarball", "-", "before"); ok {
			before = fmt.Sprintf(" (%s MB with six binaries)", mb(o))
		}
		t.add("the collection tarball (ansible-galaxy collection build)", "", mb(n)+" MB"+before, tarballTarget.String()+" MB", res)
	}
	for _, line := range r.lines {
		if f, ok := r.estimate(line, "ssh", "cmd-true"); ok {
			t.add("the floor: a command: true task over the same SSH connection", r.version(line), ms(f.Mean)+" ± "+ms(f.SE)+" ms/task", "", "")
		}
	}
	b.WriteString(t.String())
	b.WriteString("\n")
	return b.String()
}

// perTaskTables is section 1: one table of pairs per ansible-core line, and
// every timed playbook's spread.
func (r *report) perTaskTables() string {
	var b strings.Builder
	runs, _ := strconv.Atoi(r.meta["runs"])
	rounds, _ := strconv.Atoi(r.meta["rounds"])
	fmt.Fprintf(&b, "## 1. Per-task cost under ansible-playbook\n\n")
	fmt.Fprintf(&b, "Per task = (mean time of the playbook with N tasks − mean time of the same playbook with none) / N, "+
		"over %d timed runs of each playbook (%d rounds × %d); ± is one standard error. "+
		"Ratio = ours / reference, with the range ± one standard error gives; the median ratio uses medians instead of means. "+
		"Cache warm: the target holds the binary; cold: every task finds an empty cache and uploads the binary into it; "+
		"off: `kolla_glance_binary_cache: false`, Ansible's upload-and-delete path the collection used before the cache.\n\n",
		rounds*runs, rounds, runs)
	for i, line := range r.lines {
		what := ""
		if i == 0 {
			what = " (the default line)"
		}
		fmt.Fprintf(&b, "### ansible-core %s%s\n\n", r.version(line), what)
		t := newTable("pair", "connection", "N", "ours (ms/task)", "reference (ms/task)", "ratio (range)", "median ratio", "target", "result")
		for _, p := range pairs {
			for _, conn := range connections {
				tg, hasTarget := p.Targets[conn]
				tgs, res := "", ""
				if hasTarget {
					tgs = tg.String()
				}
				ours, okO := r.estimate(line, conn, p.Ours)
				ref, okP := r.estimate(line, conn, p.Ref)
				if !okO || !okP {
					t.add(p.Label, conn, "", "missing", "missing", "", "", tgs, "n/a")
					continue
				}
				rt := ratioOf(ours, ref)
				if hasTarget {
					res = verdict(tg, rt)
				}
				nCell := strconv.Itoa(ours.N)
				if ours.N != ref.N {
					nCell = fmt.Sprintf("%d/%d", ours.N, ref.N)
				}
				t.add(p.Label, conn, nCell, ms(ours.Mean)+" ± "+ms(ours.SE), ms(ref.Mean)+" ± "+ms(ref.SE),
					fmt.Sprintf("%s (%s–%s)", ratioStr(rt.Value), ratioStr(rt.Low), ratioStr(rt.High)), ratioStr(rt.Median), tgs, res)
			}
		}
		b.WriteString(t.String())
		b.WriteString("\n")
	}
	b.WriteString("The cron pairs compare one cache_cron task with the two ansible.builtin.cron tasks that write the same two entries " +
		"(the files are byte for byte the same, checked before timing). N counts cache_cron tasks, so the Python playbook runs 2N tasks.\n\n")

	b.WriteString("### Every timed playbook (the spread)\n\n")
	t := newTable("ansible-core", "connection", "playbook", "what each task runs", "N", "runs", "mean (s)", "sd (s)", "median (s)", "min (s)", "max (s)")
	for _, line := range r.lines {
		for _, conn := range connections {
			for _, c := range r.order {
				s, ok := r.times[line+"/"+conn+"/"+c]
				if !ok {
					continue
				}
				t.add(r.version(line), conn, c, r.cases[c].Info, strconv.Itoa(r.cases[c].N), strconv.Itoa(len(s)),
					fmt.Sprintf("%.3f", s.mean()), fmt.Sprintf("%.3f", s.sd()), fmt.Sprintf("%.3f", s.median()),
					fmt.Sprintf("%.3f", s.min()), fmt.Sprintf("%.3f", s.max()))
			}
		}
	}
	b.WriteString(t.String())
	b.WriteString("\n")
	return b.String()
}

func (r *report) sshTable() string {
	var b strings.Builder
	b.WriteString("### Where the time goes over SSH\n\n")
	b.WriteString("What running the binary on the target costs over SSH, each operation timed alone through the same master " +
		"connection (hyperfine, 20 runs). Without the cache (and for a cold task) Ansible uploads the binary and the args " +
		"file with sftp and runs four commands (mkdir of the temp dir, chmod, the module, rm). With the cache warm a task " +
		"is the one command of the last row: it checks the cache directory and the binary's sha256, then runs the binary " +
		"with the args on stdin. A Python module without pipelining uploads one AnsiballZ file and runs the same four " +
		"commands as the uncached path, plus a Python start on the target.\n\n")
	t := newTable("operation", "runs", "mean (ms)", "sd (ms)", "median (ms)", "min (ms)")
	for _, name := range r.sshOrder {
		s := r.ssh[name]
		t.add(name, strconv.Itoa(len(s)), ms(s.mean()), ms(s.sd()), ms(s.median()), ms(s.min()))
	}
	b.WriteString(t.String())
	b.WriteString("\n")
	return b.String()
}
