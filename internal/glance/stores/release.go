package stores

import "strings"

// Release is a kolla-ansible release, named as kolla's openstack_release
// variable names it.
type Release string

// The kolla-ansible releases Select knows.
const (
	Release2024_1 Release = "2024.1"
	Release2025_1 Release = "2025.1"
	Release2025_2 Release = "2025.2"
	Release2026_1 Release = "2026.1"
	ReleaseMaster Release = "master"
)

// NewestStable is the newest stable kolla-ansible release, the module's
// default.
const NewestStable = Release2026_1

// Releases returns the releases Select knows, oldest first.
func Releases() []Release {
	return []Release{Release2024_1, Release2025_1, Release2025_2, Release2026_1, ReleaseMaster}
}

// rules are the differences between the glance roles of the releases that
// Select reproduces. Everything not listed here is the same in all of them:
// the order s3, file, http, vmware, cinder, swift, then ceph in
// enabled_backends; the precedence vmware > ceph > swift > s3 > file of the
// stores a release has; glance_api_hosts; the [file], [s3], [glance_store]
// and os_glance_* sections.
type rules struct {
	// swift: glance_backend_swift exists (the swift role was removed in
	// 2025.1).
	swift bool
	// vmware: glance_backend_vmware exists (removed in 2025.2).
	vmware bool
	// cephEntryCredentials: each glance_ceph_backends entry carries its pool
	// and user (2025.1 on). Before, every ceph section renders the globals
	// ceph_glance_pool_name and ceph_glance_user.
	cephEntryCredentials bool
	// cinderSection: a [cinder] section is rendered when enable_cinder
	// (2026.1 on; before, the cinder store had no section at all).
	cinderSection bool
	// vmwareInsecure is the value written for vmware_insecure.
	vmwareInsecure string
}

// rulesOf returns the rules of a release, and false for a release Select
// does not know.
func rulesOf(r Release) (rules, bool) {
	switch r {
	case Release2024_1:
		return rules{swift: true, vmware: true, vmwareInsecure: "True"}, true
	case Release2025_1:
		return rules{vmware: true, cephEntryCredentials: true, vmwareInsecure: "true"}, true
	case Release2025_2:
		return rules{cephEntryCredentials: true}, true
	case Release2026_1, ReleaseMaster:
		return rules{cephEntryCredentials: true, cinderSection: true}, true
	}
	return rules{}, false
}

// releaseNames renders the known releases for an "accepted:" clause.
func releaseNames() string {
	var names []string
	for _, r := range Releases() {
		names = append(names, string(r))
	}
	return strings.Join(names, ", ")
}
