package stores_test

import (
	"testing"

	"github.com/kolla-glance/kolla-glance/internal/problem"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kolla-glance/kolla-glance/internal/glance/release"
	"github.com/kolla-glance/kolla-glance/internal/glance/stores"
)

func TestRemovedStoreMessages(t *testing.T) {
	in := kollaDefaults("ctl1")
	in.Swift, in.VMware = true, true
	_, err := stores.Select(in)
	require.Error(t, err)
	assert.Equal(t, []string{
		"swift was removed in kolla-ansible 2025.1: set glance_backend_swift to no and choose ceph, s3 or file instead (option swift is on while openstack_release is 2026.1, and a deployment that still runs kolla-ansible 2024.1 or older sets openstack_release to that release)",
		"vmware was removed in kolla-ansible 2025.2: set glance_backend_vmware to no and choose ceph, s3 or file instead (option vmware is on while openstack_release is 2026.1, and a deployment that still runs kolla-ansible 2025.1 or older sets openstack_release to that release)",
	}, reasonsOf(err))
	assert.Empty(t, problem.Of(err).Arguments(), "the vmware settings of a refused store are not checked")
	rfs := problem.Of(err).Refusals()
	assert.Equal(t, []string{"swift", "openstack_release"}, rfs[0].Options)
	assert.Equal(t, rfs[0].Msg, rfs[0].Error(), "a refusal reads as itself, not as option: message")
}

func TestRemovedStoreNamedAsDefault(t *testing.T) {
	in := kollaDefaults("ctl1")
	in.Release, in.VMware, in.DefaultBackend = release.V2025_2, true, "vmware"
	_, err := stores.Select(in)
	require.Error(t, err)
	assert.Len(t, reasonsOf(err), 1)
	assert.Empty(t, problem.Of(err).Arguments(), "no consequential default_backend error")

	// The only store refused, the file store off: nothing consequential either.
	in.DefaultBackend, in.File = "", bp(false)
	_, err = stores.Select(in)
	require.Error(t, err)
	assert.Len(t, reasonsOf(err), 1)
	assert.Empty(t, problem.Of(err).Arguments())
}

func TestRefusalsAndOptionErrorsTogether(t *testing.T) {
	in := kollaDefaults("ctl1")
	in.Swift, in.S3 = true, true
	in.S3Settings = stores.S3Settings{Bucket: "b", AccessKey: "a", SecretKey: "s"}
	_, err := stores.Select(in)
	require.Error(t, err)
	assert.ErrorIs(t, err, problem.ErrRefused)
	assert.ErrorIs(t, err, problem.ErrArgument)
	assert.Equal(t, []string{"s3_url"}, optionsOf(err))
	assert.Len(t, reasonsOf(err), 1)
	// the refusal first, as a refusal; the argument problem after "; and "
	assert.Equal(t, "glance backends: swift was removed in kolla-ansible 2025.1: set glance_backend_swift to no and "+
		"choose ceph, s3 or file instead (option swift is on while openstack_release is 2026.1, and a deployment that "+
		"still runs kolla-ansible 2024.1 or older sets openstack_release to that release); "+
		"and s3_url: s3 is on but s3_url is empty; give the S3 endpoint URL", err.Error())
}

func TestSwiftAndVMwareWhereTheReleaseHasThem(t *testing.T) {
	in := kollaDefaults("ctl1")
	in.Release, in.VMware = release.V2025_1, true
	in.VMwareSettings = stores.VMwareSettings{ServerHost: "vc", Datastores: "dc:ds"}
	sel, err := stores.Select(in)
	require.NoError(t, err)
	assert.Equal(t, "vmware", sel.DefaultBackend)
	assert.Equal(t, "http:http, vmware:vmware", sel.EnabledBackendsConf)
	assert.Equal(t, "true", sel.StoreSections["vmware"]["vmware_insecure"])

	in.Release, in.Swift = release.V2024_1, true
	sel, err = stores.Select(in)
	require.NoError(t, err)
	assert.Equal(t, "vmware", sel.DefaultBackend)
	assert.Equal(t, "http:http, vmware:vmware, swift:swift", sel.EnabledBackendsConf)
	assert.Equal(t, "True", sel.StoreSections["vmware"]["vmware_insecure"])
	assert.Equal(t, "RegionOne", sel.StoreSections["swift"]["swift_store_region"])
}

func TestOneCephCredentialIn2024_1(t *testing.T) {
	in := kollaDefaults("ctl1")
	in.Release, in.Ceph = release.V2024_1, true
	in.CephBackends = []stores.CephBackend{
		{Name: "ceph1-rbd", Type: "rbd", Cluster: "ceph1", Pool: "images", User: "glance", Enabled: true},
		{Name: "ceph2-rbd", Type: "rbd", Cluster: "ceph2", Pool: "images2", User: "glance", Enabled: true},
		{Name: "ceph3-rbd", Type: "rbd", Cluster: "ceph3", Pool: "other", User: "other", Enabled: false},
	}
	_, err := stores.Select(in)
	require.Error(t, err)
	assert.Equal(t, []string{
		`the enabled entries "ceph1-rbd", "ceph2-rbd" of glance_ceph_backends (option ceph_backends) use different pools or users, but kolla-ansible 2024.1 renders one pool and one user, ceph_glance_pool_name and ceph_glance_user, in every ceph section: give every enabled entry that same pool and user, or set openstack_release to 2025.1 or later, whose entries carry their own`,
	}, reasonsOf(err))

	// One pool and one user for the enabled entries (the disabled one does
	// not count): accepted, with kolla's sections.
	in.CephBackends[1].Pool = "images"
	sel, err := stores.Select(in)
	require.NoError(t, err)
	assert.Equal(t, "http:http, ceph1-rbd:rbd, ceph2-rbd:rbd", sel.EnabledBackendsConf)
	assert.Equal(t, "ceph1-rbd", sel.DefaultBackend)
	assert.Equal(t, "/etc/ceph/ceph2.conf", sel.StoreSections["ceph2-rbd"]["rbd_store_ceph_conf"])

	// 2025.1 reads each entry's own pool and user.
	in.Release = release.V2025_1
	in.CephBackends[1].Pool = "images2"
	sel, err = stores.Select(in)
	require.NoError(t, err)
	assert.Equal(t, "images2", sel.StoreSections["ceph2-rbd"]["rbd_store_pool"])
}

