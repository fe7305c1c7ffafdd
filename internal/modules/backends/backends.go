// Package backends is the kolla.glance.backends module: its argument spec and
// the glue between validated parameters and the pure selection logic in
// internal/glance/backends.
package backends

import (
	"github.com/kolla-glance/kolla-glance/internal/ansible"
	"github.com/kolla-glance/kolla-glance/internal/glance/backends"
)

func desc(s ...string) []string { return s }

// Spec declares the module once: options, documentation and return values.
func Spec() *ansible.Spec {
	return &ansible.Spec{
		Name:             "backends",
		Collection:       "kolla.glance",
		VersionAdded:     "0.1.0",
		ShortDescription: "Compute Glance's store backends, default store and glance-api hosts as kolla-ansible does, with its gaps fixed",
		Description: desc(
			"Takes kolla-ansible's Glance backend variables and returns the enabled_backends list and its glance-api.conf value, the default backend, the hosts that may run glance-api and the per-store glance-api.conf sections as data, so a role template needs no store logic of its own.",
			"Decisions match kolla-ansible: enabled_backends order s3, file, http, vmware, cinder, swift, then the enabled ceph entries; default precedence vmware > ceph > swift > s3 > file; the file store on by default only when ceph, swift, vmware and s3 are all off; glance-api on the first host only when the file store is on and not shared.",
			"Fixes upstream gaps: only enabled ceph entries are enabled or get sections, and the default is the first enabled one; s3 settings must be non-empty; a default that is not enabled, no image store at all, duplicate names and contradictory settings are errors, all reported together in one message.",
			"A compute-only module: by default it runs on the controller without a remote round trip (set the variable kolla_glance_compute_on=target to run it on the target).",
		),
		SupportsCheckMode: true,
		Options: []ansible.Option{
			{Name: "api_hosts", Type: ansible.TypeList, Elements: ansible.TypeStr, Required: true,
				Description: desc("The glance-api inventory group, in order (kolla: C(groups['glance-api']))."),
			},
			{Name: "file", Type: ansible.TypeBool,
				Description: desc("glance_backend_file. Null (the default) means on unless ceph, swift, vmware or s3 is on."),
			},
			{Name: "ceph", Type: ansible.TypeBool, Default: false, Description: desc("glance_backend_ceph.")},
			{Name: "ceph_backends", Type: ansible.TypeList, Elements: ansible.TypeDict,
				Default:     []any{map[string]any{"name": "rbd", "type": "rbd", "cluster": "ceph", "pool": "images", "user": "glance", "enabled": true}},
				Description: desc("glance_ceph_backends: one entry per Ceph cluster. Only entries with enabled true count, and only when ceph is on."),
				Options: []ansible.Option{
					{Name: "name", Type: ansible.TypeStr, Required: true, Description: desc("Store name, also the glance-api.conf section name.")},
					{Name: "type", Type: ansible.TypeStr, Default: "rbd", Choices: []any{"rbd"}, Description: desc("Store type.")},
					{Name: "cluster", Type: ansible.TypeStr, Default: "ceph", Description: desc("Ceph cluster name: the store reads /etc/ceph/CLUSTER.conf.")},
					{Name: "pool", Type: ansible.TypeStr, Default: "images", Description: desc("RBD pool (ceph_glance_pool_name).")},
					{Name: "user", Type: ansible.TypeStr, Default: "glance", Description: desc("Ceph user (ceph_glance_user).")},
					{Name: "enabled", Type: ansible.TypeBool, Default: true, Description: desc("Whether this cluster is a store.")},
				},
			},
			{Name: "swift", Type: ansible.TypeBool, Default: false, Description: desc("glance_backend_swift.")},
			{Name: "swift_store_region", Type: ansible.TypeStr, Default: "RegionOne", Description: desc("swift_store_region of the swift section (openstack_region_name).")},
			{Name: "vmware", Type: ansible.TypeBool, Default: false, Description: desc("glance_backend_vmware.")},
			{Name: "vmware_server_host", Type: ansible.TypeStr, Description: desc("vmware_vcenter_host_ip; required when vmware is on.")},
			{Name: "vmware_server_username", Type: ansible.TypeStr, Description: desc("vmware_vcenter_host_username.")},
			{Name: "vmware_server_password", Type: ansible.TypeStr, NoLog: true, Description: desc("vmware_vcenter_host_password. Checked, never returned: the role adds it to the vmware section.")},
			{Name: "vmware_datastores", Type: ansible.TypeStr, Description: desc("C(vmware_vcenter_name:vmware_datastore_name); required when vmware is on.")},
			{Name: "s3", Type: ansible.TypeBool, Default: false, Description: desc("glance_backend_s3. Then s3_url, s3_bucket, s3_access_key and s3_secret_key must be non-empty.")},
			{Name: "s3_url", Type: ansible.TypeStr, Description: desc("glance_backend_s3_url.")},
			{Name: "s3_bucket", Type: ansible.TypeStr, Description: desc("glance_backend_s3_bucket.")},
			{Name: "s3_access_key", Type: ansible.TypeStr, Description: desc("glance_backend_s3_access_key.")},
			{Name: "s3_secret_key", Type: ansible.TypeStr, NoLog: true, Description: desc("glance_backend_s3_secret_key. Checked, never returned: the role adds it to the s3 section.")},
			{Name: "cinder", Type: ansible.TypeBool, Default: false, Description: desc("enable_cinder: adds the cinder store.")},
			{Name: "http", Type: ansible.TypeBool, Default: true, Description: desc("The always-on, read-only http store.")},
			{Name: "file_datadir_volume", Type: ansible.TypeStr, Default: "glance", Description: desc("glance_file_datadir_volume: a named volume, or a host path (for example an NFS mount).")},
			{Name: "file_datadir_shared", Type: ansible.TypeBool,
				Description: desc("Whether the file store's data dir is shared by every glance-api host. Null (the default) applies kolla's rule: shared unless the volume is the named volume C(glance). Say false for a host path that is not shared: kolla's string comparison cannot tell."),
			},
			{Name: "default_backend", Type: ansible.TypeStr, Description: desc("An explicit default backend; must name an enabled backend. Null derives it by precedence.")},
			{Name: "image_cache", Type: ansible.TypeBool, Default: false, Description: desc("enable_glance_image_cache; only used for warnings (the cache is not recommended with ceph).")},
		},
		Notes: desc(
			"Warnings: ceph together with the image cache (nova copies images straight from ceph, so the cache only wastes storage); the file store pinning glance-api to the first host while api_hosts has several.",
		),
		SeeAlso: []string{"kolla.glance.upgrade_plan", "kolla.glance.cache_cron"},
		Author:  []string{"kolla-glance contributors"},
		Examples: `- name: Select Glance backends from kolla-ansible's variables
  kolla.glance.backends:
    api_hosts: "{{ groups['glance-api'] }}"
    file: "{{ glance_backend_file | default(omit) }}"
    ceph: "{{ glance_backend_ceph | default('no') }}"
    s3: "{{ glance_backend_s3 | default('no') }}"
    cinder: "{{ enable_cinder | default('no') }}"
    file_datadir_volume: "{{ glance_file_datadir_volume | default('glance') }}"
    image_cache: "{{ enable_glance_image_cache | default('no') }}"
  register: glance_backends

- name: Two Ceph clusters; the first enabled one is the default
  kolla.glance.backends:
    api_hosts: [control01, control02, control03]
    ceph: true
    ceph_backends:
      - {name: ceph1-rbd, cluster: ceph1, enabled: false}
      - {name: ceph2-rbd, cluster: ceph2}
  register: multi_ceph

- name: Show the enabled_backends line of glance-api.conf
  ansible.builtin.debug:
    msg: "enabled_backends = {{ glance_backends.enabled_backends_conf }}"
`,
		Returns: []ansible.Return{
			{Name: "enabled_backends", Type: "list", Elements: "dict", Returned: "success",
				Description: desc("Enabled stores, in kolla's order: s3, file, http, vmware, cinder, swift, then the enabled ceph entries."),
				Sample:      []any{map[string]any{"name": "file", "type": "file"}, map[string]any{"name": "http", "type": "http"}},
				Contains: []ansible.Return{
					{Name: "name", Type: "str", Returned: "always", Description: desc("Store name.")},
					{Name: "type", Type: "str", Returned: "always", Description: desc("Store type.")},
				}},
			{Name: "enabled_backends_conf", Type: "str", Returned: "success", Sample: "file:file, http:http",
				Description: desc("The value of glance-api.conf's enabled_backends: items name:type joined by ', '.")},
			{Name: "default_backend", Type: "str", Returned: "success", Sample: "file",
				Description: desc("The default store: default_backend when given, else vmware > ceph (first enabled entry) > swift > s3 > file.")},
			{Name: "api_hosts", Type: "list", Elements: "str", Returned: "success", Sample: []any{"control01"},
				Description: desc("Hosts that run glance-api: only the first host when the file store is on and not shared, else all, in order.")},
			{Name: "file_enabled", Type: "bool", Returned: "success", Sample: true, Description: desc("Whether the file store is on.")},
			{Name: "file_datadir_shared", Type: "bool", Returned: "success", Sample: false, Description: desc("The sharedness decision used.")},
			{Name: "rolling_upgrade_safe", Type: "bool", Returned: "success", Sample: false,
				Description: desc("False when glance-api is pinned to one host by a non-shared file store (a rolling upgrade would corrupt it).")},
			{Name: "store_sections", Type: "dict", Returned: "success",
				Sample:      map[string]any{"glance_store": map[string]any{"default_backend": "file"}, "file": map[string]any{"filesystem_store_datadir": "/var/lib/glance/images/"}},
				Description: desc("glance-api.conf sections for the stores, section -> key -> value, secrets left out.")},
		},
	}
}

