// Package loadgen sends a steady stream of Glance API requests and records
// every one of them: N workers cycle through image list (GET /v2/images),
// image show (GET /v2/images/{id}) and image download (GET
// /v2/images/{id}/file, the whole body read and its length and sha256
// checked against the known image). A request fails on a transport error,
// a non-2xx status, or a short or wrong body. Analyze turns the results
// into totals, failure kinds, latency percentiles, requests per second and
// the outage window.
//
// Everything is bounded: a run stops by itself after Config.Duration or
// Config.MaxRequests requests, whichever comes first; Stop ends it
// earlier. No request outlives Config.RequestTimeout, so Stop returns at
// most that long after it is called. It uses only the standard library.
package loadgen

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Op is a kind of request.
type Op string

// The requests a worker cycles through.
const (
	OpList     Op = "list"     // GET /v2/images; the image must be listed
	OpShow     Op = "show"     // GET /v2/images/{id}; id, status active and size must match
	OpDownload Op = "download" // GET /v2/images/{id}/file; length and sha256 must match
)

// Image is the image the requests show and download.
type Image struct {
	ID     string
	Size   int64
	SHA256 string // hex
}

// Limits that no configuration can exceed.
const (
	MaxWorkers     = 64
	MaxDuration    = 30 * time.Minute
	MaxRequestsCap = 1_000_000
	maxJSONBody    = 4 << 20
)

// Config describes a run. Zero values take the defaults noted.
type Config struct {
	BaseURLs       []string      // the frontends, e.g. http://127.0.0.1:19390; worker w sends to BaseURLs[w % n] (required)
	Image          Image         // required: ID, Size and SHA256
	Workers        int           // concurrent workers (default 4, at most MaxWorkers)
	Interval       time.Duration // minimum time between the starts of one worker's requests (0: back to back)
	Duration       time.Duration // the run stops starting requests after this (required, at most MaxDuration)
	MaxRequests    int           // the run stops after this many requests (default and cap MaxRequestsCap)
	RequestTimeout time.Duration // per request, body included (default 30s)
	Ops            []Op          // the cycle each worker follows (default list, show, download)
	Client         *http.Client  // default: a keep-alive client with one idle connection per worker
}

func (c *Config) setDefaults() error {
	var errs []string
	if len(c.BaseURLs) == 0 {
		errs = append(errs, "BaseURLs is required")
	}
	for i, u := range c.BaseURLs {
		if u == "" {
			errs = append(errs, fmt.Sprintf("BaseURLs[%d] is empty", i))
		}
		c.BaseURLs[i] = strings.TrimRight(u, "/")
	}
	if c.Image.ID == "" || c.Image.Size < 0 || len(c.Image.SHA256) != 64 {
		errs = append(errs, "Image needs an ID, a size and a hex sha256")
	}
	if c.Workers == 0 {
		c.Workers = 4
	}
	if c.Workers < 1 || c.Workers > MaxWorkers {
		errs = append(errs, fmt.Sprintf("Workers must be 1..%d", MaxWorkers))
	}
	if c.Duration <= 0 || c.Duration > MaxDuration {
		errs = append(errs, fmt.Sprintf("Duration must be > 0 and <= %s", MaxDuration))
	}
	if c.MaxRequests == 0 || c.MaxRequests > MaxRequestsCap {
		c.MaxRequests = MaxRequestsCap
	}
	if c.MaxRequests < 0 {
		errs = append(errs, "MaxRequests must not be negative")
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = 30 * time.Second
	}
	if c.Interval < 0 {
		errs = append(errs, "Interval must not be negative")
	}
	if len(c.Ops) == 0 {
		c.Ops = []Op{OpList, OpShow, OpDownload}
	}
	for _, op := range c.Ops {
		if op != OpList && op != OpShow && op != OpDownload {
			errs = append(errs, fmt.Sprintf("unknown op %q", op))
		}
	}
	if len(errs) > 0 {
		return errors.New("loadgen: " + strings.Join(errs, "; "))
	}
	if c.Client == nil {
		c.Client = &http.Client{Transport: &http.Transport{
			Proxy:               nil,
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
			MaxIdleConnsPerHost: c.Workers,
			DisableCompression:  true,
		}}
	}
	return nil
}

// Run is a running load.
type Run struct {
	cfg      Config
	started  time.Time
	stop     chan struct{}
	stopOnce sync.Once
	done     chan struct{}
	issued   atomic.Int64
	total    atomic.Int64
	failed   atomic.Int64
	results  [][]Result // per worker; read only after done
}

// Start validates cfg and starts the workers.
func Start(cfg Config) (*Run, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	r := &Run{cfg: cfg, started: time.Now(), stop: make(chan struct{}), done: make(chan struct{}),
		results: make([][]Result, cfg.Workers)}
	var wg sync.WaitGroup
	for w := 0; w < cfg.Workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			r.worker(w)
		}(w)
	}
	go func() { wg.Wait(); close(r.done) }()
	return r, nil
}

// Counts returns the requests finished so far and how many failed.
func (r *Run) Counts() (total, failed int) {
	return int(r.total.Load()), int(r.failed.Load())
}

// Done is closed when every worker has stopped.
func (r *Run) Done() <-chan struct{} { return r.done }

