// Package textcheck finds the characters that must not reach a line-based
// file (a cron.d file, glance-api.conf) or a line of text an operator reads:
// newlines, carriage returns, other control characters and invalid UTF-8.
// A value holding one could inject lines, sections or keys.
package textcheck

import "fmt"

// Describe names a character that must not appear, or returns "".
func Describe(r rune) string {
	switch {
	case r == '\n':
		return "a newline"
	case r == '\r':
		return "a carriage return"
	case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
		return fmt.Sprintf("control character %U", r)
	case r == 0xfffd:
		// utf8.RuneError: invalid UTF-8 (or a literal U+FFFD); refuse both.
		return "invalid UTF-8"
	}
	return ""
}

// Find returns the byte index and a description of the first character of
// s that must not appear, or -1 and "".
func Find(s string) (int, string) {
	for i, r := range s {
		if what := Describe(r); what != "" {
			return i, what
		}
	}
	return -1, ""
}
