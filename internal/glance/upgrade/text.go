package upgrade

import (
	"strconv"
	"strings"
)

// Markers around the outage of a legacy plan.
const (
	outageBegins = "    --- API outage begins: glance-api is stopped on every host ---"
	outageEnds   = "    --- API outage ends: glance-api is healthy on every host again ---"
)

// The line saying what a failed step leads to: a rollback when the plan
// has rollback steps (rolling, on_failure rollback), a stop otherwise.
const (
	onFailureRollbackText = "On failure before db contract: the failed batch is rolled back to the previous release and back into rotation; the upgrade stops."
	onFailureStopText     = "On failure: the upgrade stops; nothing is rolled back."
)

// maxHeaderHosts caps the host names in the header line.
const maxHeaderHosts = 5

// render builds Plan.PlanText: a header, one numbered line per step, the
// outage markers of a legacy plan, what a failed step leads to, the skipped
// steps and the warnings.
func render(p *Plan, in Input, v checked, rolling bool) string {
	var b strings.Builder
	b.Grow(textSize(p, in))

	// Header.
	n := len(in.APIHosts)
	b.WriteString("Glance upgrade plan: ")
	b.WriteString(p.Mode)
	b.WriteString(" upgrade of ")
	b.WriteString(strconv.Itoa(n))
	if n == 1 {
		b.WriteString(" glance-api host (")
	} else {
		b.WriteString(" glance-api hosts (")
	}
	for i, h := range in.APIHosts {
		if i == maxHeaderHosts {
			b.WriteString(" and ")
			b.WriteString(strconv.Itoa(n - maxHeaderHosts))
			b.WriteString(" more")
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(h)
	}
	b.WriteString("), ")
	if rolling {
		b.WriteString("max_unavailable ")
		b.WriteString(strconv.Itoa(in.MaxUnavailable))
	} else {
		b.WriteString("max_unavailable not used")
	}
	switch {
	case p.APIOutage:
		b.WriteString(", API OUTAGE while every host is stopped\n")
	case rolling:
		b.WriteString(", no API outage\n")
	default:
		b.WriteString(", no API outage (hosts that already run the new release keep serving)\n")
	}
	b.WriteString("Database: ")
	b.WriteString(in.Database)
	b.WriteString(", ")
	b.WriteString(dbStateText(in.DBState))
	b.WriteString(", ")
	b.WriteString(strconv.Itoa(v.nUpgraded))
	b.WriteString(" of ")
	b.WriteString(strconv.Itoa(n))
	b.WriteString(" hosts already upgraded\n")
	for _, s := range p.Steps {
		if s.Action == ActionDBSync || s.Action == ActionDBExpand || s.Action == ActionDBMigrate || s.Action == ActionDBContract {
			b.WriteString("Before step 1: back up the glance database (downgrades are not supported; the backup is the only way back).\n")
			break
		}
	}

	// Steps.
	if len(p.Steps) == 0 {
		b.WriteString("Nothing to do: every glance-api host already runs the new release and the database is up to date.\n")
	}
	width := len(strconv.Itoa(len(p.Steps)))
	firstStop, lastWait := -1, -1
	if p.APIOutage {
		for i, s := range p.Steps {
			if s.Action == ActionStop && firstStop < 0 {
				firstStop = i
			}
			if s.Action == ActionWaitHealthy {
				lastWait = i
			}
		}
	}
	var num [20]byte
	for i, s := range p.Steps {
		if i == firstStop {
			b.WriteString(outageBegins)
			b.WriteByte('\n')
		}
		d := strconv.AppendInt(num[:0], int64(s.Step), 10)
		for pad := width - len(d); pad > 0; pad-- {
			b.WriteByte(' ')
		}
		b.Write(d)
		b.WriteString(". ")
		if s.Batch != nil {
			b.WriteString("[batch ")
			b.Write(strconv.AppendInt(num[:0], int64(*s.Batch), 10))
			b.WriteString("] ")
		}
		pre, post := phrase(s)
		b.WriteString(pre)
		if s.Host != nil {
			b.WriteString(*s.Host)
		}
		b.WriteString(post)
		b.WriteByte('\n')
		if i == lastWait {
			b.WriteString(outageEnds)
			b.WriteByte('\n')
		}
	}

	// What a failure does.
	if len(p.Steps) > 0 {
		if len(p.RollbackSteps) > 0 {
			b.WriteString(onFailureRollbackText)
		} else {
			b.WriteString(onFailureStopText)
		}
		b.WriteByte('\n')
	}

	// Skipped and warnings.
	if len(p.Skipped) == 0 {
		b.WriteString("Skipped: none\n")
	} else {
		b.WriteString("Skipped:\n")
		for _, s := range p.Skipped {
			b.WriteString(" - ")
			b.WriteString(s.What)
			b.WriteString(": ")
			b.WriteString(s.Why)
			b.WriteByte('\n')
		}
	}
	if len(p.Warnings) > 0 {
		b.WriteString("Warnings:\n")
		for _, w := range p.Warnings {
			b.WriteString(" - ")
			b.WriteString(w)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// textSize is the exact length of the step lines plus a generous estimate
// of the rest, so that the builder allocates once.
func textSize(p *Plan, in Input) int {
	size := 1024 + len(onFailureRollbackText) + 1
	for i := 0; i < len(in.APIHosts) && i < maxHeaderHosts; i++ {
		size += len(in.APIHosts[i]) + 2
	}
	width := len(strconv.Itoa(len(p.Steps)))
	for _, s := range p.Steps {
		pre, post := phrase(s)
		size += width + 3 + len(pre) + len(post)
		if s.Host != nil {
			size += len(*s.Host)
		}
		if s.Batch != nil {
			size += 10 + len(strconv.Itoa(*s.Batch))
		}
	}
	for _, s := range p.Skipped {
		size += len(s.What) + len(s.Why) + 6
	}
	for _, w := range p.Warnings {
		size += len(w) + 4
	}
	return size
}

// phrase returns the operator's text for a step as pre + host + post.
func phrase(s Step) (pre, post string) {
	switch s.Action {
	case ActionSetLogBinTrust:
		if s.Value != nil && *s.Value == 1 {
			return "set MySQL log_bin_trust_function_creators=1 (delegated to ", ")"
		}
		return "set MySQL log_bin_trust_function_creators=0 (delegated to ", ")"
	case ActionDrain:
		return "drain glance-api on ", " (out of load-balancer rotation, let connections finish)"
	case ActionStop:
		return "stop glance-api on ", ""
	case ActionConfig:
		return "install new glance-api code and configuration on ", " (do not start)"
	case ActionDBSync:
		return "glance-manage db sync on ", " (offline expand, migrate and contract)"
	case ActionDBExpand:
		return "glance-manage db expand on ", ""
	case ActionDBMigrate:
		return "glance-manage db migrate on ", " (must complete before any new code starts)"
	case ActionDBContract:
		return "glance-manage db contract on ", " (no host runs old code any more)"
	case ActionStart:
		return "start glance-api on ", ""
	case ActionWaitHealthy:
		return "wait until glance-api on ", " is healthy"
	case ActionUndrain:
		return "undrain glance-api on ", " (back into load-balancer rotation)"
	case ActionRevert:
		return "put back the previous glance-api image and configuration on ", " (do not start)"
	}
	return s.Action + " on ", ""
}
