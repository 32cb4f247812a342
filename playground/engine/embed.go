package engine

import "embed"

// Source is this package's source (tests excluded by the reader), embedded
// so that the playground can build user programs that import the engine.
//
//go:embed *.go migrations/*.sql
var Source embed.FS
