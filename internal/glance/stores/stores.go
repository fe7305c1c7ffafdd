package stores

import (
	"fmt"
	"strings"
)

// enabledEntry is a Backend plus a label naming where it comes from (for
// messages about duplicate names) and what kind of store it is.
type enabledEntry struct {
	Backend
	origin   string
	ceph     bool // a ceph_backends entry
	readOnly bool // the http store
}

// enabledStores lists enabled_backends in kolla's order: s3, file, http,
// vmware, cinder, swift, then the ceph entries that count. Every release
// keeps that order for the stores it has.
func enabledStores(in Input, fileOn bool, on storesOn, ceph []cephUse) []enabledEntry {
	var enabled []enabledEntry
	fixed := func(isOn bool, name string) {
		if isOn {
			enabled = append(enabled, enabledEntry{
				Backend:  Backend{name, name},
				origin:   "the " + name + " store",
				readOnly: name == storeHTTP,
			})
		}
	}
	fixed(in.S3, storeS3)
	fixed(fileOn, storeFile)
	fixed(in.HTTP, storeHTTP)
	fixed(on.vmware, storeVMware)
	fixed(in.Cinder, storeCinder)
	fixed(on.swift, storeSwift)
	for _, c := range ceph {
		enabled = append(enabled, enabledEntry{
			Backend: Backend{c.Name, c.Type},
			origin:  fmt.Sprintf("ceph_backends[%d]", c.idx),
			ceph:    true,
		})
	}
	return enabled
}

// checkDuplicateBackends reports names used by more than one enabled backend.
// Only ceph entries have free names, so the option is ceph_backends.
func checkDuplicateBackends(enabled []enabledEntry, p *problems) {
	origins := map[string][]string{}
	var order []string
	for _, e := range enabled {
		if blank(e.Name) {
			continue // reported as an empty name
		}
		if _, ok := origins[e.Name]; !ok {
			order = append(order, e.Name)
		}
		origins[e.Name] = append(origins[e.Name], e.origin)
	}
	for _, n := range order {
		if o := origins[n]; len(o) > 1 {
			p.add("ceph_backends", "", "backend name %q is used by %s; every enabled backend needs its own name, which is also its glance-api.conf section", n, strings.Join(o, " and "))
		}
	}
}

// imageStores names the writable stores a release has, in kolla's default
// precedence where it matters (for messages).
func imageStores(r rules) []string {
	stores := []string{storeFile, "ceph"}
	if r.swift {
		stores = append(stores, storeSwift)
	}
	if r.vmware {
		stores = append(stores, storeVMware)
	}
	return append(stores, storeS3)
}

// chooseDefault returns the default backend, explicit or derived, and reports
// why none can be chosen.
func chooseDefault(in Input, r rules, enabled []enabledEntry, fileOn bool, on storesOn, p *problems) string {
	names := make([]string, 0, len(enabled))
	writable := make([]string, 0, len(enabled))
	for _, e := range enabled {
		names = append(names, e.Name)
		if !e.readOnly {
			writable = append(writable, e.Name)
		}
	}

	if in.DefaultBackend != "" {
		var match *enabledEntry
		for i := range enabled {
			if enabled[i].Name == in.DefaultBackend {
				match = &enabled[i]
				break
			}
		}
		switch {
		case match == nil && on.refused[in.DefaultBackend]:
			// The store itself is refused: no second, consequential error.
		case match == nil:
			p.add("default_backend", "", "%q is not an enabled backend; accepted: %s", in.DefaultBackend, acceptList(writable))
		case match.readOnly:
			p.add("default_backend", "", "%q is the read-only http store and cannot hold uploaded images; accepted: %s", in.DefaultBackend, acceptList(writable))
		}
		return in.DefaultBackend
	}

	// kolla's precedence vmware > ceph > swift > s3 > file, over the stores
	// the release has; ceph means the first ENABLED entry.
	if on.vmware {
		return storeVMware
	}
	for _, e := range enabled {
		if e.ceph {
			return e.Name
		}
	}
	switch {
	case on.swift:
		return storeSwift
	case in.S3:
		return storeS3
	case fileOn:
		return storeFile
	case in.Ceph, len(on.refused) > 0:
		// ceph is on without an enabled entry, or a refused store was
		// the only one: already reported, so no consequential error here.
		return ""
	}
	stores := imageStores(r)
	hint := "turn on one of " + orList(stores)
	if in.Cinder {
		hint += `, or set default_backend to "cinder" explicitly (cinder is on but is never chosen as the default implicitly)`
	} else {
		hint += `, or turn on cinder and set default_backend to "cinder"`
	}
	enabledText := "none"
	if len(names) > 0 {
		enabledText = quoteList(names)
	}
	p.add("default_backend", "", "no image store is enabled to be the default (%s are all off; enabled: %s; http is read-only); %s", andList(stores), enabledText, hint)
	return ""
}

// acceptList renders names for an "accepted:" clause.
func acceptList(names []string) string {
	if len(names) == 0 {
		return "none (no writable store is enabled)"
	}
	return quoteList(names)
}

// andList renders "a, b and c"; orList "a, b or c".
func andList(words []string) string { return joinLast(words, " and ") }
func orList(words []string) string  { return joinLast(words, " or ") }

func joinLast(words []string, last string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + last + words[len(words)-1]
}
