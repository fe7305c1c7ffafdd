package stores

// removal is a store that a kolla-ansible release removed.
type removal struct {
	store    string  // store name, which is also the module option
	variable string  // the globals.yml variable
	release  Release // the first release without it
	last     Release // the last release with it
}

// removals lists the stores kolla-ansible removed, oldest first: the swift
// role went in 2025.1 (and glance_backend_swift with it), VMware support in
// 2025.2.
func removals() []removal {
	return []removal{
		{store: storeSwift, variable: "glance_backend_swift", release: Release2025_1, last: Release2024_1},
		{store: storeVMware, variable: "glance_backend_vmware", release: Release2025_2, last: Release2025_1},
	}
}

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
	for _, rm := range removals() {
		if !asked[rm.store] || kept[rm.store] {
			continue
		}
		on.refused[rm.store] = true
		p.refuse([]string{rm.store, "openstack_release"},
			"%s was removed in kolla-ansible %s: set %s to no and choose ceph, s3 or file instead "+
				"(option %s is on while openstack_release is %s, and a deployment that still runs kolla-ansible %s or older sets openstack_release to that release)",
			rm.store, rm.release, rm.variable, rm.store, in.Release, rm.last)
	}
	return on
}
