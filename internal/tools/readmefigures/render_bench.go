package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// benchGoals quotes the Goals table of docs/benchmarks.md (which make
// bench writes whole) with the run's date and commit.
func (s sources) benchGoals() (string, error) {
	const rel = "docs/benchmarks.md"
	data, err := os.ReadFile(filepath.Join(s.root, rel))
	if err != nil {
		return "", err
	}
	var date, commit string
	var table []string
	section := ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		l := sc.Text()
		switch {
		case strings.HasPrefix(l, "## "):
			section = strings.TrimPrefix(l, "## ")
		case strings.HasPrefix(l, "- **Date**: "):
			date = strings.TrimPrefix(l, "- **Date**: ")
		case strings.HasPrefix(l, "- **Commit**: "):
			commit = strings.TrimPrefix(l, "- **Commit**: ")
		case section == "Goals" && strings.HasPrefix(l, "|"):
			table = append(table, l)
		}
	}
	if date == "" || len(table) < 3 {
		return "", fmt.Errorf("%s has no Date line or no Goals table: run `make bench`", rel)
	}
	if commit == "" {
		commit = "not recorded (a run before make bench wrote its commit)"
	}
	return fmt.Sprintf("%s\n\nFrom `%s`: one `make bench` run at commit %s, %s.\n", strings.Join(table, "\n"), rel, commit, date), nil
}
