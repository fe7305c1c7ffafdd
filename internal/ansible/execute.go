package ansible

// Running a module as Ansible runs a binary module: Execute (one module;
// a binary that serves several uses Main, dispatch.go).

import (
	"errors"
	"fmt"
	"io"
	"runtime"
)

// Execute runs one module as Ansible invokes a binary module: it reads the
// arguments (the args file named by argv[1], or {"ANSIBLE_MODULE_ARGS":
// {...}} on stdin without one), validates them, runs the module and writes
// exactly one JSON object to stdout. It returns the exit code: 0, or 1 on
// failure.
func Execute(spec *Spec, version string, run RunFunc, argv []string, stdin io.Reader, stdout io.Writer) int {
	if len(argv) == 2 && argv[1] == "--version" {
		fmt.Fprintf(stdout, "%s %s\n", spec.FQCN(), version)
		return 0
	}
	raw, err := loadArgs(argv, stdin)
	if err != nil {
		return emit(stdout, failed(map[string]any{}, err.Error()), scrubber{})
	}
	return execute(spec, run, raw, stdout)
}

// execute is Execute once the arguments are loaded.
func execute(spec *Spec, run RunFunc, raw map[string]any, stdout io.Writer) int {
	out := map[string]any{}
	internal, userArgs, internalWarnings, err := splitInternal(raw)
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
		Verbosity: internal.Verbosity, internal: internal, warnings: append(internalWarnings, warnings...),
	}
	if internal.InjectInvocation == nil || *internal.InjectInvocation {
		out["invocation"] = map[string]any{"module_args": map[string]any(params)}
	}
	if verr != nil {
		return emit(stdout, ctx.finish(failure(out, verr)), scrub)
	}
	if ctx.CheckMode && !spec.SupportsCheckMode {
		out["skipped"] = true
		out["changed"] = false
		out["msg"] = fmt.Sprintf("remote module (%s) does not support check mode", internal.ModuleName)
		return emit(stdout, ctx.finish(out), scrub)
	}
	res, err := safeRun(ctx, run)
	if err != nil {
		var p *panicError
		if errors.As(err, &p) && ctx.wantTraceback() {
			out["exception"] = p.stack
		}
		return emit(stdout, ctx.finish(failure(out, err)), scrub)
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
