package upgradeplan_test

import (
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kolla-glance/kolla-glance/internal/ansible"
	"github.com/kolla-glance/kolla-glance/internal/ansible/ansibletest"
	"github.com/kolla-glance/kolla-glance/internal/modules/upgradeplan"
)

var module = ansibletest.Module{Spec: upgradeplan.Spec(), Run: upgradeplan.Run}

var three = []any{"control01", "control02", "control03"}

// actions lists the actions of a result's steps, in order.
func actions(res map[string]any) []string {
	var out []string
	for _, s := range res["steps"].([]any) {
		out = append(out, s.(map[string]any)["action"].(string))
	}
	return out
}

func TestReturnsMatchTheDocumentedSpec(t *testing.T) {
	spec := upgradeplan.Spec()
	documented := map[string]ansible.Return{}
	for _, r := range spec.Returns {
		documented[r.Name] = r
	}
	require.Len(t, documented, 9, "the spec documents the returns this test knows")
	subKeys := func(name string) map[string]bool {
		m := map[string]bool{}
		for _, c := range documented[name].Contains {
			m[c.Name] = true
		}
		return m
	}
	stepKeys, skipKeys := subKeys("steps"), subKeys("skipped_steps")
	require.Len(t, stepKeys, 6)
	require.Len(t, skipKeys, 2)

	for name, args := range map[string]map[string]any{
		"legacy":          {"api_hosts": three},
		"rolling":         {"api_hosts": three, "rolling": true},
		"resume":          {"api_hosts": three, "rolling": "yes", "db_state": 4, "upgraded_hosts": []any{"control02"}},
		"fallback":        {"api_hosts": []any{"a"}, "rolling": true, "on_unsafe": "legacy", "database": "postgresql"},
		"nothing to do":   {"api_hosts": three, "db_state": 0, "upgraded_hosts": three},
		"no loadbalancer": {"api_hosts": three, "rolling": true, "loadbalancer": false, "use_preconfigured_databases": true},
		"stop on failure": {"api_hosts": three, "rolling": true, "on_failure": "stop"},
	} {
		t.Run(name, func(t *testing.T) {
			res := module.OK(t, args)
			for n := range documented {
				if n != "problems" { // a failure's
					assert.Contains(t, res, n, "documented return %s is missing", n)
				}
			}
			for _, k := range ansibletest.Keys(res) {
				_, doc := documented[k]
				assert.True(t, doc || ansibletest.SDKKey(k), "undocumented top-level key %q", k)
			}
			// Ansible would take a top-level "skipped" for a skipped task.
			assert.NotContains(t, res, "skipped")
			assert.Equal(t, false, res["changed"])
			assert.Contains(t, []any{"rolling", "legacy"}, res["mode"])
			assert.IsType(t, true, res["api_outage"])
			assert.IsType(t, "", res["plan_text"])
			assert.IsType(t, []any{}, res["batches"])
			for i, s := range res["steps"].([]any) {
				step := s.(map[string]any)
				for k := range step {
					assert.True(t, stepKeys[k], "undocumented step key %q", k)
				}
				assert.Equal(t, float64(i+1), step["step"], "steps are numbered from 1")
				assert.Contains(t, step, "host", "host is always returned, null for none")
				assert.Contains(t, step, "action")
				_, hasValue := step["value"]
				assert.Equal(t, step["action"] == "set_log_bin_trust", hasValue, "value only on set_log_bin_trust: %v", step)
				assert.Contains(t, step, "rollback_batch", "rollback_batch is always returned, null for none")
			}
			assert.Contains(t, []any{"rollback", "stop"}, res["on_failure"])
			for _, list := range res["rollback_steps"].([]any) {
				for i, s := range list.([]any) {
					step := s.(map[string]any)
					for k := range step {
						assert.True(t, stepKeys[k], "undocumented rollback step key %q", k)
					}
					assert.Equal(t, float64(i+1), step["step"], "rollback steps are numbered from 1 in each list")
					assert.Contains(t, step, "rollback_batch")
					assert.Nil(t, step["rollback_batch"])
				}
			}
			for _, s := range res["skipped_steps"].([]any) {
				for k := range s.(map[string]any) {
					assert.True(t, skipKeys[k], "undocumented skipped_steps key %q", k)
				}
				assert.Len(t, s, 2)
			}
		})
	}
}

