//go:build !race

package raft

const underRace = false
