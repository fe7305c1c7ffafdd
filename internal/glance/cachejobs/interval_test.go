package cachejobs

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const day = 24 * time.Hour

// TestShortestInterval: expectations computed by hand from the calendar,
// not from the code.
func TestShortestInterval(t *testing.T) {
	tests := []struct {
		schedule string
		want     time.Duration // 0: no period
		why      string
	}{
		{"* * * * *", time.Minute, "every minute"},
		{"*/30 * * * *", 30 * time.Minute, ":00 and :30"},
		{"17,47 * * * *", 30 * time.Minute, "*/30 after splay"},
		{"0,10,45 * * * *", 10 * time.Minute, "gaps 10, 35 and 15 (:45 to the next :00)"},
		{"*/45 * * * *", 15 * time.Minute, ":00 and :45: :45 to the next :00"},
		{"5 * * * *", time.Hour, "hourly"},
		{"0 */6 * * *", 6 * time.Hour, "0, 6, 12, 18"},
		{"0 0,1 * * *", time.Hour, "00:00 to 01:00 (then 23 h)"},
		{"0,59 23,0 * * *", time.Minute, "23:59 to the next day's 00:00"},
		{"0 1,23 * * mon,tue", 2 * time.Hour, "Monday 23:00 to Tuesday 01:00 (22 h within a day)"},
		{"0 0,23 * * mon,wed", 23 * time.Hour, "00:00 to 23:00 of one day (Monday 23:00 to Wednesday 00:00 is 25 h)"},
		{"1 0 * * *", day, "daily"},
		{"30 23 * * *", day, "daily, late"},
		{"0 12 * * 1-5", day, "Monday to Friday"},
		{"0 0 * * mon", 7 * day, "weekly"},
		{"0 0 * * 7", 7 * day, "7 is Sunday"},
		{"0 0 * * 0,7", 7 * day, "0 and 7 are the same day"},
		{"0 0 * * mon,thu", 3 * day, "Monday to Thursday (Thursday to Monday is 4)"},
		{"0 0 * * sat,sun", day, "Saturday to Sunday"},
		{"0 0 * * */3", day, "Sunday, Wednesday, Saturday: Saturday to Sunday"},
		{"0 0 1 * *", 28 * day, "1 February to 1 March of a common year"},
		{"0 0 15 * *", 28 * day, "15 February to 15 March of a common year"},
		{"0 0 31 * *", 31 * day, "31 July to 31 August, 31 December to 31 January (31 January to 31 March is 59 or 60)"},
		{"0 0 30 * *", 30 * day, "30 April to 30 May (30 January to 30 March is 59 or 60)"},
		{"0 0 29 * *", 29 * day, "29 February to 29 March of a leap year"},
		{"0 0 29 2 *", 1461 * day, "leap days four years apart: 3 × 365 + 366 (2096 to 2104 is 8 years)"},
		{"* * 29 2 *", time.Minute, "every minute of leap days"},
		{"0 0 28 2 *", 365 * day, "yearly"},
		{"0 0 1 3 *", 365 * day, "1 March: 365 days unless a leap day lies between"},
		{"0 0 1 1 *", 365 * day, "yearly"},
		{"59 23 31 12 *", 365 * day, "yearly, last minute of the year"},
		{"0 0 1 1,7 *", 181 * day, "1 January to 1 July of a common year (1 July to 1 January is 184)"},
		{"0 0 1 jan,dec *", 31 * day, "1 December to 1 January"},
		{"0 0 * feb *", day, "every day of February"},
		{"0 0 28,29 2 *", day, "28 to 29 February of a leap year"},
		{"0,59 0,23 28,1 2,3 *", time.Minute, "28 February 23:59 to 1 March 00:00 of a common year"},
		// Both day fields restricted: a day runs when EITHER matches.
		{"0 12 13 * fri", day, "OR: Thursday the 13th, then Friday the 14th"},
		{"0 0 1,15 * mon", day, "OR: Sunday the 14th, then the 15th; or Monday the 14th, then the 15th"},
		{"0 0 31 * mon", day, "OR: the 31st, then Monday the 1st"},
		{"0 0 1-7 * mon", day, "OR: every day from the 1st to the 7th (not the first Monday)"},
		{"0 0 1-31 * mon", day, "OR: every day"},
		{"0 0 29 2 mon", day, "OR: Monday 28 February 2028, then the leap day"},
		// A day field starting with "*" makes a day run only when BOTH match.
		{"0 0 */1 * mon", 7 * day, "AND: \"*/1\" starts with \"*\", so Mondays only"},
		{"0 0 1 * */7", 28 * day, "AND: \"*/7\" is Sunday; Sunday 1 February to Sunday 1 March of a common year"},
		{"0 0 */10 * mon", 21 * day, "AND: Mondays on the 1st, 11th, 21st, 31st; Monday 11 March 2024 to Monday 1 April 2024 (no 7- or 14-day pair exists)"},
		// Keywords, as cron defines them.
		{"@hourly", time.Hour, "0 * * * *"},
		{"@daily", day, "0 0 * * *"},
		{"@midnight", day, "0 0 * * *"},
		{"@weekly", 7 * day, "0 0 * * 0"},
		{"@monthly", 28 * day, "0 0 1 * *"},
		{"@yearly", 365 * day, "0 0 1 1 *"},
		{"@annually", 365 * day, "0 0 1 1 *"},
		// No period.
		{"@reboot", 0, "runs once"},
		{"0 0 30 2 *", 0, "30 February never comes"},
		{"0 0 31 4,6,9,11 *", 0, "these months have 30 days"},
	}
	for _, tt := range tests {
		t.Run(tt.schedule, func(t *testing.T) {
			got, ok := mustSchedule(t, tt.schedule).ShortestInterval()
			assert.Equal(t, tt.want != 0, ok, tt.why)
			assert.Equal(t, tt.want, got, "%s: %s", tt.why, formatInterval(got))
		})
	}
	got, ok := Schedule{}.ShortestInterval()
	assert.False(t, ok)
	assert.Zero(t, got)
}

