package main

import (
	"fmt"
	"strings"
)

// notes explains the figures a reader would stop at, with this run's numbers.
func (r *report) notes() string {
	var b strings.Builder
	b.WriteString("## Notes on these figures\n\n")
	line := r.lines[0]
	cmd := r.sshSample("command round trip")
	warm := r.sshSample("warm command")
	put := r.sshSample("PUT of the binary", "compression on")
	hash := r.sshSample("openssl dgst")
	fallback := r.sshSample("sha256sum, the fallback")
	cc, okC := r.estimate(line, "ssh", "cc-idem")
	cold, okD := r.estimate(line, "ssh", "cc-idem-cold")
	floor, okF := r.estimate(line, "ssh", "cmd-true")
	if okC && okD && okF && len(cmd) > 0 && len(warm) > 0 && len(put) > 0 && len(hash) > 0 && len(fallback) > 0 {
		fmt.Fprintf(&b, "- **Where a warm task's time goes (SSH, ansible-core %s)**: cache_cron costs %s ms/task. Its one remote "+
			"command takes %s ms through the master connection (median): an SSH round trip (%s ms for `true`), the checks, "+
			"the sha256 of the %s MB binary (%s ms here with `openssl dgst`, %s ms with `sha256sum`, the fallback) and the module itself. The rest is ansible-playbook's own work per "+
			"task on the controller. A cold task adds the upload (%s ms for the sftp PUT alone) and a second command: "+
			"%s ms/task. `command: true`, a Python module, costs %s ms/task.\n",
			r.version(line), ms(cc.Mean), ms(warm.median()), ms(cmd.median()), r.binaryMB(), ms(hash.median()), ms(fallback.median()),
			ms(put.median()), ms(cold.Mean), ms(floor.Mean))
	}
	aligned := true
	for _, a := range arches {
		unit := map[string]int64{"x86_64": 4096, "aarch64": 65536}[a]
		for _, pair := range [][2]string{{"sw", "trimpath"}, {"trimpath", "noinline"}} {
			x, ok1 := r.sizeOf(binaryName, a, pair[0])
			y, ok2 := r.sizeOf(binaryName, a, pair[1])
			if !ok1 || !ok2 || (x-y)%unit != 0 {
				aligned = false
			}
		}
	}
	if aligned {
		b.WriteString("- **Size steps come in whole pages**: once symbols are stripped, the savings of -trimpath and " +
			"-gcflags=all=-l are whole multiples of 4,096 B on x86_64 and 65,536 B on aarch64, the segment alignment of " +
			"Go's ELF output. -trimpath's real saving (shorter file names in the line tables) is smaller than a page, " +
			"so it shows as 0 or one page.\n")
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

// binaryMB is the size of this machine's dist binary, for the notes.
func (r *report) binaryMB() string {
	if n, ok := r.sizeOf(binaryName, r.meta["arch"], "dist"); ok {
		return mb(n)
	}
	return "?"
}
