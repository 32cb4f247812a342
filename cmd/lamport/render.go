package main

import (
	"context"
	"fmt"
	"io"

	"github.com/lamport-kb/lamport/figure"
)

// render runs `lamport render`: it draws the figures whose renderings are
// missing or stale and removes the unused ones, in the content directory
// of a checkout (--content, or ./content).
func render(ctx context.Context, cfg Config, stdout io.Writer) error {
	dir := cfg.contentRoot()
	res, err := figure.Render(ctx, figure.Options{Content: dir, Static: cfg.StaticDir, Force: cfg.Force})
	if err != nil {
		return err
	}
	for _, f := range res.Failures {
		fmt.Fprintf(stdout, "%s/%s\n", dir, f)
	}
	fmt.Fprintf(stdout, "rendered %d figures, %d current, %d unused removed\n", res.Drawn, res.Current, res.Removed)
	if len(res.Failures) > 0 {
		return exitError{fmt.Sprintf("%d figures not rendered", len(res.Failures))}
	}
	return nil
}
