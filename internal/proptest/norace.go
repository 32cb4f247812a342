//go:build !race

package proptest

const raceDivisor = 1
