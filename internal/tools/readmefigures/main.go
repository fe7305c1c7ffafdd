// Command readmefigures puts the figures the suites recorded into the
// documents that quote them. A document marks each generated block with
//
//	<!-- figures NAME -->
//	...
//	<!-- /figures -->
//
// and NAME says what goes there (render.go): the molecule scenarios'
// times (docs/figures/molecule.json), the e2e tables (docs/figures/e2e.json)
// or the bench's goals (docs/benchmarks.md), each closed by a line naming
// its file, the commit it measured and the date. Outside the blocks the
// README may state no measured figure (scan.go; tests/e2e/README.md, whose
// prose is full of the tests' settings, is not scanned). With -check it
// writes nothing and fails when a block is stale or a figure stands
// outside one.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

// documents are the files whose figures come from the figures files.
var documents = []string{"README.md", "tests/e2e/README.md"}

func main() {
	root := flag.String("root", ".", "repository root")
	check := flag.Bool("check", false, "fail when a document is stale instead of writing it")
	flag.Parse()
	src := sources{root: *root}
	bad := 0
	for _, rel := range documents {
		path := filepath.Join(*root, rel)
		old, err := os.ReadFile(path)
		if err != nil {
			fail(err)
		}
		if rel == "README.md" {
			for _, f := range strayFigures(old) {
				fmt.Fprintf(os.Stderr, "readmefigures: %s:%d: a measured figure outside a figures block: %q (record it in a figures file and quote it in a block, or drop it)\n", rel, f.line, f.text)
				bad++
			}
		}
		updated, err := fill(old, src.render)
		if err != nil {
			fmt.Fprintf(os.Stderr, "readmefigures: %s: %v\n", rel, err)
			bad++
			continue
		}
		if bytes.Equal(old, updated) {
			continue
		}
		if *check {
			fmt.Fprintf(os.Stderr, "readmefigures: %s is stale against the figures files: run `make readme-figures`\n", rel)
			bad++
			continue
		}
		if err := os.WriteFile(path, updated, 0o644); err != nil {
			fail(err)
		}
		fmt.Printf("readmefigures: wrote %s\n", rel)
	}
	if bad > 0 {
		os.Exit(1)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "readmefigures:", err)
	os.Exit(1)
}
