package backends_test

// Fuzz targets for the backends module's argument handling, run through the
// same entry point as the binary (ansible.Execute with an args file):
//
//	go test -run '^$' -fuzz '^FuzzBackendsArgs$' -fuzztime 20s ./internal/modules/backends
//	go test -run '^$' -fuzz '^FuzzBackendsTyped$' -fuzztime 20s ./internal/modules/backends
//
// Every input must give one JSON object on stdout, exit code 0 or 1 matching
// failed, a non-empty msg on failure, no panic (neither in validation nor in
// Run) and no no_log value (s3_secret_key, vmware_server_password) anywhere in
// the result.
// An args file that is not exactly one JSON value must be refused, and check
// and diff mode must follow the exact _ansible_check_mode and _ansible_diff
// keys (Ansible's keys are case-sensitive). Crashers are kept in testdata/fuzz/<FuzzName>/ and replayed by
// a plain `go test`.

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/kolla-glance/kolla-glance/internal/ansible/ansibletest"

	"github.com/kolla-glance/kolla-glance/internal/modules/backends"
)

// fuzzNoLogOptions are the backends options whose values must never be output.
var fuzzNoLogOptions = []string{"s3_secret_key", "vmware_server_password"}

// fuzzSecrets returns the string leaves of the no_log options in an args
// file (decoded as the SDK decodes it: the first JSON value), at least 4
// bytes long. Values made only of the mask texts' characters cannot be
// checked (the mask itself would contain them) and are left out.
func fuzzSecrets(data []byte) []string {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var m map[string]any
	if dec.Decode(&m) != nil || m == nil {
		return nil
	}
	var out []string
	var leaves func(v any)
	leaves = func(v any) {
		switch x := v.(type) {
		case string:
			if len(x) >= 4 && !strings.Contains(x, "*") && !strings.Contains("VALUE_SPECIFIED_IN_NO_LOG_PARAMETER", x) {
				out = append(out, x)
			}
		case []any:
			for _, e := range x {
				leaves(e)
			}
		case map[string]any:
			for _, e := range x {
				leaves(e)
			}
		}
	}
	for _, k := range fuzzNoLogOptions {
		leaves(m[k])
	}
	return out
}

// fuzzRun executes the module on an args file holding data, checks the
// protocol invariants, and that no secret leaks. It returns the result.
func fuzzRun(t *testing.T, dir string, data []byte) map[string]any {
	t.Helper()
	res := fuzzModule.Fuzz(t, dir, data, nil)
	ansibletest.CheckNoSecret(t, data, res, fuzzSecrets(data))
	return res
}

var fuzzModule = ansibletest.Module{Spec: backends.Spec(), Run: backends.Run}

