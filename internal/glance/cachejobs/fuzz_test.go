package cachejobs

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// foreignLines returns the lines of content that are not a marker of one of
// names nor the job line under such a marker, according to the documented
// rules (computed independently of File).
func foreignLines(content []byte, names map[string]bool) []string {
	s := string(content)
	if s == "" {
		return nil
	}
	lines := strings.Split(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	isMarker := func(l string) (string, bool) {
		l = strings.TrimSuffix(l, "\r")
		if strings.HasPrefix(l, "#Ansible: ") {
			return l[len("#Ansible: "):], true
		}
		return "", false
	}
	var out []string
	for i := 0; i < len(lines); i++ {
		name, ok := isMarker(lines[i])
		if ok && names[name] {
			if i+1 < len(lines) {
				if _, next := isMarker(lines[i+1]); !next {
					i++
				}
			}
			continue
		}
		out = append(out, lines[i])
	}
	return out
}

// isSubsequence reports whether every element of sub appears in seq in order.
func isSubsequence(sub, seq []string) bool {
	j := 0
	for _, s := range seq {
		if j < len(sub) && sub[j] == s {
			j++
		}
	}
	return j == len(sub)
}

func FuzzParseFile(f *testing.F) {
	es := testEntries(f)
	seeds := []string{
		"",
		"\n",
		"SHELL=/bin/sh\n# c\n\n",
		"#Ansible: glance-cache-pruner\n0 * * * * root old\n",
		"#Ansible: glance-cache-pruner\r\n#Ansible: glance-cache-pruner\nx\n#Ansible: y",
		es[0].Line() + "\n" + es[1].Line(),
		"#Ansible: x\n#Ansible: glance-cache-cleaner\n#Ansible: glance-cache-cleaner\nz\n" + es[0].Line() + "\n",
		"a\r\nb\rc\x00\xff",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	names := map[string]bool{}
	var nameList []string
	for _, e := range es {
		names[e.Name] = true
		nameList = append(nameList, e.Name)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		file := ParseFile(in)
		out := file.Render()

		// Render(ParseFile(x)) is x, plus "\n" when x lacks a final one.
		want := in
		if len(in) > 0 && in[len(in)-1] != '\n' {
			want = append(append([]byte(nil), in...), '\n')
		}
		if !bytes.Equal(out, want) {
			t.Fatalf("round trip: %q -> %q", in, out)
		}
		if !bytes.Equal(ParseFile(out).Render(), out) {
			t.Fatalf("second round trip differs for %q", in)
		}

		// Ensure keeps non-managed lines, in order, and is idempotent.
		ensured := file.Ensure(es)
		r1 := ensured.Render()
		foreign := foreignLines(in, names)
		lines1 := strings.Split(strings.TrimSuffix(string(r1), "\n"), "\n")
		if !isSubsequence(foreign, lines1) {
			t.Fatalf("Ensure lost foreign lines:\nin  %q\nout %q", in, r1)
		}
		if got := ensured.Ensure(es).Render(); !bytes.Equal(got, r1) {
			t.Fatalf("Ensure not idempotent on File:\n%q\n%q", r1, got)
		}
		if got := ParseFile(r1).Ensure(es).Render(); !bytes.Equal(got, r1) {
			t.Fatalf("Ensure not idempotent after re-parse:\n%q\n%q", r1, got)
		}
		// Each entry: exactly one marker, followed by its line.
		for _, e := range es {
			if n := strings.Count("\n"+string(r1), "\n"+e.Marker()+"\n"); n != 1 {
				t.Fatalf("%d markers for %s in %q", n, e.Name, r1)
			}
			if !strings.Contains("\n"+string(r1), "\n"+e.Marker()+"\n"+e.Line()+"\n") {
				t.Fatalf("entry %s missing in %q", e.Name, r1)
			}
		}

		// Remove keeps exactly the foreign lines (marker-free for our names).
		removed := ParseFile(r1).Remove(nameList)
		rl := removed.Lines()
		if len(rl) == 0 {
			rl = nil
		}
		if strings.Join(rl, "\n") != strings.Join(foreignLines(r1, names), "\n") || len(rl) != len(foreignLines(r1, names)) {
			t.Fatalf("Remove: %q -> %q", r1, removed.Render())
		}
		for _, j := range removed.Jobs() {
			if names[j] {
				t.Fatalf("Remove left %s", j)
			}
		}
		_ = file.IsBlank()
		_ = file.Jobs()
	})
}

func FuzzParseSchedule(f *testing.F) {
	for _, s := range []string{
		"*/30 * * * *", "@daily", "@Reboot", "0-59/7 0-23/3 1-31/2 jan-dec/3 sun-sat/2",
		"1,2,3 4 5 6 7", "* * * * 8", "5/10 * * * *", "", "% * * * *", "@daily x",
		"00 00 01 01 00", "30-10 * * * *",
	} {
		f.Add(s, "host1")
	}
	f.Fuzz(func(t *testing.T, in, seed string) {
		s, err := ParseSchedule(in)
		if err != nil {
			if !s.IsZero() {
				t.Fatalf("error with non-zero schedule for %q", in)
			}
			if err.Error() == "" {
				t.Fatalf("empty error for %q", in)
			}
			return
		}
		text := s.String()
		again, err := ParseSchedule(text)
		if err != nil {
			t.Fatalf("canonical %q of %q does not parse: %v", text, in, err)
		}
		if again != s || again.String() != text {
			t.Fatalf("round trip %q -> %q -> %q", in, text, again.String())
		}
		if strings.ContainsAny(text, "\n\r%\t") {
			t.Fatalf("forbidden character in %q", text)
		}
		sp := Splay(s, seed, "job")
		if _, err := ParseSchedule(sp.String()); err != nil {
			t.Fatalf("splayed %q of %q is invalid: %v", sp.String(), text, err)
		}
		if Splay(s, seed, "job") != sp {
			t.Fatalf("splay not deterministic for %q", text)
		}
		// Splay moves minutes, which may change the gaps between runs (shifted
		// by 25, the 4 minutes from */7's :56 to :00 fall within an hour,
		// :21 to :25), but never the days.
		d, ok := s.ShortestInterval()
		if ok && d < time.Minute || d%time.Minute != 0 {
			t.Fatalf("shortest interval %v of %q", d, text)
		}
		if d2, ok2 := sp.ShortestInterval(); ok2 != ok || (ok2 && d2 < time.Minute) {
			t.Fatalf("shortest interval of %q is %v, %v; of its splay %q %v, %v", text, d, ok, sp, d2, ok2)
		}
		if dt := DefaultTimeout(sp); dt < DefaultTimeoutFloor || dt > DefaultTimeoutCap {
			t.Fatalf("default timeout %d of %q", dt, sp)
		}
	})
}
