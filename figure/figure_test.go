package figure

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lamport-kb/lamport/content"
)

// TestRendererCurrent fails when content.Renderer no longer names the
// renderer: the Mermaid and KaTeX of static/package-lock.json and this
// render.js. Every committed artifact would then be stale.
func TestRendererCurrent(t *testing.T) {
	data, err := os.ReadFile("../static/package-lock.json")
	if err != nil {
		t.Fatal(err)
	}
	var lock struct {
		Packages map[string]struct{ Version string } `json:"packages"`
	}
	if err := json.Unmarshal(data, &lock); err != nil {
		t.Fatal(err)
	}
	versions := make(map[string]string)
	for _, pkg := range drawnBy {
		versions[pkg] = lock.Packages["node_modules/"+pkg].Version
	}
	if got := rendererName(versions); got != content.Renderer {
		t.Errorf("the renderer is %q, content.Renderer says %q: update content/figure.go and run `lamport render`", got, content.Renderer)
	}
}

// tree writes a content tree with one English page.
func tree(t *testing.T, body string) string {
	t.Helper()
	dir := t.TempDir()
	page := filepath.Join(dir, "patterns", "demo", "en.md")
	if err := os.MkdirAll(filepath.Dir(page), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(page, []byte("---\ntitle: Demo\n---\n\n"+body), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func needBrowser(t *testing.T) {
	t.Helper()
	if _, err := os.Stat("../static/node_modules/mermaid"); err != nil {
		t.Skip("static/node_modules is missing: run make deps")
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if _, err := exec.LookPath(name); err == nil {
			return
		}
	}
	if os.Getenv("LAMPORT_REQUIRE_BROWSER") != "" {
		t.Fatal("Chromium is required (LAMPORT_REQUIRE_BROWSER is set) but not installed")
	}
	t.Skip("SKIPPING: Chromium not found")
}

// TestRender draws a diagram and two formulas with the real renderer, then
// checks what a page will inline: an SVG that is a named image with
// light-dark colours, and MathML. A second run draws nothing; an unused
// artifact is removed.
func TestRender(t *testing.T) {
	needBrowser(t)
	dir := tree(t, "Inline $a^2 + b^2$ and\n\n$$\\sum_{i=1}^n x_i$$\n\n```mermaid\nflowchart LR\n  A[client] -->|call| B[server]\n```\n")
	unused := filepath.Join(dir, "patterns", "demo", content.RenderedDir, "0000000000000000.svg")
	os.MkdirAll(filepath.Dir(unused), 0o755)
	os.WriteFile(unused, content.EncodeArtifact("<svg></svg>"), 0o644)
	opts := Options{Content: dir, Static: "../static"}
	res, err := Render(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Drawn != 3 || res.Removed != 1 || len(res.Failures) != 0 {
		t.Fatalf("first render: %+v", res)
	}
	figs, _ := content.Figures(os.DirFS(dir))
	for _, f := range figs {
		data, err := os.ReadFile(filepath.Join(dir, f.Artifact()))
		if err != nil {
			t.Fatal(err)
		}
		checkArtifact(t, f, string(data))
	}
	if res, err := Render(context.Background(), opts); err != nil || res.Drawn != 0 || res.Current != 3 {
		t.Errorf("second render: %+v, %v; want everything current", res, err)
	}
}

func checkArtifact(t *testing.T, f content.Figure, data string) {
	t.Helper()
	if r, ok := content.ArtifactRenderer([]byte(data)); !ok || r != content.Renderer {
		t.Errorf("%s: header names %q", f.Artifact(), r)
	}
	var want []string
	switch {
	case f.Kind == content.Diagram:
		want = []string{`<svg `, `role="img"`, `aria-labelledby="fig-` + f.Key + `-title"`,
			`<title id="fig-` + f.Key + `-title">Flowchart: client, server</title>`, "light-dark(", ">call<"}
	case f.Display:
		want = []string{`<math xmlns="http://www.w3.org/1998/Math/MathML" display="block">`, "<munderover>"}
	default:
		want = []string{`<math xmlns="http://www.w3.org/1998/Math/MathML">`, "<msup><mi>a</mi><mn>2</mn></msup>"}
	}
	for _, w := range want {
		if !strings.Contains(data, w) {
			t.Errorf("%s has no %q:\n%.600s", f.Artifact(), w, data)
		}
	}
	if strings.Contains(data, "data-points") || strings.Contains(data, "aria-roledescription") {
		t.Errorf("%s keeps Mermaid's script attributes", f.Artifact())
	}
}

// TestRenderRefuses: a diagram whose edge labels overlap (the circuit
// breaker's state machine before it was redrawn), a Mermaid syntax error
// and bad TeX are failures at their file:line, and nothing is written for
// them.
func TestRenderRefuses(t *testing.T) {
	needBrowser(t)
	dir := tree(t, "```mermaid\nstateDiagram-v2\n    [*] --> Closed\n    Closed --> Closed: success / failure below threshold\n"+
		"    Closed --> Open: ReadyToTrip(counts)\n    Open --> Open: call refused (ErrOpen)\n    Open --> HalfOpen: OpenTimeout elapsed\n"+
		"    HalfOpen --> Closed: HalfOpenProbes successes\n    HalfOpen --> Open: any probe fails\n"+
		"    HalfOpen --> Open: HalfOpenTimeout elapsed (a probe lost)\n```\n\n```mermaid\nsequenceDiagram\n  A->>B: x; y\n```\n\nBad $\\frac{1}$.\n")
	res, err := Render(context.Background(), Options{Content: dir, Static: "../static"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`patterns/demo/en.md:5: diagram: labels overlap: "success / failure belowthreshold" and "ReadyToTrip(counts)"`,
		"patterns/demo/en.md:17: diagram: Parse error on line 2",
		"patterns/demo/en.md:22: formula: KaTeX parse error",
	}
	if len(res.Failures) != len(want) || res.Drawn != 0 {
		t.Fatalf("render: %+v", res)
	}
	for i, w := range want {
		if got := res.Failures[i].String(); !strings.HasPrefix(got, w) {
			t.Errorf("failure %d = %q, want %q…", i, got, w)
		}
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "patterns", "demo", content.RenderedDir, "*")); len(files) != 0 {
		t.Errorf("artifacts written for failed figures: %v", files)
	}
}
