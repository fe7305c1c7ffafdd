package backends_test

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kolla-glance/kolla-glance/internal/ansible"
	"github.com/kolla-glance/kolla-glance/internal/ansible/ansibletest"
	"github.com/kolla-glance/kolla-glance/internal/modules/backends"
)

var module = ansibletest.Module{Spec: backends.Spec(), Run: backends.Run}

// everything turns on every store kolla-ansible 2024.1 has, and the cache.
func everything() map[string]any {
	return map[string]any{
		"api_hosts": []any{"control01", "control02", "control03"},
		"file":      true, "file_datadir_volume": "/mnt/nfs/glance",
		"ceph":          true,
		"ceph_backends": []any{map[string]any{"name": "ceph1-rbd", "cluster": "ceph1", "enabled": false}, map[string]any{"name": "ceph2-rbd", "cluster": "ceph2"}},
		"swift":         true, "swift_store_region": "RegionTwo",
		"vmware": true, "vmware_server_host": "192.0.2.10", "vmware_server_username": "admin",
		"vmware_server_password": "VMw-Unit-P4ss", "vmware_datastores": "vc1:ds1",
		"s3": true, "s3_url": "http://s3.example.invalid", "s3_bucket": "images",
		"s3_access_key": "AKIAUNIT", "s3_secret_key": "S3-Unit-S3cret",
		"cinder": true, "image_cache": true,
		"openstack_release":       "2024.1",
		"api_interface_addresses": map[string]any{"control01": "192.0.2.11", "control02": "192.0.2.12", "control03": "192.0.2.13"},
	}
}

func TestReturnsMatchTheDocumentedSpec(t *testing.T) {
	spec := backends.Spec()
	documented := map[string]ansible.Return{}
	for _, r := range spec.Returns {
		documented[r.Name] = r
	}
	require.Len(t, documented, 12, "the spec documents the returns this test knows")
	// Returned only sometimes: cache with the image cache on, refused and
	// reasons on a refusal, problems on a failure the arguments cause.
	conditional := map[string]bool{"cache": true, "refused": true, "reasons": true, "problems": true}

	for name, args := range map[string]map[string]any{
		"kolla defaults": {"api_hosts": []any{"control01", "control02", "control03"}},
		"every store":    everything(),
		"one host":       {"api_hosts": []any{"control01"}, "ceph": "yes"},
	} {
		t.Run(name, func(t *testing.T) {
			res := module.OK(t, args)
			for n := range documented {
				if !conditional[n] {
					assert.Contains(t, res, n, "documented return %s is missing", n)
				}
			}
			_, hasCache := res["cache"]
			assert.Equal(t, args["image_cache"] == true, hasCache)
			assert.NotContains(t, res, "refused")
			assert.NotContains(t, res, "reasons")
			for _, k := range ansibletest.Keys(res) {
				_, doc := documented[k]
				assert.True(t, doc || ansibletest.SDKKey(k), "undocumented top-level key %q", k)
			}
			assert.Equal(t, false, res["changed"])
			// The documented sub-keys of enabled_backends, and nothing else.
			var sub []string
			for _, c := range documented["enabled_backends"].Contains {
				sub = append(sub, c.Name)
			}
			sort.Strings(sub)
			for _, b := range res["enabled_backends"].([]any) {
				assert.Equal(t, sub, ansibletest.Keys(b.(map[string]any)))
			}
			// Types as documented.
			assert.IsType(t, "", res["enabled_backends_conf"])
			assert.IsType(t, "", res["default_backend"])
			assert.IsType(t, []any{}, res["api_hosts"])
			assert.IsType(t, true, res["file_enabled"])
			assert.IsType(t, true, res["file_datadir_shared"])
			assert.IsType(t, true, res["rolling_upgrade_safe"])
			for section, kv := range res["store_sections"].(map[string]any) {
				for k, v := range kv.(map[string]any) {
					assert.IsType(t, "", v, "store_sections.%s.%s", section, k)
				}
			}
		})
	}
}

