package cachejobs

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Bounds on a cache tool's run, in seconds. The command runs the tool under
// coreutils timeout inside the container (see commandLine): TERM after
// the timeout, KILL KillAfter seconds later.
const (
	// KillAfter is the grace between TERM and KILL (timeout -k).
	KillAfter = 10
	// MaxTimeout is the largest timeout accepted (a day).
	MaxTimeout = 86400
	// DefaultTimeoutCap is the largest derived timeout: a cleaner or
	// pruner that has run for an hour is wedged. @reboot, which has no
	// period, gets it too.
	DefaultTimeoutCap = 3600
	// DefaultTimeoutFloor is the smallest derived timeout.
	DefaultTimeoutFloor = 30
)

// DefaultTimeout derives a job's timeout from its schedule (after splay):
// 90% of ShortestInterval, rounded down to whole seconds, at least
// DefaultTimeoutFloor and at most DefaultTimeoutCap; DefaultTimeoutCap
// when the schedule has no period (@reboot, a schedule that never runs).
// "* * * * *" gives 54, "*/30 * * * *" 1620, "@hourly" 3240, "1 0 * * *"
// 3600.
func DefaultTimeout(s Schedule) int {
	d, ok := s.ShortestInterval()
	if !ok {
		return DefaultTimeoutCap
	}
	t := int(d * 9 / 10 / time.Second)
	return min(max(t, DefaultTimeoutFloor), DefaultTimeoutCap)
}

// checkTimeout validates a timeout given in seconds.
func checkTimeout(seconds int) error {
	if seconds < 1 || seconds > MaxTimeout {
		return fmt.Errorf("%d is out of range; it must be a whole number of seconds from 1 to %d, or null to derive each job's timeout from its schedule", seconds, MaxTimeout)
	}
	return nil
}

// formatInterval writes an interval of whole minutes for people:
// "30 min", "1 h 30 min", "1 day", "28 days 1 h".
func formatInterval(d time.Duration) string {
	total := int(d / time.Minute)
	days, hours, minutes := total/minutesPerDay, total%minutesPerDay/60, total%60
	var parts []string
	switch {
	case days == 1:
		parts = append(parts, "1 day")
	case days > 1:
		parts = append(parts, strconv.Itoa(days)+" days")
	}
	if hours > 0 {
		parts = append(parts, strconv.Itoa(hours)+" h")
	}
	if minutes > 0 || len(parts) == 0 {
		parts = append(parts, strconv.Itoa(minutes)+" min")
	}
	return strings.Join(parts, " ")
}
