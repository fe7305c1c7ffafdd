package loadgen

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// fakeGlance serves the three requests for one image; mode changes what
// it answers.
type fakeGlance struct {
	data  []byte
	id    string
	mode  atomic.Value // string
	delay time.Duration
	hits  atomic.Int64
}

func newFake(t *testing.T) (*fakeGlance, *httptest.Server) {
	f := &fakeGlance{data: []byte(strings.Repeat("kolla-glance ", 5000)), id: "6b1f5ad2-8a7a-4a4e-9d46-1d3f8f2b9c11"}
	f.mode.Store("ok")
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeGlance) image() Image {
	sum := sha256.Sum256(f.data)
	return Image{ID: f.id, Size: int64(len(f.data)), SHA256: hex.EncodeToString(sum[:])}
}

func (f *fakeGlance) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.hits.Add(1)
	time.Sleep(f.delay)
	mode := f.mode.Load().(string)
	if mode == "503" {
		http.Error(w, "no server is available", http.StatusServiceUnavailable)
		return
	}
	switch r.URL.Path {
	case "/v2/images":
		id := f.id
		if mode == "wrong" {
			id = "another"
		}
		fmt.Fprintf(w, `{"images": [{"id": "x"}, {"id": %q}], "schema": "/v2/schemas/images"}`, id)
	case "/v2/images/" + f.id:
		status := "active"
		if mode == "wrong" {
			status = "queued"
		}
		fmt.Fprintf(w, `{"id": %q, "status": %q, "size": %d}`, f.id, status, len(f.data))
	case "/v2/images/" + f.id + "/file":
		switch mode {
		case "short":
			// announce the whole image, send half, then drop the connection
			w.Header().Set("Content-Length", fmt.Sprint(len(f.data)))
			_, _ = w.Write(f.data[:len(f.data)/2])
			panic(http.ErrAbortHandler)
		case "truncated":
			// a complete, well-formed response that is simply too small
			_, _ = w.Write(f.data[:100])
		case "wrong":
			bad := append([]byte(nil), f.data...)
			bad[10] ^= 1
			_, _ = w.Write(bad)
		default:
			_, _ = w.Write(f.data)
		}
	default:
		http.NotFound(w, r)
	}
}

