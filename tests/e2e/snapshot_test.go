//go:build e2e

package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// deploymentSnapshot is an old deployment as deployOld left it: the glance
// database (a dump) and the directories of every host and of the shared
// file store. Restoring it instead of deploying again starts each kill
// trial from the same state in a fraction of the time.
type deploymentSnapshot struct {
	dir    string // <scenario>/snapshot: glance.sql, hosts/, shared/
	ledger []storedImage
}

// databaseRootPassword is the inventories' database_password.
const databaseRootPassword = "e2e-root"

func (s *scenario) mariadb(stdin []byte, args ...string) ([]byte, error) {
	cmd := exec.Command("docker", append([]string{"exec", "-i", s.id + "_mariadb"}, args...)...)
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%v: %v: %s", args, err, stderr.String())
	}
	return out, nil
}

// snapshot keeps the deployment's state; the API keeps running.
func (d *oldDeployment) snapshot(t *testing.T) *deploymentSnapshot {
	t.Helper()
	snap := &deploymentSnapshot{dir: filepath.Join(d.s.dir, "snapshot")}
	if err := os.MkdirAll(snap.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	dump, err := d.s.mariadb(nil, "mariadb-dump", "-uroot", "-p"+databaseRootPassword, "--single-transaction", "--databases", "glance")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(snap.dir, "glance.sql"), dump, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, sub := range []string{"hosts", "shared"} {
		if out, err := exec.Command("cp", "-a", filepath.Join(d.s.dir, sub), snap.dir).CombinedOutput(); err != nil {
			t.Fatalf("cp -a %s: %v\n%s", sub, err, out)
		}
	}
	d.ledger.mu.Lock()
	snap.ledger = append([]storedImage(nil), d.ledger.images...)
	d.ledger.mu.Unlock()
	return snap
}

// restore removes every glance container of the scenario, puts the
// database and the directories back as snapshot found them and starts the
// old release again with the role's container tasks (restart-old.yml).
// The ledger goes back to the images of the snapshot.
func (d *oldDeployment) restore(t *testing.T, snap *deploymentSnapshot) {
	t.Helper()
	start := time.Now()
	var names []string
	for _, h := range d.s.hosts {
		names = append(names, d.s.container(h.Name), "bootstrap_"+d.s.container(h.Name))
	}
	_ = exec.Command("docker", append([]string{"rm", "--force"}, names...)...).Run()
	dump, err := os.ReadFile(filepath.Join(snap.dir, "glance.sql"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.s.mariadb(append([]byte("DROP DATABASE IF EXISTS glance;\n"), dump...), "mariadb", "-uroot", "-p"+databaseRootPassword); err != nil {
		t.Fatal(err)
	}
	for _, sub := range []string{"hosts", "shared"} {
		if err := os.RemoveAll(filepath.Join(d.s.dir, sub)); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("cp", "-a", filepath.Join(snap.dir, sub), d.s.dir).CombinedOutput(); err != nil {
			t.Fatalf("cp -a %s: %v\n%s", sub, err, out)
		}
	}
	d.s.play("tests/e2e/restart-old.yml")
	if err := d.hp.waitAllUp(60 * time.Second); err != nil {
		t.Fatal(err)
	}
	d.ledger = &imageLedger{images: append([]storedImage(nil), snap.ledger...)}
	t.Logf("old deployment restored in %.1fs", time.Since(start).Seconds())
}
