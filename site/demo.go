package site

import "github.com/lamport-kb/lamport/content"

// highlightDemos renders every pattern's demo program once per library,
// the way the Markdown pipeline renders code.
func highlightDemos(lib *content.Library) (map[string]string, error) {
	demos := make(map[string]string)
	for _, p := range lib.Patterns {
		if p.Demo != nil {
			demos[p.Slug] = content.Highlight("go", p.Demo.Source)
		}
	}
	return demos, nil
}
