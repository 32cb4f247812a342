package raft

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lamport-kb/lamport/sim"
)

func TestCommandRoundTrip(t *testing.T) {
	for _, c := range []Command{
		{Client: 3, Seq: 1, Kind: Get, Key: "x"},
		{Client: 7, Seq: 1<<20 + 5, Kind: Put, Key: "y", Value: "705"},
		{Client: 0, Seq: 0, Kind: Put, Key: "", Value: ""},
	} {
		got, err := decodeCommand(c.encode(nil))
		if err != nil || got != c {
			t.Errorf("decode(encode(%+v)) = %+v, %v", c, got, err)
		}
	}
	for _, bad := range [][]byte{nil, {0}, {2, 2, 9}, append(Command{Kind: Get, Key: "x"}.encode(nil), 0)} {
		if _, err := decodeCommand(bad); err == nil {
			t.Errorf("decodeCommand(%v) accepted", bad)
		}
	}
}

// TestSessions: a command applied twice (a client's retry committed
// twice) takes effect once and returns the first result.
func TestSessions(t *testing.T) {
	kv := NewKV()
	put := Command{Client: 5, Seq: 1, Kind: Put, Key: "x", Value: "1"}
	get := Command{Client: 5, Seq: 2, Kind: Get, Key: "x"}
	other := Command{Client: 6, Seq: 1, Kind: Put, Key: "x", Value: "2"}
	var got []Result
	for i, cmd := range []*Command{&put, nil, &get, &other, &put, &get} {
		got = append(got, kv.Apply(uint64(i+1), cmd))
	}
	want := []Result{{}, {}, {"1"}, {}, {}, {"1"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	if res, ok := kv.Applied(5, 2); !ok || res.Value != "1" {
		t.Errorf("Applied(5, 2) = %v, %v", res, ok)
	}
	if kv.data["x"] != "2" {
		t.Errorf("x = %q after the replayed put, want 2", kv.data["x"])
	}
}

// TestDigest: the same entries give the same digest; a different or a
// missing one does not.
func TestDigest(t *testing.T) {
	a, b, c := NewKV(), NewKV(), NewKV()
	x := Command{Client: 1, Seq: 1, Kind: Put, Key: "x", Value: "1"}
	y := Command{Client: 1, Seq: 1, Kind: Put, Key: "x", Value: "2"}
	a.Apply(1, nil)
	a.Apply(2, &x)
	b.Apply(1, nil)
	b.Apply(2, &x)
	c.Apply(1, nil)
	c.Apply(2, &y)
	if a.Digest() != b.Digest() || a.Digest() == c.Digest() {
		t.Errorf("digests %x %x %x", a.Digest(), b.Digest(), c.Digest())
	}
}

// TestWALTornTail: a torn last record is dropped and cut from the file,
// so the next record follows the last intact one.
func TestWALTornTail(t *testing.T) {
	s := sim.New(sim.Config{})
	id := s.Add("n", func() sim.Handler { return nopHandler{} })
	w := wal{disk: s.Disk(id)}
	w.append([]byte("one"), []byte("two"))
	data, _ := w.disk.Read(walFile)
	for cut := len(data) - 1; cut > len(data)-11; cut-- {
		w.disk.Write(walFile, data[:cut])
		if got := w.load(); len(got) != 1 || string(got[0]) != "one" {
			t.Fatalf("cut at %d: loaded %q", cut, got)
		}
	}
	w.disk.Write(walFile, append(data[:len(data)-1], 'X')) // a flipped byte
	if got := w.load(); len(got) != 1 {
		t.Fatalf("corrupt last record: loaded %q", got)
	}
	w.append([]byte("three"))
	if got := w.load(); len(got) != 2 || string(got[1]) != "three" {
		t.Fatalf("after the cut: loaded %q", got)
	}
}

type nopHandler struct{}

func (nopHandler) Start(*sim.Node)                    {}
func (nopHandler) Receive(*sim.Node, sim.NodeID, any) {}
func (nopHandler) Fire(*sim.Node, string)             {}

// TestDeterministic: a seed gives the same run, byte for byte, for both
// implementations.
func TestDeterministic(t *testing.T) {
	for _, etcd := range []bool{false, true} {
		traces := [2]string{}
		for i := range traces {
			c := newCluster(Config{Etcd: etcd})
			s := c.build(11)
			if err := s.Run(); err != nil {
				t.Fatal(err)
			}
			traces[i] = s.Trace()
		}
		if traces[0] != traces[1] {
			t.Errorf("etcd %v: two runs of seed 11 differ", etcd)
		}
	}
}

// TestNames: servers and clients are numbered from 1, past 9 too.
func TestNames(t *testing.T) {
	s := sim.New(sim.Config{})
	c := Simulate(s, Config{Servers: 11, Clients: 2})
	got := []string{s.Name(c.Servers[0]), s.Name(c.Servers[10]), s.Name(c.Clients[1])}
	if diff := cmp.Diff([]string{"s1", "s11", "c2"}, got); diff != "" {
		t.Error(diff)
	}
}
