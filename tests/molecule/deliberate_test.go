//go:build molecule && deliberate

package molecule

import (
	"testing"

	"github.com/kolla-glance/kolla-glance/tests/suitestatus"
)

// The molecule suite's deliberately failing test (see tests/suitestatus).
func TestDeliberateFailure(t *testing.T) { suitestatus.FailIfAsked(t, "molecule") }
