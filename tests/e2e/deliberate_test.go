//go:build e2e && deliberate

package e2e

import (
	"testing"

	"github.com/kolla-glance/kolla-glance/tests/suitestatus"
)

// The e2e suite's deliberately failing test (see tests/suitestatus).
func TestDeliberateFailure(t *testing.T) { suitestatus.FailIfAsked(t, "e2e") }
