//go:build molecule

package molecule

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestConfigFollowsMolecule: the harness accepts what current molecule
// accepts and refuses what it refuses, naming the setting.
func TestConfigFollowsMolecule(t *testing.T) {
	valid := `
dependency: {name: galaxy, enabled: false}
driver: {name: default, options: {managed: true}}
provisioner:
  name: ansible
  inventory: {links: {hosts: inventory.yml}}
  playbooks: {create: c.yml, converge: v.yml, destroy: d.yml}
scenario: {test_sequence: [dependency, syntax, create, converge, idempotence, verify, destroy]}
`
	cases := []struct {
		name, from, to, want string
	}{
		{"current molecule's layout", "", "", ""},
		{"molecule 5's delegated driver", "name: default", "name: delegated", "Failed to find driver delegated"},
		{"lint step (gone with molecule 6)", "verify, destroy", "verify, lint, destroy", `test_sequence step "lint"`},
		{"a step molecule never had", "verify, destroy", "verify, smoke, destroy", `test_sequence step "smoke"`},
		{"Galaxy dependency", "enabled: false", "enabled: true", "dependency \"galaxy\" is enabled"},
		{"no inventory", "links: {hosts: inventory.yml}", "links: {}", "provisioner.inventory.links.hosts is required"},
		{"no create playbook", "create: c.yml, ", "", "provisioner.playbooks.create is required"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			text := strings.Replace(valid, c.from, c.to, 1)
			var cfg config
			if err := yaml.Unmarshal([]byte(text), &cfg); err != nil {
				t.Fatal(err)
			}
			err := checkConfig(cfg)
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Fatalf("want an error with %q, got %v", c.want, err)
			}
		})
	}
}

// TestEveryScenarioLoads: every molecule.yml passes checkConfig, and a
// scenario named default exists, so plain `molecule test` runs one.
func TestEveryScenarioLoads(t *testing.T) {
	root := repoRoot(t)
	names := scenarios(t, root)
	hasDefault := false
	for _, name := range names {
		hasDefault = hasDefault || name == "default"
		data, err := os.ReadFile(filepath.Join(root, "molecule", name, "molecule.yml"))
		if err != nil {
			t.Fatal(err)
		}
		var cfg config
		if err := yaml.Unmarshal(data, &cfg); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := checkConfig(cfg); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if !hasDefault {
		t.Errorf("no molecule/default scenario: plain `molecule test` would find nothing to run")
	}
}
