//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// Ports: unique to the e2e suite (the molecule scenarios use 133xx and
// 193[4-6]x). Every address is loopback.
const (
	portHAProxy = 19390
	portDB      = 13391
)

// playbookTimeout bounds every ansible-playbook run.
const playbookTimeout = 10 * time.Minute

func repoRoot(t testing.TB) string {
	_, file, _, _ := runtime.Caller(0)
	root, err := filepath.Abs(filepath.Join(filepath.Dir(file), "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// scenario is one e2e run of the role on this machine: its inventory, an
// ephemeral directory (MOLECULE_EPHEMERAL_DIRECTORY for the shared
// molecule playbooks), a unique scenario_id prefixing its containers, and
// the environment ansible-playbook needs (the repository linked as the
// collection kolla.glance).
type scenario struct {
	t         *testing.T
	name      string
	id        string
	root      string
	dir       string
	inventory string
	env       []string
	extra     []string
	step      int
	hosts     []apiHost
	lbs       []string // the loadbalancer group: one HAProxy container each
}

// apiHost is a glance-api host of the inventory.
type apiHost struct {
	Name string
	Port int
}

// newScenario prepares a scenario and registers its cleanup (destroy
// playbook, then any container or volume left with its prefix), which runs
// even when the test fails. extra are -e key=value pairs for every play.
func newScenario(t *testing.T, name, inventory string, extra ...string) *scenario {
	t.Helper()
	for _, bin := range []string{"docker", "ansible-playbook", "python3"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Fatalf("%s is not installed (tests/bin/install-deps installs the e2e dependencies)", bin)
		}
	}
	if os.Geteuid() != 0 {
		t.Fatal("the e2e tests run containers, HAProxy and cron as root")
	}
	root := repoRoot(t)
	s := &scenario{t: t, name: name, id: "kg-e2e-" + name, root: root,
		dir:       filepath.Join(os.TempDir(), "kolla-glance-e2e", name),
		inventory: filepath.Join(root, "tests", "e2e", "inventory", inventory)}
	s.extra = append([]string{"scenario_id=" + s.id}, extra...)
	s.hosts, s.lbs = inventoryHosts(t, s.inventory)
	addrs := []string{loopback(portDB)}
	for _, h := range s.hosts {
		addrs = append(addrs, loopback(h.Port))
	}
	for i := range s.lbs {
		addrs = append(addrs, vip(internalVIP, i), vip(externalVIP, i))
	}
	// Leftovers of an earlier, interrupted run of this scenario.
	s.removeLeftovers()
	checkAddrsFree(t, addrs...)
	if err := os.RemoveAll(s.dir); err != nil {
		t.Fatal(err)
	}
	coll := filepath.Join(s.dir, "collections", "ansible_collections", "kolla")
	for _, d := range []string{coll, filepath.Join(s.dir, "tmp"), filepath.Join(s.dir, "haproxy"), filepath.Join(s.dir, "logs")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(root, filepath.Join(coll, "glance")); err != nil {
		t.Fatal(err)
	}
	s.env = append(os.Environ(),
		"MOLECULE_SCENARIO_NAME=e2e-"+name,
		"MOLECULE_PROJECT_DIRECTORY="+root,
		"MOLECULE_EPHEMERAL_DIRECTORY="+s.dir,
		"ANSIBLE_COLLECTIONS_PATH="+filepath.Join(s.dir, "collections"),
		"ANSIBLE_ROLES_PATH="+filepath.Join(root, "roles"),
		"ANSIBLE_LOCAL_TEMP="+filepath.Join(s.dir, "tmp"),
		"ANSIBLE_NOCOLOR=1", "ANSIBLE_FORCE_COLOR=0", "ANSIBLE_RETRY_FILES_ENABLED=0",
		"ANSIBLE_TRANSFORM_INVALID_GROUP_CHARS=ignore", "ANSIBLE_LOCALHOST_WARNING=0",
		"ANSIBLE_STDOUT_CALLBACK=default", "ANSIBLE_FORKS=10",
	)
	t.Cleanup(s.destroy)
	t.Logf("scenario %s: inventory %s, directory %s", s.id, inventory, s.dir)
	return s
}

// inventoryHosts reads the glance-api hosts and their ports, and the
// loadbalancer hosts, from an inventory, so that the HAProxy members and
// instances cannot drift from it.
func inventoryHosts(t *testing.T, path string) ([]apiHost, []string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var inv struct {
		All struct {
			Children map[string]struct {
				Hosts yaml.Node `yaml:"hosts"`
			} `yaml:"children"`
		} `yaml:"all"`
	}
	if err := yaml.Unmarshal(data, &inv); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var lbs []string
	if lb := inv.All.Children["loadbalancer"].Hosts; lb.Kind == yaml.MappingNode {
		for i := 0; i < len(lb.Content); i += 2 {
			lbs = append(lbs, lb.Content[i].Value)
		}
	}
	node := inv.All.Children["glance-api"].Hosts
	var hosts []apiHost
	for i := 0; i+1 < len(node.Content); i += 2 {
		var vars struct {
			Port int `yaml:"glance_api_listen_port"`
		}
		if err := node.Content[i+1].Decode(&vars); err != nil || vars.Port == 0 {
			t.Fatalf("%s: host %s has no glance_api_listen_port", path, node.Content[i].Value)
		}
		hosts = append(hosts, apiHost{Name: node.Content[i].Value, Port: vars.Port})
	}
	if len(hosts) == 0 {
		t.Fatalf("%s: no glance-api hosts", path)
	}
	return hosts, lbs
}

func loopback(port int) string { return fmt.Sprintf("127.0.0.1:%d", port) }

// checkAddrsFree fails the test when another process listens on one of
// the addresses (host:port) this scenario binds.
func checkAddrsFree(t *testing.T, addrs ...string) {
	t.Helper()
	for _, a := range addrs {
		l, err := net.Listen("tcp", a)
		if err != nil {
			t.Fatalf("%s is busy (another e2e run, or one a go test timeout cut short: docker ps --filter name=kg-e2e-): %v", a, err)
		}
		l.Close()
	}
}

// play runs a playbook (a path relative to the repository) with the
// scenario's inventory; it fails the test when the playbook fails.
func (s *scenario) play(playbook string, extra ...string) string {
	s.t.Helper()
	out, err := s.tryPlay(playbook, extra...)
	if err != nil {
		s.t.Fatal(err)
	}
	return out
}

// tryPlay runs a playbook and returns its output and error; the output is
// also kept in <dir>/logs/NN-<playbook>.log.
func (s *scenario) tryPlay(playbook string, extra ...string) (string, error) {
	s.step++
	args := []string{"-i", s.inventory}
	for _, e := range append(append([]string(nil), s.extra...), extra...) {
		args = append(args, "-e", e)
	}
	path := filepath.Join(s.root, playbook)
	args = append(args, path)
	ctx, cancel := context.WithTimeout(context.Background(), playbookTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ansible-playbook", args...)
	cmd.Dir = s.root
	cmd.Env = s.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	logPath := filepath.Join(s.dir, "logs", fmt.Sprintf("%02d-%s.log", s.step, strings.TrimSuffix(filepath.Base(playbook), ".yml")))
	_ = os.WriteFile(logPath, out.Bytes(), 0o644)
	s.t.Logf("%s: %s in %.1fs (log %s)", s.id, playbook, time.Since(start).Seconds(), logPath)
	if err != nil {
		return out.String(), fmt.Errorf("%s failed (%v); log: %s\n%s", playbook, err, logPath, tail(out.String(), 60))
	}
	return out.String(), nil
}

// destroy removes everything the scenario made: the shared destroy
// playbook first, then, whatever it left, every container and volume
// named with the scenario's prefix. The directory stays when the test
// failed, for its logs.
func (s *scenario) destroy() {
	if s.t.Failed() {
		s.keepHostLogs()
	}
	if _, err := s.tryPlay("molecule/_shared/playbooks/destroy.yml"); err != nil {
		s.t.Errorf("destroy: %v", err)
	}
	s.removeLeftovers()
	if s.t.Failed() || os.Getenv("KOLLA_GLANCE_E2E_KEEP") != "" {
		s.t.Logf("%s: logs kept in %s", s.id, s.dir)
		return
	}
	_ = os.RemoveAll(s.dir)
}

// keepHostLogs copies each host's Glance log directory (the API's log, the
// markers, glance-manage's output) under logs/, before destroy removes
// the hosts' directories.
func (s *scenario) keepHostLogs() {
	for _, h := range s.hosts {
		src := filepath.Join(s.hostDir(h.Name), "log", "glance")
		dst := filepath.Join(s.dir, "logs", "glance-"+h.Name)
		if out, err := exec.Command("cp", "-a", src, dst).CombinedOutput(); err != nil {
			s.t.Logf("keeping %s: %v %s", src, err, out)
		}
	}
}

func (s *scenario) removeLeftovers() {
	if ids := dockerLines("ps", "--all", "--quiet", "--filter", "name=^"+s.id+"_"); len(ids) > 0 {
		_ = exec.Command("docker", append([]string{"rm", "--force", "--volumes"}, ids...)...).Run()
	}
	if vols := dockerLines("volume", "ls", "--quiet", "--filter", "name=^"+s.id+"_"); len(vols) > 0 {
		_ = exec.Command("docker", append([]string{"volume", "rm", "--force"}, vols...)...).Run()
	}
	// kolla_container_engine podman (podman.yml)
	if ids := engineLines("podman", "ps", "--all", "--quiet", "--filter", "name=^"+s.id+"_",
		"--filter", "name=^bootstrap_"+s.id+"_"); len(ids) > 0 {
		_ = exec.Command("podman", append([]string{"rm", "--force", "--volumes"}, ids...)...).Run()
	}
}

func dockerLines(args ...string) []string { return engineLines("docker", args...) }

// engineLines is the whitespace-separated output of a container engine's
// command, or nothing when it fails (or the engine is not installed).
func engineLines(engine string, args ...string) []string {
	out, err := exec.Command(engine, args...).Output()
	if err != nil {
		return nil
	}
	return strings.Fields(string(out))
}

// useTest makes t the test the scenario reports to (a subtest of the one
// that made it) and returns the function that switches back.
func (s *scenario) useTest(t *testing.T) func() {
	prev := s.t
	s.t = t
	return func() { s.t = prev }
}

// container is the glance-api container name of a host.
func (s *scenario) container(host string) string { return s.id + "_glance_api_" + host }

// hostDir is the per-host directory of the inventory mapping.
func (s *scenario) hostDir(host string) string { return filepath.Join(s.dir, "hosts", host) }

// inspect returns docker inspect's format of a host's glance-api
// container, or "missing".
func (s *scenario) inspect(host, format string) string {
	out, err := exec.Command("docker", "inspect", "--format", format, s.container(host)).Output()
	if err != nil {
		return "missing"
	}
	return strings.TrimSpace(string(out))
}

// runningImage returns "<image> <running>" of a host's glance-api.
func (s *scenario) runningImage(host string) string {
	return s.inspect(host, "{{.Config.Image}} {{.State.Running}}")
}

func tail(s string, lines int) string {
	parts := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(parts) > lines {
		parts = parts[len(parts)-lines:]
	}
	return strings.Join(parts, "\n")
}
