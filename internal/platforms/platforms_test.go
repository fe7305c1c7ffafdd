package platforms

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The repository's own file: the names the action plugins and the Makefile
// give (tests/integration checks the plugin's, make dist's are built from it).
func TestTheRepositorysPlatforms(t *testing.T) {
	tab, err := Load(filepath.Join("..", ".."))
	require.NoError(t, err)
	for _, c := range []struct{ system, arch, want string }{
		{"Linux", "x86_64", "kolla_glance_linux_x86_64"},
		{"Linux", "amd64", "kolla_glance_linux_x86_64"},
		{"Linux", "aarch64", "kolla_glance_linux_aarch64"},
		{"Darwin", "arm64", "kolla_glance_darwin_aarch64"},
		{"Linux", "ppc64le", "kolla_glance_linux_ppc64le"},
	} {
		assert.Equal(t, c.want, tab.Binary(c.system, c.arch), "%s %s", c.system, c.arch)
	}
	assert.Equal(t, []Platform{{"linux", "x86_64", "amd64"}, {"linux", "aarch64", "arm64"}}, tab.Dist)
}

func TestParseRefusesWhatItCannotRead(t *testing.T) {
	for _, text := range []string{
		"arch x86_64 amd64\n",             // no name
		"name a\ndist linux x86_64\n",     // dist before its arch
		"name a\narch x86_64\n",           // no GOARCH
		"name a\nplatform linux x86_64\n", // unknown line
	} {
		_, err := Parse(strings.NewReader(text))
		assert.Error(t, err, text)
	}
}
