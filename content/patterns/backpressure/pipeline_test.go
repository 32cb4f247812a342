package backpressure

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
)

func double(v int) int { return 2 * v }

// TestPumpPropagates: with a full Block buffer at the end of a pipeline,
// Pump stops, the upstream buffer fills, and the source's TryPut fails:
// the push-back reaches the producer one stage at a time.
func TestPumpPropagates(t *testing.T) {
	src := New[int](2, Block)
	mid := New[int](2, Block)
	sink := New[int](2, Block)
	var refused int
	for i := range 10 {
		if src.TryPut(i) != nil {
			refused++
		}
		Pump(mid, sink, 1, double)
		Pump(src, mid, 1, double)
	}
	if sink.Len() != 2 || mid.Len() != 2 || src.Len() != 2 {
		t.Fatalf("lengths src %d mid %d sink %d, want all full", src.Len(), mid.Len(), sink.Len())
	}
	if refused != 10-6 {
		t.Fatalf("source refused %d items, want 4", refused)
	}
	var out []int
	for {
		v, ok := sink.TryGet()
		if !ok {
			break
		}
		out = append(out, v)
	}
	if diff := cmp.Diff([]int{0, 4}, out); diff != "" {
		t.Error(diff)
	}
}

func TestPumpLimits(t *testing.T) {
	in := New[int](8, Block)
	for i := range 5 {
		in.TryPut(i)
	}
	drop := New[int](1, DropNewest)
	if n := Pump(in, drop, 3, double); n != 3 || drop.Stats().Dropped != 2 {
		t.Errorf("Pump into DropNewest moved %d, dropped %d; want 3 and 2", n, drop.Stats().Dropped)
	}
	closed := New[int](4, DropOldest)
	closed.Close()
	if n := Pump(in, closed, 5, double); n != 0 {
		t.Errorf("Pump into a closed buffer moved %d", n)
	}
	if n := Pump(in, New[int](8, Block), 10, double); n != 1 {
		t.Errorf("Pump moved %d of the 1 item left", n)
	}
}

// TestStagePipeline: three stages over Block buffers with a slow sink. Every
// item arrives, in order, and no buffer ever holds more than its capacity.
func TestStagePipeline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		a, b, c := New[int](2, Block), New[int](2, Block), New[int](2, Block)
		go Stage(ctx, a, b, double)
		go Stage(ctx, b, c, func(v int) int { return v + 1 })
		go func() {
			for i := range 20 {
				a.Put(ctx, i)
			}
			a.Close()
		}()
		var out []int
		for {
			v, err := c.Get(ctx)
			if err != nil {
				break
			}
			time.Sleep(10 * time.Millisecond) // the slow consumer
			out = append(out, v)
		}
		for i, v := range out {
			if v != 2*i+1 {
				t.Fatalf("item %d = %d, want %d", i, v, 2*i+1)
			}
		}
		if len(out) != 20 {
			t.Fatalf("%d items arrived, want 20", len(out))
		}
		for name, buf := range map[string]*Buffer[int]{"a": a, "b": b, "c": c} {
			if m := buf.Stats().MaxLen; m > 2 {
				t.Errorf("buffer %s held %d", name, m)
			}
		}
	})
}

func TestStageErrors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		in, out := New[int](1, Block), New[int](1, Reject)
		var err error
		done := make(chan struct{})
		go func() { err = Stage(ctx, in, out, double); close(done) }()
		in.Put(ctx, 1)
		in.Put(ctx, 2) // out is full: Reject counts it, Stage goes on
		synctest.Wait()
		cancel()
		<-done
		if !errors.Is(err, context.Canceled) || out.Stats().Rejected != 1 {
			t.Fatalf("Stage = %v, rejected %d", err, out.Stats().Rejected)
		}

		in2, out2 := New[int](1, Block), New[int](1, Block)
		out2.Close()
		in2.Put(context.Background(), 1)
		if err := Stage(context.Background(), in2, out2, double); !errors.Is(err, ErrClosed) {
			t.Fatalf("Stage into a closed buffer = %v", err)
		}
	})
}
