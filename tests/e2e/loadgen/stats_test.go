package loadgen

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// at builds a result starting s seconds after t0, lasting l seconds.
func at(s, l float64, failure string) Result {
	return Result{Op: OpList, Start: t0.Add(sec(s)), Latency: sec(l), Failure: failure}
}

func sec(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

func msd(n ...int) []time.Duration {
	out := make([]time.Duration, len(n))
	for i, v := range n {
		out[i] = time.Duration(v) * time.Millisecond
	}
	return out
}

func seq(n int) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = time.Duration(i+1) * time.Millisecond
	}
	return out
}

func TestPercentile(t *testing.T) {
	for _, tc := range []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one value p50", msd(7), 50, 7 * time.Millisecond},
		{"one value p99", msd(7), 99, 7 * time.Millisecond},
		{"1..100 p50", seq(100), 50, 50 * time.Millisecond},
		{"1..100 p95", seq(100), 95, 95 * time.Millisecond},
		{"1..100 p99", seq(100), 99, 99 * time.Millisecond},
		{"1..100 p100", seq(100), 100, 100 * time.Millisecond},
		{"1..10 p50", seq(10), 50, 5 * time.Millisecond},
		{"1..10 p95 rounds up", seq(10), 95, 10 * time.Millisecond},
		{"1..10 p99", seq(10), 99, 10 * time.Millisecond},
		{"1..1000 p99", seq(1000), 99, 990 * time.Millisecond},
		{"1..1000 p99.9", seq(1000), 99.9, 999 * time.Millisecond},
		{"1..3 p50 is the middle", seq(3), 50, 2 * time.Millisecond},
		{"1..4 p50 is the lower middle", seq(4), 50, 2 * time.Millisecond},
		{"p0 is the minimum", msd(3, 4, 9), 0, 3 * time.Millisecond},
		{"p above 100 is the maximum", msd(3, 4, 9), 150, 9 * time.Millisecond},
		{"one outlier in 100 is p100 only", append(make([]time.Duration, 99), time.Second), 99, 0},
		{"two outliers in 100 reach p99", append(make([]time.Duration, 98), time.Second, time.Second), 99, time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Percentile(tc.sorted, tc.p); got != tc.want {
				t.Errorf("Percentile(p%v) = %v, want %v", tc.p, got, tc.want)
			}
		})
	}
}

func TestAnalyzeOutage(t *testing.T) {
	for _, tc := range []struct {
		name      string
		results   []Result
		failed    int
		outages   int
		start     float64 // window, in seconds after t0
		end       float64
		failures  int
		recovered bool
	}{
		{name: "no requests"},
		{
			name:    "all succeed",
			results: []Result{at(0, 0.1, ""), at(1, 0.1, ""), at(2, 0.1, "")},
		},
		{
			name:    "one failure between successes: from its start to the next success's end",
			results: []Result{at(0, 0.1, ""), at(1, 0.2, "status_503"), at(2, 0.3, "")},
			failed:  1, outages: 1, start: 1, end: 2.3, failures: 1, recovered: true,
		},
		{
			name: "a run of failures",
			results: []Result{at(0, 0.1, ""), at(1, 0.1, KindTransport), at(1.5, 0.1, "status_503"),
				at(2, 0.1, "status_503"), at(3, 0.5, ""), at(4, 0.1, "")},
			failed: 3, outages: 1, start: 1, end: 3.5, failures: 3, recovered: true,
		},
		{
			name: "the longest of two runs wins, even when it has fewer failures",
			results: []Result{at(0, 0.1, "status_502"), at(0.2, 0.1, "status_502"), at(0.4, 0.1, "status_502"), at(0.6, 0.1, ""),
				at(1, 0.1, ""), at(2, 5, KindTimeout), at(7.5, 0.5, "")},
			failed: 4, outages: 2, start: 2, end: 8, failures: 1, recovered: true,
		},
		{
			name:    "failures at the end, never recovered: the window ends with the last failure's end",
			results: []Result{at(0, 0.1, ""), at(1, 0.1, "status_503"), at(2, 3, KindTimeout), at(3, 0.1, "status_503")},
			failed:  3, outages: 1, start: 1, end: 5, failures: 3, recovered: false,
		},
		{
			name: "a success that started before the run does not break it, even if it ends inside",
			results: []Result{at(0, 4, ""), at(1, 0.1, "status_503"), at(2, 0.1, "status_503"),
				at(3, 0.2, "")},
			failed: 2, outages: 1, start: 1, end: 3.2, failures: 2, recovered: true,
		},
		{
			name: "concurrent workers: a success started inside the failures splits the run",
			results: []Result{at(1, 0.1, "status_503"), at(1.05, 0.1, ""), at(1.1, 0.1, "status_503"),
				at(1.2, 0.1, "status_503"), at(2, 0.1, "")},
			failed: 3, outages: 2, start: 1.1, end: 2.1, failures: 2, recovered: true,
		},
		{
			name:    "input order does not matter",
			results: []Result{at(3, 0.5, ""), at(2, 0.1, "status_503"), at(0, 0.1, ""), at(1, 0.1, KindTransport)},
			failed:  2, outages: 1, start: 1, end: 3.5, failures: 2, recovered: true,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := Analyze(tc.results)
			if rep.Total != len(tc.results) || rep.Failed != tc.failed || rep.Outages != tc.outages {
				t.Fatalf("total %d failed %d outages %d, want %d %d %d", rep.Total, rep.Failed, rep.Outages, len(tc.results), tc.failed, tc.outages)
			}
			w := rep.Outage
			if tc.failures == 0 {
				if w.Failures != 0 || w.Duration() != 0 {
					t.Fatalf("outage %+v, want none", w)
				}
				return
			}
			if !w.Start.Equal(t0.Add(sec(tc.start))) || !w.End.Equal(t0.Add(sec(tc.end))) || w.Failures != tc.failures || w.Recovered != tc.recovered {
				t.Fatalf("outage %s..%s failures %d recovered %v, want %v..%v %d %v",
					w.Start.Sub(t0), w.End.Sub(t0), w.Failures, w.Recovered, sec(tc.start), sec(tc.end), tc.failures, tc.recovered)
			}
			if w.Duration() != sec(tc.end)-sec(tc.start) {
				t.Fatalf("duration %v, want %v", w.Duration(), sec(tc.end)-sec(tc.start))
			}
		})
	}
}