func TestOverrideHonoured(t *testing.T) {
	in := kollaDefaults("ctl1", "ctl2", "ctl3")
	in.FileDatadirVolume = "/mnt/nfs/glance"
	in.APIHostsOverride = []string{"ctl3", "ctl1"}
	sel, err := stores.Select(in)
	require.NoError(t, err)
	assert.Equal(t, []string{"ctl3", "ctl1"}, sel.APIHosts, "the operator's order: kolla bootstraps on glance_api_hosts[0]")
	assert.True(t, sel.RollingUpgradeSafe)
	assert.Empty(t, sel.Warnings)

	// One host on the unshared named volume: safe, and not necessarily the
	// first host of the group.
	in = kollaDefaults("ctl1", "ctl2", "ctl3")
	in.APIHostsOverride = []string{"ctl2"}
	sel, err = stores.Select(in)
	require.NoError(t, err)
	assert.Equal(t, []string{"ctl2"}, sel.APIHosts)
	assert.False(t, sel.RollingUpgradeSafe)
	assert.Empty(t, sel.Warnings, "the operator chose the host: nothing is left out behind their back")

	// The file store off: any hosts of the group.
	in = kollaDefaults("ctl1", "ctl2", "ctl3")
	in.Ceph, in.CephBackends[0].Enabled = true, true
	in.APIHostsOverride = []string{"ctl1", "ctl2"}
	sel, err = stores.Select(in)
	require.NoError(t, err)
	assert.Equal(t, []string{"ctl1", "ctl2"}, sel.APIHosts)
}

func TestOverrideOnAnUnsharedFileStoreIsRefused(t *testing.T) {
	for _, tt := range []struct {
		name   string
		mod    func(in *stores.Input)
		reason string
	}{
		{"named volume", func(in *stores.Input) {},
			`glance_api_hosts (option api_hosts_override) puts glance-api on 3 hosts, "ctl1", "ctl2", "ctl3", while the file store keeps its images on glance_file_datadir_volume "glance", which is not shared: each host would keep its own images and serve only those. Give glance_api_hosts one host, or put glance_file_datadir_volume on a filesystem every host shares`},
		{"host path said to be local", func(in *stores.Input) {
			in.FileDatadirVolume, in.FileDatadirShared = "/srv/glance", bp(false)
		}, `glance_api_hosts (option api_hosts_override) puts glance-api on 3 hosts, "ctl1", "ctl2", "ctl3", while the file store keeps its images on glance_file_datadir_volume "/srv/glance", which is not shared: each host would keep its own images and serve only those. Give glance_api_hosts one host, or put glance_file_datadir_volume on a filesystem every host shares`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := kollaDefaults("ctl1", "ctl2", "ctl3")
			in.APIHostsOverride = []string{"ctl1", "ctl2", "ctl3"}
			tt.mod(&in)
			sel, err := stores.Select(in)
			require.Error(t, err)
			assert.Equal(t, stores.Selection{}, sel)
			assert.Equal(t, []string{tt.reason}, reasonsOf(err))
			assert.Empty(t, problem.Of(err).Arguments())
		})
	}
}

func TestOverrideErrors(t *testing.T) {
	for _, tt := range []struct {
		name     string
		override []string
		want     []string
	}{
		{"empty", []string{}, []string{`api_hosts_override: the list is empty; give the hosts that run glance-api (kolla's glance_api_hosts), at least one, or leave it unset to derive them`}},
		{"stranger", []string{"ctl1", "ctl9", "ctl8"}, []string{`api_hosts_override: "ctl9", "ctl8" are not in api_hosts (the glance-api group); glance-api runs only on hosts of that group, so every host of the override must be one of them`}},
		{"duplicate and blank", []string{"ctl2", " ", "ctl2"}, []string{
			`api_hosts_override[1]: empty host name; every item must be a non-empty inventory host name`,
			`api_hosts_override: duplicate host names "ctl2"; each host may appear only once`,
		}},
		{"newline", []string{"ctl1\n[DEFAULT]"}, []string{
			`api_hosts_override[0]: "ctl1\n[DEFAULT]" contains a newline at byte 4; glance-api.conf values are single lines without control characters`,
			`api_hosts_override: "ctl1\n[DEFAULT]" is not in api_hosts (the glance-api group); glance-api runs only on hosts of that group, so every host of the override must be one of them`,
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := kollaDefaults("ctl1", "ctl2", "ctl3")
			in.FileDatadirVolume = "/mnt/nfs/glance"
			in.APIHostsOverride = tt.override
			_, err := stores.Select(in)
			require.Error(t, err)
			assert.Equal(t, tt.want, argumentTexts(err))
			assert.Empty(t, problem.Of(err).Refusals())
		})
	}
}
