package upgrade

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/kolla-glance/kolla-glance/internal/problem"
	"github.com/kolla-glance/kolla-glance/internal/textcheck"
)

// Build's problems are internal/problem's: argument problems (an invalid
// option: always an error) and refusals (rolling requested but unsafe: an
// error unless on_unsafe is legacy). errors.Is(err, problem.ErrArgument)
// and errors.Is(err, problem.ErrRefused) tell them apart.

// refusedPrefix starts every refusal's message.
const refusedPrefix = "rolling upgrade refused: "

// refusal is one reason a rolling upgrade is unsafe, and the options that
// lead to it.
type refusal struct {
	options []string
	reason  string
}

// fallbackWarningPrefix starts the warning Build adds for each refusal when
// on_unsafe is legacy; the refusal's reason follows.
const fallbackWarningPrefix = "rolling upgrade refused, planning a legacy upgrade instead (on_unsafe=legacy): "

// The refusal reasons.
const (
	reasonFileNotShared = "the file store is not on a shared filesystem (file_backend=true, file_datadir_shared=false): " +
		"glance-api runs on one host only and a rolling upgrade would leave glance services in a corrupt state; " +
		"put file_datadir_volume on a shared filesystem or use rolling=false"
	reasonFewHostsFmt = "api_hosts has %d host; a rolling upgrade needs at least two glance-api hosts " +
		"so that one keeps serving while another restarts; use rolling=false"
	reasonDatabaseFmt = "database %s has no online expand/migrate/contract: glance-manage runs them only on " +
		"MySQL/MariaDB (and sqlite, for tests); use rolling=false"
)

// checked is what check learnt about a valid Input.
type checked struct {
	upgraded  []bool // per APIHosts index: listed in UpgradedHosts
	nUpgraded int
	refusals  []refusal // rolling requested but unsafe
}

// maxListed caps the names quoted in one message.
const maxListed = 10

// check validates in. It returns every input error and, unless on_unsafe is
// legacy, every refusal, aggregated in one error.
func check(in Input) (checked, error) {
	var errs problem.List
	add := func(option, format string, args ...any) {
		errs.Argument(option, "", format, args...)
	}
	n := len(in.APIHosts)
	v := checked{upgraded: make([]bool, n)}

	// api_hosts
	index := make(map[string]int, n)
	var empty []string
	var dups []string
	var reported map[string]bool
	if n == 0 {
		add("api_hosts", "must name at least one glance-api host, got an empty list")
	}
	for i, h := range in.APIHosts {
		if h == "" {
			empty = append(empty, strconv.Itoa(i))
			continue
		}
		if at, what := textcheck.Find(h); at >= 0 {
			// A newline would forge lines of plan_text, which an operator reviews.
			add("api_hosts", "host name %q at index %d contains %s; host names are single words without control characters", h, i, what)
			continue
		}
		if _, seen := index[h]; seen {
			if !reported[h] { // report each duplicate once
				if reported == nil {
					reported = make(map[string]bool)
				}
				reported[h] = true
				dups = append(dups, h)
			}
			continue
		}
		index[h] = i
	}
	if len(empty) > 0 {
		add("api_hosts", "empty host name at index %s; every item must be a non-empty host name",
			listText(empty, false))
	}
	if len(dups) > 0 {
		add("api_hosts", "duplicate %s %s; each host must be listed once", plural(len(dups), "host"), listText(dups, true))
	}

	// database
	switch in.Database {
	case DatabaseMariaDB, DatabaseMySQL, DatabasePostgreSQL, DatabaseSQLite:
	default:
		add("database", "must be one of mariadb, mysql, postgresql, sqlite, got %q", in.Database)
	}

	// on_unsafe
	switch in.OnUnsafe {
	case OnUnsafeFail, OnUnsafeLegacy:
	default:
		add("on_unsafe", "must be one of fail, legacy, got %q", in.OnUnsafe)
	}

	// on_failure
	switch in.OnFailure {
	case OnFailureRollback, OnFailureStop:
	default:
		add("on_failure", "must be one of rollback, stop, got %q", in.OnFailure)
	}

	// max_unavailable: only meaningful in rolling mode.
	if in.Rolling {
		switch {
		case n >= 2 && (in.MaxUnavailable < 1 || in.MaxUnavailable > n-1):
			add("max_unavailable", "must be between 1 and %d (one less than the %d api_hosts) in rolling mode, got %d",
				n-1, n, in.MaxUnavailable)
		case n < 2 && in.MaxUnavailable < 1:
			add("max_unavailable", "must be at least 1 in rolling mode, got %d", in.MaxUnavailable)
		}
	}

	// db_state
	if in.DBState != nil {
		switch s := *in.DBState; s {
		case DBUpToDate, DBNeedsExpand, DBNeedsMigrate, DBNeedsContract:
		default:
			hint := ""
			switch s {
			case 1:
				hint = " (1 means db check itself failed, for example on an engine other than MySQL/MariaDB or sqlite: fix that first, or leave db_state null)"
			case 2:
				hint = " (2 is glance-manage's usage error)"
			}
			add("db_state", "must be null (unknown) or an exit code of `glance-manage db check`: "+
				"0 (up to date), 3 (needs expand), 4 (needs migrate), 5 (needs contract); got %d%s", s, hint)
		}
	}

	// upgraded_hosts
	var unknown, updups []string
	for _, h := range in.UpgradedHosts {
		i, ok := index[h]
		if !ok {
			unknown = append(unknown, h)
			continue
		}
		if v.upgraded[i] {
			updups = append(updups, h)
			continue
		}
		v.upgraded[i] = true
		v.nUpgraded++
	}
	if len(unknown) > 0 {
		add("upgraded_hosts", "%s not in api_hosts; only hosts listed in api_hosts are accepted",
			listText(unknown, true)+isAre(len(unknown)))
	}
	if len(updups) > 0 {
		add("upgraded_hosts", "duplicate %s %s; each host must be listed once", plural(len(updups), "host"), listText(updups, true))
	}

	// Refusals: rolling requested but unsafe.
	if in.Rolling {
		if in.FileBackend && !in.FileDatadirShared {
			v.refusals = append(v.refusals, refusal{[]string{"file_backend", "file_datadir_shared"}, reasonFileNotShared})
		}
		if n == 1 {
			v.refusals = append(v.refusals, refusal{[]string{"api_hosts"}, fmt.Sprintf(reasonFewHostsFmt, n)})
		}
		if in.Database == DatabasePostgreSQL {
			v.refusals = append(v.refusals, refusal{[]string{"database"}, fmt.Sprintf(reasonDatabaseFmt, in.Database)})
		}
	}
	if in.OnUnsafe != OnUnsafeLegacy {
		for _, r := range v.refusals {
			errs.Refuse(r.options, "%s%s", refusedPrefix, r.reason)
		}
	}
	if err := errs.Err(); err != nil {
		return checked{}, fmt.Errorf("glance upgrade plan: %w", err)
	}
	return v, nil
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

func isAre(n int) string {
	if n == 1 {
		return " is"
	}
	return " are"
}

// listText joins at most maxListed items with ", " (quoted when quote is
// true) and says how many more there are.
func listText(items []string, quote bool) string {
	var b strings.Builder
	for i, s := range items {
		if i == maxListed {
			fmt.Fprintf(&b, " and %d more", len(items)-maxListed)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		if quote {
			b.WriteString(strconv.Quote(s))
		} else {
			b.WriteString(s)
		}
	}
	return b.String()
}
