//go:build integration

package integration

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/kolla-glance/kolla-glance/internal/platforms"
)

// TestOneBinaryNameMapping: the Makefile (make build names the binary it
// builds), the action plugins (which binary they look for) and the Go tests
// give every platform the same binary name, all read from platforms.txt.
// An arm64 macOS controller builds kolla_glance_darwin_aarch64 and the
// plugin looks for exactly that.
func TestOneBinaryNameMapping(t *testing.T) {
	e := newEnv(t)
	tab, err := platforms.Load(e.root)
	if err != nil {
		t.Fatal(err)
	}
	pairs := [][2]string{{"Linux", "x86_64"}, {"Linux", "amd64"}, {"Linux", "aarch64"}, {"Linux", "arm64"},
		{"Darwin", "arm64"}, {"Darwin", "x86_64"}, {"Linux", "ppc64le"}}
	var script strings.Builder
	script.WriteString("import sys\nsys.path.insert(0, sys.argv[1])\n" +
		"from ansible_collections.kolla.glance.plugins.plugin_utils.platforms import binary_name\n")
	for _, p := range pairs {
		script.WriteString("print(binary_name(" + pyQuote(p[0]) + ", " + pyQuote(p[1]) + "))\n")
	}
	r := e.run(nil, "ansible-python", "-c", script.String(), e.scratch+"/collections")
	if r.code != 0 {
		t.Fatalf("the plugin's mapping failed:\n%s", r.out)
	}
	plugin := strings.Fields(r.out)
	if len(plugin) != len(pairs) {
		t.Fatalf("want %d names from the plugin, got:\n%s", len(pairs), r.out)
	}
	for i, p := range pairs {
		out, err := exec.Command("make", "-s", "-C", e.root, "binary-name", "UNAME_S="+p[0], "UNAME_M="+p[1]).CombinedOutput()
		if err != nil {
			t.Fatalf("make binary-name: %v\n%s", err, out)
		}
		goName, makeName := tab.Binary(p[0], p[1]), strings.TrimSpace(string(out))
		if plugin[i] != goName || makeName != goName {
			t.Errorf("%s %s: the plugin looks for %s, make build writes %s, the Go table says %s", p[0], p[1], plugin[i], makeName, goName)
		}
	}
	if got := tab.Binary("Darwin", "arm64"); got != "kolla_glance_darwin_aarch64" {
		t.Errorf("an arm64 macOS controller's binary is %s", got)
	}
}

func pyQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "\\'") + "'" }
