//go:build molecule

// Package molecule runs every molecule scenario under molecule/ the way
// molecule would (molecule itself cannot be installed here): it reads each
// scenario's molecule.yml and runs its test_sequence with ansible-playbook.
// The idempotence action runs converge again and fails when any host
// reports a change; destroy always runs, even after a failure.
//
//	go test -tags molecule ./tests/molecule/                 # every scenario
//	go test -tags molecule ./tests/molecule/ -run /default  # one scenario
package molecule

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/kolla-glance/kolla-glance/tests/figures"
)

// config is the part of molecule.yml the harness needs.
type config struct {
	Dependency struct {
		Name    string `yaml:"name"`
		Enabled *bool  `yaml:"enabled"`
	} `yaml:"dependency"`
	Driver struct {
		Name string `yaml:"name"`
	} `yaml:"driver"`
	Provisioner struct {
		Name      string            `yaml:"name"`
		Env       map[string]string `yaml:"env"`
		Playbooks map[string]string `yaml:"playbooks"`
		Inventory struct {
			Links map[string]string `yaml:"links"`
		} `yaml:"inventory"`
	} `yaml:"provisioner"`
	Scenario struct {
		TestSequence []string `yaml:"test_sequence"`
	} `yaml:"scenario"`
}

// moleculeActions are the actions current molecule (6 and later, 25.x,
// 26.x) runs in a test_sequence; "lint" went with molecule 6.
var moleculeActions = map[string]bool{
	"dependency": true, "cleanup": true, "destroy": true, "syntax": true, "create": true,
	"prepare": true, "converge": true, "idempotence": true, "side_effect": true,
	"verify": true, "check": true,
}

// optionalActions are the ones molecule skips, saying so, when the
// scenario configures no playbook for them.
var optionalActions = map[string]bool{"cleanup": true, "prepare": true, "side_effect": true}

// checkConfig refuses what current molecule refuses, with its words where
// it has them, and what this harness cannot do (a Galaxy dependency).
func checkConfig(cfg config) error {
	switch cfg.Driver.Name {
	case "default":
	case "":
		return fmt.Errorf("driver.name is missing (current molecule's driver for scenarios that manage their own hosts is \"default\")")
	default:
		return fmt.Errorf("Failed to find driver %s. Please ensure that the driver is correctly installed. "+
			"(molecule 6 renamed \"delegated\" to \"default\"; this harness runs the default driver)", cfg.Driver.Name)
	}
	if cfg.Provisioner.Name != "" && cfg.Provisioner.Name != "ansible" {
		return fmt.Errorf("provisioner %q: molecule's only provisioner is ansible", cfg.Provisioner.Name)
	}
	if cfg.Provisioner.Inventory.Links["hosts"] == "" {
		return fmt.Errorf("provisioner.inventory.links.hosts is required: the scenario's hosts are an inventory file")
	}
	if cfg.Dependency.Enabled == nil || *cfg.Dependency.Enabled {
		return fmt.Errorf("dependency %q is enabled: set dependency.enabled to false (no Galaxy here)", cfg.Dependency.Name)
	}
	if len(cfg.Scenario.TestSequence) == 0 {
		return fmt.Errorf("scenario.test_sequence is empty")
	}
	for _, action := range cfg.Scenario.TestSequence {
		if !moleculeActions[action] {
			return fmt.Errorf("test_sequence step %q: current molecule has no such action", action)
		}
	}
	for _, action := range []string{"create", "destroy", "converge"} {
		if cfg.Provisioner.Playbooks[action] == "" {
			return fmt.Errorf("provisioner.playbooks.%s is required: the default driver with managed hosts runs the scenario's own %s playbook", action, action)
		}
	}
	return nil
}

// ephemeralDir is where molecule keeps a scenario's state:
// $XDG_CACHE_HOME/molecule/<project>/<scenario> (~/.cache by default).
func ephemeralDir(root, name string) string {
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		home, _ := os.UserHomeDir()
		cache = filepath.Join(home, ".cache")
	}
	return filepath.Join(cache, "molecule", filepath.Base(root), name)
}

var recapChanged = regexp.MustCompile(`(?m)^(\S+)\s*:\s*ok=\d+\s+changed=(\d+)`)

