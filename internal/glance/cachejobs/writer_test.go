package cachejobs

import (
	"errors"
	"github.com/kolla-glance/kolla-glance/internal/realpart"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

func TestValidateFileName(t *testing.T) {
	for _, ok := range []string{"kolla-glance-cache", "a", "A_b-9"} {
		assert.NoError(t, checkFileName(ok))
	}
	for _, bad := range []string{"", "a.b", "a b", "../x", "x/y", ".hidden", "a~", "ä"} {
		err := checkFileName(bad)
		require.Error(t, err, bad)
		assert.Contains(t, err.Error(), "cron_file")
		assert.Contains(t, err.Error(), `use only letters, digits, "_" and "-"`)
	}
}

func TestValidateDir(t *testing.T) {
	for _, ok := range []string{"/etc/cron.d", "/", "/tmp/x"} {
		assert.NoError(t, checkDir(ok))
	}
	tests := map[string]string{
		"etc/cron.d":      "must be an absolute path",
		"":                "must be an absolute path",
		"/etc/../cron.d":  `must not contain ".." segments`,
		"/etc/cron.d/":    `is not a clean path; use "/etc/cron.d"`,
		"/etc//cron.d":    "is not a clean path",
		"/etc/./cron.d":   "is not a clean path",
		"/etc/cron.d\n":   "contains a newline",
		"/etc/cron\x00.d": "control character",
	}
	for in, frag := range tests {
		err := checkDir(in)
		require.Error(t, err, in)
		assert.Contains(t, err.Error(), "cron_dir")
		assert.Contains(t, err.Error(), frag)
	}
}

func TestWriteAtomicCreatesAndReplaces(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, writeAtomic(realOps(), dir, "kolla-glance-cache", []byte("one\n"), FileMode))
	b, exists, err := read(dir, "kolla-glance-cache")
	require.NoError(t, err)
	assert.True(t, exists)
	assert.Equal(t, "one\n", string(b))
	require.NoError(t, writeAtomic(realOps(), dir, "kolla-glance-cache", []byte("two\n"), 0))
	b, _, _ = read(dir, "kolla-glance-cache")
	assert.Equal(t, "two\n", string(b))
	assert.Equal(t, []string{"kolla-glance-cache"}, listDir(t, dir), "no temporary file left")

	_, exists, err = read(dir, "missing")
	require.NoError(t, err)
	assert.False(t, exists)
}

func TestWriteAtomicModeIgnoresUmask(t *testing.T) {
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	dir := t.TempDir()
	require.NoError(t, writeAtomic(realOps(), dir, "f", []byte("x\n"), FileMode))
	st, err := os.Stat(filepath.Join(dir, "f"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), st.Mode().Perm())

	// An existing file with another mode gets the requested mode.
	require.NoError(t, os.Chmod(filepath.Join(dir, "f"), 0o666))
	syscall.Umask(0o000)
	require.NoError(t, writeAtomic(realOps(), dir, "f", []byte("y\n"), FileMode))
	st, _ = os.Stat(filepath.Join(dir, "f"))
	assert.Equal(t, os.FileMode(0o644), st.Mode().Perm())
}

func TestWriteAtomicFailureLeavesOldContent(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, writeAtomic(realOps(), dir, "f", []byte("old\n"), FileMode))

	t.Run("rename fails", func(t *testing.T) {
		ops := realOps()
		ops.rename = func(string, string) error { return errors.New("injected rename failure") }
		err := writeAtomic(ops, dir, "f", []byte("new\n"), FileMode)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "injected rename failure")
	})
	t.Run("fsync fails", func(t *testing.T) {
		ops := realOps()
		ops.sync = func(*os.File) error { return errors.New("injected fsync failure") }
		err := writeAtomic(ops, dir, "f", []byte("new\n"), FileMode)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "injected fsync failure")
	})
	t.Run("writable mode", func(t *testing.T) {
		err := writeAtomic(realOps(), dir, "f", []byte("new\n"), 0o664)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "mode 0664 is group- or other-writable; cron refuses such files (use 0644)")
	})
	t.Run("dir missing", func(t *testing.T) {
		require.Error(t, writeAtomic(realOps(), filepath.Join(dir, "nope"), "f", []byte("new\n"), FileMode))
	})
	b, _, _ := read(dir, "f")
	assert.Equal(t, "old\n", string(b))
	assert.Equal(t, []string{"f"}, listDir(t, dir), "temporary files removed")
}

func TestWriteAtomicConcurrentReadersSeeWholeFiles(t *testing.T) {
	dir := t.TempDir()
	a := strings.Repeat("a", 1<<16) + "\n"
	b := strings.Repeat("b", 1<<17) + "\n"
	require.NoError(t, writeAtomic(realOps(), dir, "f", []byte(a), FileMode))
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 50; i++ {
			c := a
			if i%2 == 0 {
				c = b
			}
			assert.NoError(t, writeAtomic(realOps(), dir, "f", []byte(c), FileMode))
		}
		close(done)
	}()
	for {
		select {
		case <-done:
			wg.Wait()
			return
		default:
		}
		got, err := os.ReadFile(filepath.Join(dir, "f"))
		require.NoError(t, err)
		s := string(got)
		require.True(t, s == a || s == b, "torn read of %d bytes", len(got))
	}
}

