package figure

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/evanw/esbuild/pkg/api"

	"github.com/lamport-kb/lamport/content"
	"github.com/lamport-kb/lamport/i18n"
)

// job is one figure as the browser's renderFigures takes it.
type job struct {
	Kind    content.FigureKind `json:"kind"`
	ID      string             `json:"id"`      // the SVG's id, prefix of its inner ids
	Source  string             `json:"source"`  // Mermaid or TeX
	Display bool               `json:"display"` // display math
	Name    string             `json:"name"`    // a diagram's kind, in the page's language
	Sep     string             `json:"sep"`     // between the kind and the nodes, and between nodes
	Comma   string             `json:"comma"`
}

// drawing is renderFigures' answer for one job.
type drawing struct {
	HTML  string `json:"html"`
	Error string `json:"error"`
}

// draw renders figs in one browser tab and writes their artifacts.
func draw(ctx context.Context, opts Options, figs []content.Figure) (int, []Failure, error) {
	if err := checkFonts(figs); err != nil {
		return 0, nil, err
	}
	bundle, err := bundleScript(opts.Static)
	if err != nil {
		return 0, nil, err
	}
	tab, closeTab, err := openTab(ctx, opts.Chromium)
	if err != nil {
		return 0, nil, err
	}
	defer closeTab()
	if err := chromedp.Run(tab, chromedp.Navigate("about:blank"), chromedp.Evaluate(bundle, nil)); err != nil {
		return 0, nil, fmt.Errorf("loading the renderer: %w", err)
	}
	var drawings []drawing
	if err := chromedp.Run(tab, evaluate("renderFigures("+jobsJSON(figs)+")", &drawings)); err != nil {
		return 0, nil, fmt.Errorf("rendering: %w", err)
	}
	if len(drawings) != len(figs) {
		return 0, nil, fmt.Errorf("the renderer answered %d drawings for %d figures", len(drawings), len(figs))
	}
	drawn := 0
	var failures []Failure
	for i, f := range figs {
		if d := drawings[i]; d.Error != "" {
			failures = append(failures, Failure{File: f.File, Line: f.Line, Msg: fmt.Sprintf("%s: %s", f.Kind, d.Error)})
			continue
		}
		if err := write(opts.Content, f, drawings[i].HTML); err != nil {
			return drawn, failures, err
		}
		drawn++
	}
	return drawn, failures, nil
}

func evaluate(expr string, out any) chromedp.Action {
	return chromedp.Evaluate(expr, out, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) })
}

func jobsJSON(figs []content.Figure) string {
	jobs := make([]job, len(figs))
	for i, f := range figs {
		jobs[i] = job{Kind: f.Kind, ID: "fig-" + f.Key, Source: f.Source, Display: f.Display, Sep: ": ", Comma: ", "}
		if f.Kind == content.Diagram {
			jobs[i].Name = diagramName(f.Source, f.Lang)
		}
		if f.Lang == i18n.Chinese {
			jobs[i].Sep, jobs[i].Comma = "：", "、"
		}
	}
	data, _ := json.Marshal(jobs)
	return string(data)
}

// diagramNames names each kind of Mermaid diagram the content uses, by the
// first word of its source.
var diagramNames = map[string][2]string{
	"flowchart":       {"Flowchart", "流程图"},
	"graph":           {"Flowchart", "流程图"},
	"sequenceDiagram": {"Sequence diagram", "时序图"},
	"stateDiagram-v2": {"State diagram", "状态图"},
	"stateDiagram":    {"State diagram", "状态图"},
	"xychart-beta":    {"Chart", "图表"},
}

func diagramName(source, lang string) string {
	first := strings.Fields(source)
	names, ok := [2]string{"Diagram", "图"}, false
	if len(first) > 0 {
		names, ok = diagramNames[first[0]]
		if !ok {
			names = [2]string{"Diagram", "图"}
		}
	}
	if lang == i18n.Chinese {
		return names[1]
	}
	return names[0]
}

// bundleScript bundles render.js with Mermaid and KaTeX from
// static/node_modules into one script for the page.
func bundleScript(static string) (string, error) {
	modules, err := filepath.Abs(filepath.Join(static, "node_modules"))
	if err != nil {
		return "", err
	}
	res := api.Build(api.BuildOptions{
		Stdin:            &api.StdinOptions{Contents: string(script), Sourcefile: "render.js", ResolveDir: modules},
		NodePaths:        []string{modules},
		Bundle:           true,
		Format:           api.FormatIIFE,
		Target:           api.ES2020,
		MinifyWhitespace: true,
		MinifySyntax:     true,
	})
	if len(res.Errors) > 0 {
		msgs := api.FormatMessages(res.Errors, api.FormatMessagesOptions{Kind: api.ErrorMessage})
		return "", fmt.Errorf("bundling the renderer: %s", strings.Join(msgs, "\n"))
	}
	return string(res.OutputFiles[0].Contents), nil
}

// openTab starts headless Chromium and opens a tab in it.
func openTab(ctx context.Context, path string) (context.Context, func(), error) {
	if path == "" {
		for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
			if p, err := exec.LookPath(name); err == nil {
				path = p
				break
			}
		}
	}
	if path == "" {
		return nil, nil, errNoChromium
	}
	profile, err := os.MkdirTemp("", "lamport-render-")
	if err != nil {
		return nil, nil, err
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.UserDataDir(profile), chromedp.WindowSize(1280, 900))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	tab, cancelTab := chromedp.NewContext(allocCtx)
	tab, cancelTimeout := context.WithTimeout(tab, 10*time.Minute) // a hang guard, not a speed bound
	closeTab := func() { cancelTimeout(); cancelTab(); cancelAlloc(); os.RemoveAll(profile) }
	if err := chromedp.Run(tab); err != nil {
		closeTab()
		return nil, nil, fmt.Errorf("starting %s: %w", path, err)
	}
	return tab, closeTab, nil
}

// checkFonts refuses to measure Chinese labels without a Chinese font: the
// boxes would fit the fallback glyphs, not the readers' fonts.
func checkFonts(figs []content.Figure) error {
	need := false
	for _, f := range figs {
		need = need || f.Kind == content.Diagram && hasCJK(f.Source)
	}
	if !need {
		return nil
	}
	out, err := exec.Command("fc-list", ":lang=zh", "family").Output()
	if err != nil {
		return fmt.Errorf("cannot list the fonts (fc-list): %w", err)
	}
	if strings.TrimSpace(string(out)) == "" {
		return fmt.Errorf("no Chinese font installed, so Chinese diagram labels cannot be measured: install one (Debian: apt-get install fonts-noto-cjk)")
	}
	return nil
}
