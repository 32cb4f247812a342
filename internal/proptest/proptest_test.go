package proptest

import "testing"

func TestSeeds(t *testing.T) {
	t.Setenv(Variable, "")
	if got, want := Seeds(40), uint64(40/raceDivisor); got != want {
		t.Errorf("unset: Seeds(40) = %d, want %d", got, want)
	}
	if got := Seeds(1); got != 1 {
		t.Errorf("Seeds(1) = %d, want at least one seed", got)
	}
	t.Setenv(Variable, "25")
	if got, want := Seeds(40), uint64(1000/raceDivisor); got != want {
		t.Errorf("%s=25: Seeds(40) = %d, want %d", Variable, got, want)
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

func TestSchedules(t *testing.T) {
	t.Setenv(Variable, "")
	if got := Schedules(300); got != 300 {
		t.Errorf("unset: Schedules(300) = %d, want 300 (no cut under -race)", got)
	}
	t.Setenv(Variable, "10")
	if got := Schedules(300); got != 3000 {
		t.Errorf("%s=10: Schedules(300) = %d, want 3000", Variable, got)
	}
}
