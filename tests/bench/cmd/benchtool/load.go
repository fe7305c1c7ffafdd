package main

import (
	"bufio"
	"debug/elf"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
)

type hfFile struct {
	Results []struct {
		Command string    `json:"command"`
		Times   []float64 `json:"times"`
	} `json:"results"`
}

// loadHyperfine merges the timed runs of every command across the given
// hyperfine JSON exports (one per round and group).
func loadHyperfine(paths ...string) (map[string]sample, []string, error) {
	out := map[string]sample{}
	var order []string
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, nil, err
		}
		var f hfFile
		if err := json.Unmarshal(data, &f); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", p, err)
		}
		for _, r := range f.Results {
			if _, seen := out[r.Command]; !seen {
				order = append(order, r.Command)
			}
			out[r.Command] = append(out[r.Command], r.Times...)
		}
	}
	return out, order, nil
}

type caseRow struct {
	N     int
	Group string
	Info  string // what each task runs
}

func loadCases(path string) (map[string]caseRow, []string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	out := map[string]caseRow{}
	var order []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t")
		if len(fields) < 3 {
			continue
		}
		n, err := strconv.Atoi(fields[1])
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %q: %w", path, sc.Text(), err)
		}
		row := caseRow{N: n, Group: fields[2]}
		if len(fields) > 3 {
			row.Info = fields[3]
		}
		out[fields[0]] = row
		order = append(order, fields[0])
	}
	return out, order, sc.Err()
}

func loadMeta(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	for _, l := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(l, "\t"); ok {
			m[k] = v
		}
	}
	return m, nil
}

// goBench is one benchmark's results over -count runs.
type goBench struct {
	Pkg, Name string
	NsOp      sample
	BOp       sample
	AllocsOp  sample
	OutBytes  sample
}

var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+(.*)$`)

func parseGoBench(r io.Reader) ([]*goBench, error) {
	var out []*goBench
	byKey := map[string]*goBench{}
	pkg := ""
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if p, ok := strings.CutPrefix(line, "pkg: "); ok {
			pkg = p
			continue
		}
		m := benchLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		key := pkg + " " + m[1]
		b := byKey[key]
		if b == nil {
			b = &goBench{Pkg: pkg, Name: m[1]}
			byKey[key] = b
			out = append(out, b)
		}
		f := strings.Fields(m[2])
		for i := 0; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return nil, fmt.Errorf("%q: %w", line, err)
			}
			switch f[i+1] {
			case "ns/op":
				b.NsOp = append(b.NsOp, v)
			case "B/op":
				b.BOp = append(b.BOp, v)
			case "allocs/op":
				b.AllocsOp = append(b.AllocsOp, v)
			case "out-bytes":
				b.OutBytes = append(b.OutBytes, v)
			}
		}
	}
	return out, sc.Err()
}

// hostsOf returns the n of a ".../hosts=n" benchmark name.
func hostsOf(name string) int {
	_, v, ok := strings.Cut(name, "hosts=")
	if !ok {
		return 0
	}
	n, _ := strconv.Atoi(v)
	return n
}

type sizeRow struct {
	Module, Arch, Variant string
	Bytes                 int64
}

func loadSizes(path string) ([]sizeRow, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []sizeRow
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		f := strings.Split(l, "\t")
		if len(f) != 4 {
			continue
		}
		n, err := strconv.ParseInt(f[3], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: %q: %w", path, l, err)
		}
		out = append(out, sizeRow{f[0], f[1], f[2], n})
	}
	return out, nil
}

// elfFacts says whether a binary is statically linked and stripped.
func elfFacts(path string) (static, stripped bool, err error) {
	f, err := elf.Open(path)
	if err != nil {
		return false, false, err
	}
	defer f.Close()
	static = true
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			static = false
		}
	}
	return static, f.Section(".symtab") == nil, nil
}

// ---- formatting -------------------------------------------------------
