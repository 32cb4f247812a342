package pid

import (
	"syscall"
	"testing"
)

func TestPatch(t *testing.T) {
	const marker = 0x7ffffff0
	prog := []syscall.SockFilter{
		{Code: 0x20, K: 4},
		{Code: 0x15, Jt: 0, Jf: 1, K: marker},
		{Code: 0x06, K: 0x7fff0000},
		{Code: 0x15, Jt: 1, Jf: 0, K: marker},
	}
	orig := append([]syscall.SockFilter(nil), prog...)
	got := Patch(prog, marker, 4242)
	for i := range prog {
		want := orig[i]
		if want.K == marker {
			want.K = 4242
		}
		if got[i] != want {
			t.Errorf("instruction %d: %+v, want %+v", i, got[i], want)
		}
		if prog[i] != orig[i] {
			t.Errorf("instruction %d of the input changed", i)
		}
	}
}
