package playground

import (
	"embed"
	"io/fs"
)

// jailFiles is the jail package's source. It is embedded here, not
// imported: importing jail would lock down the server itself.
//
//go:embed jail/*.go
var jailFiles embed.FS

// JailSource returns the jail package's source, to lay out in the
// workspace at "playground/jail" (see Source).
func JailSource() fs.FS {
	sub, err := fs.Sub(jailFiles, "jail")
	if err != nil {
		panic(err) // the embedded path is a constant
	}
	return sub
}
