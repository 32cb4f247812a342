// Package sim is a deterministic simulator of a cluster: nodes, a network,
// faults and clocks on one event loop, so that a distributed pattern's
// code can be run under thousands of seeded fault schedules in a test,
// checked after every event, and drawn as a space-time diagram.
//
// # Nodes
//
// A node is a Handler: Start (at boot and after every restart), Receive (a
// message) and Fire (a timer). A handler acts only through the *Node it is
// given: Send and Broadcast put messages on the network, After and Cancel
// manage timers on the node's local clock, Disk is its durable storage,
// Rand its private random source, Now its (possibly skewed) wall clock.
// Note and ShowClock annotate the current event for the trace and the
// diagram.
//
//	s := sim.New(sim.Config{Seed: 42})
//	a := s.Add("a", func() sim.Handler { return &Replica{} })
//	b := s.Add("b", func() sim.Handler { return &Replica{} })
//	s.SetFaults([]sim.Fault{sim.Partition(30*ms, 60*ms, a), sim.Crash(40*ms, 70*ms, b)})
//	err := s.Run()
//
// # Determinism
//
// A run is a function of its Config, its nodes and their handlers: the
// same seed gives the same run, byte for byte, on any machine, in a test
// and in the playground's jail. One event loop processes a queue ordered
// by (simulated time, insertion order); the network and the disks draw
// from one PCG generator seeded by Config.Seed, every node from its own
// (seeded by the seed, its ID and its incarnation, so a node's choices do
// not shift when a message's delay does). Nothing runs concurrently and the
// package never ranges over a map where the order could reach the run.
// Handlers must keep to the same discipline: no goroutines, no real time,
// no map iteration order in their outputs, messages sent as values.
//
// # Time
//
// Simulated time is a time.Duration from the start of the run (Sim.Now).
// Each node has a local clock: Epoch plus the simulated time until a Skew
// fault jumps it and changes its rate; Node.Now reads it and Node.After
// counts in it, so a fast clock fires its timers early. A run ends when no
// event is left, at Config.Until (default one minute), or after
// Config.MaxEvents events and sends (default 100,000), which bounds a
// handler that never stops sending.
//
// # Faults as data
//
// A fault schedule is a []Fault, data that prints as the calls that made
// it: Partition (a side cut off from the rest, both ways), OneWay (one
// direction of one link), Crash (down at a time, back at another),
// Skew (a clock jump and drift), Degrade (a link's delay, loss,
// duplication and reordering changed for a while). Every link has a Link
// — a delay distribution (Fixed, Uniform, Exponential), a loss, a
// duplication and a reordering probability — from Config.Network or
// SetLink. Messages on a link arrive in order unless Reorder lets one
// overtake. A message is cut if a partition separates the nodes when it is
// sent or when it arrives, and dropped if its receiver is down. A Nemesis
// draws a random schedule from a seed.
//
// # Crashes and durability
//
// A crash discards the node's handler (its volatile state), cancels its
// timers and reverts its Disk to what was last synced: Disk.Write and
// Disk.Append change what reads see at once, but only Disk.Sync makes it
// survive. With Config.TornWrites a crash may keep a random prefix of
// the unsynced content over the old one, a torn write. At restart a
// fresh handler's Start reads the disk and recovers.
//
// # Checks
//
// Invariant adds a check that runs after every event; the first error
// stops the run with a *Failure naming it (a handler's panic and the event
// limit are failures too). Node.Invoke and Node.Return record a client
// history; Linearizable checks it against a porcupine model
// (github.com/anishathalye/porcupine), and Operations converts it for any
// other use of porcupine.
//
// # Exploration
//
// Exploration runs a build function under many seeds and stops at the
// first failing seed, after shrinking the seed's fault schedule by delta
// debugging to the faults the failure needs; Report.Explain prints its
// schedule, the end of its trace and a one-line reproduction. In tests,
// package sim/simtest wraps it (simtest.Explore fails the test, logs the
// schedules and events explored per second, reports them as benchmark
// metrics, and reads LAMPORT_SEEDS, LAMPORT_SEED and LAMPORT_TRACE), so
// this package registers no flags and programs that import it do not link
// package testing.
//
// # Output
//
// Trace renders the run as text, one line per event and per message sent;
// Events and Messages return it as data. Diagram draws it as an SVG
// space-time diagram: a lane per node, an arrow per message, lost ones
// crossed out, crashes and partitions shaded, notes and logical clocks
// beside the events, a <title> with the full text on every mark, readable
// without script. DiagramOptions bound the rows and lanes drawn and say
// what was cut. In the playground a program shows the diagram under its
// output with playground/picture:
//
//	fmt.Println(picture.Line([]byte(s.Diagram(sim.DiagramOptions{}))))
package sim
