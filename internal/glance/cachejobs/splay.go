package cachejobs

import (
	"hash/fnv"
	"strconv"
	"strings"
)

// SplayHours is the number of night hours (00:00 to SplayHours-1:59) over
// which Splay spreads the daily, weekly, monthly and yearly keywords.
const SplayHours = 6

// SplayOffsets returns the minute offset M (0-59) and hour H (0 to
// SplayHours-1) that Splay uses for seed and job:
//
//	h = FNV-1a 32-bit hash of the bytes of seed, one NUL byte, the bytes of job
//	M = h mod 60
//	H = (h div 60) mod 6
//
// For example: printf 'host1\0glance-cache-pruner' | <any FNV-1a-32 tool>.
func SplayOffsets(seed, job string) (minute, hour int) {
	h := fnv.New32a()
	_, _ = h.Write([]byte(seed))
	_, _ = h.Write([]byte{0})
	_, _ = h.Write([]byte(job))
	v := h.Sum32()
	return int(v % 60), int((v / 60) % SplayHours)
}

// Splay shifts the minutes of s deterministically so that a fleet of hosts
// (one seed each, e.g. the inventory hostname) does not run job at the same
// instant. With M and H from SplayOffsets(seed, job):
//
//   - empty seed: s unchanged (no shift);
//   - @reboot: unchanged;
//   - five fields whose minute field covers every minute ("*", "*/1",
//     "0-59"): unchanged;
//   - any other five-field schedule: each minute m of the minute field
//     becomes (m+M) mod 60; the result is written as a sorted comma list,
//     runs of three or more consecutive minutes written a-b. The other four
//     fields are untouched, so the number of runs per hour and per day is
//     kept and the hours and days stay those the operator wrote. For */n
//     with n dividing 60 this gives o,o+n,o+2n,... with o = M mod n (e.g.
//     */30 with M=47 gives 17,47);
//   - @hourly: "M * * * *";
//   - @daily and @midnight: "M H * * *" (once a day, between 00:00 and
//     05:59);
//   - @weekly: "M H * * 0" (Sunday, as @weekly);
//   - @monthly: "M H 1 * *" (the 1st, as @monthly);
//   - @yearly and @annually: "M H 1 1 *" (January 1st, as @yearly).
//
// The same seed and job always give the same result.
func Splay(s Schedule, seed, job string) Schedule {
	if seed == "" || s.IsZero() {
		return s
	}
	m, h := SplayOffsets(seed, job)
	mm, hh := strconv.Itoa(m), strconv.Itoa(h)
	switch s.keyword {
	case "":
		set := minuteSet(s.fields[0])
		all := true
		for _, b := range set {
			all = all && b
		}
		if all {
			return s
		}
		var shifted [60]bool
		for v, b := range set {
			if b {
				shifted[(v+m)%60] = true
			}
		}
		out := s
		out.fields[0] = renderMinutes(shifted)
		return out
	case "reboot":
		return s
	case "hourly":
		return Schedule{fields: [5]string{mm, "*", "*", "*", "*"}}
	case "daily", "midnight":
		return Schedule{fields: [5]string{mm, hh, "*", "*", "*"}}
	case "weekly":
		return Schedule{fields: [5]string{mm, hh, "*", "*", "0"}}
	case "monthly":
		return Schedule{fields: [5]string{mm, hh, "1", "*", "*"}}
	case "yearly", "annually":
		return Schedule{fields: [5]string{mm, hh, "1", "1", "*"}}
	}
	return s
}

// renderMinutes writes a minute set as a sorted list, collapsing runs of
// three or more consecutive minutes into a-b.
func renderMinutes(set [60]bool) string {
	var parts []string
	for v := 0; v < 60; {
		if !set[v] {
			v++
			continue
		}
		end := v
		for end+1 < 60 && set[end+1] {
			end++
		}
		switch {
		case end-v >= 2:
			parts = append(parts, strconv.Itoa(v)+"-"+strconv.Itoa(end))
		case end == v+1:
			parts = append(parts, strconv.Itoa(v), strconv.Itoa(end))
		default:
			parts = append(parts, strconv.Itoa(v))
		}
		v = end + 1
	}
	return strings.Join(parts, ",")
}
