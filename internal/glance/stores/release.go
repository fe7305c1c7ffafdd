package stores

import (
	"strings"

	"github.com/kolla-glance/kolla-glance/internal/glance/release"
)

// Release is the kolla-ansible release whose rules Select applies
// (Input.Release): internal/glance/release holds what each one has.
type Release = release.Release

// Release2025_1 is release.V2025_1, the first release whose ceph entries
// carry their own pool and user, by the name ceph.go's message uses.
const Release2025_1 = release.V2025_1

// rules are the store rules of a release (release.Stores), as the
// selection reads them.
type rules struct {
	swift, vmware, cephEntryCredentials, cinderSection bool
	vmwareInsecure                                     string
}

// rulesOf returns the rules of a release, and false for a release Select
// does not know (one that is not in release.Kolla).
func rulesOf(r Release) (rules, bool) {
	s, ok := r.Stores()
	return rules{swift: s.Swift, vmware: s.VMware, cephEntryCredentials: s.CephEntryCredentials,
		cinderSection: s.CinderSection, vmwareInsecure: s.VMwareInsecure}, ok
}

// releaseNames renders the known releases for an "accepted:" clause.
func releaseNames() string {
	var names []string
	for _, r := range release.Kolla() {
		names = append(names, string(r))
	}
	return strings.Join(names, ", ")
}
