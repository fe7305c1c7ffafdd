// Package kollanames checks that the role's own names stay out of
// kolla-ansible's: whatever roles/glance registers, sets with set_fact,
// defines in vars/main.yml or as task and loop variables must be a name no
// upstream kolla-ansible 2026.1 variable uses (its group_vars, every role's
// defaults and vars, etc/kolla/globals.yml). kolla-ansible passes an
// operator's globals.yml as extra vars, which override every one of those:
// a registered glance_backends, say, is replaced by the operator's list.
//
// Upstream is read from ../shared/upstream/kolla-ansible-2026.1 (or
// $KOLLA_GLANCE_UPSTREAM), unmodified.
package kollanames

import (
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func repoRoot(t *testing.T) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

func upstreamDir(t *testing.T) string {
	if d := os.Getenv("KOLLA_GLANCE_UPSTREAM"); d != "" {
		return d
	}
	d := filepath.Join(repoRoot(t), "..", "shared", "upstream", "kolla-ansible-2026.1")
	if _, err := os.Stat(filepath.Join(d, "ansible", "group_vars")); err != nil {
		t.Fatalf("upstream kolla-ansible 2026.1 is missing (%v): it is ../shared/upstream/kolla-ansible-2026.1 beside the repository, or $KOLLA_GLANCE_UPSTREAM", err)
	}
	return d
}

func parse(t *testing.T, path string) *yaml.Node {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var n yaml.Node
	if err := yaml.Unmarshal(data, &n); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return &n
}

// topKeys are the keys of a YAML file's top-level mapping.
func topKeys(n *yaml.Node) []string {
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	var keys []string
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			keys = append(keys, n.Content[i].Value)
		}
	}
	return keys
}

// upstreamNames are the variables kolla-ansible 2026.1 defines.
func upstreamNames(t *testing.T) map[string]string {
	dir := upstreamDir(t)
	names := map[string]string{}
	var files []string
	for _, g := range []string{"ansible/group_vars/*/*.yml", "ansible/group_vars/*.yml", "ansible/roles/*/defaults/*.yml", "ansible/roles/*/vars/*.yml"} {
		m, _ := filepath.Glob(filepath.Join(dir, g))
		files = append(files, m...)
	}
	if len(files) < 50 {
		t.Fatalf("only %d variable files under %s: not kolla-ansible's tree", len(files), dir)
	}
	for _, f := range files {
		rel, _ := filepath.Rel(dir, f)
		for _, k := range topKeys(parse(t, f)) {
			names[k] = rel
		}
	}
	// globals.yml names every operator setting, most of them commented out
	globals, err := os.ReadFile(filepath.Join(dir, "etc", "kolla", "globals.yml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`(?m)^#?([a-z_][a-z0-9_]*):`).FindAllStringSubmatch(string(globals), -1) {
		if _, ok := names[m[1]]; !ok {
			names[m[1]] = "etc/kolla/globals.yml"
		}
	}
	return names
}

// roleName is one name the role defines, and where.
type roleName struct{ name, where string }

// roleNames walks the role's task and handler files for register,
// set_fact keys, task and block vars and loop_var, and adds vars/main.yml.
func roleNames(t *testing.T) []roleName {
	role := filepath.Join(repoRoot(t), "roles", "glance")
	var out []roleName
	var walk func(n *yaml.Node, where string)
	walk = func(n *yaml.Node, where string) {
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i].Value, n.Content[i+1]
				switch k {
				case "register":
					out = append(out, roleName{v.Value, where + " register"})
				case "ansible.builtin.set_fact", "set_fact":
					for _, key := range topKeys(v) {
						if key != "cacheable" {
							out = append(out, roleName{key, where + " set_fact"})
						}
					}
				case "vars":
					for _, key := range topKeys(v) {
						out = append(out, roleName{key, where + " vars"})
					}
				case "loop_var":
					out = append(out, roleName{v.Value, where + " loop_var"})
				}
			}
		}
		for _, c := range n.Content {
			walk(c, where)
		}
	}
	err := filepath.Walk(role, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || !strings.HasSuffix(path, ".yml") {
			return err
		}
		rel, _ := filepath.Rel(role, path)
		switch {
		case strings.HasPrefix(rel, "tasks/"), strings.HasPrefix(rel, "handlers/"):
			walk(parse(t, path), rel)
		case rel == "vars/main.yml":
			for _, k := range topKeys(parse(t, path)) {
				out = append(out, roleName{k, rel})
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRoleNamesAreNotKollaNames: no name the role sets is a kolla-ansible
// variable, so an operator's globals.yml cannot replace it.
func TestRoleNamesAreNotKollaNames(t *testing.T) {
	kolla := upstreamNames(t)
	names := roleNames(t)
	if len(names) < 20 {
		t.Fatalf("found only %d names in roles/glance: the walk is broken", len(names))
	}
	var clashes []string
	for _, n := range names {
		if src, ok := kolla[n.name]; ok {
			clashes = append(clashes, n.name+" ("+n.where+"; kolla: "+src+")")
		}
	}
	sort.Strings(clashes)
	if len(clashes) > 0 {
		t.Errorf("%d names the role sets are kolla-ansible 2026.1 variables, which an operator's globals.yml (extra vars) replaces:\n  %s",
			len(clashes), strings.Join(clashes, "\n  "))
	}
}
