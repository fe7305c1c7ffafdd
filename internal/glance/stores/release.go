package stores

import (
	"strings"

	"github.com/kolla-glance/kolla-glance/internal/glance/release"
)

// rules are the store rules of a release (release.Stores), as the
// selection reads them.
type rules struct {
	swift, vmware, cephEntryCredentials, cinderSection bool
	vmwareInsecure                                     string
}

// rulesOf returns the rules of a release, and false for a release Select
// does not know (one that is not in release.Kolla).
func rulesOf(r release.Release) (rules, bool) {
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
