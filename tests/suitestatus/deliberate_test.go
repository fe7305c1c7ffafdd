//go:build deliberate

package suitestatus

import "testing"

// The unit suite's deliberately failing test (`make unit` runs ./...).
func TestDeliberateFailure(t *testing.T) { FailIfAsked(t, "unit") }