func TestPlansThroughTheGlue(t *testing.T) {
	legacy := module.OK(t, map[string]any{"api_hosts": three})
	assert.Equal(t, "legacy", legacy["mode"])
	assert.Equal(t, true, legacy["api_outage"])
	assert.Equal(t, []any{three}, legacy["batches"])
	assert.Equal(t, []string{"set_log_bin_trust", "stop", "stop", "stop", "config", "config", "config", "db_sync",
		"start", "start", "start", "wait_healthy", "wait_healthy", "wait_healthy", "set_log_bin_trust"}, actions(legacy))
	assert.Equal(t, []any{}, legacy["skipped_steps"])

	rolling := module.OK(t, map[string]any{"api_hosts": "a,b,c,d,e", "rolling": "yes", "max_unavailable": "2"})
	assert.Equal(t, "rolling", rolling["mode"])
	assert.Equal(t, false, rolling["api_outage"])
	assert.Equal(t, []any{[]any{"a"}, []any{"b", "c"}, []any{"d", "e"}}, rolling["batches"])
	acts := actions(rolling)
	index := func(a string) int {
		for i, x := range acts {
			if x == a {
				return i
			}
		}
		return -1
	}
	assert.Less(t, index("db_expand"), index("db_migrate"))
	assert.Less(t, index("db_migrate"), index("start"))
	assert.Equal(t, "db_contract", acts[len(acts)-2])

	// Resume: db_state 4 skips expand and says so; the upgraded host is left alone.
	resume := module.OK(t, map[string]any{"api_hosts": three, "rolling": true, "db_state": "4", "upgraded_hosts": "control02"})
	assert.NotContains(t, actions(resume), "db_expand")
	skipped := resume["skipped_steps"].([]any)
	require.NotEmpty(t, skipped)
	assert.Equal(t, "db_expand", skipped[0].(map[string]any)["what"])
	assert.Contains(t, skipped[0].(map[string]any)["why"], "db check reported 4")
	for _, s := range resume["steps"].([]any) {
		assert.NotEqual(t, "control02", s.(map[string]any)["host"])
	}
	assert.Equal(t, []any{[]any{"control01"}, []any{"control03"}}, resume["batches"])
	assert.Contains(t, resume["plan_text"], "[batch 1]")
	assert.Contains(t, resume["plan_text"], "control03")
}

func TestRollbackThroughTheGlue(t *testing.T) {
	rolling := module.OK(t, map[string]any{"api_hosts": three, "rolling": true, "max_unavailable": 2})
	assert.Equal(t, "rollback", rolling["on_failure"])
	assert.Equal(t, []any{[]any{"control01"}, []any{"control02", "control03"}}, rolling["batches"])
	step := func(n int, action, host string, batch int) map[string]any {
		return map[string]any{"step": float64(n), "action": action, "host": host, "batch": float64(batch), "rollback_batch": nil}
	}
	assert.Equal(t, []any{
		[]any{step(1, "stop", "control01", 0), step(2, "revert", "control01", 0), step(3, "start", "control01", 0),
			step(4, "wait_healthy", "control01", 0), step(5, "undrain", "control01", 0)},
		[]any{step(1, "stop", "control02", 1), step(2, "stop", "control03", 1),
			step(3, "revert", "control02", 1), step(4, "revert", "control03", 1),
			step(5, "start", "control02", 1), step(6, "start", "control03", 1),
			step(7, "wait_healthy", "control02", 1), step(8, "wait_healthy", "control03", 1),
			step(9, "undrain", "control02", 1), step(10, "undrain", "control03", 1)},
	}, rolling["rollback_steps"])
	var batches []any
	for _, s := range rolling["steps"].([]any) {
		batches = append(batches, s.(map[string]any)["rollback_batch"])
	}
	zero, one := float64(0), float64(1)
	assert.Equal(t, []any{zero, zero, zero, zero, zero, zero, zero, zero, zero,
		one, one, one, one, one, one, one, one, one, one, one, one, nil, nil}, batches)
	assert.Contains(t, rolling["plan_text"], "\nOn failure before db contract: the failed batch is rolled back")

	stop := module.OK(t, map[string]any{"api_hosts": three, "rolling": true, "max_unavailable": 2, "on_failure": "stop"})
	assert.Equal(t, "stop", stop["on_failure"])
	assert.Equal(t, []any{}, stop["rollback_steps"])
	assert.Equal(t, rolling["steps"], stop["steps"])
	assert.Contains(t, stop["plan_text"], "\nOn failure: the upgrade stops; nothing is rolled back.\n")

	legacy := module.OK(t, map[string]any{"api_hosts": three})
	assert.Equal(t, []any{}, legacy["rollback_steps"])
	for _, s := range legacy["steps"].([]any) {
		assert.Contains(t, s, "rollback_batch")
		assert.Nil(t, s.(map[string]any)["rollback_batch"])
	}
}

