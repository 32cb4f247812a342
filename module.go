// Package lamport is the root of the Lamport module. It holds the module's
// source bundle: go.mod, go.sum and the source of every package a
// playground program may import, embedded so that the playground can lay
// out a workspace that resolves this module's packages (and their
// dependencies, from the local module cache) with no network and no source
// tree: a deployed binary carries what the playground's builds need.
package lamport

import (
	"embed"
	"io/fs"
)

// source is the bundle, laid out as in the repository. A package that
// programs may import is listed here and nowhere else: the playground
// derives its import allowlist and its warm-up from what the bundle holds.
//
//go:embed go.mod go.sum
//go:embed content/patterns/*/*.go
//go:embed engine/*.go engine/migrations/*.sql internal/sqlitedb/*.go sim/*.go
//go:embed playground/jail/*.go playground/jail/internal/pid/*.go playground/picture/*.go
var source embed.FS

// Source returns the module's source bundle (tests included; the
// playground skips them).
func Source() fs.FS { return source }
