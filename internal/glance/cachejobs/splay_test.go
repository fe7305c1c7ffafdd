package cachejobs

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// countRuns counts the (hour, minute) pairs of one day matched by the
// minute and hour fields of a five-field schedule.
func countRuns(t *testing.T, s Schedule) (perHour [24]int, perDay int) {
	t.Helper()
	f := s.Fields()
	minutes := minuteSet(f[0])
	hours, err := parseField(fieldSpecs[1], f[1])
	require.NoError(t, err)
	var hs [24]bool
	for _, e := range hours {
		for v := e.lo; v <= e.hi; v += e.step {
			hs[v] = true
		}
	}
	for h := 0; h < 24; h++ {
		if !hs[h] {
			continue
		}
		for _, b := range minutes {
			if b {
				perHour[h]++
				perDay++
			}
		}
	}
	return perHour, perDay
}

func TestSplayOffsetsAlgorithm(t *testing.T) {
	// The documented algorithm, recomputed independently.
	h := fnv.New32a()
	h.Write([]byte("host1\x00glance-cache-pruner"))
	v := h.Sum32()
	m, hr := SplayOffsets("host1", "glance-cache-pruner")
	assert.Equal(t, int(v%60), m)
	assert.Equal(t, int((v/60)%6), hr)
	// seed+job boundaries matter: "ab"+"c" differs from "a"+"bc".
	m1, h1 := SplayOffsets("ab", "c")
	m2, h2 := SplayOffsets("a", "bc")
	assert.False(t, m1 == m2 && h1 == h2)
}

func TestSplayExamples(t *testing.T) {
	m, h := SplayOffsets("host1", "glance-cache-pruner")
	M, H := strconv.Itoa(m), strconv.Itoa(h)
	tests := []struct{ in, want string }{
		{"@hourly", M + " * * * *"},
		{"@daily", M + " " + H + " * * *"},
		{"@midnight", M + " " + H + " * * *"},
		{"@weekly", M + " " + H + " * * 0"},
		{"@monthly", M + " " + H + " 1 * *"},
		{"@yearly", M + " " + H + " 1 1 *"},
		{"@annually", M + " " + H + " 1 1 *"},
		{"@reboot", "@reboot"},
		{"* * * * *", "* * * * *"},
		{"*/1 * * * *", "*/1 * * * *"},
		{"0-59 2 * * *", "0-59 2 * * *"},
		{"0 2 * * *", M + " 2 * * *"},
		{"*/30 * * * *", fmt.Sprintf("%d,%d * * * *", m%30, m%30+30)},
		{"*/20 1-5 * * mon", fmt.Sprintf("%d,%d,%d 1-5 * * mon", m%20, m%20+20, m%20+40)},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := Splay(mustSchedule(t, tt.in), "host1", "glance-cache-pruner")
			assert.Equal(t, tt.want, got.String())
		})
	}
}

func TestSplayFixedOffset(t *testing.T) {
	// Find seeds giving known offsets to check wrap-around and rendering.
	seedFor := func(want int) string {
		for i := 0; ; i++ {
			s := "h" + strconv.Itoa(i)
			if m, _ := SplayOffsets(s, "j"); m == want {
				return s
			}
		}
	}
	s47 := seedFor(47)
	assert.Equal(t, "17,47 * * * *", Splay(mustSchedule(t, "*/30 * * * *"), s47, "j").String())
	assert.Equal(t, "47 3 * * *", Splay(mustSchedule(t, "0 3 * * *"), s47, "j").String())
	assert.Equal(t, "12 3 * * *", Splay(mustSchedule(t, "25 3 * * *"), s47, "j").String())
	assert.Equal(t, "0-16,47-59 * * * *", Splay(mustSchedule(t, "0-29 * * * *"), s47, "j").String())
	assert.Equal(t, "2,5,47-49 * * * *", Splay(mustSchedule(t, "0-2,15,18 * * * *"), s47, "j").String())
	assert.Equal(t, "1,3,5,7,9,11,13,15,17,19,21,23,25,27,29,31,33,35,37,39,41,43,45,47,49,51,53,55,57,59 * * * *",
		Splay(mustSchedule(t, "*/2 * * * *"), s47, "j").String())
	// */7 does not divide 60: the set 0,7,...,56 is rotated as a whole.
	assert.Equal(t, "1,8,15,22,29,36,43,47,54 * * * *", Splay(mustSchedule(t, "*/7 * * * *"), s47, "j").String())
	s0 := seedFor(0)
	assert.Equal(t, "0,30 * * * *", Splay(mustSchedule(t, "*/30 * * * *"), s0, "j").String())
}

