package cachejobs

import (
	"fmt"
	"time"

	"github.com/kolla-glance/kolla-glance/internal/problem"
)

// The two managed entries: glance-cache-pruner and glance-cache-cleaner.
var managedTools = []string{ToolPruner, ToolCleaner}

// RequestSpec is what the cache cron of one host should be, as given.
type RequestSpec struct {
	Dir, FileName string
	Present       bool
	User          string
	// PrunerSchedule and CleanerSchedule are cron schedules (5 fields or
	// an @keyword); SplaySeed, when set, moves them to a minute and hour of
	// their own (Splay).
	PrunerSchedule, CleanerSchedule, SplaySeed string
	// Timeout bounds each run of both tools, in seconds (1 to MaxTimeout);
	// nil derives each job's own from its schedule after splay
	// (DefaultTimeout).
	Timeout *int
	// Command is the tools' command line, but for Tool and Timeout.
	Command CommandSpec
}

// Request is a RequestSpec validated once: the file to manage and, when
// present, the entries it must hold.
type Request struct {
	Dir, FileName string
	Present       bool
	Entries       []Entry
	// Warnings are advisory: a timeout not shorter than a job's shortest
	// interval between runs.
	Warnings []string
}

// ManagedJobs are the names of the entries a Request manages.
func ManagedJobs() []string { return append([]string(nil), managedTools...) }

// NewRequest validates every input of a RequestSpec, each once, and
// renders the entries from the validated inputs. All problems come back
// together, as one *problem.Error of argument problems, each about its
// option. An explicit Timeout that is not shorter than a job's shortest
// interval between runs is accepted with a warning: the run may still go
// on when the next is due, and flock skips that one.
func NewRequest(s RequestSpec) (Request, error) {
	var errs problem.List
	named := func(option string, err error) {
		if err != nil {
			errs.Named([]string{option}, "", "%s", err.Error())
		}
	}
	named("cron_dir", checkDir(s.Dir))
	named("cron_file", checkFileName(s.FileName))
	req := Request{Dir: s.Dir, FileName: s.FileName, Present: s.Present}
	if !s.Present {
		return req, errs.Err()
	}
	named("user", checkUser(s.User))
	explicit := 0 // the timeout option, when given and valid
	if s.Timeout != nil {
		if err := checkTimeout(*s.Timeout); err != nil {
			errs.Argument("timeout", "", "%s", err.Error())
		} else {
			explicit = *s.Timeout
		}
	}
	options := map[string]string{ToolPruner: "pruner_schedule", ToolCleaner: "cleaner_schedule"}
	given := map[string]string{ToolPruner: s.PrunerSchedule, ToolCleaner: s.CleanerSchedule}
	schedules := map[string]Schedule{}
	for _, tool := range managedTools {
		sched, err := ParseSchedule(given[tool])
		if err != nil {
			errs.Argument(options[tool], "", "%s", err.Error())
		}
		schedules[tool] = Splay(sched, s.SplaySeed, tool)
	}
	checkCommand(s.Command, &errs)
	if err := errs.Err(); err != nil {
		return Request{}, fmt.Errorf("cache cron: %w", err)
	}
	for _, tool := range managedTools {
		sched := schedules[tool]
		c := s.Command
		c.Tool = tool
		c.Timeout = explicit
		if explicit == 0 {
			c.Timeout = DefaultTimeout(sched)
		} else if period, ok := sched.ShortestInterval(); ok && time.Duration(explicit)*time.Second >= period {
			req.Warnings = append(req.Warnings, fmt.Sprintf(
				"timeout %d s is not shorter than the shortest interval between two runs of %s (%s, schedule %q): a run may still be going when the next is due, and flock -n skips that next run",
				explicit, tool, formatInterval(period), sched.String()))
		}
		req.Entries = append(req.Entries, Entry{Name: tool, Schedule: sched, User: s.User, Command: commandLine(c), Timeout: c.Timeout})
	}
	return req, nil
}
