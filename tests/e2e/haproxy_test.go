//go:build e2e

package e2e

import (
	"encoding/csv"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// haproxyConfig is kolla-ansible's HAProxy configuration for glance-api as
// one host of the loadbalancer group runs it, reduced to what runs here:
//   - global and defaults from roles/loadbalancer/templates/haproxy/
//     haproxy_main.cfg.j2 with the loadbalancer role's default values
//     (nbthread 1, timeouts http-request 10s,
//     http-keep-alive 10s, queue 1m, connect 10s, client 1m, server 1m,
//     check 10s, balance roundrobin, maxconn 10000), including its
//     "option redispatch" and "retries 3": kolla sets them for every
//     service in the defaults section, so a fair comparison keeps them;
//     kolla's runtime socket, /var/lib/kolla/haproxy/haproxy.sock mode 660,
//     "level admin" only with haproxy_socket_level_admin (%[1]s); the
//     global maxconn is 4000 instead of kolla's 40000, which needs 80028
//     file descriptors (kolla's container raises the limit); the load uses
//     a handful;
//   - glance-api's internal and external frontends and backends as
//     roles/haproxy-config/templates/haproxy_single_service_split.cfg.j2
//     renders them (shared/research/kolla-glance.md section 7.5 and
//     releases-2025-2026.md): timeout client/server 6h, option httpchk GET
//     /healthcheck, http-check expect status 200, the default frontend
//     extras "option httplog" and "option forwardfor", and one member per
//     glance-api host named by its hostname (here its inventory name: the
//     hosts share this machine's) with "check inter 2000 rise 2 fall 5".
//
// Not kept: chroot, user/group and daemon (HAProxy runs in the container's
// foreground), the socket's "group kolla" (no kolla group in the image),
// syslog (it logs to its stdout: docker logs), the stats and monitor
// listeners, TLS.
const haproxyConfig = `# written by the kolla-glance e2e test: kolla-ansible's HAProxy for glance-api
global
    maxconn 4000
    nbthread 1
    stats socket /var/lib/kolla/haproxy/haproxy.sock mode 660%[1]s
    log stdout format raw local0 info

defaults
    log global
    option redispatch
    retries 3
    timeout http-request 10s
    timeout http-keep-alive 10s
    timeout queue 1m
    timeout connect 10s
    timeout client 1m
    timeout server 1m
    timeout check 10s
    balance roundrobin
    maxconn 10000

frontend glance_api_front
    mode http
    http-request del-header X-Forwarded-Proto
    timeout client 6h
    option httplog
    option forwardfor
    bind %[2]s
    default_backend glance_api_back

backend glance_api_back
    mode http
    timeout server 6h
    option httpchk GET /healthcheck
    http-check expect status 200
%[4]s
frontend glance_api_external_front
    mode http
    http-request del-header X-Forwarded-Proto
    timeout client 6h
    option httplog
    option forwardfor
    bind %[3]s
    default_backend glance_api_external_back

backend glance_api_external_back
    mode http
    timeout server 6h
    option httpchk GET /healthcheck
    http-check expect status 200
%[4]s`

// Glance's backends in kolla's HAProxy configuration.
var haproxyBackends = []string{"glance_api_back", "glance_api_external_back"}

// The addresses of the HAProxy on loadbalancer host i: kolla's internal
// and external VIPs are shared by the loadbalancer hosts (keepalived holds
// them on one); here each HAProxy has its own pair on the loopback network,
// at kolla's one port per service, so that the load can reach them all.
const (
	internalVIP = "127.0.1.%d"
	externalVIP = "127.0.2.%d"
)

func vip(format string, i int) string { return fmt.Sprintf(format+":%d", i+1, portHAProxy) }

const haproxyImage = "kolla-glance/haproxy:latest"

// loadBalancer is the HAProxy container of one loadbalancer host.
type loadBalancer struct {
	name      string // the inventory host
	container string
	sock      string // the runtime socket, seen from this machine
	logPath   string
	frontends []string // internal, external
}

// haproxy is kolla's load balancing layer: an HAProxy on every
// loadbalancer host, each with both Glance backends over every glance-api
// host.
type haproxy struct {
	t     *testing.T
	lbs   []*loadBalancer
	hosts []apiHost
	url   string   // the first HAProxy's internal frontend: set-up and checks
	urls  []string // every frontend of every HAProxy: the load spreads over them
}

// startHAProxy runs kolla-glance/haproxy on each loadbalancer host of the
// scenario, named <scenario>_haproxy_<host> as the inventory maps it,
// with the configuration above in /etc/haproxy and its socket directory
// (kolla's haproxy_socket volume) bound from <dir>/haproxy/<host>, and
// waits for every runtime API. admin: the socket at level admin, as with
// kolla's haproxy_socket_level_admin. At cleanup each container's log is
// kept in <dir>/haproxy/<host>/haproxy.log and the container removed.
func startHAProxy(t *testing.T, s *scenario, admin bool) *haproxy {
	t.Helper()
	if len(s.lbs) == 0 {
		t.Fatalf("%s: the inventory has no loadbalancer hosts", s.inventory)
	}
	level := ""
	if admin {
		level = " level admin"
	}
	var members strings.Builder
	for _, m := range s.hosts {
		fmt.Fprintf(&members, "    server %s 127.0.0.1:%d check inter 2000 rise 2 fall 5\n", m.Name, m.Port)
	}
	h := &haproxy{t: t, hosts: s.hosts}
	for i, name := range s.lbs {
		dir := filepath.Join(s.dir, "haproxy", name)
		lb := &loadBalancer{name: name, container: s.id + "_haproxy_" + name,
			sock: filepath.Join(dir, "socket", "haproxy.sock"), logPath: filepath.Join(dir, "haproxy.log"),
			frontends: []string{"http://" + vip(internalVIP, i), "http://" + vip(externalVIP, i)}}
		if err := os.MkdirAll(filepath.Join(dir, "socket"), 0o700); err != nil {
			t.Fatal(err)
		}
		cfg := filepath.Join(dir, "haproxy.cfg")
		text := fmt.Sprintf(haproxyConfig, level, vip(internalVIP, i), vip(externalVIP, i), members.String())
		if err := os.WriteFile(cfg, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("docker", "run", "--detach", "--name", lb.container, "--network", "host",
			"--volume", cfg+":/etc/haproxy/haproxy.cfg:ro",
			"--volume", filepath.Join(dir, "socket")+":/var/lib/kolla/haproxy",
			haproxyImage).CombinedOutput()
		if err != nil {
			t.Fatalf("docker run %s: %v\n%s", lb.container, err, out)
		}
		h.lbs = append(h.lbs, lb)
		h.urls = append(h.urls, lb.frontends...)
	}
	h.url = h.lbs[0].frontends[0]
	t.Cleanup(h.stop)
	for _, lb := range h.lbs {
		deadline := time.Now().Add(time.Minute)
		for {
			if _, err := lb.command("show info"); err == nil {
				break
			}
			if time.Now().After(deadline) {
				logs, _ := exec.Command("docker", "logs", lb.container).CombinedOutput()
				t.Fatalf("the runtime API of %s did not answer within a minute:\n%s", lb.container, logs)
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Logf("haproxy %s: frontends %s, runtime API %s", lb.container, strings.Join(lb.frontends, " "), lb.sock)
	}
	return h
}

// stop keeps each HAProxy's log in its directory and removes its
// container; a second call does nothing more.
func (h *haproxy) stop() {
	for _, lb := range h.lbs {
		if logs, err := exec.Command("docker", "logs", lb.container).CombinedOutput(); err == nil {
			_ = os.WriteFile(lb.logPath, logs, 0o644)
		}
		_ = exec.Command("docker", "rm", "--force", lb.container).Run()
	}
}

// command sends one command to an HAProxy's runtime API and returns the
// answer.
func (lb *loadBalancer) command(c string) (string, error) {
	conn, err := net.DialTimeout("unix", lb.sock, 2*time.Second)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(conn, c+"\n"); err != nil {
		return "", err
	}
	b, err := io.ReadAll(conn)
	return string(b), err
}

// serverStat is a row of "show stat", or the sum of several.
type serverStat struct {
	Name          string
	Status        string // UP, DOWN, DRAIN, MAINT, "UP 1/2", ...
	Sessions      int    // scur
	Retries       int    // wretr
	Redispatches  int    // wredis
	ServerAborts  int    // srv_abrt
	ConnErrors    int    // econ
	RespErrors    int    // eresp
	HTTP5xx       int    // hrsp_5xx
	TotalSessions int    // stot
}

// add sums the counters of another row into s; the status is the other
// row's when it differs from UP (a server is as much in rotation as its
// least available row).
func (s *serverStat) add(o serverStat) {
	if s.Status == "" || (s.Status == "UP" && o.Status != "UP") {
		s.Status = o.Status
	}
	s.Sessions += o.Sessions
	s.Retries += o.Retries
	s.Redispatches += o.Redispatches
	s.ServerAborts += o.ServerAborts
	s.ConnErrors += o.ConnErrors
	s.RespErrors += o.RespErrors
	s.HTTP5xx += o.HTTP5xx
	s.TotalSessions += o.TotalSessions
}

// stats returns, over every HAProxy and both Glance backends, each server
// (its rows summed, its status the least available one) and the BACKEND
// rows summed.
func (h *haproxy) stats() (map[string]serverStat, serverStat, error) {
	servers := map[string]serverStat{}
	backend := serverStat{Name: "BACKEND"}
	for _, lb := range h.lbs {
		rows, err := lb.stats()
		if err != nil {
			return nil, serverStat{}, err
		}
		for _, r := range rows {
			if r.Name == "BACKEND" {
				backend.add(r)
				continue
			}
			s := servers[r.Name]
			s.Name = r.Name
			s.add(r)
			servers[r.Name] = s
		}
	}
	return servers, backend, nil
}

// stats returns the rows of Glance's backends in one HAProxy's show stat.
func (lb *loadBalancer) stats() ([]serverStat, error) {
	out, err := lb.command("show stat")
	if err != nil {
		return nil, err
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "# ")))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil || len(rows) < 2 {
		return nil, fmt.Errorf("show stat on %s: %v: %q", lb.name, err, out)
	}
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	num := func(row []string, name string) int {
		i, ok := col[name]
		if !ok || i >= len(row) {
			return 0
		}
		n, _ := strconv.Atoi(row[i])
		return n
	}
	var stats []serverStat
	for _, row := range rows[1:] {
		if len(row) <= col["status"] || !isGlanceBackend(row[col["pxname"]]) {
			continue
		}
		stats = append(stats, serverStat{Name: row[col["svname"]], Status: row[col["status"]], Sessions: num(row, "scur"),
			Retries: num(row, "wretr"), Redispatches: num(row, "wredis"), ServerAborts: num(row, "srv_abrt"),
			ConnErrors: num(row, "econ"), RespErrors: num(row, "eresp"), HTTP5xx: num(row, "hrsp_5xx"), TotalSessions: num(row, "stot")})
	}
	return stats, nil
}

func isGlanceBackend(name string) bool {
	for _, b := range haproxyBackends {
		if b == name {
			return true
		}
	}
	return false
}

// waitAllUp waits until HAProxy's health checks see every member UP and
// in rotation (not drained).
func (h *haproxy) waitAllUp(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var last map[string]serverStat
	for {
		servers, _, err := h.stats()
		if err == nil {
			last = servers
			up := 0
			for _, m := range h.hosts {
				if servers[m.Name].Status == "UP" {
					up++
				}
			}
			if up == len(h.hosts) {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not every HAProxy member is UP after %s: %v (err %v)", timeout, last, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// transition is a change of a member's status that the monitor saw.
type transition struct {
	At     time.Time
	Server string
	From   string
	To     string
}

func (tr transition) String() string {
	return fmt.Sprintf("%s %s %s -> %s", tr.At.UTC().Format("15:04:05.000"), tr.Server, tr.From, tr.To)
}

// inRotation reports whether HAProxy sends new requests to a member with
// this status: UP, or UP and failing checks ("UP 1/5"); not DOWN, a
// rising "DOWN 1/2", DRAIN or MAINT.
func inRotation(status string) bool { return status == "UP" || strings.HasPrefix(status, "UP ") }

// monitor samples the members' status every 200 ms until stopped: the
// transitions, the fewest members in rotation at once, and how long fewer
// than all but one were (what max_unavailable 1 promises).
type monitor struct {
	stop          chan struct{}
	done          chan struct{}
	mu            sync.Mutex
	seen          []transition
	minInRotation int
	belowN1       time.Duration
}

func (h *haproxy) monitor() *monitor {
	m := &monitor{stop: make(chan struct{}), done: make(chan struct{}), minInRotation: len(h.hosts)}
	go func() {
		defer close(m.done)
		last := map[string]string{}
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		var prevSample time.Time
		prevBelow := false
		for {
			if servers, _, err := h.stats(); err == nil {
				now := time.Now()
				n := 0
				m.mu.Lock()
				for _, host := range h.hosts {
					st := servers[host.Name].Status
					if prev, ok := last[host.Name]; ok && prev != st {
						m.seen = append(m.seen, transition{At: now, Server: host.Name, From: prev, To: st})
					}
					last[host.Name] = st
					if inRotation(st) {
						n++
					}
				}
				if n < m.minInRotation {
					m.minInRotation = n
				}
				if prevBelow {
					m.belowN1 += now.Sub(prevSample)
				}
				prevSample, prevBelow = now, n < len(h.hosts)-1
				m.mu.Unlock()
			}
			select {
			case <-m.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return m
}

// Stop ends the sampling and returns the transitions, the fewest members
// in rotation at once, and the time fewer than all but one were.
func (m *monitor) Stop() ([]transition, int, time.Duration) {
	select {
	case <-m.stop:
	default:
		close(m.stop)
	}
	<-m.done
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]transition(nil), m.seen...), m.minInRotation, m.belowN1
}
