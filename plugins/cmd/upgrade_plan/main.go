// Command upgrade_plan is the kolla.glance.upgrade_plan Ansible binary module.
package main

import (
	"github.com/kolla-glance/kolla-glance/internal/ansible"
	"github.com/kolla-glance/kolla-glance/internal/modules/upgradeplan"
	"github.com/kolla-glance/kolla-glance/internal/version"
)

func main() { ansible.Main(upgradeplan.Spec(), version.Version, upgradeplan.Run) }
