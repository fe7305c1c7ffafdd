package upgrade

// What happens when a step fails: Step.RollbackBatch on the forward steps
// and Plan.RollbackSteps, both derived from the forward plan once it is
// built, so they cannot disagree with it.
//
// In a rolling plan one batch at a time is out of service: from its first
// step (drain, or stop without a load balancer) to its last (undrain, or
// wait_healthy). A step inside that span, the batch's own host steps and,
// for the database host's batch, the set_log_bin_trust, db_expand and
// db_migrate steps that run while it is down, gets that batch as
// RollbackBatch: when it fails, the batch goes back to the previous
// release, which Glance's design lets run on an expanded and migrated
// database (the old hosts of later batches do exactly that). db_contract
// and what follows it run outside every batch and get none: the old code
// cannot run on a contracted database. So does a set_log_bin_trust 1 that
// comes right before contract (db_state 5): no batch is out of service and
// every restarted host already runs the new release. A legacy plan gets no
// RollbackBatch at all: once db_sync has run there is no previous release
// to fall back to, and before it every host is down anyway.
//
// The rollback of batch k, whatever step of it failed, is always the same
// list, so that the role never has to work out which steps already ran:
// stop every host of the batch (the new container, if any), revert every
// host the batch reconfigured (its config step: a host that already ran the
// new release and is only stopped for the database steps has nothing to
// revert), start every host, wait until each is healthy, undrain every host
// the batch drained. Each group keeps the batch's host order, as the
// forward batch does. The role's steps must therefore be safe where the
// failed step had not got that far: stopping a host that still runs the
// old release, reverting a host whose config step never ran (the saved
// configuration and image are still the running ones).

// span is the range of step indexes [first, last] of one batch.
type span struct{ first, last int }

// addRollback sets p.OnFailure, Step.RollbackBatch on the steps of a
// rolling plan, and p.RollbackSteps when onFailure is "rollback". It is
// called on every plan Build returns, legacy ones included.
func addRollback(p *Plan, in Input, rolling bool) {
	p.OnFailure = in.OnFailure
	p.RollbackSteps = [][]Step{}
	if !rolling || len(p.Batches) == 0 {
		return
	}
	spans := batchSpans(p.Steps, len(p.Batches))
	for _, sp := range spans {
		k := p.Steps[sp.first].Batch // the batch's index, shared with Step.Batch
		for i := sp.first; i <= sp.last; i++ {
			p.Steps[i].RollbackBatch = k
		}
	}
	if in.OnFailure != OnFailureRollback {
		return
	}

	// One backing array for every list: stop, start and wait_healthy per
	// stopped host, a revert per config step, an undrain per drain step.
	total := 0
	for _, s := range p.Steps {
		switch {
		case s.Batch == nil:
		case s.Action == ActionStop:
			total += 3
		case s.Action == ActionConfig, s.Action == ActionDrain:
			total++
		}
	}
	buf := make([]Step, 0, total)
	p.RollbackSteps = make([][]Step, 0, len(spans))
	for _, sp := range spans {
		start := len(buf)
		// each appends action for every host with a from step in the
		// batch, in the forward order (the batch's host order).
		each := func(action, from string) {
			for _, s := range p.Steps[sp.first : sp.last+1] {
				if s.Action == from && s.Batch != nil {
					buf = append(buf, Step{Step: len(buf) - start + 1, Action: action, Host: s.Host, Batch: s.Batch})
				}
			}
		}
		each(ActionStop, ActionStop)
		each(ActionRevert, ActionConfig)
		each(ActionStart, ActionStop)
		each(ActionWaitHealthy, ActionStop)
		each(ActionUndrain, ActionDrain)
		p.RollbackSteps = append(p.RollbackSteps, buf[start:len(buf):len(buf)])
	}
}

// batchSpans returns, for batches 0..nb-1, the first and last index of the
// steps that carry the batch. Batches are contiguous and in order (Build
// never interleaves two batches), and each has at least a stop step.
func batchSpans(steps []Step, nb int) []span {
	spans := make([]span, nb)
	for k := range spans {
		spans[k] = span{-1, -1}
	}
	for i, s := range steps {
		if s.Batch == nil {
			continue
		}
		sp := &spans[*s.Batch]
		if sp.first < 0 {
			sp.first = i
		}
		sp.last = i
	}
	return spans
}