func TestValuesOfAFullSelection(t *testing.T) {
	res := module.OK(t, everything())
	assert.Equal(t, "s3:s3, file:file, http:http, vmware:vmware, cinder:cinder, swift:swift, ceph2-rbd:rbd", res["enabled_backends_conf"])
	assert.Equal(t, "vmware", res["default_backend"])
	assert.Equal(t, []any{"control01", "control02", "control03"}, res["api_hosts"])
	assert.Equal(t, true, res["rolling_upgrade_safe"])
	sections := res["store_sections"].(map[string]any)
	assert.NotContains(t, sections, "ceph1-rbd", "a disabled ceph entry gets no section")
	assert.Equal(t, map[string]any{"rbd_store_user": "glance", "rbd_store_pool": "images", "rbd_store_ceph_conf": "/etc/ceph/ceph2.conf"}, sections["ceph2-rbd"])
	assert.Equal(t, map[string]any{"s3_store_host": "http://s3.example.invalid", "s3_store_bucket": "images", "s3_store_access_key": "AKIAUNIT"}, sections["s3"])
	assert.Equal(t, map[string]any{"vmware_server_host": "192.0.2.10", "vmware_server_username": "admin", "vmware_datastores": "vc1:ds1", "vmware_insecure": "True"}, sections["vmware"])
	assert.Equal(t, "RegionTwo", sections["swift"].(map[string]any)["swift_store_region"])
	assert.NotContains(t, sections, "cinder", "2024.1 renders no [cinder] section")
	assert.Equal(t, map[string]any{
		"driver": "centralized_db", "flavor": "keystone+cachemanagement", "image_cache_dir": "/var/lib/glance/image-cache",
		"worker_self_reference_url": map[string]any{
			"control01": "http://192.0.2.11:9292", "control02": "http://192.0.2.12:9292", "control03": "http://192.0.2.13:9292",
		},
	}, res["cache"])
}

func TestDefaultsInInvocation(t *testing.T) {
	res := module.OK(t, map[string]any{"api_hosts": "control01,control02", "ceph": "no", "http": "yes"})
	args := res["invocation"].(map[string]any)["module_args"].(map[string]any)
	spec := backends.Spec()
	var names []string
	for _, o := range spec.Options {
		names = append(names, o.Name)
		switch {
		case o.Default != nil:
			assert.Equal(t, ansibletest.Generic(t, o.Default), args[o.Name], "default of %s", o.Name)
		default:
			if o.Name != "api_hosts" {
				assert.Nil(t, args[o.Name], "%s has no default and was not given", o.Name)
			}
		}
	}
	sort.Strings(names)
	assert.Equal(t, names, ansibletest.Keys(args), "module_args holds every option and nothing else")

	// The concrete values a user relies on, and the coerced strings.
	assert.Equal(t, []any{"control01", "control02"}, args["api_hosts"])
	assert.Equal(t, false, args["ceph"])
	assert.Equal(t, true, args["http"])
	assert.Equal(t, "glance", args["file_datadir_volume"])
	assert.Equal(t, "RegionOne", args["swift_store_region"])
	assert.Equal(t, []any{map[string]any{"name": "rbd", "type": "rbd", "cluster": "ceph", "pool": "images", "user": "glance", "enabled": true}}, args["ceph_backends"])
	assert.Nil(t, args["file"])
	assert.Nil(t, args["file_datadir_shared"])
	assert.Nil(t, args["default_backend"])

	// Sub-option defaults are filled in each given entry.
	res = module.OK(t, map[string]any{"api_hosts": []any{"a"}, "ceph": true, "ceph_backends": []any{map[string]any{"name": "x", "enabled": "yes"}}})
	args = res["invocation"].(map[string]any)["module_args"].(map[string]any)
	assert.Equal(t, []any{map[string]any{"name": "x", "type": "rbd", "cluster": "ceph", "pool": "images", "user": "glance", "enabled": true}}, args["ceph_backends"])
	assert.Equal(t, "x", res["default_backend"])
}

func TestKollaStringBooleans(t *testing.T) {
	strs := module.OK(t, map[string]any{"openstack_release": "2024.1", "api_hosts": "a,b,c", "file": "yes", "ceph": "no", "swift": "True", "cinder": 1, "http": "on",
		"image_cache": "false", "file_datadir_volume": "/srv/glance", "file_datadir_shared": "n"})
	natives := module.OK(t, map[string]any{"openstack_release": "2024.1", "api_hosts": []any{"a", "b", "c"}, "file": true, "ceph": false, "swift": true, "cinder": true, "http": true,
		"image_cache": false, "file_datadir_volume": "/srv/glance", "file_datadir_shared": false})
	assert.Equal(t, natives, strs)
	assert.Equal(t, "file:file, http:http, cinder:cinder, swift:swift", strs["enabled_backends_conf"])
	assert.Equal(t, "swift", strs["default_backend"])
	assert.Equal(t, []any{"a"}, strs["api_hosts"])
}

