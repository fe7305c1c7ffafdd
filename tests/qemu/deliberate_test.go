//go:build qemu && deliberate

package qemu

import (
	"testing"

	"github.com/kolla-glance/kolla-glance/tests/suitestatus"
)

// The qemu suite's deliberately failing test (see tests/suitestatus).
func TestDeliberateFailure(t *testing.T) { suitestatus.FailIfAsked(t, "qemu") }
