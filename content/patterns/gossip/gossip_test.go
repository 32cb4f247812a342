package gossip

import (
	"strings"
	"testing"
	"testing/quick"
	"time"

	"github.com/google/go-cmp/cmp"
)

// update is a random update about member 0, for quick.
type update struct {
	State       uint8
	Incarnation uint8
}

func (u update) Update() Update {
	return Update{Name: "a", State: State(u.State % 3), Incarnation: int(u.Incarnation % 4)}
}

// TestMergeOrder: Supersedes is the rule (a higher incarnation wins; at
// the same incarnation dead beats suspect beats alive) and a strict total
// order, so merging any updates in any order, with repeats, gives the
// same entry: the greatest.
func TestMergeOrder(t *testing.T) {
	rule := func(a, b update) bool {
		u, v := a.Update(), b.Update()
		want := u.Incarnation > v.Incarnation || (u.Incarnation == v.Incarnation && u.State > v.State)
		trichotomy := u == v || u.Supersedes(v) != v.Supersedes(u)
		return u.Supersedes(v) == want && trichotomy && !u.Supersedes(u)
	}
	if err := quick.Check(rule, &quick.Config{MaxCount: 2000}); err != nil {
		t.Error(err)
	}
	merge := func(us []update, stride uint8) bool {
		if len(us) == 0 {
			return true
		}
		forward, shuffled := View{{Name: "a"}}, View{{Name: "a"}}
		greatest := Update{Name: "a"}
		for i, u := range us {
			forward.Merge(u.Update())
			shuffled.Merge(us[(i*int(stride|1))%len(us)].Update()) // a permutation or a sample with repeats
			shuffled.Merge(us[len(us)-1-i].Update())               // and every update, backwards
			if u.Update().Supersedes(greatest) {
				greatest = u.Update()
			}
		}
		return forward[0] == greatest && shuffled.Equal(forward)
	}
	if err := quick.Check(merge, &quick.Config{MaxCount: 2000}); err != nil {
		t.Error(err)
	}
	for own := range 5 {
		for accused := range 5 {
			if r := refutation(own, accused); r <= own || r <= accused || (r != own+1 && r != accused+1) {
				t.Errorf("refutation(%d, %d) = %d", own, accused, r)
			}
		}
	}
}

func TestConfig(t *testing.T) {
	def := Config{}
	if err := def.Valid(); err != nil {
		t.Errorf("the default configuration: %v", err)
	}
	for _, tt := range []struct {
		cfg  Config
		want string
	}{
		{Config{ProbeTimeout: 5 * ms}, "shorter than a round trip"},
		{Config{ProbeTimeout: 9 * ms}, "does not fit"},
		{Config{ProbeTimeout: 9 * ms, IndirectChecks: -1}, ""},
	} {
		err := tt.cfg.Valid()
		if (err == nil) != (tt.want == "") || (err != nil && !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%+v: Valid() = %v, want %q", tt.cfg, err, tt.want)
		}
	}
	got := map[string]any{
		"suspicion 6":     def.SuspicionTimeout(6),
		"suspicion 1000":  def.SuspicionTimeout(1000),
		"retransmit 6":    def.RetransmitLimit(6),
		"retransmit 64":   def.RetransmitLimit(64),
		"exchange 6":      def.ExchangeBound(6),
		"convergence 6":   def.ConvergenceBound(6),
		"convergence 5":   def.ConvergenceBound(5),
		"no anti-entropy": Config{PushPullInterval: -1}.ConvergenceBound(6),
	}
	want := map[string]any{
		"suspicion 6":     80 * ms, // 4 · max(1, log10 6) · 20 ms
		"suspicion 1000":  240 * ms,
		"retransmit 6":    4, // 4 · ⌈log10 7⌉
		"retransmit 64":   8, // 4 · ⌈log10 65⌉
		"exchange 6":      363 * ms,
		"convergence 6":   747 * ms, // 20 + 2 · 363, + 1
		"convergence 5":   587 * ms, // 20 + 2 · (7 · 40 + 3), + 1
		"no anti-entropy": time.Duration(0),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("bounds (-want +got):\n%s", diff)
	}
}

func TestStrings(t *testing.T) {
	u := Update{Name: "c", State: Suspect, Incarnation: 2}
	got := []string{
		Ping{Seq: 3, Gossip: []Update{u}}.String(),
		Ack{Seq: 3}.String(),
		PingReq{Seq: 4, Name: "c"}.String(),
		Sync{View: make([]Update, 6), Reply: true}.String(),
		Sync{View: make([]Update, 6)}.String(),
		Dead.String(),
	}
	want := []string{"ping 3 [c suspect@2]", "ack 3", "ping-req 4: ping c", "push-pull: 6 entries", "push-pull reply: 6 entries", "dead"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
