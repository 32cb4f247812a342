package lamportclock

import (
	"encoding/binary"
	"errors"
	"strconv"
	"time"

	"github.com/lamport-kb/lamport/sim"
)

// Config describes the processes of a simulated cluster (see Simulate).
type Config struct {
	Events int           // own events (sends and local steps) per process per boot; 0: 8
	Every  time.Duration // mean time between a process's own events; 0: 10 ms
	Sends  float64       // share of its own events that send a message; 0: 0.75
	Window Time          // timestamps one saved ceiling reserves; 0: DefaultWindow
	Log    *Log          // where the events go; Simulate sets it
	bug    bug           // a deliberately broken variant, for the tests
}

// bug names a broken variant that the seeded exploration must catch.
type bug uint8

const (
	correct  bug = iota
	noMax        // a receipt ticks the clock and ignores the message's timestamp
	noFsync      // the ceiling is written but not synced
	volatile     // the clock is not saved at all: a restart begins at 0
)

// Msg is what a process sends: its clock at the send, and which event of
// the Log the send was (so the receiver's event can name its cause).
type Msg struct {
	T     Time
	Event int
}

func (m Msg) String() string { return "T=" + strconv.FormatUint(uint64(m.T), 10) }

// Simulate adds one process per name to s, recording their events in a
// new Log, and checks the clock condition after every event of the run
// (the invariant "clock condition"). Processes send to random peers.
func Simulate(s *sim.Sim, cfg Config, names ...string) *Log {
	cfg.Log = NewLog(len(names))
	base := sim.NodeID(len(s.Nodes()))
	cfg.Log.base = base
	for _, name := range names {
		s.Add(name, func() sim.Handler { return &Process{cfg: cfg} })
	}
	s.Invariant("clock condition", func(*sim.Sim) error { return cfg.Log.CheckNew() })
	return cfg.Log
}

// Process is one simulated process: it makes Config.Events events of its
// own at random intervals (a send to a random peer, or a local step), and
// stamps every event, receipts included, with its Durable clock.
type Process struct {
	cfg   Config
	clock *Durable
	done  int
}

// Start restores the clock from the node's disk and schedules the first
// event.
func (p *Process) Start(n *sim.Node) {
	var err error
	p.clock, err = Restore(diskStore{n.Disk(), p.cfg.bug}, p.cfg.Window)
	if err != nil {
		panic(err)
	}
	n.ShowClock(p.clock.Now())
	p.next(n)
}

// Fire makes one of the process's own events.
func (p *Process) Fire(n *sim.Node, _ string) {
	p.done++
	t := p.tick()
	proc := p.cfg.Log.process(n.ID())
	if peers := n.Peers(); len(peers) > 0 && n.Rand().Float64() < p.cfg.sends() {
		id := p.cfg.Log.add(Event{Process: proc, Kind: Send, Time: t, Cause: -1, At: n.Now().Sub(sim.Epoch)})
		n.Send(peers[n.Rand().IntN(len(peers))], Msg{T: t, Event: id})
	} else {
		p.cfg.Log.add(Event{Process: proc, Kind: Local, Time: t, Cause: -1, At: n.Now().Sub(sim.Epoch)})
	}
	n.ShowClock(t)
	p.next(n)
}

// Receive stamps the receipt of a message.
func (p *Process) Receive(n *sim.Node, _ sim.NodeID, msg any) {
	m := msg.(Msg)
	var t Time
	var err error
	if p.cfg.bug == noMax {
		t = p.tick()
	} else if t, err = p.clock.Receive(m.T); err != nil {
		panic(err)
	}
	p.cfg.Log.add(Event{Process: p.cfg.Log.process(n.ID()), Kind: Recv, Time: t, Cause: m.Event, At: n.Now().Sub(sim.Epoch)})
	n.ShowClock(t)
}

func (p *Process) tick() Time {
	t, err := p.clock.Tick()
	if err != nil {
		panic(err)
	}
	return t
}

// next schedules the next own event, after half to one and a half Every.
func (p *Process) next(n *sim.Node) {
	events, every := p.cfg.Events, p.cfg.Every
	if events == 0 {
		events = 8
	}
	if every == 0 {
		every = 10 * time.Millisecond
	}
	if p.done < events {
		n.After(every/2+time.Duration(n.Rand().Int64N(int64(every)+1)), "event")
	}
}

func (c Config) sends() float64 {
	if c.Sends == 0 {
		return 0.75
	}
	return c.Sends
}

// diskStore keeps the ceiling in the file "clock" of a simulated disk:
// eight bytes, written and synced.
type diskStore struct {
	disk *sim.Disk
	bug  bug
}

const clockFile = "clock"

func (s diskStore) Load() (Time, bool, error) {
	data, ok := s.disk.Read(clockFile)
	if !ok || s.bug == volatile {
		return 0, false, nil
	}
	if len(data) != 8 {
		return 0, false, errors.New("lamportclock: the clock file is torn")
	}
	return Time(binary.BigEndian.Uint64(data)), true, nil
}

func (s diskStore) Save(t Time) error {
	if err := s.disk.Write(clockFile, binary.BigEndian.AppendUint64(nil, uint64(t))); err != nil {
		return err
	}
	if s.bug != noFsync {
		s.disk.Sync(clockFile)
	}
	return nil
}
