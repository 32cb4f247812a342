//go:build linux && amd64

package policy

import (
	"bytes"
	"os"
	"testing"
)

// TestFilterGenerated fails when filter_linux_amd64.go is not what
// internal/policy assembles: run `go generate ./playground/jail`.
func TestFilterGenerated(t *testing.T) {
	want, err := GoFile()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../../filter_linux_amd64.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("filter_linux_amd64.go is stale: run `go generate ./playground/jail`")
	}
}

// TestSelfPIDRules: the program compares SelfPID in exactly the two rules
// that let a process signal only itself (kill, tgkill); the jail patches
// its pid into those.
func TestSelfPIDRules(t *testing.T) {
	prog, err := Program()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, in := range prog {
		if in.K == SelfPID {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d instructions carry SelfPID, want 2 (kill and tgkill)", n)
	}
}
