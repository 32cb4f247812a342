//go:build race

package leaderfollower

// underRace: the race detector makes every run some twenty times slower;
// the explorations, single-threaded, run a quarter of their seeds under it.
const underRace = true
