package engine

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParallelFanOutFanIn(t *testing.T) {
	path := filepath.Join(t.TempDir(), "e.db")
	var calls atomic.Int32
	wf := func(c *Context, _ []byte) ([]byte, error) {
		squares, err := Parallel(c, "square", 10, StepOptions{}, func(ctx context.Context, i int, key string) (int, error) {
			calls.Add(1)
			return i * i, nil
		})
		if err != nil {
			return nil, err
		}
		sum, err := Step(c, "sum", func(context.Context, string) (int, error) {
			s := 0
			for _, v := range squares {
				s += v
			}
			return s, nil
		})
		return []byte(strconv.Itoa(sum)), err
	}
	e := mustOpen(t, path, Options{})
	e.Register("wf", wf)
	out, err := e.Run(context.Background(), "wf", "r", nil)
	if err != nil || string(out) != "285" {
		t.Fatalf("out = %v, %v; want 285", out, err)
	}
	// Replay from the log in a fresh engine: no branch runs again.
	e.db.Exec(`UPDATE engine_runs SET status = 'running'`)
	e.Close()
	again := mustOpen(t, path, Options{})
	again.Register("wf", wf)
	if _, err := again.Recover(context.Background()); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 10 {
		t.Errorf("branches ran %d times in all, want 10", calls.Load())
	}
	h, _ := again.history(context.Background(), "r")
	var seqs []int
	for _, ev := range h {
		seqs = append(seqs, ev.seq)
	}
	if diff := cmp.Diff([]int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, seqs); diff != "" {
		t.Errorf("event numbers (-want +got):\n%s", diff)
	}
}

func TestParallelErrors(t *testing.T) {
	e := mustOpen(t, ":memory:", Options{})
	e.Register("wf", func(c *Context, _ []byte) ([]byte, error) {
		_, err := Parallel(c, "p", 3, StepOptions{}, func(ctx context.Context, i int, key string) (int, error) {
			if i == 1 {
				return 0, errors.New("branch 1 failed")
			}
			return i, nil
		})
		return nil, err
	})
	_, err := e.Run(context.Background(), "wf", "r", nil)
	var se *StepError
	if !errors.As(err, &se) || se.Step != "p[1]" {
		t.Errorf("err = %v, want branch p[1]'s StepError", err)
	}
}
