//go:build linux && amd64

package jail

import "testing"

// This test runs inside the jail (the package's init installs it in the
// test binary): it must not touch files.

func TestWithPID(t *testing.T) {
	patched := withPID(program, 4242)
	n := 0
	for i := range program {
		if program[i].K == selfPID {
			n++
			if patched[i].K != 4242 {
				t.Errorf("instruction %d: K %#x, want the pid", i, patched[i].K)
			}
		} else if patched[i] != program[i] {
			t.Errorf("instruction %d changed", i)
		}
	}
	if n != 2 { // kill and tgkill
		t.Errorf("%d instructions carry the pid, want 2", n)
	}
}
