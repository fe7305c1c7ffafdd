//go:build integration && deliberate

package integration

import (
	"testing"

	"github.com/kolla-glance/kolla-glance/tests/suitestatus"
)

// The integration suite's deliberately failing test (see tests/suitestatus).
func TestDeliberateFailure(t *testing.T) { suitestatus.FailIfAsked(t, "integration") }
