package gossip

import (
	"os"
	"strings"
	"testing"
)

// maxDemoOutput bounds what the demo prints, the diagram included: the
// playground sends it whole, and the page carries it.
const maxDemoOutput = 80 << 10

// TestDemoOutputSize: the demo's pinned output (tests/TestDemoOutput keeps
// it equal to what go run prints) stays under maxDemoOutput bytes, while
// it still shows a crashed member declared dead, suspicions, deaths of
// members that were up, and their refutations.
func TestDemoOutputSize(t *testing.T) {
	out, err := os.ReadFile("demo/output.golden")
	if err != nil {
		t.Fatal(err)
	}
	if len(out) > maxDemoOutput {
		t.Errorf("the demo prints %d bytes, more than %d", len(out), maxDemoOutput)
	}
	for _, want := range []string{"d crashed", "d dead@0", "a suspect@0", "a dead@0", "a refutes: alive@1", "every live member holds the same view"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the demo's output does not say %q", want)
		}
	}
}