// Run selects the backends from validated parameters.
func Run(ctx *ansible.Context) (*ansible.Result, error) {
	p := ctx.Params
	in := backends.Input{
		APIHosts:          p.Strings("api_hosts"),
		File:              p.OptBool("file"),
		Ceph:              p.Bool("ceph"),
		Swift:             p.Bool("swift"),
		VMware:            p.Bool("vmware"),
		S3:                p.Bool("s3"),
		Cinder:            p.Bool("cinder"),
		HTTP:              p.Bool("http"),
		FileDatadirVolume: p.String("file_datadir_volume"),
		FileDatadirShared: p.OptBool("file_datadir_shared"),
		DefaultBackend:    p.String("default_backend"),
		ImageCache:        p.Bool("image_cache"),
		S3Settings: backends.S3Settings{
			URL: p.String("s3_url"), Bucket: p.String("s3_bucket"),
			AccessKey: p.String("s3_access_key"), SecretKey: p.String("s3_secret_key"),
		},
		SwiftSettings: backends.SwiftSettings{Region: p.String("swift_store_region")},
		VMwareSettings: backends.VMwareSettings{
			ServerHost: p.String("vmware_server_host"), ServerUsername: p.String("vmware_server_username"),
			ServerPassword: p.String("vmware_server_password"), Datastores: p.String("vmware_datastores"),
		},
	}
	for _, c := range p.Dicts("ceph_backends") {
		in.CephBackends = append(in.CephBackends, backends.CephBackend{
			Name: c.String("name"), Type: c.String("type"), Cluster: c.String("cluster"),
			Pool: c.String("pool"), User: c.String("user"), Enabled: c.Bool("enabled"),
		})
	}
	sel, err := backends.Select(in)
	if err != nil {
		return nil, err
	}
	for _, w := range sel.Warnings {
		ctx.Warn(w)
	}
	return &ansible.Result{Values: sel}, nil
}
