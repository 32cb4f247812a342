//go:build !race

package leaderfollower

const underRace = false
