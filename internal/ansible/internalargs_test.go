package ansible

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Whatever ansible-core sends under a key this SDK does not read, and
// whatever type a newer release gives a key it does read, the task runs;
// only a check_mode flag it cannot read stops it (a misread could write).
func TestInternalKeysOfAnyTypeDoNotFailTheTask(t *testing.T) {
	cases := []struct {
		name     string
		internal map[string]any
		wantFail string
		warns    int
	}{
		{"keys of 2.14", map[string]any{"_ansible_string_conversion_action": "warn", "_ansible_selinux_special_fs": []any{"nfs"}, "_ansible_socket": nil}, "", 0},
		{"keys of 2.19", map[string]any{"_ansible_tracebacks_for": []any{}, "_ansible_target_log_info": nil}, "", 0},
		{"keys of 2.22", map[string]any{"_ansible_inject_invocation": false, "_ansible_version": "2.22.0b2"}, "", 0},
		{"a key from the future", map[string]any{"_ansible_new_secrets": map[string]any{"a": []any{1}}}, "", 0},
		{"unread keys change type", map[string]any{"_ansible_no_log": "sometimes", "_ansible_syslog_facility": 7, "_ansible_socket": []any{}, "_ansible_version": 2.22}, "", 0},
		{"read key changes type", map[string]any{"_ansible_tracebacks_for": "error", "_ansible_verbosity": "3", "_ansible_diff": map[string]any{"on": true}}, "", 3},
		{"temp dir keys are not read", map[string]any{"_ansible_tmpdir": map[string]any{"path": "/x"}, "_ansible_remote_tmp": 5, "_ansible_keep_remote_files": "yes"}, "", 0},
		{"null read key", map[string]any{"_ansible_verbosity": nil, "_ansible_diff": nil}, "", 0},
		{"check mode unreadable", map[string]any{"_ansible_check_mode": "yes"}, "cannot tell whether this is a check run", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := map[string]any{"name": "x"}
			for k, v := range c.internal {
				args[k] = v
			}
			res, code := run(t, testSpec(), args, echo)
			if c.wantFail != "" {
				require.Equal(t, 1, code, res)
				assert.Contains(t, res["msg"], c.wantFail)
				return
			}
			require.Equal(t, 0, code, res)
			warnings, _ := res["warnings"].([]any)
			assert.Len(t, warnings, c.warns, "%v", warnings)
		})
	}
}

func TestReadKeysAreRead(t *testing.T) {
	res, code := run(t, testSpec(), map[string]any{"name": "x", "_ansible_check_mode": true, "_ansible_diff": true}, echo)
	require.Equal(t, 0, code, res)
	assert.Equal(t, true, res["check"], res)
}
