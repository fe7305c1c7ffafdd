//go:build integration

package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestProtocolPlaybook(t *testing.T) {
	e := newEnv(t)
	e.playbook("protocol")
}

// TestModulesWithTheirDefaults: a task of each module with only its required
// options passes, with no warning of any kind from ansible-core (a
// deprecation of something the collection uses shows here first).
func TestModulesWithTheirDefaults(t *testing.T) {
	e := newEnv(t)
	r := e.playbook("with_defaults")
	mustNotContain(t, r.out, "[WARNING]", "[DEPRECATION WARNING]")
}

func TestNoLogMaskedAtVVV(t *testing.T) {
	e := newEnv(t)
	// ansible-core 2.21+ returns invocation only when asked (older cores
	// always do): ask, so that the masked module_args are printed on every line.
	r := e.run([]string{"ANSIBLE_INJECT_INVOCATION=1"}, "ansible-playbook", "-i", "inventory.ini",
		filepath.Join("targets", "nolog", "main.yml"), "-e", "scratch_dir="+e.scratch, "-vvv")
	if r.code != 0 {
		t.Fatalf("ansible-playbook nolog failed (rc=%d):\n%s", r.code, r.out)
	}
	mustNotContain(t, r.out, "Sup3rS3cretValue")
	mustContain(t, r.out, "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER", "AKIAEXAMPLE")
}

func TestAdHocStringArguments(t *testing.T) {
	e := newEnv(t)
	r := e.run(nil, "ansible", "-i", "inventory.ini", "localhost", "-m", "kolla.glance.backends",
		"-a", "api_hosts=control01,control02,control03 file=yes file_datadir_volume=glance image_cache=no")
	if r.code != 0 {
		t.Fatalf("ad-hoc run failed:\n%s", r.out)
	}
	mustContain(t, r.out, `"enabled_backends_conf": "file:file, http:http"`, `"rolling_upgrade_safe": false`)
	// glance-api pinned to the first host, with a warning naming the others.
	mustContain(t, r.out, `"api_hosts": [`, "control01", "hosts left out")

	r = e.run(nil, "ansible", "-i", "inventory.ini", "localhost", "-m", "kolla.glance.upgrade_plan",
		"-a", "api_hosts=a,b,c rolling=true max_unavailable=2 db_state=4")
	if r.code != 0 {
		t.Fatalf("ad-hoc upgrade_plan failed:\n%s", r.out)
	}
	mustContain(t, r.out, `"mode": "rolling"`)
}

func TestInvalidTaskTransfersNothing(t *testing.T) {
	e := newEnv(t)
	r := e.run(nil, "ansible", "-vvv", "-i", "inventory.ini", "localhost", "-m", "kolla.glance.cache_cron",
		"-a", "cron_dir=/nonexistent bogus=1 pruner_schedule=", "-e", "ansible_connection=local")
	if r.code == 0 {
		t.Fatalf("an unknown option passed:\n%s", r.out)
	}
	mustContain(t, r.out, "Unsupported parameters for (kolla.glance.cache_cron) module: bogus.")
	mustNotContain(t, r.out, "PUT ", "EXEC ", "AnsiballZ_")
}

func TestPlatformWithoutBinary(t *testing.T) {
	e := newEnv(t)
	bin := filepath.Join(e.scratch, "fakebin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	fake := "#!/bin/sh\necho 'Linux ppc64le'\n"
	if err := os.WriteFile(filepath.Join(bin, "uname"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	r := e.run([]string{"PATH=" + bin + ":" + os.Getenv("PATH")}, "ansible", "-i", "inventory.ini", "localhost",
		"-m", "kolla.glance.cache_cron", "-a", "cron_dir="+e.scratch+" glance_release=zed")
	if r.code == 0 {
		t.Fatalf("a platform without a binary passed:\n%s", r.out)
	}
	mustContain(t, r.out, "kolla.glance.cache_cron has no binary for Linux/ppc64le", "kolla_glance_linux_ppc64le is not in",
		"kolla_glance_linux_aarch64, kolla_glance_linux_x86_64")
	if strings.Contains(r.out, "Traceback") {
		t.Errorf("a traceback:\n%s", r.out)
	}
}
