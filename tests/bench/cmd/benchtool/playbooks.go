package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// cronEntry is one entry of cache_cron's "entries" return value.
type cronEntry struct {
	Name     string `json:"name"`
	Schedule string `json:"schedule"`
	Command  string `json:"command"`
}

// benchCase is one timed playbook: N copies of a task (or of a group of
// tasks) after a common setup task.
type benchCase struct {
	Name  string
	Group string // "cron" or "compute": the cases timed in one hyperfine call
	N     int
	// Info says what each task runs, for the report.
	Info string
	// PlayVars are added to the play (kolla_glance_compute_on).
	PlayVars map[string]string
	// Tasks renders copy i (1-based) of the timed task(s), at column 0.
	Tasks func(i int) (string, error)
}

var placeholder = regexp.MustCompile(`__[A-Z_]+__`)

// snippet is a task file of tests/bench/tasks: a YAML list of tasks whose
// __KEY__ placeholders stand for whole scalars.
type snippet string

func loadSnippet(dir, name string) (snippet, error) {
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return "", err
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
		if l == "---" || strings.HasPrefix(l, "#") {
			continue
		}
		lines = append(lines, l)
	}
	return snippet(strings.Join(lines, "\n") + "\n"), nil
}

// fill replaces each __KEY__ with the JSON (so YAML double-quoted) form of
// its value and fails when a placeholder is left.
func (s snippet) fill(values map[string]string) (string, error) {
	out := string(s)
	for k, v := range values {
		out = strings.ReplaceAll(out, "__"+k+"__", yamlQuote(v))
	}
	if left := placeholder.FindString(out); left != "" {
		return "", fmt.Errorf("placeholder %s has no value", left)
	}
	return out, nil
}

func yamlQuote(s string) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimRight(b.String(), "\n")
}

// cronFields splits a five-field schedule into ansible.builtin.cron's options.
func cronFields(schedule string) (map[string]string, error) {
	f := strings.Fields(schedule)
	if len(f) != 5 {
		return nil, fmt.Errorf("schedule %q: the bench compares five-field schedules only", schedule)
	}
	return map[string]string{"MINUTE": f[0], "HOUR": f[1], "DAY": f[2], "MONTH": f[3], "WEEKDAY": f[4]}, nil
}

func static(s snippet) func(int) (string, error) {
	return func(int) (string, error) { return s.fill(nil) }
}

// coldDir is where copy i of a cold case keeps its binary cache: a
// directory of its own, which tests/bin/bench empties before every timed
// run, so that every copy finds the cache empty and uploads the binary.
func coldDir(scratch string, i int) string {
	return filepath.Join(scratch, "cold", strconv.Itoa(i))
}

// cold runs each copy of tasks in a block whose binary cache is coldDir.
func cold(scratch string, tasks func(int) (string, error)) func(int) (string, error) {
	return func(i int) (string, error) {
		t, err := tasks(i)
		if err != nil {
			return "", err
		}
		var b strings.Builder
		fmt.Fprintf(&b, "- name: %s\n  vars:\n    kolla_glance_binary_cache_dir: %s\n  block:\n",
			yamlQuote(fmt.Sprintf("Cold binary cache (copy %d)", i)), yamlQuote(coldDir(scratch, i)))
		for _, l := range strings.Split(strings.TrimRight(t, "\n"), "\n") {
			if l != "" {
				l = "    " + l
			}
			b.WriteString(l + "\n")
		}
		return b.String(), nil
	}
}

func buildCases(tasksDir, scratch string, entries []cronEntry, n, nTarget, nCron int) ([]benchCase, error) {
	names := []string{"cache_cron.yml", "cron.yml", "backends.yml", "setfact_backends.yml", "upgrade_plan.yml", "setfact_plan.yml", "command.yml"}
	snip := map[string]snippet{}
	for _, name := range names {
		s, err := loadSnippet(tasksDir, name)
		if err != nil {
			return nil, err
		}
		snip[name] = s
	}
	cacheCron := func(dir string, file func(int) string) func(int) (string, error) {
		return func(i int) (string, error) {
			return snip["cache_cron.yml"].fill(map[string]string{"CRON_DIR": filepath.Join(scratch, dir), "CRON_FILE": file(i)})
		}
	}
	cron := func(dir string, file func(int) string) func(int) (string, error) {
		return func(i int) (string, error) {
			var out strings.Builder
			for _, e := range entries {
				values, err := cronFields(e.Schedule)
				if err != nil {
					return "", err
				}
				values["NAME"], values["JOB"] = e.Name, e.Command
				values["CRON_FILE"] = filepath.Join(scratch, dir, file(i))
				t, err := snip["cron.yml"].fill(values)
				if err != nil {
					return "", err
				}
				out.WriteString(t)
			}
			return out.String(), nil
		}
	}
	same := func(int) string { return "kolla-glance-cache" }
	target := map[string]string{"kolla_glance_compute_on": "target"}
	off := map[string]string{"kolla_glance_binary_cache": "false"}
	return []benchCase{
		{Name: "empty", Group: "both", N: 0, Tasks: static(""), Info: "only the setup task (the baseline)"},
		{Name: "cc-idem", Group: "cron", N: nCron, Tasks: cacheCron("cc-idem", same),
			Info: "kolla.glance.cache_cron, file already right, binary cache warm"},
		{Name: "cc-idem-cold", Group: "cron", N: nCron, Tasks: cold(scratch, cacheCron("cc-idem", same)),
			Info: "the same, each task with an empty binary cache (uploads the binary)"},
		{Name: "cc-idem-off", Group: "cron", N: nCron, PlayVars: off, Tasks: cacheCron("cc-idem", same),
			Info: "the same, binary cache off (upload and delete per task, as before the cache)"},
		{Name: "cron-idem", Group: "cron", N: nCron, Tasks: cron("py-idem", same),
			Info: "2 ansible.builtin.cron tasks, file already right"},
		{Name: "cmd-true", Group: "cron", N: nCron, Tasks: static(snip["command.yml"]),
			Info: "ansible.builtin.command: true (the floor of a task on the target)"},
		{Name: "backends-ctrl", Group: "compute", N: n, Tasks: static(snip["backends.yml"]),
			Info: "kolla.glance.backends, run on the controller"},
		{Name: "backends-target", Group: "compute", N: nTarget, PlayVars: target, Tasks: static(snip["backends.yml"]),
			Info: "kolla.glance.backends, compute_on=target, binary cache warm"},
		{Name: "sf-backends", Group: "compute", N: n, Tasks: static(snip["setfact_backends.yml"]),
			Info: "set_fact with kolla-ansible's backend Jinja"},
		{Name: "plan-ctrl", Group: "compute", N: n, Tasks: static(snip["upgrade_plan.yml"]),
			Info: "kolla.glance.upgrade_plan (3 hosts), on the controller"},
		{Name: "plan-target", Group: "compute", N: nTarget, PlayVars: target, Tasks: static(snip["upgrade_plan.yml"]),
			Info: "kolla.glance.upgrade_plan (3 hosts), compute_on=target, binary cache warm"},
		{Name: "plan-target-cold", Group: "compute", N: nTarget, PlayVars: target, Tasks: cold(scratch, static(snip["upgrade_plan.yml"])),
			Info: "the same, each task with an empty binary cache (uploads the binary)"},
		{Name: "sf-plan", Group: "compute", N: n, Tasks: static(snip["setfact_plan.yml"]),
			Info: "set_fact building kolla-ansible's step list (3 hosts)"},
	}, nil
}

