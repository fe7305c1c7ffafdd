package stores_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/kolla-glance/kolla-glance/internal/problem"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kolla-glance/kolla-glance/internal/glance/release"
	"github.com/kolla-glance/kolla-glance/internal/glance/stores"
)

// kollaDefaults is the input the module builds from kolla-ansible's defaults:
// glance_backend_ceph off (so the single "rbd" entry is disabled), http on,
// file derived, the named volume "glance".
func kollaDefaults(hosts ...string) stores.Input {
	return stores.Input{
		Release:  release.NewestStable,
		APIHosts: hosts,
		CephBackends: []stores.CephBackend{
			{Name: "rbd", Type: "rbd", Cluster: "ceph", Pool: "images", User: "glance", Enabled: false},
		},
		HTTP:              true,
		SwiftSettings:     stores.SwiftSettings{Region: "RegionOne"},
		FileDatadirVolume: "glance",
	}
}

func TestKollaDefaults(t *testing.T) {
	sel, err := stores.Select(kollaDefaults("ctl1", "ctl2", "ctl3"))
	require.NoError(t, err)
	assert.Equal(t, []stores.Backend{{Name: "file", Type: "file"}, {Name: "http", Type: "http"}}, sel.EnabledBackends)
	assert.Equal(t, "file:file, http:http", sel.EnabledBackendsConf)
	assert.Equal(t, "file", sel.DefaultBackend)
	assert.Equal(t, []string{"ctl1"}, sel.APIHosts)
	assert.True(t, sel.FileEnabled)
	assert.False(t, sel.FileDatadirShared)
	assert.False(t, sel.RollingUpgradeSafe)
	assert.Equal(t, map[string]map[string]string{
		"glance_store":            {"default_backend": "file"},
		"file":                    {"filesystem_store_datadir": "/var/lib/glance/images/"},
		"os_glance_tasks_store":   {"filesystem_store_datadir": "/var/lib/glance/tasks_work_dir"},
		"os_glance_staging_store": {"filesystem_store_datadir": "/var/lib/glance/staging"},
	}, sel.StoreSections)
	assert.Equal(t, []string{
		`file: the file store keeps images on file_datadir_volume "glance", which is not shared, so glance-api runs only on the first host "ctl1"; hosts left out: "ctl2", "ctl3"; to run glance-api on every host, set file_datadir_volume to a shared filesystem path (for example an NFS mount) and leave file_datadir_shared unset or true`,
	}, sel.Warnings)

	// JSON shape of the result; warnings are not part of it.
	raw, err := json.Marshal(sel)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(raw, &m))
	assert.ElementsMatch(t, []string{"enabled_backends", "enabled_backends_conf", "default_backend", "api_hosts",
		"file_enabled", "file_datadir_shared", "rolling_upgrade_safe", "store_sections"}, keys(m), "no cache key while the cache is off")
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestKollaDefaultsWithCinderAndOneHost(t *testing.T) {
	in := kollaDefaults("ctl1")
	in.Cinder = true
	sel, err := stores.Select(in)
	require.NoError(t, err)
	assert.Equal(t, "file:file, http:http, cinder:cinder", sel.EnabledBackendsConf)
	assert.Equal(t, "file", sel.DefaultBackend)
	assert.Equal(t, map[string]string{
		"cinder_catalog_info":       "block-storage::internalURL",
		"cinder_store_project_name": "service",
	}, sel.StoreSections["cinder"])
	assert.Empty(t, sel.Warnings, "one host: nothing is left out")
	assert.False(t, sel.RollingUpgradeSafe)
}

func TestCephMultiCluster(t *testing.T) {
	in := kollaDefaults("ctl1", "ctl2", "ctl3")
	in.Ceph = true
	in.CephBackends = []stores.CephBackend{
		{Name: "ceph1-rbd", Type: "rbd", Cluster: "ceph1", Pool: "images", User: "glance", Enabled: false},
		{Name: "ceph2-rbd", Type: "rbd", Cluster: "ceph2", Pool: "images2", User: "glance2", Enabled: true},
	}
	sel, err := stores.Select(in)
	require.NoError(t, err)
	assert.Equal(t, "http:http, ceph2-rbd:rbd", sel.EnabledBackendsConf)
	assert.Equal(t, "ceph2-rbd", sel.DefaultBackend, "upstream would take the disabled entry [0]")
	assert.False(t, sel.FileEnabled)
	assert.Equal(t, []string{"ctl1", "ctl2", "ctl3"}, sel.APIHosts)
	assert.True(t, sel.RollingUpgradeSafe)
	assert.Equal(t, map[string]string{
		"rbd_store_user":      "glance2",
		"rbd_store_pool":      "images2",
		"rbd_store_ceph_conf": "/etc/ceph/ceph2.conf",
	}, sel.StoreSections["ceph2-rbd"])
	assert.NotContains(t, sel.StoreSections, "ceph1-rbd", "upstream renders disabled entries too")
	assert.Empty(t, sel.Warnings)
}

