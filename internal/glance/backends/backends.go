package backends

import (
	"fmt"
	"strings"

	"github.com/kolla-glance/kolla-glance/internal/textcheck"
)

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

// Input mirrors the kolla-ansible variables that decide Glance's stores. The
// field comments name the module option each field carries. Booleans arrive
// already coerced; defaults of the module spec (http true, file_datadir_volume
// "glance", the single "rbd" ceph entry, ...) are applied by the caller.
type Input struct {
	// APIHosts is api_hosts: the glance-api inventory group, in order.
	APIHosts []string
	// File is file (glance_backend_file). nil = derived: on unless ceph,
	// swift, vmware or s3 is on.
	File *bool
	// Ceph is ceph (glance_backend_ceph).
	Ceph bool
	// CephBackends is ceph_backends (glance_ceph_backends).
	CephBackends []CephBackend
	// Swift is swift (glance_backend_swift).
	Swift bool
	// VMware is vmware (glance_backend_vmware).
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
	// DefaultBackend is default_backend. "" = derived by kolla's precedence
	// vmware > ceph > swift > s3 > file.
	DefaultBackend string
	// ImageCache is image_cache (enable_glance_image_cache), for warnings.
	ImageCache bool
}

// Backend is one item of enabled_backends.
type Backend struct {
	Name string `json:"name"`
	Type string `json:"type"`
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
	// APIHosts are the hosts that run glance-api: only the first input host
	// when the file store is on and not shared, else all, order preserved.
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
	// Warnings are advisory messages; they do not make Select fail.
	Warnings []string `json:"-"`
}

// Fixed names and types of the stores kolla defines itself.
const (
	storeS3     = "s3"
	storeFile   = "file"
	storeHTTP   = "http"
	storeVMware = "vmware"
	storeCinder = "cinder"
	storeSwift  = "swift"

	// cephType is the only store type a ceph_backends entry may have.
	cephType = "rbd"
	// namedVolume is kolla's default glance_file_datadir_volume, a docker
	// named volume local to each host.
	namedVolume = "glance"
	// reservedPrefix is the prefix glance keeps for its internal stores
	// (os_glance_tasks_store, os_glance_staging_store).
	reservedPrefix = "os_glance_"
)

// Paths and values rendered into store sections.
const (
	fileStoreDatadir    = "/var/lib/glance/images/"
	tasksStoreDatadir   = "/var/lib/glance/tasks_work_dir"
	stagingStoreDatadir = "/var/lib/glance/staging"
)

// reservedSections are the glance-api.conf sections kolla's template writes
// for other purposes; a ceph entry named like one of them would merge its rbd
// options into that section.
func reservedSections() []string {
	return []string{
		"DEFAULT", "database", "keystone_authtoken", "paste_deploy",
		"glance_store", "oslo_middleware", "oslo_concurrency",
		"oslo_messaging_notifications", "oslo_messaging_rabbit",
		"oslo_policy", "profiler", "barbican", "cors",
	}
}

// enabledEntry is a Backend plus a label naming where it comes from (for
// messages about duplicate names) and what kind of store it is.
type enabledEntry struct {
	Backend
	origin   string
	ceph     bool // a ceph_backends entry
	readOnly bool // the http store
}

