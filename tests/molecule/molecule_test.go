//go:build molecule

// Package molecule runs every molecule scenario under molecule/ the way
// molecule would (molecule itself cannot be installed here): it reads each
// scenario's molecule.yml and runs its test_sequence with ansible-playbook.
// The idempotence action runs converge again and fails when any host
// reports a change; destroy always runs, even after a failure.
//
//	go test -tags molecule ./tests/molecule/                 # every scenario
//	go test -tags molecule ./tests/molecule/ -run /file-single  # one
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
)

// config is the part of molecule.yml the harness needs.
type config struct {
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

func TestScenarios(t *testing.T) {
	root := repoRoot(t)
	var timings []string
	for _, name := range scenarios(t, root) {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			phases := runScenario(t, root, name)
			timings = append(timings, fmt.Sprintf("%-28s %6.1fs  (%s)", name, time.Since(start).Seconds(), phases))
		})
	}
	t.Logf("scenario timings:\n%s", strings.Join(timings, "\n"))
}

func runScenario(t *testing.T, root, name string) string {
	dir := filepath.Join(root, "molecule", name)
	data, err := os.ReadFile(filepath.Join(dir, "molecule.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg config
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		t.Fatalf("molecule.yml: %v", err)
	}
	if cfg.Driver.Name != "delegated" || cfg.Provisioner.Name != "ansible" {
		t.Fatalf("driver %q / provisioner %q: the harness runs delegated scenarios with the ansible provisioner", cfg.Driver.Name, cfg.Provisioner.Name)
	}
	inventory := cfg.Provisioner.Inventory.Links["hosts"]
	if inventory == "" {
		t.Fatal("provisioner.inventory.links.hosts is required")
	}
	ephemeral := filepath.Join(os.TempDir(), "kolla-glance-molecule", name)
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
	play := func(action string) (string, error) {
		pb, ok := cfg.Provisioner.Playbooks[action]
		if !ok {
			pb = action + ".yml"
		}
		path := filepath.Join(dir, pb)
		if _, err := os.Stat(path); err != nil {
			return "", fmt.Errorf("%s: playbook %s: %w", action, pb, err)
		}
		cmd := exec.Command("ansible-playbook", "-i", filepath.Join(dir, inventory), path)
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
		return out.String(), nil
	}
	var phases []string
	timed := func(action string, fn func() error) error {
		start := time.Now()
		err := fn()
		phases = append(phases, fmt.Sprintf("%s %.0fs", action, time.Since(start).Seconds()))
		return err
	}
	destroyed := false
	defer func() {
		if !destroyed {
			if _, err := play("destroy"); err != nil {
				t.Errorf("destroy after failure: %v", err)
			}
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
		case "dependency", "syntax", "lint", "cleanup":
			continue
		default:
			err = timed(action, func() error { _, err := play(action); return err })
			if action == "destroy" {
				destroyed = true
			}
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return strings.Join(phases, ", ")
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