func TestHealthyRun(t *testing.T) {
	f, srv := newFake(t)
	run, err := Start(Config{BaseURLs: []string{srv.URL + "/"}, Image: f.image(), Workers: 3, Interval: 5 * time.Millisecond, Duration: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	rs := run.Wait()
	rep := Analyze(rs)
	if rep.Total < 30 || rep.Failed != 0 {
		t.Fatalf("%s", rep)
	}
	if rep.ByOp[OpList] == 0 || rep.ByOp[OpShow] == 0 || rep.ByOp[OpDownload] == 0 {
		t.Fatalf("every op should run: %v", rep.ByOp)
	}
	if total, failed := run.Counts(); total != rep.Total || failed != 0 {
		t.Fatalf("Counts %d %d, report %d", total, failed, rep.Total)
	}
	for i := 1; i < len(rs); i++ {
		if rs[i].Start.Before(rs[i-1].Start) {
			t.Fatal("results are not ordered by start")
		}
	}
	// Interval paces each worker: at most one request per 5 ms per worker.
	if max := 3 * (300/5 + 1); rep.Total > max {
		t.Fatalf("%d requests, more than the pacing allows (%d)", rep.Total, max)
	}
}

// TestSpreadOverFrontends: with several frontends every one takes requests
// (worker w sends to frontend w mod n), and each result names its own.
func TestSpreadOverFrontends(t *testing.T) {
	f, one := newFake(t)
	_, two := newFake(t)
	// both fakes serve the same image
	run, err := Start(Config{BaseURLs: []string{one.URL, two.URL}, Image: f.image(), Workers: 4, MaxRequests: 40, Duration: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, r := range run.Wait() {
		if !r.OK() {
			t.Fatalf("%+v", r)
		}
		want := []string{one.URL, two.URL}[r.Worker%2]
		if r.Target != want {
			t.Fatalf("worker %d sent to %s, want %s", r.Worker, r.Target, want)
		}
		got[r.Target]++
	}
	if by := Analyze(run.Wait()).ByTarget; by[one.URL] != got[one.URL] || by[two.URL] != got[two.URL] {
		t.Fatalf("Analyze's requests per frontend %v, counted %v", by, got)
	}
	if got[one.URL] == 0 || got[two.URL] == 0 || got[one.URL]+got[two.URL] != 40 {
		t.Fatalf("requests per frontend: %v, want both among the 40", got)
	}
}

func TestFailureKinds(t *testing.T) {
	for _, tc := range []struct {
		mode string
		op   Op
		kind string
	}{
		{"503", OpList, "status_503"},
		{"503", OpDownload, "status_503"},
		{"wrong", OpList, KindWrongBody},
		{"wrong", OpShow, KindWrongBody},
		{"wrong", OpDownload, KindWrongBody},
		{"short", OpDownload, KindShortBody},
		{"truncated", OpDownload, KindShortBody},
	} {
		t.Run(tc.mode+"/"+string(tc.op), func(t *testing.T) {
			f, srv := newFake(t)
			f.mode.Store(tc.mode)
			run, err := Start(Config{BaseURLs: []string{srv.URL}, Image: f.image(), Workers: 1, Ops: []Op{tc.op}, MaxRequests: 3, Duration: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			rep := Analyze(run.Wait())
			if rep.Total != 3 || rep.Failed != 3 || rep.FailuresByKind[tc.kind] != 3 {
				t.Fatalf("want 3 failures of kind %s:\n%s", tc.kind, rep)
			}
		})
	}
}

func TestTransportError(t *testing.T) {
	f, _ := newFake(t)
	img := f.image()
	// a port nobody listens on: connection refused
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + l.Addr().String()
	l.Close()
	run, err := Start(Config{BaseURLs: []string{dead}, Image: img, Workers: 2, MaxRequests: 4, Duration: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	rep := Analyze(run.Wait())
	if rep.Failed != 4 || rep.FailuresByKind[KindTransport] != 4 || rep.Outage.Recovered {
		t.Fatalf("%s", rep)
	}
}

func TestOutageMeasuredOnALiveRun(t *testing.T) {
	f, srv := newFake(t)
	run, err := Start(Config{BaseURLs: []string{srv.URL}, Image: f.image(), Workers: 2, Interval: 2 * time.Millisecond, Duration: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	f.mode.Store("503")
	down := time.Now()
	time.Sleep(300 * time.Millisecond)
	f.mode.Store("ok")
	up := time.Now()
	time.Sleep(100 * time.Millisecond)
	rep := Analyze(run.Stop())
	if rep.Failed == 0 || rep.Outages != 1 || !rep.Outage.Recovered {
		t.Fatalf("%s", rep)
	}
	// the window covers the 300 ms of 503s, give or take a request or two
	if d := rep.Outage.Duration(); d < 250*time.Millisecond || d > time.Second {
		t.Fatalf("outage %v for a %v failure period:\n%s", d, up.Sub(down), rep)
	}
}

func TestTimeoutAndBoundedStop(t *testing.T) {
	f, srv := newFake(t)
	f.delay = 2 * time.Second
	run, err := Start(Config{BaseURLs: []string{srv.URL}, Image: f.image(), Workers: 2, RequestTimeout: 200 * time.Millisecond, Duration: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	begin := time.Now()
	rep := Analyze(run.Stop())
	if took := time.Since(begin); took > time.Second {
		t.Fatalf("Stop took %v; requests must not outlive RequestTimeout", took)
	}
	if rep.Total != 2 || rep.FailuresByKind[KindTimeout] != 2 {
		t.Fatalf("%s", rep)
	}
}

func TestStopsByItself(t *testing.T) {
	f, srv := newFake(t)
	t.Run("MaxRequests", func(t *testing.T) {
		run, err := Start(Config{BaseURLs: []string{srv.URL}, Image: f.image(), Workers: 4, MaxRequests: 25, Duration: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		select {
		case <-run.Done():
		case <-time.After(10 * time.Second):
			t.Fatal("the run did not stop after MaxRequests")
		}
		if n := len(run.Wait()); n != 25 {
			t.Fatalf("%d results, want 25", n)
		}
	})
	t.Run("Duration", func(t *testing.T) {
		begin := time.Now()
		run, err := Start(Config{BaseURLs: []string{srv.URL}, Image: f.image(), Workers: 2, Interval: 50 * time.Millisecond, Duration: 200 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		select {
		case <-run.Done():
		case <-time.After(5 * time.Second):
			t.Fatal("the run did not stop after Duration")
		}
		// at least the duration; at most the 5 s bound above (a loaded
		// 2-core machine may delay the last in-flight request's end)
		if took := time.Since(begin); took < 200*time.Millisecond || took > 5*time.Second {
			t.Fatalf("the run took %v for a 200ms duration", took)
		}
	})
}

func TestConfigRefused(t *testing.T) {
	good := Image{ID: "x", Size: 1, SHA256: strings.Repeat("0", 64)}
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"no url", Config{Image: good, Duration: time.Second}, "BaseURLs is required"},
		{"no image", Config{BaseURLs: []string{"http://127.0.0.1:1"}, Duration: time.Second}, "Image needs"},
		{"no duration", Config{BaseURLs: []string{"http://127.0.0.1:1"}, Image: good}, "Duration must be"},
		{"too long", Config{BaseURLs: []string{"http://127.0.0.1:1"}, Image: good, Duration: time.Hour}, "Duration must be"},
		{"too many workers", Config{BaseURLs: []string{"http://127.0.0.1:1"}, Image: good, Duration: time.Second, Workers: 1000}, "Workers must be"},
		{"unknown op", Config{BaseURLs: []string{"http://127.0.0.1:1"}, Image: good, Duration: time.Second, Ops: []Op{"delete"}}, `unknown op "delete"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Start(tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
		})
	}
}
