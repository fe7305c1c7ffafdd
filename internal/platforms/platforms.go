// Package platforms reads plugins/plugin_utils/platforms.txt, the one
// mapping from a platform to the name of the collection's binary that the
// Makefile and the action plugins read too, for the Go tests and tools
// that look for a binary.
package platforms

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// File is platforms.txt's path relative to the repository root.
const File = "plugins/plugin_utils/platforms.txt"

// Platform is one platform a binary is built for.
type Platform struct {
	System string // uname -s in lower case, also GOOS
	Arch   string // the architecture as binary names spell it
	GOARCH string
}

// Table is the content of platforms.txt.
type Table struct {
	Name   string            // the binaries' name prefix
	arches map[string]string // any spelling -> the name in binary names
	goarch map[string]string // name in binary names -> GOARCH
	Dist   []Platform        // what make dist builds
}

// Load reads platforms.txt from the repository at root.
func Load(root string) (*Table, error) {
	f, err := os.Open(filepath.Join(root, File))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Parse(f)
}

// Parse reads a platforms file.
func Parse(r io.Reader) (*Table, error) {
	t := &Table{arches: map[string]string{}, goarch: map[string]string{}}
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		text, _, _ := strings.Cut(sc.Text(), "#")
		f := strings.Fields(text)
		switch {
		case len(f) == 0:
		case f[0] == "name" && len(f) == 2:
			t.Name = f[1]
		case f[0] == "arch" && len(f) >= 3:
			// arch <name> <GOARCH> <spellings>...: GOARCH is not a spelling.
			t.goarch[f[1]] = f[2]
			for _, s := range append([]string{f[1]}, f[3:]...) {
				t.arches[s] = f[1]
			}
		case f[0] == "dist" && len(f) == 3:
			g, ok := t.goarch[f[2]]
			if !ok {
				return nil, fmt.Errorf("%s:%d: dist %s has no arch line before it", File, line, f[2])
			}
			t.Dist = append(t.Dist, Platform{System: f[1], Arch: f[2], GOARCH: g})
		default:
			return nil, fmt.Errorf("%s:%d: cannot read %q", File, line, sc.Text())
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if t.Name == "" {
		return nil, fmt.Errorf("%s has no name line", File)
	}
	return t, nil
}

// Binary is the file name of the binary for a platform, with the system
// and architecture spelled as uname -sm or Ansible's facts spell them.
func (t *Table) Binary(system, arch string) string {
	if a, ok := t.arches[arch]; ok {
		arch = a
	}
	return t.Name + "_" + strings.ToLower(system) + "_" + arch
}

// Host is the file name of the linux binary for the machine the test runs on.
func (t *Table) Host() string { return t.Binary("linux", runtime.GOARCH) }
