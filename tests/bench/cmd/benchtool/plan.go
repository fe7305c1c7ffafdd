package main

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

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
	b.WriteString("hyperfine of `kolla_glance_linux_<arch> args.json` running upgrade_plan (process start, planning, JSON out, exit), args as the action plugin writes them.\n\n")
	t = newTable("command", "runs", "mean (ms)", "sd (ms)", "median (ms)", "min (ms)", "max (ms)")
	for _, name := range r.binOrder {
		s := r.binary[name]
		t.add(name, strconv.Itoa(len(s)), ms(s.mean()), ms(s.sd()), ms(s.median()), ms(s.min()), ms(s.max()))
	}
	b.WriteString(t.String())
	b.WriteString("\n")
	return b.String()
}
