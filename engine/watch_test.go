package engine

import (
	"context"
	"testing"
)

func TestWatch(t *testing.T) {
	e := mustOpen(t, ":memory:", Options{})
	e.Register("three", threeSteps(&counter{}, nil))
	events, stop := e.Watch("w1")
	other, stopOther := e.Watch("someone-else")
	defer stopOther()
	if _, err := e.Run(context.Background(), "three", "w1", nil); err != nil {
		t.Fatal(err)
	}
	stop()
	stop() // idempotent
	var names []string
	for ev := range events {
		names = append(names, ev.Name)
	}
	if len(names) != 3 || names[0] != "a" || names[2] != "c" {
		t.Errorf("streamed %v, want a b c", names)
	}
	select {
	case ev := <-other:
		t.Errorf("another run's subscriber got %+v", ev)
	default:
	}
}

func TestWatchSlowSubscriberIsCut(t *testing.T) {
	e := &Engine{}
	ch, stop := e.Watch("r")
	defer stop()
	for i := range watchBuffer + 1 {
		e.watch.publish("r", event{seq: i, step: "s", kind: kindDone})
	}
	n := 0
	for range ch {
		n++
	}
	if n != watchBuffer {
		t.Errorf("received %d events before the cut, want %d", n, watchBuffer)
	}
}
