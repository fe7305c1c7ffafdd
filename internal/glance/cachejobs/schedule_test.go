package cachejobs

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func mustSchedule(t testing.TB, s string) Schedule {
	t.Helper()
	sch, err := ParseSchedule(s)
	require.NoError(t, err, s)
	return sch
}

func TestParseScheduleValid(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"*/30 * * * *", "*/30 * * * *"},
		{"* * * * *", "* * * * *"},
		{"  1   0 * * *  ", "1 0 * * *"},
		{"0 0 1 1 0", "0 0 1 1 0"},
		{"59 23 31 12 7", "59 23 31 12 7"},
		{"05 007 01 * *", "5 7 1 * *"},
		{"0-29/5 8-18 1,15 * 1-5", "0-29/5 8-18 1,15 * 1-5"},
		{"0,15,30,45 */2 * * *", "0,15,30,45 */2 * * *"},
		{"0 0 * JAN,Jul *", "0 0 * jan,jul *"},
		{"0 0 * * MON-fri", "0 0 * * mon-fri"},
		{"0 0 * mar-oct/2 sun", "0 0 * mar-oct/2 sun"},
		{"0 0 * * 0-7", "0 0 * * 0-7"},
		{"*/60 * * * *", "*/60 * * * *"},
		{"0-59 0-23 1-31 1-12 0-7", "0-59 0-23 1-31 1-12 0-7"},
		{"5-5 * * * *", "5-5 * * * *"},
		{"@reboot", "@reboot"},
		{"@yearly", "@yearly"},
		{"@annually", "@annually"},
		{"@monthly", "@monthly"},
		{"@weekly", "@weekly"},
		{"@daily", "@daily"},
		{"@midnight", "@midnight"},
		{"@hourly", "@hourly"},
		{" @Daily ", "@daily"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			s, err := ParseSchedule(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, s.String())
			again, err := ParseSchedule(s.String())
			require.NoError(t, err)
			assert.Equal(t, s, again, "canonical text must round-trip")
			assert.False(t, s.IsZero())
		})
	}
}

func TestParseScheduleInvalid(t *testing.T) {
	tests := []struct {
		in    string
		frags []string
	}{
		{"", []string{"schedule is empty", "five fields", "@reboot", "@hourly"}},
		{"   ", []string{"schedule is empty"}},
		{"* * * *", []string{`has 4 fields; expected 5 (minute hour day-of-month month day-of-week)`, "@daily"}},
		{"* * * * * *", []string{"has 6 fields"}},
		{"*/30 * * * * root", []string{"has 6 fields"}},
		{"61 * * * *", []string{`minute field "61"`, "value 61 is out of range 0-59", "allowed: 0-59"}},
		{"* 24 * * *", []string{`hour field "24"`, "out of range 0-23"}},
		{"* * 0 * *", []string{`day-of-month field "0"`, "out of range 1-31"}},
		{"* * 32 * *", []string{"day-of-month", "out of range 1-31"}},
		{"* * * 13 *", []string{`month field "13"`, "out of range 1-12", "jan-dec"}},
		{"* * * 0 *", []string{"month", "out of range 1-12"}},
		{"* * * * 8", []string{`day-of-week field "8"`, "out of range 0-7", "sun-sat"}},
		{"* * * foo *", []string{`month field "foo"`, `"foo" is neither a number nor a name (jan-dec)`}},
		{"* * * * monday", []string{`"monday" is neither a number nor a name (sun-sat)`}},
		{"mon * * * *", []string{`minute field "mon"`, `"mon" is not a number`}},
		{"-1 * * * *", []string{"minute", "missing value"}},
		{"30-10 * * * *", []string{"range 30-10 is reversed"}},
		{"* * * * fri-sun", []string{"range fri-sun is reversed"}},
		{"*/0 * * * *", []string{"step 0 is out of range 1-60"}},
		{"*/61 * * * *", []string{"step 61 is out of range 1-60"}},
		{"* */25 * * *", []string{"step 25 is out of range 1-24"}},
		{"*/x * * * *", []string{`step "x" is not a number`}},
		{"*/ * * * *", []string{`missing step after "/"`}},
		{"5/10 * * * *", []string{`step "5/10" needs * or a range before the "/"`}},
		{"1,,2 * * * *", []string{"empty list element"}},
		{"1, * * * *", []string{"empty list element"}},
		{"** * * * *", []string{`minute field "**"`, `"**" is not a number`}},
		{"99999999999999999999 * * * *", []string{"out of range 0-59"}},
		{"@often", []string{`unknown keyword "@often"`, "accepted keywords: @reboot, @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly"}},
		{"@daily root", []string{"@daily must stand alone"}},
		{"*/30 * * * *\n", []string{"contains a newline at byte 12", `newlines, "%" and control characters are not allowed`}},
		{"*/30 * * * *\r", []string{"contains a carriage return"}},
		{"0 0 * * * % x", []string{`contains a percent sign ("%")`}},
		{"0\t0 * * *", []string{"contains control character U+0009 at byte 1"}},
		{"0 0 * * \x00", []string{"control character U+0000"}},
		{"0 0 * * \x7f", []string{"control character U+007F"}},
		{"0 0 * * \xff", []string{"invalid UTF-8"}},
		{"\u2029", []string{`has 1 fields`}},
		{"0\u00a00 * * * *", []string{`minute field "0\u00a00"`, "is not a number"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			s, err := ParseSchedule(tt.in)
			require.Error(t, err)
			assert.True(t, s.IsZero())
			for _, f := range tt.frags {
				assert.Contains(t, err.Error(), f)
			}
		})
	}
}

func TestScheduleAccessors(t *testing.T) {
	d := mustSchedule(t, "@daily")
	assert.Equal(t, "@daily", d.Keyword())
	assert.Equal(t, [5]string{}, d.Fields())
	f := mustSchedule(t, "1 2 3 4 5")
	assert.Equal(t, "", f.Keyword())
	assert.Equal(t, [5]string{"1", "2", "3", "4", "5"}, f.Fields())
	assert.Equal(t, "", Schedule{}.String())
	assert.True(t, Schedule{}.IsZero())
}

func TestMinuteSet(t *testing.T) {
	set := minuteSet("0-10/5,30,58-59")
	var got []int
	for v, b := range set {
		if b {
			got = append(got, v)
		}
	}
	assert.Equal(t, []int{0, 5, 10, 30, 58, 59}, got)
}
