package main

import (
	"regexp"
	"strings"
)

// measured matches what reads as a measured figure: a time, a size, a rate
// or a count of a total ("0 of 7,621").
var measured = regexp.MustCompile(`\b\d[\d,]*(\.\d+)? ?(ms|s|min|MB|MiB|KB|req/s)\b|\b\d[\d,]* of \d[\d,]*\b`)

// settings are phrases that name a setting or a bound, not a measurement;
// a match inside one of them is not a figure.
var settings = []string{
	"15 s each", // FUZZTIME's default, in the tests table
}

type stray struct {
	line int
	text string
}

// strayFigures lists the measured figures doc states outside its figures
// blocks.
func strayFigures(doc []byte) []stray {
	var found []stray
	outsideBlocks(doc, func(n int, line string) {
		masked := line
		for _, s := range settings {
			masked = strings.ReplaceAll(masked, s, strings.Repeat("_", len(s)))
		}
		for _, m := range measured.FindAllString(masked, -1) {
			found = append(found, stray{n, m})
		}
	})
	return found
}
