package backends_test

import (
	"errors"
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/hashicorp/go-multierror"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kolla-glance/kolla-glance/internal/glance/backends"
)

// pick returns one element of xs.
func pick[T any](r *rand.Rand, xs ...T) T { return xs[r.Intn(len(xs))] }

// genInput generates one input. Three in four are "clean" (valid names and
// settings, distinct hosts); the rest draw from pools with bad values too.
func genInput(r *rand.Rand, i int) backends.Input {
	noisy := r.Intn(4) == 0
	// bad returns one of the bad values when noisy, else good.
	bad := func(good string, bads ...string) string {
		if noisy && r.Intn(3) == 0 {
			return pick(r, bads...)
		}
		return good
	}
	var in backends.Input
	nh := pick(r, 1, 1, 2, 3, 3, 4)
	if noisy {
		nh = pick(r, 0, 1, 2, 3)
	}
	perm := r.Perm(9)
	for h := 0; h < nh; h++ {
		in.APIHosts = append(in.APIHosts, bad(fmt.Sprintf("ctl%d", perm[h]+1), "", "ctl1", " "))
	}
	in.File = pick(r, nil, bp(true), bp(false), nil)
	in.Ceph = r.Intn(2) == 0
	nc := pick(r, 0, 1, 1, 2, 3)
	cephNames := r.Perm(4)
	for c := 0; c < nc; c++ {
		in.CephBackends = append(in.CephBackends, backends.CephBackend{
			Name: bad([]string{"rbd", "ceph1-rbd", "ceph2-rbd", "ceph3_rbd"}[cephNames[c]],
				"file", "http", "os_glance_x", "bad name", "", "DEFAULT", "glance_store", "a.b", "rbd"),
			Type:    bad("rbd", "cinder", ""),
			Cluster: bad(pick(r, "ceph", "ceph1", "ceph2"), ""),
			Pool:    bad(pick(r, "images", "img2"), ""),
			User:    bad(pick(r, "glance", "glance2"), ""),
			Enabled: r.Intn(3) != 0,
		})
	}
	in.Swift = r.Intn(4) == 0
	in.VMware = r.Intn(5) == 0
	in.S3 = r.Intn(3) == 0
	in.Cinder = r.Intn(2) == 0
	in.HTTP = r.Intn(6) != 0
	in.S3Settings = backends.S3Settings{
		URL:       bad("http://s3.example:9000", ""),
		Bucket:    bad("images", ""),
		AccessKey: bad("AKIA", ""),
		SecretKey: bad(fmt.Sprintf("S3SECRET-%d", i), ""),
	}
	in.SwiftSettings = backends.SwiftSettings{Region: pick(r, "RegionOne", "RegionTwo")}
	in.VMwareSettings = backends.VMwareSettings{
		ServerHost:     bad("vcenter.example", ""),
		ServerUsername: pick(r, "administrator", ""),
		ServerPassword: bad(fmt.Sprintf("VMPASS-%d", i), ""),
		Datastores:     bad("dc1:ds1", ""),
	}
	in.FileDatadirVolume = bad(pick(r, "glance", "glance", "/srv/nfs/glance", "glance_images"), "", " ")
	in.FileDatadirShared = pick(r, nil, nil, nil, bp(true), bp(false))
	in.DefaultBackend = pick(r, "", "", "", "", "", "", "file", "rbd", "ceph2-rbd", "cinder", "http", "s3", "swift", "vmware", "nope")
	in.ImageCache = r.Intn(2) == 0
	return in
}

// isSubsequence reports whether sub appears in all, in order.
func isSubsequence(sub, all []string) bool {
	j := 0
	for _, s := range all {
		if j < len(sub) && sub[j] == s {
			j++
		}
	}
	return j == len(sub)
}