func TestCheckModeGivesTheSameResult(t *testing.T) {
	args := everything()
	normal := module.OK(t, args)
	args["_ansible_check_mode"] = true
	checked := module.OK(t, args)
	assert.Equal(t, normal, checked)
	assert.Equal(t, false, checked["changed"])
}

func TestWarningsComeThrough(t *testing.T) {
	res := module.OK(t, map[string]any{"api_hosts": []any{"control01", "control02", "control03"}})
	require.Len(t, res["warnings"], 1)
	w := res["warnings"].([]any)[0].(string)
	assert.True(t, strings.HasPrefix(w, "file: "), w)
	assert.Contains(t, w, `hosts left out: "control02", "control03"`)

	res = module.OK(t, map[string]any{"api_hosts": []any{"a"}, "ceph": true, "image_cache": true, "api_interface_addresses": map[string]any{"a": "192.0.2.1"}})
	require.Len(t, res["warnings"], 1)
	assert.True(t, strings.HasPrefix(res["warnings"].([]any)[0].(string), "image_cache: "))

	res = module.OK(t, map[string]any{"api_hosts": []any{"a", "b"}, "file_datadir_volume": "glance_nfs"})
	require.Len(t, res["warnings"], 1)
	assert.True(t, strings.HasPrefix(res["warnings"].([]any)[0].(string), "file_datadir_shared: "))

	// The module's warnings and the SDK's own (a number converted to a
	// string) arrive together.
	res = module.OK(t, map[string]any{"api_hosts": []any{"a", json.Number("42")}})
	require.Len(t, res["warnings"], 2, res["warnings"])
	assert.Contains(t, res["warnings"].([]any)[0], "The value 42 (type int) was converted to '42'")
	assert.Equal(t, []any{"a"}, res["api_hosts"])

	res = module.OK(t, map[string]any{"api_hosts": []any{"a", "b"}, "file_datadir_volume": "/mnt/nfs/glance"})
	assert.NotContains(t, res, "warnings")
}

