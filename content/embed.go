package content

import (
	"embed"
	"io/fs"
)

// corpus is the content tree built into the binary: the catalog, the
// guides (the glossary) and every pattern folder, Go sources included (the include directive and the
// playground read them).
//
//go:embed catalog.yaml all:patterns guides paths
var corpus embed.FS

// FS returns the embedded content tree.
func FS() fs.FS { return corpus }
