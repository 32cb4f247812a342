package site

import (
	"errors"
	"io/fs"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/lamport-kb/lamport/content"
	"github.com/lamport-kb/lamport/graph"
)

// TestBuildGraph: Build derives the relation graph with the library, and
// fails with the graph's problems, at file:line, when requires has a cycle.
func TestBuildGraph(t *testing.T) {
	fsys := sampleTree(t)
	st, err := Build(fsys, content.Options{}, "", State{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Graph == nil || len(st.Graph.Nodes()) != len(st.Library.Catalog) {
		t.Fatalf("State.Graph = %v for a catalog of %d", st.Graph, len(st.Library.Catalog))
	}
	if links := st.Graph.Links("planned-thing"); len(links) == 0 || links[0] != (graph.Link{Label: "combines-with", Slug: "sample"}) {
		t.Errorf("planned-thing links %v", links)
	}

	// Write the planned pattern as a copy of the sample; make them require each other.
	yml := string(fsys["patterns/sample/pattern.yaml"].Data)
	for name, f := range fsys {
		if rest, ok := strings.CutPrefix(name, "patterns/sample/"); ok {
			fsys["patterns/plannedthing/"+rest] = &fstest.MapFile{Data: f.Data}
		}
	}
	other := strings.NewReplacer("slug: sample", "slug: planned-thing", "difficulty: 1", "difficulty: 2",
		"combines-with: [planned-thing]", "requires: [sample]").Replace(yml)
	fsys["patterns/plannedthing/pattern.yaml"] = &fstest.MapFile{Data: []byte(other)}
	fsys["patterns/sample/pattern.yaml"] = &fstest.MapFile{Data: []byte(strings.Replace(yml, "combines-with:", "requires:", 1))}

	_, err = Build(fsys, content.Options{}, "", State{})
	var problems content.Problems
	const want = "patterns/sample/pattern.yaml:5: requires forms a cycle: sample → planned-thing → sample"
	if !errors.As(err, &problems) || !strings.HasPrefix(problems.Error(), want) {
		t.Errorf("Build: %v\nwant %s...", err, want)
	}
}

// sampleTree copies content's one-pattern fixture into a MapFS.
func sampleTree(t *testing.T) fstest.MapFS {
	t.Helper()
	root := os.DirFS("../content/testdata/site")
	fsys := fstest.MapFS{}
	err := fs.WalkDir(root, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(root, name)
		fsys[name] = &fstest.MapFile{Data: data}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return fsys
}
