package ansible

// Running the module Dispatch picked (dispatch.go) as Ansible runs a
// binary module.

import (
	"errors"
	"fmt"
	"io"
	"runtime"
)

// execute runs the module Dispatch picked on the loaded arguments: it
// validates them, runs the module and writes exactly one JSON object to
// stdout. It returns the exit code: 0, or 1 on failure.
func execute(spec *Spec, run RunFunc, raw map[string]any, stdout io.Writer) int {
	out := map[string]any{}
	internal, userArgs, internalWarnings, err := splitInternal(raw)
	if err != nil {
		return emit(stdout, failWithMsg(out, err.Error()), scrubber{})
	}
	secrets := map[string]bool{}
	noLogValues(spec.Options, userArgs, secrets)
	params, warnings, verr := spec.Validate(userArgs, internal.IgnoreUnknownOpts)
	noLogValues(spec.Options, params, secrets)
	scrub := newScrubber(secrets)
	ctx := &Context{
		Params: params, CheckMode: internal.CheckMode, DiffMode: internal.Diff,
		internal: internal, warnings: append(internalWarnings, warnings...),
	}
	if internal.InjectInvocation == nil || *internal.InjectInvocation {
		out["invocation"] = map[string]any{"module_args": map[string]any(params)}
	}
	if verr != nil {
		return emit(stdout, ctx.finish(failWithError(out, verr)), scrub)
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
		return emit(stdout, ctx.finish(failWithError(out, err)), scrub)
	}
	if res == nil {
		res = &Result{}
	}
	if err := merge(out, res.Values); err != nil {
		return emit(stdout, ctx.finish(failWithMsg(out, err.Error())), scrub)
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
