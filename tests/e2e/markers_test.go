//go:build e2e

package e2e

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
)

// opEvent is one operation marker the glance-api image writes to
// <log dir>/glance/kolla-operations.log (molecule/_shared/images/README.md):
//
//	2026-11-26T18:07:02.679Z kolla-glance op=api release=new host=control01 start
type opEvent struct {
	At      time.Time
	Op      string
	Release string
	Host    string
	Kind    string // start or end
}

var markerLine = regexp.MustCompile(`^(\S+) kolla-glance op=(\S+) release=(\S+) host=(\S+) (start|end)\b`)

// readMarkers reads the markers of every host, ordered by time.
func (s *scenario) readMarkers() ([]opEvent, error) {
	var events []opEvent
	for _, h := range s.hosts {
		path := filepath.Join(s.hostDir(h.Name), "log", "glance", "kolla-operations.log")
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			m := markerLine.FindStringSubmatch(strings.TrimSpace(sc.Text()))
			if m == nil {
				continue
			}
			at, err := time.Parse("2006-01-02T15:04:05.000Z", m[1])
			if err != nil {
				f.Close()
				return nil, fmt.Errorf("%s: %v", path, err)
			}
			events = append(events, opEvent{At: at, Op: m[2], Release: m[3], Host: m[4], Kind: m[5]})
		}
		f.Close()
	}
	sort.SliceStable(events, func(i, j int) bool { return events[i].At.Before(events[j].At) })
	return events, nil
}

// downInterval is when a host's API was not running during the upgrade:
// from the end of its old glance-api to the start of its new one.
type downInterval struct {
	Host       string
	From, Till time.Time
}

// apiDowntime returns each host's down interval and the largest number of
// hosts down at the same time.
func apiDowntime(events []opEvent, hosts []apiHost) ([]downInterval, int, error) {
	var out []downInterval
	type point struct {
		at    time.Time
		delta int
	}
	var points []point
	for _, h := range hosts {
		var d downInterval
		d.Host = h.Name
		for _, e := range events {
			if e.Host != h.Name || e.Op != "api" {
				continue
			}
			if e.Release == "old" && e.Kind == "end" {
				d.From = e.At
			}
			if e.Release == "new" && e.Kind == "start" && d.Till.IsZero() {
				d.Till = e.At
			}
		}
		if d.From.IsZero() || d.Till.IsZero() || d.Till.Before(d.From) {
			return nil, 0, fmt.Errorf("%s: no old API end followed by a new API start in the markers "+
				"(an old API killed by the engine writes no end marker; kolla_start kills it itself after KOLLA_GLANCE_STOP_GRACE)", h.Name)
		}
		out = append(out, d)
		points = append(points, point{d.From, 1}, point{d.Till, -1})
	}
	// at equal times, count the start before the end: touching intervals overlap
	sort.SliceStable(points, func(i, j int) bool {
		if points[i].at.Equal(points[j].at) {
			return points[i].delta > points[j].delta
		}
		return points[i].at.Before(points[j].at)
	})
	down, worst := 0, 0
	for _, p := range points {
		down += p.delta
		if down > worst {
			worst = down
		}
	}
	return out, worst, nil
}

// timeline renders the markers, one per line, relative to the first.
func timeline(events []opEvent) string {
	if len(events) == 0 {
		return ""
	}
	var b strings.Builder
	for _, e := range events {
		fmt.Fprintf(&b, "  +%6.2fs %-16s %-3s %-9s %s\n", e.At.Sub(events[0].At).Seconds(), e.Op, e.Release, e.Host, e.Kind)
	}
	return b.String()
}
