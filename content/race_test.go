//go:build race

package content

// underRace: Chroma's lexer is some five times slower under the race
// detector, so FuzzGoTokens seeds with fewer sources.
const underRace = true
