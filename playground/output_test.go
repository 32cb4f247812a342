package playground

import (
	"encoding/binary"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// playback frames data as the faketime runtime does, at the fake time at
// since the start.
func playback(at time.Duration, data string) []byte {
	return appendPlayback(nil, at, data)
}

func appendPlayback(b []byte, at time.Duration, data string) []byte {
	b = append(b, "\x00\x00PB"...)
	b = binary.BigEndian.AppendUint64(b, uint64(fakeEpoch+int64(at)))
	b = binary.BigEndian.AppendUint32(b, uint32(len(data)))
	return append(b, data...)
}

// TestOutputFrames: frames become events however the pipe splits them,
// a stream's writes less than a millisecond apart merge, both streams
// come back in fake-time order, and bytes without a header pass through.
func TestOutputFrames(t *testing.T) {
	type write struct {
		kind string
		data []byte
	}
	writes := []write{
		{"stdout", playback(0, "start ")},
		{"stdout", playback(0, "2009-11-10\n")},
		{"stdout", playback(time.Hour+90*time.Second, "slept\n")},
		{"stdout", append([]byte{0}, playback(time.Hour+90*time.Second, "!\n")...)}, // a header one byte late
		{"stderr", playback(time.Hour, "warn\n")},
		{"stderr", playback(time.Hour, "")},
		{"stderr", []byte("raw\n")},
	}
	want := []Event{
		{Message: "start 2009-11-10\n", Kind: "stdout"},
		{Message: "warn\nraw\n", Kind: "stderr", Delay: time.Hour},
		{Message: "slept\n\x00!\n", Kind: "stdout", Delay: 90 * time.Second},
	}
	for _, chunk := range []int{1 << 20, 1, 3, 7, 16, 17} {
		o := newOutput(1<<20, true, func() {})
		w := map[string]io.Writer{"stdout": o.writer("stdout"), "stderr": o.writer("stderr")}
		for _, wr := range writes {
			for b := wr.data; len(b) > 0; b = b[min(chunk, len(b)):] {
				w[wr.kind].Write(b[:min(chunk, len(b))])
			}
		}
		if diff := cmp.Diff(want, o.events()); diff != "" || o.truncated() {
			t.Errorf("written in pieces of %d bytes: truncated %v, events (-want +got):\n%s", chunk, o.truncated(), diff)
		}
	}
}

// TestOutputFloods: hostile output stays within the cap in bytes and in
// events, whether it comes as a million tiny frames, one huge frame, empty
// frames or tiny real-time writes to alternating streams; the server
// allocates about the cap, not the flood; and reaching the cap cancels the
// run.
func TestOutputFloods(t *testing.T) {
	const limit = 64 << 10
	oneByte := playback(0, "x")
	chunk := make([]byte, 1<<20)
	buf := make([]byte, 0, 64) // frames are built in place: the test's own garbage is not the server's
	tests := []struct {
		name string
		fake bool
		cut  bool
		feed func(stdout, stderr io.Writer)
	}{
		{"a million one-byte frames", true, true, func(stdout, _ io.Writer) {
			for range 1_000_000 {
				stdout.Write(oneByte)
			}
		}},
		{"one-byte frames to alternating streams", true, true, func(stdout, stderr io.Writer) {
			for i := range 100_000 {
				stdout.Write(appendPlayback(buf[:0], time.Duration(2*i), "x"))
				stderr.Write(appendPlayback(buf[:0], time.Duration(2*i+1), "y"))
			}
		}},
		{"one 300 MB frame", true, true, func(stdout, _ io.Writer) {
			const size = 300 << 20
			header := playback(0, "")
			binary.BigEndian.PutUint32(header[12:16], size)
			stdout.Write(header)
			for range size / len(chunk) {
				stdout.Write(chunk)
			}
		}},
		{"1.4 million empty frames", true, false, func(stdout, stderr io.Writer) {
			for i := range 700_000 {
				stdout.Write(appendPlayback(buf[:0], time.Duration(2*i), ""))
				stderr.Write(appendPlayback(buf[:0], time.Duration(2*i+1), ""))
			}
		}},
		{"tiny real-time writes to alternating streams", false, true, func(stdout, stderr io.Writer) {
			x, y := []byte("x"), []byte("y")
			for range 100_000 {
				stdout.Write(x)
				stderr.Write(y)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			canceled := false
			o := newOutput(limit, tt.fake, func() { canceled = true })
			var evs []Event
			alloc := allocated(func() {
				tt.feed(o.writer("stdout"), o.writer("stderr"))
				evs = o.events()
			})
			if o.truncated() != tt.cut || canceled != tt.cut {
				t.Errorf("truncated %v, canceled %v; want %v", o.truncated(), canceled, tt.cut)
			}
			text := (&Response{Events: evs}).Output()
			if len(text) > limit || len(evs) > limit/eventCost {
				t.Errorf("%d bytes in %d events; the cap is %d bytes or %d events", len(text), len(evs), limit, limit/eventCost)
			}
			if strings.Trim(text, "xy\x00") != "" {
				t.Errorf("output holds more than the program wrote: %.100q", text)
			}
			if alloc > 16*limit {
				t.Errorf("the server allocated %d bytes for %d bytes of output", alloc, len(text))
			}
		})
	}
}

// allocated is the bytes the process allocated while f ran.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestNamePaths: tracebacks name prog.go, never the build's directory,
// even when the output cap cut the path in half.
func TestNamePaths(t *testing.T) {
	for _, tt := range []struct {
		in   string
		cut  bool
		want string
	}{
		{"main.main()\n\tplay/p12/prog.go:3 +0x1d\n", false, "main.main()\n\tprog.go:3 +0x1d\n"},
		{"goroutine 7:\n\tplay/p12/prog.go:3\n\tplay/p12/pr", true, "goroutine 7:\n\tprog.go:3\n\t"},
		{"x\n\tplay/p", true, "x\n\t"},
		{"x\n\tplay/p12/prog.go", true, "x\n\tprog.go"},
		{"printed play/p", false, "printed play/p"}, // the program's own words, not cut
	} {
		got := namePaths([]Event{{Kind: "stderr", Message: tt.in}}, tt.cut)[0].Message
		if got != tt.want {
			t.Errorf("namePaths(%q, %v) = %q, want %q", tt.in, tt.cut, got, tt.want)
		}
	}
}
