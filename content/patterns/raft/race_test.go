//go:build race

package raft

// underRace: the race detector instruments every memory access, which
// makes etcd's protobuf-heavy runs some twenty times slower; the
// explorations, single-threaded, run a quarter of their seeds under it.
const underRace = true
