package playground

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestStore(t *testing.T) {
	for _, path := range []string{":memory:", filepath.Join(t.TempDir(), "s.db")} {
		s, err := OpenStore(path)
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		id, err := s.Put(ctx, "package main\n")
		if err != nil || len(id) != 11 {
			t.Fatalf("Put = %q, %v", id, err)
		}
		again, _ := s.Put(ctx, "package main\n")
		if again != id {
			t.Error("the same program got two ids")
		}
		if src, err := s.Get(ctx, id); err != nil || src != "package main\n" {
			t.Errorf("Get = %q, %v", src, err)
		}
		if _, err := s.Get(ctx, "nope"); !errors.Is(err, ErrNotFound) {
			t.Errorf("Get of an unknown id: %v", err)
		}
		if _, err := s.Put(ctx, strings.Repeat("x", MaxSource+1)); err == nil {
			t.Error("an oversized program was stored")
		}
		s.Close()
	}
}

func TestCheckSource(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"ok", "package main\n\nimport (\"fmt\"; \"github.com/lamport-kb/lamport/content/patterns/retry\")\n\nfunc main() { fmt.Println(retry.Policy{}) }\n", ""},
		{"engine ok", "package main\n\nimport _ \"github.com/lamport-kb/lamport/playground/engine\"\n\nfunc main() {}\n", ""},
		{"not main", "package lib\n", "the playground runs package main"},
		{"site", "package main\n\nimport _ \"github.com/lamport-kb/lamport/site\"\n\nfunc main() {}\n", "is not allowed"},
		{"reflect", "package main\n\nimport _ \"reflect\"\n\nfunc main() {}\n", "is not allowed"},
		{"embed", "package main\n\nimport _ \"strings\"\n\n//go:embed x\nvar s string\n\nfunc main() {}\n", "//go:embed directive"},
		{"two syntax errors", "package main\n\nfunc main() { ) }\nfunc f() { ] }\n", "prog.go:4:"},
	}
	for _, tt := range tests {
		err := checkSource(tt.src)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.want)
		}
	}
}
