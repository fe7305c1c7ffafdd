package main

import (
	"bytes"
	"fmt"
	"regexp"
)

var (
	blockStart = regexp.MustCompile(`^<!-- figures ([a-z0-9-]+) -->$`)
	blockEnd   = []byte("<!-- /figures -->")
)

// fill replaces the body of every figures block of doc with what render
// returns for the block's name; the markers stay.
func fill(doc []byte, render func(name string) (string, error)) ([]byte, error) {
	lines := bytes.SplitAfter(doc, []byte("\n"))
	var out bytes.Buffer
	for i := 0; i < len(lines); i++ {
		out.Write(lines[i])
		m := blockStart.FindSubmatch(bytes.TrimRight(lines[i], "\n"))
		if m == nil {
			continue
		}
		name := string(m[1])
		end := i + 1
		for end < len(lines) && !bytes.Equal(bytes.TrimRight(lines[end], "\n"), blockEnd) {
			if inner := blockStart.FindSubmatch(bytes.TrimRight(lines[end], "\n")); inner != nil {
				return nil, fmt.Errorf("line %d: figures block %q opens inside block %q", end+1, inner[1], name)
			}
			end++
		}
		if end == len(lines) {
			return nil, fmt.Errorf("line %d: figures block %q has no %s", i+1, name, blockEnd)
		}
		body, err := render(name)
		if err != nil {
			return nil, fmt.Errorf("figures block %q: %w", name, err)
		}
		out.WriteString(body)
		if len(body) > 0 && body[len(body)-1] != '\n' {
			out.WriteByte('\n')
		}
		out.Write(lines[end])
		i = end
	}
	return out.Bytes(), nil
}

// outsideBlocks calls fn with each line of doc that is outside every
// figures block (and outside fenced code), with its 1-based number.
func outsideBlocks(doc []byte, fn func(n int, line string)) {
	inBlock, inFence := false, false
	for i, l := range bytes.Split(doc, []byte("\n")) {
		t := bytes.TrimSpace(l)
		switch {
		case blockStart.Match(t):
			inBlock = true
		case bytes.Equal(t, blockEnd):
			inBlock = false
		case bytes.HasPrefix(t, []byte("```")):
			inFence = !inFence
		case !inBlock && !inFence:
			fn(i+1, string(l))
		}
	}
}
