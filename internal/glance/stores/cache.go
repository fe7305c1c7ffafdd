package stores

import (
	"sort"

	"github.com/kolla-glance/kolla-glance/internal/glance/release"
	"strconv"
	"strings"
)

// The image cache settings every release Select knows renders
// (internal/glance/release): Glance's centralized_db driver, kolla's paste
// flavor and cache directory.
const (
	cacheDriver      = release.CacheDriver
	kollaCacheFlavor = release.CacheFlavor
	cacheDir         = release.CacheDir
)

// cacheSettings returns the image cache's settings for the hosts that run
// glance-api, or nil when the cache is off. The cache inputs are checked
// whether or not the cache is on; the flavor, the addresses and the URLs only
// matter, and are only required, when it is on.
func cacheSettings(in Input, hosts []string, p *problems) *Cache {
	c := in.Cache
	checkCacheInputs(in, p)
	if !in.ImageCache || len(hosts) == 0 {
		return nil
	}
	flavor := c.Flavor
	if flavor == "" {
		flavor = kollaCacheFlavor
	}
	if !strings.Contains(flavor, "cache") {
		p.refuse([]string{"paste_flavor", "image_cache"},
			"paste_flavor %q has no \"cache\" in it while the image cache is on (enable_glance_image_cache): Glance 2024.1 and later run the worker_self_reference_url startup check and move an old sqlite cache into the database only when the paste flavor contains \"cache\", so the cache would run unchecked and its pruner could loop forever. Use %q, kolla's flavor, or leave paste_flavor unset",
			flavor, kollaCacheFlavor)
	}

	scheme := "http"
	if c.TLS {
		scheme = "https"
	}
	urls := map[string]string{}
	var missing []string
	portUsed := false
	for _, h := range hosts {
		addr, ok := c.Addresses[h]
		if !ok {
			missing = append(missing, h)
			continue
		}
		port, own := c.Ports[h]
		if !own {
			port, portUsed = c.Port, true
		}
		urls[h] = scheme + "://" + urlHost(addr) + ":" + strconv.Itoa(port)
	}
	if portUsed && !validPort(c.Port) {
		p.add("api_port", "", "%d is not a TCP port; give glance_api_port, from 1 to 65535", c.Port)
	}
	if len(missing) > 0 {
		p.add("api_interface_addresses", "", "no address for %s; the image cache is on, and from kolla-ansible 2024.1 on each glance-api needs its own worker_self_reference_url, made of its API address (api_interface_address) and port: give api_interface_addresses for every host that runs glance-api", quoteList(missing))
	}
	checkDistinctURLs(hosts, urls, p)
	return &Cache{Driver: cacheDriver, Flavor: flavor, Dir: cacheDir, WorkerSelfReferenceURL: urls}
}

// checkCacheInputs checks api_interface_addresses, api_ports and paste_flavor as
// values: hosts of api_hosts, addresses usable in a URL, TCP ports, a flavor
// made of paste pipeline names.
func checkCacheInputs(in Input, p *problems) {
	group := map[string]bool{}
	for _, h := range in.APIHosts {
		group[h] = true
	}
	for _, h := range sortedKeys(in.Cache.Addresses) {
		field := "[" + h + "]"
		if !group[h] {
			p.add("api_interface_addresses", "", "%q is not in api_hosts; give an address for hosts of the glance-api group only", h)
			continue
		}
		if a := in.Cache.Addresses[h]; !validAddress(a) {
			p.add("api_interface_addresses", field, "%q is not an API address; give the host's api_interface_address, an IPv4 or IPv6 address or a DNS name (letters, digits, '.', '-', '_' and ':')", a)
		}
	}
	for _, h := range sortedKeys(in.Cache.Ports) {
		if !group[h] {
			p.add("api_ports", "", "%q is not in api_hosts; give a port for hosts of the glance-api group only", h)
			continue
		}
		if port := in.Cache.Ports[h]; !validPort(port) {
			p.add("api_ports", "["+h+"]", "%d is not a TCP port; give a port from 1 to 65535", port)
		}
	}
	if f := in.Cache.Flavor; f != "" && !validFlavor(f) {
		p.add("paste_flavor", "", "%q is not a paste flavor; give pipeline names made of letters, digits, '_' and '-', joined by '+' (kolla's is %q)", f, kollaCacheFlavor)
	}
}

// checkDistinctURLs reports hosts that would share a worker_self_reference_url:
// Glance's centralized_db cache tells its nodes apart by it.
func checkDistinctURLs(hosts []string, urls map[string]string, p *problems) {
	byURL := map[string][]string{}
	var order []string
	for _, h := range hosts {
		u, ok := urls[h]
		if !ok {
			continue
		}
		if _, seen := byURL[u]; !seen {
			order = append(order, u)
		}
		byURL[u] = append(byURL[u], h)
	}
	for _, u := range order {
		if hs := byURL[u]; len(hs) > 1 {
			p.add("api_interface_addresses", "", "%s would all use worker_self_reference_url %s; the image cache tells glance-api hosts apart by that URL, so give each host its own address in api_interface_addresses or its own port in api_ports", quoteList(hs), u)
		}
	}
}

// urlHost puts an address in URL form as kolla's put_address_in_context('url')
// filter does: an IPv6 address goes in brackets.
func urlHost(addr string) string {
	if strings.Contains(addr, ":") {
		return "[" + addr + "]"
	}
	return addr
}

func validAddress(a string) bool {
	if a == "" {
		return false
	}
	for _, r := range a {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_', r == ':':
		default:
			return false
		}
	}
	return true
}

func validFlavor(f string) bool {
	for _, part := range strings.Split(f, "+") {
		if !sectionName(part) {
			return false
		}
	}
	return true
}

func validPort(p int) bool { return p >= 1 && p <= 65535 }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
