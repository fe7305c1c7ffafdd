package ansible

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hashicorp/go-multierror"
)

// maxArgsBytes bounds the args file: real module arguments are a few KiB.
const maxArgsBytes = 16 << 20

// Diff is one before/after pair of a diff-mode result.
type Diff struct {
	Before       string `json:"before"`
	After        string `json:"after"`
	BeforeHeader string `json:"before_header,omitempty"`
	AfterHeader  string `json:"after_header,omitempty"`
}

// Result is what a module returns on success.
type Result struct {
	Changed bool
	Msg     string
	// Diffs are returned only in diff mode.
	Diffs []Diff
	// Values holds the module's own return keys: a struct with json tags or
	// a map. Its keys are merged into the top level of the result.
	Values any
}

// Failure is an error that carries return values besides its message, for
// modules that want to say more than msg when they fail.
type Failure struct {
	Msg    string
	Values any
}

func (f *Failure) Error() string { return f.Msg }

// Deprecation is one entry of the deprecations list Ansible displays.
type Deprecation struct {
	Msg            string `json:"msg"`
	Version        string `json:"version,omitempty"`
	Date           string `json:"date,omitempty"`
	CollectionName string `json:"collection_name,omitempty"`
}

// Context is what a module's code sees of one run.
type Context struct {
	Spec      *Spec
	Params    Params
	CheckMode bool
	DiffMode  bool
	Verbosity int
	internal  internalArgs

	warnings     []string
	deprecations []Deprecation
	tmpdir       string
	tmpOwned     bool
}

// Warn adds a warning shown as [WARNING] by Ansible.
func (c *Context) Warn(msg string) { c.warnings = append(c.warnings, msg) }

// Deprecate adds a deprecation warning for this collection.
func (c *Context) Deprecate(msg, version string) {
	c.deprecations = append(c.deprecations, Deprecation{Msg: msg, Version: version, CollectionName: c.Spec.Collection})
}

// TempDir returns a private scratch directory following AnsibleModule's
// rules: the task's _ansible_tmpdir when Ansible gave one (Ansible deletes
// it), else an ansible-moduletmp-* directory under the expanded
// _ansible_remote_tmp (created 0700 with a warning when missing), falling
// back to the system temp dir; the SDK removes that one when the module
// exits unless _ansible_keep_remote_files is set.
func (c *Context) TempDir() (string, error) {
	if c.tmpdir != "" {
		return c.tmpdir, nil
	}
	if c.internal.Tmpdir != nil && *c.internal.Tmpdir != "" {
		c.tmpdir = *c.internal.Tmpdir
		return c.tmpdir, nil
	}
	base := expandPath(c.internal.RemoteTmp)
	if base != "" {
		if _, err := os.Stat(base); errors.Is(err, os.ErrNotExist) {
			if err := os.MkdirAll(base, 0o700); err == nil {
				c.Warn(fmt.Sprintf("Module remote_tmp %s did not exist and was created with a mode of 0700, "+
					"this may cause issues when running as another user. To avoid this, create the remote_tmp dir "+
					"with the correct permissions manually", base))
			}
		}
	}
	prefix := fmt.Sprintf("ansible-moduletmp-%d-", time.Now().Unix())
	dir, err := os.MkdirTemp(base, prefix)
	if err != nil {
		dir, err = os.MkdirTemp("", prefix)
		if err != nil {
			return "", fmt.Errorf("create a module temp dir: %w", err)
		}
	}
	c.tmpdir, c.tmpOwned = dir, true
	return dir, nil
}

func (c *Context) cleanup() {
	if c.tmpOwned && !c.internal.KeepRemoteFiles {
		_ = os.RemoveAll(c.tmpdir)
	}
}

// internalArgs are the _ansible_* keys this SDK reads (splitInternal
// maps each key to its field); every other _ansible_* key is ignored, since
// new ones appear in most releases.
type internalArgs struct {
	CheckMode         bool
	Diff              bool
	NoLog             bool
	Debug             bool
	Verbosity         int
	ModuleName        string
	Version           string
	Tmpdir            *string
	RemoteTmp         string
	KeepRemoteFiles   bool
	IgnoreUnknownOpts bool
	TracebacksFor     []string
	InjectInvocation  *bool
	TargetLogInfo     *string
	SyslogFacility    string
	ShellExecutable   string
	SelinuxSpecialFS  []string
	StringConversion  string
	Socket            *string
}

// RunFunc is a module's own logic: it gets validated parameters and returns
// a result, or an error that becomes failed: true with the error as msg.
type RunFunc func(*Context) (*Result, error)

// Main runs a module as Ansible invokes a binary module and exits.
func Main(spec *Spec, version string, run RunFunc) {
	os.Exit(Execute(spec, version, run, os.Args, os.Stdin, os.Stdout))
}

