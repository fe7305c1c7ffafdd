package release

// The image cache of every kolla release (Kolla, all 2024.1 or later):
// Glance's centralized_db driver, its default since Glance 2024.1, kolla's
// paste flavor and cache directory.
const (
	CacheDriver = "centralized_db"
	CacheFlavor = "keystone+cachemanagement"
	CacheDir    = "/var/lib/glance/image-cache"
)

// Config files inside kolla's glance_api container.
const (
	GlanceAPIConf   = "/etc/glance/glance-api.conf"
	GlanceCacheConf = "/etc/glance/glance-cache.conf"
)

// CentralizedCache reports whether the release's image cache is Glance's
// centralized_db (2024.1 on), which keeps its records in the database and
// tells the hosts apart by worker_self_reference_url; before, each host's
// cache is a sqlite file of its own.
func (r Release) CentralizedCache() bool { return !r.Before(V2024_1) }

// CacheToolConfigFiles returns the --config-file arguments Glance's cache
// tools (glance-cache-pruner, glance-cache-cleaner) need.
//
// Up to 2023.2 (zed, 2023.1 antelope, 2023.2 bobcat) the tools read only
// the glance-cache program's files by default, so the list is
// [glance-cache.conf]. From 2024.1 (glance 28.0.0, "Read global config
// file for cache utilities") the tools read glance-api.conf then
// glance-cache.conf: they need the database connection and
// worker_self_reference_url of the centralized_db cache driver. Because
// a single --config-file on the command line makes oslo.config skip the
// default files altogether, both are passed, glance-api.conf first so
// that glance-cache.conf wins on conflicts, as with the defaults.
func (r Release) CacheToolConfigFiles() []string {
	if !r.CentralizedCache() {
		return []string{GlanceCacheConf}
	}
	return []string{GlanceAPIConf, GlanceCacheConf}
}