// fuzzKollaSeeds are args files as kolla-ansible's glance role would send
// them (string booleans, empty settings, the _ansible_* keys of a real run),
// and broken ones.
var fuzzKollaSeeds = []string{
	`{"api_hosts": ["control01", "control02", "control03"]}`,
	`{"api_hosts": ["control01", "control02", "control03"], "file": "yes", "ceph": "no", "swift": "no", "s3": "no", "cinder": "yes",
	  "file_datadir_volume": "glance", "image_cache": "no", "_ansible_check_mode": false, "_ansible_no_log": false,
	  "_ansible_debug": false, "_ansible_diff": false, "_ansible_verbosity": 0, "_ansible_version": "2.17.0",
	  "_ansible_module_name": "kolla.glance.backends", "_ansible_syslog_facility": "LOG_USER",
	  "_ansible_selinux_special_fs": ["fuse", "nfs", "vboxsf", "ramfs", "9p", "vfat"], "_ansible_string_conversion_action": "warn",
	  "_ansible_socket": null, "_ansible_shell_executable": "/bin/sh", "_ansible_keep_remote_files": false,
	  "_ansible_tmpdir": null, "_ansible_remote_tmp": "~/.ansible/tmp", "_ansible_ignore_unknown_opts": false,
	  "_ansible_target_log_info": null, "_ansible_tracebacks_for": []}`,
	`{"api_hosts": ["control01", "control02"], "ceph": true, "ceph_backends": [
	  {"name": "ceph1-rbd", "type": "rbd", "cluster": "ceph1", "pool": "images", "user": "glance", "enabled": false},
	  {"name": "ceph2-rbd", "type": "rbd", "cluster": "ceph2", "pool": "images", "user": "glance", "enabled": true}],
	  "image_cache": "yes"}`,
	`{"api_hosts": ["control01"], "s3": "yes", "s3_url": "http://s3.example.invalid:9000", "s3_bucket": "glance-images",
	  "s3_access_key": "AKIAFUZZ", "s3_secret_key": "fuzz-s3-secret", "_ansible_no_log": false}`,
	`{"api_hosts": ["control01"], "vmware": true, "vmware_server_host": "192.0.2.10", "vmware_server_username": "administrator@vsphere.local",
	  "vmware_server_password": "fuzz-vmware-pass", "vmware_datastores": "vcenter1:datastore1", "_ansible_verbosity": 4}`,
	`{"api_hosts": ["control01", "control02"], "file": true, "file_datadir_volume": "/mnt/nfs/glance", "file_datadir_shared": true, "swift": true, "swift_store_region": "RegionTwo"}`,
	`{"api_hosts": ["control01", "control02"], "file": "no", "cinder": "yes", "default_backend": "cinder", "http": "no"}`,
	`{"api_hosts": ["control01"], "s3": "yes", "s3_url": "", "s3_bucket": null, "s3_access_key": "", "s3_secret_key": ""}`,
	`{"api_hosts": "control01,control02", "ceph": 1, "file": 0, "_ansible_check_mode": true, "_ansible_diff": true}`,
	`{"api_hosts": null, "ceph": "maybe", "ceph_backends": "junk", "s3_secret_key": ["fuzz-s3-secret"], "vmware_server_password": {"p": "fuzz-vmware-pass"}}`,
	`{"api_hosts": ["a", "a", " "], "default_backend": "http", "file_datadir_shared": "true", "glance_backend_nfs": true}`,
	`{"api_hosts": ["control01"], "ceph": true, "ceph_backends": [{"name": "glance_store"}, {"name": "rbd\n[DEFAULT]"}, {"enabled": "perhaps", "keyring": "k"}, 1, null]}`,
	`{"api_hosts": ["control01"], "s3_secret_key": "fuzz-s3-secret", "bogus": "fuzz-s3-secret", "ceph": "fuzz-s3-secret"}`,
	`{"api_hosts": ["c\u0000"], "file": 1e400, "swift_store_region": 99999999999999999999, "s3_url": true}`,
	`{"api_hosts": ["control01"]}]`,
	`{"api_hosts": ["control01"]} {"api_hosts": ["control02"]}`,
	`{"_ansible_check_mode": "yes", "api_hosts": ["control01"]}`,
	`[{"api_hosts": ["control01"]}]`, `null`, ``, `{`, "{\"api_hosts\": [\"\xff\"]}",
	`{"api_hosts": [[[[[[["control01"]]]]]]]}`,
	`{"openstack_release": "2024.1", "api_hosts": ["control01", "control02"], "swift": "yes", "vmware": "yes", "vmware_server_host": "vc",
	  "vmware_datastores": "dc:ds", "vmware_server_password": "fuzz-vmware-pass"}`,
	`{"openstack_release": "2025.2", "api_hosts": ["control01"], "vmware": true, "swift": true, "vmware_server_password": "fuzz-vmware-pass"}`,
	`{"api_hosts": ["control01", "control02", "control03"], "api_hosts_override": ["control03", "control01"], "image_cache": "yes",
	  "api_interface_addresses": {"control01": "192.0.2.11", "control03": "2001:db8::13"}, "api_port": "9292", "api_ports": {"control03": "19292"},
	  "tls_backend": "yes", "paste_flavor": "keystone+cachemanagement"}`,
	`{"api_hosts": ["control01"], "image_cache": true, "api_interface_addresses": {"control01": 1}, "api_ports": {"control01": [1]},
	  "paste_flavor": "keystone+caching", "openstack_release": 2025.1, "api_hosts_override": "control01,control09"}`,
}

// FuzzBackendsArgs fuzzes the raw bytes of the args file.
func FuzzBackendsArgs(f *testing.F) {
	for _, s := range fuzzKollaSeeds {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		res := fuzzRun(t, dir, data)
		ansibletest.CheckRefusesInvalidJSON(t, data, res)
	})
}

// fuzzBackendsOptions are the options FuzzBackendsTyped may overwrite.
var fuzzBackendsOptions = []string{
	"api_hosts", "file", "ceph", "ceph_backends", "swift", "swift_store_region", "vmware", "vmware_server_host",
	"vmware_server_username", "vmware_server_password", "vmware_datastores", "s3", "s3_url", "s3_bucket",
	"s3_access_key", "s3_secret_key", "cinder", "http", "file_datadir_volume", "file_datadir_shared",
	"default_backend", "image_cache", "openstack_release", "api_hosts_override", "api_interface_addresses",
	"api_port", "api_ports", "tls_backend", "paste_flavor", "bogus_option",
}

var fuzzWords = []string{"yes", "no", "True", "false", "on", "off", "1", "0", "y", "maybe", "", " "}

