package backends_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A refusal fails with msg starting with the refusal sentence, refused true
// and the reasons; an argument error has neither key.
func TestRefusalResult(t *testing.T) {
	res, raw, code := module.Execute(t, map[string]any{"api_hosts": []any{"control01"}, "vmware": true})
	assert.Equal(t, 1, code, raw)
	assert.Equal(t, true, res["failed"])
	assert.Equal(t, false, res["changed"])
	assert.Equal(t, true, res["refused"])
	reason := "vmware was removed in kolla-ansible 2025.2: set glance_backend_vmware to no and choose ceph, s3 or file instead (option vmware is on while openstack_release is 2026.1, and a deployment that still runs kolla-ansible 2025.1 or older sets openstack_release to that release)"
	assert.Equal(t, []any{reason}, res["reasons"])
	assert.Equal(t, reason, res["msg"], "a refusal reads as a refusal, not as N problems with the arguments")
	assert.NotContains(t, res, "enabled_backends")

	// Two refusals and an argument problem: the refusals lead.
	res, _, _ = module.Execute(t, map[string]any{"api_hosts": []any{"control01"}, "swift": true, "vmware": true, "s3": true,
		"s3_bucket": "b", "s3_access_key": "a", "s3_secret_key": "Unit-S3-Secret"})
	require.Len(t, res["reasons"], 2)
	msg := res["msg"].(string)
	assert.True(t, strings.HasPrefix(msg, "swift was removed in kolla-ansible 2025.1: "), msg)
	assert.Contains(t, msg, "; vmware was removed in kolla-ansible 2025.2: ")
	assert.True(t, strings.HasSuffix(msg, "; and s3_url: s3 is on but s3_url is empty; give the S3 endpoint URL"), msg)
	assert.NotContains(t, msg, "Unit-S3-Secret")

	// The same stores on the release that has them.
	res = module.OK(t, map[string]any{"openstack_release": "2024.1", "api_hosts": []any{"control01"}, "swift": true,
		"vmware": true, "vmware_server_host": "vc", "vmware_datastores": "dc:ds"})
	assert.Equal(t, "vmware", res["default_backend"])
	assert.Equal(t, "http:http, vmware:vmware, swift:swift", res["enabled_backends_conf"])
}

func TestReleaseChoices(t *testing.T) {
	for _, rel := range []string{"2024.1", "2025.1", "2025.2", "2026.1", "master"} {
		res := module.OK(t, map[string]any{"openstack_release": rel, "api_hosts": []any{"control01"}})
		assert.Equal(t, rel, res["invocation"].(map[string]any)["module_args"].(map[string]any)["openstack_release"])
	}
	res, _, _ := module.Execute(t, map[string]any{"openstack_release": "zed", "api_hosts": []any{"control01"}})
	assert.Equal(t, "value of openstack_release must be one of: 2024.1, 2025.1, 2025.2, 2026.1, master, got: zed", res["msg"])
	assert.NotContains(t, res, "refused")
}

func TestOverrideThroughTheModule(t *testing.T) {
	res := module.OK(t, map[string]any{"api_hosts": []any{"control01", "control02", "control03"},
		"file_datadir_volume": "/mnt/nfs/glance", "api_hosts_override": []any{"control02", "control03"}})
	assert.Equal(t, []any{"control02", "control03"}, res["api_hosts"])

	res, _, _ = module.Execute(t, map[string]any{"api_hosts": []any{"control01", "control02", "control03"},
		"api_hosts_override": "control01,control02"})
	assert.Equal(t, true, res["refused"])
	assert.True(t, strings.HasPrefix(res["msg"].(string), "glance_api_hosts (option api_hosts_override) puts glance-api on 2 hosts"), res["msg"])

	res, _, _ = module.Execute(t, map[string]any{"api_hosts": []any{"control01"}, "api_hosts_override": []any{}})
	assert.Equal(t, "api_hosts_override: the list is empty; give the hosts that run glance-api (kolla's glance_api_hosts), at least one, or leave it unset to derive them", res["msg"])
	assert.NotContains(t, res, "refused")
}

func TestCacheThroughTheModule(t *testing.T) {
	// kolla's variables as strings: glance_api_port is "9292", a port set
	// per host may be a string or a number.
	res := module.OK(t, map[string]any{
		"api_hosts":               []any{"control01", "control02"},
		"file_datadir_volume":     "/mnt/nfs/glance",
		"image_cache":             "yes",
		"api_interface_addresses": map[string]any{"control01": "192.0.2.11", "control02": "2001:db8::12"},
		"api_port":                "9292",
		"api_ports":               map[string]any{"control02": "19292"},
		"tls_backend":             "yes",
	})
	assert.Equal(t, map[string]any{"control01": "https://192.0.2.11:9292", "control02": "https://[2001:db8::12]:19292"},
		res["cache"].(map[string]any)["worker_self_reference_url"])

	res, _, _ = module.Execute(t, map[string]any{
		"api_hosts": []any{"control01"}, "image_cache": true,
		"api_interface_addresses": map[string]any{"control01": 42}, "api_ports": map[string]any{"control01": "http"},
	})
	assert.Equal(t, `2 problems with the arguments: (1) api_interface_addresses[control01]: the address must be a string (the host's api_interface_address), got 42; (2) api_ports[control01]: the port must be a whole number, got "http"`, res["msg"])

	res, _, _ = module.Execute(t, map[string]any{"api_hosts": []any{"control01"}, "image_cache": true,
		"api_interface_addresses": "control01=192.0.2.11", "paste_flavor": "keystone+caching"})
	assert.Equal(t, true, res["refused"])
	assert.True(t, strings.HasPrefix(res["msg"].(string), `paste_flavor "keystone+caching" has no "cache" in it`), res["msg"])
}
