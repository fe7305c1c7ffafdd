//go:build integration

package integration

import (
	"os"
	"path/filepath"
	"testing"
)

// TestRoleNamesGlobalsVariables: when kolla.glance.backends refuses its
// arguments, the role's message names the globals.yml variable behind each
// option the problems are about: for a problem the module finds (empty S3
// settings), for one the controller's validation finds before the module
// runs (a port that is no number; the action plugin asks the controller's
// binary for the structured problems), and for a value outside the
// choices.
func TestRoleNamesGlobalsVariables(t *testing.T) {
	e := newEnv(t)
	pb := filepath.Join("targets", "role_backends", "main.yml")
	for _, c := range []struct {
		name, setting string
		want          []string
	}{
		{"the module's own problems", "glance_backend_s3=yes", []string{
			"4 problems with the arguments: (1) s3_url: s3 is on but s3_url is empty",
			"(in globals.yml: s3_url is glance_backend_s3_url (or s3_url); s3_bucket is glance_backend_s3_bucket (or s3_bucket); " +
				"s3_access_key is glance_backend_s3_access_key (or s3_access_key); s3_secret_key is glance_backend_s3_secret_key (or s3_secret_key))"}},
		{"a type the controller refuses", "glance_api_listen_port=abc", []string{
			"argument 'api_port' is of type", "(in globals.yml: api_port is glance_api_listen_port)"}},
		{"a value outside the choices", "openstack_release=1999.9", []string{
			"value of openstack_release must be one of", "(in globals.yml: openstack_release is openstack_release)"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := e.run(nil, "ansible-playbook", "-i", "inventory.ini", pb, "-e", c.setting)
			if r.code == 0 {
				t.Fatalf("the role accepted %s:\n%s", c.setting, r.out)
			}
			mustContain(t, r.out, c.want...)
		})
	}
}

// TestRoleRefusesAPathAsHostName: the role's config step refuses a host
// whose inventory name would leave node_custom_config/glance/ (it names a
// directory there), before it writes anything.
func TestRoleRefusesAPathAsHostName(t *testing.T) {
	e := newEnv(t)
	etc := filepath.Join(e.scratch, "etc-kolla")
	r := e.run(nil, "ansible-playbook", "-i", filepath.Join("targets", "role_paths", "inventory.yml"),
		filepath.Join("targets", "role_paths", "main.yml"),
		"-e", "node_config_directory="+etc, "-e", "node_custom_config="+filepath.Join(e.scratch, "custom"))
	if r.code == 0 {
		t.Fatalf("the role accepted the host ../escape:\n%s", r.out)
	}
	mustContain(t, r.out, `inventory_hostname \"../escape\" cannot name a directory`)
	if _, err := os.Stat(etc); !os.IsNotExist(err) {
		t.Errorf("the role wrote %s for a host it refused (%v)", etc, err)
	}
}
