package backends

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/kolla-glance/kolla-glance/internal/ansible"
	"github.com/kolla-glance/kolla-glance/internal/glance/release"
	"github.com/kolla-glance/kolla-glance/internal/glance/stores"
	"github.com/kolla-glance/kolla-glance/internal/problem"
)

// Run selects the backends from validated parameters.
func Run(ctx *ansible.Context) (*ansible.Result, error) {
	in, err := input(ctx.Params)
	if err != nil {
		return nil, err
	}
	sel, err := stores.Select(in)
	if err != nil {
		return nil, err // a *problem.Error: the SDK renders it, refusals first
	}
	for _, w := range sel.Warnings {
		ctx.Warn(w)
	}
	return &ansible.Result{Values: sel}, nil
}

// input turns validated parameters into the selection's input. The values
// of the two dict options are not typed by the spec: an address that is not
// a string, or a port that is not a whole number, is an argument error.
func input(p ansible.Params) (stores.Input, error) {
	in := stores.Input{
		Release:           release.Release(p.String("openstack_release")),
		APIHosts:          p.Strings("api_hosts"),
		File:              p.OptBool("file"),
		Ceph:              p.Bool("ceph"),
		Swift:             p.Bool("swift"),
		VMware:            p.Bool("vmware"),
		S3:                p.Bool("s3"),
		Cinder:            p.Bool("cinder"),
		HTTP:              p.Bool("http"),
		FileDatadirVolume: p.String("file_datadir_volume"),
		FileDatadirShared: p.OptBool("file_datadir_shared"),
		DefaultBackend:    p.String("default_backend"),
		ImageCache:        p.Bool("image_cache"),
		S3Settings: stores.S3Settings{
			URL: p.String("s3_url"), Bucket: p.String("s3_bucket"),
			AccessKey: p.String("s3_access_key"), SecretKey: p.String("s3_secret_key"),
		},
		SwiftSettings: stores.SwiftSettings{Region: p.String("swift_store_region")},
		VMwareSettings: stores.VMwareSettings{
			ServerHost: p.String("vmware_server_host"), ServerUsername: p.String("vmware_server_username"),
			ServerPassword: p.String("vmware_server_password"), Datastores: p.String("vmware_datastores"),
		},
		Cache: stores.CacheSettings{
			Port:   p.Int("api_port"),
			TLS:    p.Bool("tls_backend"),
			Flavor: p.String("paste_flavor"),
		},
	}
	if p["api_hosts_override"] != nil {
		in.APIHostsOverride = p.Strings("api_hosts_override")
	}
	for _, c := range p.Dicts("ceph_backends") {
		in.CephBackends = append(in.CephBackends, stores.CephBackend{
			Name: c.String("name"), Type: c.String("type"), Cluster: c.String("cluster"),
			Pool: c.String("pool"), User: c.String("user"), Enabled: c.Bool("enabled"),
		})
	}
	var errs problem.List
	bad := func(option, host, format string, args ...any) {
		errs.Argument(option, "["+host+"]", format, args...)
	}
	if m, _ := p["api_interface_addresses"].(map[string]any); m != nil {
		in.Cache.Addresses = map[string]string{}
		for _, h := range slices.Sorted(maps.Keys(m)) {
			s, ok := m[h].(string)
			if !ok {
				bad("api_interface_addresses", h, "the address must be a string (the host's api_interface_address), got %s", jsonText(m[h]))
				continue
			}
			in.Cache.Addresses[h] = s
		}
	}
	if m, _ := p["api_ports"].(map[string]any); m != nil {
		in.Cache.Ports = map[string]int{}
		for _, h := range slices.Sorted(maps.Keys(m)) {
			port, ok := wholeNumber(m[h])
			if !ok {
				bad("api_ports", h, "the port must be a whole number, got %s", jsonText(m[h]))
				continue
			}
			in.Cache.Ports[h] = port
		}
	}
	return in, errs.Err()
}

// wholeNumber reads a port given as a number or as a string of digits
// (kolla's glance_api_port is the string "9292").
func wholeNumber(v any) (int, bool) {
	var s string
	switch x := v.(type) {
	case json.Number:
		s = x.String()
	case int:
		return x, true
	case int64:
		return int(x), true
	case float64:
		if x != float64(int(x)) {
			return 0, false
		}
		return int(x), true
	case string:
		s = strings.TrimSpace(x)
	default:
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil || len(b) > 60 {
		return fmt.Sprintf("a value of type %T", v)
	}
	return string(b)
}
