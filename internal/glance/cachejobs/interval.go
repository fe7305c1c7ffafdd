package cachejobs

import (
	"strings"
	"time"
)

// When a schedule runs, and the shortest interval between two of its runs.
//
// Times are wall-clock minutes on the proleptic Gregorian calendar, as the
// cron daemon matches them; daylight-saving jumps are ignored.

const (
	minutesPerDay = 24 * 60
	// cycleDays is one Gregorian cycle of 400 years: 146097 days, which is
	// also 20871 weeks, so that dates and weekdays both repeat after it.
	cycleDays = 146097
)

// epoch (day 0 of runDays) is Saturday 1 January 2000, the first day of a
// 400-year cycle.
const (
	epochYear    = 2000
	epochWeekday = 6 // Saturday; 0 is Sunday
)

// matcher is a five-field schedule expanded into the sets cron matches.
type matcher struct {
	minute [60]bool
	hour   [24]bool
	dom    [32]bool // 1-31
	month  [13]bool // 1-12
	dow    [7]bool  // 0-6, Sunday 0 (7 folded into 0)
	// domStar and dowStar: the field starts with "*" ("*", "*/2"). Vixie
	// cron (Debian's) runs a job on the days matching both day fields when
	// either starts with "*", and on the days matching either field when
	// both are restricted.
	domStar, dowStar bool
}

// keywordFields are the five fields cron gives an @keyword; @reboot has none.
func keywordFields(keyword string) ([5]string, bool) {
	switch keyword {
	case "yearly", "annually":
		return [5]string{"0", "0", "1", "1", "*"}, true
	case "monthly":
		return [5]string{"0", "0", "1", "*", "*"}, true
	case "weekly":
		return [5]string{"0", "0", "*", "*", "0"}, true
	case "daily", "midnight":
		return [5]string{"0", "0", "*", "*", "*"}, true
	case "hourly":
		return [5]string{"0", "*", "*", "*", "*"}, true
	}
	return [5]string{}, false
}

// matcher expands s; false for @reboot and the zero Schedule, which have no
// run times.
func (s Schedule) matcher() (matcher, bool) {
	if s.IsZero() {
		return matcher{}, false
	}
	fields := s.fields
	if s.keyword != "" {
		var ok bool
		if fields, ok = keywordFields(s.keyword); !ok {
			return matcher{}, false
		}
	}
	var sets [5][]bool
	for i, f := range fields {
		els, err := parseField(fieldSpecs[i], f)
		if err != nil {
			return matcher{}, false // canonical fields always parse
		}
		sets[i] = make([]bool, fieldSpecs[i].max+1)
		for _, e := range els {
			for v := e.lo; v <= e.hi; v += e.step {
				sets[i][v] = true
			}
		}
	}
	var m matcher
	copy(m.minute[:], sets[0])
	copy(m.hour[:], sets[1])
	copy(m.dom[:], sets[2])
	copy(m.month[:], sets[3])
	copy(m.dow[:], sets[4])
	m.dow[0] = sets[4][0] || sets[4][7]
	m.domStar = strings.HasPrefix(fields[2], "*")
	m.dowStar = strings.HasPrefix(fields[4], "*")
	return m, true
}

// dayMinutes are the minutes of the day (hour*60+minute) at which s runs on
// a day it runs, in order: the same on every such day.
func (m *matcher) dayMinutes() []int {
	var out []int
	for h, hok := range m.hour {
		if !hok {
			continue
		}
		for mi, mok := range m.minute {
			if mok {
				out = append(out, h*60+mi)
			}
		}
	}
	return out
}

// runsOn reports whether cron runs the schedule on a day (month 1-12, day
// of month 1-31, weekday 0-6 with Sunday 0).
func (m *matcher) runsOn(month, day, weekday int) bool {
	if !m.month[month] {
		return false
	}
	d, w := m.dom[day], m.dow[weekday]
	if m.domStar || m.dowStar {
		return d && w
	}
	return d || w
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysIn(year, month int) int {
	switch month {
	case 2:
		if isLeap(year) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// runDays calls visit, in order, with the number (days since the epoch) of
// every day of [0, days) on which the schedule runs, until visit returns
// false. Months the schedule skips are jumped over whole, other days one
// by one.
func (m *matcher) runDays(days int, visit func(day int) bool) {
	year, month, day, weekday := epochYear, 1, 1, epochWeekday
	for n := 0; n < days; {
		if !m.month[month] {
			skip := daysIn(year, month) - day + 1
			n += skip
			weekday = (weekday + skip) % 7
			day = daysIn(year, month) // the last day: the step below moves to the next month
		} else {
			if m.runsOn(month, day, weekday) && !visit(n) {
				return
			}
			n++
			weekday = (weekday + 1) % 7
		}
		if day++; day > daysIn(year, month) {
			day = 1
			if month++; month > 12 {
				month = 1
				year++
			}
		}
	}
}

// ShortestInterval returns the shortest time between two consecutive runs
// of s, exactly, for every five-field schedule and @keyword: "* * * * *"
// gives 1 minute, "*/30 * * * *" 30 minutes, @daily 24 hours, @weekly 7
// days, @monthly 28 days (1 February to 1 March), @yearly 365 days and
// "0 0 29 2 *" 1461 days (four years). It returns false for @reboot, the
// zero Schedule and a schedule that never runs ("0 0 30 2 *").
//
// On every day it runs, a schedule runs at the same minutes (its hour and
// minute fields), so the runs are walked day by day: the shortest interval
// is the shortest gap between two minutes of one day, or the shortest gap
// between the last run of one run day and the first of the next. The days
// are walked over one whole 400-year Gregorian cycle, after which dates
// and weekdays repeat, plus the gap from its last run day to the first of
// the next cycle: exact for February 29th, for months of 31 days and for
// both day fields at once (a day runs when either matches if both are
// restricted, when both match if either starts with "*", as Vixie cron
// does). Months that never run are jumped over whole and the walk stops
// at the first two consecutive run days, so it takes well under a
// millisecond (BenchmarkShortestInterval).
func (s Schedule) ShortestInterval() (time.Duration, bool) {
	m, ok := s.matcher()
	if !ok {
		return 0, false
	}
	minutes := m.dayMinutes()
	first, last, dayGap := -1, -1, 0
	m.runDays(cycleDays, func(day int) bool {
		if last >= 0 && (dayGap == 0 || day-last < dayGap) {
			dayGap = day - last
		}
		if first < 0 {
			first = day
		}
		last = day
		return dayGap != 1 // no two run days are closer
	})
	if first < 0 || len(minutes) == 0 {
		return 0, false
	}
	if wrap := first + cycleDays - last; dayGap == 0 || wrap < dayGap {
		dayGap = wrap
	}
	shortest := dayGap*minutesPerDay - (minutes[len(minutes)-1] - minutes[0])
	for i := 1; i < len(minutes); i++ {
		if gap := minutes[i] - minutes[i-1]; gap < shortest {
			shortest = gap
		}
	}
	return time.Duration(shortest) * time.Minute, true
}
