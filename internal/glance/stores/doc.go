// Package stores decides Glance's store backends the way the glance role of
// a given kolla-ansible release does (group_vars, roles/glance/defaults/main.yml
// and templates/glance-api.conf.j2 of 2024.1, 2025.1, 2025.2, 2026.1 or
// master), with the gaps of that logic fixed. It is pure: no I/O, no global
// state and no knowledge of Ansible; another package turns module parameters
// into an Input and applies the module defaults (http on,
// file_datadir_volume "glance", the single "rbd" ceph entry, openstack_release
// 2026.1, ...).
//
// Files: input.go (Input, what Select is given), output.go (Selection,
// what it decides), select.go (Select), release.go (the rules of
// internal/glance/release, which holds what differs between releases, as
// Select reads them), removed.go (stores a release no longer has), ceph.go,
// stores.go (order and default), sections.go (glance-api.conf store
// sections), hosts.go (glance-api hosts and their override), cache.go
// (image cache settings), linesafe.go, warnings.go, problems.go (how
// problems are collected).
//
// # Rules reproduced from kolla-ansible, per release
//
//   - The stores a release has: 2024.1 file, ceph, swift, vmware, s3,
//     cinder, http; 2025.1 drops swift (the swift role was removed); 2025.2,
//     2026.1 and master drop vmware too.
//   - The file store, when not given (Input.File nil), is on only when every
//     other image store the release has is off: 2024.1 not (ceph or s3 or
//     swift or vmware), 2025.1 not (ceph or s3 or vmware), from 2025.2 not
//     (ceph or s3). An explicit file store may sit next to ceph; ceph then
//     stays the default.
//   - enabled_backends lists, in this order: s3, file, http, vmware, cinder,
//     swift, then the ceph_backends entries that count, in list order (each
//     release keeps that order for the stores it has). Each item is written
//     "name:type" and items are joined by ", ", for example "file:file,
//     http:http" for kolla's defaults.
//   - The default backend, when not given, follows vmware > ceph > swift >
//     s3 > file over the stores the release has: 2024.1 vmware > ceph >
//     swift > s3 > file, 2025.1 vmware > ceph > s3 > file, from 2025.2
//     ceph > s3 > file.
//   - api_hosts is only the first glance-api host when the file store is on
//     and its data volume is not shared, otherwise every host in order. The
//     volume counts as shared unless it is the named volume "glance"
//     (kolla's only test of sharedness). The rule is the same in every
//     release. kolla's glance_api_hosts may be overridden by the operator;
//     Input.APIHostsOverride carries that override.
//   - Store sections of glance-api.conf: [glance_store] default_backend,
//     [file], one [<name>] per ceph entry (rbd_store_user, rbd_store_pool,
//     rbd_store_ceph_conf = /etc/ceph/<cluster>.conf), [swift] (2024.1),
//     [vmware] (2024.1 with vmware_insecure "True", 2025.1 with "true"),
//     [s3], [cinder] (2026.1 and master only: before, the cinder store had no
//     section), [os_glance_tasks_store] and [os_glance_staging_store], with
//     kolla's values.
//   - The image cache (every release here is 2024.1 or later, so Glance's
//     centralized_db driver): paste flavor keystone+cachemanagement, cache
//     dir /var/lib/glance/image-cache, and each host's
//     worker_self_reference_url = http(s)://<api address>:<port>, an IPv6
//     address in brackets.
//
// # Refusals
//
// Some settings are well formed but refused (refusals of internal/problem,
// matching problem.ErrRefused); each reason names the globals.yml variable
// as well as the option and says what to do instead:
//
//   - a store the release no longer has (swift from 2025.1, vmware from
//     2025.2): the release's own role would silently ignore it. The store
//     then counts as off for the rest of the selection;
//   - a glance_api_hosts override with several hosts while the file store is
//     on and not shared: every host would keep its own images;
//   - with the image cache on, a paste flavor without "cache": Glance then
//     skips its worker_self_reference_url startup check and the migration
//     of an old sqlite cache into the database;
//   - on 2024.1, enabled ceph entries with different pools or users: that
//     release renders the globals ceph_glance_pool_name and ceph_glance_user
//     in every ceph section, so it cannot say what such entries mean.
//
// # Upstream gaps fixed
//
//   - Ceph default: kolla takes glance_ceph_backends[0].name even when that
//     entry is disabled; Select takes the first ENABLED entry.
//   - Ceph sections: kolla renders a section for every entry, enabled or
//     not; Select renders only the entries that count (ceph on and entry
//     enabled). Ceph on with no enabled entry is an error.
//   - No store: with every image store off kolla still writes
//     default_backend "file" (a store that is not enabled); Select reports it.
//   - Sharedness: kolla compares the volume to the string "glance" and
//     nothing else. Input.FileDatadirShared lets the operator state it; true
//     for the named volume "glance" is a contradiction and an error; false
//     for a host path is accepted (the operator knows it is local). When left
//     unset for a volume that is neither "glance" nor an absolute path (so
//     another named volume), a warning says it is assumed shared.
//   - glance_api_hosts: kolla takes an override as it is; Select requires
//     its hosts to be in api_hosts and refuses an unsafe one (above).
//   - The S3 precheck cannot fail upstream (the variables are always
//     defined); Select requires each of s3_url, s3_bucket, s3_access_key
//     and s3_secret_key to be non-empty. Likewise vmware_server_host and
//     vmware_datastores for vmware.
//   - Image cache: kolla renders worker_self_reference_url from each host's
//     own variables and nothing checks that they differ; Select requires an
//     address for every glance-api host and refuses two hosts with one URL.
//   - Names: backend names must be unique among enabled backends (a ceph
//     entry named "file" next to the file store, or two enabled ceph entries
//     with one name, would merge into one glance-api.conf section), usable as
//     a section name (letters, digits, '_' and '-'), free of glance's
//     reserved prefix "os_glance_", and not one of the other sections of
//     kolla's glance-api.conf (DEFAULT, database, keystone_authtoken,
//     paste_deploy, glance_store, oslo_*, profiler, barbican, cors).
//   - Secrets (s3 secret key, vmware password, cinder credentials) are left
//     out of StoreSections; rendering them is the role's business.
//   - Every problem of one call is reported at once (one *problem.Error of
//     argument problems and refusals).
//
// # Decisions where kolla is silent
//
//   - http is read-only: it never becomes the default, and an explicit
//     default_backend "http" is an error. A setup with only http (and
//     cinder) has no image store; with cinder on, the error suggests an
//     explicit default_backend "cinder", which is accepted. Cinder is never
//     chosen as the default implicitly (kolla never does; it needs an
//     explicit choice because every image then becomes a cinder volume).
//   - An explicit default_backend must name an enabled, writable backend.
//   - file_datadir_volume must be non-empty even when the file store is off:
//     kolla mounts it at /var/lib/glance/ in every glance-api container, and
//     the staging area, the tasks work dir and the image cache live there.
//   - file_datadir_shared true with the named volume "glance" is an error
//     even when the file store is off: the statement is false either way.
//   - Only ceph entries that count (ceph on, entry enabled) are validated;
//     disabled entries are not rendered anywhere.
//   - A string made only of white space counts as empty.
//   - RollingUpgradeSafe follows the pinning rule only (false exactly when
//     the file store is on and not shared); refusing fewer than two hosts is
//     the upgrade plan's business.
//   - 2024.1's [DEFAULT] cinder_catalog_info (written whatever the stores)
//     is not a store section and is left to the role.
//
// # Warnings
//
//   - ceph together with image_cache: nova copies images directly from
//     ceph, so the cache only consumes storage (the kolla guide's warning).
//   - the file store pins glance-api to the first host while api_hosts has
//     more than one (and no override says so): the message names the first
//     host and the hosts left out and says to use a shared
//     file_datadir_volume.
//   - an unset file_datadir_shared for a named volume other than "glance"
//     with more than one host: assumed shared by kolla's rule.
package stores
