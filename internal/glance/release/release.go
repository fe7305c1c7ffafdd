// Package release is what each OpenStack release kolla.glance knows has,
// in one place: the kolla-ansible releases kolla.glance.backends follows
// and the newest stable one (the modules' default), the stores each
// release's glance role has and how it renders them, the stores a release
// removed, the image cache's settings, and the config files Glance's cache
// tools read. The modules read it (backends' choices and rules, cache_cron's
// default and command line); the role gets it through their results.
package release

import (
	"strconv"
	"strings"
)

// Release is an OpenStack release, named as kolla-ansible's
// openstack_release names it: "2024.1", "master", or a code name of the
// first series in lower case ("zed").
type Release string

// The kolla-ansible releases whose glance role kolla.glance.backends
// reproduces.
const (
	V2024_1 Release = "2024.1"
	V2025_1 Release = "2025.1"
	V2025_2 Release = "2025.2"
	V2026_1 Release = "2026.1"
	Master  Release = "master"
)

// NewestStable is the newest stable kolla-ansible release: the default of
// the modules' release options.
const NewestStable = V2026_1

// Kolla returns the releases whose glance role kolla.glance.backends
// reproduces, oldest first.
func Kolla() []Release {
	return []Release{V2024_1, V2025_1, V2025_2, V2026_1, Master}
}

// codeNames are the release code names of the first series, austin (1) to
// zed (26). After zed, releases are named YYYY.N (2023.1 = 27, ...).
func codeNames() []string {
	return []string{
		"austin", "bexar", "cactus", "diablo", "essex", "folsom", "grizzly",
		"havana", "icehouse", "juno", "kilo", "liberty", "mitaka", "newton",
		"ocata", "pike", "queens", "rocky", "stein", "train", "ussuri",
		"victoria", "wallaby", "xena", "yoga", "zed",
	}
}

const masterOrd = 1 << 30

// Parse reads any OpenStack release: kolla-ansible's openstack_release
// values (Kolla), any other YYYY.N release from 2023.1 on, or a code name of
// the first series, austin to zed (case-insensitive, returned in lower
// case). "master" is newer than any numbered release.
func Parse(s string) (Release, bool) {
	if _, ok := order(s); !ok {
		return "", false
	}
	return Release(strings.ToLower(s)), true
}

// order is a release's place, oldest first: austin=1 ... zed=26, 2023.1=27,
// 2023.2=28, 2024.1=29, ...; master the largest.
func order(s string) (int, bool) {
	l := strings.ToLower(s)
	for i, n := range codeNames() {
		if l == n {
			return i + 1, true
		}
	}
	if l == string(Master) {
		return masterOrd, true
	}
	// YYYY.N: 20[0-9]{2}, a dot, then 1 or 2.
	if len(s) == 6 && strings.HasPrefix(s, "20") && s[4] == '.' && (s[5] == '1' || s[5] == '2') {
		if y, err := strconv.Atoi(s[:4]); err == nil && y >= 2023 {
			return 27 + (y-2023)*2 + int(s[5]-'1'), true
		}
	}
	return 0, false
}

// Before reports whether r is older than o (both from Parse).
func (r Release) Before(o Release) bool {
	a, _ := order(string(r))
	b, _ := order(string(o))
	return a < b
}

// String returns the release's name.
func (r Release) String() string { return string(r) }
