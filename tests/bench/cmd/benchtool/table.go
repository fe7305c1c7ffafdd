package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

type table struct {
	head  []string
	right []bool // right-aligned columns
	rows  [][]string
}

func newTable(head ...string) *table {
	t := &table{head: head, right: make([]bool, len(head))}
	for i, h := range head {
		// Headers ending in a unit or a count are numbers.
		if strings.HasSuffix(h, ")") || strings.HasPrefix(h, "N") || strings.HasPrefix(h, "runs") {
			t.right[i] = true
		}
	}
	return t
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

func (t *table) String() string {
	w := make([]int, len(t.head))
	for i, h := range t.head {
		w[i] = runeLen(h)
	}
	for _, r := range t.rows {
		for i, c := range r {
			if n := runeLen(c); n > w[i] {
				w[i] = n
			}
		}
	}
	var b strings.Builder
	line := func(cells []string) {
		b.WriteString("|")
		for i, c := range cells {
			pad := strings.Repeat(" ", w[i]-runeLen(c))
			if t.right[i] {
				b.WriteString(" " + pad + c + " |")
			} else {
				b.WriteString(" " + c + pad + " |")
			}
		}
		b.WriteString("\n")
	}
	line(t.head)
	b.WriteString("|")
	for i := range t.head {
		if t.right[i] {
			b.WriteString(strings.Repeat("-", w[i]+1) + ":|")
		} else {
			b.WriteString(strings.Repeat("-", w[i]+2) + "|")
		}
	}
	b.WriteString("\n")
	for _, r := range t.rows {
		line(r)
	}
	return b.String()
}

func runeLen(s string) int { return len([]rune(s)) }

func trimFloat(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func ms(sec float64) string {
	if math.IsNaN(sec) {
		return "n/a"
	}
	v := sec * 1000
	switch {
	case math.Abs(v) >= 100:
		return fmt.Sprintf("%.0f", v)
	case math.Abs(v) >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}

func ratioStr(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "n/a"
	}
	if v >= 10 {
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

func bytesStr(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "−" + b.String()
	}
	return b.String()
}

func mb(n int64) string { return fmt.Sprintf("%.2f", float64(n)/1e6) }

func nsStr(ns float64) string {
	switch {
	case ns >= 1e6:
		return fmt.Sprintf("%.2f ms", ns/1e6)
	case ns >= 1e3:
		return fmt.Sprintf("%.1f µs", ns/1e3)
	default:
		return fmt.Sprintf("%.0f ns", ns)
	}
}

func verdict(t target, r ratio) string {
	pass := t.met(r.Value)
	borderline := t.met(r.Low) != t.met(r.High)
	s := "FAIL"
	if pass {
		s = "pass"
	}
	if borderline {
		s += " (within noise)"
	}
	return s
}

// ---- the report ---------------------------------------------------------
