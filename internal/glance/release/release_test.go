package release_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kolla-glance/kolla-glance/internal/glance/release"
)

func TestParseOrdersReleases(t *testing.T) {
	order := []string{"austin", "Queens", "yoga", "zed", "2023.1", "2023.2", "2024.1", "2024.2", "2025.1", "2026.1", "2031.2", "master"}
	var prev release.Release
	for i, s := range order {
		r, ok := release.Parse(s)
		require.True(t, ok, s)
		if i > 0 {
			assert.True(t, prev.Before(r), "%s before %s", prev, r)
			assert.False(t, r.Before(prev))
		}
		prev = r
	}
	q, _ := release.Parse("Queens")
	assert.Equal(t, release.Release("queens"), q)
	for _, bad := range []string{"", "2022.2", "2024.3", "2024", "2024.1.1", "24.1", "caracal", "zed ", "latest"} {
		_, ok := release.Parse(bad)
		assert.False(t, ok, bad)
	}
}

func TestKollaReleases(t *testing.T) {
	assert.Equal(t, []release.Release{"2024.1", "2025.1", "2025.2", "2026.1", "master"}, release.Kolla())
	assert.Equal(t, release.Release("2026.1"), release.NewestStable)
	for _, r := range release.Kolla() {
		_, ok := r.Stores()
		assert.True(t, ok, r)
		p, ok := release.Parse(string(r))
		assert.True(t, ok)
		assert.Equal(t, r, p)
	}
	_, ok := release.Release("zed").Stores()
	assert.False(t, ok, "zed has no rules of its own")
}

// The stores each kolla release's glance role has, from its group_vars,
// defaults and glance-api.conf.j2.
func TestStores(t *testing.T) {
	want := map[release.Release]release.Stores{
		"2024.1": {Swift: true, VMware: true, VMwareInsecure: "True"},
		"2025.1": {VMware: true, CephEntryCredentials: true, VMwareInsecure: "true"},
		"2025.2": {CephEntryCredentials: true},
		"2026.1": {CephEntryCredentials: true, CinderSection: true},
		"master": {CephEntryCredentials: true, CinderSection: true},
	}
	for r, w := range want {
		got, _ := r.Stores()
		assert.Equal(t, w, got, r)
	}
	for _, rm := range release.Removals() {
		last, _ := rm.Last.Stores()
		first, _ := rm.Release.Stores()
		has := map[string]func(release.Stores) bool{
			"swift":  func(s release.Stores) bool { return s.Swift },
			"vmware": func(s release.Stores) bool { return s.VMware },
		}[rm.Store]
		require.NotNil(t, has, rm.Store)
		assert.True(t, has(last), "%s has %s", rm.Last, rm.Store)
		assert.False(t, has(first), "%s has no %s", rm.Release, rm.Store)
	}
}

func TestCacheToolConfigFiles(t *testing.T) {
	cacheOnly := []string{"/etc/glance/glance-cache.conf"}
	both := []string{"/etc/glance/glance-api.conf", "/etc/glance/glance-cache.conf"}
	tests := map[string][]string{
		"yoga": cacheOnly, "zed": cacheOnly, "2023.1": cacheOnly, "2023.2": cacheOnly,
		"2024.1": both, "2024.2": both, "2025.1": both, "2025.2": both, "2026.1": both, "master": both,
	}
	for rel, want := range tests {
		r, ok := release.Parse(rel)
		require.True(t, ok)
		assert.Equal(t, want, r.CacheToolConfigFiles(), rel)
		assert.Equal(t, len(want) == 2, r.CentralizedCache(), rel)
	}
}
