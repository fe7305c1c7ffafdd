package stores_test

import (
	"testing"

	"github.com/kolla-glance/kolla-glance/internal/problem"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kolla-glance/kolla-glance/internal/glance/release"
	"github.com/kolla-glance/kolla-glance/internal/glance/stores"
)

// cacheOn is kolla's defaults on three hosts sharing an NFS volume, with the
// image cache on and an address for each host.
func cacheOn() stores.Input {
	in := kollaDefaults("ctl1", "ctl2", "ctl3")
	in.FileDatadirVolume = "/mnt/nfs/glance"
	in.ImageCache = true
	in.Cache = stores.CacheSettings{
		Addresses: map[string]string{"ctl1": "10.0.0.11", "ctl2": "10.0.0.12", "ctl3": "fd00::13"},
		Port:      9292,
	}
	return in
}

func TestCacheSettingsEveryRelease(t *testing.T) {
	for _, rel := range release.Kolla() {
		in := cacheOn()
		in.Release = rel
		sel, err := stores.Select(in)
		require.NoError(t, err, rel)
		assert.Equal(t, &stores.Cache{
			Driver: "centralized_db",
			Flavor: "keystone+cachemanagement",
			Dir:    "/var/lib/glance/image-cache",
			WorkerSelfReferenceURL: map[string]string{
				"ctl1": "http://10.0.0.11:9292",
				"ctl2": "http://10.0.0.12:9292",
				"ctl3": "http://[fd00::13]:9292",
			},
		}, sel.Cache, rel)
	}
}

func TestCacheSettingsTLSOwnPortsAndFlavor(t *testing.T) {
	in := cacheOn()
	in.Cache.TLS = true
	in.Cache.Ports = map[string]int{"ctl2": 19292}
	in.Cache.Flavor = "keystone+cache"
	sel, err := stores.Select(in)
	require.NoError(t, err)
	assert.Equal(t, "keystone+cache", sel.Cache.Flavor)
	assert.Equal(t, map[string]string{
		"ctl1": "https://10.0.0.11:9292",
		"ctl2": "https://10.0.0.12:19292",
		"ctl3": "https://[fd00::13]:9292",
	}, sel.Cache.WorkerSelfReferenceURL)
}

func TestCacheOnlyForTheHostsThatRunGlanceAPI(t *testing.T) {
	in := cacheOn()
	in.FileDatadirVolume = "glance" // pinned to ctl1
	delete(in.Cache.Addresses, "ctl3")
	sel, err := stores.Select(in)
	require.NoError(t, err)
	assert.Equal(t, []string{"ctl1"}, sel.APIHosts)
	assert.Equal(t, map[string]string{"ctl1": "http://10.0.0.11:9292"}, sel.Cache.WorkerSelfReferenceURL)

	in.FileDatadirVolume = "/mnt/nfs/glance"
	in.APIHostsOverride = []string{"ctl2"}
	sel, err = stores.Select(in)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"ctl2": "http://10.0.0.12:9292"}, sel.Cache.WorkerSelfReferenceURL)
}

func TestCacheOffNeedsNoCacheSettings(t *testing.T) {
	in := kollaDefaults("ctl1", "ctl2")
	in.Cache.Flavor = "keystone"
	sel, err := stores.Select(in)
	require.NoError(t, err)
	assert.Nil(t, sel.Cache, "no cache settings, and no refusal of a flavor without cache")
}

func TestCacheFlavorWithoutCacheIsRefused(t *testing.T) {
	for _, flavor := range []string{"keystone+caching", "keystone"} {
		in := cacheOn()
		in.Cache.Flavor = flavor
		_, err := stores.Select(in)
		require.Error(t, err, flavor)
		assert.Equal(t, []string{
			`paste_flavor "` + flavor + `" has no "cache" in it while the image cache is on (enable_glance_image_cache): Glance 2024.1 and later run the worker_self_reference_url startup check and move an old sqlite cache into the database only when the paste flavor contains "cache", so the cache would run unchecked and its pruner could loop forever. Use "keystone+cachemanagement", kolla's flavor, or leave paste_flavor unset`,
		}, reasonsOf(err), flavor)
		assert.Empty(t, problem.Of(err).Arguments())
		assert.Equal(t, []string{"paste_flavor", "image_cache"}, problem.Of(err).Refusals()[0].Options)
	}
}

func TestCacheErrors(t *testing.T) {
	tests := []struct {
		name string
		mod  func(in *stores.Input)
		want []string
	}{
		{"no addresses", func(in *stores.Input) { in.Cache.Addresses = nil }, []string{
			`api_interface_addresses: no address for "ctl1", "ctl2", "ctl3"; the image cache is on, and from kolla-ansible 2024.1 on each glance-api needs its own worker_self_reference_url, made of its API address (api_interface_address) and port: give api_interface_addresses for every host that runs glance-api`,
		}},
		{"two hosts, one URL", func(in *stores.Input) { in.Cache.Addresses["ctl3"] = "10.0.0.11" }, []string{
			`api_interface_addresses: "ctl1", "ctl3" would all use worker_self_reference_url http://10.0.0.11:9292; the image cache tells glance-api hosts apart by that URL, so give each host its own address in api_interface_addresses or its own port in api_ports`,
		}},
		{"an address for a stranger", func(in *stores.Input) { in.Cache.Addresses["ctl9"] = "10.0.0.19" }, []string{
			`api_interface_addresses: "ctl9" is not in api_hosts; give an address for hosts of the glance-api group only`,
		}},
		{"not an address", func(in *stores.Input) { in.Cache.Addresses["ctl2"] = "10.0.0.12/24" }, []string{
			`api_interface_addresses[ctl2]: "10.0.0.12/24" is not an API address; give the host's api_interface_address, an IPv4 or IPv6 address or a DNS name (letters, digits, '.', '-', '_' and ':')`,
		}},
		{"bad ports", func(in *stores.Input) {
			in.Cache.Port = 0
			in.Cache.Ports = map[string]int{"ctl1": 70000, "ctl9": 1}
		}, []string{
			`api_ports[ctl1]: 70000 is not a TCP port; give a port from 1 to 65535`,
			`api_ports: "ctl9" is not in api_hosts; give a port for hosts of the glance-api group only`,
			`api_port: 0 is not a TCP port; give glance_api_port, from 1 to 65535`,
		}},
		{"not a flavor", func(in *stores.Input) { in.Cache.Flavor = "keystone+cache\n[DEFAULT]" }, []string{
			`paste_flavor: "keystone+cache\n[DEFAULT]" is not a paste flavor; give pipeline names made of letters, digits, '_' and '-', joined by '+' (kolla's is "keystone+cachemanagement")`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := cacheOn()
			tt.mod(&in)
			_, err := stores.Select(in)
			require.Error(t, err)
			assert.Equal(t, tt.want, argumentTexts(err))
		})
	}
}
