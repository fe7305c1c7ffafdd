package cachecron

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/kolla-glance/kolla-glance/internal/ansible"
	"github.com/kolla-glance/kolla-glance/internal/cron"
)

type entryResult struct {
	Name     string `json:"name"`
	Schedule string `json:"schedule"`
	Command  string `json:"command"`
	Timeout  int    `json:"timeout"`
}

type values struct {
	CronFile   string        `json:"cron_file"`
	Jobs       []string      `json:"jobs"`
	Entries    []entryResult `json:"entries,omitempty"`
	BackupFile string        `json:"backup_file,omitempty"`
}

// Run installs or removes the cache-cleaning entries.
func Run(ctx *ansible.Context) (*ansible.Result, error) {
	p := ctx.Params
	spec := cron.RequestSpec{
		Dir: p.String("cron_dir"), FileName: p.String("cron_file"), Present: p.String("state") == "present",
		User: p.String("user"), PrunerSchedule: p.String("pruner_schedule"), CleanerSchedule: p.String("cleaner_schedule"),
		SplaySeed: p.String("splay_seed"), Timeout: p.OptInt("timeout"),
		Command: cron.CommandSpec{
			Engine: p.String("container_engine"), Container: p.String("container_name"), User: p.String("exec_user"),
			Release: p.String("glance_release"), LogDir: p.String("log_dir"),
		},
	}
	if spec.Present {
		var warning string
		spec.Command.EngineBinary, warning = cronEngineBinary(spec.Command.Engine)
		if warning != "" {
			ctx.Warn(warning)
		}
	}
	req, err := cron.NewRequest(spec)
	if err != nil {
		return nil, err
	}
	for _, w := range req.Warnings {
		ctx.Warn(w)
	}
	dir, name, present, entries := req.Dir, req.FileName, req.Present, req.Entries
	path := filepath.Join(dir, name)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("cron_dir %s is not an existing directory", dir)
	}
	unlock, err := cron.Lock(dir)
	if err != nil {
		return nil, fmt.Errorf("lock cron_dir %s: %w", dir, err)
	}
	defer unlock()
	if !ctx.CheckMode {
		if _, err := cron.SweepStaleTemps(dir, name); err != nil {
			ctx.Warn(fmt.Sprintf("could not remove temp files left in %s by an interrupted run: %v", dir, err))
		}
	}
	before, exists, err := cron.Read(dir, name)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	file := cron.ParseFile(before)
	if present {
		file = file.Ensure(entries)
	} else {
		file = file.Remove(cron.ManagedJobs())
	}
	after := file.Render()
	remove := !present && exists && file.IsBlank()
	var changed bool
	switch {
	case remove:
		changed = true
	case !present && !exists:
		changed = false
	default:
		changed = !bytes.Equal(before, after)
	}
	if present && exists && !changed {
		// cron ignores a group- or other-writable file: a wrong mode is a change.
		if st, err := os.Stat(path); err == nil && st.Mode().Perm() != cron.FileMode {
			changed = true
		}
	}
	out := values{CronFile: path, Jobs: managedJobs(file)}
	if remove {
		out.Jobs = []string{}
	}
	for _, e := range entries {
		out.Entries = append(out.Entries, entryResult{Name: e.Name, Schedule: e.Schedule.String(), Command: e.Command, Timeout: e.Timeout})
	}
	res := &ansible.Result{Changed: changed, Values: &out}
	if changed {
		diff := ansible.Diff{Before: string(before), After: string(after), BeforeHeader: path, AfterHeader: path}
		if remove {
			diff.After, diff.AfterHeader = "", "/dev/null"
		}
		if !exists {
			diff.BeforeHeader = "/dev/null"
		}
		res.Diffs = []ansible.Diff{diff}
	}
	if !changed || ctx.CheckMode {
		return res, nil
	}
	if p.Bool("backup") && exists {
		if out.BackupFile, err = cron.Backup(path); err != nil {
			return nil, fmt.Errorf("back up %s: %w", path, err)
		}
	}
	if remove {
		err = cron.Delete(dir, name)
	} else {
		err = cron.WriteAtomic(dir, name, after, cron.FileMode)
	}
	if err != nil {
		return nil, fmt.Errorf("write %s (left unchanged): %w", path, err)
	}
	return res, nil
}

// managedJobs lists this module's entries the file holds, in file order.
func managedJobs(f cron.File) []string {
	ours := map[string]bool{}
	for _, name := range cron.ManagedJobs() {
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

// cronPath is the PATH cron gives jobs; engineDirs are where container
// engines are installed on hosts.
var (
	cronPath   = []string{"/usr/bin", "/bin"}
	engineDirs = []string{"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/sbin", "/snap/bin", "/opt/bin"}
)

// cronEngineBinary finds the container engine on this host the way cron
// will look for it: found on cron's PATH, the bare name is written; found
// only elsewhere (docker installed in /usr/local/bin, say), its absolute path
// is written, or every run would fail with "docker: not found"; not found at
// all, the bare name is written with a warning.
func cronEngineBinary(engine string) (binary, warning string) {
	for _, dir := range cronPath {
		if isExecutable(filepath.Join(dir, engine)) {
			return "", ""
		}
	}
	for _, dir := range engineDirs {
		if p := filepath.Join(dir, engine); isExecutable(p) {
			return p, ""
		}
	}
	return "", fmt.Sprintf("container_engine %s was not found on this host (looked in %s); the cron entries call it by name and rely on cron's PATH (/usr/bin:/bin)",
		engine, strings.Join(append(append([]string{}, cronPath...), engineDirs...), ", "))
}

func isExecutable(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular() && st.Mode().Perm()&0o111 != 0
}
