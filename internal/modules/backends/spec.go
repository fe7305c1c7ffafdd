// Package backends is the kolla.glance.backends module: its argument spec and
// the glue between validated parameters and the pure selection logic in
// internal/glance/stores.
package backends

import (
	"github.com/kolla-glance/kolla-glance/internal/ansible"
	"github.com/kolla-glance/kolla-glance/internal/glance/release"
)

func desc(s ...string) []string { return s }

// releaseChoices are kolla-ansible's openstack_release values the module
// knows, oldest first.
func releaseChoices() []any {
	var out []any
	for _, r := range release.Kolla() {
		out = append(out, string(r))
	}
	return out
}

// Spec declares the module once: options, documentation and return values.
func Spec() *ansible.Spec {
	return &ansible.Spec{
		Name:             "backends",
		Collection:       "kolla.glance",
		VersionAdded:     "0.1.0",
		ShortDescription: "Compute Glance's store backends, default store, glance-api hosts and image cache settings as a given kolla-ansible release does, with its gaps fixed",
		Description: desc(
			"Takes kolla-ansible's Glance backend variables and returns the enabled_backends list and its glance-api.conf value, the default backend, the hosts that may run glance-api, the per-store glance-api.conf sections and the image cache settings as data, so a role template needs no store logic of its own.",
			"Decisions match the glance role of openstack_release (2024.1, 2025.1, 2025.2, 2026.1 or master): enabled_backends order s3, file, http, vmware, cinder, swift, then the enabled ceph entries; the default by precedence vmware > ceph > swift > s3 > file over the stores the release has; the file store on by default only when the release's other image stores are all off; glance-api on the first host only when the file store is on and not shared, unless api_hosts_override (glance_api_hosts) says otherwise.",
			"Refuses, with a result carrying refused=true and the reasons, what the release no longer has (swift from 2025.1, vmware from 2025.2), a glance_api_hosts override that puts several glance-api on an unshared file store, and with the image cache on a paste flavor without C(cache).",
			"Fixes upstream gaps: only enabled ceph entries are enabled or get sections, and the default is the first enabled one; s3 settings must be non-empty; a default that is not enabled, no image store at all, duplicate names, contradictory settings and two glance-api hosts with one worker_self_reference_url are errors, all reported together in one message.",
			"A compute-only module: by default it runs on the controller without a remote round trip (set the variable kolla_glance_compute_on=target to run it on the target).",
		),
		SupportsCheckMode: true,
		Options: []ansible.Option{
			{Name: "openstack_release", Type: ansible.TypeStr, Default: string(release.NewestStable), Choices: releaseChoices(),
				Description: desc("openstack_release: the kolla-ansible release whose glance role's rules apply. Swift is a store up to 2024.1 and vmware up to 2025.1; the [cinder] section is rendered from 2026.1; on 2024.1 every ceph section uses one pool and one user. The default is the newest stable release."),
			},
			{Name: "api_hosts", Type: ansible.TypeList, Elements: ansible.TypeStr, Required: true,
				Description: desc("The glance-api inventory group, in order (kolla: C(groups['glance-api']))."),
			},
			{Name: "api_hosts_override", Type: ansible.TypeList, Elements: ansible.TypeStr,
				Description: desc("glance_api_hosts when the operator set it: the hosts that run glance-api, in order, each of them in api_hosts. Null (the default) derives them. Several hosts on a file store that is not shared are refused."),
			},
			{Name: "file", Type: ansible.TypeBool,
				Description: desc("glance_backend_file. Null (the default) applies the release's rule: on unless ceph or s3 is on (and, where the release has them, swift or vmware)."),
			},
			{Name: "ceph", Type: ansible.TypeBool, Default: false, Description: desc("glance_backend_ceph.")},
			{Name: "ceph_backends", Type: ansible.TypeList, Elements: ansible.TypeDict,
				Default:     []any{map[string]any{"name": "rbd", "type": "rbd", "cluster": "ceph", "pool": "images", "user": "glance", "enabled": true}},
				Description: desc("glance_ceph_backends: one entry per Ceph cluster. Only entries with enabled true count, and only when ceph is on. On 2024.1, whose entries have no pool or user, give every entry ceph_glance_pool_name and ceph_glance_user."),
				Options: []ansible.Option{
					{Name: "name", Type: ansible.TypeStr, Required: true, Description: desc("Store name, also the glance-api.conf section name.")},
					{Name: "type", Type: ansible.TypeStr, Default: "rbd", Choices: []any{"rbd"}, Description: desc("Store type.")},
					{Name: "cluster", Type: ansible.TypeStr, Default: "ceph", Description: desc("Ceph cluster name: the store reads /etc/ceph/CLUSTER.conf.")},
					{Name: "pool", Type: ansible.TypeStr, Default: "images", Description: desc("RBD pool (ceph_glance_pool_name).")},
					{Name: "user", Type: ansible.TypeStr, Default: "glance", Description: desc("Ceph user (ceph_glance_user).")},
					{Name: "enabled", Type: ansible.TypeBool, Default: true, Description: desc("Whether this cluster is a store.")},
				},
			},
			{Name: "swift", Type: ansible.TypeBool, Default: false, Description: desc("glance_backend_swift (kolla-ansible 2024.1, where it defaults to enable_swift). Refused from 2025.1.")},
			{Name: "swift_store_region", Type: ansible.TypeStr, Default: "RegionOne", Description: desc("swift_store_region of the swift section (openstack_region_name).")},
			{Name: "vmware", Type: ansible.TypeBool, Default: false, Description: desc("glance_backend_vmware (up to kolla-ansible 2025.1). Refused from 2025.2.")},
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
			{Name: "image_cache", Type: ansible.TypeBool, Default: false,
				Description: desc("enable_glance_image_cache. When true, the result carries the cache settings (Glance's centralized_db cache, kolla-ansible 2024.1 on), which need api_interface_addresses; with ceph it also warns (the cache is not recommended with ceph)."),
			},
			{Name: "api_interface_addresses", Type: ansible.TypeDict,
				Description: desc("Each glance-api host's API address (kolla's api_interface_address), by inventory host name; an IPv6 address is put in brackets. Required for every host that runs glance-api when image_cache is true: it makes the host's worker_self_reference_url."),
			},
			{Name: "api_port", Type: ansible.TypeInt, Default: 9292, Description: desc("glance_api_port, the port of worker_self_reference_url.")},
			{Name: "api_ports", Type: ansible.TypeDict,
				Description: desc("A host's own API port by inventory host name, where it differs from api_port (a glance_api_port set per host)."),
			},
			{Name: "tls_backend", Type: ansible.TypeBool, Default: false, Description: desc("glance_enable_tls_backend: worker_self_reference_url uses https.")},
			{Name: "paste_flavor", Type: ansible.TypeStr,
				Description: desc("The [paste_deploy] flavor when the image cache is on. Null (the default) is kolla's C(keystone+cachemanagement). A flavor without C(cache) is refused: Glance then skips its worker_self_reference_url startup check and the migration of an old sqlite cache."),
			},
		},
		Notes: desc(
			"Warnings: ceph together with the image cache (nova copies images straight from ceph, so the cache only wastes storage); the file store pinning glance-api to the first host while api_hosts has several.",
			"A refusal fails the task with refused=true and reasons (one sentence each, naming the globals.yml variable and the option); argument errors (types, choices, unknown options, empty or contradictory values) fail without them.",
		),
		SeeAlso: []string{"kolla.glance.upgrade_plan", "kolla.glance.cache_cron"},
		Author:  []string{"kolla-glance contributors"},
		Examples: `- name: Select Glance backends from kolla-ansible's variables
  kolla.glance.backends:
    openstack_release: "{{ openstack_release | default('2026.1') }}"
    api_hosts: "{{ groups['glance-api'] }}"
    api_hosts_override: "{{ glance_api_hosts | default(omit) }}"
    file: "{{ glance_backend_file | default(omit) }}"
    ceph: "{{ glance_backend_ceph | default('no') }}"
    s3: "{{ glance_backend_s3 | default('no') }}"
    cinder: "{{ enable_cinder | default('no') }}"
    file_datadir_volume: "{{ glance_file_datadir_volume | default('glance') }}"
    image_cache: "{{ enable_glance_image_cache | default('no') }}"
  register: glance_store_selection

- name: Two Ceph clusters; the first enabled one is the default
  kolla.glance.backends:
    api_hosts: [control01, control02, control03]
    ceph: true
    ceph_backends:
      - {name: ceph1-rbd, cluster: ceph1, enabled: false}
      - {name: ceph2-rbd, cluster: ceph2}
  register: multi_ceph

- name: The image cache on three hosts sharing an NFS data dir
  kolla.glance.backends:
    api_hosts: [control01, control02, control03]
    file_datadir_volume: /mnt/nfs/glance
    image_cache: true
    api_interface_addresses:
      control01: 192.0.2.11
      control02: 192.0.2.12
      control03: 192.0.2.13
  register: with_cache

- name: kolla-ansible 2024.1, where Swift is still a store (glance_backend_swift defaults to enable_swift)
  kolla.glance.backends:
    openstack_release: "2024.1"
    api_hosts: [control01, control02, control03]
    swift: "{{ glance_backend_swift | default(enable_swift | default('no')) }}"

- name: Show the enabled_backends line and a worker_self_reference_url of glance-api.conf
  ansible.builtin.debug:
    msg:
      - "enabled_backends = {{ glance_store_selection.enabled_backends_conf }}"
      - "worker_self_reference_url = {{ with_cache.cache.worker_self_reference_url.control01 }}"
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
				Description: desc("The default store: default_backend when given, else vmware > ceph (first enabled entry) > swift > s3 > file over the stores the release has.")},
			{Name: "api_hosts", Type: "list", Elements: "str", Returned: "success", Sample: []any{"control01"},
				Description: desc("Hosts that run glance-api: api_hosts_override when given; else only the first host when the file store is on and not shared, else all, in order.")},
			{Name: "file_enabled", Type: "bool", Returned: "success", Sample: true, Description: desc("Whether the file store is on.")},
			{Name: "file_datadir_shared", Type: "bool", Returned: "success", Sample: false, Description: desc("The sharedness decision used.")},
			{Name: "rolling_upgrade_safe", Type: "bool", Returned: "success", Sample: false,
				Description: desc("False when glance-api is pinned to one host by a non-shared file store (a rolling upgrade would corrupt it).")},
			{Name: "store_sections", Type: "dict", Returned: "success",
				Sample:      map[string]any{"glance_store": map[string]any{"default_backend": "file"}, "file": map[string]any{"filesystem_store_datadir": "/var/lib/glance/images/"}},
				Description: desc("glance-api.conf sections for the stores, section -> key -> value, secrets left out.")},
			{Name: "cache", Type: "dict", Returned: "success, when image_cache is true",
				Description: desc("The image cache settings glance-api.conf needs."),
				Contains: []ansible.Return{
					{Name: "driver", Type: "str", Returned: "always", Sample: "centralized_db", Description: desc("image_cache_driver.")},
					{Name: "flavor", Type: "str", Returned: "always", Sample: "keystone+cachemanagement", Description: desc("The [paste_deploy] flavor; it contains C(cache).")},
					{Name: "image_cache_dir", Type: "str", Returned: "always", Sample: "/var/lib/glance/image-cache", Description: desc("image_cache_dir.")},
					{Name: "worker_self_reference_url", Type: "dict", Returned: "always", Sample: map[string]any{"control01": "http://192.0.2.11:9292"},
						Description: desc("Each glance-api host's worker_self_reference_url, by host; no two are equal.")},
				}},
			{Name: "refused", Type: "bool", Returned: "failure, when a setting is refused", Sample: true,
				Description: desc("True when the task failed because a setting is refused rather than malformed; msg then starts with the first reason.")},
			{Name: "reasons", Type: "list", Elements: "str", Returned: "failure, when a setting is refused",
				Sample:      []any{"vmware was removed in kolla-ansible 2025.2: set glance_backend_vmware to no and choose ceph, s3 or file instead (...)"},
				Description: desc("One sentence per refusal.")},
			ansible.ProblemsReturn(),
		},
	}
}
