package stores

// Paths and values rendered into store sections.
const (
	fileStoreDatadir    = "/var/lib/glance/images/"
	tasksStoreDatadir   = "/var/lib/glance/tasks_work_dir"
	stagingStoreDatadir = "/var/lib/glance/staging"
)

// storeSections returns the store sections of the release's
// glance-api.conf.j2, secrets left out: [glance_store], the two os_glance_*
// sections, [file], one section per ceph entry that counts, [swift], [vmware],
// [s3], and [cinder] where the release renders one.
func storeSections(in Input, r rules, def string, fileOn bool, on storesOn, ceph []cephUse) map[string]map[string]string {
	sec := map[string]map[string]string{
		"glance_store":            {"default_backend": def},
		"os_glance_tasks_store":   {"filesystem_store_datadir": tasksStoreDatadir},
		"os_glance_staging_store": {"filesystem_store_datadir": stagingStoreDatadir},
	}
	if fileOn {
		sec[storeFile] = map[string]string{"filesystem_store_datadir": fileStoreDatadir}
	}
	for _, c := range ceph {
		sec[c.Name] = map[string]string{
			"rbd_store_user":      c.User,
			"rbd_store_pool":      c.Pool,
			"rbd_store_ceph_conf": "/etc/ceph/" + c.Cluster + ".conf",
		}
	}
	if on.swift {
		sec[storeSwift] = map[string]string{
			"swift_store_container":                "glance",
			"swift_store_multiple_containers_seed": "0",
			"swift_store_multi_tenant":             "False",
			"swift_store_create_container_on_put":  "True",
			"swift_store_region":                   in.SwiftSettings.Region,
			"default_swift_reference":              "swift",
			"swift_store_config_file":              "/etc/glance/glance-swift.conf",
			"swift_store_auth_insecure":            "True",
		}
	}
	if on.vmware {
		sec[storeVMware] = map[string]string{
			"vmware_server_host":     in.VMwareSettings.ServerHost,
			"vmware_server_username": in.VMwareSettings.ServerUsername,
			"vmware_datastores":      in.VMwareSettings.Datastores,
			"vmware_insecure":        r.vmwareInsecure,
		}
	}
	if in.S3 {
		sec[storeS3] = map[string]string{
			"s3_store_host":       in.S3Settings.URL,
			"s3_store_access_key": in.S3Settings.AccessKey,
			"s3_store_bucket":     in.S3Settings.Bucket,
		}
	}
	if in.Cinder && r.cinderSection {
		sec[storeCinder] = map[string]string{
			"cinder_catalog_info":       "block-storage::internalURL",
			"cinder_store_project_name": "service",
		}
	}
	return sec
}
