package playground

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// formatService is a Service that can only format: Format needs nothing
// but the toolchain.
func formatService(t *testing.T, lim formatLimits) *Service {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no Go toolchain")
	}
	s := &Service{goBin: goBin}
	s.format.limits = lim
	return s
}

func TestFormat(t *testing.T) {
	s := formatService(t, formatLimits{})
	tests := []struct {
		name, src, body, err string
	}{
		{"formats", "package main\nfunc main(){}", "package main\n\nfunc main() {}\n", ""},
		{"syntax error like the compiler's", "package main\nfunc main({}\n", "package main\nfunc main({}\n", "prog.go:2:11: expected ')', found '{'"},
		{"every error, one a line", "package main\nfunc main() { x := }\nvar = 3\n", "package main\nfunc main() { x := }\nvar = 3\n",
			"prog.go:2:20: expected operand, found '}'\nprog.go:3:1: expected ';', found 'var'"},
		{"too large", "package main\n//" + strings.Repeat("x", MaxSource), "", "program too large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := s.Format(context.Background(), tt.src)
			if err != nil {
				t.Fatal(err)
			}
			if res.Limit != "" || (tt.body != "" && res.Body != tt.body) || !strings.HasPrefix(res.Error, tt.err) || (tt.err == "") != (res.Error == "") {
				t.Errorf("got %+v, want body %q and error %q", res, tt.body, tt.err)
			}
		})
	}
}

// TestFormatBombs formats inputs that took go/format minutes, gigabytes
// or megabytes of output, each under a limit that the bomb must reach
// first, and expects that limit named and the program given back.
func TestFormatBombs(t *testing.T) {
	chain := "package main\nvar x = " + strings.Repeat("1+", 30000) + "1\n" // 60 KB: 23 s of CPU in go/format
	closures := func(n int) string {
		return "package main\nvar x = " + strings.Repeat("func(){", n) + strings.Repeat("}", n) + "\n"
	}
	long := defaultFormatLimits
	long.cpu, long.timeout = 120, 5*time.Minute
	tests := []struct {
		name, src string
		limits    func(formatLimits) formatLimits
		want      string
	}{
		// Memory is lifted so that only the CPU limit can stop it: the
		// chain's parse also grows the heap, and at the default memory
		// limit either may come first.
		{"chain: CPU", chain, func(l formatLimits) formatLimits { l.cpu, l.memory = 1, 4<<30; return l }, "cpu"},
		{"chain: wall clock", chain, func(l formatLimits) formatLimits { l.timeout = 300 * time.Millisecond; return l }, "time"},
		{"closures: output", closures(300), func(l formatLimits) formatLimits { l.output = 16 << 10; return l }, "output"},
		{"closures: memory", closures(3000), func(l formatLimits) formatLimits { l.memory = 64 << 20; return l }, "memory"},
		{"closures: default limits", closures(3000), func(formatLimits) formatLimits { return defaultFormatLimits }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := formatService(t, tt.limits(long))
			res, err := s.Format(context.Background(), tt.src)
			if err != nil {
				t.Fatal(err)
			}
			if res.Body != tt.src || res.Error != "" || res.Limit == "" || (tt.want != "" && res.Limit != tt.want) {
				t.Errorf("limit %q, error %q, body changed: %t; want the %q limit", res.Limit, res.Error, res.Body != tt.src, tt.want)
			}
		})
	}
}

func TestFormatBusy(t *testing.T) {
	s := formatService(t, formatLimits{})
	s.format.setup(s.goBin)
	for range cap(s.format.waiting) {
		s.format.waiting <- struct{}{}
	}
	if _, err := s.Format(context.Background(), "package main"); !errors.Is(err, ErrBusy) {
		t.Errorf("with every place taken Format returned %v, want ErrBusy", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	<-s.format.waiting // a place in the queue, but no slot
	for range cap(s.format.slots) {
		s.format.slots <- struct{}{}
	}
	if _, err := s.Format(ctx, "package main"); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled wait returned %v", err)
	}
}

func TestFormatUnavailable(t *testing.T) {
	if _, err := (&Service{}).Format(context.Background(), "package main"); !errors.Is(err, ErrUnavailable) {
		t.Errorf("without a toolchain Format returned %v", err)
	}
}
