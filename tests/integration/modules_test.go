//go:build integration

package integration

import (
	"regexp"
	"strings"
	"testing"
)

// recapOK matches a play recap line without failures or unreachable hosts.
var recapOK = regexp.MustCompile(`localhost\s+: ok=\d+\s+changed=0\s+unreachable=0\s+failed=0\s`)

func TestBackendsPlaybook(t *testing.T) {
	e := newEnv(t)
	r := e.playbook("backends")
	if !recapOK.MatchString(r.out) {
		t.Errorf("unexpected play recap:\n%s", r.out)
	}
	// The hostile tasks failed (and were ignored) rather than being skipped.
	mustContain(t, r.out, "...ignoring", "Unsupported parameters for (kolla.glance.backends) module: glance_backend_nfs.")
	mustNotContain(t, r.out, "Traceback", "panicked", "Int3gr4tionS3cret", "VMw4reS3cret")
}

func TestUpgradePlanPlaybook(t *testing.T) {
	e := newEnv(t)
	r := e.playbook("upgrade_plan")
	if !recapOK.MatchString(r.out) {
		t.Errorf("unexpected play recap:\n%s", r.out)
	}
	mustContain(t, r.out, "...ignoring", "rolling upgrade refused")
	mustNotContain(t, r.out, "Traceback", "panicked")
}

// adHoc runs one module ad hoc on localhost with key=value string arguments,
// as `ansible -a` passes them: every value arrives as a string.
func adHoc(e *env, module, args string, extra ...string) runResult {
	e.t.Helper()
	return adHocWith(e, nil, module, args, extra...)
}

// adHocWith is adHoc with extra environment (KEY=value) for ansible, and so
// for the commands the local connection runs on the "target".
func adHocWith(e *env, environ []string, module, args string, extra ...string) runResult {
	e.t.Helper()
	all := append([]string{"-i", "inventory.ini", "localhost", "-m", "kolla.glance." + module, "-a", args}, extra...)
	return e.run(environ, "ansible", all...)
}

func TestAdHocHostileStrings(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		module, args string
		want         []string
		not          []string
	}{
		{"backends", "api_hosts= ceph=perhaps", []string{
			typeError("ceph", "str", "bool: The value 'perhaps' is not a valid boolean"),
		}, nil},
		{"backends", "api_hosts=", []string{
			"api_hosts[0]: empty host name; every item must be a non-empty inventory host name",
		}, nil},
		{"backends", "api_hosts=control01,,control02", []string{"api_hosts[1]: empty host name"}, nil},
		{"backends", "api_hosts=a,b,a default_backend=swift", []string{
			"2 problems with the arguments: ",
			`api_hosts: duplicate host names \"a\"`,
			`default_backend: \"swift\" is not an enabled backend; accepted: \"file\"`,
		}, nil},
		{"backends", "api_hosts=a file=yes max_unavailable=2", []string{
			"Unsupported parameters for (kolla.glance.backends) module: max_unavailable. Supported parameters include: api_hosts,",
		}, nil},
		{"backends", "api_hosts=a,b file=no ceph=off swift=0", []string{
			"default_backend: no image store is enabled to be the default",
		}, nil},
		{"backends", "api_hosts=a,b s3=on s3_secret_key=Zz9AdHocSecretZz", []string{
			"3 problems with the arguments: ",
			"s3_url: s3 is on but s3_url is empty",
			"s3_bucket: s3 is on but s3_bucket is empty",
			"s3_access_key: s3 is on but s3_access_key is empty",
		}, []string{"Zz9AdHocSecretZz", "s3_secret_key: s3 is on"}},
		{"upgrade_plan", "api_hosts=a,b,c rolling=yes max_unavailable=many", []string{
			typeError("max_unavailable", "str", "int"),
		}, nil},
		{"upgrade_plan", "api_hosts=a,b,c rolling=yes max_unavailable=3", []string{
			"max_unavailable: must be between 1 and 2 (one less than the 3 api_hosts) in rolling mode, got 3",
		}, nil},
		{"upgrade_plan", "api_hosts=a,b rolling=yes upgraded_hosts=c", []string{
			`upgraded_hosts: \"c\" is not in api_hosts`,
		}, nil},
		{"upgrade_plan", "api_hosts=a rolling=True", []string{
			"rolling upgrade refused: api_hosts has 1 host",
		}, nil},
	}
	for _, c := range cases {
		t.Run(c.module+" "+c.args, func(t *testing.T) {
			r := adHoc(e, c.module, c.args)
			if r.code != 2 {
				t.Fatalf("want ansible's exit code 2 for a failed task, got %d:\n%s", r.code, r.out)
			}
			mustContain(t, r.out, append([]string{"localhost | FAILED! =>", `"changed": false`}, c.want...)...)
			mustNotContain(t, r.out, "Traceback", "panicked", `"enabled_backends"`, `"steps"`)
			mustNotContain(t, r.result(), c.not...)
		})
	}

	// The same strings done right succeed, so the failures above are about
	// the values, not about string arguments as such.
	r := adHoc(e, "backends", "api_hosts=a,b ceph=yes cinder=on http=1 image_cache=no")
	if r.code != 0 {
		t.Fatalf("valid string arguments failed:\n%s", r.out)
	}
	mustContain(t, r.out, `"enabled_backends_conf": "http:http, cinder:cinder, rbd:rbd"`, `"default_backend": "rbd"`)
}

// A task refused by the controller-side validation transfers nothing, even
// when the module would have run on the target; the control run shows what a
// transfer looks like at -vvv, so the absence is meaningful.
func TestUpgradePlanInvalidTransfersNothing(t *testing.T) {
	e := newEnv(t)
	local := []string{"-vvv", "-e", "ansible_connection=local"}

	r := adHoc(e, "upgrade_plan", "api_hosts=a,b rolling=yes", append(local, "-e", "kolla_glance_compute_on=target")...)
	if r.code != 0 {
		t.Fatalf("control run failed:\n%s", r.out)
	}
	// A cold cache (the scratch remote_tmp is new): the binary is uploaded
	// into it and run by the cache's command.
	mustContain(t, r.out, "PUT ", "kolla_glance_linux_", "kolla-glance-binaries/.up-", "EXEC ", `"mode": "rolling"`)

	for _, where := range []string{"target", "controller"} {
		t.Run(where, func(t *testing.T) {
			r := adHoc(e, "upgrade_plan", "api_hosts=a,b rolling=perhaps db_state=seven bogus=1",
				append(local, "-e", "kolla_glance_compute_on="+where)...)
			if r.code == 0 {
				t.Fatalf("an invalid task passed:\n%s", r.out)
			}
			mustContain(t, r.out,
				"3 problems with the arguments: ",
				typeError("rolling", "str", "bool: The value 'perhaps' is not a valid boolean"),
				typeError("db_state", "str", "int"),
				"Unsupported parameters for (kolla.glance.upgrade_plan) module: bogus.")
			mustNotContain(t, r.out, "PUT ", "EXEC ", "AnsiballZ_", "kolla_glance_linux_")
			if n := strings.Count(r.out, "FAILED!"); n != 1 {
				t.Errorf("want one failure, got %d:\n%s", n, r.out)
			}
		})
	}
}

// TestMergeConfigsPlaybook: kolla's node_custom_config merge, checked
// against whole files in the target's asserts.
func TestMergeConfigsPlaybook(t *testing.T) {
	e := newEnv(t)
	r := e.playbook("merge_configs")
	mustNotContain(t, r.out, "Traceback")
}
