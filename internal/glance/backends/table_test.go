package backends_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kolla-glance/kolla-glance/internal/glance/backends"
)

func bp(b bool) *bool { return &b }

func showBool(b *bool) string {
	if b == nil {
		return "nil"
	}
	return fmt.Sprint(*b)
}

// optionsOf returns the sorted option names of the problems in err.
func optionsOf(err error) []string {
	var opts []string
	for _, oe := range backends.OptionErrors(err) {
		opts = append(opts, oe.Option)
	}
	sort.Strings(opts)
	return opts
}

// TestSelectTable goes over every combination of the five image stores (file
// on, off or derived), cinder, the sharedness flag, the volume kind and the
// host count, and compares Select with a plain statement of the rules.
func TestSelectTable(t *testing.T) {
	hostSets := [][]string{{"ctl1"}, {"ctl1", "ctl2", "ctl3"}}
	volumes := []string{"glance", "/srv/nfs/glance"}
	fileFlags := []*bool{nil, bp(true), bp(false)}
	sharedFlags := []*bool{nil, bp(true), bp(false)}

	n := 0
	for _, file := range fileFlags {
		for stores := 0; stores < 16; stores++ {
			ceph, swift, vmware, s3 := stores&1 != 0, stores&2 != 0, stores&4 != 0, stores&8 != 0
			for _, cinder := range []bool{false, true} {
				for _, shared := range sharedFlags {
					for _, volume := range volumes {
						for _, hosts := range hostSets {
							n++
							in := backends.Input{
								APIHosts: hosts,
								File:     file,
								Ceph:     ceph,
								CephBackends: []backends.CephBackend{
									{Name: "rbd", Type: "rbd", Cluster: "ceph", Pool: "images", User: "glance", Enabled: true},
								},
								Swift:  swift,
								VMware: vmware,
								S3:     s3,
								Cinder: cinder,
								HTTP:   true,
								S3Settings: backends.S3Settings{
									URL: "http://s3.example:9000", Bucket: "images", AccessKey: "ak", SecretKey: "sk",
								},
								SwiftSettings:     backends.SwiftSettings{Region: "RegionOne"},
								VMwareSettings:    backends.VMwareSettings{ServerHost: "vc", ServerUsername: "u", ServerPassword: "p", Datastores: "dc:ds"},
								FileDatadirVolume: volume,
								FileDatadirShared: shared,
							}
							name := fmt.Sprintf("file=%s ceph=%v swift=%v vmware=%v s3=%v cinder=%v shared=%s volume=%s hosts=%d",
								showBool(file), ceph, swift, vmware, s3, cinder, showBool(shared), volume, len(hosts))

							// The rules, stated plainly.
							fileOn := !ceph && !swift && !vmware && !s3
							if file != nil {
								fileOn = *file
							}
							var items []string
							if s3 {
								items = append(items, "s3:s3")
							}
							if fileOn {
								items = append(items, "file:file")
							}
							items = append(items, "http:http")
							if vmware {
								items = append(items, "vmware:vmware")
							}
							if cinder {
								items = append(items, "cinder:cinder")
							}
							if swift {
								items = append(items, "swift:swift")
							}
							if ceph {
								items = append(items, "rbd:rbd")
							}
							def := ""
							switch {
							case vmware:
								def = "vmware"
							case ceph:
								def = "rbd"
							case swift:
								def = "swift"
							case s3:
								def = "s3"
							case fileOn:
								def = "file"
							}
							isShared := volume != "glance"
							if shared != nil {
								isShared = *shared
							}
							var wantErrs []string
							if shared != nil && *shared && volume == "glance" {
								wantErrs = append(wantErrs, "file_datadir_shared")
							}
							if def == "" {
								wantErrs = append(wantErrs, "default_backend")
							}
							sort.Strings(wantErrs)
							wantHosts := hosts
							if fileOn && !isShared {
								wantHosts = hosts[:1]
							}
							wantWarnings := 0
							if fileOn && !isShared && len(hosts) > 1 {
								wantWarnings = 1
							}

							sel, err := backends.Select(in)
							if len(wantErrs) > 0 {
								require.Error(t, err, name)
								assert.Equal(t, wantErrs, optionsOf(err), name)
								assert.ErrorIs(t, err, backends.ErrInvalid, name)
								assert.Equal(t, backends.Selection{}, sel, name)
								continue
							}
							require.NoError(t, err, name)
							assert.Equal(t, strings.Join(items, ", "), sel.EnabledBackendsConf, name)
							assert.Equal(t, def, sel.DefaultBackend, name)
							assert.Equal(t, wantHosts, sel.APIHosts, name)
							assert.Equal(t, fileOn, sel.FileEnabled, name)
							assert.Equal(t, isShared, sel.FileDatadirShared, name)
							assert.Equal(t, !(fileOn && !isShared), sel.RollingUpgradeSafe, name)
							assert.Len(t, sel.Warnings, wantWarnings, name)
						}
					}
				}
			}
		}
	}
	assert.Equal(t, 3*16*2*3*2*2, n)
}
