package deadline

import (
	"context"
	"math"
	"slices"
	"time"
)

// Percentile returns the q-quantile of samples by the nearest-rank
// method: the smallest sample such that at most a fraction 1−q of the
// samples are larger. Used as a timeout, it is the shortest one that
// would have cut off no more than that fraction of the calls observed.
// q is clamped to [0, 1]; Percentile returns 0 for no samples and does
// not modify samples.
func Percentile(samples []time.Duration, q float64) time.Duration {
	if len(samples) == 0 {
		return 0
	}
	s := slices.Clone(samples)
	slices.Sort(s)
	q = min(max(q, 0), 1)
	rank := int(math.Ceil(q * float64(len(s)))) // 1-based
	return s[max(rank, 1)-1]
}

// Run calls fn in a new goroutine and returns its error, or ctx.Err() as
// soon as ctx ends, whichever comes first. It is for work that does not
// honour its context (a library without one, a blocking system call):
// the caller gets its answer on time, but fn keeps running until it
// returns by itself, and its result is dropped. Every abandoned call
// still holds what it holds (a goroutine, a connection, a lock), so
// bound how many can be outstanding. A panic in fn is not recovered.
func Run(ctx context.Context, fn func(ctx context.Context) error) error {
	done := make(chan error, 1) // buffered: an abandoned fn can still send and exit
	go func() { done <- fn(ctx) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}
