//go:build race

package proptest

// raceDivisor: under the race detector every exploration runs a quarter of
// its seeds (see Seeds).
const raceDivisor = 4
