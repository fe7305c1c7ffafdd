package stores

import (
	"fmt"
	"strings"
)

// warnings returns the advisory messages of a successful selection.
func warnings(in Input, cephOn, fileOn, shared bool) []string {
	var w []string
	if cephOn && in.ImageCache {
		w = append(w, "image_cache: the glance image cache is on together with ceph; nova already has a cached version of the image and copies it directly from ceph instead of from the glance-api hosts, so the cache only leads to unnecessary storage consumption; consider turning image_cache off")
	}
	// With an override the operator chose the hosts (and an unsafe choice
	// is refused), so nothing is left out behind their back.
	if fileOn && !shared && len(in.APIHosts) > 1 && in.APIHostsOverride == nil {
		w = append(w, fmt.Sprintf("file: the file store keeps images on file_datadir_volume %q, which is not shared, so glance-api runs only on the first host %q; hosts left out: %s; to run glance-api on every host, set file_datadir_volume to a shared filesystem path (for example an NFS mount) and leave file_datadir_shared unset or true",
			in.FileDatadirVolume, in.APIHosts[0], quoteList(in.APIHosts[1:])))
	}
	if fileOn && shared && in.FileDatadirShared == nil && len(in.APIHosts) > 1 &&
		!strings.HasPrefix(in.FileDatadirVolume, "/") {
		w = append(w, fmt.Sprintf("file_datadir_shared: file_datadir_volume %q is not an absolute path, so it looks like a named volume, which kolla's rule assumes shared because it is not %q; if it is local to each host, set file_datadir_shared to false, or glance-api on different hosts will see different images",
			in.FileDatadirVolume, namedVolume))
	}
	return w
}
