package deadline

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

func synctestTest(t *testing.T, f func(*testing.T)) { synctest.Test(t, f) }

// TestPercentileBound checks inv-percentile on random samples: at most a
// fraction 1−q of the samples exceed Percentile(samples, q), the result
// is one of the samples, and no smaller sample has that property.
func TestPercentileBound(t *testing.T) {
	rnd := rand.New(rand.NewPCG(11, 12))
	for i := range 3000 {
		n := 1 + rnd.IntN(300)
		samples := make([]time.Duration, n)
		for j := range samples {
			samples[j] = ms(rnd.IntN(50)) * time.Duration(1+rnd.IntN(20))
		}
		orig := slices.Clone(samples)
		q := rnd.Float64()
		if i%10 == 0 {
			q = []float64{0, 1, 0.5, 0.99, 0.999}[i%5]
		}
		p := Percentile(samples, q)
		if !slices.Equal(samples, orig) {
			t.Fatal("Percentile reordered its input")
		}
		if !slices.Contains(samples, p) {
			t.Fatalf("case %d: %v is not a sample", i, p)
		}
		if above := countAbove(samples, p); float64(above) > (1-q)*float64(n) {
			t.Fatalf("case %d: q=%v n=%d: %d samples above %v, more than %v", i, q, n, above, p, (1-q)*float64(n))
		}
		for _, v := range samples {
			if v < p && float64(countAbove(samples, v)) <= (1-q)*float64(n) {
				t.Fatalf("case %d: q=%v: %v is smaller than %v and also bounds the tail", i, q, v, p)
			}
		}
	}
}

func countAbove(s []time.Duration, v time.Duration) int {
	n := 0
	for _, x := range s {
		if x > v {
			n++
		}
	}
	return n
}

func TestPercentile(t *testing.T) {
	s := []time.Duration{5, 1, 4, 2, 3, 10, 9, 8, 7, 6}
	for _, tt := range []struct {
		q    float64
		want time.Duration
	}{{-1, 1}, {0, 1}, {0.1, 1}, {0.11, 2}, {0.5, 5}, {0.9, 9}, {0.95, 10}, {1, 10}, {2, 10}} {
		if got := Percentile(s, tt.q); got != tt.want {
			t.Errorf("Percentile(q=%v) = %v, want %v", tt.q, got, tt.want)
		}
	}
	if got := Percentile(nil, 0.99); got != 0 {
		t.Errorf("Percentile(nil) = %v, want 0", got)
	}
}

// TestRunReturnsAtDeadline checks inv-run: whatever fn does with its
// context, Run returns at min(fn's duration, the deadline), exactly, and
// an abandoned fn still runs to its end.
func TestRunReturnsAtDeadline(t *testing.T) {
	rnd := rand.New(rand.NewPCG(13, 14))
	for i := range 200 {
		work, limit := ms(1+rnd.IntN(500)), ms(1+rnd.IntN(500))
		synctest.Test(t, func(t *testing.T) {
			var finished atomic.Bool
			ctx, cancel := context.WithTimeout(context.Background(), limit)
			defer cancel()
			start := time.Now()
			err := Run(ctx, func(context.Context) error {
				time.Sleep(work) // ignores ctx, like a call without one
				finished.Store(true)
				return nil
			})
			elapsed := time.Since(start)
			if elapsed != min(work, limit) {
				t.Errorf("case %d: Run returned after %v; work %v, limit %v", i, elapsed, work, limit)
			}
			if work < limit && err != nil || work > limit && !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("case %d: err = %v (work %v, limit %v)", i, err, work, limit)
			}
			time.Sleep(work) // the abandoned call goes on
			if !finished.Load() {
				t.Errorf("case %d: the abandoned call did not finish", i)
			}
		})
	}
}

func BenchmarkPercentile1000(b *testing.B) {
	rnd := rand.New(rand.NewPCG(1, 1))
	s := make([]time.Duration, 1000)
	for i := range s {
		s[i] = time.Duration(rnd.Int64N(int64(time.Second)))
	}
	for b.Loop() {
		Percentile(s, 0.99)
	}
}

func BenchmarkRun(b *testing.B) {
	ctx := context.Background()
	fn := func(context.Context) error { return nil }
	for b.Loop() {
		Run(ctx, fn)
	}
}
