package deadline

import (
	"context"
	"errors"
	"math"
	mrand "math/rand" // testing/quick takes a math/rand source
	"math/rand/v2"
	"regexp"
	"testing"
	"testing/quick"
	"time"
)

var wire = regexp.MustCompile(`^[0-9]{1,8}[HMSmun]$`)

// TestEncodeRoundTrip checks inv-codec: for every positive duration d,
// Encode(d) is 1 to 8 digits and a unit, and decodes to a value that is
// never above d and below it by less than one unit, which is less than
// 1000·d/99,999,999 (about d/100,000).
func TestEncodeRoundTrip(t *testing.T) {
	check := func(n int64) bool {
		d := time.Duration(n & math.MaxInt64)
		if d == 0 {
			d = 1
		}
		s := Encode(d)
		got, err := Decode(s)
		if !wire.MatchString(s) || err != nil {
			t.Logf("Encode(%d) = %q, Decode error %v", d, s, err)
			return false
		}
		short := d - got
		if short < 0 || float64(short) >= 1000*float64(d)/maxValue && short != 0 {
			t.Logf("Encode(%d) = %q decodes to %d: %d short", d, s, got, short)
			return false
		}
		return true
	}
	cfg := &quick.Config{MaxCount: 20000, Rand: mrand.New(mrand.NewSource(5))}
	if err := quick.Check(check, cfg); err != nil {
		t.Error(err)
	}
	// Durations of every magnitude, which uniform int64s rarely hit.
	for e := 0; e < 63; e++ {
		for _, d := range []time.Duration{1<<e - 1, 1 << e, 1<<e + 1} {
			if d > 0 && !check(int64(d)) {
				t.Errorf("fails at %d", d)
			}
		}
	}
}

