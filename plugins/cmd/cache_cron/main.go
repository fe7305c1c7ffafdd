// Command cache_cron is the kolla.glance.cache_cron Ansible binary module.
package main

import (
	"github.com/kolla-glance/kolla-glance/internal/ansible"
	"github.com/kolla-glance/kolla-glance/internal/modules/cachecron"
	"github.com/kolla-glance/kolla-glance/internal/version"
)

func main() { ansible.Main(cachecron.Spec(), version.Version, cachecron.Run) }
