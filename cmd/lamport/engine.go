package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/lamport-kb/lamport/engine"
)

// engineUsage is the help of `lamport engine`.
const engineUsage = `usage: lamport engine <command> --db FILE [arguments]

Commands, on the workflow runs in the engine database FILE
(or $LAMPORT_ENGINE_DB):
  list [--status S] [--workflow W] [--since T] [--until T] [--limit N]
                 list runs, oldest first; T is RFC 3339 or a duration ago (2h)
  inspect RUN    show a run, its history and its timeline
  cancel RUN     ask a run (and its child workflows) to stop; its owner,
                 or the next executor to recover it, cancels it at its next step
  resume RUN     make a run marked for attention runnable again
`

// engineCommand runs `lamport engine ...` on a database file.
func engineCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stdout, engineUsage)
		return nil
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("lamport engine "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", os.Getenv("LAMPORT_ENGINE_DB"), "the engine's database file")
	var filter listFlags
	if sub == "list" {
		filter.define(fs)
	}
	rest, err := parseInterspersed(fs, args)
	if err != nil {
		return exitError{err.Error()}
	}
	e, err := openEngineDB(*db)
	if err != nil {
		return err
	}
	defer e.Close()
	switch sub {
	case "list":
		return listRuns(ctx, e, filter, rest, stdout)
	case "inspect":
		return withRun(rest, func(id string) error { return inspectRun(ctx, e, id, stdout) })
	case "cancel":
		return withRun(rest, func(id string) error { return cancelRun(ctx, e, id, stdout) })
	case "resume":
		return withRun(rest, func(id string) error { return resumeRun(ctx, e, id, stdout) })
	}
	return fmt.Errorf("unknown engine command %q (want list, inspect, cancel or resume)", sub)
}

// parseInterspersed parses flags that may come before, between or after
// the positional arguments, and returns the positional ones.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return rest, nil
		}
		rest, args = append(rest, fs.Arg(0)), fs.Args()[1:]
	}
}

// openEngineDB opens an existing engine database: a path that does not
// exist is a mistake here, not a new database to create.
func openEngineDB(path string) (*engine.Engine, error) {
	if path == "" {
		return nil, errors.New("lamport engine: --db FILE is required (the engine's SQLite database)")
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("lamport engine: %w", err)
	}
	return engine.Open(path, engine.Options{ExecutorID: "lamport-engine-cli"})
}

func withRun(args []string, fn func(id string) error) error {
	if len(args) != 1 {
		return fmt.Errorf("want one run ID, got %d arguments", len(args))
	}
	return fn(args[0])
}

// listFlags are the filters of `lamport engine list`.
type listFlags struct {
	status, workflow, since, until *string
	limit                          *int
}

func (l *listFlags) define(fs *flag.FlagSet) {
	l.status = fs.String("status", "", "only runs in this state: "+strings.Join(engine.Statuses, ", "))
	l.workflow = fs.String("workflow", "", "only runs of this workflow")
	l.since = fs.String("since", "", "only runs created at or after this time (RFC 3339, or a duration ago: 2h)")
	l.until = fs.String("until", "", "only runs created before this time")
	l.limit = fs.Int("limit", 0, "at most this many runs")
}

func (l listFlags) filter(now time.Time) (engine.RunFilter, error) {
	f := engine.RunFilter{Status: *l.status, Workflow: *l.workflow, Limit: *l.limit}
	var err error
	if f.From, err = parseWhen(*l.since, now); err != nil {
		return f, fmt.Errorf("--since: %w", err)
	}
	if f.To, err = parseWhen(*l.until, now); err != nil {
		return f, fmt.Errorf("--until: %w", err)
	}
	return f, nil
}

// parseWhen reads a time as RFC 3339 or as a duration before now.
func parseWhen(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		return now.Add(-d), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return t, fmt.Errorf("%q is neither an RFC 3339 time nor a duration", s)
	}
	return t, nil
}

func listRuns(ctx context.Context, e *engine.Engine, flags listFlags, args []string, stdout io.Writer) error {
	if len(args) > 0 {
		return fmt.Errorf("list takes no arguments, got %q", args)
	}
	f, err := flags.filter(time.Now())
	if err != nil {
		return err
	}
	runs, err := e.Runs(ctx, f)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tWORKFLOW\tSTATUS\tCREATED\tFINISHED\tNOTE")
	for _, r := range runs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Workflow, r.Status, timeText(r.Created), timeText(r.Finished), note(r))
	}
	tw.Flush()
	fmt.Fprintf(stdout, "%d runs\n", len(runs))
	return nil
}

// note is what a listing says about a run besides its state.
func note(r engine.RunInfo) string {
	var parts []string
	if r.Cancel != "" && r.Status == "running" {
		parts = append(parts, "cancel requested")
	}
	if !r.Wake.IsZero() {
		parts = append(parts, "parked until "+timeText(r.Wake))
	}
	if r.Error != "" && r.Status != "running" {
		parts = append(parts, firstLine(r.Error))
	}
	return strings.Join(parts, "; ")
}

func timeText(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func cancelRun(ctx context.Context, e *engine.Engine, id string, stdout io.Writer) error {
	if err := e.Cancel(ctx, id); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "run %s: cancellation requested; it stops at its next step, compensating what it did\n", id)
	return nil
}

func resumeRun(ctx context.Context, e *engine.Engine, id string, stdout io.Writer) error {
	if err := e.Resume(ctx, id); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "run %s: runnable again; the next Recover (or an executor's recovery loop) continues it\n", id)
	return nil
}