func TestDelete(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, writeAtomic(realOps(), dir, "f", []byte("x\n"), FileMode))
	require.NoError(t, remove(dir, "f"))
	assert.Empty(t, listDir(t, dir))
	require.NoError(t, remove(dir, "f"), "missing file is fine")
}

func TestLockSerialisesGoroutines(t *testing.T) {
	dir := t.TempDir()
	unlock, err := lock(dir)
	require.NoError(t, err)

	acquired := make(chan time.Time, 1)
	go func() {
		u, err := lock(dir)
		if !assert.NoError(t, err) {
			acquired <- time.Time{}
			return
		}
		acquired <- time.Now()
		u()
	}()
	select {
	case <-acquired:
		t.Fatal("second Lock succeeded while the first was held")
	case <-time.After(200 * time.Millisecond):
	}
	released := time.Now()
	unlock()
	unlock() // harmless
	select {
	case at := <-acquired:
		assert.False(t, at.Before(released))
	case <-time.After(time.Minute):
		t.Fatal("second Lock never acquired")
	}
	assert.Empty(t, listDir(t, dir), "no lock file left behind")
}

func TestLockCounterUnderContention(t *testing.T) {
	dir := t.TempDir()
	inside := 0
	maxInside := 0
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 20; j++ {
				unlock, err := lock(dir)
				if !assert.NoError(t, err) {
					return
				}
				mu.Lock()
				inside++
				if inside > maxInside {
					maxInside = inside
				}
				mu.Unlock()
				time.Sleep(100 * time.Microsecond)
				mu.Lock()
				inside--
				mu.Unlock()
				unlock()
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, 1, maxInside)
}

func TestLockExcludesOtherProcesses(t *testing.T) {
	realpart.Commands(t, "flock", "util-linux", "flock")
	dir := t.TempDir()
	unlock, err := lock(dir)
	require.NoError(t, err)
	err = exec.Command("flock", "-n", dir, "true").Run()
	require.Error(t, err, "another process cannot take the lock")
	unlock()
	require.NoError(t, exec.Command("flock", "-n", dir, "true").Run())

	_, err = lock(filepath.Join(dir, "missing"))
	require.Error(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "file"), nil, 0o644))
	_, err = lock(filepath.Join(dir, "file"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not a directory")
}

func TestSweepStaleTemps(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{".f.tmp-123", ".f.tmp-abc", ".g.tmp-1", "f", ".f.20240101T000000Z.bak", "f.tmp-x"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, n), []byte("x"), 0o644))
	}
	require.NoError(t, os.Mkdir(filepath.Join(dir, ".f.tmp-dir"), 0o755))
	removed, err := sweepStaleTemps(dir, "f")
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{filepath.Join(dir, ".f.tmp-123"), filepath.Join(dir, ".f.tmp-abc")}, removed)
	assert.ElementsMatch(t, []string{".f.tmp-dir", ".g.tmp-1", "f", ".f.20240101T000000Z.bak", "f.tmp-x"}, listDir(t, dir))
}

func TestSweepAfterKilledWriter(t *testing.T) {
	// Simulate a writer killed between CreateTemp and rename.
	dir := t.TempDir()
	require.NoError(t, writeAtomic(realOps(), dir, "f", []byte("old\n"), FileMode))
	tmp, err := os.CreateTemp(dir, tempPrefix("f")+"*")
	require.NoError(t, err)
	_, _ = tmp.WriteString("half")
	tmp.Close()
	removed, err := sweepStaleTemps(dir, "f")
	require.NoError(t, err)
	assert.Equal(t, []string{tmp.Name()}, removed)
	assert.Equal(t, []string{"f"}, listDir(t, dir))
}

func TestBackup(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "kolla-glance-cache")
	ops := realOps()
	bak, err := backup(ops, path)
	require.NoError(t, err)
	assert.Equal(t, "", bak, "nothing to back up")

	require.NoError(t, writeAtomic(ops, dir, "kolla-glance-cache", []byte("content\n"), FileMode))
	ops.now = func() time.Time { return time.Date(2024, 5, 6, 7, 8, 9, 0, time.FixedZone("X", 3600)) }
	bak, err = backup(ops, path)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, ".kolla-glance-cache.20240506T060809Z.bak"), bak)
	b, err := os.ReadFile(bak)
	require.NoError(t, err)
	assert.Equal(t, "content\n", string(b))
	st, _ := os.Stat(bak)
	assert.Equal(t, os.FileMode(0o644), st.Mode().Perm())

	bak2, err := backup(ops, path)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, ".kolla-glance-cache.20240506T060809Z-1.bak"), bak2)

	// Backups are never swept as temporary files, and cron ignores them.
	removed, err := sweepStaleTemps(dir, "kolla-glance-cache")
	require.NoError(t, err)
	assert.Empty(t, removed)
	for _, n := range listDir(t, dir) {
		if n != "kolla-glance-cache" {
			assert.True(t, strings.HasPrefix(n, ".") && strings.Contains(n[1:], "."), n)
		}
	}
}
