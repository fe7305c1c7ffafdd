//go:build integration

// Package integration drives the collection's modules through real
// ansible-playbook and ansible runs (ansible-core from Debian's packages).
// `make integration` builds the binaries first; each target under targets/
// is a playbook whose own assertions must pass, and the Go tests add the
// checks a playbook cannot make about itself (what -vvv prints, what was
// transferred, what an installed tarball holds).
package integration

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// env is one prepared Ansible environment: the repository mounted as the
// collection kolla.glance under a scratch ANSIBLE_COLLECTIONS_PATH.
type env struct {
	t       *testing.T
	root    string // repository root
	scratch string
	vars    []string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	root, err := filepath.Abs(filepath.Join(filepath.Dir(file), "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	scratch := t.TempDir()
	coll := filepath.Join(scratch, "collections", "ansible_collections", "kolla")
	if err := os.MkdirAll(coll, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(root, filepath.Join(coll, "glance")); err != nil {
		t.Fatal(err)
	}
	return &env{t: t, root: root, scratch: scratch, vars: []string{
		"ANSIBLE_COLLECTIONS_PATH=" + filepath.Join(scratch, "collections"),
		"ANSIBLE_LOCAL_TEMP=" + filepath.Join(scratch, "local-tmp"),
		"ANSIBLE_REMOTE_TEMP=" + filepath.Join(scratch, "remote-tmp"),
		"ANSIBLE_ASYNC_DIR=" + filepath.Join(scratch, "async"),
		"ANSIBLE_NOCOLOR=1",
		"ANSIBLE_FORCE_COLOR=0",
		"ANSIBLE_RETRY_FILES_ENABLED=0",
		"ANSIBLE_STDOUT_CALLBACK=default",
		"ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3",
		"ANSIBLE_LOCALHOST_WARNING=0",
		"ANSIBLE_TRANSFORM_INVALID_GROUP_CHARS=ignore",
		"ANSIBLE_INVENTORY_UNPARSED_WARNING=0",
	}}
}

// result is the part of an ad-hoc run's output that Ansible got back from
// the task: 2.19 and later also echo the ad-hoc task's own arguments, as
// typed on the command line, above it.
func (r runResult) result() string {
	if i := strings.Index(r.out, "=> {"); i >= 0 {
		return r.out[i:]
	}
	return r.out
}

type runResult struct {
	out  string
	code int
}

func (e *env) run(extraEnv []string, name string, args ...string) runResult {
	e.t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = filepath.Join(e.root, "tests", "integration")
	cmd.Env = append(append(os.Environ(), e.vars...), extraEnv...)
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err := cmd.Run()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			e.t.Fatalf("run %s: %v", name, err)
		}
		code = ee.ExitCode()
	}
	return runResult{out: buf.String(), code: code}
}

// playbook runs a target's playbook and fails the test unless it passes.
func (e *env) playbook(target string, args ...string) runResult {
	e.t.Helper()
	all := append([]string{"-i", "inventory.ini", filepath.Join("targets", target, "main.yml"),
		"-e", "scratch_dir=" + e.scratch}, args...)
	r := e.run(nil, "ansible-playbook", all...)
	if r.code != 0 {
		e.t.Fatalf("ansible-playbook %s failed (rc=%d):\n%s", target, r.code, r.out)
	}
	return r
}

// typeError is the want for ansible-core's type-conversion message, which
// names the type as <class 'str'> up to 2.18 and as str from 2.19 on.
func typeError(option, from, to string) string {
	return "re:" + regexp.QuoteMeta("argument '"+option+"' is of type ") +
		"(<class '" + from + "'>|" + from + ")" + regexp.QuoteMeta(" and we were unable to convert to "+to)
}

// mustContain checks that out holds each want: a plain substring, or a
// regular expression after "re:".
func mustContain(t *testing.T, out string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if re, ok := strings.CutPrefix(w, "re:"); ok {
			if !regexp.MustCompile(re).MatchString(out) {
				t.Errorf("output does not match %q:\n%s", re, out)
			}
			continue
		}
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}

func mustNotContain(t *testing.T, out string, bad ...string) {
	t.Helper()
	for _, b := range bad {
		if strings.Contains(out, b) {
			t.Errorf("output contains %q:\n%s", b, out)
		}
	}
}
