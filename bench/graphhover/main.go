// Command graphhover measures the whole graph's hover highlight in a
// real browser: it serves the site in this process, opens /en/graph in
// headless Chromium, records a DevTools performance trace (the tracing
// domain, the categories the Performance panel records) while the pointer
// moves across the drawing from node to node, and reports what the trace
// says: frames per second drawn while the pointer moved, the longest gap
// between frames, frames dropped, and the main thread's work per pointer
// event (event dispatch, style recalculation, layout, paint).
//
//	go run ./bench/graphhover [-path /en/graph] [-nodes 40] [-steps 6] [-runs 3]
//
// A requestAnimationFrame loop runs while the pointer moves, as an
// animation would, so the browser is asked for a frame at every vsync
// (60 Hz in headless Chromium) and a highlight that overran its frame
// shows as a missing one. It is not part of make test: timings on a
// shared machine are reported, with its load average, never asserted.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/tracing"
	"github.com/chromedp/chromedp"

	"github.com/lamport-kb/lamport/bench/internal/measure"
	"github.com/lamport-kb/lamport/site"
)

func main() {
	path := flag.String("path", "/en/graph", "the graph page")
	nodes := flag.Int("nodes", 40, "nodes the pointer visits per run")
	steps := flag.Int("steps", 6, "pointer moves from one node to the next (one per 16 ms)")
	runs := flag.Int("runs", 3, "traced runs")
	flag.Parse()
	if err := run(*path, *nodes, *steps, *runs); err != nil {
		log.Fatal(err)
	}
}

