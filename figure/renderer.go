package figure

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// script is the renderer that runs in the browser: it holds every drawing
// setting, so its digest is part of content.Renderer.
//
//go:embed render.js
var script []byte

// drawnBy are the npm packages whose versions name the renderer.
var drawnBy = []string{"mermaid", "katex"}

// InstalledRenderer names the renderer that static/node_modules and
// render.js make, in content.Renderer's form.
func InstalledRenderer(static string) (string, error) {
	versions := make(map[string]string)
	for _, pkg := range drawnBy {
		data, err := os.ReadFile(filepath.Join(static, "node_modules", pkg, "package.json"))
		if err != nil {
			return "", fmt.Errorf("front-end dependencies missing (run `npm ci` in static/, or make deps): %w", err)
		}
		var meta struct{ Version string }
		if err := json.Unmarshal(data, &meta); err != nil {
			return "", fmt.Errorf("%s/package.json: %w", pkg, err)
		}
		versions[pkg] = meta.Version
	}
	return rendererName(versions), nil
}

// rendererName is content.Renderer's form: package@version for each of
// drawnBy, then render.js@digest.
func rendererName(versions map[string]string) string {
	name := ""
	for _, pkg := range drawnBy {
		name += pkg + "@" + versions[pkg] + " "
	}
	sum := sha256.Sum256(script)
	return name + "render.js@" + hex.EncodeToString(sum[:])[:8]
}