func TestDefaultsInInvocation(t *testing.T) {
	res := module.OK(t, map[string]any{"api_hosts": "a,b", "db_state": nil})
	args := res["invocation"].(map[string]any)["module_args"].(map[string]any)
	var names []string
	for _, o := range upgradeplan.Spec().Options {
		names = append(names, o.Name)
		if o.Default != nil {
			assert.Equal(t, ansibletest.Generic(t, o.Default), args[o.Name], "default of %s", o.Name)
		} else if o.Name != "api_hosts" {
			assert.Nil(t, args[o.Name], "%s has no default and was not given", o.Name)
		}
	}
	sort.Strings(names)
	assert.Equal(t, names, ansibletest.Keys(args), "module_args holds every option and nothing else")

	assert.Equal(t, map[string]any{
		"api_hosts": []any{"a", "b"}, "rolling": false, "file_backend": false, "file_datadir_shared": true,
		"database": "mariadb", "use_preconfigured_databases": false, "max_unavailable": float64(1),
		"loadbalancer": true, "db_state": nil, "upgraded_hosts": []any{}, "on_unsafe": "fail",
		"on_failure": "rollback",
	}, args)

	// Coerced values, not the strings given, are what invocation shows.
	res = module.OK(t, map[string]any{"api_hosts": three, "rolling": "True", "max_unavailable": "2", "db_state": "5", "upgraded_hosts": "control01"})
	args = res["invocation"].(map[string]any)["module_args"].(map[string]any)
	assert.Equal(t, true, args["rolling"])
	assert.Equal(t, float64(2), args["max_unavailable"])
	assert.Equal(t, float64(5), args["db_state"])
	assert.Equal(t, []any{"control01"}, args["upgraded_hosts"])
}

func TestCheckModeGivesTheSameResult(t *testing.T) {
	args := map[string]any{"api_hosts": three, "rolling": true}
	normal := module.OK(t, args)
	args["_ansible_check_mode"] = true
	checked := module.OK(t, args)
	assert.Equal(t, normal, checked)
	assert.Equal(t, false, checked["changed"])
}

func TestWarningsComeThrough(t *testing.T) {
	res := module.OK(t, map[string]any{"api_hosts": three})
	assert.NotContains(t, res, "warnings", "a plain legacy plan has nothing to warn about")

	res = module.OK(t, map[string]any{"api_hosts": three, "rolling": true})
	require.Len(t, res["warnings"], 1)
	assert.Contains(t, res["warnings"].([]any)[0], "EXPERIMENTAL")

	res = module.OK(t, map[string]any{"api_hosts": three, "rolling": true, "database": "sqlite"})
	require.Len(t, res["warnings"], 2)
	assert.Contains(t, res["warnings"].([]any)[0], "sqlite")

	res = module.OK(t, map[string]any{"api_hosts": []any{"a"}, "rolling": true, "on_unsafe": "legacy", "database": "postgresql"})
	assert.Equal(t, "legacy", res["mode"])
	w := res["warnings"].([]any)
	require.Len(t, w, 2, "one warning per reason")
	for _, x := range w {
		assert.True(t, strings.HasPrefix(x.(string), "rolling upgrade refused, planning a legacy upgrade instead (on_unsafe=legacy): "), x)
	}
	assert.Contains(t, w[0], "api_hosts has 1 host")
	assert.Contains(t, w[1], "database postgresql")
	assert.Contains(t, res["plan_text"], "Warnings:\n - rolling upgrade refused")
}

