package problem_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/kolla-glance/kolla-glance/internal/problem"
	"github.com/stretchr/testify/assert"
)

func TestRender(t *testing.T) {
	cases := []struct {
		name string
		add  func(*problem.List)
		want string
	}{
		{"one argument problem", func(l *problem.List) { l.Argument("api_hosts", "[1]", "empty host name") },
			"api_hosts[1]: empty host name"},
		{"two argument problems, numbered", func(l *problem.List) {
			l.Argument("s3_url", "", "empty; give the URL")
			l.Argument("s3_bucket", "", "empty")
		}, "2 problems with the arguments: (1) s3_url: empty; give the URL; (2) s3_bucket: empty"},
		{"a refusal reads as itself", func(l *problem.List) {
			l.Refuse([]string{"vmware"}, "vmware was removed in kolla-ansible 2025.2: use ceph")
		},
			"vmware was removed in kolla-ansible 2025.2: use ceph"},
		{"refusals first, then the arguments", func(l *problem.List) {
			l.Argument("db_state", "", "must be 0, 3, 4 or 5")
			l.Refuse(nil, "rolling upgrade refused: one host")
			l.Refuse(nil, "rolling upgrade refused: postgresql")
		}, "rolling upgrade refused: one host; rolling upgrade refused: postgresql; and db_state: must be 0, 3, 4 or 5"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var l problem.List
			c.add(&l)
			assert.EqualError(t, l.Err(), c.want)
		})
	}
}

func TestKindsAreTold(t *testing.T) {
	var none problem.List
	assert.NoError(t, none.Err())
	assert.Nil(t, problem.Of(none.Err()).Refusals(), "nil-safe")

	var l problem.List
	l.Argument("a", "", "bad")
	l.Refuse([]string{"b"}, "refused")
	err := fmt.Errorf("wrapped: %w", l.Err())
	assert.True(t, errors.Is(err, problem.ErrArgument))
	assert.True(t, errors.Is(err, problem.ErrRefused))
	e := problem.Of(err)
	if assert.NotNil(t, e) {
		assert.Len(t, e.Arguments(), 1)
		assert.Len(t, e.Refusals(), 1)
		assert.Equal(t, []string{"b"}, e.Refusals()[0].Options)
	}

	var args problem.List
	args.Argument("a", "", "bad")
	assert.False(t, errors.Is(args.Err(), problem.ErrRefused))
}

// Each problem as a result lists it: the option it is about, every option,
// the value's path, the kind, and the text msg shows.
func TestItems(t *testing.T) {
	var l problem.List
	l.Argument("ceph_backends", "[1].pool", "empty")
	l.Named([]string{"cron_dir"}, "", "cron_dir %q must be an absolute path", "x")
	l.Named([]string{"a", "b"}, "", "missing required arguments: a, b")
	l.Named(nil, "", "which module?")
	l.Refuse([]string{"vmware", "openstack_release"}, "vmware was removed")
	got := problem.Items(problem.Of(l.Err()).Problems)
	assert.Equal(t, []problem.Item{
		{Kind: "argument", Option: "ceph_backends", Options: []string{"ceph_backends"}, Path: "ceph_backends[1].pool", Msg: "ceph_backends[1].pool: empty"},
		{Kind: "argument", Option: "cron_dir", Options: []string{"cron_dir"}, Path: "cron_dir", Msg: `cron_dir "x" must be an absolute path`},
		{Kind: "argument", Option: "a", Options: []string{"a", "b"}, Path: "", Msg: "missing required arguments: a, b"},
		{Kind: "argument", Option: "", Options: []string{}, Path: "", Msg: "which module?"},
		{Kind: "refusal", Option: "vmware", Options: []string{"vmware", "openstack_release"}, Path: "", Msg: "vmware was removed"},
	}, got)
	assert.Equal(t, "vmware was removed; and 4 problems with the arguments: (1) ceph_backends[1].pool: empty; (2) cron_dir \"x\" must be an absolute path; (3) missing required arguments: a, b; (4) which module?",
		l.Err().Error(), "a problem that names its option renders as its text")
}
