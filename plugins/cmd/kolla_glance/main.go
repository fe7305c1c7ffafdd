// Command kolla_glance is the collection's one Ansible binary module: it
// serves every module of kolla.glance (backends, upgrade_plan, cache_cron)
// and runs the one its arguments name (ansible.Dispatch).
package main

import (
	"github.com/kolla-glance/kolla-glance/internal/ansible"
	"github.com/kolla-glance/kolla-glance/internal/modules"
	"github.com/kolla-glance/kolla-glance/internal/version"
)

func main() { ansible.Main(version.Version, modules.All()...) }
