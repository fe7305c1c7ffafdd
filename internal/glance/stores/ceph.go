package stores

import (
	"fmt"
	"strings"

	"github.com/kolla-glance/kolla-glance/internal/glance/release"
)

// reservedPrefix is the prefix glance keeps for its internal stores
// (os_glance_tasks_store, os_glance_staging_store).
const reservedPrefix = "os_glance_"

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

// cephUse is a ceph_backends entry that counts, with its index.
type cephUse struct {
	idx int
	CephBackend
}

// cephInUse returns the ceph entries that count (ceph on, entry enabled),
// validated.
func cephInUse(in Input, r rules, p *problems) []cephUse {
	if !in.Ceph {
		return nil
	}
	var ceph []cephUse
	for i, cb := range in.CephBackends {
		if cb.Enabled {
			ceph = append(ceph, cephUse{i, cb})
		}
	}
	if len(ceph) == 0 {
		p.add("ceph_backends", "", "ceph is on but no entry of ceph_backends is enabled (entries given: %d); enable at least one entry or turn ceph off", len(in.CephBackends))
	}
	for _, c := range ceph {
		checkCephEntry(c.idx, c.CephBackend, p)
	}
	if !r.cephEntryCredentials {
		checkOneCredential(in.Release, ceph, p)
	}
	return ceph
}

// checkOneCredential refuses enabled entries with different pools or users
// for a release whose template renders the globals ceph_glance_pool_name and
// ceph_glance_user in every ceph section (2024.1): such entries say
// something that release cannot render.
func checkOneCredential(rel release.Release, ceph []cephUse, p *problems) {
	if len(ceph) < 2 {
		return
	}
	var names []string
	differ := false
	for _, c := range ceph {
		names = append(names, c.Name)
		differ = differ || c.Pool != ceph[0].Pool || c.User != ceph[0].User
	}
	if !differ {
		return
	}
	p.refuse([]string{"ceph_backends", "openstack_release"},
		"the enabled entries %s of glance_ceph_backends (option ceph_backends) use different pools or users, but kolla-ansible %s renders one pool and one user, ceph_glance_pool_name and ceph_glance_user, in every ceph section: give every enabled entry that same pool and user, or set openstack_release to %s or later, whose entries carry their own",
		quoteList(names), rel, release.V2025_1)
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
	} else if !pathComponent(cb.Cluster) {
		p.add("ceph_backends", f("cluster"), "%q cannot name a file: it becomes /etc/ceph/<cluster>.conf, so give only ASCII letters, digits, '_', '-' and '.', not starting with '.' (for example \"ceph\")", cb.Cluster)
	}
	if blank(cb.Pool) {
		p.add("ceph_backends", f("pool"), "empty; give the RBD pool that holds the images (for example \"images\")")
	}
	if blank(cb.User) {
		p.add("ceph_backends", f("user"), "empty; give the cephx user glance connects as (for example \"glance\")")
	} else if !pathComponent(cb.User) {
		p.add("ceph_backends", f("user"), "%q cannot name a file: it becomes /etc/ceph/<cluster>.client.<user>.keyring, so give only ASCII letters, digits, '_', '-' and '.', not starting with '.' (for example \"glance\")", cb.User)
	}
}

// pathComponent reports whether s is usable as one part of a file name
// (kolla puts the cluster and user names in /etc/ceph's file names):
// non-empty, ASCII letters, digits, '_', '-' and '.', not starting with '.'
// (so neither "..", nor a hidden file, nor a '/').
func pathComponent(s string) bool {
	if s == "" || s[0] == '.' {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-', r == '.':
		default:
			return false
		}
	}
	return true
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
