package playground

import (
	"encoding/binary"
	"slices"
	"sync"
	"time"
)

// output collects a program's stdout and stderr as timed events, up to one
// cap on the combined bytes; reaching the cap cancels the run.
//
// In real time an event's time is when its bytes arrived. In fake time
// (the program was built with the faketime tag, see Request.FakeTime) the
// runtime frames every write to fds 1 and 2 with a playback header,
//
//	0 0 'P' 'B' <8-byte big-endian time in ns> <4-byte big-endian length> data
//
// and an event's time is the fake clock's reading at the write, the format
// the Go playground uses. Fake-time events are ordered by that time when
// the run ends, since stdout and stderr arrive through separate pipes.
type output struct {
	max    int
	fake   bool
	cancel func()
	start  time.Time

	mu     sync.Mutex
	n      int
	cut    bool
	frames []frame
}

// frame is one write: its stream, its time from the start, its bytes.
type frame struct {
	kind string
	at   time.Duration
	data []byte
}

// fakeEpoch is the fake clock's reading when a program starts (the
// runtime's faketime, 2009-11-10 23:00:00 UTC).
const fakeEpoch = 1257894000000000000

func newOutput(max int, fake bool, cancel func()) *output {
	return &output{max: max, fake: fake, cancel: cancel, start: time.Now()}
}

// writer returns the io.Writer for one stream.
func (o *output) writer(kind string) *streamWriter {
	return &streamWriter{o: o, kind: kind}
}

type streamWriter struct {
	o    *output
	kind string
	buf  []byte // fake time: bytes of an incomplete frame
}

func (w *streamWriter) Write(p []byte) (int, error) {
	if !w.o.fake {
		w.o.add(w.kind, time.Since(w.o.start), p)
		return len(p), nil
	}
	w.buf = append(w.buf, p...)
	for {
		at, data, rest, ok := nextFrame(w.buf)
		if !ok {
			break
		}
		w.o.add(w.kind, at, data)
		w.buf = rest
	}
	return len(p), nil
}

// nextFrame splits the first playback frame off b. Bytes that do not
// start with the header (which the runtime always writes) pass through
// unframed, stamped at the epoch.
func nextFrame(b []byte) (at time.Duration, data, rest []byte, ok bool) {
	const header = 16
	if len(b) == 0 {
		return 0, nil, b, false
	}
	if len(b) >= 4 && (b[0] != 0 || b[1] != 0 || b[2] != 'P' || b[3] != 'B') {
		return 0, b, nil, true
	}
	if len(b) < header {
		return 0, nil, b, false
	}
	n := int(binary.BigEndian.Uint32(b[12:16]))
	if len(b) < header+n {
		return 0, nil, b, false
	}
	t := int64(binary.BigEndian.Uint64(b[4:12]))
	return time.Duration(t - fakeEpoch), b[header : header+n], b[header+n:], true
}

// add records a write, cutting it at the cap.
func (o *output) add(kind string, at time.Duration, p []byte) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.cut {
		return
	}
	if o.n+len(p) > o.max {
		p = p[:o.max-o.n]
		o.cut = true
		o.cancel()
	}
	o.n += len(p)
	o.frames = append(o.frames, frame{kind: kind, at: at, data: append([]byte(nil), p...)})
}

// events turns the frames into events with delays, merging a stream's
// writes that are less than a millisecond apart.
func (o *output) events() []Event {
	o.mu.Lock()
	frames := slices.Clone(o.frames)
	o.mu.Unlock()
	if o.fake {
		slices.SortStableFunc(frames, func(a, b frame) int { return int(a.at - b.at) })
	}
	var evs []Event
	var last time.Duration
	for _, f := range frames {
		delay := max(f.at-last, 0)
		if n := len(evs); n > 0 && evs[n-1].Kind == f.kind && delay < time.Millisecond {
			evs[n-1].Message += string(f.data)
		} else {
			evs = append(evs, Event{Message: string(f.data), Kind: f.kind, Delay: delay})
		}
		last = max(last, f.at)
	}
	return evs
}

func (o *output) truncated() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.cut
}

func (o *output) text() []byte {
	o.mu.Lock()
	defer o.mu.Unlock()
	var b []byte
	for _, f := range o.frames {
		b = append(b, f.data...)
	}
	return b
}
