// Package lamport is the root of the Lamport module. It holds nothing but
// the module's go.mod and go.sum, embedded so that the playground can
// write a workspace that resolves this module's packages (and their
// dependencies, from the local module cache) with no network and no source
// tree: a deployed binary carries what the playground's builds need.
package lamport

import _ "embed"

// GoMod is the module's go.mod.
//
//go:embed go.mod
var GoMod []byte

// GoSum is the module's go.sum.
//
//go:embed go.sum
var GoSum []byte