// Select decides Glance's stores from in, the way kolla-ansible does, with
// its gaps fixed (see the package documentation). Every problem found is
// returned at once: the error wraps a *multierror.Error whose elements are
// *OptionError values (see OptionErrors), each matching ErrInvalid. On error
// the returned Selection is the zero value.
func Select(in Input) (Selection, error) {
	var p problems

	checkHosts(in.APIHosts, &p)
	checkLineSafe(in, &p)

	// The file store: explicit, or kolla's derivation.
	fileOn := !(in.Ceph || in.Swift || in.VMware || in.S3)
	if in.File != nil {
		fileOn = *in.File
	}

	// Ceph entries count only when ceph is on and the entry is enabled.
	type cephUse struct {
		idx int
		CephBackend
	}
	var ceph []cephUse
	if in.Ceph {
		for i, cb := range in.CephBackends {
			if cb.Enabled {
				ceph = append(ceph, cephUse{i, cb})
			}
		}
		if len(ceph) == 0 {
			p.add("ceph_backends", "", "ceph is on but no entry of ceph_backends is enabled (entries given: %d); enable at least one entry or turn ceph off", len(in.CephBackends))
		}
		for _, c := range ceph {
			checkCephEntry(c.idx, c.CephBackend, &p)
		}
	}
	cephOn := len(ceph) > 0

	if in.S3 {
		for _, s := range []struct{ opt, val, what string }{
			{"s3_url", in.S3Settings.URL, "the S3 endpoint URL"},
			{"s3_bucket", in.S3Settings.Bucket, "the bucket that holds the images"},
			{"s3_access_key", in.S3Settings.AccessKey, "the S3 access key"},
			{"s3_secret_key", in.S3Settings.SecretKey, "the S3 secret key"},
		} {
			if blank(s.val) {
				p.add(s.opt, "", "s3 is on but %s is empty; give %s", s.opt, s.what)
			}
		}
	}
	if in.VMware {
		if blank(in.VMwareSettings.ServerHost) {
			p.add("vmware_server_host", "", "vmware is on but vmware_server_host is empty; give the vCenter host address")
		}
		if blank(in.VMwareSettings.Datastores) {
			p.add("vmware_datastores", "", "vmware is on but vmware_datastores is empty; give the datastores as <vcenter name>:<datastore name>")
		}
	}

	// The data volume is mounted at /var/lib/glance/ whether or not the file
	// store is on (staging, tasks work dir and image cache live there).
	if blank(in.FileDatadirVolume) {
		p.add("file_datadir_volume", "", "empty; give the named volume %q (kolla's default) or an absolute host path such as a shared NFS mount; it is mounted at /var/lib/glance/ in glance-api", namedVolume)
	}
	shared := in.FileDatadirVolume != namedVolume
	if in.FileDatadirShared != nil {
		shared = *in.FileDatadirShared
		if shared && in.FileDatadirVolume == namedVolume {
			p.add("file_datadir_shared", "", "true contradicts file_datadir_volume %q, a named volume local to each host that cannot be shared; set file_datadir_shared to false or leave it unset, or set file_datadir_volume to a shared filesystem path", namedVolume)
		}
	}

	// enabled_backends, kolla order.
	var enabled []enabledEntry
	fixed := func(on bool, name string) {
		if on {
			enabled = append(enabled, enabledEntry{
				Backend:  Backend{name, name},
				origin:   "the " + name + " store",
				readOnly: name == storeHTTP,
			})
		}
	}
	fixed(in.S3, storeS3)
	fixed(fileOn, storeFile)
	fixed(in.HTTP, storeHTTP)
	fixed(in.VMware, storeVMware)
	fixed(in.Cinder, storeCinder)
	fixed(in.Swift, storeSwift)
	for _, c := range ceph {
		enabled = append(enabled, enabledEntry{
			Backend: Backend{c.Name, c.Type},
			origin:  fmt.Sprintf("ceph_backends[%d]", c.idx),
			ceph:    true,
		})
	}
	checkDuplicateBackends(enabled, &p)

	def := chooseDefault(in, enabled, fileOn, &p)

	if err := p.err(); err != nil {
		return Selection{}, err
	}

	sel := Selection{
		DefaultBackend:     def,
		FileEnabled:        fileOn,
		FileDatadirShared:  shared,
		RollingUpgradeSafe: !(fileOn && !shared),
	}
	sel.EnabledBackends = make([]Backend, len(enabled))
	items := make([]string, len(enabled))
	for i, e := range enabled {
		sel.EnabledBackends[i] = e.Backend
		items[i] = e.Name + ":" + e.Type
	}
	sel.EnabledBackendsConf = strings.Join(items, ", ")

	if fileOn && !shared {
		sel.APIHosts = []string{in.APIHosts[0]}
	} else {
		sel.APIHosts = append([]string(nil), in.APIHosts...)
	}

	sec := map[string]map[string]string{
		"glance_store":            {"default_backend": def},
		"os_glance_tasks_store":   {"filesystem_store_datadir": tasksStoreDatadir},
		"os_glance_staging_store": {"filesystem_store_datadir": stagingStoreDatadir},
	}
	if fileOn {
		sec[storeFile] = map[string]string{"filesystem_store_datadir": fileStoreDatadir}
	}
	for _, c := range ceph {
		sec[c.Name] = map[string]string{
			"rbd_store_user":      c.User,
			"rbd_store_pool":      c.Pool,
			"rbd_store_ceph_conf": "/etc/ceph/" + c.Cluster + ".conf",
		}
	}
	if in.Swift {
		sec[storeSwift] = map[string]string{
			"swift_store_container":                "glance",
			"swift_store_multiple_containers_seed": "0",
			"swift_store_multi_tenant":             "False",
			"swift_store_create_container_on_put":  "True",
			"swift_store_region":                   in.SwiftSettings.Region,
			"default_swift_reference":              "swift",
			"swift_store_config_file":              "/etc/glance/glance-swift.conf",
			"swift_store_auth_insecure":            "True",
		}
	}
	if in.VMware {
		sec[storeVMware] = map[string]string{
			"vmware_server_host":     in.VMwareSettings.ServerHost,
			"vmware_server_username": in.VMwareSettings.ServerUsername,
			"vmware_datastores":      in.VMwareSettings.Datastores,
			"vmware_insecure":        "True",
		}
	}
	if in.S3 {
		sec[storeS3] = map[string]string{
			"s3_store_host":       in.S3Settings.URL,
			"s3_store_access_key": in.S3Settings.AccessKey,
			"s3_store_bucket":     in.S3Settings.Bucket,
		}
	}
	if in.Cinder {
		sec[storeCinder] = map[string]string{
			"cinder_catalog_info":       "block-storage::internalURL",
			"cinder_store_project_name": "service",
		}
	}
	sel.StoreSections = sec

	sel.Warnings = warnings(in, cephOn, fileOn, shared)
	return sel, nil
}

