package content

import (
	"strconv"

	"gopkg.in/yaml.v3"

	"github.com/lamport-kb/lamport/i18n"
)

const catalogFile = "catalog.yaml"

type catalogYAML struct {
	Categories []struct {
		ID string `yaml:"id"`
		En string `yaml:"en"`
		Zh string `yaml:"zh"`
	} `yaml:"categories"`
	Tags      yaml.Node `yaml:"tags"`
	StartHere struct {
		Title map[string]string `yaml:"title"`
		Slugs []string          `yaml:"slugs"`
	} `yaml:"start-here"`
	Patterns []struct {
		Slug       string `yaml:"slug"`
		Category   string `yaml:"category"`
		Difficulty int    `yaml:"difficulty"`
		En         string `yaml:"en"`
		Zh         string `yaml:"zh"`
	} `yaml:"patterns"`
}

// loadCatalog reads catalog.yaml into the library's categories, tags,
// entries and start-here path.
func (l *loader) loadCatalog() {
	data, err := l.read(catalogFile)
	r := l.reporter(catalogFile)
	if err != nil {
		r.at(0, "cannot read the catalog: %v", err)
		return
	}
	var c catalogYAML
	if !decodeStrict(data, &c, r) {
		return
	}
	lines := parseLines(data)
	for _, cat := range c.Categories {
		cg := &Category{ID: cat.ID, Name: Names{i18n.English: cat.En, i18n.Chinese: cat.Zh}}
		l.requireNames(r, lines.item("categories", len(l.lib.Categories)), "category "+strconv.Quote(cat.ID), cg.Name)
		l.lib.Categories = append(l.lib.Categories, cg)
		l.lib.categories[cg.ID] = cg
	}
	l.loadTags(&c.Tags, r)
	for i, p := range c.Patterns {
		if l.lib.entries[p.Slug] != nil {
			r.at(lines.item("patterns", i), "duplicate slug %q", p.Slug)
			continue
		}
		if l.lib.Category(p.Category) == nil {
			r.at(lines.item("patterns", i), "unknown category %q", p.Category)
		}
		e := &Entry{Slug: p.Slug, Category: p.Category, Difficulty: p.Difficulty, Name: Names{i18n.English: p.En, i18n.Chinese: p.Zh}}
		l.lib.Catalog = append(l.lib.Catalog, e)
		l.lib.entries[p.Slug] = e
	}
	l.lib.StartHere = StartHere{Title: c.StartHere.Title, Slugs: c.StartHere.Slugs}
	for _, s := range c.StartHere.Slugs {
		if l.lib.entries[s] == nil {
			r.at(lines.line("start-here"), "start-here names unknown slug %q", s)
		}
	}
}

// requireNames reports a catalog item that lacks a name in a language:
// the site shows every category and tag by its name, never by its id.
func (l *loader) requireNames(r reporter, line int, what string, names Names) {
	for _, lang := range i18n.Langs {
		if names[lang] == "" {
			r.at(line, "%s has no %s name", what, lang)
		}
	}
}

// loadTags keeps the tags in file order: a mapping of id → names.
func (l *loader) loadTags(n *yaml.Node, r reporter) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		var names Names
		if err := n.Content[i+1].Decode(&names); err != nil {
			r.at(n.Content[i].Line, "tag %q: %v", n.Content[i].Value, err)
			continue
		}
		l.requireNames(r, n.Content[i].Line, "tag "+strconv.Quote(n.Content[i].Value), names)
		t := &Tag{ID: n.Content[i].Value, Name: names}
		l.lib.Tags = append(l.lib.Tags, t)
		l.lib.tags[t.ID] = t
	}
}