func TestCephWithFileAndImageCache(t *testing.T) {
	in := kollaDefaults("ctl1", "ctl2")
	in.Ceph = true
	in.CephBackends[0].Enabled = true
	in.File = bp(true)
	in.FileDatadirVolume = "/srv/nfs/glance"
	in.ImageCache = true
	in.Cache = stores.CacheSettings{Addresses: map[string]string{"ctl1": "10.0.0.1", "ctl2": "10.0.0.2"}, Port: 9292}
	sel, err := stores.Select(in)
	require.NoError(t, err)
	assert.Equal(t, "file:file, http:http, rbd:rbd", sel.EnabledBackendsConf)
	assert.Equal(t, "rbd", sel.DefaultBackend, "ceph stays the default next to file")
	assert.Equal(t, []string{"ctl1", "ctl2"}, sel.APIHosts)
	assert.Equal(t, []string{
		"image_cache: the glance image cache is on together with ceph; nova already has a cached version of the image and copies it directly from ceph instead of from the glance-api hosts, so the cache only leads to unnecessary storage consumption; consider turning image_cache off",
	}, sel.Warnings)
}

func TestAllStoresSections(t *testing.T) {
	in := kollaDefaults("ctl1", "ctl2")
	in.Release = release.V2024_1
	in.Ceph, in.Swift, in.VMware, in.S3, in.Cinder = true, true, true, true, true
	in.CephBackends[0].Enabled = true
	in.S3Settings = stores.S3Settings{URL: "http://s3:9000", Bucket: "imgs", AccessKey: "AK", SecretKey: "TOPSECRET"}
	in.VMwareSettings = stores.VMwareSettings{ServerHost: "vc1", ServerUsername: "admin", ServerPassword: "VMPASS", Datastores: "dc:ds"}
	sel, err := stores.Select(in)
	require.NoError(t, err)
	assert.Equal(t, "s3:s3, http:http, vmware:vmware, cinder:cinder, swift:swift, rbd:rbd", sel.EnabledBackendsConf)
	assert.Equal(t, "vmware", sel.DefaultBackend)
	assert.Equal(t, map[string]string{"s3_store_host": "http://s3:9000", "s3_store_access_key": "AK", "s3_store_bucket": "imgs"}, sel.StoreSections["s3"])
	assert.Equal(t, map[string]string{"vmware_server_host": "vc1", "vmware_server_username": "admin", "vmware_datastores": "dc:ds", "vmware_insecure": "True"}, sel.StoreSections["vmware"])
	assert.Equal(t, map[string]string{
		"swift_store_container":                "glance",
		"swift_store_multiple_containers_seed": "0",
		"swift_store_multi_tenant":             "False",
		"swift_store_create_container_on_put":  "True",
		"swift_store_region":                   "RegionOne",
		"default_swift_reference":              "swift",
		"swift_store_config_file":              "/etc/glance/glance-swift.conf",
		"swift_store_auth_insecure":            "True",
	}, sel.StoreSections["swift"])
	assert.NotContains(t, sel.StoreSections, "file")
	assert.NotContains(t, sel.StoreSections, "cinder", "2024.1 renders no [cinder] section")
}

func TestAggregatedErrors(t *testing.T) {
	in := kollaDefaults("ctl1", "ctl2", "ctl1")
	in.S3 = true
	in.S3Settings = stores.S3Settings{Bucket: "imgs", AccessKey: "AK", SecretKey: "SK"}
	in.DefaultBackend = "nope"
	_, err := stores.Select(in)
	require.Error(t, err)

	require.NotNil(t, problem.Of(err))
	assert.Len(t, problem.Of(err).Problems, 3)
	oes := problem.Of(err).Arguments()
	require.Len(t, oes, 3)
	assert.Equal(t, "api_hosts", oes[0].Option)
	assert.Equal(t, "s3_url", oes[1].Option)
	assert.Equal(t, "default_backend", oes[2].Option)
	assert.Equal(t, `glance backends: 3 problems with the arguments: `+
		`(1) api_hosts: duplicate host names "ctl1"; each host may appear only once; `+
		`(2) s3_url: s3 is on but s3_url is empty; give the S3 endpoint URL; `+
		`(3) default_backend: "nope" is not an enabled backend; accepted: "s3"`, err.Error())
	assert.ErrorIs(t, err, problem.ErrArgument)
}