// checkHosts reports an empty list, empty names and duplicate names.
func checkHosts(hosts []string, p *problems) {
	if len(hosts) == 0 {
		p.add("api_hosts", "", "the list is empty; give the hosts of the glance-api inventory group, at least one")
		return
	}
	seen := map[string]int{}
	var dups []string
	for i, h := range hosts {
		if blank(h) {
			p.add("api_hosts", fmt.Sprintf("[%d]", i), "empty host name; every item must be a non-empty inventory host name")
			continue
		}
		seen[h]++
		if seen[h] == 2 {
			dups = append(dups, h)
		}
	}
	if len(dups) > 0 {
		p.add("api_hosts", "", "duplicate host names %s; each host may appear only once", quoteList(dups))
	}
}

// checkLineSafe refuses newlines and other control characters in every
// value that reaches a glance-api.conf line (store_sections are rendered
// as "key = value"): one would inject keys or whole sections. Secrets are
// named, never quoted.
func checkLineSafe(in Input, p *problems) {
	type value struct {
		option, field, text string
		secret              bool
	}
	values := []value{
		{"file_datadir_volume", "", in.FileDatadirVolume, false},
		{"default_backend", "", in.DefaultBackend, false},
		{"swift_store_region", "", in.SwiftSettings.Region, false},
		{"s3_url", "", in.S3Settings.URL, false},
		{"s3_bucket", "", in.S3Settings.Bucket, false},
		{"s3_access_key", "", in.S3Settings.AccessKey, false},
		{"s3_secret_key", "", in.S3Settings.SecretKey, true},
		{"vmware_server_host", "", in.VMwareSettings.ServerHost, false},
		{"vmware_server_username", "", in.VMwareSettings.ServerUsername, false},
		{"vmware_server_password", "", in.VMwareSettings.ServerPassword, true},
		{"vmware_datastores", "", in.VMwareSettings.Datastores, false},
	}
	for i, h := range in.APIHosts {
		values = append(values, value{"api_hosts", fmt.Sprintf("[%d]", i), h, false})
	}
	for i, cb := range in.CephBackends {
		for _, f := range []struct{ name, text string }{{"name", cb.Name}, {"cluster", cb.Cluster}, {"pool", cb.Pool}, {"user", cb.User}} {
			values = append(values, value{"ceph_backends", fmt.Sprintf("[%d].%s", i, f.name), f.text, false})
		}
	}
	for _, v := range values {
		at, what := textcheck.Find(v.text)
		if at < 0 {
			continue
		}
		if v.secret {
			p.add(v.option, v.field, "contains %s at byte %d; glance-api.conf values are single lines without control characters", what, at)
		} else {
			p.add(v.option, v.field, "%q contains %s at byte %d; glance-api.conf values are single lines without control characters", v.text, what, at)
		}
	}
}

