package textcheck

import "testing"

func TestFind(t *testing.T) {
	for _, c := range []struct {
		in   string
		at   int
		what string
	}{
		{"plain text, spaces and ünïcode", -1, ""},
		{"a\nb", 1, "a newline"},
		{"a\rb", 1, "a carriage return"},
		{"tab\there", 3, "control character U+0009"},
		{"del\x7f", 3, "control character U+007F"},
		{"c1\u0085", 2, "control character U+0085"},
		{"bad\xffutf8", 3, "invalid UTF-8"},
		{"nul\x00", 3, "control character U+0000"},
	} {
		at, what := Find(c.in)
		if at != c.at || what != c.what {
			t.Errorf("Find(%q) = %d, %q; want %d, %q", c.in, at, what, c.at, c.what)
		}
	}
}