// fuzzShapes are the values only backends' options are fuzzed with.
var fuzzShapes = []ansibletest.Shape{
	func(_, _ string, n int64) any { return []any{json.Number(strconv.FormatInt(n, 10)), nil, true} },
	func(s1, s2 string, n int64) any {
		return map[string]any{"name": s1, "cluster": s2, "enabled": n%3 != 0}
	},
	func(s1, s2 string, _ int64) any {
		return []any{map[string]any{"name": s1, "cluster": s2, "pool": s1, "user": s2, "type": "rbd"}, map[string]any{"name": s2}}
	},
	func(s1, s2 string, _ int64) any { return s1 + "," + s2 },
	func(s1, _ string, _ int64) any { return []any{[]any{s1}} },
	func(s1, s2 string, _ int64) any { return map[string]any{s1: s2} },
}

// fuzzValue picks a JSON value of some shape from the fuzzed inputs.
func fuzzValue(kind uint32, s1, s2 string, n int64) any {
	return ansibletest.FuzzValue(kind, s1, s2, n, fuzzWords, fuzzShapes...)
}

// FuzzBackendsTyped builds a realistic kolla args file from fuzzed host names,
// flags and settings, then overwrites up to three options with fuzzed values
// of any JSON shape.
func FuzzBackendsTyped(f *testing.F) {
	f.Add("control01,control02,control03", "RegionOne", "http://s3.example.invalid", "fuzz-secret-1", "fuzz-secret-2", int64(1), uint32(0), uint32(0), uint16(0))
	f.Add("control01", "ceph1", "images", "s3cr3t-key", "vmw-pass", int64(0), uint32(0x010203), uint32(0x080900), uint16(0x0102))
	f.Add("control01,control01", "", " ", "abcd", "abcd", int64(-1), uint32(0x0f1e2d), uint32(0x0d0e0f), uint16(0xffff))
	f.Add("c1,c2", "rbd\n[DEFAULT]", "%", "fuzz-secret-1", "rbd", int64(99), uint32(0x161503), uint32(0x050405), uint16(0x0050))
	f.Add("control01", "fuzz-secret-1", "x", "fuzz-secret-1", "long-password", int64(7), uint32(0x0a0f16), uint32(0x000102), uint16(0x0208))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, hosts, s1, s2, secret1, secret2 string, n int64, sel, kinds uint32, flags uint16) {
		bit := func(i uint) bool { return flags&(1<<i) != 0 }
		tri := func(i uint) any { // null, true or false
			switch (flags >> i) & 3 {
			case 1:
				return true
			case 2:
				return false
			}
			return nil
		}
		hostList := []any{}
		for _, h := range strings.Split(hosts, ",") {
			hostList = append(hostList, h)
		}
		args := map[string]any{
			"api_hosts": hostList, "ceph": bit(0), "swift": bit(1), "vmware": bit(2), "s3": bit(3), "cinder": bit(4),
			"http": !bit(5), "file": tri(6), "file_datadir_shared": tri(8), "image_cache": bit(10),
			"file_datadir_volume":    []string{"glance", "/mnt/nfs/glance", s1}[uint64(n)%3],
			"ceph_backends":          []any{map[string]any{"name": "ceph1-rbd", "cluster": s1, "enabled": bit(11)}, map[string]any{"name": "ceph2-rbd", "cluster": "ceph2"}},
			"s3_url":                 s2,
			"s3_bucket":              "images",
			"s3_access_key":          s1,
			"s3_secret_key":          secret1,
			"vmware_server_host":     s2,
			"vmware_server_username": s1,
			"vmware_server_password": secret2,
			"vmware_datastores":      "vc1:ds1",
		}
		if bit(12) {
			args["default_backend"] = s1
		}
		args["openstack_release"] = []string{"2024.1", "2025.1", "2025.2", "2026.1", "master"}[uint64(n)%5]
		if bit(9) {
			args["image_cache"] = true
			args["api_interface_addresses"] = map[string]any{hostList[0].(string): s2}
			args["paste_flavor"] = s1
		}
		if bit(7) {
			args["api_hosts_override"] = hostList[:1]
		}
		for i := uint(0); i < 3; i++ {
			if (flags>>(13+i))&1 == 0 && i > 0 {
				continue
			}
			opt := fuzzBackendsOptions[uint64(sel>>(8*i)&0xff)%uint64(len(fuzzBackendsOptions))]
			args[opt] = fuzzValue(kinds>>(8*i), s1, s2, n)
		}
		args["_ansible_check_mode"] = n%5 == 0
		args["_ansible_diff"] = n%3 == 0
		data, err := json.Marshal(args)
		if err != nil {
			t.Fatal(err)
		}
		fuzzRun(t, dir, data)
	})
}
