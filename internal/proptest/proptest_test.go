package proptest

import "testing"

func TestSeeds(t *testing.T) {
	t.Setenv(Variable, "")
	if got := Seeds(40); got != 40 {
		t.Errorf("unset: Seeds(40) = %d, want 40", got)
	}
	t.Setenv(Variable, "25")
	if got := Seeds(40); got != 1000 {
		t.Errorf("%s=25: Seeds(40) = %d, want 1000", Variable, got)
	}
}

func TestSeedsRejectsABadFactor(t *testing.T) {
	for _, bad := range []string{"deep", "0", "-3", "1.5"} {
		t.Run(bad, func(t *testing.T) {
			t.Setenv(Variable, bad)
			defer func() {
				if recover() == nil {
					t.Errorf("%s=%q: Seeds returned instead of panicking", Variable, bad)
				}
			}()
			Seeds(10)
		})
	}
}
