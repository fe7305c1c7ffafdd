package cachecron

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/kolla-glance/kolla-glance/internal/ansible"
	"github.com/kolla-glance/kolla-glance/internal/glance/cachejobs"
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
	spec := cachejobs.RequestSpec{
		Dir: p.String("cron_dir"), FileName: p.String("cron_file"), Present: p.String("state") == "present",
		User: p.String("user"), PrunerSchedule: p.String("pruner_schedule"), CleanerSchedule: p.String("cleaner_schedule"),
		SplaySeed: p.String("splay_seed"), Timeout: p.OptInt("timeout"),
		Command: cachejobs.CommandSpec{
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
	req, err := cachejobs.NewRequest(spec)
	if err != nil {
		return nil, err
	}
	for _, w := range req.Warnings {
		ctx.Warn(w)
	}
	o, err := cachejobs.Apply(req, ctx.CheckMode, p.Bool("backup"))
	if err != nil {
		return nil, err
	}
	for _, w := range o.Warnings {
		ctx.Warn(w)
	}
	out := values{CronFile: o.Path, Jobs: o.Jobs, BackupFile: o.BackupFile}
	for _, e := range req.Entries {
		out.Entries = append(out.Entries, entryResult{Name: e.Name, Schedule: e.Schedule.String(), Command: e.Command, Timeout: e.Timeout})
	}
	res := &ansible.Result{Changed: o.Changed, Values: &out}
	if o.Changed {
		diff := ansible.Diff{Before: string(o.Before), After: string(o.After), BeforeHeader: o.Path, AfterHeader: o.Path}
		if o.Removed {
			diff.After, diff.AfterHeader = "", "/dev/null"
		}
		if !o.Existed {
			diff.BeforeHeader = "/dev/null"
		}
		res.Diffs = []ansible.Diff{diff}
	}
	return res, nil
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
