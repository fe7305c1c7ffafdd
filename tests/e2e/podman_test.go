//go:build e2e

package e2e

import (
	"bytes"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// podmanFigures is what TestPodmanDeployCacheUpgrade measured.
type podmanFigures struct {
	DeploySeconds, UpgradeSeconds float64
	ImageBytes                    int
	Cache                         *cacheFigures
}

// The images the podman scenario runs, copied from docker's store.
var podmanImages = []string{"kolla-glance/glance-api:old", "kolla-glance/glance-api:new"}

// inputsLabel is the label build.sh gives every image: the hash of what
// it was built from.
const inputsLabel = "org.kolla-glance.inputs-hash"

// TestPodmanDeployCacheUpgrade: kolla_container_engine podman, with
// Debian's podman. The role deploys Glance Zed, stores an image, upgrades
// to 2025.1 (one host: the legacy plan) and installs the image-cache cron,
// every container through podman (docker holds none of them); the real
// cron daemon then runs the cron file's jobs, which reach the container
// with `podman exec`, and they prune and clean the cache.
func TestPodmanDeployCacheUpgrade(t *testing.T) {
	for _, bin := range []string{"podman", "unshare", "cron", "flock"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Fatalf("%s is not installed (tests/bin/install-deps)", bin)
		}
	}
	copyImagesToPodman(t, podmanImages...)
	s := newScenario(t, "podman", "podman.yml")
	host := s.hosts[0]
	name := s.container(host.Name)
	base := fmt.Sprintf("http://127.0.0.1:%d", host.Port)

	s.play("molecule/_shared/playbooks/create.yml")
	start := time.Now()
	s.play("molecule/_shared/playbooks/deploy-old.yml")
	p := &podmanFigures{DeploySeconds: time.Since(start).Seconds()}
	if got := podmanInspect(name, "{{.ImageName}} {{.State.Running}}"); !strings.HasSuffix(got, "kolla-glance/glance-api:old true") {
		t.Fatalf("after the deploy, podman runs %s as %q, want the old image running", name, got)
	}
	if got := s.runningImage(host.Name); got != "missing" {
		t.Fatalf("docker has a container %s (%s): the role did not use podman", name, got)
	}
	survivor := strings.TrimSpace(readFile(filepath.Join(s.dir, "hosts", "survivor-image-id")))
	if survivor == "" {
		t.Fatal("deploy-old.yml stored no image")
	}
	before, err := downloadImage(base, survivor)
	if err != nil {
		t.Fatal(err)
	}

	start = time.Now()
	out := s.play("molecule/_shared/playbooks/upgrade.yml")
	p.UpgradeSeconds = time.Since(start).Seconds()
	if got := podmanInspect(name, "{{.ImageName}} {{.State.Running}}"); !strings.HasSuffix(got, "kolla-glance/glance-api:new true") {
		t.Fatalf("after the upgrade, podman runs %s as %q, want the new image running\n%s", name, got, tail(out, 40))
	}
	if after, err := downloadImage(base, survivor); err != nil || !bytes.Equal(before, after) {
		t.Fatalf("image %s: %d bytes before the upgrade, then %d different bytes (%v)", survivor, len(before), len(after), err)
	}
	p.ImageBytes = len(before)
	t.Logf("%s runs Glance 2025.1 under podman; image %s (%d bytes) survived the upgrade", name, survivor, len(before))

	cron := readFile(filepath.Join(s.hostDir(host.Name), "cron.d", "kolla-glance-cache"))
	for _, tool := range []string{"glance-cache-pruner", "glance-cache-cleaner"} {
		if !strings.Contains(cron, "podman exec") || !strings.Contains(cron, name) || !strings.Contains(cron, tool) {
			t.Fatalf("the cron file has no %s job through podman exec in %s:\n%s", tool, name, cron)
		}
	}
	// The real cron daemon runs the jobs: they shrink the cache to its
	// limit and remove a stale entry, inside the podman container.
	f := pruneAndClean(t, s, filepath.Join(s.dir, "shared", "glance", "image-cache"), base, "podman")
	p.Cache = f
	recordPodman(p)
	t.Logf("cron through podman: cache %d -> %d bytes (limit %d) in %.0fs", f.Before, f.After, f.MaxSize, f.Seconds)
}

// copyImagesToPodman copies images from docker's store into podman's,
// unless podman already holds the same build (the same inputs label).
func copyImagesToPodman(t *testing.T, images ...string) {
	t.Helper()
	for _, image := range images {
		want := strings.TrimSpace(commandOutput(t, "docker", "image", "inspect", "--format", "{{index .Config.Labels \""+inputsLabel+"\"}}", image))
		if want == "" {
			t.Fatalf("docker's %s has no %s label: build it with molecule/_shared/images/build.sh", image, inputsLabel)
		}
		have, _ := exec.Command("podman", "image", "inspect", "--format", "{{index .Labels \""+inputsLabel+"\"}}", image).Output()
		if strings.TrimSpace(string(have)) == want {
			continue
		}
		save := exec.Command("docker", "save", image)
		load := exec.Command("podman", "load")
		pipe, err := save.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		load.Stdin = pipe
		var loadOut, saveErr bytes.Buffer
		load.Stdout, load.Stderr, save.Stderr = &loadOut, &loadOut, &saveErr
		if err := save.Start(); err != nil {
			t.Fatal(err)
		}
		if err := load.Run(); err != nil {
			t.Fatalf("podman load of %s: %v\n%s", image, err, loadOut.String())
		}
		if err := save.Wait(); err != nil {
			t.Fatalf("docker save %s: %v\n%s", image, err, saveErr.String())
		}
		t.Logf("copied %s from docker into podman", image)
	}
}

// podmanInspect returns podman inspect's format of a container, or "missing".
func podmanInspect(name, format string) string {
	out, err := exec.Command("podman", "inspect", "--format", format, name).Output()
	if err != nil {
		return "missing"
	}
	return strings.TrimSpace(string(out))
}

// commandOutput runs a command and returns its stdout, failing the test on error.
func commandOutput(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		stderr := ""
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("%s %s: %v %s", name, strings.Join(args, " "), err, stderr)
	}
	return string(out)
}
