// Command benchtool is the Go half of `make bench`; tests/bin/bench runs it
// and does the orchestration (builds, sshd, hyperfine, go test -bench).
//
//	benchtool playbooks -tasks DIR -out DIR -scratch DIR -entries FILE -n N -n-target N -n-cron N -arch ARCH
//	    writes the timed playbooks (N copies of a task from tests/bench/tasks)
//	    and cases.tsv (case, N, group) into -out.
//	benchtool plan-args -hosts N
//	    prints the upgrade_plan args file for an N-host plan, as the action
//	    plugin writes it for the collection's binary.
//	benchtool report -results DIR -modules DIR -doc FILE
//	    reads hyperfine's JSON, go test -bench output and the size list from
//	    -results, prints the tables and writes them, with how they were
//	    measured, to -doc (docs/benchmarks.md).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/kolla-glance/kolla-glance/internal/ansible"
	"github.com/kolla-glance/kolla-glance/tests/bench"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "playbooks":
		err = playbooksCmd(os.Args[2:])
	case "plan-args":
		err = planArgsCmd(os.Args[2:])
	case "report":
		err = reportCmd(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "benchtool %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: benchtool playbooks|plan-args|report [flags] (see the package doc)")
	os.Exit(2)
}

func planArgsCmd(args []string) error {
	fs := flag.NewFlagSet("plan-args", flag.ContinueOnError)
	hosts := fs.Int("hosts", 1000, "number of glance-api hosts")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *hosts < 1 {
		return fmt.Errorf("-hosts must be at least 1")
	}
	plan := bench.PlanArgs(*hosts)
	// The binary serves every module: the action plugin names the one to run.
	plan[ansible.ModuleKey] = "upgrade_plan"
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	return enc.Encode(plan)
}
