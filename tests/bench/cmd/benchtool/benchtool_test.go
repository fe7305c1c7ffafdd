package main

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPerTaskAndRatio(t *testing.T) {
	empty := sample{1.0, 1.0, 1.0}
	ours := perTask(sample{2.0, 2.0, 2.0}, empty, 10)   // 100 ms/task
	python := perTask(sample{5.0, 5.0, 5.0}, empty, 10) // 400 ms/task
	if math.Abs(ours.Mean-0.1) > 1e-9 || math.Abs(python.Mean-0.4) > 1e-9 || ours.SE != 0 {
		t.Fatalf("perTask: ours %+v python %+v", ours, python)
	}
	r := ratioOf(ours, python)
	if math.Abs(r.Value-0.25) > 1e-9 || r.Low != r.Value || r.High != r.Value {
		t.Fatalf("ratio %+v", r)
	}
	if !(target{Value: 0.25}).met(r.Value) || (target{Strict: true, Value: 0.25}).met(r.Value) {
		t.Fatal("target comparison")
	}
	if v := verdict(target{Value: 0.3}, ratio{Value: 0.25, Low: 0.2, High: 0.35}); v != "pass (within noise)" {
		t.Fatalf("verdict %q", v)
	}
}

func TestParseGoBench(t *testing.T) {
	in := `goos: linux
pkg: example.org/a
BenchmarkBuild/hosts=10-2         	   14156	     16983 ns/op	   12112 B/op	      24 allocs/op
BenchmarkBuild/hosts=10-2         	   14156	     15000 ns/op	   12112 B/op	      24 allocs/op
pkg: example.org/b
BenchmarkUpgradePlanExecute/hosts=1000-2 	 7	  75386640 ns/op	    986050 out-bytes	20646190 B/op	  250460 allocs/op
PASS
`
	got, err := parseGoBench(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Name != "BenchmarkBuild/hosts=10" || len(got[0].NsOp) != 2 || got[0].NsOp.median() != 15991.5 {
		t.Fatalf("got %+v", got[0])
	}
	if got[1].Pkg != "example.org/b" || got[1].OutBytes[0] != 986050 || hostsOf(got[1].Name) != 1000 {
		t.Fatalf("got %+v", got[1])
	}
}

func TestPlaybooksFillEveryPlaceholder(t *testing.T) {
	entries := []cronEntry{
		{Name: "glance-cache-pruner", Schedule: "*/30 * * * *", Command: `sh -c 'x >>/log 2>&1' "q"`},
		{Name: "glance-cache-cleaner", Schedule: "1 0 * * *", Command: "true"},
	}
	cases, err := buildCases(filepath.Join("..", "..", "tasks"), "/tmp/scratch", entries, 3, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for _, c := range cases {
		text, err := renderPlaybook(c, "x86_64")
		if err != nil {
			t.Fatal(err)
		}
		seen[c.Name] = text
		if c.Info == "" {
			t.Errorf("%s: no Info for the report", c.Name)
		}
		if placeholder.MatchString(text) {
			t.Errorf("%s: placeholder left:\n%s", c.Name, text)
		}
		if got := strings.Count(text, "\n    - name: "); got != 1+c.N*map[bool]int{true: 2, false: 1}[strings.HasPrefix(c.Name, "cron-")] {
			t.Errorf("%s: %d tasks for N=%d", c.Name, got, c.N)
		}
	}
	for _, want := range []string{"empty", "cc-idem", "cc-idem-cold", "cc-idem-off", "cron-idem", "cmd-true", "backends-target", "plan-target-cold", "sf-plan"} {
		if seen[want] == "" {
			t.Errorf("case %s missing", want)
		}
	}
	if py := seen["cron-idem"]; !strings.Contains(py, `"/tmp/scratch/py-idem/kolla-glance-cache"`) || !strings.Contains(py, `job: "sh -c 'x >>/log 2>&1' \"q\""`) {
		t.Errorf("cron-idem playbook:\n%s", py)
	}
	// A cold copy has a cache directory of its own; the cache off is a play variable.
	if cold := seen["cc-idem-cold"]; !strings.Contains(cold, "        kolla_glance_binary_cache_dir: \"/tmp/scratch/cold/2\"\n      block:\n        - name: Cache cron") {
		t.Errorf("cc-idem-cold playbook:\n%s", cold)
	}
	if off := seen["cc-idem-off"]; !strings.Contains(off, "  vars:\n    kolla_glance_binary_cache: \"false\"\n") {
		t.Errorf("cc-idem-off playbook:\n%s", off)
	}
}

func TestTableAligns(t *testing.T) {
	tb := newTable("name", "size (B)")
	tb.add("a", "1")
	tb.add("long name", "1,000")
	want := "| name      | size (B) |\n|-----------|---------:|\n| a         |        1 |\n| long name |    1,000 |\n"
	if got := tb.String(); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	if bytesStr(-1234567) != "−1,234,567" {
		t.Fatal(bytesStr(-1234567))
	}
}

func TestLoadHyperfineMergesRounds(t *testing.T) {
	dir := t.TempDir()
	for i, js := range []string{
		`{"results":[{"command":"local/empty","times":[1,2]}]}`,
		`{"results":[{"command":"local/empty","times":[3]},{"command":"ssh/empty","times":[4]}]}`,
	} {
		if err := os.WriteFile(filepath.Join(dir, string(rune('a'+i))+".json"), []byte(js), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, order, err := loadHyperfine(filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got["local/empty"]) != 3 || got["local/empty"].mean() != 2 || len(order) != 2 {
		t.Fatalf("got %v order %v", got, order)
	}
}
