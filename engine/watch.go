package engine

import "sync"

// watchers fans recorded events out to the subscribers of a run.
type watchers struct {
	mu   sync.Mutex
	subs map[string]map[chan HistoryEvent]struct{}
}

// watchBuffer is how many events a slow subscriber may fall behind before
// its channel is closed (it can then read the rest with History).
const watchBuffer = 1024

// Watch streams the events of a run as they are committed, for live views
// such as the playground's timeline. Call stop when done. A subscriber that
// falls more than 1,024 events behind has its channel closed; History
// returns the whole log at any time.
func (e *Engine) Watch(runID string) (events <-chan HistoryEvent, stop func()) {
	ch := make(chan HistoryEvent, watchBuffer)
	w := &e.watch
	w.mu.Lock()
	if w.subs == nil {
		w.subs = make(map[string]map[chan HistoryEvent]struct{})
	}
	if w.subs[runID] == nil {
		w.subs[runID] = make(map[chan HistoryEvent]struct{})
	}
	w.subs[runID][ch] = struct{}{}
	w.mu.Unlock()
	var once sync.Once
	return ch, func() { once.Do(func() { w.remove(runID, ch) }) }
}

func (w *watchers) remove(runID string, ch chan HistoryEvent) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, ok := w.subs[runID][ch]; ok {
		delete(w.subs[runID], ch)
		close(ch)
	}
	if len(w.subs[runID]) == 0 {
		delete(w.subs, runID)
	}
}

// publish sends a committed event to the run's subscribers.
func (w *watchers) publish(runID string, ev event) {
	w.mu.Lock()
	defer w.mu.Unlock()
	subs := w.subs[runID]
	if len(subs) == 0 {
		return
	}
	he := toHistoryEvent(ev)
	for ch := range subs {
		select {
		case ch <- he:
		default: // too far behind: end its stream
			delete(subs, ch)
			close(ch)
		}
	}
}