func TestHostileInputsNameTheOption(t *testing.T) {
	cases := []struct {
		name string
		args map[string]any
		want []string
	}{
		{"missing api_hosts", map[string]any{"rolling": true}, []string{"missing required arguments: api_hosts"}},
		{"empty api_hosts", map[string]any{"api_hosts": []any{}}, []string{"api_hosts: must name at least one glance-api host"}},
		{"api_hosts dict", map[string]any{"api_hosts": map[string]any{"a": 1}}, []string{"argument 'api_hosts' is of type <class 'dict'>"}},
		{"api_hosts bool item", map[string]any{"api_hosts": []any{"a", true}}, []string{"Elements value for option 'api_hosts' is of type <class 'bool'>"}},
		{"duplicate and empty hosts", map[string]any{"api_hosts": []any{"a", "", "a"}},
			[]string{"2 problems with the arguments: ", "api_hosts: empty host name at index 1", `api_hosts: duplicate host "a"`}},
		{"rolling not a bool", map[string]any{"api_hosts": three, "rolling": "perhaps"},
			[]string{"argument 'rolling' is of type <class 'str'> and we were unable to convert to bool: The value 'perhaps' is not a valid boolean"}},
		{"unknown option", map[string]any{"api_hosts": three, "serial": 1},
			[]string{"Unsupported parameters for (kolla.glance.upgrade_plan) module: serial. Supported parameters include: api_hosts, database, db_state,"}},
		{"database", map[string]any{"api_hosts": three, "database": "oracle"},
			[]string{"value of database must be one of: mariadb, mysql, postgresql, sqlite, got: oracle"}},
		{"on_unsafe", map[string]any{"api_hosts": three, "on_unsafe": "ignore"},
			[]string{"value of on_unsafe must be one of: fail, legacy, got: ignore"}},
		{"on_failure", map[string]any{"api_hosts": three, "rolling": true, "on_failure": "retry"},
			[]string{"value of on_failure must be one of: rollback, stop, got: retry"}},
		{"on_failure not a string", map[string]any{"api_hosts": three, "on_failure": true},
			[]string{"argument 'on_failure' is of type <class 'bool'>"}},
		{"max_unavailable not an int", map[string]any{"api_hosts": three, "rolling": true, "max_unavailable": "many"},
			[]string{"argument 'max_unavailable' is of type <class 'str'> and we were unable to convert to int"}},
		{"max_unavailable float", map[string]any{"api_hosts": three, "rolling": true, "max_unavailable": 1.5},
			[]string{"argument 'max_unavailable' is of type <class 'float'>"}},
		{"max_unavailable too large", map[string]any{"api_hosts": three, "rolling": true, "max_unavailable": 3},
			[]string{"max_unavailable: must be between 1 and 2 (one less than the 3 api_hosts) in rolling mode, got 3"}},
		{"max_unavailable zero", map[string]any{"api_hosts": three, "rolling": true, "max_unavailable": 0},
			[]string{"max_unavailable: must be between 1 and 2", "got 0"}},
		{"max_unavailable negative", map[string]any{"api_hosts": three, "rolling": true, "max_unavailable": -1},
			[]string{"max_unavailable: must be between 1 and 2", "got -1"}},
		{"db_state 7", map[string]any{"api_hosts": three, "db_state": 7}, []string{"db_state: must be null (unknown) or an exit code of `glance-manage db check`", "got 7"}},
		{"db_state 1", map[string]any{"api_hosts": three, "db_state": 1}, []string{"db_state: must be null", "got 1 (1 means db check itself failed"}},
		{"db_state word", map[string]any{"api_hosts": three, "db_state": "contract"}, []string{"argument 'db_state' is of type <class 'str'> and we were unable to convert to int"}},
		{"unknown upgraded hosts", map[string]any{"api_hosts": three, "upgraded_hosts": []any{"control02", "control09", "x"}},
			[]string{`upgraded_hosts: "control09", "x" are not in api_hosts; only hosts listed in api_hosts are accepted`}},
		{"duplicate upgraded hosts", map[string]any{"api_hosts": three, "upgraded_hosts": []any{"control02", "control02"}},
			[]string{`upgraded_hosts: duplicate host "control02"`}},
		{"refused: unshared file store", map[string]any{"api_hosts": three, "rolling": true, "file_backend": true, "file_datadir_shared": false},
			[]string{"rolling upgrade refused: the file store is not on a shared filesystem (file_backend=true, file_datadir_shared=false)"}},
		{"refused: one host", map[string]any{"api_hosts": []any{"a"}, "rolling": true},
			[]string{"rolling upgrade refused: api_hosts has 1 host"}},
		{"refused: postgresql", map[string]any{"api_hosts": three, "rolling": true, "database": "postgresql"},
			[]string{"rolling upgrade refused: database postgresql has no online expand/migrate/contract"}},
		{"input errors win over on_unsafe=legacy", map[string]any{"api_hosts": []any{"a"}, "rolling": true, "on_unsafe": "legacy", "upgraded_hosts": []any{"b"}},
			[]string{`upgraded_hosts: "b" is not in api_hosts`}},
		{"every problem at once", map[string]any{"api_hosts": []any{"a", "a"}, "rolling": true, "max_unavailable": 5, "database": "postgresql", "upgraded_hosts": []any{"z"}},
			[]string{"rolling upgrade refused: database postgresql", "; and 3 problems with the arguments: (1) api_hosts: duplicate host",
				"(2) max_unavailable: must be between 1 and 1", "(3) upgraded_hosts:"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, raw, code := module.Execute(t, c.args)
			assert.Equal(t, 1, code, raw)
			assert.Equal(t, true, res["failed"], raw)
			assert.Equal(t, false, res["changed"], raw)
			msg, _ := res["msg"].(string)
			for _, w := range c.want {
				assert.Contains(t, msg, w)
			}
			assert.NotContains(t, res, "steps", "no half plan on failure")
			assert.NotContains(t, res, "mode")
			assert.NotContains(t, msg, "panic")
			assert.Contains(t, res, "invocation")
		})
	}
}