// checkCephEntry validates one ceph entry that counts (ceph on, enabled).
func checkCephEntry(i int, cb CephBackend, p *problems) {
	f := func(field string) string { return fmt.Sprintf("[%d].%s", i, field) }
	switch {
	case blank(cb.Name):
		p.add("ceph_backends", f("name"), "empty; give a unique backend name made of letters, digits, '_' and '-' (for example \"rbd\")")
	case !sectionName(cb.Name):
		p.add("ceph_backends", f("name"), "%q cannot be a glance-api.conf section name; use only letters, digits, '_' and '-'", cb.Name)
	case strings.HasPrefix(cb.Name, reservedPrefix):
		p.add("ceph_backends", f("name"), "%q starts with the reserved prefix %q, which glance keeps for its internal stores; choose a name without it", cb.Name, reservedPrefix)
	default:
		for _, r := range reservedSections() {
			if cb.Name == r {
				p.add("ceph_backends", f("name"), "%q is already a section of glance-api.conf; choose a name other than %s", cb.Name, quoteList(reservedSections()))
				break
			}
		}
	}
	if cb.Type != cephType {
		p.add("ceph_backends", f("type"), "%q is not supported; the only accepted type is %q", cb.Type, cephType)
	}
	if blank(cb.Cluster) {
		p.add("ceph_backends", f("cluster"), "empty; give the ceph cluster name, which selects /etc/ceph/<cluster>.conf (for example \"ceph\")")
	}
	if blank(cb.Pool) {
		p.add("ceph_backends", f("pool"), "empty; give the RBD pool that holds the images (for example \"images\")")
	}
	if blank(cb.User) {
		p.add("ceph_backends", f("user"), "empty; give the cephx user glance connects as (for example \"glance\")")
	}
}

// checkDuplicateBackends reports names used by more than one enabled backend.
// Only ceph entries have free names, so the option is ceph_backends.
func checkDuplicateBackends(enabled []enabledEntry, p *problems) {
	origins := map[string][]string{}
	var order []string
	for _, e := range enabled {
		if blank(e.Name) {
			continue // reported as an empty name
		}
		if _, ok := origins[e.Name]; !ok {
			order = append(order, e.Name)
		}
		origins[e.Name] = append(origins[e.Name], e.origin)
	}
	for _, n := range order {
		if o := origins[n]; len(o) > 1 {
			p.add("ceph_backends", "", "backend name %q is used by %s; every enabled backend needs its own name, which is also its glance-api.conf section", n, strings.Join(o, " and "))
		}
	}
}

