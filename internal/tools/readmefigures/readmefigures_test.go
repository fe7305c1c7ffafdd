package main

import (
	"errors"
	"reflect"
	"testing"
)

func TestFill(t *testing.T) {
	render := func(name string) (string, error) {
		if name == "broken" {
			return "", errors.New("no file")
		}
		return "body of " + name + "\n", nil
	}
	for _, c := range []struct {
		name, in, want string
		err            bool
	}{
		{"no block", "a\nb\n", "a\nb\n", false},
		{"a block is replaced, its markers kept",
			"x\n<!-- figures one -->\nold\nlines\n<!-- /figures -->\ny\n",
			"x\n<!-- figures one -->\nbody of one\n<!-- /figures -->\ny\n", false},
		{"an empty block is filled", "<!-- figures two -->\n<!-- /figures -->\n", "<!-- figures two -->\nbody of two\n<!-- /figures -->\n", false},
		{"two blocks", "<!-- figures a -->\n1\n<!-- /figures -->\nmid\n<!-- figures b -->\n<!-- /figures -->\n",
			"<!-- figures a -->\nbody of a\n<!-- /figures -->\nmid\n<!-- figures b -->\nbody of b\n<!-- /figures -->\n", false},
		{"an unclosed block", "<!-- figures a -->\n1\n", "", true},
		{"a block inside a block", "<!-- figures a -->\n<!-- figures b -->\n<!-- /figures -->\n", "", true},
		{"a render error", "<!-- figures broken -->\n<!-- /figures -->\n", "", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := fill([]byte(c.in), render)
			if (err != nil) != c.err {
				t.Fatalf("error %v, want error %v", err, c.err)
			}
			if !c.err && string(got) != c.want {
				t.Fatalf("got\n%q\nwant\n%q", got, c.want)
			}
		})
	}
}

func TestStrayFigures(t *testing.T) {
	doc := "" +
		"plain text with version 2.14.18 and 3 hosts\n" + // 1: versions and counts of things are not measurements
		"it took 41.5 s\n" + // 2
		"0 of 7,621 failed\n" + // 3
		"a 2.11 MB tarball at 21 req/s\n" + // 4
		"<!-- figures x -->\n" +
		"inside: 12 s, 0 of 5\n" +
		"<!-- /figures -->\n" +
		"```\ncode 40 ms\n```\n" +
		"fuzzing 15 s each\n" // 12: a setting
	var got []stray
	got = append(got, strayFigures([]byte(doc))...)
	want := []stray{{2, "41.5 s"}, {3, "0 of 7,621"}, {4, "2.11 MB"}, {4, "21 req/s"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}
