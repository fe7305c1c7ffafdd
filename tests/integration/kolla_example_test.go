//go:build integration

package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestKollaMultinodeExample runs the worked example of
// docs/kolla-ansible-integration.md as a new user would: kolla-ansible's
// multinode inventory layout, a globals.yml, and the playbook the guide
// shows. The hosts are mapped onto this machine (local connection, a scratch
// cron dir per host) with extra variables only; the files are used as they
// are, and the guide must quote them verbatim.
func TestKollaMultinodeExample(t *testing.T) {
	e := newEnv(t)
	example := filepath.Join(e.root, "docs", "examples", "kolla-multinode")
	guide, err := os.ReadFile(filepath.Join(e.root, "docs", "kolla-ansible-integration.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"multinode", "globals.yml", "passwords.yml", "glance-kolla-glance.yml"} {
		body, err := os.ReadFile(filepath.Join(example, f))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(guide), string(body)) {
			t.Errorf("docs/kolla-ansible-integration.md does not quote %s as it is", f)
		}
	}
	cronRoot := filepath.Join(e.scratch, "hosts")
	for _, h := range []string{"control01", "control02", "control03"} {
		if err := os.MkdirAll(filepath.Join(cronRoot, h), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	r := e.run(nil, "ansible-playbook", "-i", filepath.Join(example, "multinode"),
		"-e", "@"+filepath.Join(example, "globals.yml"),
		"-e", "@"+filepath.Join(example, "passwords.yml"),
		"-e", "ansible_connection=local", "-e", "ansible_become=false",
		"-e", "glance_cache_cron_dir="+cronRoot+"/{{ inventory_hostname }}",
		filepath.Join(example, "glance-kolla-glance.yml"))
	if r.code != 0 {
		t.Fatalf("the worked example failed (rc=%d):\n%s", r.code, r.out)
	}
	mustContain(t, r.out, "rolling upgrade of 3 glance-api hosts", "[batch 2]", "glance-manage db contract on control01")
	for _, h := range []string{"control01", "control02", "control03"} {
		cron, err := os.ReadFile(filepath.Join(cronRoot, h, "kolla-glance-cache"))
		if err != nil {
			t.Fatalf("no cache cron on %s: %v", h, err)
		}
		mustContain(t, string(cron), "#Ansible: glance-cache-pruner", "--config-file /etc/glance/glance-api.conf --config-file /etc/glance/glance-cache.conf")
	}
	mustNotContain(t, r.out, "network01", "compute01", "storage01")
}
