package playground_test

import (
	"slices"
	"testing"

	"github.com/lamport-kb/lamport"
	"github.com/lamport-kb/lamport/playground"
)

// TestBundle: the module's real bundle offers every package a demo needs.
func TestBundle(t *testing.T) {
	got, err := playground.Importable(lamport.Source())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"content/patterns/circuitbreaker", "content/patterns/durable", "engine", "sim", "playground/jail", "playground/picture"} {
		if !slices.Contains(got, "github.com/lamport-kb/lamport/"+p) {
			t.Errorf("the bundle lacks %s: %v", p, got)
		}
	}
}
