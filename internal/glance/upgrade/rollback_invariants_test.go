package upgrade

import (
	"errors"
	"fmt"
)

// verifyRollback checks what a failed step leads to, on every plan of
// TestInvariantsGenerated. It is stated from the input and the forward
// steps, not from how rollback.go derives it:
//
//   - on_failure is returned as given;
//   - legacy: rollback_steps is empty, every rollback_batch is null;
//   - rolling, (a): a step before db_contract (every step when there is no
//     contract) while some host is out of service has as rollback_batch the
//     batch of the hosts out of service, which is one batch; a step while
//     no host is out of service is a set_log_bin_trust and has null;
//   - rolling, (b): db_contract and every later step have null;
//   - rolling, (c), on_failure rollback: one rollback list per batch; list k
//     stops, starts and waits for exactly the hosts of batch k, reverts
//     exactly those not already upgraded, undrains exactly them when
//     loadbalancer is true and none otherwise; all stops, then all reverts,
//     starts, wait_healthy, undrains, each group in the batch's order;
//     numbered from 1, every step carrying batch k and a null
//     rollback_batch;
//   - on_failure stop: rollback_steps is empty, rollback_batch as for
//     rollback.
//
// A host is out of service from its drain (its stop without a load
// balancer) to its undrain (its wait_healthy), both included.
func verifyRollback(in Input, topo topology, p Plan) error {
	if p.OnFailure != in.OnFailure {
		return fmt.Errorf("on_failure %q, want %q", p.OnFailure, in.OnFailure)
	}
	if p.RollbackSteps == nil {
		return errors.New("rollback_steps is nil (JSON would say null)")
	}
	if p.Mode == ModeLegacy {
		if len(p.RollbackSteps) != 0 {
			return fmt.Errorf("legacy plan with %d rollback lists", len(p.RollbackSteps))
		}
		for _, s := range p.Steps {
			if s.RollbackBatch != nil {
				return fmt.Errorf("legacy step %d has rollback_batch %d", s.Step, *s.RollbackBatch)
			}
		}
		return nil
	}

	n := len(in.APIHosts)
	batchOf := make([]int, n)
	for i := range batchOf {
		batchOf[i] = -1
	}
	for k, b := range p.Batches {
		for _, name := range b {
			batchOf[topo.index[name]] = k
		}
	}
	outFrom, outTo := ActionStop, ActionWaitHealthy
	if in.LoadBalancer {
		outFrom, outTo = ActionDrain, ActionUndrain
	}
	first := make([]int, n)
	last := make([]int, n)
	for h := range first {
		first[h], last[h] = -1, -1
	}
	contract := len(p.Steps)
	for i, s := range p.Steps {
		h := topo.index[*s.Host]
		switch s.Action {
		case outFrom:
			if first[h] < 0 {
				first[h] = i
			}
		case outTo:
			last[h] = i
		case ActionDBContract:
			contract = i
		}
	}

	// (a) and (b).
	for i, s := range p.Steps {
		if i >= contract {
			if s.RollbackBatch != nil {
				return fmt.Errorf("step %d (%s, at or after db_contract) has rollback_batch %d", s.Step, s.Action, *s.RollbackBatch)
			}
			continue
		}
		down := -1
		for h := 0; h < n; h++ {
			if first[h] < 0 || i < first[h] || i > last[h] {
				continue
			}
			if down >= 0 && batchOf[h] != down {
				return fmt.Errorf("step %d: hosts of batches %d and %d out of service together", s.Step, down, batchOf[h])
			}
			down = batchOf[h]
		}
		switch {
		case down < 0 && s.Action != ActionSetLogBinTrust:
			return fmt.Errorf("step %d (%s) runs while no host is out of service", s.Step, s.Action)
		case down < 0 && s.RollbackBatch != nil:
			return fmt.Errorf("step %d (%s, no host out of service) has rollback_batch %d", s.Step, s.Action, *s.RollbackBatch)
		case down >= 0 && (s.RollbackBatch == nil || *s.RollbackBatch != down):
			return fmt.Errorf("step %d (%s on %s): rollback_batch %v, want %d", s.Step, s.Action, *s.Host, s.RollbackBatch, down)
		}
	}

	if in.OnFailure == OnFailureStop {
		if len(p.RollbackSteps) != 0 {
			return fmt.Errorf("on_failure stop with %d rollback lists", len(p.RollbackSteps))
		}
		return nil
	}

	// (c).
	if len(p.RollbackSteps) != len(p.Batches) {
		return fmt.Errorf("%d rollback lists for %d batches", len(p.RollbackSteps), len(p.Batches))
	}
	upgraded := make(map[string]bool, len(topo.upgraded))
	for _, h := range topo.upgraded {
		upgraded[h] = true
	}
	for k, list := range p.RollbackSteps {
		var want []string // "action host", in the required order
		group := func(action string, keep func(string) bool) {
			for _, h := range p.Batches[k] {
				if keep(h) {
					want = append(want, action+" "+h)
				}
			}
		}
		all := func(string) bool { return true }
		group("stop", all)
		group("revert", func(h string) bool { return !upgraded[h] })
		group("start", all)
		group("wait_healthy", all)
		if in.LoadBalancer {
			group("undrain", all)
		}
		if len(list) != len(want) {
			return fmt.Errorf("rollback of batch %d has %d steps, want %d: %q", k, len(list), len(want), want)
		}
		for i, s := range list {
			if s.Step != i+1 {
				return fmt.Errorf("rollback of batch %d: step %d numbered %d", k, i+1, s.Step)
			}
			if s.Host == nil || s.Action+" "+*s.Host != want[i] {
				return fmt.Errorf("rollback of batch %d: step %d is %s %v, want %s", k, i+1, s.Action, s.Host, want[i])
			}
			if s.Batch == nil || *s.Batch != k {
				return fmt.Errorf("rollback of batch %d: step %d has batch %v", k, i+1, s.Batch)
			}
			if s.RollbackBatch != nil || s.Value != nil {
				return fmt.Errorf("rollback of batch %d: step %d has rollback_batch %v, value %v", k, i+1, s.RollbackBatch, s.Value)
			}
		}
	}
	return nil
}
