//go:build reliability && deliberate

package reliability

import (
	"testing"

	"github.com/kolla-glance/kolla-glance/tests/suitestatus"
)

// The reliability suite's deliberately failing test (see tests/suitestatus).
func TestDeliberateFailure(t *testing.T) { suitestatus.FailIfAsked(t, "reliability") }
