package ansible

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// ModuleKey is the argument that names the module a multi-module binary
// runs: the module's short name or its FQCN. The action plugins add it
// after validating the task (a task cannot set it: it is not an option of
// any module, so the controller refuses it as unsupported), and the binary
// removes it before the module sees its arguments. It is needed because
// Ansible overwrites _ansible_module_name with the name of the file it
// runs, which is the binary's, not the module's.
const ModuleKey = "_kolla_glance_module"

// Module is one module a binary serves: its declaration and its code.
type Module struct {
	Spec *Spec
	Run  RunFunc
}

// Main runs the module Ansible asked for, of the modules one binary
// serves, and exits (see Dispatch).
func Main(version string, modules ...Module) {
	os.Exit(Dispatch(modules, version, os.Args, os.Stdin, os.Stdout))
}

// Dispatch is Main without the exit. The module is the one ModuleKey names
// in the arguments or, without that key, the one argv[0] is named after
// (busybox style: a link named backends or kolla.glance.backends runs
// backends). The rest is Execute's: the same arguments, protocol and exit
// code. `--version` prints the collection's name and version, or the
// module's when argv[0] names one.
func Dispatch(modules []Module, version string, argv []string, stdin io.Reader, stdout io.Writer) int {
	byArgv0 := lookup(modules, filepath.Base(argv0(argv)))
	if len(argv) == 2 && argv[1] == "--version" {
		name := modules[0].Spec.Collection
		if byArgv0 != nil {
			name = byArgv0.Spec.FQCN()
		}
		fmt.Fprintf(stdout, "%s %s\n", name, version)
		return 0
	}
	raw, err := loadArgs(argv, stdin)
	if err != nil {
		return emit(stdout, failWithMsg(map[string]any{}, err.Error()), scrubber{})
	}
	m, err := pick(modules, raw, byArgv0)
	if err != nil {
		return emit(stdout, failWithMsg(map[string]any{}, err.Error()), scrubber{})
	}
	return execute(m.Spec, m.Run, raw, stdout)
}

// pick returns the module ModuleKey names, and removes the key from raw;
// without the key, the module argv[0] names.
func pick(modules []Module, raw map[string]any, byArgv0 *Module) (*Module, error) {
	value, given := raw[ModuleKey]
	if !given {
		if byArgv0 == nil {
			return nil, fmt.Errorf("which module? This binary serves %s: name one in the argument %s, "+
				"or run the binary under the module's name", names(modules), ModuleKey)
		}
		return byArgv0, nil
	}
	delete(raw, ModuleKey)
	name, _ := value.(string)
	if m := lookup(modules, name); m != nil {
		return m, nil
	}
	data, _ := json.Marshal(value)
	return nil, fmt.Errorf("%s is %s, not a module of this binary (%s)", ModuleKey, truncate(string(data), 40), names(modules))
}

// lookup finds a module by short name or FQCN.
func lookup(modules []Module, name string) *Module {
	for i := range modules {
		if s := modules[i].Spec; name != "" && (name == s.Name || name == s.FQCN()) {
			return &modules[i]
		}
	}
	return nil
}

func names(modules []Module) string {
	out := make([]string, len(modules))
	for i, m := range modules {
		out[i] = m.Spec.Name
	}
	return strings.Join(out, ", ")
}

func argv0(argv []string) string {
	if len(argv) == 0 {
		return ""
	}
	return argv[0]
}