func TestHostileInputsNameTheOption(t *testing.T) {
	hosts := []any{"control01"}
	cases := []struct {
		name string
		args map[string]any
		want []string
	}{
		{"bool", map[string]any{"api_hosts": hosts, "ceph": "maybe"},
			[]string{"argument 'ceph' is of type <class 'str'> and we were unable to convert to bool: The value 'maybe' is not a valid boolean"}},
		{"hosts dict", map[string]any{"api_hosts": map[string]any{"a": 1}},
			[]string{"argument 'api_hosts' is of type <class 'dict'> and we were unable to convert to list"}},
		{"volume list", map[string]any{"api_hosts": hosts, "file_datadir_volume": []any{"x"}},
			[]string{"argument 'file_datadir_volume' is of type <class 'list'> and we were unable to convert to str"}},
		{"unknown", map[string]any{"api_hosts": hosts, "glance_backend_nfs": true},
			[]string{"Unsupported parameters for (kolla.glance.backends) module: glance_backend_nfs. Supported parameters include: api_hosts, api_hosts_override, api_interface_addresses, api_port, api_ports, ceph,"}},
		{"unknown in ceph entry", map[string]any{"api_hosts": hosts, "ceph": true, "ceph_backends": []any{map[string]any{"name": "rbd", "keyring": "k"}}},
			[]string{"Unsupported parameters for (kolla.glance.backends) module: ceph_backends.keyring. Supported parameters include: cluster, enabled, name, pool, type, user."}},
		{"ceph entry without name", map[string]any{"api_hosts": hosts, "ceph": true, "ceph_backends": []any{map[string]any{"enabled": "perhaps"}}},
			[]string{"missing required arguments: name found in 'ceph_backends'.", "argument 'enabled' is of type <class 'str'> found in 'ceph_backends'."}},
		{"ceph entry type", map[string]any{"api_hosts": hosts, "ceph": true, "ceph_backends": []any{map[string]any{"name": "x", "type": "cephfs"}}},
			[]string{"value of type must be one of: rbd, got: cephfs found in 'ceph_backends'."}},
		{"missing api_hosts", map[string]any{"ceph": true}, []string{"missing required arguments: api_hosts"}},
		{"null api_hosts", map[string]any{"api_hosts": nil}, []string{"missing required arguments: api_hosts"}},
		{"empty api_hosts", map[string]any{"api_hosts": []any{}}, []string{"api_hosts: the list is empty"}},
		{"empty host", map[string]any{"api_hosts": []any{"a", " "}}, []string{"api_hosts[1]: empty host name"}},
		{"duplicate hosts", map[string]any{"api_hosts": []any{"a", "b", "a", "b"}}, []string{`api_hosts: duplicate host names "a", "b"`}},
		{"host true", map[string]any{"api_hosts": []any{true}}, []string{"Elements value for option 'api_hosts' is of type <class 'bool'>", "not a string"}},
		{"host null", map[string]any{"api_hosts": []any{nil}}, []string{"Elements value for option 'api_hosts' is of type <class 'NoneType'>"}},
		{"host list", map[string]any{"api_hosts": []any{[]any{"x"}}}, []string{"Elements value for option 'api_hosts' is of type <class 'list'>"}},
		{"host dict", map[string]any{"api_hosts": []any{map[string]any{"a": 1}}}, []string{"Elements value for option 'api_hosts' is of type <class 'dict'>"}},
		{"ceph_backends junk", map[string]any{"api_hosts": hosts, "ceph": true, "ceph_backends": "junk"},
			[]string{"Elements value for option 'ceph_backends' is of type <class 'str'> and we were unable to convert to dict"}},
		{"ceph_backends numbers", map[string]any{"api_hosts": hosts, "ceph": true, "ceph_backends": []any{1, 2}},
			[]string{"2 problems with the arguments: ", "Elements value for option 'ceph_backends' is of type <class 'int'> and we were unable to convert to dict"}},
		{"duplicate ceph names", map[string]any{"api_hosts": hosts, "ceph": true, "ceph_backends": []any{
			map[string]any{"name": "rbd", "cluster": "c1"}, map[string]any{"name": "rbd", "cluster": "c2"}}},
			[]string{`ceph_backends: backend name "rbd" is used by ceph_backends[0] and ceph_backends[1]`}},
		{"ceph name not a section", map[string]any{"api_hosts": hosts, "ceph": true, "ceph_backends": []any{map[string]any{"name": "my rbd"}}},
			[]string{"ceph_backends[0].name", "cannot be a glance-api.conf section name"}},
		{"ceph name reserved", map[string]any{"api_hosts": hosts, "ceph": true, "ceph_backends": []any{map[string]any{"name": "glance_store"}}},
			[]string{"ceph_backends[0].name", "already a section of glance-api.conf"}},
		{"ceph name clashes with a fixed store", map[string]any{"openstack_release": "2024.1", "api_hosts": hosts, "ceph": true, "swift": true, "ceph_backends": []any{map[string]any{"name": "swift"}}},
			[]string{`ceph_backends: backend name "swift" is used by the swift store and ceph_backends[0]`}},
		{"no ceph entry enabled", map[string]any{"api_hosts": hosts, "ceph": true, "ceph_backends": []any{map[string]any{"name": "rbd", "enabled": false}}},
			[]string{"ceph_backends: ceph is on but no entry of ceph_backends is enabled"}},
		{"default not enabled", map[string]any{"api_hosts": hosts, "default_backend": "swift"},
			[]string{`default_backend: "swift" is not an enabled backend; accepted: "file"`}},
		{"default http", map[string]any{"api_hosts": hosts, "default_backend": "http"},
			[]string{`default_backend: "http" is the read-only http store`}},
		{"no store", map[string]any{"api_hosts": hosts, "file": false},
			[]string{"default_backend: no image store is enabled to be the default"}},
		{"no store but cinder", map[string]any{"api_hosts": hosts, "file": "no", "cinder": "yes"},
			[]string{"default_backend: no image store is enabled", `set default_backend to "cinder" explicitly`}},
		{"s3 empty", map[string]any{"api_hosts": hosts, "s3": true, "s3_url": "", "s3_bucket": " "},
			[]string{"4 problems with the arguments: ", "s3_url: s3 is on but s3_url is empty", "s3_bucket: s3 is on but s3_bucket is empty",
				"s3_access_key: s3 is on but s3_access_key is empty", "s3_secret_key: s3 is on but s3_secret_key is empty"}},
		{"vmware empty", map[string]any{"openstack_release": "2025.1", "api_hosts": hosts, "vmware": true},
			[]string{"2 problems with the arguments: ", "vmware_server_host: vmware is on but vmware_server_host is empty", "vmware_datastores: vmware is on but vmware_datastores is empty"}},
		{"empty volume", map[string]any{"api_hosts": hosts, "file_datadir_volume": ""},
			[]string{"file_datadir_volume: empty"}},
		{"shared named volume", map[string]any{"api_hosts": hosts, "file_datadir_volume": "glance", "file_datadir_shared": "true"},
			[]string{`file_datadir_shared: true contradicts file_datadir_volume "glance"`}},
		{"three problems", map[string]any{"api_hosts": []any{"a", "a"}, "default_backend": "swift", "file_datadir_shared": true},
			[]string{"3 problems with the arguments: ", `api_hosts: duplicate host names "a"`, `default_backend: "swift" is not an enabled backend`, "file_datadir_shared: true contradicts"}},
		{"three type errors", map[string]any{"api_hosts": map[string]any{"a": 1}, "ceph": "maybe", "file_datadir_volume": []any{"x"}},
			[]string{"3 problems with the arguments: ", "argument 'api_hosts'", "argument 'ceph'", "argument 'file_datadir_volume'"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, raw, code := module.Execute(t, c.args)
			assert.Equal(t, 1, code, raw)
			assert.Equal(t, true, res["failed"], raw)
			assert.Equal(t, false, res["changed"], raw)
			msg, _ := res["msg"].(string)
			for _, w := range c.want {
				assert.Contains(t, msg, w)
			}
			assert.NotContains(t, res, "enabled_backends", "no half result on failure")
			assert.NotContains(t, res, "refused", "an argument error is not a refusal")
			assert.NotContains(t, msg, "panic")
			assert.Contains(t, res, "invocation")
		})
	}
}

