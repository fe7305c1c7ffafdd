package cachejobs

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
)

// Outcome is what Apply did to the cron file, or would do in check mode.
type Outcome struct {
	// Path is the cron file, dir/name.
	Path string
	// Before and After are its content before and after; Existed tells
	// whether it existed before.
	Before, After []byte
	Existed       bool
	// Changed: the content or the mode changes. Removed: the file is
	// deleted, because state=absent left nothing else in it.
	Changed, Removed bool
	// Jobs are the entries this package manages that the file holds
	// afterwards, in file order.
	Jobs []string
	// BackupFile is the copy of the previous file, when one was made.
	BackupFile string
	// Warnings are advisory: temp files of an interrupted run that could
	// not be removed.
	Warnings []string
}

// Apply brings the cron file of req to what req says, under an exclusive
// lock on its directory: the managed entries present (Request.Present) or
// removed, every other line kept byte for byte. The file is replaced
// atomically with FileMode (see writeAtomic), or deleted when a removal
// leaves it blank; with backup, a changed file is first copied beside
// itself. In check mode nothing is written and the Outcome predicts the
// real run. Errors are runtime failures (the request is valid).
func Apply(req Request, check, backup bool) (Outcome, error) {
	return apply(realOps(), req, check, backup)
}

func apply(ops fileOps, req Request, check, backupOn bool) (Outcome, error) {
	dir, name := req.Dir, req.FileName
	out := Outcome{Path: filepath.Join(dir, name)}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return Outcome{}, fmt.Errorf("cron_dir %s is not an existing directory", dir)
	}
	unlock, err := lock(dir)
	if err != nil {
		return Outcome{}, fmt.Errorf("lock cron_dir %s: %w", dir, err)
	}
	defer unlock()
	if !check {
		if _, err := sweepStaleTemps(dir, name); err != nil {
			out.Warnings = append(out.Warnings, fmt.Sprintf("could not remove temp files left in %s by an interrupted run: %v", dir, err))
		}
	}
	out.Before, out.Existed, err = read(dir, name)
	if err != nil {
		return Outcome{}, fmt.Errorf("read %s: %w", out.Path, err)
	}
	file := ParseFile(out.Before)
	if req.Present {
		file = file.Ensure(req.Entries)
	} else {
		file = file.Remove(ManagedJobs())
	}
	out.After = file.Render()
	out.Removed = !req.Present && out.Existed && file.IsBlank()
	switch {
	case out.Removed:
		out.Changed = true
	case !req.Present && !out.Existed:
		out.Changed = false
	default:
		out.Changed = !bytes.Equal(out.Before, out.After)
	}
	if req.Present && out.Existed && !out.Changed {
		// cron ignores a group- or other-writable file: a wrong mode is a change.
		if st, err := os.Stat(out.Path); err == nil && st.Mode().Perm() != FileMode {
			out.Changed = true
		}
	}
	out.Jobs = managedJobs(file)
	if out.Removed {
		out.Jobs = []string{}
	}
	if !out.Changed || check {
		return out, nil
	}
	if backupOn && out.Existed {
		if out.BackupFile, err = backup(ops, out.Path); err != nil {
			return Outcome{}, fmt.Errorf("back up %s: %w", out.Path, err)
		}
	}
	if out.Removed {
		err = remove(dir, name)
	} else {
		err = writeAtomic(ops, dir, name, out.After, FileMode)
	}
	if err != nil {
		return Outcome{}, fmt.Errorf("write %s (left unchanged): %w", out.Path, err)
	}
	return out, nil
}

// managedJobs lists the entries this package manages that f holds, in file
// order.
func managedJobs(f File) []string {
	ours := map[string]bool{}
	for _, name := range managedTools {
		ours[name] = true
	}
	out := []string{}
	for _, name := range f.Jobs() {
		if ours[name] {
			out = append(out, name)
		}
	}
	return out
}