// chooseDefault returns the default backend, explicit or derived, and reports
// why none can be chosen.
func chooseDefault(in Input, enabled []enabledEntry, fileOn bool, p *problems) string {
	names := make([]string, 0, len(enabled))
	writable := make([]string, 0, len(enabled))
	for _, e := range enabled {
		names = append(names, e.Name)
		if !e.readOnly {
			writable = append(writable, e.Name)
		}
	}

	if in.DefaultBackend != "" {
		var match *enabledEntry
		for i := range enabled {
			if enabled[i].Name == in.DefaultBackend {
				match = &enabled[i]
				break
			}
		}
		switch {
		case match == nil:
			p.add("default_backend", "", "%q is not an enabled backend; accepted: %s", in.DefaultBackend, acceptList(writable))
		case match.readOnly:
			p.add("default_backend", "", "%q is the read-only http store and cannot hold uploaded images; accepted: %s", in.DefaultBackend, acceptList(writable))
		}
		return in.DefaultBackend
	}

	// kolla's precedence; ceph means the first ENABLED entry.
	if in.VMware {
		return storeVMware
	}
	for _, e := range enabled {
		if e.ceph {
			return e.Name
		}
	}
	switch {
	case in.Swift:
		return storeSwift
	case in.S3:
		return storeS3
	case fileOn:
		return storeFile
	case in.Ceph:
		// ceph is on without an enabled entry: already reported under
		// ceph_backends, so no second, consequential error here.
		return ""
	}
	hint := "turn on one of file, ceph, swift, vmware or s3"
	if in.Cinder {
		hint += `, or set default_backend to "cinder" explicitly (cinder is on but is never chosen as the default implicitly)`
	} else {
		hint += `, or turn on cinder and set default_backend to "cinder"`
	}
	on := "none"
	if len(names) > 0 {
		on = quoteList(names)
	}
	p.add("default_backend", "", "no image store is enabled to be the default (file, ceph, swift, vmware and s3 are all off; enabled: %s; http is read-only); %s", on, hint)
	return ""
}

// warnings returns the advisory messages of a successful selection.
func warnings(in Input, cephOn, fileOn, shared bool) []string {
	var w []string
	if cephOn && in.ImageCache {
		w = append(w, "image_cache: the glance image cache is on together with ceph; nova already has a cached version of the image and copies it directly from ceph instead of from the glance-api hosts, so the cache only leads to unnecessary storage consumption; consider turning image_cache off")
	}
	if fileOn && !shared && len(in.APIHosts) > 1 {
		w = append(w, fmt.Sprintf("file: the file store keeps images on file_datadir_volume %q, which is not shared, so glance-api runs only on the first host %q; hosts left out: %s; to run glance-api on every host, set file_datadir_volume to a shared filesystem path (for example an NFS mount) and leave file_datadir_shared unset or true",
			in.FileDatadirVolume, in.APIHosts[0], quoteList(in.APIHosts[1:])))
	}
	if fileOn && shared && in.FileDatadirShared == nil && len(in.APIHosts) > 1 &&
		!strings.HasPrefix(in.FileDatadirVolume, "/") {
		w = append(w, fmt.Sprintf("file_datadir_shared: file_datadir_volume %q is not an absolute path, so it looks like a named volume, which kolla's rule assumes shared because it is not %q; if it is local to each host, set file_datadir_shared to false, or glance-api on different hosts will see different images",
			in.FileDatadirVolume, namedVolume))
	}
	return w
}

// acceptList renders names for an "accepted:" clause.
func acceptList(names []string) string {
	if len(names) == 0 {
		return "none (no writable store is enabled)"
	}
	return quoteList(names)
}

// sectionName reports whether s is usable as a glance-api.conf section name:
// non-empty, only ASCII letters, digits, '_' and '-'.
func sectionName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-':
		default:
			return false
		}
	}
	return true
}

// blank reports whether s is empty or only white space.
func blank(s string) bool { return strings.TrimSpace(s) == "" }
