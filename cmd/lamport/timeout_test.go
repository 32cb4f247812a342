package main

import (
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"
)

// TestWriteTimeout: the server drops a client that stops reading. Its
// WriteTimeout fits the longest answer, a playground run (build and run
// timeouts of playground.Config, 60 s + 5 s); and a server with a short one
// gives up on a client that never reads a big body instead of blocking
// forever with the body pinned.
func TestWriteTimeout(t *testing.T) {
	cfg, _, err := parseConfig("serve", []string{"--addr", "127.0.0.1:0", "--data", t.TempDir(), "--content", "../../content/testdata/site"}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	m := &Main{Config: cfg, Log: slog.New(slog.DiscardHandler)}
	if err := m.Open(); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if wt := m.http.WriteTimeout; wt < 65*time.Second || wt > 5*time.Minute {
		t.Errorf("WriteTimeout = %v, want a playground run's 65 s and at most minutes", wt)
	}

	const size = 256 << 20 // far more than the socket buffers hold
	written := make(chan error, 1)
	srv := &http.Server{WriteTimeout: 100 * time.Millisecond, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chunk := make([]byte, 64<<10)
		for n := 0; n < size; n += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				written <- err
				return
			}
		}
		written <- nil
	})}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	defer srv.Close()
	conn, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "GET / HTTP/1.1\r\nHost: x\r\n\r\n") // and never read
	select {
	case err := <-written:
		if err == nil {
			t.Error("the whole body was written to a client that reads nothing")
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the handler is still writing to a client that stopped reading")
	}
}
