package cachejobs

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// FileMode is the mode of a cron.d file: cron refuses files that are
// group- or other-writable.
const FileMode os.FileMode = 0o644

// ^[A-Za-z0-9_-]+$
var fileNameRe = charClass{first: alnum + "_-", rest: alnum + "_-", min: 1}

// checkFileName checks a cron_file name: letters, digits, "_" and "-"
// only. Debian cron silently ignores any other name in /etc/cron.d (a dot
// included), so such a file would never run.
func checkFileName(name string) error {
	if !fileNameRe.MatchString(name) {
		return fmt.Errorf("cron_file %q is not a valid name: use only letters, digits, \"_\" and \"-\" (cron ignores files with other names, dots included)", name)
	}
	return nil
}

// checkDir checks a cron_dir: an absolute, clean path without ".."
// segments or control characters.
func checkDir(dir string) error {
	if i, what := findForbidden(dir, false); what != "" {
		return fmt.Errorf("cron_dir %q contains %s at byte %d", dir, what, i)
	}
	if !filepath.IsAbs(dir) {
		return fmt.Errorf("cron_dir %q must be an absolute path", dir)
	}
	for _, seg := range strings.Split(dir, "/") {
		if seg == ".." {
			return fmt.Errorf("cron_dir %q must not contain \"..\" segments", dir)
		}
	}
	if c := filepath.Clean(dir); c != dir {
		return fmt.Errorf("cron_dir %q is not a clean path; use %q", dir, c)
	}
	return nil
}

// tempPrefix is the prefix of writeAtomic's temporary files for name. It
// starts with "." and contains dots, so cron never loads a temporary file
// (Debian cron ignores names with dots, cronie names starting with ".").
func tempPrefix(name string) string { return "." + name + ".tmp-" }

// fileOps are the system calls the writer's tests replace to inject
// faults and fix the clock; realOps are the real ones.
type fileOps struct {
	rename func(oldpath, newpath string) error
	sync   func(*os.File) error
	now    func() time.Time
}

func realOps() fileOps {
	return fileOps{rename: os.Rename, sync: (*os.File).Sync, now: time.Now}
}

// read returns the content of dir/name and whether the file exists.
func read(dir, name string) (content []byte, exists bool, err error) {
	b, err := os.ReadFile(filepath.Join(dir, name))
	if errors.Is(err, os.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return b, true, nil
}

// writeAtomic replaces dir/name with content (dir and name come from a
// Request: checked once, by NewRequest). It writes a temporary file
// ".<name>.tmp-<random>" in dir itself (same file system, and a name cron
// ignores), fsyncs it, sets mode with an explicit chmod (the umask does
// not matter; 0 means FileMode; group- or other-writable modes are
// refused because cron ignores such files), renames it over dir/name and fsyncs dir.
// On any error before the rename the temporary file is removed and
// dir/name is untouched; readers see the old or the new content, never a
// mix. A symbolic link at dir/name is replaced by a regular file. The file
// belongs to the calling user (root when run by cron's owner); a new file
// created in dir gets dir's default SELinux context.
func writeAtomic(ops fileOps, dir, name string, content []byte, mode os.FileMode) (err error) {
	if mode == 0 {
		mode = FileMode
	}
	if mode.Perm()&0o022 != 0 {
		return fmt.Errorf("mode %#o is group- or other-writable; cron refuses such files (use %#o)", mode.Perm(), FileMode)
	}
	target := filepath.Join(dir, name)
	f, err := os.CreateTemp(dir, tempPrefix(name)+"*")
	if err != nil {
		return fmt.Errorf("cannot create a temporary file in %s: %w", dir, err)
	}
	tmp := f.Name()
	renamed := false
	defer func() {
		if err != nil {
			_ = f.Close()
			if !renamed {
				_ = os.Remove(tmp)
			}
		}
	}()
	if _, err = f.Write(content); err != nil {
		return fmt.Errorf("cannot write %s: %w", tmp, err)
	}
	if err = ops.sync(f); err != nil {
		return fmt.Errorf("cannot fsync %s: %w", tmp, err)
	}
	if err = f.Chmod(mode.Perm()); err != nil {
		return fmt.Errorf("cannot chmod %s: %w", tmp, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("cannot close %s: %w", tmp, err)
	}
	if err = ops.rename(tmp, target); err != nil {
		return fmt.Errorf("cannot rename %s to %s: %w", tmp, target, err)
	}
	renamed = true
	if err = syncDir(dir); err != nil {
		return fmt.Errorf("%s was written but %s could not be fsynced: %w", target, dir, err)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// remove removes dir/name (state=absent when no line is left) and fsyncs
// dir. A missing file is not an error.
func remove(dir, name string) error {
	err := os.Remove(filepath.Join(dir, name))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return syncDir(dir)
}

// lock takes an exclusive flock(2) on dir itself (opened read-only), so
// concurrent runs on one host serialise without leaving a lock file
// behind. It blocks until the lock is granted. The lock belongs to the
// open file description: two Lock calls exclude each other even within
// one process. Calling unlock more than once is harmless; the kernel
// drops the lock anyway when the process exits.
func lock(dir string) (unlock func(), err error) {
	d, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	st, err := d.Stat()
	if err != nil {
		d.Close()
		return nil, err
	}
	if !st.IsDir() {
		d.Close()
		return nil, fmt.Errorf("cannot lock %s: not a directory", dir)
	}
	for {
		err = syscall.Flock(int(d.Fd()), syscall.LOCK_EX)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		d.Close()
		return nil, fmt.Errorf("cannot lock %s: %w", dir, err)
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			_ = syscall.Flock(int(d.Fd()), syscall.LOCK_UN)
			_ = d.Close()
		})
	}, nil
}

// sweepStaleTemps removes the temporary files ".<name>.tmp-*" that a
// writeAtomic killed with SIGKILL may have left in dir, and returns the
// paths removed. Call it while holding lock(dir), so that no live writer's
// temporary file is removed. Backups (".<name>.<timestamp>.bak") are not
// touched.
func sweepStaleTemps(dir, name string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var removed []string
	var errs []error
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), tempPrefix(name)) || !e.Type().IsRegular() {
			continue
		}
		p := filepath.Join(dir, e.Name())
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
			continue
		}
		removed = append(removed, p)
	}
	return removed, errors.Join(errs...)
}

