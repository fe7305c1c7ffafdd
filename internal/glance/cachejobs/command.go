package cachejobs

import (
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/kolla-glance/kolla-glance/internal/glance/release"
	"github.com/kolla-glance/kolla-glance/internal/problem"
)

// The glance image-cache tools this package schedules.
const (
	ToolPruner  = "glance-cache-pruner"
	ToolCleaner = "glance-cache-cleaner"
)

// DefaultLogDir is where kolla keeps glance's logs inside the container
// (the kolla_logs volume); kolla's logrotate rotates *.log there.
const DefaultLogDir = "/var/log/kolla/glance"

// LockDir is the host directory for the per-job flock files.
const LockDir = "/run/lock"

// CommandSpec describes one cache tool run inside the glance container.
type CommandSpec struct {
	Engine string // docker or podman
	// EngineBinary is the absolute path of the engine when cron's PATH
	// (/usr/bin:/bin) would not find it, e.g. /usr/local/bin/docker; ""
	// writes the bare engine name.
	EngineBinary string
	// User runs the tool inside the container (engine exec --user); ""
	// keeps the container's own user.
	User      string
	Container string // container name, e.g. glance_api
	Tool      string // ToolPruner or ToolCleaner
	Release   string // glance release, see release.Parse
	LogDir    string // log directory inside the container; "" = DefaultLogDir
	// Timeout bounds the tool's run, in seconds (1 to MaxTimeout): TERM
	// when it is up, KILL KillAfter seconds later. See DefaultTimeout.
	Timeout int
}

var (
	// ^[A-Za-z0-9][A-Za-z0-9_.-]*$
	containerRe = charClass{first: alnum, rest: alnum + "_.-", min: 1}
	// ^/[A-Za-z0-9_./-]*$
	logDirRe = charClass{first: "/", rest: alnum + "_./-", min: 1}
)

// commandLine renders the cron command that runs a glance cache tool in
// the container, from a CommandSpec that checkCommand accepted, with Tool
// and Timeout set by NewRequest:
//
//	flock -n /run/lock/kolla-glance-<tool>-<container>.lock <engine> exec [--user <user>] <container> sh -c 'exec timeout -k 10s <timeout>s <tool> --config-file <f>... >><logdir>/<tool>.log 2>&1'
//
// Choices:
//   - flock -n (util-linux, on the host) keeps a run from overlapping a
//     previous run of the same job; a skipped run exits 1 silently, so cron
//     sends no mail for it.
//   - timeout (coreutils, inside the container, which kolla's images have)
//     bounds each run: TERM after Timeout seconds, KILL KillAfter seconds
//     later, to the tool's whole process group. A wedged tool (Glance
//     2025.1's glance-cache-pruner loops forever when the cache directory
//     holds files its database does not know) would otherwise hold the
//     flock and skip every later run. It runs in the container, around the
//     tool: killing the engine's exec client on the host would leave the
//     tool running in the container. A run that timed out exits 124 (137
//     when it needed KILL) and prints nothing, like a finished one.
//   - The tool's stdout and stderr are appended to <logdir>/<tool>.log
//     inside the container, beside glance's own logs (rotated by kolla's
//     logrotate), instead of mailing root on every run (glance 2026.1
//     prints a deprecation warning on each run).
//   - Errors of flock or of the engine itself (container down, engine
//     missing) are not redirected: they still reach cron's mail, on
//     purpose.
//   - The tool runs as the container's default user (glance in kolla
//     images); PATH is cron's default (/usr/bin:/bin) where docker,
//     podman and flock live.
func commandLine(c CommandSpec) string {
	rel, _ := release.Parse(c.Release) // checked by checkCommand
	logDir := c.LogDir
	if logDir == "" {
		logDir = DefaultLogDir
	}
	engine := c.Engine
	if c.EngineBinary != "" {
		engine = c.EngineBinary
	}
	var b strings.Builder
	b.WriteString("flock -n ")
	b.WriteString(LockDir + "/kolla-glance-" + c.Tool + "-" + c.Container + ".lock ")
	b.WriteString(engine + " exec ")
	if c.User != "" {
		b.WriteString("--user " + c.User + " ")
	}
	b.WriteString(c.Container + " sh -c 'exec timeout -k " + strconv.Itoa(KillAfter) + "s " + strconv.Itoa(c.Timeout) + "s " + c.Tool)
	for _, f := range rel.CacheToolConfigFiles() {
		b.WriteString(" --config-file " + f)
	}
	b.WriteString(" >>" + path.Join(logDir, c.Tool+".log") + " 2>&1'")
	return b.String()
}

