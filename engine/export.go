package engine

// The playground shows the runs a reader's program made. Its builder
// compiles programs with the build tag lamportplay, under which Close
// writes the engine's Report, one JSON line, to file descriptor 3 (see
// export_play.go): the runner gives the program a pipe there and reads at
// most a bounded number of bytes from it. The program is untrusted and
// can write anything to that pipe, so the runner checks what it reads
// against the Report's bounds and draws the timelines itself; no SQLite
// file leaves the jail. Built without the tag, Close writes nothing.

// exportFD is the file descriptor the playground's runner reads reports
// from.
const exportFD = 3