func TestEncode(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{-time.Second, "0n"},
		{0, "0n"},
		{1, "1n"},
		{99_999_999, "99999999n"},
		{100 * time.Millisecond, "100000u"},
		{time.Second, "1000000u"},
		{995 * time.Millisecond, "995000u"},
		{time.Second + 1, "1000000u"}, // rounded down, never up
		{100 * time.Second, "100000m"},
		{30 * time.Hour, "108000S"},
		{time.Duration(math.MaxInt64), "2562047H"},
	}
	for _, tt := range tests {
		if got := Encode(tt.d); got != tt.want {
			t.Errorf("Encode(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestDecode(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"1S", time.Second, true},
		{"500m", 500 * time.Millisecond, true},
		{"1000000u", time.Second, true},
		{"10H", 10 * time.Hour, true},
		{"2M", 2 * time.Minute, true},
		{"82n", 82, true},
		{"0n", 0, true},
		{"00000001H", time.Hour, true},
		{"", 0, false},
		{"S", 0, false},
		{"1", 0, false},
		{"123456789S", 0, false}, // nine digits
		{"-1S", 0, false},
		{"+1S", 0, false},
		{"1.5S", 0, false},
		{" 1S", 0, false},
		{"1s", 0, false}, // units are case-sensitive: s is not seconds
		{"1x", 0, false},
	}
	for _, tt := range tests {
		got, err := Decode(tt.in)
		if tt.ok && (err != nil || got != tt.want) {
			t.Errorf("Decode(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
		if !tt.ok && !errors.Is(err, ErrMalformed) {
			t.Errorf("Decode(%q) = %v, %v; want ErrMalformed", tt.in, got, err)
		}
	}
}

// TestHeaderNeverPromisesMore checks inv-header: the value Header sends
// decodes to no more than the time the caller has left.
func TestHeaderNeverPromisesMore(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 8))
	for range 5000 {
		left := time.Duration(rnd.Int64N(int64(48 * time.Hour)))
		ctx, cancel := context.WithDeadline(context.Background(), far.Add(left))
		v, err := Header(ctx, far)
		cancel()
		if left <= 0 {
			if !errors.Is(err, ErrBudgetExhausted) {
				t.Fatalf("Header with %v left: %q, %v; want ErrBudgetExhausted", left, v, err)
			}
			continue
		}
		got, derr := Decode(v)
		if err != nil || derr != nil || got > left {
			t.Fatalf("Header with %v left = %q (%v, %v), which decodes to %v", left, v, err, derr, got)
		}
	}
	if v, err := Header(context.Background(), far); v != "" || err != nil {
		t.Errorf("Header without a deadline = %q, %v; want no header", v, err)
	}
}

// TestServerNeverExtends checks inv-server: a request's context ends at
// now + min(timeout − Margin, Max): never later than its caller's timeout,
// never later than the server's cap, and the request is refused when less
// than MinWork (or nothing) is left.
func TestServerNeverExtends(t *testing.T) {
	rnd := rand.New(rand.NewPCG(9, 10))
	for i := range 5000 {
		s := Server{Margin: ms(rnd.IntN(50)), MinWork: ms(rnd.IntN(50)), Now: func() time.Time { return far }}
		if rnd.IntN(2) == 0 {
			s.Max = ms(1 + rnd.IntN(3000))
		}
		sent := ms(rnd.IntN(3000))
		header := Encode(sent)
		want := sent - s.Margin
		if s.Max > 0 {
			want = min(want, s.Max)
		}
		ctx, cancel, err := s.Context(context.Background(), header)
		dl, ok := ctx.Deadline()
		cancel()
		if want <= 0 || want < s.MinWork {
			if !errors.Is(err, ErrBudgetExhausted) {
				t.Fatalf("case %d: budget %v, MinWork %v: err = %v, want ErrBudgetExhausted", i, want, s.MinWork, err)
			}
			continue
		}
		if err != nil || !ok || !dl.Equal(far.Add(want)) {
			t.Fatalf("case %d: deadline %v (err %v), want %v", i, dl.Sub(far), err, want)
		}
		if dl.After(far.Add(sent)) {
			t.Fatalf("case %d: the server gives itself more time than its caller", i)
		}
	}
}

func TestServer(t *testing.T) {
	now := func() time.Time { return far }
	tests := []struct {
		name    string
		server  Server
		header  string
		want    time.Duration // 0: no deadline
		wantErr error
	}{
		{"no header, no cap: no deadline", Server{Now: now}, "", 0, nil},
		{"no header: the cap applies", Server{Max: ms(800), Now: now}, "", ms(800), nil},
		{"the caller's timeout less the margin", Server{Margin: ms(10), Now: now}, "300m", ms(290), nil},
		{"the cap wins over a longer timeout", Server{Max: ms(800), Now: now}, "5S", ms(800), nil},
		{"a shorter timeout wins over the cap", Server{Max: ms(800), Now: now}, "200m", ms(200), nil},
		{"expired on arrival", Server{Now: now}, "0n", 0, ErrBudgetExhausted},
		{"less than MinWork", Server{MinWork: ms(50), Now: now}, "40m", 0, ErrBudgetExhausted},
		{"malformed", Server{Now: now}, "soon", 0, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel, err := tt.server.Context(context.Background(), tt.header)
			defer cancel()
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			dl, ok := ctx.Deadline()
			if tt.want == 0 && ok {
				t.Errorf("deadline in %v, want none", dl.Sub(far))
			}
			if tt.want != 0 && (!ok || dl.Sub(far) != tt.want) {
				t.Errorf("deadline in %v (%v), want %v", dl.Sub(far), ok, tt.want)
			}
		})
	}
}

// TestServerDefaultClock runs Server with its default clock in a synctest
// bubble: the handler's context really ends when the budget runs out.
func TestServerDefaultClock(t *testing.T) {
	synctestTest(t, func(t *testing.T) {
		start := time.Now()
		ctx, cancel, err := Server{Margin: ms(5)}.Context(context.Background(), "100m")
		defer cancel()
		if err != nil {
			t.Fatal(err)
		}
		<-ctx.Done()
		if got := time.Since(start); got != ms(95) {
			t.Errorf("the request's context ended after %v, want 95ms", got)
		}
	})
}

func BenchmarkEncode(b *testing.B) {
	for b.Loop() {
		Encode(987654321 * time.Microsecond)
	}
}

func BenchmarkDecode(b *testing.B) {
	for b.Loop() {
		if _, err := Decode("987654m"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkServerContext(b *testing.B) {
	s := Server{Max: time.Second, Margin: ms(5)}
	for b.Loop() {
		_, cancel, _ := s.Context(context.Background(), "300m")
		cancel()
	}
}