func TestSingleErrorMessage(t *testing.T) {
	in := kollaDefaults()
	_, err := stores.Select(in)
	require.Error(t, err)
	assert.Equal(t, "glance backends: api_hosts: the list is empty; give the hosts of the glance-api inventory group, at least one", err.Error())
}

func TestErrorMessages(t *testing.T) {
	tests := []struct {
		name string
		mod  func(in *stores.Input)
		want []string
	}{
		{
			name: "empty host name",
			mod:  func(in *stores.Input) { in.APIHosts = []string{"ctl1", " "} },
			want: []string{`api_hosts[1]: empty host name; every item must be a non-empty inventory host name`},
		},
		{
			name: "ceph on without an enabled entry",
			mod:  func(in *stores.Input) { in.Ceph = true },
			want: []string{`ceph_backends: ceph is on but no entry of ceph_backends is enabled (entries given: 1); enable at least one entry or turn ceph off`},
		},
		{
			name: "ceph entry named like the file store, bad fields",
			mod: func(in *stores.Input) {
				in.Ceph, in.File = true, bp(true)
				in.CephBackends = []stores.CephBackend{{Name: "file", Type: "cinder", Cluster: "", Pool: "", User: "", Enabled: true}}
			},
			want: []string{
				`ceph_backends[0].type: "cinder" is not supported; the only accepted type is "rbd"`,
				`ceph_backends[0].cluster: empty; give the ceph cluster name, which selects /etc/ceph/<cluster>.conf (for example "ceph")`,
				`ceph_backends[0].pool: empty; give the RBD pool that holds the images (for example "images")`,
				`ceph_backends[0].user: empty; give the cephx user glance connects as (for example "glance")`,
				`ceph_backends: backend name "file" is used by the file store and ceph_backends[0]; every enabled backend needs its own name, which is also its glance-api.conf section`,
			},
		},
		{
			name: "ceph entry names",
			mod: func(in *stores.Input) {
				in.Ceph = true
				e := stores.CephBackend{Type: "rbd", Cluster: "ceph", Pool: "images", User: "glance", Enabled: true}
				in.CephBackends = nil
				for _, n := range []string{"", "a b", "os_glance_rbd", "DEFAULT", "rbd", "rbd", "off"} {
					e.Name = n
					in.CephBackends = append(in.CephBackends, e)
				}
				in.CephBackends[6].Enabled = false
			},
			want: []string{
				`ceph_backends[0].name: empty; give a unique backend name made of letters, digits, '_' and '-' (for example "rbd")`,
				`ceph_backends[1].name: "a b" cannot be a glance-api.conf section name; use only letters, digits, '_' and '-'`,
				`ceph_backends[2].name: "os_glance_rbd" starts with the reserved prefix "os_glance_", which glance keeps for its internal stores; choose a name without it`,
				`ceph_backends[3].name: "DEFAULT" is already a section of glance-api.conf; choose a name other than "DEFAULT", "database", "keystone_authtoken", "paste_deploy", "glance_store", "oslo_middleware", "oslo_concurrency", "oslo_messaging_notifications", "oslo_messaging_rabbit", "oslo_policy", "profiler", "barbican", "cors"`,
				`ceph_backends: backend name "rbd" is used by ceph_backends[4] and ceph_backends[5]; every enabled backend needs its own name, which is also its glance-api.conf section`,
			},
		},
		{
			// cluster and user become /etc/ceph/<cluster>.conf and
			// <cluster>.client.<user>.keyring: one file name each, never a path
			name: "ceph cluster and user name files",
			mod: func(in *stores.Input) {
				in.Ceph = true
				in.CephBackends = nil
				for i, cu := range [][2]string{{"../x", "glance"}, {"ceph", "a/b"}, {".hidden", "glance"}, {"ceph", ".."}, {"ceph-2.x_y", "glance.2"}} {
					in.CephBackends = append(in.CephBackends, stores.CephBackend{Name: fmt.Sprintf("rbd%d", i), Type: "rbd",
						Cluster: cu[0], Pool: "images", User: cu[1], Enabled: true})
				}
			},
			want: []string{
				`ceph_backends[0].cluster: "../x" cannot name a file: it becomes /etc/ceph/<cluster>.conf, so give only ASCII letters, digits, '_', '-' and '.', not starting with '.' (for example "ceph")`,
				`ceph_backends[1].user: "a/b" cannot name a file: it becomes /etc/ceph/<cluster>.client.<user>.keyring, so give only ASCII letters, digits, '_', '-' and '.', not starting with '.' (for example "glance")`,
				`ceph_backends[2].cluster: ".hidden" cannot name a file: it becomes /etc/ceph/<cluster>.conf, so give only ASCII letters, digits, '_', '-' and '.', not starting with '.' (for example "ceph")`,
				`ceph_backends[3].user: ".." cannot name a file: it becomes /etc/ceph/<cluster>.client.<user>.keyring, so give only ASCII letters, digits, '_', '-' and '.', not starting with '.' (for example "glance")`,
			},
		},
		{
			name: "s3 settings all empty",
			mod:  func(in *stores.Input) { in.S3 = true },
			want: []string{
				`s3_url: s3 is on but s3_url is empty; give the S3 endpoint URL`,
				`s3_bucket: s3 is on but s3_bucket is empty; give the bucket that holds the images`,
				`s3_access_key: s3 is on but s3_access_key is empty; give the S3 access key`,
				`s3_secret_key: s3 is on but s3_secret_key is empty; give the S3 secret key`,
			},
		},
		{
			name: "vmware settings empty",
			mod:  func(in *stores.Input) { in.Release, in.VMware = release.V2025_1, true },
			want: []string{
				`vmware_server_host: vmware is on but vmware_server_host is empty; give the vCenter host address`,
				`vmware_datastores: vmware is on but vmware_datastores is empty; give the datastores as <vcenter name>:<datastore name>`,
			},
		},
		{
			name: "no image store in 2024.1",
			mod:  func(in *stores.Input) { in.Release, in.File = release.V2024_1, bp(false) },
			want: []string{`default_backend: no image store is enabled to be the default (file, ceph, swift, vmware and s3 are all off; enabled: "http"; http is read-only); turn on one of file, ceph, swift, vmware or s3, or turn on cinder and set default_backend to "cinder"`},
		},
		{
			name: "no image store in 2025.1",
			mod:  func(in *stores.Input) { in.Release, in.File = release.V2025_1, bp(false) },
			want: []string{`default_backend: no image store is enabled to be the default (file, ceph, vmware and s3 are all off; enabled: "http"; http is read-only); turn on one of file, ceph, vmware or s3, or turn on cinder and set default_backend to "cinder"`},
		},
		{
			name: "unknown release",
			mod:  func(in *stores.Input) { in.Release = "zed" },
			want: []string{`openstack_release: "zed" is not a kolla-ansible release this module knows; accepted: 2024.1, 2025.1, 2025.2, 2026.1, master`},
		},
		{
			name: "empty volume",
			mod:  func(in *stores.Input) { in.FileDatadirVolume = "" },
			want: []string{`file_datadir_volume: empty; give the named volume "glance" (kolla's default) or an absolute host path such as a shared NFS mount; it is mounted at /var/lib/glance/ in glance-api`},
		},
		{
			name: "shared named volume",
			mod:  func(in *stores.Input) { in.FileDatadirShared = bp(true) },
			want: []string{`file_datadir_shared: true contradicts file_datadir_volume "glance", a named volume local to each host that cannot be shared; set file_datadir_shared to false or leave it unset, or set file_datadir_volume to a shared filesystem path`},
		},
		{
			name: "default is http",
			mod:  func(in *stores.Input) { in.DefaultBackend = "http" },
			want: []string{`default_backend: "http" is the read-only http store and cannot hold uploaded images; accepted: "file"`},
		},
		{
			name: "only http and cinder, derived default",
			mod:  func(in *stores.Input) { in.File, in.Cinder = bp(false), true },
			want: []string{`default_backend: no image store is enabled to be the default (file, ceph and s3 are all off; enabled: "http", "cinder"; http is read-only); turn on one of file, ceph or s3, or set default_backend to "cinder" explicitly (cinder is on but is never chosen as the default implicitly)`},
		},
		{
			name: "only http",
			mod:  func(in *stores.Input) { in.File = bp(false) },
			want: []string{`default_backend: no image store is enabled to be the default (file, ceph and s3 are all off; enabled: "http"; http is read-only); turn on one of file, ceph or s3, or turn on cinder and set default_backend to "cinder"`},
		},
		{
			name: "nothing at all, explicit default",
			mod:  func(in *stores.Input) { in.File, in.HTTP, in.DefaultBackend = bp(false), false, "file" },
			want: []string{`default_backend: "file" is not an enabled backend; accepted: none (no writable store is enabled)`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := kollaDefaults("ctl1", "ctl2")
			tt.mod(&in)
			sel, err := stores.Select(in)
			require.Error(t, err)
			assert.Equal(t, stores.Selection{}, sel)
			var got []string
			for _, oe := range problem.Of(err).Arguments() {
				got = append(got, oe.Error())
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestCinderAloneWithExplicitDefault(t *testing.T) {
	in := kollaDefaults("ctl1", "ctl2")
	in.File, in.Cinder, in.DefaultBackend = bp(false), true, "cinder"
	sel, err := stores.Select(in)
	require.NoError(t, err)
	assert.Equal(t, "http:http, cinder:cinder", sel.EnabledBackendsConf)
	assert.Equal(t, "cinder", sel.DefaultBackend)
	assert.Equal(t, []string{"ctl1", "ctl2"}, sel.APIHosts)
	assert.True(t, sel.RollingUpgradeSafe)
}

func TestExplicitDefaultOverridesPrecedence(t *testing.T) {
	in := kollaDefaults("ctl1")
	in.Ceph, in.File, in.FileDatadirVolume = true, bp(true), "/srv/nfs/glance"
	in.CephBackends[0].Enabled = true
	in.DefaultBackend = "file"
	sel, err := stores.Select(in)
	require.NoError(t, err)
	assert.Equal(t, "file", sel.DefaultBackend)
	assert.Equal(t, "file", sel.StoreSections["glance_store"]["default_backend"])
}

func TestSharedness(t *testing.T) {
	// Host path declared local: pinned to the first host.
	in := kollaDefaults("ctl1", "ctl2")
	in.FileDatadirVolume, in.FileDatadirShared = "/srv/local/glance", bp(false)
	sel, err := stores.Select(in)
	require.NoError(t, err)
	assert.Equal(t, []string{"ctl1"}, sel.APIHosts)
	assert.False(t, sel.FileDatadirShared)
	assert.False(t, sel.RollingUpgradeSafe)
	require.Len(t, sel.Warnings, 1)

	// Host path, sharedness derived: kolla assumes it is shared.
	in.FileDatadirShared = nil
	sel, err = stores.Select(in)
	require.NoError(t, err)
	assert.Equal(t, []string{"ctl1", "ctl2"}, sel.APIHosts)
	assert.True(t, sel.RollingUpgradeSafe)
	assert.Empty(t, sel.Warnings)

	// Another named volume, sharedness derived: assumed shared, with a warning.
	in.FileDatadirVolume = "glance_images"
	sel, err = stores.Select(in)
	require.NoError(t, err)
	assert.Equal(t, []string{"ctl1", "ctl2"}, sel.APIHosts)
	assert.Equal(t, []string{
		`file_datadir_shared: file_datadir_volume "glance_images" is not an absolute path, so it looks like a named volume, which kolla's rule assumes shared because it is not "glance"; if it is local to each host, set file_datadir_shared to false, or glance-api on different hosts will see different images`,
	}, sel.Warnings)

	// The named volume with the file store off: all hosts serve.
	in = kollaDefaults("ctl1", "ctl2")
	in.S3 = true
	in.S3Settings = stores.S3Settings{URL: "u", Bucket: "b", AccessKey: "a", SecretKey: "s"}
	sel, err = stores.Select(in)
	require.NoError(t, err)
	assert.Equal(t, "s3:s3, http:http", sel.EnabledBackendsConf)
	assert.Equal(t, "s3", sel.DefaultBackend)
	assert.Equal(t, []string{"ctl1", "ctl2"}, sel.APIHosts)
	assert.False(t, sel.FileDatadirShared)
	assert.True(t, sel.RollingUpgradeSafe)
}

func TestDisabledCephEntriesAreNotValidated(t *testing.T) {
	in := kollaDefaults("ctl1")
	in.Ceph = true
	in.CephBackends = []stores.CephBackend{
		{Name: "bad name", Type: "x", Enabled: false},
		{Name: "rbd", Type: "rbd", Cluster: "ceph", Pool: "images", User: "glance", Enabled: true},
	}
	sel, err := stores.Select(in)
	require.NoError(t, err)
	assert.Equal(t, "http:http, rbd:rbd", sel.EnabledBackendsConf)
	assert.Equal(t, "rbd", sel.DefaultBackend)
}

func TestInputNotModified(t *testing.T) {
	in := kollaDefaults("ctl1", "ctl2", "ctl3")
	hosts := append([]string(nil), in.APIHosts...)
	sel, err := stores.Select(in)
	require.NoError(t, err)
	sel.APIHosts[0] = "changed"
	assert.Equal(t, hosts, in.APIHosts)
}
