// Package figures writes what a suite measured to a figures file: one JSON
// object that says which suite wrote it, the commit it measured (with
// "+dirty" when the work tree had changes), when, on which ansible-core,
// and the suite's own figures. The suites write into
// $KOLLA_GLANCE_FIGURES_DIR (the Makefile sets dist/figures); a make target
// whose suite passed whole copies the file into docs/figures, where the
// README's tables are generated from (internal/tools/readmefigures).
package figures

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Env names the directory the suites write their figures files into.
const Env = "KOLLA_GLANCE_FIGURES_DIR"

// File is a figures file.
type File struct {
	Suite       string          `json:"suite"`
	Commit      string          `json:"commit"`
	Date        string          `json:"date"`
	AnsibleCore string          `json:"ansible_core,omitempty"`
	Seconds     float64         `json:"seconds"`
	Figures     json.RawMessage `json:"figures"`
}

// Write records figures for suite, measured over elapsed, in the
// directory Env names; with Env unset it writes nothing and says so.
func Write(suite string, elapsed time.Duration, figures any) (string, error) {
	dir := os.Getenv(Env)
	if dir == "" {
		return "", fmt.Errorf("%s is not set: the %s figures are not recorded", Env, suite)
	}
	data, err := json.Marshal(figures)
	if err != nil {
		return "", err
	}
	f := File{Suite: suite, Commit: commit(), Date: time.Now().UTC().Format("2006-01-02 15:04 UTC"),
		AnsibleCore: ansibleCore(), Seconds: float64(elapsed.Round(time.Second) / time.Second), Figures: data}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	path := filepath.Join(dir, suite+".json")
	return path, os.WriteFile(path, append(b, '\n'), 0o644)
}

// commit is HEAD's short hash, "+dirty" when the work tree differs from it.
func commit() string {
	out, err := exec.Command("git", "rev-parse", "--short=12", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	c := strings.TrimSpace(string(out))
	if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(st) > 0 {
		c += "+dirty"
	}
	return c
}

// ansibleCore is the version of the ansible-playbook first on PATH.
func ansibleCore() string {
	out, err := exec.Command("ansible-playbook", "--version").Output()
	if err != nil {
		return ""
	}
	first, _, _ := strings.Cut(string(out), "\n")
	if i := strings.Index(first, "[core "); i >= 0 {
		return strings.TrimSuffix(strings.TrimSpace(first[i+len("[core "):]), "]")
	}
	return ""
}