func TestDefaultTimeout(t *testing.T) {
	tests := []struct {
		schedule string
		want     int
	}{
		{"* * * * *", 54},        // 90% of 60 s
		{"*/2 * * * *", 108},     // 90% of 120 s
		{"*/15 * * * *", 810},    // 90% of 900 s
		{"*/30 * * * *", 1620},   // 90% of 1800 s
		{"17,47 * * * *", 1620},  // */30 after splay
		{"0,10,45 * * * *", 540}, // 90% of 600 s
		{"@hourly", 3240},        // 90% of 3600 s
		{"5 * * * *", 3240},      // @hourly after splay
		{"0 */2 * * *", 3600},    // 6480, capped
		{"1 0 * * *", 3600},      // capped
		{"@weekly", 3600},        // capped
		{"0 0 29 2 *", 3600},     // capped
		{"@reboot", 3600},        // no period: the cap
		{"0 0 30 2 *", 3600},     // never runs: the cap
		{"0,59 23,0 * * *", 54},  // 23:59 to 00:00
		{"0,1 * 29 2 *", 54},     // a minute apart, on leap days
		{"0 1,23 * * mon,tue", 3600},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, DefaultTimeout(mustSchedule(t, tt.schedule)), tt.schedule)
	}
	assert.Equal(t, DefaultTimeoutCap, DefaultTimeout(Schedule{}))
	// No five-field schedule reaches the floor (90% of a minute is 54 s),
	// which only guards the derivation.
	assert.Less(t, DefaultTimeoutFloor, 54)
}

func TestFormatInterval(t *testing.T) {
	for d, want := range map[time.Duration]string{
		time.Minute:                        "1 min",
		30 * time.Minute:                   "30 min",
		time.Hour:                          "1 h",
		90 * time.Minute:                   "1 h 30 min",
		day:                                "1 day",
		28 * day:                           "28 days",
		day + time.Hour + 30*time.Minute:   "1 day 1 h 30 min",
		1461*day + 2*time.Hour:             "1461 days 2 h",
		2*day + 23*time.Hour + time.Minute: "2 days 23 h 1 min",
	} {
		assert.Equal(t, want, formatInterval(d))
	}
}

// ---------------------------------------------------------------------------
// Properties, checked against a brute-force reading of crontab(5) that
// shares no code with the walk: it expands the canonical fields itself and
// asks Go's time package for dates and weekdays.

