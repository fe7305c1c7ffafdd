package stores

// Backend is one item of enabled_backends.
type Backend struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// Cache is what glance-api.conf needs for the image cache from kolla-ansible
// 2024.1 on (Glance 2024.1's centralized_db cache driver).
type Cache struct {
	// Driver is image_cache_driver.
	Driver string `json:"driver"`
	// Flavor is the [paste_deploy] flavor; it contains "cache".
	Flavor string `json:"flavor"`
	// Dir is image_cache_dir.
	Dir string `json:"image_cache_dir"`
	// WorkerSelfReferenceURL is each API host's worker_self_reference_url,
	// by host; no two are equal.
	WorkerSelfReferenceURL map[string]string `json:"worker_self_reference_url"`
}

// Selection is what Select decides.
type Selection struct {
	// EnabledBackends in kolla order: s3, file, http, vmware, cinder, swift,
	// then the enabled ceph entries in list order.
	EnabledBackends []Backend `json:"enabled_backends"`
	// EnabledBackendsConf is the value of enabled_backends in
	// glance-api.conf: items "name:type" joined by ", ".
	EnabledBackendsConf string `json:"enabled_backends_conf"`
	// DefaultBackend is the name written to [glance_store] default_backend.
	DefaultBackend string `json:"default_backend"`
	// APIHosts are the hosts that run glance-api: the override when given;
	// else only the first input host when the file store is on and not
	// shared, else all, order preserved.
	APIHosts []string `json:"api_hosts"`
	// FileEnabled is the file store decision used.
	FileEnabled bool `json:"file_enabled"`
	// FileDatadirShared is the sharedness decision used.
	FileDatadirShared bool `json:"file_datadir_shared"`
	// RollingUpgradeSafe is false exactly when glance-api is pinned to one
	// host by a non-shared file store.
	RollingUpgradeSafe bool `json:"rolling_upgrade_safe"`
	// StoreSections are the store-related glance-api.conf sections as data
	// (section -> key -> value). Secrets (s3 secret key, vmware password,
	// cinder credentials) are left out.
	StoreSections map[string]map[string]string `json:"store_sections"`
	// Cache is set when the image cache is on.
	Cache *Cache `json:"cache,omitempty"`
	// Warnings are advisory messages; they do not make Select fail.
	Warnings []string `json:"-"`
}
