package stores_test

import (
	"errors"
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/kolla-glance/kolla-glance/internal/problem"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kolla-glance/kolla-glance/internal/glance/release"
	"github.com/kolla-glance/kolla-glance/internal/glance/stores"
)

// pick returns one element of xs.
func pick[T any](r *rand.Rand, xs ...T) T { return xs[r.Intn(len(xs))] }

// genInput generates one input. Three in four are "clean" (valid names and
// settings, distinct hosts); the rest draw from pools with bad values too.
func genInput(r *rand.Rand, i int) stores.Input {
	noisy := r.Intn(4) == 0
	// bad returns one of the bad values when noisy, else good.
	bad := func(good string, bads ...string) string {
		if noisy && r.Intn(3) == 0 {
			return pick(r, bads...)
		}
		return good
	}
	var in stores.Input
	in.Release = pick(r, release.Kolla()...)
	if noisy && r.Intn(8) == 0 {
		in.Release = pick[release.Release](r, "zed", "", "2024.2")
	}
	nh := pick(r, 1, 1, 2, 3, 3, 4)
	if noisy {
		nh = pick(r, 0, 1, 2, 3)
	}
	perm := r.Perm(9)
	for h := 0; h < nh; h++ {
		in.APIHosts = append(in.APIHosts, bad(fmt.Sprintf("ctl%d", perm[h]+1), "", "ctl1", " "))
	}
	// glance_api_hosts set by the operator, one time in five: a few hosts of
	// the group in any order, and when noisy a stranger or a duplicate.
	if r.Intn(5) == 0 && len(in.APIHosts) > 0 {
		in.APIHostsOverride = []string{}
		for _, k := range r.Perm(len(in.APIHosts))[:1+r.Intn(len(in.APIHosts))] {
			in.APIHostsOverride = append(in.APIHostsOverride, in.APIHosts[k])
		}
		if noisy {
			in.APIHostsOverride = append(in.APIHostsOverride, pick(r, "ctl99", in.APIHosts[0], ""))
		}
	}
	// The image cache settings: an address per host (sometimes one missing,
	// or two equal), a few own ports, a flavor.
	in.Cache.Addresses = map[string]string{}
	for h, host := range in.APIHosts {
		if noisy && r.Intn(4) == 0 {
			continue
		}
		in.Cache.Addresses[host] = pick(r, fmt.Sprintf("10.0.0.%d", h+1), fmt.Sprintf("fd00::%d", h+1), fmt.Sprintf("%s.example", host))
		if noisy && r.Intn(4) == 0 {
			in.Cache.Addresses[host] = pick(r, "10.0.0.1", "a b", "10.0.0.1\n")
		}
	}
	if r.Intn(3) == 0 && len(in.APIHosts) > 0 {
		in.Cache.Ports = map[string]int{in.APIHosts[0]: pick(r, 9293, 19292, 9292)}
		if noisy {
			in.Cache.Ports[pick(r, in.APIHosts[0], "ctl99")] = pick(r, 0, 70000, 9294)
		}
	}
	in.Cache.Port = 9292
	if noisy && r.Intn(4) == 0 {
		in.Cache.Port = pick(r, 0, -1, 65536)
	}
	in.Cache.TLS = r.Intn(3) == 0
	in.Cache.Flavor = pick(r, "", "", "", "keystone+cachemanagement", "cachemanagement", "keystone+cache")
	if noisy {
		in.Cache.Flavor = pick(r, in.Cache.Flavor, "keystone+caching", "keystone", "key stone")
	}
	in.File = pick(r, nil, bp(true), bp(false), nil)
	in.Ceph = r.Intn(2) == 0
	nc := pick(r, 0, 1, 1, 2, 3)
	cephNames := r.Perm(4)
	for c := 0; c < nc; c++ {
		in.CephBackends = append(in.CephBackends, stores.CephBackend{
			Name: bad([]string{"rbd", "ceph1-rbd", "ceph2-rbd", "ceph3_rbd"}[cephNames[c]],
				"file", "http", "os_glance_x", "bad name", "", "DEFAULT", "glance_store", "a.b", "rbd"),
			Type:    bad("rbd", "cinder", ""),
			Cluster: bad(pick(r, "ceph", "ceph1", "ceph2"), ""),
			Pool:    bad(pick(r, "images", "img2"), ""),
			User:    bad(pick(r, "glance", "glance2"), ""),
			Enabled: r.Intn(3) != 0,
		})
	}
	in.Swift = r.Intn(4) == 0 && (noisy || in.Release == release.V2024_1)
	in.VMware = r.Intn(5) == 0 && (noisy || in.Release == release.V2024_1 || in.Release == release.V2025_1)
	in.S3 = r.Intn(3) == 0
	in.Cinder = r.Intn(2) == 0
	in.HTTP = r.Intn(6) != 0
	in.S3Settings = stores.S3Settings{
		URL:       bad("http://s3.example:9000", ""),
		Bucket:    bad("images", ""),
		AccessKey: bad("AKIA", ""),
		SecretKey: bad(fmt.Sprintf("S3SECRET-%d", i), ""),
	}
	in.SwiftSettings = stores.SwiftSettings{Region: pick(r, "RegionOne", "RegionTwo")}
	in.VMwareSettings = stores.VMwareSettings{
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

// releaseHas states which stores each release still has.
func releaseHas(rel release.Release, store string) bool {
	switch store {
	case "swift":
		return rel == "2024.1"
	case "vmware":
		return rel == "2024.1" || rel == "2025.1"
	}
	return true
}

// refusalPrefixes are how every refusal starts.
var refusalPrefixes = []string{
	"swift was removed in kolla-ansible 2025.1: set glance_backend_swift to no",
	"vmware was removed in kolla-ansible 2025.2: set glance_backend_vmware to no",
	"glance_api_hosts (option api_hosts_override) puts glance-api on ",
	"paste_flavor ",
	"the enabled entries ",
}

func hasPrefixIn(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

func TestSelectProperties(t *testing.T) {
	const cases = 20000
	r := rand.New(rand.NewSource(20240611))
	known := map[string]bool{
		"openstack_release": true, "api_hosts": true, "api_hosts_override": true, "ceph_backends": true,
		"s3_url": true, "s3_bucket": true, "s3_access_key": true, "s3_secret_key": true,
		"vmware_server_host": true, "vmware_datastores": true, "file_datadir_volume": true,
		"file_datadir_shared": true, "default_backend": true, "api_interface_addresses": true, "api_ports": true,
		"api_port": true, "paste_flavor": true,
	}
	ok := 0
	seen := map[string]int{}
	for i := 0; i < cases; i++ {
		in := genInput(r, i)
		name := fmt.Sprintf("case %d: %+v", i, in)
		sel, err := stores.Select(in)

		// Determinism.
		sel2, err2 := stores.Select(in)
		require.Equal(t, sel, sel2, name)
		require.Equal(t, err == nil, err2 == nil, name)

		_, knownRelease := map[release.Release]bool{"2024.1": true, "2025.1": true, "2025.2": true, "2026.1": true, "master": true}[in.Release]
		if err != nil {
			// Every problem is an argument problem naming a known option or
			// a refusal, all in one *problem.Error.
			require.NotNil(t, problem.Of(err), name)
			oes := problem.Of(err).Arguments()
			rfs := problem.Of(err).Refusals()
			require.Len(t, problem.Of(err).Problems, len(oes)+len(rfs), name)
			for _, oe := range oes {
				assert.True(t, known[oe.Option], "unknown option %q in %s", oe.Option, name)
				assert.True(t, strings.Contains(err.Error(), oe.Error()), name)
			}
			for _, rf := range rfs {
				assert.True(t, hasPrefixIn(rf.Msg, refusalPrefixes), "unexpected refusal %q in %s", rf.Msg, name)
				assert.NotContains(t, rf.Msg, ";", name)
				assert.NotEmpty(t, rf.Options, name)
				seen["refusal "+strings.Fields(rf.Msg)[0]]++
			}
			assert.Equal(t, len(oes) > 0, errors.Is(err, problem.ErrArgument), name)
			assert.Equal(t, len(rfs) > 0, errors.Is(err, problem.ErrRefused), name)
			// A store the release no longer has is always refused.
			if knownRelease {
				for _, st := range []struct {
					on    bool
					store string
				}{{in.Swift, "swift"}, {in.VMware, "vmware"}} {
					if st.on && !releaseHas(in.Release, st.store) {
						found := false
						for _, reason := range reasonsOf(err) {
							found = found || strings.HasPrefix(reason, st.store+" was removed in kolla-ansible ")
						}
						assert.True(t, found, "%s not refused in %s", st.store, name)
					}
				}
			}
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
		require.True(t, knownRelease, name)
		assert.False(t, in.Swift && !releaseHas(in.Release, "swift"), name)
		assert.False(t, in.VMware && !releaseHas(in.Release, "vmware"), name)
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
		if in.APIHostsOverride != nil {
			seen["override"]++
		}
		if sel.Cache != nil {
			seen["cache"]++
		}
		seen["release "+string(in.Release)]++

		// The default is an enabled backend's name.
		var names []string
		for _, b := range sel.EnabledBackends {
			names = append(names, b.Name)
		}
		assert.Contains(t, names, sel.DefaultBackend, name)
		assert.Equal(t, sel.DefaultBackend, sel.StoreSections["glance_store"]["default_backend"], name)

		// api_hosts: the override as given, else the pinning rule; never
		// several hosts on an unshared file store.
		require.NotEmpty(t, sel.APIHosts, name)
		pinned := sel.FileEnabled && !sel.FileDatadirShared
		assert.Equal(t, !pinned, sel.RollingUpgradeSafe, name)
		switch {
		case in.APIHostsOverride != nil:
			assert.Equal(t, in.APIHostsOverride, sel.APIHosts, name)
			for _, h := range sel.APIHosts {
				assert.Contains(t, in.APIHosts, h, name)
			}
		case pinned:
			assert.Equal(t, in.APIHosts[:1], sel.APIHosts, name)
		default:
			assert.Equal(t, in.APIHosts, sel.APIHosts, name)
		}
		if pinned {
			assert.Len(t, sel.APIHosts, 1, name)
		}

		// enabled_backends_conf round-trips to enabled_backends.
		var parsed []stores.Backend
		for _, item := range strings.Split(sel.EnabledBackendsConf, ", ") {
			nt := strings.Split(item, ":")
			require.Len(t, nt, 2, name)
			parsed = append(parsed, stores.Backend{Name: nt[0], Type: nt[1]})
		}
		assert.Equal(t, sel.EnabledBackends, parsed, name)

		// [cinder] exists exactly from 2026.1 on with cinder; [swift] and
		// [vmware] exactly with their store.
		_, cinderSection := sel.StoreSections["cinder"]
		assert.Equal(t, in.Cinder && (in.Release == "2026.1" || in.Release == "master"), cinderSection, name)
		_, swiftSection := sel.StoreSections["swift"]
		assert.Equal(t, in.Swift, swiftSection, name)
		if v, ok := sel.StoreSections["vmware"]; ok {
			assert.Equal(t, map[release.Release]string{"2024.1": "True", "2025.1": "true"}[in.Release], v["vmware_insecure"], name)
		}

		// The image cache: on exactly when asked, one distinct URL per
		// glance-api host, made of its address and port, and a flavor
		// Glance recognises.
		if !in.ImageCache {
			assert.Nil(t, sel.Cache, name)
		} else {
			require.NotNil(t, sel.Cache, name)
			assert.Equal(t, "centralized_db", sel.Cache.Driver, name)
			assert.Contains(t, sel.Cache.Flavor, "cache", name)
			assert.Equal(t, "/var/lib/glance/image-cache", sel.Cache.Dir, name)
			assert.Len(t, sel.Cache.WorkerSelfReferenceURL, len(sel.APIHosts), name)
			urls := map[string]bool{}
			for _, h := range sel.APIHosts {
				u := sel.Cache.WorkerSelfReferenceURL[h]
				assert.False(t, urls[u], "%s shared in %s", u, name)
				urls[u] = true
				scheme := map[bool]string{false: "http://", true: "https://"}[in.Cache.TLS]
				assert.True(t, strings.HasPrefix(u, scheme), name)
				assert.Contains(t, u, in.Cache.Addresses[h], name)
				port, own := in.Cache.Ports[h]
				if !own {
					port = in.Cache.Port
				}
				assert.True(t, strings.HasSuffix(u, fmt.Sprintf(":%d", port)), name)
			}
		}

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
	t.Logf("cases by feature: %v", seen)
	for _, f := range []string{"ceph with a disabled entry", "s3", "vmware", "pinned", "explicit default", "override", "cache",
		"release 2024.1", "release 2025.1", "release 2025.2", "release 2026.1", "release master",
		"refusal swift", "refusal vmware", "refusal glance_api_hosts", "refusal paste_flavor", "refusal the"} {
		assert.Greater(t, seen[f], 50, "too few cases with %s", f)
	}
}