// Execute is Main without the exit: it reads the arguments (the args file
// named by argv[1], or {"ANSIBLE_MODULE_ARGS": {...}} on stdin when run by
// hand without one), validates them, runs the module and writes exactly one
// JSON object to stdout. It returns the exit code: 0, or 1 on failure.
func Execute(spec *Spec, version string, run RunFunc, argv []string, stdin io.Reader, stdout io.Writer) int {
	if len(argv) == 2 && argv[1] == "--version" {
		fmt.Fprintf(stdout, "%s %s\n", spec.FQCN(), version)
		return 0
	}
	out := map[string]any{}
	raw, err := loadArgs(argv, stdin)
	if err != nil {
		return emit(stdout, failed(out, err.Error()), scrubber{})
	}
	internal, userArgs, err := splitInternal(raw)
	if err != nil {
		return emit(stdout, failed(out, err.Error()), scrubber{})
	}
	secrets := map[string]bool{}
	noLogValues(spec.Options, userArgs, secrets)
	params, warnings, verr := spec.Validate(userArgs, internal.IgnoreUnknownOpts)
	noLogValues(spec.Options, params, secrets)
	scrub := newScrubber(secrets)
	ctx := &Context{
		Spec: spec, Params: params, CheckMode: internal.CheckMode, DiffMode: internal.Diff,
		Verbosity: internal.Verbosity, internal: internal, warnings: warnings,
	}
	defer ctx.cleanup()
	if internal.InjectInvocation == nil || *internal.InjectInvocation {
		out["invocation"] = map[string]any{"module_args": map[string]any(params)}
	}
	if verr != nil {
		return emit(stdout, ctx.finish(failed(out, verr.Error())), scrub)
	}
	if ctx.CheckMode && !spec.SupportsCheckMode {
		out["skipped"] = true
		out["changed"] = false
		out["msg"] = fmt.Sprintf("remote module (%s) does not support check mode", internal.ModuleName)
		return emit(stdout, ctx.finish(out), scrub)
	}
	res, err := safeRun(ctx, run)
	if err != nil {
		var f *Failure
		if errors.As(err, &f) && f.Values != nil {
			if merr := merge(out, f.Values); merr != nil {
				return emit(stdout, ctx.finish(failed(out, merr.Error())), scrub)
			}
		}
		var p *panicError
		if errors.As(err, &p) && ctx.wantTraceback() {
			out["exception"] = p.stack
		}
		return emit(stdout, ctx.finish(failed(out, errorText(err))), scrub)
	}
	if res == nil {
		res = &Result{}
	}
	if err := merge(out, res.Values); err != nil {
		return emit(stdout, ctx.finish(failed(out, err.Error())), scrub)
	}
	out["changed"] = res.Changed
	if res.Msg != "" {
		out["msg"] = res.Msg
	}
	if ctx.DiffMode && len(res.Diffs) > 0 {
		if len(res.Diffs) == 1 {
			out["diff"] = res.Diffs[0]
		} else {
			out["diff"] = res.Diffs
		}
	}
	return emit(stdout, ctx.finish(out), scrub)
}

func (c *Context) wantTraceback() bool {
	if c.internal.Verbosity >= 3 || c.internal.Debug {
		return true
	}
	for _, t := range c.internal.TracebacksFor {
		if t == "error" {
			return true
		}
	}
	return false
}

// finish adds warnings and deprecations in the shapes Ansible accepts.
func (c *Context) finish(out map[string]any) map[string]any {
	if len(c.warnings) > 0 {
		out["warnings"] = c.warnings
	}
	if len(c.deprecations) > 0 {
		out["deprecations"] = c.deprecations
	}
	return out
}

type panicError struct {
	value any
	stack string
}

func (p *panicError) Error() string {
	return fmt.Sprintf("internal error: the module panicked: %v (this is a bug; rerun with -vvv for the Go stack)", p.value)
}

func safeRun(ctx *Context, run RunFunc) (res *Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			buf := make([]byte, 64<<10)
			res, err = nil, &panicError{value: r, stack: string(buf[:runtime.Stack(buf, false)])}
		}
	}()
	return run(ctx)
}

// errorText renders a module's error: aggregated errors (a
// *multierror.Error anywhere in the chain) in the same one-line form as
// aggregated validation errors, anything else as it is.
func errorText(err error) string {
	return formatErrors(flatten(err))
}

// flatten lists the leaves of aggregated errors: *multierror.Error and
// errors.Join values, at any depth of wrapping.
func flatten(err error) []error {
	var merr *multierror.Error
	if errors.As(err, &merr) {
		var out []error
		for _, e := range merr.Errors {
			out = append(out, flatten(e)...)
		}
		return out
	}
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range joined.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	if inner := errors.Unwrap(err); inner != nil {
		if leaves := flatten(inner); len(leaves) > 1 {
			return leaves
		}
	}
	return []error{err}
}

func failed(out map[string]any, msg string) map[string]any {
	out["failed"] = true
	out["changed"] = false
	out["msg"] = msg
	return out
}