func renderPlaybook(c benchCase, arch string) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "---\n# Generated by tests/bin/bench (benchtool playbooks): case %s, %d timed copies.\n", c.Name, c.N)
	fmt.Fprintf(&b, "- name: %s\n  hosts: bench\n  gather_facts: false\n", yamlQuote("bench "+c.Name))
	if len(c.PlayVars) > 0 {
		b.WriteString("  vars:\n")
		for k, v := range c.PlayVars {
			fmt.Fprintf(&b, "    %s: %s\n", k, yamlQuote(v))
		}
	}
	// Every playbook, the empty one included, starts with the platform facts
	// gather_facts would leave: the action plugins read them instead of
	// running uname on the target.
	b.WriteString("  tasks:\n")
	b.WriteString("    - name: Platform facts, as gather_facts leaves them\n")
	b.WriteString("      ansible.builtin.set_fact:\n")
	b.WriteString("        ansible_system: Linux\n")
	fmt.Fprintf(&b, "        ansible_architecture: %s\n", yamlQuote(arch))
	b.WriteString("        cacheable: true\n")
	for i := 1; i <= c.N; i++ {
		t, err := c.Tasks(i)
		if err != nil {
			return "", fmt.Errorf("case %s: %w", c.Name, err)
		}
		for _, l := range strings.Split(strings.TrimRight(t, "\n"), "\n") {
			if l == "" {
				b.WriteString("\n")
				continue
			}
			b.WriteString("    " + l + "\n")
		}
	}
	return b.String(), nil
}

func playbooksCmd(args []string) error {
	fs := flag.NewFlagSet("playbooks", flag.ContinueOnError)
	tasksDir := fs.String("tasks", "tests/bench/tasks", "task snippets")
	out := fs.String("out", "", "output directory")
	scratch := fs.String("scratch", "", "the bench's scratch directory")
	entriesFile := fs.String("entries", "", "cache_cron's result (JSON) whose entries the cron tasks copy")
	n := fs.Int("n", 40, "timed copies of a task run on the controller (compute-only modules, set_fact)")
	nTarget := fs.Int("n-target", 20, "timed copies of a compute-only module run with kolla_glance_compute_on=target")
	nCron := fs.Int("n-cron", 10, "timed copies per cron playbook")
	arch := fs.String("arch", "x86_64", "ansible_architecture of the target")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" || *scratch == "" || *entriesFile == "" {
		return fmt.Errorf("-out, -scratch and -entries are required")
	}
	data, err := os.ReadFile(*entriesFile)
	if err != nil {
		return err
	}
	var res struct {
		Failed  bool        `json:"failed"`
		Msg     string      `json:"msg"`
		Entries []cronEntry `json:"entries"`
	}
	if err := json.Unmarshal(data, &res); err != nil {
		return fmt.Errorf("%s: %w", *entriesFile, err)
	}
	if res.Failed || len(res.Entries) == 0 {
		return fmt.Errorf("%s: cache_cron returned no entries: %s", *entriesFile, res.Msg)
	}
	cases, err := buildCases(*tasksDir, *scratch, res.Entries, *n, *nTarget, *nCron)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	var tsv strings.Builder
	for _, c := range cases {
		text, err := renderPlaybook(c, *arch)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(*out, c.Name+".yml"), []byte(text), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(&tsv, "%s\t%d\t%s\t%s\n", c.Name, c.N, c.Group, c.Info)
	}
	return os.WriteFile(filepath.Join(*out, "cases.tsv"), []byte(tsv.String()), 0o644)
}
