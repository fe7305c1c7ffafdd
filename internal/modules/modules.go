// Package modules lists the collection's modules: each one's argument spec
// and its code, for the collection's one binary (plugins/cmd/kolla_glance)
// and the documentation generator.
package modules

import (
	"github.com/kolla-glance/kolla-glance/internal/ansible"
	"github.com/kolla-glance/kolla-glance/internal/modules/backends"
	"github.com/kolla-glance/kolla-glance/internal/modules/cachecron"
	"github.com/kolla-glance/kolla-glance/internal/modules/upgradeplan"
)

// All returns every module of the collection.
func All() []ansible.Module {
	return []ansible.Module{
		{Spec: backends.Spec(), Run: backends.Run},
		{Spec: upgradeplan.Spec(), Run: upgradeplan.Run},
		{Spec: cachecron.Spec(), Run: cachecron.Run},
	}
}
