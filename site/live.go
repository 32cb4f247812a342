package site

import (
	"io"
	"net/http"
	"sync"
	"time"
)

// broadcaster tells open pages in author mode that the content changed.
type broadcaster struct {
	mu     sync.Mutex
	subs   map[chan string]bool
	closed bool
}

func newBroadcaster() *broadcaster { return &broadcaster{subs: make(map[chan string]bool)} }

func (b *broadcaster) subscribe() chan string {
	b.mu.Lock()
	defer b.mu.Unlock()
	ch := make(chan string, 1)
	if b.closed {
		close(ch)
		return ch
	}
	b.subs[ch] = true
	return ch
}

func (b *broadcaster) unsubscribe(ch chan string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.subs[ch] {
		delete(b.subs, ch)
		close(ch)
	}
}

// publish sends hash to every subscriber without blocking: a subscriber
// that has not read the previous event keeps that one.
func (b *broadcaster) publish(hash string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for ch := range b.subs {
		select {
		case ch <- hash:
		default:
		}
	}
}

func (b *broadcaster) close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	for ch := range b.subs {
		delete(b.subs, ch)
		close(ch)
	}
}

// liveWriteTimeout bounds each write of the live-reload stream. The
// stream lasts as long as the page is open, so it lifts the server's
// WriteTimeout (which would cut it after minutes) and sets its own
// deadline per event instead: a page that stops reading is still dropped.
const liveWriteTimeout = time.Minute

// handleLive is a server-sent events stream: one "reload" event each time
// the content changes.
func (s *Server) handleLive(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	send := func(event string) bool {
		rc.SetWriteDeadline(time.Now().Add(liveWriteTimeout))
		if _, err := io.WriteString(w, event); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	ch := s.live.subscribe()
	defer s.live.unsubscribe(ch)
	if !send(": connected\n\n") {
		return
	}
	keepAlive := time.NewTicker(30 * time.Second)
	defer keepAlive.Stop()
	for {
		select {
		case hash, open := <-ch:
			if !open || !send("event: reload\ndata: "+hash+"\n\n") {
				return
			}
		case <-keepAlive.C:
			if !send(": ping\n\n") {
				return
			}
		case <-r.Context().Done():
			return
		}
	}
}
