package docgen

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kolla-glance/kolla-glance/internal/ansible"
)

func testSpec() *ansible.Spec {
	return &ansible.Spec{
		Name: "demo", Collection: "kolla.glance", SupportsCheckMode: true,
		Options: []ansible.Option{
			{Name: "count", Type: ansible.TypeInt, Default: 1, Description: []string{"How many."}},
			{Name: "password", Type: ansible.TypeStr, NoLog: true, Description: []string{"A secret."}},
			{Name: "a", Type: ansible.TypeStr}, {Name: "b", Type: ansible.TypeStr},
			{Name: "items", Type: ansible.TypeList, Elements: ansible.TypeDict, Options: []ansible.Option{
				{Name: "id", Type: ansible.TypeStr, Required: true},
			}},
		},
		Examples: "- name: x\n  kolla.glance.demo:\n    count: 2\n",
	}
}

func TestDocStubAndArgSpecRender(t *testing.T) {
	stub, err := DocStub(testSpec())
	require.NoError(t, err)
	assert.Contains(t, string(stub), "DOCUMENTATION = r'''\nmodule: demo\n")
	lit := PythonLiteral(PythonArgSpec(testSpec()), "")
	assert.Contains(t, lit, `"options": {`)
	assert.Contains(t, lit, `"no_log": True`)
	assert.Contains(t, lit, `"default": 1`)
}

func TestDocStubRefusesTripleQuotes(t *testing.T) {
	s := testSpec()
	s.Examples = "x: '''"
	_, err := DocStub(s)
	assert.Error(t, err)
}
