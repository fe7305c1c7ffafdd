package release

// Stores are the differences between the glance roles of the kolla
// releases (Kolla) in the stores they have and how they render them.
// Everything not listed here is the same in all of them: the order s3,
// file, http, vmware, cinder, swift, then ceph in enabled_backends; the
// precedence vmware > ceph > swift > s3 > file of the stores a release has;
// glance_api_hosts; the [file], [s3], [glance_store] and os_glance_*
// sections.
type Stores struct {
	// Swift: glance_backend_swift exists (the swift role was removed in
	// 2025.1).
	Swift bool
	// VMware: glance_backend_vmware exists (removed in 2025.2).
	VMware bool
	// CephEntryCredentials: each glance_ceph_backends entry carries its
	// pool and user (2025.1 on). Before, every ceph section renders the
	// globals ceph_glance_pool_name and ceph_glance_user.
	CephEntryCredentials bool
	// CinderSection: a [cinder] section is rendered when enable_cinder
	// (2026.1 on; before, the cinder store had no section at all).
	CinderSection bool
	// VMwareInsecure is the value written for vmware_insecure.
	VMwareInsecure string
}

// Stores returns the store rules of a kolla release, and false for a
// release that is not one of Kolla.
func (r Release) Stores() (Stores, bool) {
	switch r {
	case V2024_1:
		return Stores{Swift: true, VMware: true, VMwareInsecure: "True"}, true
	case V2025_1:
		return Stores{VMware: true, CephEntryCredentials: true, VMwareInsecure: "true"}, true
	case V2025_2:
		return Stores{CephEntryCredentials: true}, true
	case V2026_1, Master:
		return Stores{CephEntryCredentials: true, CinderSection: true}, true
	}
	return Stores{}, false
}

// Removal is a store that a kolla-ansible release removed.
type Removal struct {
	// Store is the store's name, which is also kolla.glance.backends' option.
	Store string
	// Variable is the globals.yml variable that turned it on.
	Variable string
	// Release is the first release without it; Last the last one with it.
	Release, Last Release
}

// Removals lists the stores kolla-ansible removed, oldest first: the swift
// role went in 2025.1 (and glance_backend_swift with it), VMware support in
// 2025.2.
func Removals() []Removal {
	return []Removal{
		{Store: "swift", Variable: "glance_backend_swift", Release: V2025_1, Last: V2024_1},
		{Store: "vmware", Variable: "glance_backend_vmware", Release: V2025_2, Last: V2025_1},
	}
}
