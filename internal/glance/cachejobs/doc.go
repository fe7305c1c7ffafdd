// Package cachejobs is Glance's image-cache cron jobs, behind the
// kolla.glance.cache_cron module: the one validated Request (cron
// schedules, the commands that run Glance's cache tools inside the glance
// container), the model of a cron.d file that keeps foreign lines byte for
// byte, and Apply, the atomic, locked writer that takes the Request.
//
// # Schedules
//
// ParseSchedule accepts what Debian cron (Vixie cron 3.0pl1) runs without
// surprises: five fields or an @keyword, and refuses newlines, "%" and
// control characters. Every error names the field, the value and what is
// allowed. Splay spreads a fleet's runs: the minute offset M and hour H
// come from an FNV-1a 32-bit hash of seed, a NUL byte and the job name
// (M = h mod 60, H = (h div 60) mod 6); see Splay and SplayOffsets.
//
// # Requests, commands and entries
//
// NewRequest checks every input of a RequestSpec once, reporting every
// problem together (internal/problem, each about its option), and renders
// the entries; the command of each is
//
//	flock -n /run/lock/kolla-glance-<tool>-<container>.lock <engine> exec <container> sh -c 'exec timeout -k 10s <T>s <tool> --config-file ... >>/var/log/kolla/glance/<tool>.log 2>&1'
//
// flock keeps runs of one job from overlapping; timeout, inside the
// container, ends a run after T seconds (TERM, then KILL 10 s later), so a
// wedged tool cannot hold the lock forever. DefaultTimeout derives T from
// the job's schedule: 90% of Schedule.ShortestInterval, from 30 s to one
// hour.
//
// Releases up to 2023.2 pass glance-cache.conf only; 2024.1 and later pass
// glance-api.conf then glance-cache.conf (release.Release.CacheToolConfigFiles). An Entry
// renders the cron.d line "<schedule> <user> <command>" under the marker
// "#Ansible: <name>" that ansible.builtin.cron uses, so files written by
// that module are adopted instead of duplicated.
//
// # Files
//
// ParseFile never fails and keeps every line (CRLF endings included).
// Ensure and Remove change only the entries they are given; Render joins
// the lines with "\n" and adds a final "\n".
//
// # Writing
//
// Apply takes the Request: under an exclusive lock on the directory it
// sweeps stale temporary files, reads the file, computes the new content
// and, when it differs, optionally backs the file up and replaces it
// atomically (or deletes it when a removal leaves it blank). In check mode
// it only predicts.
//
// Every name this package creates in the cron directory (temporary files
// ".<name>.tmp-*", backups ".<name>.<UTC timestamp>.bak") starts with a dot
// and contains dots, so neither Debian cron (which ignores names with
// dots) nor cronie (which ignores names starting with a dot) ever loads
// them.
package cachejobs