func repoRoot(t *testing.T) string {
	_, file, _, _ := runtime.Caller(0)
	root, err := filepath.Abs(filepath.Join(filepath.Dir(file), "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func scenarios(t *testing.T, root string) []string {
	entries, err := os.ReadDir(filepath.Join(root, "molecule"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() && !strings.HasPrefix(e.Name(), "_") {
			if _, err := os.Stat(filepath.Join(root, "molecule", e.Name(), "molecule.yml")); err == nil {
				names = append(names, e.Name())
			}
		}
	}
	sort.Strings(names)
	return names
}

// scenarioFigures is what one scenario's run measured, for the figures
// file (tests/figures) the README's molecule table comes from.
type scenarioFigures struct {
	Name    string   `json:"name"`
	Seconds float64  `json:"seconds"`
	Phases  []string `json:"phases"` // "<action> <seconds>s", in test_sequence order
	Passed  bool     `json:"passed"`
}

func TestScenarios(t *testing.T) {
	root := repoRoot(t)
	var timings []string
	var measured []scenarioFigures
	begin := time.Now()
	for _, name := range scenarios(t, root) {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			var phases []string
			defer func() {
				took := time.Since(start).Seconds()
				measured = append(measured, scenarioFigures{Name: name, Seconds: float64(int(took + 0.5)), Phases: phases, Passed: !t.Failed()})
				timings = append(timings, fmt.Sprintf("%-28s %6.1fs  (%s)", name, took, strings.Join(phases, ", ")))
			}()
			runScenario(t, root, name, &phases)
		})
	}
	t.Logf("scenario timings:\n%s", strings.Join(timings, "\n"))
	if path, err := figures.Write("molecule", time.Since(begin), measured); err != nil {
		t.Logf("molecule figures not recorded: %v", err)
	} else {
		t.Logf("molecule figures recorded in %s", path)
	}
}

// runScenario runs one scenario's test_sequence, appending each action's
// time to phases as it goes.
func runScenario(t *testing.T, root, name string, phases *[]string) {
	dir := filepath.Join(root, "molecule", name)
	data, err := os.ReadFile(filepath.Join(dir, "molecule.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg config
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		t.Fatalf("molecule.yml: %v", err)
	}
	if err := checkConfig(cfg); err != nil {
		t.Fatalf("molecule/%s/molecule.yml: %v", name, err)
	}
	inventory := cfg.Provisioner.Inventory.Links["hosts"]
	ephemeral := ephemeralDir(root, name)
	_ = os.RemoveAll(ephemeral)
	coll := filepath.Join(ephemeral, "collections", "ansible_collections", "kolla")
	if err := os.MkdirAll(coll, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(root, filepath.Join(coll, "glance")); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(),
		"MOLECULE_SCENARIO_NAME="+name,
		"MOLECULE_SCENARIO_DIRECTORY="+dir,
		"MOLECULE_PROJECT_DIRECTORY="+root,
		"MOLECULE_EPHEMERAL_DIRECTORY="+ephemeral,
		"ANSIBLE_COLLECTIONS_PATH="+filepath.Join(ephemeral, "collections"),
		"ANSIBLE_ROLES_PATH="+filepath.Join(root, "roles"),
		"ANSIBLE_LOCAL_TEMP="+filepath.Join(ephemeral, "tmp"),
		"ANSIBLE_NOCOLOR=1", "ANSIBLE_FORCE_COLOR=0", "ANSIBLE_RETRY_FILES_ENABLED=0",
		"ANSIBLE_TRANSFORM_INVALID_GROUP_CHARS=ignore", "ANSIBLE_LOCALHOST_WARNING=0",
		"ANSIBLE_STDOUT_CALLBACK=default",
	)
	for k, v := range cfg.Provisioner.Env {
		env = append(env, k+"="+v)
	}
	runs := map[string]int{}
	// playbook is the scenario's playbook for an action ("" when molecule
	// would find none: provisioner.playbooks, else <action>.yml beside
	// molecule.yml).
	playbook := func(action string) string {
		pb, ok := cfg.Provisioner.Playbooks[action]
		if !ok {
			pb = action + ".yml"
		}
		path := filepath.Join(dir, pb)
		if _, err := os.Stat(path); err != nil {
			return ""
		}
		return path
	}
	playArgs := func(action string, extra ...string) (string, error) {
		path := playbook(action)
		if path == "" {
			return "", fmt.Errorf("%s: no playbook (provisioner.playbooks.%s or %s.yml)", action, action, action)
		}
		cmd := exec.Command("ansible-playbook", append([]string{"-i", filepath.Join(dir, inventory), path}, extra...)...)
		cmd.Dir = dir
		cmd.Env = env
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		runs[action]++
		logName := action + ".log"
		if runs[action] > 1 {
			logName = fmt.Sprintf("%s-%d.log", action, runs[action])
		}
		logPath := filepath.Join(ephemeral, logName)
		_ = os.WriteFile(logPath, out.Bytes(), 0o644)
		if err != nil {
			return out.String(), fmt.Errorf("%s failed (%v); log: %s\n%s", action, err, logPath, tail(out.String(), 120))
		}
		// ansible-core 2.19+ warns about what the next releases will refuse:
		// none of that may come from the role or the scenarios.
		for _, bad := range []string{"[DEPRECATION WARNING]", "Found variable using reserved name"} {
			if strings.Contains(out.String(), bad) {
				return out.String(), fmt.Errorf("%s printed %q; log: %s\n%s", action, bad, logPath, tail(out.String(), 60))
			}
		}
		return out.String(), nil
	}
	play := func(action string) (string, error) { return playArgs(action) }
	timed := func(action string, fn func() error) error {
		start := time.Now()
		err := fn()
		*phases = append(*phases, fmt.Sprintf("%s %.0fs", action, time.Since(start).Seconds()))
		return err
	}
	// After a failure molecule (--destroy=always, its default) runs
	// cleanup, when the scenario has one, then destroy.
	destroyed := false
	defer func() {
		if destroyed {
			return
		}
		if playbook("cleanup") != "" {
			if _, err := play("cleanup"); err != nil {
				t.Errorf("cleanup after failure: %v", err)
			}
		}
		if _, err := play("destroy"); err != nil {
			t.Errorf("destroy after failure: %v", err)
		}
	}()
	for _, action := range cfg.Scenario.TestSequence {
		var err error
		switch action {
		case "idempotence":
			err = timed(action, func() error {
				out, err := play("converge")
				if err != nil {
					return err
				}
				var changed []string
				for _, m := range recapChanged.FindAllStringSubmatch(out, -1) {
					if m[2] != "0" {
						changed = append(changed, m[1]+" changed="+m[2])
					}
				}
				if len(changed) > 0 {
					return fmt.Errorf("idempotence: a second converge changed something: %s\n%s", strings.Join(changed, ", "), changedTasks(out))
				}
				return nil
			})
		case "dependency":
			*phases = append(*phases, "dependency disabled")
			continue
		case "syntax":
			// every playbook the scenario has, not only converge's
			err = timed(action, func() error {
				for _, a := range []string{"create", "prepare", "converge", "side_effect", "verify", "cleanup", "destroy"} {
					if playbook(a) == "" {
						continue
					}
					if _, err := playArgs(a, "--syntax-check"); err != nil {
						return fmt.Errorf("syntax: %w", err)
					}
				}
				return nil
			})
		case "check":
			err = timed(action, func() error { _, err := playArgs("converge", "--check"); return err })
		default:
			if optionalActions[action] && playbook(action) == "" {
				*phases = append(*phases, action+" not configured")
				continue
			}
			err = timed(action, func() error { _, err := play(action); return err })
			if action == "destroy" {
				destroyed = true
			}
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func tail(s string, lines int) string {
	parts := strings.Split(s, "\n")
	if len(parts) > lines {
		parts = parts[len(parts)-lines:]
	}
	return strings.Join(parts, "\n")
}

// changedTasks lists the tasks a playbook output reports as changed.
func changedTasks(out string) string {
	var b strings.Builder
	task := ""
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "TASK [") {
			task = line
		}
		if strings.HasPrefix(line, "changed: ") {
			b.WriteString(task + "\n  " + line + "\n")
		}
	}
	return b.String()
}
