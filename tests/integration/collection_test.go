//go:build integration

package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestCollectionBuildsInstallsAndDocuments builds the tarball with
// ansible-galaxy, checks what it holds, installs it, renders every module's
// ansible-doc page from the installed copy and runs a playbook with it.
func TestCollectionBuildsInstallsAndDocuments(t *testing.T) {
	e := newEnv(t)
	out := filepath.Join(e.scratch, "dist")
	r := e.run(nil, "ansible-galaxy", "collection", "build", "--force", "--output-path", out, e.root)
	if r.code != 0 {
		t.Fatalf("build failed:\n%s", r.out)
	}
	tarballs, _ := filepath.Glob(filepath.Join(out, "kolla-glance-*.tar.gz"))
	if len(tarballs) != 1 {
		t.Fatalf("expected one tarball, got %v", tarballs)
	}
	list, err := exec.Command("tar", "tzf", tarballs[0]).Output()
	if err != nil {
		t.Fatal(err)
	}
	files := string(list)
	for _, m := range []string{"backends", "upgrade_plan", "cache_cron"} {
		for _, want := range []string{
			"plugins/modules/" + m + "_linux_x86_64", "plugins/modules/" + m + "_linux_aarch64",
			"plugins/modules/" + m + ".py", "plugins/action/" + m + ".py",
		} {
			if !strings.Contains(files, want+"\n") {
				t.Errorf("tarball lacks %s", want)
			}
		}
	}
	for _, bad := range []string{".go\n", "go.mod", "internal/", "plugins/cmd/", "molecule/", "__pycache__", ".ci/", "tests/"} {
		if strings.Contains(files, bad) {
			t.Errorf("tarball holds build junk matching %q", bad)
		}
	}

	installed := filepath.Join(e.scratch, "installed")
	r = e.run(nil, "ansible-galaxy", "collection", "install", "--force", "-p", installed, tarballs[0])
	if r.code != 0 {
		t.Fatalf("install failed:\n%s", r.out)
	}
	e.vars = append(e.vars, "ANSIBLE_COLLECTIONS_PATH="+installed)
	for _, m := range []string{"backends", "upgrade_plan", "cache_cron"} {
		r = e.run(nil, "ansible-doc", "kolla.glance."+m)
		if r.code != 0 {
			t.Fatalf("ansible-doc kolla.glance.%s failed:\n%s", m, r.out)
		}
		// 2.14: "> KOLLA.GLANCE.BACKENDS"; 2.19+: "> MODULE kolla.glance.backends"
		mustContain(t, r.out, "re:(?i)> (MODULE )?kolla.glance."+m+"\\b", "OPTIONS", "EXAMPLES:", "RETURN VALUES:")
		mustNotContain(t, r.out, "ERROR")
	}
	// One version: galaxy.yml's, reported by every installed binary.
	galaxy, err := os.ReadFile(filepath.Join(e.root, "galaxy.yml"))
	if err != nil {
		t.Fatal(err)
	}
	version := ""
	for _, line := range strings.Split(string(galaxy), "\n") {
		if v, ok := strings.CutPrefix(line, "version: "); ok {
			version = strings.TrimSpace(v)
		}
	}
	for _, m := range []string{"backends", "upgrade_plan", "cache_cron"} {
		binary := filepath.Join(installed, "ansible_collections", "kolla", "glance", "plugins", "modules", m+"_linux_"+hostArch())
		out, err := exec.Command(binary, "--version").Output()
		if err != nil {
			t.Fatalf("%s --version: %v", binary, err)
		}
		if got, want := strings.TrimSpace(string(out)), "kolla.glance."+m+" "+version; got != want {
			t.Errorf("%s --version = %q, want %q (galaxy.yml)", m, got, want)
		}
	}
	// The installed collection runs: controller execution, target
	// execution, check and diff mode.
	e.playbook("protocol")
}

// hostArch names this machine's architecture as the binaries' suffix does.
func hostArch() string {
	if runtime.GOARCH == "arm64" {
		return "aarch64"
	}
	return "x86_64"
}
