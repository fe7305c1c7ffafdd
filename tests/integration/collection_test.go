//go:build integration

package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kolla-glance/kolla-glance/internal/platforms"
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
	tab, err := platforms.Load(e.root)
	if err != nil {
		t.Fatal(err)
	}
	// One binary per platform serves every module; each module keeps its
	// own documentation and action plugin.
	wants := []string{"plugins/plugin_utils/platforms.txt", "plugins/plugin_utils/binary_cache.py"}
	for _, p := range tab.Dist {
		wants = append(wants, "plugins/modules/"+tab.Binary(p.System, p.Arch))
	}
	for _, m := range []string{"backends", "upgrade_plan", "cache_cron"} {
		wants = append(wants, "plugins/modules/"+m+".py", "plugins/action/"+m+".py")
		if strings.Contains(files, "plugins/modules/"+m+"_linux_") {
			t.Errorf("tarball holds a per-module binary of %s (make dist removes them; run make clean)", m)
		}
	}
	// merge_configs is an action plugin with its documentation, no binary.
	wants = append(wants, "plugins/modules/merge_configs.py", "plugins/action/merge_configs.py")
	for _, want := range wants {
		if !strings.Contains(files, want+"\n") {
			t.Errorf("tarball lacks %s", want)
		}
	}
	if n := strings.Count(files, "plugins/modules/"+tab.Name+"_"); n != len(tab.Dist) {
		t.Errorf("tarball holds %d binaries, want %d (one per platform of platforms.txt):\n%s", n, len(tab.Dist), files)
	}
	if st, err := os.Stat(tarballs[0]); err != nil || st.Size() > 3_000_000 {
		t.Errorf("the tarball is %v bytes, more than 3 MB (%v)", st.Size(), err)
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
	for _, m := range []string{"backends", "upgrade_plan", "cache_cron", "merge_configs"} {
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
	binary := filepath.Join(installed, "ansible_collections", "kolla", "glance", "plugins", "modules", tab.Host())
	links := filepath.Join(e.scratch, "links")
	if err := os.MkdirAll(links, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"", "backends", "upgrade_plan", "cache_cron"} {
		// Run by the name of a module (busybox style), the binary is that module.
		run, want := binary, "kolla.glance "+version
		if m != "" {
			run, want = filepath.Join(links, m), "kolla.glance."+m+" "+version
			if err := os.Symlink(binary, run); err != nil {
				t.Fatal(err)
			}
		}
		out, err := exec.Command(run, "--version").Output()
		if err != nil {
			t.Fatalf("%s --version: %v", run, err)
		}
		if got := strings.TrimSpace(string(out)); got != want {
			t.Errorf("%s --version = %q, want %q (galaxy.yml)", run, got, want)
		}
	}
	// The installed collection runs: controller execution, target
	// execution, check and diff mode.
	e.playbook("protocol")
}
