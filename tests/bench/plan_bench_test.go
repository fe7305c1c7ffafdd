//go:build bench

package bench

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kolla-glance/kolla-glance/internal/ansible"
	"github.com/kolla-glance/kolla-glance/internal/modules"
	"github.com/kolla-glance/kolla-glance/internal/modules/upgradeplan"
)

var sizes = []int{10, 100, 1000, 10000}

// userArgs drops the _ansible_* keys, as the dispatch does before validating.
func userArgs(args map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range args {
		if !strings.HasPrefix(k, "_ansible_") {
			out[k] = v
		}
	}
	return out
}

// BenchmarkUpgradePlanRun is planning inside the module: the args map
// Ansible sends, validated against the module's spec, then the module's Run
// (which plans and builds its return values). Reading the args file and
// writing the JSON result are left out; BenchmarkUpgradePlanExecute has them.
func BenchmarkUpgradePlanRun(b *testing.B) {
	spec := upgradeplan.Spec()
	for _, n := range sizes {
		args := userArgs(PlanArgs(n))
		b.Run("hosts="+strconv.Itoa(n), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				params, _, err := spec.Validate(args, false)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := upgradeplan.Run(&ansible.Context{Params: params}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkUpgradePlanExecute is everything the upgrade_plan binary does
// after the process has started: read and decode the args file, validate,
// Run, encode the result as JSON. Only process start and exit are left out;
// hyperfine times the whole binary.
func BenchmarkUpgradePlanExecute(b *testing.B) {
	for _, n := range sizes {
		data, err := json.Marshal(PlanArgs(n))
		if err != nil {
			b.Fatal(err)
		}
		path := filepath.Join(b.TempDir(), "args")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			b.Fatal(err)
		}
		argv := []string{"upgrade_plan", path}
		b.Run("hosts="+strconv.Itoa(n), func(b *testing.B) {
			var out bytes.Buffer
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				out.Reset()
				if rc := ansible.Dispatch(modules.All(), "bench", argv, nil, &out); rc != 0 {
					b.Fatalf("rc=%d: %s", rc, out.String())
				}
			}
			b.ReportMetric(float64(out.Len()), "out-bytes")
		})
	}
}
