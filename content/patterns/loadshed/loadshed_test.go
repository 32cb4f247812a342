package loadshed

import "testing"

// TODO: replace with table tests of the real behaviour.
func TestConfigName(t *testing.T) {
	if got := (Config{Name: "a"}).Name; got != "a" {
		t.Errorf("Name = %q, want a", got)
	}
}