// brute is a schedule as crontab(5) states it.
type brute struct {
	sets             [5]map[int]bool // minute, hour, day of month, month, day of week (0-7)
	domStar, dowStar bool            // the field starts with "*"
}

func newBrute(t testing.TB, s Schedule) brute {
	t.Helper()
	fields := s.Fields()
	switch s.Keyword() {
	case "":
	case "@hourly":
		fields = [5]string{"0", "*", "*", "*", "*"}
	case "@daily", "@midnight":
		fields = [5]string{"0", "0", "*", "*", "*"}
	case "@weekly":
		fields = [5]string{"0", "0", "*", "*", "0"}
	case "@monthly":
		fields = [5]string{"0", "0", "1", "*", "*"}
	case "@yearly", "@annually":
		fields = [5]string{"0", "0", "1", "1", "*"}
	default:
		t.Fatalf("no run times for %s", s)
	}
	ranges := [5][2]int{{0, 59}, {0, 23}, {1, 31}, {1, 12}, {0, 7}}
	names := [5][]string{3: {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}, 4: {"sun", "mon", "tue", "wed", "thu", "fri", "sat"}}
	value := func(i int, v string) int {
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
		k := slices.Index(names[i], v)
		require.True(t, k >= 0, "field %d value %q", i, v)
		if i == 3 {
			return k + 1
		}
		return k
	}
	var b brute
	for i, f := range fields {
		b.sets[i] = map[int]bool{}
		for _, el := range strings.Split(f, ",") {
			body, stepText, hasStep := strings.Cut(el, "/")
			step := 1
			if hasStep {
				step, _ = strconv.Atoi(stepText)
			}
			lo, hi := ranges[i][0], ranges[i][1]
			if body != "*" {
				a, z, isRange := strings.Cut(body, "-")
				lo = value(i, a)
				hi = lo
				if isRange {
					hi = value(i, z)
				}
			}
			for v := lo; v <= hi; v += step {
				b.sets[i][v] = true
			}
		}
	}
	b.domStar = strings.HasPrefix(fields[2], "*")
	b.dowStar = strings.HasPrefix(fields[4], "*")
	return b
}

func (b brute) runsOnDay(tm time.Time) bool {
	wd := int(tm.Weekday())
	dom, dow := b.sets[2][tm.Day()], b.sets[4][wd] || (wd == 0 && b.sets[4][7])
	dayOK := dom || dow
	if b.domStar || b.dowStar {
		dayOK = dom && dow
	}
	return b.sets[3][int(tm.Month())] && dayOK
}

func (b brute) matches(tm time.Time) bool {
	return b.sets[0][tm.Minute()] && b.sets[1][tm.Hour()] && b.runsOnDay(tm)
}

var epochTime = time.Date(epochYear, 1, 1, 0, 0, 0, 0, time.UTC)

// walkedRuns are the run times in [from, to) that the walk behind
// ShortestInterval finds: its run days, each at its minutes of the day.
func walkedRuns(t testing.TB, s Schedule, from, to time.Time) []time.Time {
	t.Helper()
	m, ok := s.matcher()
	require.True(t, ok, s.String())
	minutes := m.dayMinutes()
	var out []time.Time
	// days since the epoch, in seconds: a time.Duration holds only 292 years
	days := func(at time.Time) int { return int((at.Unix() - epochTime.Unix()) / 86400) }
	firstDay := days(from)
	m.runDays(days(to)+1, func(d int) bool {
		if d < firstDay {
			return true
		}
		date := epochTime.AddDate(0, 0, d)
		for _, mi := range minutes {
			if at := date.Add(time.Duration(mi) * time.Minute); !at.Before(from) && at.Before(to) {
				out = append(out, at)
			}
		}
		return true
	})
	return out
}