func TestAnalyzeCountsAndRates(t *testing.T) {
	var rs []Result
	// 100 requests, one every 100 ms, latencies 1..100 ms; request k (1-based)
	// fails when k % 25 == 0 with alternating kinds.
	for k := 1; k <= 100; k++ {
		r := Result{Op: []Op{OpList, OpShow, OpDownload}[k%3], Start: t0.Add(time.Duration(k-1) * 100 * time.Millisecond), Latency: time.Duration(k) * time.Millisecond}
		if k%25 == 0 {
			r.Failure = []string{KindStatus(503), KindShortBody}[(k/25)%2]
		}
		rs = append(rs, r)
	}
	rep := Analyze(rs)
	if rep.Total != 100 || rep.Failed != 4 {
		t.Fatalf("total %d failed %d", rep.Total, rep.Failed)
	}
	if want := map[string]int{"status_503": 2, "short_body": 2}; !reflect.DeepEqual(rep.FailuresByKind, want) {
		t.Errorf("kinds %v, want %v", rep.FailuresByKind, want)
	}
	if want := map[Op]int{OpList: 33, OpShow: 34, OpDownload: 33}; !reflect.DeepEqual(rep.ByOp, want) {
		t.Errorf("ops %v, want %v", rep.ByOp, want)
	}
	if rep.P50 != 50*time.Millisecond || rep.P95 != 95*time.Millisecond || rep.P99 != 99*time.Millisecond || rep.Max != 100*time.Millisecond {
		t.Errorf("latency p50 %v p95 %v p99 %v max %v", rep.P50, rep.P95, rep.P99, rep.Max)
	}
	// first start t0, last end 9.9 s + 100 ms = 10 s: 10 requests/s.
	if !rep.First.Equal(t0) || !rep.Last.Equal(t0.Add(10*time.Second)) || rep.RPS != 10 {
		t.Errorf("first %v last %v rps %v", rep.First, rep.Last.Sub(t0), rep.RPS)
	}
	if len(rep.FailureTimes) != 4 || !rep.FailureTimes[0].Equal(t0.Add(2400*time.Millisecond)) {
		t.Errorf("failure times %v", rep.FailureTimes)
	}
	// each failure is alone between successes: 4 runs, each from its
	// start to the next request's end (100 ms later + 26 ms latency and so on).
	if rep.Outages != 4 || rep.Outage.Failures != 1 {
		t.Errorf("outages %d, longest %+v", rep.Outages, rep.Outage)
	}
	// the longest: the failure at k=100 has no successor, so it is
	// [9.9 s, 10.0 s] = 100 ms; k=75 gives [7.4 s, 7.5 s + 76 ms] = 176 ms.
	if got := rep.Outage.Duration(); got != 176*time.Millisecond {
		t.Errorf("longest outage %v, want 176ms", got)
	}
	for _, s := range []string{"requests 100 (list 33, show 34, download 33), failed 4 (short_body=2 status_503=2)", "p99 99.0ms", "10.0 requests/s"} {
		if !strings.Contains(rep.String(), s) {
			t.Errorf("String() lacks %q:\n%s", s, rep.String())
		}
	}
}

func TestBetween(t *testing.T) {
	rs := []Result{at(0, 1, ""), at(1, 1, ""), at(2, 1, "x"), at(3, 1, "")}
	got := Between(rs, t0.Add(sec(1)), t0.Add(sec(3)))
	if len(got) != 2 || !got[0].Start.Equal(t0.Add(sec(1))) || !got[1].Start.Equal(t0.Add(sec(2))) {
		t.Fatalf("Between = %v", got)
	}
}
