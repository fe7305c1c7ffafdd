//go:build integration

package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kolla-glance/kolla-glance/internal/modules"
)

// TestModuleExamplesRun executes every module's EXAMPLES, as ansible-doc
// shows them, in a real playbook. cron_dir is redirected to a scratch
// directory with module_defaults, so nothing outside it changes.
func TestModuleExamplesRun(t *testing.T) {
	e := newEnv(t)
	cronDir := filepath.Join(e.scratch, "cron.d")
	if err := os.MkdirAll(cronDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, m := range modules.All() {
		t.Run(m.Spec.Name, func(t *testing.T) {
			var b strings.Builder
			b.WriteString("---\n- name: EXAMPLES of " + m.Spec.FQCN() + "\n  hosts: localhost\n  gather_facts: false\n")
			b.WriteString("  module_defaults:\n    kolla.glance.cache_cron:\n      cron_dir: " + cronDir + "\n")
			b.WriteString("  tasks:\n")
			for _, line := range strings.Split(strings.TrimRight(m.Spec.Examples, "\n"), "\n") {
				if line == "" {
					b.WriteString("\n")
					continue
				}
				b.WriteString("    " + line + "\n")
			}
			path := filepath.Join(e.scratch, m.Spec.Name+"-examples.yml")
			if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
				t.Fatal(err)
			}
			r := e.run(nil, "ansible-playbook", "-i", "inventory.ini", path)
			if r.code != 0 {
				t.Fatalf("the EXAMPLES of %s do not run (rc=%d):\n%s\n%s", m.Spec.FQCN(), r.code, b.String(), r.out)
			}
			mustNotContain(t, r.out, "failed=1", "FAILED!")
		})
	}
	// The cache_cron examples wrote only into the scratch cron dir.
	entries, err := os.ReadDir(cronDir)
	if err != nil || len(entries) == 0 {
		t.Fatalf("the cache_cron examples wrote nothing into %s: %v", cronDir, err)
	}
}
