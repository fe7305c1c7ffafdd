package main

import (
	"fmt"
	"path/filepath"
	"strings"
)

// binaryName is the binaries' name prefix (plugins/plugin_utils/platforms.txt).
const binaryName = "kolla_glance"

var arches = []string{"x86_64", "aarch64"}

// perModule are the modules that had a binary each before the one binary.
var perModule = []string{"backends", "upgrade_plan", "cache_cron"}

func (r *report) sizeTables() (string, error) {
	var b strings.Builder
	b.WriteString("## 2. Sizes\n\n")
	b.WriteString("The binaries `make dist` puts in plugins/modules, one per platform, each serving the three modules " +
		"(static, stripped, -trimpath, -gcflags=all=-l), and the collection tarball `ansible-galaxy collection build` " +
		"makes of the repository. MB = 10⁶ bytes.\n\n")
	t := newTable("file", "arch", "bytes (B)", "size (MB)", "size (MiB)", "static", "stripped", "target", "result")
	for _, a := range arches {
		n, ok := r.sizeOf(binaryName, a, "dist")
		if !ok {
			continue
		}
		static, stripped, err := elfFacts(filepath.Join(r.modules, binaryName+"_linux_"+a))
		if err != nil {
			return "", err
		}
		t.add(binaryName+"_linux_"+a, a, bytesStr(n), mb(n), fmt.Sprintf("%.2f", float64(n)/(1<<20)), yesNo(static), yesNo(stripped), "", "")
	}
	if n, ok := r.sizeOf("tarball", "-", "now"); ok {
		res := "FAIL"
		if tarballTarget.met(float64(n) / 1e6) {
			res = "pass"
		}
		t.add("the collection tarball", "both", bytesStr(n), mb(n), fmt.Sprintf("%.2f", float64(n)/(1<<20)), "", "", tarballTarget.String()+" MB", res)
	}
	b.WriteString(t.String())

	b.WriteString("\n### One binary instead of six\n\n")
	if _, ok := r.sizeOf("tarball", "-", "before"); ok {
		fmt.Fprintf(&b, "The commit that made one binary serve the three modules (%s) and its parent, each exported with "+
			"`git archive`, built with today's dist flags and packed by ansible-galaxy: the three modules share almost all "+
			"of their code (the SDK, encoding/json, the runtime), so one binary is a little larger than any one of them "+
			"and a host needs one upload for every module.\n\n", r.meta["one_binary_commit"])
		t = newTable("arch", "before: backends (B)", "upgrade_plan (B)", "cache_cron (B)", "sum (B)", "after: one binary (B)", "saving (B)")
		for _, a := range arches {
			var sum int64
			cells := []string{a}
			ok := true
			for _, m := range perModule {
				n, found := r.sizeOf(m, a, "before")
				ok = ok && found
				sum += n
				cells = append(cells, bytesStr(n))
			}
			now, found := r.sizeOf(binaryName, a, "dist")
			if !ok || !found {
				continue
			}
			cells = append(cells, bytesStr(sum), bytesStr(now), fmt.Sprintf("%s (%.1f%%)", bytesStr(now-sum), 100*float64(now-sum)/float64(sum)))
			t.add(cells...)
		}
		before, _ := r.sizeOf("tarball", "-", "before")
		now, _ := r.sizeOf("tarball", "-", "now")
		b.WriteString(t.String())
		fmt.Fprintf(&b, "\nThe collection tarball: %s B (%s MB) with six binaries, %s B (%s MB) with two: %s (%.1f%%).\n",
			bytesStr(before), mb(before), bytesStr(now), mb(now), bytesStr(now-before), 100*float64(now-before)/float64(before))
	} else {
		b.WriteString("That commit is not in this checkout's history, so the sizes before it were not measured.\n")
	}

	b.WriteString("\n### What shrank the binary\n\n")
	b.WriteString("The binary rebuilt by the bench, adding one flag at a time (CGO_ENABLED=0 and GOOS/GOARCH in every build). " +
		"Each cell: size in bytes, then the saving of that step. The last column is the whole saving from a plain `go build`. " +
		"`-ldflags` also carries the `-X` version stamp `make dist` adds.\n\n")
	t = newTable("binary", "arch", "plain go build (B)", "+ -ldflags=-s -w (B)", "+ -trimpath (B)", "+ -gcflags=all=-l (B)", "total saving (B)", "same as make dist")
	steps := []string{"plain", "sw", "trimpath", "noinline"}
	for _, a := range arches {
		var cells []string
		ok := true
		prev := int64(0)
		for i, v := range steps {
			n, found := r.sizeOf(binaryName, a, v)
			if !found {
				ok = false
				break
			}
			if i == 0 {
				cells = append(cells, bytesStr(n))
			} else {
				d := n - prev
				cells = append(cells, fmt.Sprintf("%s (%s, %.1f%%)", bytesStr(n), bytesStr(d), 100*float64(d)/float64(prev)))
			}
			prev = n
		}
		if !ok {
			continue
		}
		plain, _ := r.sizeOf(binaryName, a, "plain")
		last, _ := r.sizeOf(binaryName, a, "noinline")
		cells = append(cells, fmt.Sprintf("%s (%.1f%%)", bytesStr(last-plain), 100*float64(last-plain)/float64(plain)))
		cells = append(cells, r.meta["identical_"+binaryName+"_"+a])
		t.add(append([]string{binaryName, a}, cells...)...)
	}
	b.WriteString(t.String())

	b.WriteString("\n### An earlier step: YAML out of the runtime\n\n")
	b.WriteString("Module docs used to be rendered by the runtime package, which linked gopkg.in/yaml.v3 (and regexp) into every binary; " +
		"they are now rendered by internal/ansible/docgen, which only the docs generator imports.")
	_, ok1 := r.sizeOf("backends", "x86_64", "yaml-before")
	_, ok2 := r.sizeOf("backends", "x86_64", "yaml-after")
	if ok1 && ok2 {
		fmt.Fprintf(&b, " Measured by building that commit (%s) and its parent from `git archive` with today's dist flags (x86_64):\n\n", r.meta["yaml_commit"])
		t = newTable("module", "with yaml.v3 (B)", "without (B)", "saving (B)")
		for _, m := range []string{"backends", "upgrade_plan"} {
			bb, okB := r.sizeOf(m, "x86_64", "yaml-before")
			aa, okA := r.sizeOf(m, "x86_64", "yaml-after")
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
