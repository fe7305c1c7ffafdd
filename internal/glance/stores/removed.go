package stores

import "github.com/kolla-glance/kolla-glance/internal/glance/release"

// storesOn is the swift and vmware stores in effect: asked for and still
// part of the release.
type storesOn struct {
	swift, vmware bool
	// refused names the stores asked for that the release no longer has.
	refused map[string]bool
}

// checkRemoved refuses each store that is on but that the release has
// removed, and returns the stores in effect. A refused store counts as off
// for the rest of the selection, as it is for that release's own role.
func checkRemoved(in Input, r rules, p *problems) storesOn {
	on := storesOn{swift: in.Swift && r.swift, vmware: in.VMware && r.vmware, refused: map[string]bool{}}
	asked := map[string]bool{storeSwift: in.Swift, storeVMware: in.VMware}
	kept := map[string]bool{storeSwift: r.swift, storeVMware: r.vmware}
	for _, rm := range release.Removals() {
		if !asked[rm.Store] || kept[rm.Store] {
			continue
		}
		on.refused[rm.Store] = true
		p.refuse([]string{rm.Store, "openstack_release"},
			"%s was removed in kolla-ansible %s: set %s to no and choose ceph, s3 or file instead "+
				"(option %s is on while openstack_release is %s, and a deployment that still runs kolla-ansible %s or older sets openstack_release to that release)",
			rm.Store, rm.Release, rm.Variable, rm.Store, in.Release, rm.Last)
	}
	return on
}