func run(path string, nodes, steps, runs int) error {
	tmp, err := os.MkdirTemp("", "lamport-graphhover")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	h, _, err := measure.Site(tmp, site.Config{})
	if err != nil {
		return err
	}
	base, err := measure.Serve(h)
	if err != nil {
		return err
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath("/usr/bin/chromium"), chromedp.WindowSize(1366, 900))
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox)
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	if err := chromedp.Run(ctx, chromedp.Navigate(base+path), chromedp.WaitVisible("[data-graph-controls]", chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector("svg.graph").scrollIntoView({block: "center"})`, nil)); err != nil {
		return err
	}
	var centres []struct{ X, Y float64 }
	if err := chromedp.Run(ctx, chromedp.Evaluate(`[...document.querySelectorAll('svg[data-testid="graph-svg"] .node circle')].map(c => {
		const r = c.getBoundingClientRect(); return {X: r.x + r.width / 2, Y: r.y + r.height / 2}; })`, &centres)); err != nil {
		return err
	}
	fmt.Printf("%s: %d nodes; %d CPUs, load average %s\n", path, len(centres), runtime.NumCPU(), loadAvg())
	for r := range runs {
		events, err := traceHover(ctx, centres, r, nodes, steps)
		if err != nil {
			return err
		}
		fmt.Printf("run %d: %s\n", r+1, summarise(events))
	}
	fmt.Printf("load average after: %s\n", loadAvg())
	return nil
}

// traceHover records a trace while the pointer moves across nodes
// visited nodes, starting at the run's offset, steps moves between each.
func traceHover(ctx context.Context, centres []struct{ X, Y float64 }, run, nodes, steps int) ([]event, error) {
	var events []event
	done := make(chan struct{})
	lctx, stop := context.WithCancel(ctx)
	defer stop()
	chromedp.ListenTarget(lctx, func(ev any) {
		switch ev := ev.(type) {
		case *tracing.EventDataCollected:
			for _, v := range ev.Value {
				var e event
				if json.Unmarshal(v, &e) == nil {
					events = append(events, e)
				}
			}
		case *tracing.EventTracingComplete:
			close(done)
		}
	})
	cats := []string{"devtools.timeline", "disabled-by-default-devtools.timeline", "disabled-by-default-devtools.timeline.frame", "blink.user_timing"}
	start := tracing.Start().WithTransferMode(tracing.TransferModeReportEvents).
		WithTraceConfig(&tracing.TraceConfig{IncludedCategories: cats, ExcludedCategories: []string{"*"}})
	if err := chromedp.Run(ctx, start,
		chromedp.Evaluate(`(function tick() { window.__raf = requestAnimationFrame(tick); })(); performance.mark("hover-start")`, nil)); err != nil {
		return nil, err
	}
	tick := time.NewTicker(16 * time.Millisecond)
	defer tick.Stop()
	from := centres[(run*nodes)%len(centres)]
	for i := 1; i <= nodes; i++ {
		to := centres[(run*nodes+i*7)%len(centres)] // stride 7: across the drawing, not along the catalog
		for s := 1; s <= steps; s++ {
			f := float64(s) / float64(steps)
			<-tick.C
			if err := chromedp.Run(ctx, input.DispatchMouseEvent(input.MouseMoved, from.X+(to.X-from.X)*f, from.Y+(to.Y-from.Y)*f)); err != nil {
				return nil, err
			}
		}
		from = to
	}
	if err := chromedp.Run(ctx, chromedp.Evaluate(`performance.mark("hover-end"); cancelAnimationFrame(window.__raf)`, nil), tracing.End()); err != nil {
		return nil, err
	}
	select {
	case <-done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return events, nil
}

// event is a Chrome trace event.
type event struct {
	Name string  `json:"name"`
	Cat  string  `json:"cat"`
	Ph   string  `json:"ph"`
	Pid  int     `json:"pid"`
	Ts   float64 `json:"ts"`  // µs
	Dur  float64 `json:"dur"` // µs, for complete events
	Args struct {
		Data struct {
			Type string `json:"type"`
		} `json:"data"`
		// A frame's fate, on the PipelineReporter events that the
		// Performance panel's frames track reads.
		Frame struct {
			State    string `json:"state"`
			Sequence int64  `json:"frame_sequence"`
		} `json:"frame_reporter"`
	} `json:"args"`
}

// summarise reads a trace between the two marks: the page's compositor
// frames (the renderer's PipelineReporter events, one frame per sequence
// number: presented, not needing an update since nothing changed, or
// dropped when every report of the sequence says so), the renderer's
// animation frames and the gaps between them, and the main thread's work
// per pointer move. Frames per second counts every frame not dropped, as
// the Performance panel does.
func summarise(events []event) string {
	var lo, hi float64
	for _, e := range events {
		switch e.Name {
		case "hover-start":
			lo = e.Ts
		case "hover-end":
			hi = e.Ts
		}
	}
	if lo == 0 || hi <= lo {
		return "no hover-start and hover-end marks in the trace"
	}
	renderer := 0
	for _, e := range events {
		if e.Name == "AnimationFrame" {
			renderer = e.Pid
			break
		}
	}
	fate := map[int64]string{}
	var animation []float64
	var moves, overs int
	work := map[string]float64{}
	for _, e := range events {
		if e.Ts < lo || e.Ts > hi {
			continue
		}
		switch {
		case e.Name == "PipelineReporter" && e.Ph == "b" && e.Pid == renderer && e.Args.Frame.State != "":
			if old := fate[e.Args.Frame.Sequence]; old == "" || old == "STATE_DROPPED" {
				fate[e.Args.Frame.Sequence] = e.Args.Frame.State
			}
		case e.Name == "AnimationFrame" && e.Ph == "b":
			animation = append(animation, e.Ts)
		case e.Name == "EventDispatch":
			switch e.Args.Data.Type {
			case "pointermove":
				moves++
			case "pointerover":
				overs++
			}
			work[e.Name] += e.Dur
		case slices.Contains(workNames, e.Name):
			work[e.Name] += e.Dur
		}
	}
	window := (hi - lo) / 1e6
	states := map[string]int{}
	for _, st := range fate {
		states[strings.TrimPrefix(st, "STATE_")]++
	}
	dropped := states["DROPPED"]
	fps := float64(len(fate)-dropped) / window
	var parts []string
	for _, k := range append([]string{"EventDispatch"}, workNames...) {
		if v, ok := work[k]; ok && moves > 0 {
			parts = append(parts, fmt.Sprintf("%s %.3f", k, v/1000/float64(moves)))
		}
	}
	return fmt.Sprintf("%.1f fps: %d frames in %.2f s, %d dropped (%v); renderer animation frames %.1f/s, gap %s; %d pointermoves, %d pointerovers; main thread per move (ms): %s",
		fps, len(fate), window, dropped, states, float64(len(animation))/window, gapStats(animation), moves, overs, strings.Join(parts, ", "))
}

// workNames are the main thread's rendering steps summed per move.
var workNames = []string{"UpdateLayoutTree", "Layout", "PrePaint", "Paint", "Layerize"}

// gapStats is the median, 95th percentile and largest gap between
// timestamps in µs, in ms.
func gapStats(ts []float64) string {
	if len(ts) < 2 {
		return "n/a"
	}
	slices.Sort(ts)
	gaps := make([]float64, len(ts)-1)
	for i := range gaps {
		gaps[i] = (ts[i+1] - ts[i]) / 1000
	}
	slices.Sort(gaps)
	return fmt.Sprintf("median %.1f ms, p95 %.1f ms, max %.1f ms", gaps[len(gaps)/2], gaps[int(math.Floor(float64(len(gaps))*0.95))], gaps[len(gaps)-1])
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:3], " ")
}
