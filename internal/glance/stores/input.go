package stores

import "github.com/kolla-glance/kolla-glance/internal/glance/release"

// CephBackend is one entry of glance_ceph_backends (option ceph_backends):
// one RBD store on one ceph cluster. Name is both the backend name in
// enabled_backends and its glance-api.conf section; Type must be "rbd";
// Cluster selects /etc/ceph/<Cluster>.conf. An entry counts only when Input.Ceph
// is true and Enabled is true.
type CephBackend struct {
	Name    string
	Type    string
	Cluster string
	Pool    string
	User    string
	Enabled bool
}

// S3Settings are the s3_url, s3_bucket, s3_access_key and s3_secret_key
// options. All four must be non-empty when the s3 store is on. SecretKey is a
// secret: it never appears in Selection.
type S3Settings struct {
	URL       string
	Bucket    string
	AccessKey string
	SecretKey string
}

// SwiftSettings are the swift store settings rendered in [swift]. Region is
// swift_store_region (kolla uses openstack_region_name, "RegionOne" by
// default; supplying that default is the caller's business).
type SwiftSettings struct {
	Region string
}

// VMwareSettings are the vmware store settings rendered in [vmware].
// ServerHost (vmware_server_host) and Datastores (vmware_datastores, kolla's
// "<vcenter name>:<datastore name>") must be non-empty when the vmware store
// is on. ServerPassword is a secret: it never appears in Selection.
type VMwareSettings struct {
	ServerHost     string
	ServerUsername string
	ServerPassword string
	Datastores     string
}

// CacheSettings are what the image cache's glance-api.conf settings are made
// of (used only when Input.ImageCache is on).
type CacheSettings struct {
	// Addresses is api_interface_addresses: each glance-api host's API address
	// (kolla's api_interface_address), by inventory host name.
	Addresses map[string]string
	// Ports is api_ports: a host's API port when it differs from Port.
	Ports map[string]int
	// Port is api_port (glance_api_port).
	Port int
	// TLS is tls_backend (glance_enable_tls_backend): https instead of http.
	TLS bool
	// Flavor is paste_flavor, the [paste_deploy] flavor; "" = kolla's
	// "keystone+cachemanagement".
	Flavor string
}

// Input mirrors the kolla-ansible variables that decide Glance's stores. The
// field comments name the module option each field carries. Booleans arrive
// already coerced; defaults of the module spec (http true, file_datadir_volume
// "glance", the single "rbd" ceph entry, openstack_release 2026.1, ...) are
// applied by the caller.
type Input struct {
	// Release is openstack_release: whose rules apply.
	Release release.Release
	// APIHosts is api_hosts: the glance-api inventory group, in order.
	APIHosts []string
	// APIHostsOverride is api_hosts_override (kolla's glance_api_hosts when
	// the operator set it). nil = not given: the hosts are derived.
	APIHostsOverride []string
	// File is file (glance_backend_file). nil = derived by the release's
	// rule.
	File *bool
	// Ceph is ceph (glance_backend_ceph).
	Ceph bool
	// CephBackends is ceph_backends (glance_ceph_backends).
	CephBackends []CephBackend
	// Swift is swift (glance_backend_swift; 2024.1 only).
	Swift bool
	// VMware is vmware (glance_backend_vmware; up to 2025.1).
	VMware bool
	// S3 is s3 (glance_backend_s3).
	S3 bool
	// Cinder is cinder (enable_cinder).
	Cinder bool
	// HTTP is http, the read-only http store (always on in kolla).
	HTTP bool
	// S3Settings are s3_url, s3_bucket, s3_access_key, s3_secret_key.
	S3Settings S3Settings
	// SwiftSettings are the swift store settings.
	SwiftSettings SwiftSettings
	// VMwareSettings are the vmware store settings.
	VMwareSettings VMwareSettings
	// FileDatadirVolume is file_datadir_volume (glance_file_datadir_volume):
	// a named volume or a host path, mounted at /var/lib/glance/.
	FileDatadirVolume string
	// FileDatadirShared is file_datadir_shared. nil = kolla's rule: shared
	// unless FileDatadirVolume is the named volume "glance".
	FileDatadirShared *bool
	// DefaultBackend is default_backend. "" = derived by the release's
	// precedence.
	DefaultBackend string
	// ImageCache is image_cache (enable_glance_image_cache).
	ImageCache bool
	// Cache are the image cache's settings (api_interface_addresses, api_ports,
	// api_port, tls_backend, paste_flavor).
	Cache CacheSettings
}
