// Package modules lists the collection's modules: each one's argument spec
// and its code, for the thin main packages and the documentation generator.
package modules

import (
	"github.com/kolla-glance/kolla-glance/internal/ansible"
	"github.com/kolla-glance/kolla-glance/internal/modules/backends"
	"github.com/kolla-glance/kolla-glance/internal/modules/cachecron"
	"github.com/kolla-glance/kolla-glance/internal/modules/upgradeplan"
)

// Module is one module of the collection.
type Module struct {
	Spec *ansible.Spec
	Run  ansible.RunFunc
}

// All returns every module of the collection.
func All() []Module {
	return []Module{
		{Spec: backends.Spec(), Run: backends.Run},
		{Spec: upgradeplan.Spec(), Run: upgradeplan.Run},
		{Spec: cachecron.Spec(), Run: cachecron.Run},
	}
}
