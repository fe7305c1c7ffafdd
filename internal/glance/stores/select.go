package stores

import "strings"

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
)

// Select decides Glance's stores from in the way the glance role of
// in.Release does, with its gaps fixed (see the package documentation).
// Every problem found is returned at once: the error wraps a
// *problem.Error whose argument problems (Arguments, each matching
// problem.ErrArgument) and refusals (Refusals, each matching
// problem.ErrRefused) each name their options. On error the returned
// Selection is the zero value.
func Select(in Input) (Selection, error) {
	var p problems
	r, known := rulesOf(in.Release)
	if !known {
		p.add("openstack_release", "", "%q is not a kolla-ansible release this module knows; accepted: %s", string(in.Release), releaseNames())
		return Selection{}, p.err()
	}

	checkHosts(in.APIHosts, &p)
	checkLineSafe(in, &p)
	on := checkRemoved(in, r, &p)

	// The file store: explicit, or the release's derivation (the stores it
	// still has, as glance_backend_file's default in its group_vars).
	fileOn := !(in.Ceph || in.S3 || on.swift || on.vmware)
	if in.File != nil {
		fileOn = *in.File
	}

	ceph := cephInUse(in, r, &p)
	checkStoreSettings(in, on, &p)
	shared := checkDatadir(in, &p)

	enabled := enabledStores(in, fileOn, on, ceph)
	checkDuplicateBackends(enabled, &p)
	def := chooseDefault(in, r, enabled, fileOn, on, &p)
	hosts := apiHosts(in, fileOn && !shared, &p)
	cache := cacheSettings(in, hosts, &p)

	if err := p.err(); err != nil {
		return Selection{}, err
	}

	sel := Selection{
		DefaultBackend:     def,
		APIHosts:           hosts,
		FileEnabled:        fileOn,
		FileDatadirShared:  shared,
		RollingUpgradeSafe: !(fileOn && !shared),
		StoreSections:      storeSections(in, r, def, fileOn, on, ceph),
		Cache:              cache,
	}
	sel.EnabledBackends = make([]Backend, len(enabled))
	items := make([]string, len(enabled))
	for i, e := range enabled {
		sel.EnabledBackends[i] = e.Backend
		items[i] = e.Name + ":" + e.Type
	}
	sel.EnabledBackendsConf = strings.Join(items, ", ")
	sel.Warnings = warnings(in, len(ceph) > 0, fileOn, shared)
	return sel, nil
}

// checkDatadir checks the data volume and returns the sharedness decision.
func checkDatadir(in Input, p *problems) bool {
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
	return shared
}

// checkStoreSettings requires the settings of the s3 and vmware stores in
// effect.
func checkStoreSettings(in Input, on storesOn, p *problems) {
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
	if on.vmware {
		if blank(in.VMwareSettings.ServerHost) {
			p.add("vmware_server_host", "", "vmware is on but vmware_server_host is empty; give the vCenter host address")
		}
		if blank(in.VMwareSettings.Datastores) {
			p.add("vmware_datastores", "", "vmware is on but vmware_datastores is empty; give the datastores as <vcenter name>:<datastore name>")
		}
	}
}

// blank reports whether s is empty or only white space.
func blank(s string) bool { return strings.TrimSpace(s) == "" }
