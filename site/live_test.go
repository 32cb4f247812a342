package site

import (
	"bufio"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestLiveOutlivesWriteTimeout: the server's WriteTimeout would cut the
// live-reload stream; the stream lifts it, so an event sent after the
// timeout still arrives.
func TestLiveOutlivesWriteTimeout(t *testing.T) {
	s := mustServer(t)
	s.cfg.Live = true
	s.router = s.routes()
	const timeout = 100 * time.Millisecond
	ts := httptest.NewUnstartedServer(s)
	ts.Config.WriteTimeout = timeout
	ts.Start()
	defer ts.Close()
	resp, err := http.Get(ts.URL + "/_live")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	lines := bufio.NewReader(resp.Body)
	if line, _ := lines.ReadString('\n'); !strings.Contains(line, "connected") {
		t.Fatalf("first event %q", line)
	}
	time.Sleep(3 * timeout)
	s.Swap(State{Library: s.current().Library})
	lines.ReadString('\n') // the blank line after ": connected"
	if line, err := lines.ReadString('\n'); line != "event: reload\n" {
		t.Errorf("after the WriteTimeout the stream sent %q (%v)", line, err)
	}
}
