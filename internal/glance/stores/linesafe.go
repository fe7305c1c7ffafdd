package stores

import (
	"fmt"

	"github.com/kolla-glance/kolla-glance/internal/textcheck"
)

// checkLineSafe refuses newlines and other control characters in every
// value that reaches a glance-api.conf line (store_sections are rendered
// as "key = value") or a host list: one would inject keys or whole
// sections. Secrets are named, never quoted.
func checkLineSafe(in Input, p *problems) {
	type value struct {
		option, field, text string
		secret              bool
	}
	values := []value{
		{"file_datadir_volume", "", in.FileDatadirVolume, false},
		{"default_backend", "", in.DefaultBackend, false},
		{"swift_store_region", "", in.SwiftSettings.Region, false},
		{"s3_url", "", in.S3Settings.URL, false},
		{"s3_bucket", "", in.S3Settings.Bucket, false},
		{"s3_access_key", "", in.S3Settings.AccessKey, false},
		{"s3_secret_key", "", in.S3Settings.SecretKey, true},
		{"vmware_server_host", "", in.VMwareSettings.ServerHost, false},
		{"vmware_server_username", "", in.VMwareSettings.ServerUsername, false},
		{"vmware_server_password", "", in.VMwareSettings.ServerPassword, true},
		{"vmware_datastores", "", in.VMwareSettings.Datastores, false},
	}
	for i, h := range in.APIHosts {
		values = append(values, value{"api_hosts", fmt.Sprintf("[%d]", i), h, false})
	}
	for i, h := range in.APIHostsOverride {
		values = append(values, value{"api_hosts_override", fmt.Sprintf("[%d]", i), h, false})
	}
	for i, cb := range in.CephBackends {
		for _, f := range []struct{ name, text string }{{"name", cb.Name}, {"cluster", cb.Cluster}, {"pool", cb.Pool}, {"user", cb.User}} {
			values = append(values, value{"ceph_backends", fmt.Sprintf("[%d].%s", i, f.name), f.text, false})
		}
	}
	for _, v := range values {
		at, what := textcheck.Find(v.text)
		if at < 0 {
			continue
		}
		if v.secret {
			p.add(v.option, v.field, "contains %s at byte %d; glance-api.conf values are single lines without control characters", what, at)
		} else {
			p.add(v.option, v.field, "%q contains %s at byte %d; glance-api.conf values are single lines without control characters", v.text, what, at)
		}
	}
}
