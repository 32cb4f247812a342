// Command lamport serves the Lamport knowledge base and checks its content.
//
//	lamport [serve] [--addr :8080] [--data DIR] [--content DIR] [--play-cache DIR]
//	lamport check [--content DIR]
//	lamport render [--content DIR] [--static DIR] [--force]
//	lamport new pattern <slug> [--content DIR]
//	lamport stamp <slug> [--content DIR]
//	lamport engine list|inspect|cancel|resume --db FILE [...]
//	lamport version
//
// serve (the default) starts the web server on the content built into the
// binary; --content DIR reads the content from disk instead and reloads
// changed pages while you write. check validates the whole content tree and
// prints every problem as file:line: message (exit status 1 if any).
// render draws the content's diagrams (SVG) and formulas (MathML) into
// artifacts beside the pages, in headless Chromium (package figure); check
// fails while one is missing or stale. new
// scaffolds a pattern folder with the chapter template's sections. stamp
// records, in a pattern's zh.md, which English text it now translates.
// engine lists, inspects, cancels and resumes the workflow runs in an
// engine database (see engine.go; `lamport engine help`).
//
// Every flag has an environment variable: LAMPORT_ADDR, LAMPORT_DATA,
// LAMPORT_CONTENT, LAMPORT_PLAY_CACHE, LAMPORT_TRUSTED_PROXIES, LAMPORT_BASE_URL, LAMPORT_REPO_URL,
// LAMPORT_LOG_LEVEL, LAMPORT_LOG_FORMAT. Flags win over the environment;
// relative paths are made absolute once, against the working directory.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		var exit exitError
		if !errors.As(err, &exit) {
			fmt.Fprintln(os.Stderr, "lamport:", err)
		}
		os.Exit(1)
	}
}

// exitError is a failure already reported to the user.
type exitError struct{ msg string }

func (e exitError) Error() string { return e.msg }

// run dispatches a subcommand.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	if cmd == "engine" { // its own flags, on a database file
		return engineCommand(ctx, args, stdout, stderr)
	}
	cfg, rest, err := parseConfig(cmd, args, os.Getenv, stderr)
	if err != nil {
		return err
	}
	switch cmd {
	case "serve":
		return serve(ctx, cfg)
	case "check":
		return check(cfg, stdout)
	case "render":
		return render(ctx, cfg, stdout)
	case "new":
		return scaffold(cfg, rest, stdout)
	case "stamp":
		return stamp(cfg, rest, stdout)
	case "version":
		fmt.Fprintln(stdout, "lamport", version())
		return nil
	}
	return fmt.Errorf("unknown command %q (want serve, check, render, new, stamp, engine or version)", cmd)
}