func TestSplayEmptySeed(t *testing.T) {
	for _, in := range []string{"*/30 * * * *", "@daily", "@hourly", "7 1 * * *"} {
		s := mustSchedule(t, in)
		assert.Equal(t, s, Splay(s, "", "glance-cache-pruner"))
	}
	assert.Equal(t, Schedule{}, Splay(Schedule{}, "seed", "job"))
}

func TestSplayProperties(t *testing.T) {
	inputs := []string{
		"*/30 * * * *", "*/15 * * * *", "*/7 * * * *", "*/2 * * * *", "0 * * * *",
		"1 0 * * *", "0,10,20 */5 * * *", "0-29 * * * *", "59 23 * * 7",
		"30 4 1,15 * 5", "*/45 2-4 * jan-mar *", "@hourly", "@daily", "@midnight",
		"@weekly", "@monthly", "@yearly", "@annually", "@reboot", "* * * * *",
	}
	for _, in := range inputs {
		s := mustSchedule(t, in)
		t.Run(in, func(t *testing.T) {
			distinct := map[string]bool{}
			for i := 0; i < 200; i++ {
				seed := fmt.Sprintf("ctl%02d.example.org", i)
				got := Splay(s, seed, "glance-cache-cleaner")
				// deterministic
				assert.Equal(t, got, Splay(s, seed, "glance-cache-cleaner"))
				// still a valid schedule, canonical
				again, err := ParseSchedule(got.String())
				require.NoError(t, err, got.String())
				assert.Equal(t, got, again)
				distinct[got.String()] = true
				if s.Keyword() == "" {
					// other fields untouched, runs per hour and per day kept
					sf, gf := s.Fields(), got.Fields()
					assert.Equal(t, sf[1:], gf[1:])
					ph1, pd1 := countRuns(t, s)
					ph2, pd2 := countRuns(t, got)
					assert.Equal(t, ph1, ph2)
					assert.Equal(t, pd1, pd2)
				}
				if s.Keyword() == "@hourly" {
					_, pd := countRuns(t, got)
					assert.Equal(t, 24, pd)
				}
				if k := s.Keyword(); k != "" && k != "@hourly" && k != "@reboot" {
					f := got.Fields()
					_, pd := countRuns(t, got)
					assert.Equal(t, 1, pd, "once on the days it runs")
					h, _ := strconv.Atoi(f[1])
					assert.True(t, h >= 0 && h < SplayHours, f[1])
				}
			}
			full := in == "* * * * *" || in == "@reboot"
			if full {
				assert.Len(t, distinct, 1)
			} else if in == "*/2 * * * *" {
				assert.Len(t, distinct, 2, "only two rotations exist")
			} else {
				// 200 seeds spread over many minutes
				assert.Greater(t, len(distinct), 10, "seeds must spread: %v", distinct)
			}
		})
	}
}

func TestSplayDifferentJobsDiffer(t *testing.T) {
	s := mustSchedule(t, "@daily")
	same := 0
	for i := 0; i < 100; i++ {
		seed := "host" + strconv.Itoa(i)
		if Splay(s, seed, ToolPruner) == Splay(s, seed, ToolCleaner) {
			same++
		}
	}
	assert.Less(t, same, 10)
	assert.True(t, strings.Contains(Splay(s, "x", "y").String(), " * * *"))
}
