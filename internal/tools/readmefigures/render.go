package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// sources reads the figures files under root.
type sources struct{ root string }

// figuresFile is a file tests/figures wrote.
type figuresFile struct {
	Suite       string          `json:"suite"`
	Commit      string          `json:"commit"`
	Date        string          `json:"date"`
	AnsibleCore string          `json:"ansible_core"`
	Seconds     float64         `json:"seconds"`
	Figures     json.RawMessage `json:"figures"`
}

// read loads docs/figures/<suite>.json and decodes its figures into v.
func (s sources) read(suite string, v any) (figuresFile, error) {
	var f figuresFile
	rel := filepath.Join("docs", "figures", suite+".json")
	data, err := os.ReadFile(filepath.Join(s.root, rel))
	if err != nil {
		return f, fmt.Errorf("%w (run `make %s` to record it)", err, suite)
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return f, fmt.Errorf("%s: %w", rel, err)
	}
	if f.Suite != suite || f.Commit == "" || f.Date == "" {
		return f, fmt.Errorf("%s: suite %q, commit %q, date %q: not a figures file of make %s", rel, f.Suite, f.Commit, f.Date, suite)
	}
	return f, json.Unmarshal(f.Figures, v)
}

// sourceLine names the file a block's figures come from and the run.
func sourceLine(f figuresFile) string {
	core := ""
	if f.AnsibleCore != "" {
		core = ", ansible-core " + f.AnsibleCore
	}
	return fmt.Sprintf("\nFrom `docs/figures/%s.json`: one `make %s` run%s at commit %s, %s, %.0f s in all.\n",
		f.Suite, f.Suite, core, f.Commit, f.Date, f.Seconds)
}

func (s sources) render(name string) (string, error) {
	switch name {
	case "molecule":
		return s.molecule()
	case "e2e-upgrades":
		return s.e2eUpgrades()
	case "e2e-more":
		return s.e2eMore()
	case "bench-goals":
		return s.benchGoals()
	}
	return "", fmt.Errorf("no such figures block (molecule, e2e-upgrades, e2e-more, bench-goals)")
}

func (s sources) molecule() (string, error) {
	var scenarios []struct {
		Name    string   `json:"name"`
		Seconds float64  `json:"seconds"`
		Phases  []string `json:"phases"`
		Passed  bool     `json:"passed"`
	}
	f, err := s.read("molecule", &scenarios)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("| scenario | total | each action of its test_sequence |\n| --- | --- | --- |\n")
	sum := 0.0
	for _, sc := range scenarios {
		if !sc.Passed {
			return "", fmt.Errorf("docs/figures/molecule.json: scenario %s did not pass: not a run to quote", sc.Name)
		}
		sum += sc.Seconds
		fmt.Fprintf(&b, "| %s | %.0f s | %s |\n", sc.Name, sc.Seconds, strings.Join(sc.Phases, ", "))
	}
	fmt.Fprintf(&b, "| all %d | %.0f s | |\n", len(scenarios), sum)
	b.WriteString(sourceLine(f))
	return b.String(), nil
}