func TestSecretsNeverInTheOutput(t *testing.T) {
	const s3Secret, vmwarePassword = "S3-Unit-S3cret", "VMw-Unit-P4ss"
	mask := "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
	check := func(t *testing.T, args map[string]any) map[string]any {
		t.Helper()
		res, raw, _ := module.Execute(t, args)
		assert.NotContains(t, raw, s3Secret)
		assert.NotContains(t, raw, vmwarePassword)
		return res
	}

	// A good run: the secrets are checked, never returned; invocation masks them.
	res := check(t, everything())
	require.NotContains(t, res, "failed")
	args := res["invocation"].(map[string]any)["module_args"].(map[string]any)
	assert.Equal(t, mask, args["s3_secret_key"])
	assert.Equal(t, mask, args["vmware_server_password"])
	for section, kv := range res["store_sections"].(map[string]any) {
		for k, v := range kv.(map[string]any) {
			assert.NotContains(t, k, "secret", section)
			assert.NotContains(t, k, "password", section)
			assert.NotEqual(t, mask, v, "%s.%s", section, k)
		}
	}

	// Check mode and verbosity do not change that.
	a := everything()
	a["_ansible_check_mode"], a["_ansible_verbosity"], a["_ansible_diff"] = true, 4, true
	check(t, a)

	// A failure of the module's own checks.
	a = everything()
	a["s3_url"], a["vmware_server_host"] = "", ""
	res = check(t, a)
	assert.Equal(t, true, res["failed"])
	assert.Contains(t, res["msg"], "s3_url")

	// Validation errors that would echo the value.
	for name, bad := range map[string]map[string]any{
		"secret as a list":     {"s3_secret_key": []any{s3Secret}, "vmware_server_password": []any{vmwarePassword}},
		"secret as a dict":     {"s3_secret_key": map[string]any{"k": s3Secret}, "vmware_server_password": map[string]any{"p": vmwarePassword}},
		"secret with a NUL":    {"s3_secret_key": s3Secret + "\x00", "vmware_server_password": "\x00" + vmwarePassword},
		"unknown option too":   {"s3_secret_key": s3Secret, "vmware_server_password": vmwarePassword, "bogus": s3Secret},
		"secret in a bad bool": {"s3_secret_key": s3Secret, "vmware_server_password": vmwarePassword, "ceph": vmwarePassword},
	} {
		t.Run(name, func(t *testing.T) {
			a := everything()
			for k, v := range bad {
				a[k] = v
			}
			res := check(t, a)
			assert.Equal(t, true, res["failed"])
		})
	}
}
