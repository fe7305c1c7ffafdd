package stores

import "fmt"

// checkHosts reports an empty api_hosts, empty names and duplicate names.
func checkHosts(hosts []string, p *problems) {
	if len(hosts) == 0 {
		p.add("api_hosts", "", "the list is empty; give the hosts of the glance-api inventory group, at least one")
		return
	}
	checkHostList("api_hosts", hosts, p)
}

// checkHostList reports empty and duplicate names in a list of hosts, and
// whether there were none.
func checkHostList(option string, hosts []string, p *problems) bool {
	seen := map[string]int{}
	var dups []string
	for i, h := range hosts {
		if blank(h) {
			p.add(option, fmt.Sprintf("[%d]", i), "empty host name; every item must be a non-empty inventory host name")
			continue
		}
		seen[h]++
		if seen[h] == 2 {
			dups = append(dups, h)
		}
	}
	if len(dups) > 0 {
		p.add(option, "", "duplicate host names %s; each host may appear only once", quoteList(dups))
	}
	return len(dups) == 0 && !anyBlank(hosts)
}

func anyBlank(hosts []string) bool {
	for _, h := range hosts {
		if blank(h) {
			return true
		}
	}
	return false
}

// apiHosts returns the hosts that run glance-api. Without an override, that
// is kolla's glance_api_hosts: the first host only when the file store pins
// glance-api there (on and not shared), else every host. An override
// (glance_api_hosts set by the operator) is taken as it is, in its order,
// once it is checked: its hosts must be in api_hosts, and it may not put
// several glance-api on a file store that is not shared.
func apiHosts(in Input, pinned bool, p *problems) []string {
	if in.APIHostsOverride == nil {
		switch {
		case len(in.APIHosts) == 0:
			return nil
		case pinned:
			return []string{in.APIHosts[0]}
		}
		return append([]string(nil), in.APIHosts...)
	}
	override := in.APIHostsOverride
	if len(override) == 0 {
		p.add("api_hosts_override", "", "the list is empty; give the hosts that run glance-api (kolla's glance_api_hosts), at least one, or leave it unset to derive them")
		return nil
	}
	valid := checkHostList("api_hosts_override", override, p)
	group := map[string]bool{}
	for _, h := range in.APIHosts {
		group[h] = true
	}
	var outside []string
	for _, h := range override {
		if !blank(h) && !group[h] {
			outside = append(outside, h)
		}
	}
	if len(outside) > 0 {
		valid = false
		p.add("api_hosts_override", "", "%s not in api_hosts (the glance-api group); glance-api runs only on hosts of that group, so every host of the override must be one of them", quoteList(outside)+isAre(len(outside)))
	}
	if pinned && len(override) > 1 {
		p.refuse([]string{"api_hosts_override", "file_datadir_volume", "file_datadir_shared"},
			"glance_api_hosts (option api_hosts_override) puts glance-api on %d hosts, %s, while the file store keeps its images on glance_file_datadir_volume %q, which is not shared: each host would keep its own images and serve only those. Give glance_api_hosts one host, or put glance_file_datadir_volume on a filesystem every host shares",
			len(override), quoteList(override), in.FileDatadirVolume)
	}
	if !valid {
		// Reported already; no settings for hosts that are not hosts.
		return nil
	}
	return append([]string(nil), override...)
}

func isAre(n int) string {
	if n == 1 {
		return " is"
	}
	return " are"
}