// checkCommand adds to l every problem of the command's inputs, each
// message naming its option: engines other than docker and podman, an
// engine binary that is not a clean absolute path to that engine, exec
// users and container names that are not plain names (container names
// must match ^[A-Za-z0-9][A-Za-z0-9_.-]*$), unknown releases, log
// directories that are not clean absolute paths made of letters, digits,
// "_", ".", "-" and "/". Since every value is one of those plain tokens, no
// newline, "%", quote or shell metacharacter can reach the cron line.
func checkCommand(c CommandSpec, l *problem.List) {
	named := func(option, format string, args ...any) { l.Named([]string{option}, "", format, args...) }
	if c.Engine != "docker" && c.Engine != "podman" {
		named("container_engine", "container_engine %q is not supported; use docker or podman", c.Engine)
	}
	if c.EngineBinary != "" {
		if !logDirRe.MatchString(c.EngineBinary) || path.Clean(c.EngineBinary) != c.EngineBinary || path.Base(c.EngineBinary) != c.Engine {
			named("container_engine", "engine binary %q must be a clean absolute path ending in /%s", c.EngineBinary, c.Engine)
		}
	}
	if c.User != "" && !userRe.MatchString(c.User) {
		named("exec_user", "exec_user %q is not a valid user name; it must match ^[A-Za-z_][A-Za-z0-9_.-]{0,31}$", c.User)
	}
	if !containerRe.MatchString(c.Container) {
		named("container_name", "container_name %q is not a plain container name; it must match ^[A-Za-z0-9][A-Za-z0-9_.-]*$ (no spaces, quotes, %%, newlines or shell metacharacters)", c.Container)
	}
	if _, ok := release.Parse(c.Release); !ok {
		named("glance_release", "glance_release %q is not a known release; use kolla-ansible's openstack_release (%s), another YYYY.N release from 2023.1 on, or a code name up to zed (e.g. \"zed\")", c.Release, kollaReleases())
	}
	logDir := c.LogDir
	if logDir == "" {
		logDir = DefaultLogDir
	}
	if err := checkLogDir(logDir); err != nil {
		named("log_dir", "%s", err.Error())
	}
}

// kollaReleases lists kolla-ansible's releases as the glance_release
// problem quotes them: "2024.1", "2025.1", ... or "master".
func kollaReleases() string {
	var q []string
	for _, r := range release.Kolla() {
		q = append(q, strconv.Quote(string(r)))
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}

func checkLogDir(d string) error {
	if !logDirRe.MatchString(d) {
		return fmt.Errorf("log_dir %q must be an absolute path made of letters, digits, \"_\", \".\", \"-\" and \"/\"", d)
	}
	if path.Clean(d) != d {
		return fmt.Errorf("log_dir %q is not a clean path (no \"..\", \".\", \"//\" or trailing \"/\"); use %q", d, path.Clean(d))
	}
	return nil
}

// Entry is one managed cron.d job.
type Entry struct {
	Name     string   // marker name: the line "#Ansible: <Name>" precedes the job
	Schedule Schedule // when
	User     string   // user column of the cron.d line
	Command  string   // the command, see commandLine
	// Timeout is the run time, in seconds, the command bounds the tool to
	// (CommandSpec.Timeout); informational, Line does not use it.
	Timeout int
}

// MarkerPrefix starts the marker line ansible.builtin.cron writes above each
// job it manages.
const MarkerPrefix = "#Ansible: "

// Marker returns the marker line "#Ansible: <name>".
func (e Entry) Marker() string { return MarkerPrefix + e.Name }

// Line returns the cron.d line "<schedule> <user> <command>".
func (e Entry) Line() string {
	return e.Schedule.String() + " " + e.User + " " + e.Command
}

// ^[A-Za-z_][A-Za-z0-9_.-]{0,31}$
var userRe = charClass{first: letters + "_", rest: alnum + "_.-", min: 1, max: 32}

// checkUser checks the user column of a cron.d line.
func checkUser(user string) error {
	if !userRe.MatchString(user) {
		return fmt.Errorf("user %q is not a valid user name; it must match ^[A-Za-z_][A-Za-z0-9_.-]{0,31}$", user)
	}
	return nil
}

// findForbidden returns the byte index and a description of the first
// character of s that may not be written into a cron line; percent signs
// count only when percent is true.
func findForbidden(s string, percent bool) (int, string) {
	for i, r := range s {
		if r == '%' && !percent {
			continue
		}
		if what := forbiddenRune(r); what != "" {
			return i, what
		}
	}
	return -1, ""
}