// BackupTimeFormat is the UTC timestamp in backup names.
const BackupTimeFormat = "20060102T150405Z"

// backup copies the file at path to "<dir>/.<name>.<UTC YYYYMMDDThhmmssZ>.bak"
// beside it ("-1", "-2", ... before ".bak" if that name is taken) and
// returns the backup's path; a missing file gives "" and no error. The
// copy keeps the file's permission bits and is fsynced.
//
// The name starts with "." and contains dots: Debian cron ignores names
// with dots and cronie ignores names starting with ".", so the backup in
// /etc/cron.d is never loaded as a second copy of the jobs (cronie would
// load "<name>.<timestamp>.bak"), while it stays beside the file it
// backs up, where "ls -a" shows it.
func backup(ops fileOps, path string) (string, error) {
	src, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	defer src.Close()
	st, err := src.Stat()
	if err != nil {
		return "", err
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	stem := "." + base + "." + ops.now().UTC().Format(BackupTimeFormat)
	var dst *os.File
	var bak string
	for i := 0; ; i++ {
		bak = filepath.Join(dir, stem+".bak")
		if i > 0 {
			bak = filepath.Join(dir, stem+"-"+strconv.Itoa(i)+".bak")
		}
		dst, err = os.OpenFile(bak, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			break
		}
		if !errors.Is(err, os.ErrExist) || i >= 100 {
			return "", fmt.Errorf("cannot create backup %s: %w", bak, err)
		}
	}
	fail := func(err error) (string, error) {
		_ = dst.Close()
		_ = os.Remove(bak)
		return "", fmt.Errorf("cannot write backup %s: %w", bak, err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		return fail(err)
	}
	if err := dst.Chmod(st.Mode().Perm()); err != nil {
		return fail(err)
	}
	if err := ops.sync(dst); err != nil {
		return fail(err)
	}
	if err := dst.Close(); err != nil {
		_ = os.Remove(bak)
		return "", fmt.Errorf("cannot write backup %s: %w", bak, err)
	}
	if err := syncDir(dir); err != nil {
		return bak, fmt.Errorf("backup %s was written but %s could not be fsynced: %w", bak, dir, err)
	}
	return bak, nil
}