// randomSchedule builds a valid five-field schedule; sparse keeps the
// minute and hour fields to a few values each.
func randomSchedule(r *rand.Rand, sparse bool) string {
	pick := func(options ...string) string { return options[r.IntN(len(options))] }
	n := func(lo, hi int) string { return strconv.Itoa(lo + r.IntN(hi-lo+1)) }
	rangeOf := func(lo, hi int) string {
		a := lo + r.IntN(hi-lo+1)
		return strconv.Itoa(a) + "-" + strconv.Itoa(a+r.IntN(hi-a+1))
	}
	var minute, hour string
	if sparse {
		minute = pick(n(0, 59), n(0, 59)+","+n(0, 59), "0,59", "*/30", "*/20", n(0, 29)+"-"+n(30, 59)+"/30")
		hour = pick(n(0, 23), n(0, 23)+","+n(0, 23), "0,23", "*/12", "*/8")
	} else {
		minute = pick("*", "*/"+n(1, 60), n(0, 59), n(0, 59)+","+n(0, 59), rangeOf(0, 59), rangeOf(0, 59)+"/"+n(1, 30))
		hour = pick("*", "*/"+n(1, 24), n(0, 23), n(0, 23)+","+n(0, 23), rangeOf(0, 23), rangeOf(0, 23)+"/"+n(1, 12))
	}
	dom := pick("*", "*", "*/"+n(1, 31), n(1, 31), n(1, 31)+","+n(1, 31), rangeOf(1, 31), rangeOf(1, 31)+"/"+n(1, 15), "29", "30", "31", "1,15", "28-31")
	month := pick("*", "*", "*/"+n(1, 12), n(1, 12), n(1, 12)+","+n(1, 12), rangeOf(1, 12), "2", "feb,mar", "jan,dec")
	dow := pick("*", "*", "*", "*/"+n(1, 7), n(0, 7), n(0, 7)+","+n(0, 7), rangeOf(0, 7), "7", "0,7", "mon-fri", "sat,sun")
	return strings.Join([]string{minute, hour, dom, month, dow}, " ")
}

func validSchedule(text string) bool {
	_, err := ParseSchedule(text)
	return err == nil
}

// interestingSchedules are checked by every property besides the random ones.
var interestingSchedules = []string{
	"* * * * *", "*/30 * * * *", "0,59 23,0 * * *", "0 0 29 2 *", "* * 29 2 *", "0 0 31 * *", "0 0 30 * *",
	"0 0 29 * *", "0 12 13 * fri", "0 0 1,15 * mon", "0 0 */10 * mon", "0 0 1 * */7", "0 0 */1 * mon",
	"0 0 1-7 * mon", "0,59 0,23 28,1 2,3 *", "0 0 29 2 mon", "59 23 31 12 *", "0 0 * * 0,7", "0 1,23 * * mon,tue",
	"@hourly", "@daily", "@weekly", "@monthly", "@yearly",
}

// TestWalkFindsExactlyTheRuns: every run time the walk finds matches the
// schedule, and no minute strictly between two consecutive found runs
// (nor before the first or after the last, within the window) matches it,
// checked minute by minute over windows around a leap day, the non-leap
// 2100, a new year and a random date.
func TestWalkFindsExactlyTheRuns(t *testing.T) {
	r := rand.New(rand.NewPCG(2025, 1))
	schedules := append([]string(nil), interestingSchedules...)
	for len(schedules) < len(interestingSchedules)+150 {
		if text := randomSchedule(r, false); validSchedule(text) {
			schedules = append(schedules, text)
		}
	}
	for i, text := range schedules {
		s, err := ParseSchedule(text)
		if err != nil {
			continue // a random range came out reversed
		}
		b := newBrute(t, s)
		random := epochTime.AddDate(0, 0, r.IntN(cycleDays-60))
		windows := [][2]time.Time{
			{time.Date(2024, 2, 10, 0, 0, 0, 0, time.UTC), time.Date(2024, 3, 10, 0, 0, 0, 0, time.UTC)},
			{time.Date(2100, 2, 10, 0, 0, 0, 0, time.UTC), time.Date(2100, 3, 10, 0, 0, 0, 0, time.UTC)},
			{time.Date(2023, 12, 20, 0, 0, 0, 0, time.UTC), time.Date(2024, 1, 10, 0, 0, 0, 0, time.UTC)},
			{random, random.AddDate(0, 0, 20)},
		}
		if i >= len(interestingSchedules) {
			windows = windows[i%len(windows) : i%len(windows)+1] // one window per random schedule
		}
		for _, w := range windows {
			runs := walkedRuns(t, s, w[0], w[1])
			k := 0
			for at := w[0]; at.Before(w[1]); at = at.Add(time.Minute) {
				match := b.matches(at)
				found := k < len(runs) && runs[k].Equal(at)
				if match != found {
					t.Fatalf("%q in [%s, %s): at %s brute force says %v, the walk %v (next found: %v)",
						text, w[0], w[1], at, match, found, runs[k:min(k+1, len(runs))])
				}
				if found {
					k++
				}
			}
			require.Equal(t, len(runs), k, "%q: runs outside the window", text)
		}
	}
}

