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
	"syscall"
	"testing"
	"time"
)

// haproxyConfig is kolla-ansible's HAProxy configuration for glance-api,
// reduced to what runs here:
//   - global and defaults from roles/loadbalancer/templates/haproxy/
//     haproxy_main.cfg.j2 with the loadbalancer role's default values
//     (nbthread 1, timeouts http-request 10s,
//     http-keep-alive 10s, queue 1m, connect 10s, client 1m, server 1m,
//     check 10s, balance roundrobin, maxconn 10000), including its
//     "option redispatch" and "retries 3": kolla sets them for every
//     service in the defaults section, so a fair comparison keeps them;
//     kolla's stats socket is level admin only with letsencrypt, the
//     role's drain needs it, so it is level admin here (mode 600, root);
//     the global maxconn is 4000 instead of kolla's 40000, which needs
//     80028 file descriptors where this test's hard limit may be 20000
//     (kolla's container raises it); the load uses a handful;
//   - the glance_api frontend and backend as
//     roles/haproxy-config/templates/haproxy_single_service_split.cfg.j2
//     renders glance-api's haproxy entry (shared/research/kolla-glance.md
//     section 7.5): timeout client/server 6h, option httpchk GET
//     /healthcheck, http-check expect status 200, the default frontend
//     extras "option httplog" and "option forwardfor", and one member per
//     host named by its inventory hostname with
//     "check inter 2000 rise 2 fall 5".
//
// Not kept: chroot, user/group and daemon (HAProxy runs in the foreground
// as the test's child), syslog (it logs to its stdout, kept in a file),
// the stats and monitor listeners, the external frontend and TLS.
const haproxyConfig = `# written by the kolla-glance e2e test: kolla-ansible's HAProxy for glance-api
global
    maxconn 4000
    nbthread 1
    stats socket %[1]s mode 600 level admin
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
    bind 127.0.0.1:%[2]d
    default_backend glance_api_back

backend glance_api_back
    mode http
    timeout server 6h
    option httpchk GET /healthcheck
    http-check expect status 200
%[3]s`

const haproxyBackend = "glance_api_back"

type haproxy struct {
	t       *testing.T
	cmd     *exec.Cmd
	sock    string
	logPath string
	hosts   []apiHost
	url     string
}

// startHAProxy writes the configuration into dir/haproxy (where the
// inventory's glance_haproxy_runtime_socket points), checks it with
// haproxy -c, runs Debian's haproxy in the foreground and waits for its
// runtime API. It is stopped (SIGTERM, then SIGKILL) at cleanup.
func startHAProxy(t *testing.T, dir string, hosts []apiHost) *haproxy {
	t.Helper()
	hdir := filepath.Join(dir, "haproxy")
	if err := os.MkdirAll(hdir, 0o700); err != nil {
		t.Fatal(err)
	}
	h := &haproxy{t: t, sock: filepath.Join(hdir, "admin.sock"), logPath: filepath.Join(hdir, "haproxy.log"),
		hosts: hosts, url: fmt.Sprintf("http://127.0.0.1:%d", portHAProxy)}
	var members strings.Builder
	for _, m := range hosts {
		fmt.Fprintf(&members, "    server %s 127.0.0.1:%d check inter 2000 rise 2 fall 5\n", m.Name, m.Port)
	}
	cfg := filepath.Join(hdir, "haproxy.cfg")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf(haproxyConfig, h.sock, portHAProxy, members.String())), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("haproxy", "-c", "-f", cfg).CombinedOutput(); err != nil {
		t.Fatalf("haproxy -c: %v\n%s", err, out)
	}
	logf, err := os.Create(h.logPath)
	if err != nil {
		t.Fatal(err)
	}
	h.cmd = exec.Command("haproxy", "-db", "-f", cfg)
	h.cmd.Stdout, h.cmd.Stderr = logf, logf
	h.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := h.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = h.cmd.Wait(); logf.Close(); close(exited) }()
	t.Cleanup(func() {
		_ = h.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = h.cmd.Process.Kill()
			<-exited
		}
	})
	deadline := time.Now().Add(15 * time.Second)
	for {
		if _, err := h.command("show info"); err == nil {
			break
		}
		select {
		case <-exited:
			b, _ := os.ReadFile(h.logPath)
			t.Fatalf("haproxy exited:\n%s", b)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("haproxy's runtime API did not answer within 15s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("haproxy %d: frontend %s, runtime API %s, log %s", h.cmd.Process.Pid, h.url, h.sock, h.logPath)
	return h
}

// command sends one command to the runtime API and returns the answer.
func (h *haproxy) command(c string) (string, error) {
	conn, err := net.DialTimeout("unix", h.sock, 2*time.Second)
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

// serverStat is a row of "show stat".
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

// stats returns the backend's servers and its BACKEND row.
func (h *haproxy) stats() (map[string]serverStat, serverStat, error) {
	out, err := h.command("show stat")
	if err != nil {
		return nil, serverStat{}, err
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "# ")))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil || len(rows) < 2 {
		return nil, serverStat{}, fmt.Errorf("show stat: %v: %q", err, out)
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
	servers := map[string]serverStat{}
	var backend serverStat
	for _, row := range rows[1:] {
		if len(row) <= col["status"] || row[col["pxname"]] != haproxyBackend {
			continue
		}
		s := serverStat{Name: row[col["svname"]], Status: row[col["status"]], Sessions: num(row, "scur"),
			Retries: num(row, "wretr"), Redispatches: num(row, "wredis"), ServerAborts: num(row, "srv_abrt"),
			ConnErrors: num(row, "econ"), RespErrors: num(row, "eresp"), HTTP5xx: num(row, "hrsp_5xx"), TotalSessions: num(row, "stot")}
		if s.Name == "BACKEND" {
			backend = s
		} else {
			servers[s.Name] = s
		}
	}
	return servers, backend, nil
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