func TestSelectProperties(t *testing.T) {
	const cases = 20000
	r := rand.New(rand.NewSource(20240611))
	known := map[string]bool{
		"api_hosts": true, "ceph_backends": true, "s3_url": true, "s3_bucket": true,
		"s3_access_key": true, "s3_secret_key": true, "vmware_server_host": true,
		"vmware_datastores": true, "file_datadir_volume": true, "file_datadir_shared": true,
		"default_backend": true,
	}
	ok := 0
	seen := map[string]int{}
	for i := 0; i < cases; i++ {
		in := genInput(r, i)
		name := fmt.Sprintf("case %d: %+v", i, in)
		sel, err := backends.Select(in)

		// Determinism.
		sel2, err2 := backends.Select(in)
		require.Equal(t, sel, sel2, name)
		require.Equal(t, err == nil, err2 == nil, name)

		if err != nil {
			// Every problem is an OptionError naming a known option,
			// aggregated in one multierror.
			var merr *multierror.Error
			require.True(t, errors.As(err, &merr), name)
			oes := backends.OptionErrors(err)
			require.Len(t, oes, len(merr.Errors), name)
			for _, oe := range oes {
				assert.True(t, known[oe.Option], "unknown option %q in %s", oe.Option, name)
				assert.True(t, strings.Contains(err.Error(), oe.Error()), name)
			}
			assert.ErrorIs(t, err, backends.ErrInvalid, name)
			msg := err.Error()
			if in.S3Settings.SecretKey != "" {
				assert.NotContains(t, msg, in.S3Settings.SecretKey, name)
			}
			if in.VMwareSettings.ServerPassword != "" {
				assert.NotContains(t, msg, in.VMwareSettings.ServerPassword, name)
			}
			continue
		}
		ok++
		hasDisabled := false
		for _, cb := range in.CephBackends {
			hasDisabled = hasDisabled || !cb.Enabled
		}
		if in.Ceph && hasDisabled {
			seen["ceph with a disabled entry"]++
		}
		if in.S3 {
			seen["s3"]++
		}
		if in.VMware {
			seen["vmware"]++
		}
		if !sel.RollingUpgradeSafe && len(in.APIHosts) > 1 {
			seen["pinned"]++
		}
		if in.DefaultBackend != "" {
			seen["explicit default"]++
		}

		// The default is an enabled backend's name.
		var names []string
		for _, b := range sel.EnabledBackends {
			names = append(names, b.Name)
		}
		assert.Contains(t, names, sel.DefaultBackend, name)
		assert.Equal(t, sel.DefaultBackend, sel.StoreSections["glance_store"]["default_backend"], name)

		// api_hosts: non-empty, order-preserving subset of the input.
		require.NotEmpty(t, sel.APIHosts, name)
		assert.True(t, isSubsequence(sel.APIHosts, in.APIHosts), name)
		if sel.FileEnabled && !sel.FileDatadirShared {
			assert.Equal(t, in.APIHosts[:1], sel.APIHosts, name)
			assert.False(t, sel.RollingUpgradeSafe, name)
		} else {
			assert.Equal(t, in.APIHosts, sel.APIHosts, name)
			assert.True(t, sel.RollingUpgradeSafe, name)
		}

		// enabled_backends_conf round-trips to enabled_backends.
		var parsed []backends.Backend
		for _, item := range strings.Split(sel.EnabledBackendsConf, ", ") {
			nt := strings.Split(item, ":")
			require.Len(t, nt, 2, name)
			parsed = append(parsed, backends.Backend{Name: nt[0], Type: nt[1]})
		}
		assert.Equal(t, sel.EnabledBackends, parsed, name)

		// No secret value anywhere in store_sections.
		for sec, kv := range sel.StoreSections {
			for k, v := range kv {
				if in.S3Settings.SecretKey != "" {
					assert.NotContains(t, v, in.S3Settings.SecretKey, "%s [%s] %s", name, sec, k)
				}
				if in.VMwareSettings.ServerPassword != "" {
					assert.NotContains(t, v, in.VMwareSettings.ServerPassword, "%s [%s] %s", name, sec, k)
				}
			}
		}

		// Every enabled ceph entry has its section, and no other section
		// carries rbd settings.
		rbdSections := map[string]bool{}
		for sec, kv := range sel.StoreSections {
			if _, ok := kv["rbd_store_ceph_conf"]; ok {
				rbdSections[sec] = true
			}
		}
		wantRBD := map[string]bool{}
		for _, cb := range in.CephBackends {
			if in.Ceph && cb.Enabled {
				wantRBD[cb.Name] = true
				assert.Equal(t, map[string]string{
					"rbd_store_user":      cb.User,
					"rbd_store_pool":      cb.Pool,
					"rbd_store_ceph_conf": "/etc/ceph/" + cb.Cluster + ".conf",
				}, sel.StoreSections[cb.Name], name)
			}
		}
		assert.Equal(t, wantRBD, rbdSections, name)
		otherSections := map[string]bool{
			"glance_store": true, "os_glance_tasks_store": true, "os_glance_staging_store": true,
			"file": true, "s3": true, "swift": true, "vmware": true, "cinder": true,
		}
		for _, cb := range in.CephBackends {
			if !wantRBD[cb.Name] && !otherSections[cb.Name] {
				assert.NotContains(t, sel.StoreSections, cb.Name, name)
			}
		}
	}
	t.Logf("%d of %d generated inputs selected successfully", ok, cases)
	assert.Greater(t, ok, cases/10, "the generator should produce enough valid inputs")
	t.Logf("successful cases by feature: %v", seen)
	for _, f := range []string{"ceph with a disabled entry", "s3", "vmware", "pinned", "explicit default"} {
		assert.Greater(t, seen[f], 50, "too few successful cases with %s", f)
	}
}
