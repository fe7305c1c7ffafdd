// Package backends decides Glance's store backends the way kolla-ansible's
// glance role does (group_vars glance.yml, roles/glance/defaults/main.yml and
// templates/glance-api.conf.j2), with the gaps of that logic fixed. It is
// pure: no I/O, no global state and no knowledge of Ansible; another package
// turns module parameters into an Input and applies the module defaults
// (http on, file_datadir_volume "glance", the single "rbd" ceph entry, ...).
//
// # Rules reproduced from kolla-ansible
//
//   - The file store, when not given (Input.File nil), is on only when ceph,
//     swift, vmware and s3 are all off (the 2024.1 formula; HEAD dropped
//     swift and vmware). An explicit file store may sit next to ceph; ceph
//     then stays the default.
//   - enabled_backends lists, in this order: s3, file, http, vmware, cinder,
//     swift, then the ceph_backends entries that count, in list order. Each
//     item is written "name:type" and items are joined by ", ", for example
//     "file:file, http:http" for kolla's defaults.
//   - The default backend, when not given, follows vmware > ceph > swift >
//     s3 > file.
//   - api_hosts is only the first glance-api host when the file store is on
//     and its data volume is not shared, otherwise every host in order. The
//     volume counts as shared unless it is the named volume "glance"
//     (kolla's only test of sharedness).
//   - Store sections of glance-api.conf: [glance_store] default_backend,
//     [file], one [<name>] per ceph entry (rbd_store_user, rbd_store_pool,
//     rbd_store_ceph_conf = /etc/ceph/<cluster>.conf), [swift], [vmware],
//     [s3], [cinder], [os_glance_tasks_store] and [os_glance_staging_store],
//     with kolla's values.
//
// # Upstream gaps fixed
//
//   - Ceph default: kolla takes glance_ceph_backends[0].name even when that
//     entry is disabled; Select takes the first ENABLED entry.
//   - Ceph sections: kolla renders a section for every entry, enabled or
//     not; Select renders only the entries that count (ceph on and entry
//     enabled). Ceph on with no enabled entry is an error.
//   - Sharedness: kolla compares the volume to the string "glance" and
//     nothing else. Input.FileDatadirShared lets the operator state it; true
//     for the named volume "glance" is a contradiction and an error; false
//     for a host path is accepted (the operator knows it is local). When left
//     unset for a volume that is neither "glance" nor an absolute path (so
//     another named volume), a warning says it is assumed shared.
//   - The S3 precheck cannot fail upstream (the variables are always
//     defined); Select requires each of s3_url, s3_bucket, s3_access_key
//     and s3_secret_key to be non-empty. Likewise vmware_server_host and
//     vmware_datastores for vmware.
//   - Names: backend names must be unique among enabled backends (a ceph
//     entry named "file" next to the file store, or two enabled ceph entries
//     with one name, would merge into one glance-api.conf section), usable as
//     a section name (letters, digits, '_' and '-'), free of glance's
//     reserved prefix "os_glance_", and not one of the other sections of
//     kolla's glance-api.conf (DEFAULT, database, keystone_authtoken,
//     paste_deploy, glance_store, oslo_*, profiler, barbican, cors).
//   - Secrets (s3 secret key, vmware password, cinder credentials) are left
//     out of StoreSections; rendering them is the role's business.
//   - Every problem of one call is reported at once (a *multierror.Error of
//     *OptionError values, each naming its option and what is accepted).
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
//
// # Warnings
//
//   - ceph together with image_cache: nova copies images directly from
//     ceph, so the cache only consumes storage (the kolla guide's warning).
//   - the file store pins glance-api to the first host while api_hosts has
//     more than one: the message names the first host and the hosts left out
//     and says to use a shared file_datadir_volume.
//   - an unset file_datadir_shared for a named volume other than "glance"
//     with more than one host: assumed shared by kolla's rule.
package backends
