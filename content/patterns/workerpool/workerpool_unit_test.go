package workerpool

import (
	"context"
	"errors"
	"math/rand"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

func newQuickRand(seed int64) *rand.Rand { return rand.New(rand.NewSource(seed)) }

func TestPanicIsReported(t *testing.T) {
	errInner := errors.New("inner")
	tests := []struct {
		name      string
		value     any
		wantInner bool
	}{
		{"string", "boom", false},
		{"error", errInner, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got error
			p := New(Options{Workers: 1, Done: func(_ uint64, err error) { got = err }})
			p.Submit(context.Background(), func(context.Context) error { panic(tt.value) })
			p.Submit(context.Background(), func(context.Context) error { return nil }) // the worker survives
			err := p.Wait()
			var pe *PanicError
			if !errors.As(err, &pe) || pe.Value != tt.value || !strings.Contains(string(pe.Stack), "workerpool") {
				t.Fatalf("Wait = %v, want a *PanicError of %v with a stack", err, tt.value)
			}
			if !strings.Contains(pe.Error(), "panicked") || errors.Is(err, errInner) != tt.wantInner {
				t.Fatalf("Error() = %q, Is(inner) = %v", pe.Error(), errors.Is(err, errInner))
			}
			if s := p.Stats(); got != nil || s.Succeeded != 1 || s.Failed != 1 || s.Panicked != 1 {
				t.Fatalf("last outcome %v, stats %+v", got, s)
			}
			if _, err := Map(context.Background(), 2, []int{1, 2}, func(_ context.Context, v int) (int, error) {
				if v == 2 {
					panic(tt.value)
				}
				return v, nil
			}); !errors.As(err, &pe) {
				t.Fatalf("Map = %v, want a *PanicError", err)
			}
		})
	}
}

func TestSubmitRefusals(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		block := make(chan struct{})
		p := New(Options{Workers: 1, Queue: 1})
		hold := func(context.Context) error { <-block; return nil }
		p.Submit(context.Background(), hold) // running
		p.Submit(context.Background(), hold) // queued
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if _, err := p.Submit(ctx, hold); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Submit to a full pool = %v, want the deadline", err)
		}
		if s := p.Stats(); s.Submitted != 2 || s.Queued != 1 || s.Running != 1 {
			t.Fatalf("stats after a refused Submit: %+v", s)
		}
		close(block)
		p.Wait()
		if _, err := p.Submit(context.Background(), hold); !errors.Is(err, ErrClosed) {
			t.Fatalf("Submit after Wait = %v, want ErrClosed", err)
		}
	})
}

func TestStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		errCause := errors.New("deploy")
		var skipped []error
		p := New(Options{Workers: 1, Queue: 2, Done: func(_ uint64, err error) {
			if errors.Is(err, ErrSkipped) {
				skipped = append(skipped, err)
			}
		}})
		var sawCause error
		p.Submit(context.Background(), func(ctx context.Context) error {
			<-ctx.Done()
			sawCause = context.Cause(ctx)
			return nil // a job that finishes cleanly on cancellation is a success
		})
		p.Submit(context.Background(), func(context.Context) error { return nil })
		synctest.Wait()
		p.Stop(errCause)
		if _, err := p.Submit(context.Background(), nil); !errors.Is(err, errCause) {
			t.Fatalf("Submit after Stop = %v, want the cause", err)
		}
		if err := p.Wait(); err != nil {
			t.Fatalf("Wait = %v", err)
		}
		if sawCause != errCause || len(skipped) != 1 || !errors.Is(skipped[0], errCause) {
			t.Fatalf("cause seen %v, skipped %v", sawCause, skipped)
		}
		q := New(Options{})
		q.Stop(nil)
		if _, err := q.Submit(context.Background(), nil); !errors.Is(err, ErrStopped) {
			t.Fatalf("Submit after Stop(nil) = %v, want ErrStopped", err)
		}
		q.Wait()
	})
}

func TestSubmitBlockedWhenStopped(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := New(Options{Workers: 1})
		p.Submit(context.Background(), func(ctx context.Context) error { <-ctx.Done(); return nil })
		errc := make(chan error)
		go func() {
			_, err := p.Submit(context.Background(), func(context.Context) error { return nil })
			errc <- err
		}()
		synctest.Wait() // the second Submit blocks: no queue, the worker is busy
		p.Stop(nil)
		if err := <-errc; !errors.Is(err, ErrStopped) {
			t.Fatalf("blocked Submit = %v, want ErrStopped", err)
		}
		p.Wait()
	})
}

func TestShutdown(t *testing.T) {
	tests := []struct {
		name    string
		timeout time.Duration
		want    error
		skipped uint64
	}{
		{"drains in time", time.Second, nil, 0},
		{"deadline stops", 15 * time.Millisecond, context.DeadlineExceeded, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p := New(Options{Workers: 1, Queue: 3})
				for range 4 { // 40 ms of work on one worker
					p.Submit(context.Background(), func(ctx context.Context) error {
						select {
						case <-time.After(10 * time.Millisecond):
						case <-ctx.Done():
						}
						return nil
					})
				}
				ctx, cancel := context.WithTimeout(context.Background(), tt.timeout)
				defer cancel()
				if err := p.Shutdown(ctx); !errors.Is(err, tt.want) {
					t.Fatalf("Shutdown = %v, want %v", err, tt.want)
				}
				if s := p.Stats(); s.Skipped != tt.skipped || s.Workers != 0 {
					t.Fatalf("stats %+v, want %d skipped", s, tt.skipped)
				}
			})
		})
	}
}

func TestMapEdges(t *testing.T) {
	if DefaultWorkers() < 1 {
		t.Fatal("DefaultWorkers < 1")
	}
	got, err := Map(context.Background(), 0, []int{1, 2, 3}, func(_ context.Context, v int) (int, error) { return -v, nil })
	if err != nil || len(got) != 3 || got[2] != -3 {
		t.Fatalf("Map with default workers = %v, %v", got, err)
	}
	if got, err := Map(context.Background(), 4, []int(nil), func(context.Context, int) (int, error) { return 0, nil }); err != nil || len(got) != 0 {
		t.Fatalf("Map of nothing = %v, %v", got, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	calls := 0
	if _, err := Map(ctx, 1, []int{1, 2}, func(context.Context, int) (int, error) { calls++; return 0, nil }); !errors.Is(err, context.Canceled) || calls != 0 {
		t.Fatalf("Map under a cancelled ctx = %v after %d calls", err, calls)
	}
}

func TestDefaultOptions(t *testing.T) {
	p := New(Options{Queue: -1})
	if s := p.Stats(); s.Workers != DefaultWorkers() || cap(p.tasks) != 0 {
		t.Fatalf("default pool: %+v, queue %d", s, cap(p.tasks))
	}
	p.Close()
	p.Close() // idempotent
	p.Wait()
}
