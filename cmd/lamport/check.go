package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/lamport-kb/lamport/content"
	"github.com/lamport-kb/lamport/graph"
	"github.com/lamport-kb/lamport/i18n"
)

// check validates the content tree and its relation graph, prints every
// problem as file:line: message, then the warnings.
func check(cfg Config, stdout io.Writer) error {
	fsys, root := content.FS(), "content/"
	if cfg.ContentDir != "" {
		fsys, root = os.DirFS(cfg.ContentDir), shortPath(cfg.ContentDir)+"/"
	}
	lib, err := content.Load(fsys)
	if err != nil {
		return report(stdout, root, err)
	}
	g, err := graph.Build(lib)
	if err != nil {
		return report(stdout, root, err)
	}
	for _, w := range lib.Warnings {
		fmt.Fprintln(stdout, format(root, w)+" (warning)")
	}
	fmt.Fprintf(stdout, "ok: %d patterns, %d languages, %d relations, %d warnings\n",
		len(lib.Patterns), len(i18n.Langs), len(g.Edges()), len(lib.Warnings))
	return nil
}

// report prints the problems of a failed content.Load or graph.Build,
// or returns any other error as it is.
func report(stdout io.Writer, root string, err error) error {
	var problems content.Problems
	if !errors.As(err, &problems) {
		return err
	}
	for _, p := range problems {
		fmt.Fprintln(stdout, format(root, p))
	}
	return exitError{fmt.Sprintf("%d problems", len(problems))}
}

func format(root string, p content.Problem) string {
	if p.Line > 0 {
		return fmt.Sprintf("%s%s:%d: %s", root, p.File, p.Line, p.Msg)
	}
	return fmt.Sprintf("%s%s: %s", root, p.File, p.Msg)
}

// scaffold runs `lamport new pattern <slug>`.
func scaffold(cfg Config, args []string, stdout io.Writer) error {
	if len(args) != 2 || args[0] != "pattern" {
		return fmt.Errorf("usage: lamport new pattern <slug>")
	}
	dir := cfg.contentRoot()
	if err := content.Scaffold(dir, args[1]); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created the pattern %s under %s/patterns; now write en.md and zh.md, then run lamport render and lamport check\n", args[1], dir)
	return nil
}

// stamp runs `lamport stamp <slug>`.
func stamp(cfg Config, args []string, stdout io.Writer) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: lamport stamp <slug>")
	}
	dir := cfg.contentRoot()
	if err := content.Stamp(dir, args[0]); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "stamped the Chinese translation of %s with the current English hashes\n", args[0])
	return nil
}

// contentRoot is the content directory that new and stamp write to:
// --content, or ./content in a checkout.
func (c Config) contentRoot() string {
	if c.ContentDir != "" {
		return shortPath(c.ContentDir)
	}
	return "content"
}
