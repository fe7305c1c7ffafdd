//go:build reliability && deliberate

package crash

import (
	"testing"

	"github.com/kolla-glance/kolla-glance/tests/suitestatus"
)

// The crash suite's deliberately failing test (see tests/suitestatus).
func TestDeliberateFailure(t *testing.T) { suitestatus.FailIfAsked(t, "crash") }
