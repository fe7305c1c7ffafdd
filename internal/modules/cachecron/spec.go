// Package cachecron is the kolla.glance.cache_cron module: its argument spec
// and the glue between validated parameters, the pure cron model in
// internal/glance/cachejobs and the cron.d file on disk.
package cachecron

import (
	"github.com/kolla-glance/kolla-glance/internal/ansible"
	"github.com/kolla-glance/kolla-glance/internal/glance/release"
)

func desc(s ...string) []string { return s }

// Default schedules: the pruner every half-hour (glance's own advice, as
// puppet-glance does), the cleaner once a day.
const (
	defaultPrunerSchedule  = "*/30 * * * *"
	defaultCleanerSchedule = "1 0 * * *"
)

// Spec declares the module once: options, documentation and return values.
func Spec() *ansible.Spec {
	return &ansible.Spec{
		Name:             "cache_cron",
		Collection:       "kolla.glance",
		VersionAdded:     "0.1.0",
		ShortDescription: "Install the cron jobs that clean Glance's image cache in the glance_api container",
		Description: desc(
			"Writes a cron.d file with two entries, glance-cache-pruner (keeps the cache under image_cache_max_size) and glance-cache-cleaner (removes stalled and invalid entries), each run inside the glance_api container as C(<engine> exec <container> ...). Glance does not clean its cache by itself and kolla-ansible never installed these jobs.",
			"A job never overlaps a previous run of itself (C(flock -n) on the host), no run lasts longer than its timeout (coreutils C(timeout) inside the container: TERM, then KILL 10 s later), and the tools' output is appended to C(<log_dir>/<tool>.log) inside the container, next to glance's own logs, instead of being mailed to root on every run (glance 2026.1 prints a deprecation line on every run). Failures of flock or of the container engine itself (the container is down) still reach cron's mail, on purpose.",
			"The file is replaced atomically (a temp file in the same directory, fsync, rename) with mode 0644; lines this module does not manage are kept byte for byte; entries carry ansible.builtin.cron's C(#Ansible: NAME) markers, so a file that module wrote is adopted and never duplicated. state=absent removes only these entries and deletes the file only when nothing else is left in it.",
		),
		SupportsCheckMode: true,
		SupportsDiff:      true,
		Options: []ansible.Option{
			{Name: "state", Type: ansible.TypeStr, Default: "present", Choices: []any{"present", "absent"},
				Description: desc("present installs the entries; absent removes them (the image cache is disabled).")},
			{Name: "cron_file", Type: ansible.TypeStr, Default: "kolla-glance-cache",
				Description: desc("File name in cron_dir: letters, digits, _ and - only (cron ignores other names).")},
			{Name: "cron_dir", Type: ansible.TypePath, Default: "/etc/cron.d", Description: desc("Directory of the cron file; absolute.")},
			{Name: "user", Type: ansible.TypeStr, Default: "root", Description: desc("The user column of the entries (who runs the container engine).")},
			{Name: "container_engine", Type: ansible.TypeStr, Default: "docker", Choices: []any{"docker", "podman"},
				Description: desc("kolla_container_engine.")},
			{Name: "container_name", Type: ansible.TypeStr, Default: "glance_api", Description: desc("The glance-api container.")},
			{Name: "exec_user", Type: ansible.TypeStr, Default: "glance",
				Description: desc("The user the tools run as inside the container (C(exec --user)), so the cache files they touch keep glance's ownership. An empty string keeps the container's own user (glance in kolla's images).")},
			{Name: "pruner_schedule", Type: ansible.TypeStr, Default: defaultPrunerSchedule,
				Description: desc("When glance-cache-pruner runs: a five-field cron expression or an @keyword.")},
			{Name: "cleaner_schedule", Type: ansible.TypeStr, Default: defaultCleanerSchedule,
				Description: desc("When glance-cache-cleaner runs: a five-field cron expression or an @keyword.")},
			{Name: "timeout", Type: ansible.TypeInt,
				Description: desc(
					"Seconds a run of a tool may last: then it gets TERM, and KILL 10 s later if it is still there. The command runs the tool as C(timeout -k 10s <timeout>s <tool> ...) inside the container, because killing the engine's exec client on the host would leave the tool running. Without it a wedged tool (Glance 2025.1's glance-cache-pruner loops forever at high CPU when the cache directory holds files the database does not know) keeps the job's flock and every later run is skipped.",
					"Null derives each job's own from its schedule after splay: 90% of the shortest interval between two runs, rounded down to whole seconds, from 30 to 3600 (a tool running for an hour is wedged), and 3600 for C(@reboot). C(* * * * *) gives 54, C(*/30 * * * *) 1620, C(@hourly) 3240, a daily job 3600.",
					"A number applies to both jobs: from 1 to 86400. One that is not shorter than a job's shortest interval between runs is accepted with a warning (a run may then still be going when the next is due; flock skips that one).",
				)},
			{Name: "splay_seed", Type: ansible.TypeStr,
				Description: desc("A per-host seed, for example inventory_hostname: shifts each host's minutes deterministically so a fleet does not prune at the same instant. Null: no shift.")},
			{Name: "glance_release", Type: ansible.TypeStr, Default: string(release.NewestStable),
				Description: desc("The OpenStack release of Glance: kolla-ansible's openstack_release, the same values as kolla.glance.backends takes (C(2024.1), C(2025.1), C(2025.2), C(2026.1), C(master)), or an older one (C(zed), C(2023.1), C(2023.2)). It picks the config files the tools need: up to 2023.2 glance-cache.conf; from 2024.1 (Glance's centralized_db cache, which needs the database connection and worker_self_reference_url of glance-api.conf) glance-api.conf then glance-cache.conf, because a lone --config-file drops the default files.")},
			{Name: "log_dir", Type: ansible.TypeStr, Default: "/var/log/kolla/glance",
				Description: desc("Directory inside the container where the tools' output is appended.")},
			{Name: "backup", Type: ansible.TypeBool, Default: false,
				Description: desc("Keep a copy of the previous file when it changes (returned as backup_file).")},
		},
		Notes: desc(
			"Run it on every glance-api host: the image cache is local to each host.",
			"The file is written under an exclusive lock on cron_dir, so concurrent runs serialise; temp files left by a run killed with kill -9 are removed by the next run.",
		),
		Requirements: desc("A vixie-cron compatible daemon reading cron_dir (Debian's cron reads /etc/cron.d)", "flock (util-linux) on the host",
			"timeout (coreutils) in the glance_api container (kolla's images have it)"),
		SeeAlso: []string{"ansible.builtin.cron", "kolla.glance.backends"},
		Author:  []string{"kolla-glance contributors"},
		Examples: `- name: Clean the image cache on every glance-api host
  kolla.glance.cache_cron:
    container_engine: "{{ kolla_container_engine | default('docker') }}"
    splay_seed: "{{ inventory_hostname }}"
    glance_release: "2024.1"

- name: Prune hourly and clean every six hours, each run at most 10 minutes, keeping a backup
  kolla.glance.cache_cron:
    pruner_schedule: "@hourly"
    cleaner_schedule: "15 */6 * * *"
    timeout: 600
    backup: true
  register: cache_cron

- name: Remove the jobs when the image cache is disabled
  kolla.glance.cache_cron:
    state: absent
`,
		Returns: []ansible.Return{
			{Name: "cron_file", Type: "str", Returned: "always", Sample: "/etc/cron.d/kolla-glance-cache", Description: desc("Full path of the cron file.")},
			{Name: "jobs", Type: "list", Elements: "str", Returned: "success", Sample: []any{"glance-cache-pruner", "glance-cache-cleaner"},
				Description: desc("Names of the entries this module manages that the file holds afterwards.")},
			{Name: "entries", Type: "list", Elements: "dict", Returned: "state=present",
				Description: desc("The managed entries as written."),
				Contains: []ansible.Return{
					{Name: "name", Type: "str", Returned: "always", Description: desc("Entry name (the #Ansible: marker).")},
					{Name: "schedule", Type: "str", Returned: "always", Description: desc("Schedule after splay.")},
					{Name: "command", Type: "str", Returned: "always", Description: desc("Command line.")},
					{Name: "timeout", Type: "int", Returned: "always", Sample: 1620,
						Description: desc("Seconds a run may last (the timeout option, or the one derived from the schedule after splay) before the tool gets TERM, then KILL 10 s later.")},
				}},
			{Name: "backup_file", Type: "str", Returned: "changed and backup is true", Description: desc("Path of the copy of the previous file.")},
			ansible.ProblemsReturn(),
		},
	}
}