// merge copies a struct's (or map's) JSON keys into out.
func merge(out map[string]any, values any) error {
	if values == nil {
		return nil
	}
	data, err := json.Marshal(values)
	if err != nil {
		return fmt.Errorf("internal error: encode the module's return values: %w", err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		return fmt.Errorf("internal error: the module's return values are not an object: %w", err)
	}
	for k, v := range m {
		out[k] = v
	}
	return nil
}

func emit(w io.Writer, out map[string]any, scrub scrubber) int {
	clean := out
	if len(scrub.secrets) > 0 {
		// Only a result that may hold secrets pays for the generic copy
		// the scrubber walks.
		clean = scrub.scrub(toGeneric(out)).(map[string]any)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(clean); err != nil {
		buf.Reset()
		fmt.Fprintf(&buf, `{"failed": true, "changed": false, "msg": %q}`+"\n",
			"internal error: encode the result: "+err.Error())
	}
	_, _ = w.Write(buf.Bytes())
	if f, _ := clean["failed"].(bool); f {
		return 1
	}
	return 0
}

// toGeneric turns typed values (warnings, diffs, deprecations) into plain
// JSON shapes so the scrubber sees every string.
func toGeneric(out map[string]any) any {
	data, err := json.Marshal(out)
	if err != nil {
		return out
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var m map[string]any
	if dec.Decode(&m) != nil {
		return out
	}
	return m
}

func loadArgs(argv []string, stdin io.Reader) (map[string]any, error) {
	if len(argv) > 2 {
		return nil, fmt.Errorf("expected one argument, the path of the JSON arguments file, got %d", len(argv)-1)
	}
	if len(argv) == 2 {
		path := argv[1]
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("cannot read the module arguments file: %w", err)
		}
		defer f.Close()
		data, err := io.ReadAll(io.LimitReader(f, maxArgsBytes+1))
		if err != nil {
			return nil, fmt.Errorf("cannot read the module arguments file %s: %w", path, err)
		}
		return decodeArgs(data, "the module arguments file "+filepath.Base(path))
	}
	data, err := io.ReadAll(io.LimitReader(stdin, maxArgsBytes+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read module arguments from stdin: %w", err)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New(`no module arguments: pass the path of a JSON arguments file, or {"ANSIBLE_MODULE_ARGS": {...}} on stdin`)
	}
	wrapped, err := decodeArgs(data, "the module arguments on stdin")
	if err != nil {
		return nil, err
	}
	inner, ok := wrapped["ANSIBLE_MODULE_ARGS"].(map[string]any)
	if !ok || len(wrapped) != 1 {
		return nil, errors.New(`the module arguments on stdin must be {"ANSIBLE_MODULE_ARGS": {...}}`)
	}
	return inner, nil
}

func decodeArgs(data []byte, what string) (map[string]any, error) {
	if len(data) > maxArgsBytes {
		return nil, fmt.Errorf("%s is larger than %d bytes", what, maxArgsBytes)
	}
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("%s is not valid UTF-8", what)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%s is not a JSON object: %v", what, err)
	}
	if m == nil {
		return nil, fmt.Errorf("%s is not a JSON object: null", what)
	}
	if rest := bytes.TrimSpace(data[dec.InputOffset():]); len(rest) > 0 {
		return nil, fmt.Errorf("%s holds more than one JSON value (trailing %q)", what, truncate(string(rest), 20))
	}
	return m, nil
}

// splitInternal separates the _ansible_* keys from the user's arguments and
// decodes the ones the SDK reads. Keys match exactly: encoding/json would
// also match "_ansible_CHECK_mode" to a struct field, case-insensitively.
// Every malformed key is reported, in a stable order.
func splitInternal(raw map[string]any) (internalArgs, map[string]any, error) {
	var ia internalArgs
	fields := map[string]any{
		"_ansible_check_mode": &ia.CheckMode, "_ansible_diff": &ia.Diff, "_ansible_no_log": &ia.NoLog,
		"_ansible_debug": &ia.Debug, "_ansible_verbosity": &ia.Verbosity, "_ansible_module_name": &ia.ModuleName,
		"_ansible_version": &ia.Version, "_ansible_tmpdir": &ia.Tmpdir, "_ansible_remote_tmp": &ia.RemoteTmp,
		"_ansible_keep_remote_files": &ia.KeepRemoteFiles, "_ansible_ignore_unknown_opts": &ia.IgnoreUnknownOpts,
		"_ansible_tracebacks_for": &ia.TracebacksFor, "_ansible_inject_invocation": &ia.InjectInvocation,
		"_ansible_target_log_info": &ia.TargetLogInfo, "_ansible_syslog_facility": &ia.SyslogFacility,
		"_ansible_shell_executable": &ia.ShellExecutable, "_ansible_selinux_special_fs": &ia.SelinuxSpecialFS,
		"_ansible_string_conversion_action": &ia.StringConversion, "_ansible_socket": &ia.Socket,
	}
	user := make(map[string]any, len(raw))
	var errs []error
	for _, key := range sortedKeys(raw) {
		if !strings.HasPrefix(key, "_ansible_") {
			user[key] = raw[key]
			continue
		}
		field, known := fields[key]
		if !known {
			continue
		}
		data, _ := json.Marshal(raw[key])
		if err := json.Unmarshal(data, field); err != nil {
			errs = append(errs, fmt.Errorf("malformed internal Ansible argument %s: %v", key, err))
		}
	}
	if len(errs) > 0 {
		return ia, user, errors.New(formatErrors(errs))
	}
	return ia, user, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
