// Command backends is the kolla.glance.backends Ansible binary module.
package main

import (
	"github.com/kolla-glance/kolla-glance/internal/ansible"
	"github.com/kolla-glance/kolla-glance/internal/modules/backends"
	"github.com/kolla-glance/kolla-glance/internal/version"
)

func main() { ansible.Main(backends.Spec(), version.Version, backends.Run) }
