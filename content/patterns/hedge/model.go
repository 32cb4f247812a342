package hedge

import "time"

// Outcome is what one attempt would do if it were sent: answer after
// Latency, with Err (nil for a success).
type Outcome struct {
	Latency time.Duration
	Err     error
}

// Result is what Replay computes for one call.
type Result struct {
	Latency time.Duration   // from the call's start to its answer
	Starts  []time.Duration // when each attempt sent was started; len is the attempts sent
	Winner  int             // the attempt whose outcome is the call's; -1 if none completed
	Err     error           // the call's error: nil, the first fatal error, or the last error
	Refused bool            // the budget refused a hedge
}

// Replay computes, without goroutines or clocks, what Hedger.Do does
// under p for a call whose attempt i would have outcomes[i]: attempt 0
// starts at 0; while attempts remain, the next starts Delay after the one
// before it, or at once when an attempt fails with a non-fatal error;
// the first success wins; a fatal error ends the call. Attempts beyond
// len(outcomes) are never sent. A nil budget allows every hedge; a
// budget is charged as Do charges it. When an attempt completes at the
// very instant the next would start, Replay lets the completion come
// first.
func Replay(p Policy, b *Budget, outcomes []Outcome) Result {
	p = p.withDefaults()
	n := min(p.MaxAttempts, len(outcomes))
	b.deposit()
	r := Result{Starts: []time.Duration{0}, Winner: -1}
	done := make([]bool, n)
	nextAt := p.Delay
	canSend := func() bool { return !r.Refused && len(r.Starts) < n }
	send := func(at time.Duration) {
		if !b.withdraw() {
			r.Refused = true
			return
		}
		r.Starts = append(r.Starts, at)
		nextAt = at + p.Delay
	}
	for {
		i, at := firstCompletion(r.Starts, outcomes, done)
		if canSend() && (i < 0 || nextAt < at) {
			send(nextAt)
			continue
		}
		if i < 0 {
			return r
		}
		done[i] = true
		r.Latency, r.Winner, r.Err = at, i, outcomes[i].Err
		if r.Err == nil || !p.nonFatal(r.Err) {
			return r
		}
		if canSend() {
			send(at)
		}
	}
}

// firstCompletion returns the running attempt that completes first and
// when, or -1 if none is running.
func firstCompletion(starts []time.Duration, outcomes []Outcome, done []bool) (int, time.Duration) {
	best, at := -1, time.Duration(0)
	for i, s := range starts {
		if done[i] {
			continue
		}
		if t := s + outcomes[i].Latency; best < 0 || t < at {
			best, at = i, t
		}
	}
	return best, at
}
