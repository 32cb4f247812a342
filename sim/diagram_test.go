package sim_test

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/lamport-kb/lamport/sim"
)

// wellFormed fails t unless svg parses as XML.
func wellFormed(t *testing.T, svg string) {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(svg))
	for {
		if _, err := dec.Token(); err == io.EOF {
			return
		} else if err != nil {
			t.Fatalf("the SVG is not well-formed XML: %v", err)
		}
	}
}

func TestDiagramBounds(t *testing.T) {
	s := cluster(sim.Config{Seed: 2, Faults: []sim.Fault{sim.Crash(15*ms, 0, 3)}}, 6)
	mustRun(t, s)
	full := s.Diagram(sim.DiagramOptions{})
	cut := s.Diagram(sim.DiagramOptions{MaxRows: 20, MaxLanes: 4, Title: "a <small> one"})
	wellFormed(t, full)
	wellFormed(t, cut)
	for _, want := range []string{
		fmt.Sprintf("… %d more events after", len(s.Events())-20),
		"… 2 more nodes not drawn",
		"<title>a &lt;small&gt; one</title>",
	} {
		if !strings.Contains(cut, want) {
			t.Errorf("the bounded diagram lacks %q", want)
		}
	}
	if strings.Contains(full, "not drawn") || len(cut) >= len(full) {
		t.Errorf("the full diagram (%d bytes) says it was cut, or is no larger than the bounded one (%d)", len(full), len(cut))
	}
	if strings.Count(cut, ">n4<") != 0 || strings.Count(full, ">n5<") != 1 {
		t.Error("lanes beyond MaxLanes were drawn, or a lane is missing")
	}
}

// loner sends to itself, pings once into a partition and leaves a message
// in flight at the end.
type loner struct{}

func (loner) Start(n *sim.Node) {
	n.Send(n.ID(), "self")
	if n.ID() == 0 {
		n.Send(1, "into the partition")
		n.After(5*ms, "late")
	}
	if n.Incarnation() != 1 || n.Name() == "" || n.Rand() == nil {
		panic("node identity")
	}
}
func (loner) Fire(n *sim.Node, _ string) { n.Send(1, "never arrives") }
func (loner) Receive(n *sim.Node, from sim.NodeID, msg any) {
	n.Note("got %v", msg)
}

func TestDiagramMarks(t *testing.T) {
	s := sim.New(sim.Config{Until: 6 * ms, Network: sim.Link{Delay: sim.Fixed(2 * ms)},
		Faults: []sim.Fault{sim.Partition(0, 3*ms, 1)}})
	s.Add("a", func() sim.Handler { return loner{} })
	s.Add("b", func() sim.Handler { return loner{} })
	mustRun(t, s)
	svg := s.Diagram(sim.DiagramOptions{})
	wellFormed(t, svg)
	for _, want := range []string{
		`<path d="M`,                               // the loop of a message to itself
		`stroke="#cf222e" stroke-dasharray`,        // the cut message
		"#1 a → b: into the partition",             // its title
		"cut by a partition",                       //
		"never arrives · sent 5.000ms · in flight", // in flight at the end
		"got self",
	} {
		if !strings.Contains(svg, want) {
			t.Errorf("the diagram lacks %q", want)
		}
	}
	if len(s.Sent(1)) != 2 || s.Faults()[0].String() != "Partition(0s, 3ms, 1)" || s.Handler(0) == nil {
		t.Errorf("Sent(1) = %v, Faults = %v", s.Sent(1), s.Faults())
	}
}

// shouter broadcasts a long message at every event, forever.
type shouter struct{}

func (shouter) Start(n *sim.Node)                  { n.After(ms, "shout") }
func (shouter) Receive(*sim.Node, sim.NodeID, any) {}
func (shouter) Fire(n *sim.Node, _ string) {
	n.Broadcast(strings.Repeat("x", 5000))
	n.Note("%s", strings.Repeat("note ", 200))
	n.After(ms, "shout")
}

// TestDiagramFitsThePlayground: the largest diagram the default bounds
// allow, from 14 nodes broadcasting long messages, stays well under the
// playground's 1 MiB output once base64-encoded.
func TestDiagramFitsThePlayground(t *testing.T) {
	s := sim.New(sim.Config{Until: 15 * ms, Faults: []sim.Fault{sim.Partition(10*ms, 0, 1, 2, 3)}})
	for i := range 14 {
		s.Add(fmt.Sprintf("node-%02d", i), func() sim.Handler { return shouter{} })
	}
	mustRun(t, s)
	svg := s.Diagram(sim.DiagramOptions{})
	wellFormed(t, svg)
	encoded := (len(svg) + 2) / 3 * 4
	t.Logf("%d nodes, %d events, %d messages: the diagram is %d bytes, %d in base64", len(s.Nodes()), len(s.Events()), len(s.Messages()), len(svg), encoded)
	if encoded > 768<<10 {
		t.Errorf("the diagram takes %d bytes of output", encoded)
	}
	for _, cut := range []string{"more events after", "more nodes not drawn"} {
		if !strings.Contains(svg, cut) {
			t.Errorf("the diagram does not say %q", cut)
		}
	}
	dense := s.Diagram(sim.DiagramOptions{MaxRows: 28, MaxLanes: 14}) // 14 broadcasts of 13 messages in its last 14 rows
	if !strings.Contains(dense, "more messages not drawn (at most 112 arrows for 28 rows)") {
		t.Error("the dense diagram does not say that it left messages out")
	}
}