// TestShortestIntervalIsExact compares ShortestInterval with the shortest
// gap between consecutive run times enumerated over one whole 400-year
// cycle (plus the gap into the next), with Go's calendar and the brute
// force rules, for schedules with few runs a day.
func TestShortestIntervalIsExact(t *testing.T) {
	if testing.Short() {
		t.Skip("enumerates 400 years per schedule")
	}
	r := rand.New(rand.NewPCG(4, 400))
	schedules := append([]string(nil), interestingSchedules...)
	for len(schedules) < len(interestingSchedules)+60 {
		if text := randomSchedule(r, true); validSchedule(text) {
			schedules = append(schedules, text)
		}
	}
	for _, text := range schedules {
		s := mustSchedule(t, text)
		b := newBrute(t, s)
		var clock []time.Duration // the times of day it runs at
		for h := 0; h < 24; h++ {
			for mi := 0; mi < 60; mi++ {
				if b.sets[1][h] && b.sets[0][mi] {
					clock = append(clock, time.Duration(h)*time.Hour+time.Duration(mi)*time.Minute)
				}
			}
		}
		if len(clock) > 60 {
			continue // too many runs to enumerate over 400 years; TestShortestInterval has them
		}
		var (
			first, last time.Time
			shortest    time.Duration
			seen        bool
		)
		end := epochTime.AddDate(400, 0, 0)
		for d := epochTime; d.Before(end); d = d.AddDate(0, 0, 1) {
			if !b.runsOnDay(d) {
				continue
			}
			for _, c := range clock {
				at := d.Add(c)
				if seen && (shortest == 0 || at.Sub(last) < shortest) {
					shortest = at.Sub(last)
				}
				if !seen {
					first = at
				}
				last, seen = at, true
			}
		}
		got, ok := s.ShortestInterval()
		if !seen {
			assert.False(t, ok, "%q never runs", text)
			continue
		}
		if wrap := first.AddDate(400, 0, 0).Sub(last); shortest == 0 || wrap < shortest {
			shortest = wrap
		}
		assert.True(t, ok, text)
		assert.Equal(t, shortest, got, "%q: brute force %s, ShortestInterval %s", text, formatInterval(shortest), formatInterval(got))
	}
}

// BenchmarkShortestInterval times the slowest schedules: those whose walk
// covers the whole 400-year cycle (no two consecutive run days).
func BenchmarkShortestInterval(b *testing.B) {
	for _, text := range []string{
		"0 0 * * mon", "0,59 23,0 * * mon", "0 0 */10 * mon", "0 0 1 * */7", "0 0 31 * *", "0 0 29 2 *",
		"59 23 31 12 *", "0 0 30 2 *", "@monthly", "* * * * *", "*/30 * * * *",
	} {
		s, err := ParseSchedule(text)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(strings.ReplaceAll(text, " ", "_"), func(b *testing.B) {
			for b.Loop() {
				s.ShortestInterval()
			}
		})
	}
}

// TestShortestIntervalSpeed guards the benchmark's claim loosely: the
// slowest schedules take under 10 ms a call on average (about 0.5 ms on a
// laptop; see BenchmarkShortestInterval).
func TestShortestIntervalSpeed(t *testing.T) {
	if testing.Short() {
		t.Skip("timing")
	}
	const calls = 20
	for _, text := range []string{"0 0 * * mon", "0 0 */10 * mon", "0,59 23,0 * * mon"} {
		s := mustSchedule(t, text)
		start := time.Now()
		for i := 0; i < calls; i++ {
			s.ShortestInterval()
		}
		per := time.Since(start) / calls
		t.Logf("%s: %s a call", text, per)
		assert.Less(t, per, 10*time.Millisecond, "%s is slow", text)
	}
}
