//go:build integration

package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMergeConfigsDiffHidesSecrets (issue 27): kolla.glance.merge_configs
// under --diff, at -vvvv, as kolla-ansible operators run it: a known secret
// in the rendered template (a password, a transport_url, a key, and a
// secret on a continuation line) is never printed, neither when the file is
// created nor when the secret changes, while a change of a plain key shows
// in the diff, and a changed secret still shows as a changed line.
func TestMergeConfigsDiffHidesSecrets(t *testing.T) {
	e := newEnv(t)
	const (
		secret1 = "S3cr3t-one-Kg27"
		secret2 = "S3cr3t-two-Kg27"
	)
	base := filepath.Join(e.scratch, "base.conf.j2")
	must(t, os.WriteFile(base, []byte(`[DEFAULT]
workers = {{ kg_workers }}
transport_url = rabbit://openstack:{{ kg_secret }}@rabbit:5672//
[keystone_authtoken]
username = glance
password = {{ kg_secret }}
memcache_secret_key = {{ kg_secret }}x
[database]
connection = mysql+pymysql://glance:{{ kg_secret }}@db/glance
[multi]
auth_token = first
  {{ kg_secret }}
`), 0o644))
	play := filepath.Join(e.scratch, "diff.yml")
	must(t, os.WriteFile(play, []byte(`- hosts: localhost
  gather_facts: false
  tasks:
    - name: Merge with a secret
      kolla.glance.merge_configs:
        sources: ["`+base+`"]
        dest: "`+filepath.Join(e.scratch, "glance-api.conf")+`"
        mode: "0600"
`), 0o644))
	runDiff := func(secret, workers string) string {
		t.Helper()
		// From a vars file: -e values are echoed at -vvvv by Ansible itself.
		vars := filepath.Join(e.scratch, "vars.yml")
		must(t, os.WriteFile(vars, []byte("kg_secret: "+secret+"\nkg_workers: "+workers+"\n"), 0o600))
		r := e.run(nil, "ansible-playbook", "--diff", "-vvvv", "-i", "inventory.ini", play, "-e", "@"+vars)
		if r.code != 0 {
			t.Fatalf("ansible-playbook --diff failed (rc=%d):\n%s", r.code, r.out)
		}
		for _, s := range []string{secret1, secret2} {
			if strings.Contains(r.out, s) {
				t.Errorf("--diff -vvvv printed the secret %q:\n%s", s, r.out)
			}
		}
		return r.out
	}
	out := runDiff(secret1, "2")
	mustContain(t, out, "+workers = 2", "+password = <hidden ", "+username = glance")
	out = runDiff(secret2, "3")
	mustContain(t, out, "-workers = 2", "+workers = 3", "-password = <hidden ", "+password = <hidden ")
	data, err := os.ReadFile(filepath.Join(e.scratch, "glance-api.conf"))
	must(t, err)
	if !strings.Contains(string(data), "password = "+secret2) {
		t.Errorf("the file does not hold the secret itself:\n%s", data)
	}
}
