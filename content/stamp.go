package content

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/lamport-kb/lamport/i18n"
)

// Stamp records in a pattern's translations the hash of every English
// section they now translate, so they stop being reported stale. root is
// the content directory on disk; slug names the pattern. Everything in the
// file but the source-hash block is kept byte for byte.
func Stamp(root, slug string) error {
	dir, err := findPattern(root, slug)
	if err != nil {
		return err
	}
	en, err := os.ReadFile(filepath.Join(dir, "en.md"))
	if err != nil {
		return err
	}
	_, body, bodyLine, ok := splitFrontMatter(bytes.ReplaceAll(en, []byte("\r\n"), []byte("\n")))
	if !ok {
		return fmt.Errorf("%s/en.md: missing front matter", dir)
	}
	var block strings.Builder
	block.WriteString("source-hash:\n")
	for _, h := range scanH2(body, bodyLine) {
		if h.explicit {
			fmt.Fprintf(&block, "  %s: %s\n", h.id, sectionHash(h.source))
		}
	}
	for _, lang := range i18n.Langs[1:] {
		if err := stampFile(filepath.Join(dir, lang+".md"), block.String()); err != nil {
			return err
		}
	}
	return nil
}

// stampFile replaces (or appends) the source-hash block of a file's front
// matter.
func stampFile(path, block string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	fm, body, _, ok := splitFrontMatter(data)
	if !ok {
		return fmt.Errorf("%s: missing front matter", path)
	}
	var kept []string
	skipping := false
	for _, line := range strings.SplitAfter(string(fm), "\n") {
		if strings.HasPrefix(line, "source-hash:") {
			skipping = true
			continue
		}
		if skipping && (strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t")) {
			continue
		}
		skipping = false
		if line != "" {
			kept = append(kept, line)
		}
	}
	out := "---\n" + strings.Join(kept, "") + block + "---\n" + string(body)
	return os.WriteFile(path, []byte(out), 0o644)
}

// findPattern returns the folder under root/patterns whose pattern.yaml
// has the slug.
func findPattern(root, slug string) (string, error) {
	dirs, err := os.ReadDir(filepath.Join(root, "patterns"))
	if err != nil {
		return "", err
	}
	for _, d := range dirs {
		dir := filepath.Join(root, "patterns", d.Name())
		data, err := os.ReadFile(filepath.Join(dir, "pattern.yaml"))
		if err == nil && bytes.Contains(data, []byte("slug: "+slug+"\n")) {
			return dir, nil
		}
	}
	return "", fmt.Errorf("no pattern with slug %q under %s/patterns", slug, root)
}