// Stop tells the workers to start no new request, waits for the requests
// in flight (each bounded by RequestTimeout) and returns every result.
func (r *Run) Stop() []Result {
	r.stopOnce.Do(func() { close(r.stop) })
	return r.Wait()
}

// Wait waits until the run ends by itself (Duration or MaxRequests) or
// is stopped, and returns every result, ordered by start.
func (r *Run) Wait() []Result {
	<-r.done
	var all []Result
	for _, rs := range r.results {
		all = append(all, rs...)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Start.Before(all[j].Start) })
	return all
}

func (r *Run) stopping() bool {
	select {
	case <-r.stop:
		return true
	default:
		return time.Since(r.started) >= r.cfg.Duration
	}
}

func (r *Run) worker(w int) {
	deadline := time.NewTimer(r.cfg.Duration - time.Since(r.started))
	defer deadline.Stop()
	for i := 0; ; i++ {
		if r.stopping() || r.issued.Add(1) > int64(r.cfg.MaxRequests) {
			return
		}
		op := r.cfg.Ops[(w+i)%len(r.cfg.Ops)]
		res := r.do(w, op)
		r.results[w] = append(r.results[w], res)
		r.total.Add(1)
		if !res.OK() {
			r.failed.Add(1)
		}
		if wait := r.cfg.Interval - time.Since(res.Start); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-r.stop:
				t.Stop()
				return
			case <-deadline.C:
				t.Stop()
				return
			}
		}
	}
}

// base is the frontend worker w sends its requests to.
func (r *Run) base(w int) string { return r.cfg.BaseURLs[w%len(r.cfg.BaseURLs)] }

func (r *Run) url(base string, op Op) string {
	switch op {
	case OpList:
		return base + "/v2/images?limit=1000"
	case OpShow:
		return base + "/v2/images/" + r.cfg.Image.ID
	default:
		return base + "/v2/images/" + r.cfg.Image.ID + "/file"
	}
}

// do sends one request and checks its answer.
func (r *Run) do(w int, op Op) Result {
	res := Result{Op: op, Worker: w, Target: r.base(w), Start: time.Now()}
	ctx, cancel := context.WithTimeout(context.Background(), r.cfg.RequestTimeout)
	defer cancel()
	fail := func(kind, detail string) Result {
		res.Latency = time.Since(res.Start)
		res.Failure, res.Detail = kind, detail
		return res
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.url(res.Target, op), nil)
	if err != nil {
		return fail(KindTransport, err.Error())
	}
	resp, err := r.cfg.Client.Do(req)
	if err != nil {
		return fail(errKind(ctx, err, KindTransport), err.Error())
	}
	defer resp.Body.Close()
	res.Status = resp.StatusCode
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fail(KindStatus(resp.StatusCode), strings.TrimSpace(string(b)))
	}
	switch op {
	case OpDownload:
		h := sha256.New()
		n, err := io.Copy(h, io.LimitReader(resp.Body, r.cfg.Image.Size+1))
		switch {
		case err != nil:
			return fail(errKind(ctx, err, KindShortBody), fmt.Sprintf("after %d of %d bytes: %v", n, r.cfg.Image.Size, err))
		case n < r.cfg.Image.Size:
			return fail(KindShortBody, fmt.Sprintf("%d of %d bytes", n, r.cfg.Image.Size))
		case n > r.cfg.Image.Size:
			return fail(KindWrongBody, fmt.Sprintf("more than %d bytes", r.cfg.Image.Size))
		}
		if sum := hex.EncodeToString(h.Sum(nil)); sum != r.cfg.Image.SHA256 {
			return fail(KindWrongBody, "sha256 "+sum)
		}
	case OpList:
		var body struct {
			Images []struct {
				ID string `json:"id"`
			} `json:"images"`
		}
		if kind, detail := decode(ctx, resp.Body, &body); kind != "" {
			return fail(kind, detail)
		}
		found := false
		for _, im := range body.Images {
			found = found || im.ID == r.cfg.Image.ID
		}
		if !found {
			return fail(KindWrongBody, fmt.Sprintf("image %s not among the %d listed", r.cfg.Image.ID, len(body.Images)))
		}
	case OpShow:
		var body struct {
			ID     string `json:"id"`
			Status string `json:"status"`
			Size   int64  `json:"size"`
		}
		if kind, detail := decode(ctx, resp.Body, &body); kind != "" {
			return fail(kind, detail)
		}
		if body.ID != r.cfg.Image.ID || body.Status != "active" || body.Size != r.cfg.Image.Size {
			return fail(KindWrongBody, fmt.Sprintf("id %q status %q size %d", body.ID, body.Status, body.Size))
		}
	}
	res.Latency = time.Since(res.Start)
	return res
}

// decode reads a JSON body (bounded) into v.
func decode(ctx context.Context, body io.Reader, v any) (kind, detail string) {
	b, err := io.ReadAll(io.LimitReader(body, maxJSONBody))
	if err != nil {
		return errKind(ctx, err, KindShortBody), err.Error()
	}
	if err := json.Unmarshal(b, v); err != nil {
		return KindWrongBody, err.Error()
	}
	return "", ""
}

// errKind tells a timeout from other errors.
func errKind(ctx context.Context, err error, otherwise string) string {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil || (errors.As(err, &ne) && ne.Timeout()) {
		return KindTimeout
	}
	return otherwise
}
