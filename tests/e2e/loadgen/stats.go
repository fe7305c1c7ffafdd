package loadgen

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
)

// Failure kinds. A request fails on a transport error, a non-2xx status,
// or a body that is short or wrong; Result.Failure holds one of these
// (KindStatus gives the status kinds), "" for a success.
const (
	KindTransport = "transport"  // connection refused or reset, protocol error before a status
	KindTimeout   = "timeout"    // the request (headers or body) took longer than Config.RequestTimeout
	KindShortBody = "short_body" // the body ended early (fewer bytes than the image, or cut off)
	KindWrongBody = "wrong_body" // the body was complete but not what it must be (checksum, JSON, id)
)

// KindStatus is the failure kind of a non-2xx status, e.g. "status_503".
func KindStatus(code int) string { return fmt.Sprintf("status_%d", code) }

// Result is one request.
type Result struct {
	Op      Op
	Worker  int
	Target  string        // the frontend (base URL) it was sent to
	Start   time.Time     // when the request was started
	Latency time.Duration // until the whole body was read and checked
	Status  int           // HTTP status, 0 when none arrived
	Failure string        // "" on success, else a failure kind
	Detail  string        // what went wrong, for failures
}

// End is when the request finished.
func (r Result) End() time.Time { return r.Start.Add(r.Latency) }

// OK reports whether the request succeeded.
func (r Result) OK() bool { return r.Failure == "" }

// Window is an interval during which every request started failed.
type Window struct {
	Start     time.Time // the start of its first failed request
	End       time.Time // the end of the next successful request, or of its last failure when none followed
	Failures  int       // failed requests in the window
	Recovered bool      // a successful request followed
}

// Duration is the length of the window (0 for no window).
func (w Window) Duration() time.Duration {
	if w.Failures == 0 {
		return 0
	}
	return w.End.Sub(w.Start)
}

// Report summarises a set of results.
type Report struct {
	Total          int
	Failed         int
	FailuresByKind map[string]int
	ByOp           map[Op]int
	ByTarget       map[string]int // requests per frontend
	// Latency percentiles (nearest rank) and maximum over every request,
	// failed ones included.
	P50, P95, P99, Max time.Duration
	First, Last        time.Time // the first start and the last end
	RPS                float64   // Total / (Last - First)
	// Outage is the longest window during which every request failed:
	// requests are taken in the order of their start; a run of
	// consecutive failures opens a window at the first failure's start,
	// which the next success closes at its end (or the run's last failure
	// end when no success followed). Outages counts such runs.
	Outage       Window
	Outages      int
	FailureTimes []time.Time // start of every failed request, in order
}

// Percentile returns the p-th percentile (0 < p <= 100) of sorted by the
// nearest-rank method: the smallest value such that at least p% of the
// values are less or equal, i.e. sorted[ceil(p/100*n)-1]. It returns 0 for
// no values; p <= 0 gives the minimum.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	if p <= 0 {
		return sorted[0]
	}
	if p >= 100 {
		return sorted[n-1]
	}
	// p*n/100, less a tolerance, so that a rank that is whole in decimal
	// stays whole despite binary rounding (99.9*1000/100 is a hair above 999).
	rank := int(math.Ceil(p*float64(n)/100 - 1e-9))
	if rank < 1 {
		rank = 1
	}
	return sorted[rank-1]
}

// Analyze computes the report of results (in any order).
func Analyze(results []Result) Report {
	rep := Report{FailuresByKind: map[string]int{}, ByOp: map[Op]int{}, ByTarget: map[string]int{}}
	if len(results) == 0 {
		return rep
	}
	rs := append([]Result(nil), results...)
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].Start.Before(rs[j].Start) })
	lat := make([]time.Duration, 0, len(rs))
	rep.First = rs[0].Start
	for _, r := range rs {
		rep.Total++
		rep.ByOp[r.Op]++
		rep.ByTarget[r.Target]++
		lat = append(lat, r.Latency)
		if r.End().After(rep.Last) {
			rep.Last = r.End()
		}
		if !r.OK() {
			rep.Failed++
			rep.FailuresByKind[r.Failure]++
			rep.FailureTimes = append(rep.FailureTimes, r.Start)
		}
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	rep.P50 = Percentile(lat, 50)
	rep.P95 = Percentile(lat, 95)
	rep.P99 = Percentile(lat, 99)
	rep.Max = lat[len(lat)-1]
	if span := rep.Last.Sub(rep.First); span > 0 {
		rep.RPS = float64(rep.Total) / span.Seconds()
	}
	rep.Outage, rep.Outages = outages(rs)
	return rep
}

// outages finds the runs of consecutive failures in rs (sorted by start)
// and returns the longest window and the number of runs.
func outages(rs []Result) (Window, int) {
	var longest Window
	runs := 0
	for i := 0; i < len(rs); {
		if rs[i].OK() {
			i++
			continue
		}
		runs++
		w := Window{Start: rs[i].Start}
		j := i
		for ; j < len(rs) && !rs[j].OK(); j++ {
			w.Failures++
			if rs[j].End().After(w.End) {
				w.End = rs[j].End()
			}
		}
		if j < len(rs) {
			w.End, w.Recovered = rs[j].End(), true
		}
		if w.Duration() > longest.Duration() || longest.Failures == 0 {
			longest = w
		}
		i = j
	}
	return longest, runs
}

// Between returns the results that started in [from, to).
func Between(results []Result, from, to time.Time) []Result {
	var out []Result
	for _, r := range results {
		if !r.Start.Before(from) && r.Start.Before(to) {
			out = append(out, r)
		}
	}
	return out
}

// Kinds returns the failure kinds as "kind=N" sorted by kind, or "none".
func (r Report) Kinds() string {
	if len(r.FailuresByKind) == 0 {
		return "none"
	}
	var ks []string
	for k := range r.FailuresByKind {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	for i, k := range ks {
		ks[i] = fmt.Sprintf("%s=%d", k, r.FailuresByKind[k])
	}
	return strings.Join(ks, " ")
}

// String is a multi-line summary of the report.
func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "requests %d (list %d, show %d, download %d), failed %d (%s)\n",
		r.Total, r.ByOp[OpList], r.ByOp[OpShow], r.ByOp[OpDownload], r.Failed, r.Kinds())
	fmt.Fprintf(&b, "latency p50 %s p95 %s p99 %s max %s; %.1f requests/s over %.1fs\n",
		ms(r.P50), ms(r.P95), ms(r.P99), ms(r.Max), r.RPS, r.Last.Sub(r.First).Seconds())
	if r.Outage.Failures == 0 {
		b.WriteString("outage: none\n")
	} else {
		rec := "recovered"
		if !r.Outage.Recovered {
			rec = "NOT recovered before the load stopped"
		}
		fmt.Fprintf(&b, "outage: longest %.2fs (%s .. %s, %d failed requests, %s); %d failure run(s)\n",
			r.Outage.Duration().Seconds(), stamp(r.Outage.Start), stamp(r.Outage.End), r.Outage.Failures, rec, r.Outages)
	}
	if n := len(r.FailureTimes); n > 0 {
		const show = 20
		var ts []string
		for i, t := range r.FailureTimes {
			if i == show {
				ts = append(ts, fmt.Sprintf("... (%d more)", n-show))
				break
			}
			ts = append(ts, stamp(t))
		}
		fmt.Fprintf(&b, "failure times: %s\n", strings.Join(ts, ", "))
	}
	return b.String()
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond)) }

func stamp(t time.Time) string { return t.UTC().Format("15:04:05.000") }
