package content

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/lamport-kb/lamport/i18n"
)

// Stamp records in a pattern's translations the hash of every English
// section they now translate, so they stop being reported stale. root is
// the content directory on disk; slug names the pattern. The content is
// loaded as the site loads it (a missing translation allowed), so the
// hashes are the loader's own. Everything in the file but the source-hash
// block is kept byte for byte.
func Stamp(root, slug string) error {
	lib, err := LoadWith(os.DirFS(root), Options{AllowMissing: true})
	if err != nil {
		return err
	}
	p := lib.Pattern(slug)
	if p == nil {
		return fmt.Errorf("no pattern with slug %q under %s/patterns", slug, root)
	}
	var block strings.Builder
	block.WriteString("source-hash:\n")
	for _, sec := range p.Docs[i18n.English].Sections {
		fmt.Fprintf(&block, "  %s: %s\n", sec.ID, sec.Hash)
	}
	for _, lang := range i18n.Langs[1:] {
		if err := stampFile(filepath.Join(root, filepath.FromSlash(p.Dir), lang+".md"), block.String()); err != nil {
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
