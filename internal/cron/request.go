package cron

import (
	"fmt"

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
	// Command is the tools' command line, but for Tool.
	Command CommandSpec
}

// Request is a RequestSpec validated once: the file to manage and, when
// present, the entries it must hold.
type Request struct {
	Dir, FileName string
	Present       bool
	Entries       []Entry
}

// ManagedJobs are the names of the entries a Request manages.
func ManagedJobs() []string { return append([]string(nil), managedTools...) }

// NewRequest validates every input of a RequestSpec and renders the
// entries. All problems come back together, as one *problem.Error of
// argument problems, each naming its option.
func NewRequest(s RequestSpec) (Request, error) {
	var errs problem.List
	add := func(option string, err error) {
		if err == nil {
			return
		}
		leaves := []error{err}
		if joined, ok := err.(interface{ Unwrap() []error }); ok {
			leaves = joined.Unwrap()
		}
		for _, e := range leaves {
			errs.Argument(option, "", "%s", e.Error())
		}
	}
	add("", ValidateDir(s.Dir))
	add("", ValidateFileName(s.FileName))
	req := Request{Dir: s.Dir, FileName: s.FileName, Present: s.Present}
	if !s.Present {
		return req, errs.Err()
	}
	add("", ValidateUser(s.User))
	schedules := map[string]string{ToolPruner: s.PrunerSchedule, ToolCleaner: s.CleanerSchedule}
	options := map[string]string{ToolPruner: "pruner_schedule", ToolCleaner: "cleaner_schedule"}
	var commandErr error
	for _, tool := range managedTools {
		sched, err := ParseSchedule(schedules[tool])
		add(options[tool], err)
		c := s.Command
		c.Tool = tool
		command, err := RenderCommand(c)
		if err != nil {
			commandErr = err // both entries share every input of the command: report it once
			continue
		}
		req.Entries = append(req.Entries, Entry{Name: tool, Schedule: Splay(sched, s.SplaySeed, tool), User: s.User, Command: command})
	}
	add("", commandErr)
	if errs.Len() == 0 {
		add("", ValidateEntries(req.Entries))
	}
	if err := errs.Err(); err != nil {
		return Request{}, fmt.Errorf("cache cron: %w", err)
	}
	return req, nil
}
