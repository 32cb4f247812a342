package playground

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"slices"
	"sync"
	"time"
)

// output collects a program's stdout and stderr as timed events, within
// one budget of bytes; exhausting it cancels the run.
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
//
// The budget holds against a hostile program, which can write anything to
// its pipes with raw system calls: every byte of output costs a byte as it
// arrives (a frame's payload is taken in pieces, never buffered whole), and
// every event costs eventCost more, so that a flood of tiny writes to
// alternating streams cannot build a response of millions of events. A
// stream's writes less than a millisecond apart join one event as they
// arrive, in linear time; empty frames are dropped.
type output struct {
	max    int
	fake   bool
	cancel func()
	start  time.Time

	mu     sync.Mutex
	n      int // budget spent
	cut    bool
	frames []frame
}

// frame is one event in the making: its stream, the times of its first and
// last writes since the start, its bytes.
type frame struct {
	kind    string
	at, end time.Duration
	data    []byte
}

// eventCost is what an event costs of the output budget besides its
// bytes: about the JSON of an empty event.
const eventCost = 48

// fakeEpoch is the fake clock's reading when a program starts (the
// runtime's faketime, 2009-11-10 23:00:00 UTC).
const fakeEpoch = 1257894000000000000

func newOutput(max int, fake bool, cancel func()) *output {
	return &output{max: max, fake: fake, cancel: cancel, start: time.Now()}
}

// writer returns the io.Writer for one stream.
func (o *output) writer(kind string) *streamWriter {
	return &streamWriter{o: o, kind: kind, open: -1}
}

// streamWriter parses one stream. In fake time it is a small state machine:
// it reads a frame's header, then hands its payload on in the pieces the
// pipe delivers.
type streamWriter struct {
	o      *output
	kind   string
	header [playbackHeader]byte
	nh     int           // bytes of header read
	left   int           // payload bytes of the current frame still to come
	at     time.Duration // the current (or last) frame's time
	open   int           // the frame the current payload goes to, or -1
}

// playbackHeader is the length of a frame's header; playbackMagic starts it.
const playbackHeader = 16

var playbackMagic = []byte{0, 0, 'P', 'B'}

func (w *streamWriter) Write(p []byte) (int, error) {
	if !w.o.fake {
		w.o.add(w.kind, time.Since(w.o.start), p, -1)
		return len(p), nil
	}
	n := len(p)
	if w.o.truncated() {
		return n, nil
	}
	for len(p) > 0 {
		if w.left > 0 {
			p = w.payload(p)
		} else {
			p = w.readHeader(p)
		}
	}
	return n, nil
}

// payload hands on as much of the current frame's payload as p holds.
func (w *streamWriter) payload(p []byte) []byte {
	k := min(w.left, len(p))
	w.left -= k
	w.open = w.o.add(w.kind, w.at, p[:k], w.open)
	if w.left == 0 {
		w.open = -1
	}
	return p[k:]
}

// readHeader takes the bytes of at most one frame's header from p.
func (w *streamWriter) readHeader(p []byte) []byte {
	if w.nh == 0 && p[0] != playbackMagic[0] {
		return w.raw(p)
	}
	for len(p) > 0 && w.nh < playbackHeader {
		if w.nh < len(playbackMagic) && p[0] != playbackMagic[w.nh] {
			w.notHeader()
			return p
		}
		w.header[w.nh] = p[0]
		w.nh++
		p = p[1:]
	}
	if w.nh == playbackHeader {
		w.nh = 0
		w.at = time.Duration(int64(binary.BigEndian.Uint64(w.header[4:12])) - fakeEpoch)
		w.left = int(binary.BigEndian.Uint32(w.header[12:16]))
	}
	return p
}

// notHeader handles header bytes that turned out not to start a header
// (the runtime frames every write, but a raw system call does not): the
// first is output, and the others are read again, since a header may
// start at any of them.
func (w *streamWriter) notHeader() {
	var held [playbackHeader]byte
	m := copy(held[:], w.header[1:w.nh])
	w.nh = 0
	w.o.add(w.kind, w.at, w.header[:1], -1)
	for rest := held[:m]; len(rest) > 0; {
		rest = w.readHeader(rest)
	}
}

// raw passes bytes outside any frame through, at the stream's last time,
// up to the next zero byte, where a header may start.
func (w *streamWriter) raw(p []byte) []byte {
	i := bytes.IndexByte(p, 0)
	if i < 0 {
		i = len(p)
	}
	w.o.add(w.kind, w.at, p[:i], -1)
	return p[i:]
}

// add records p, written to stream kind at time at, and returns the frame
// it went to. It goes to frame open when that is not -1 (a frame's payload
// arriving in pieces), else to the last frame when that is the same
// stream's and less than a millisecond older, else to a new frame. At the
// cap it keeps what fits and cancels the run.
func (o *output) add(kind string, at time.Duration, p []byte, open int) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.cut || len(p) == 0 {
		return open
	}
	if open < 0 {
		open = o.joinable(kind, at)
	}
	cost := 0
	if open < 0 {
		cost = eventCost
	}
	room := o.max - o.n - cost
	if room <= 0 {
		o.stop()
		return open
	}
	if len(p) > room {
		p = p[:room]
		o.stop()
	}
	o.n += cost + len(p)
	if open < 0 {
		o.frames = append(o.frames, frame{kind: kind, at: at, end: at})
		open = len(o.frames) - 1
	}
	f := &o.frames[open]
	f.data = append(f.data, p...)
	f.end = max(f.end, at)
	return open
}

// joinable returns the last frame if a write to kind at time at joins it,
// else -1.
func (o *output) joinable(kind string, at time.Duration) int {
	i := len(o.frames) - 1
	if i < 0 || o.frames[i].kind != kind || at-o.frames[i].end >= time.Millisecond {
		return -1
	}
	return i
}

func (o *output) stop() {
	o.cut = true
	o.cancel()
}

// events turns the frames into events with delays, merging a stream's
// frames that are less than a millisecond apart once both streams are in
// order.
func (o *output) events() []Event {
	o.mu.Lock()
	frames := slices.Clone(o.frames)
	o.mu.Unlock()
	if o.fake {
		slices.SortStableFunc(frames, func(a, b frame) int { return cmp.Compare(a.at, b.at) })
	}
	var evs []Event
	var msg []byte // the last event's message, built in place
	var last time.Duration
	for _, f := range frames {
		delay := max(f.at-last, 0)
		if n := len(evs); n > 0 && evs[n-1].Kind == f.kind && delay < time.Millisecond {
			msg = append(msg, f.data...)
		} else {
			if n > 0 {
				evs[n-1].Message = string(msg)
			}
			msg = append(msg[:0], f.data...)
			evs = append(evs, Event{Kind: f.kind, Delay: delay})
		}
		last = max(last, f.end)
	}
	if n := len(evs); n > 0 {
		evs[n-1].Message = string(msg)
	}
	return evs
}

func (o *output) truncated() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.cut
}
