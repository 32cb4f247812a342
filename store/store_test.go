package store

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestStore(t *testing.T) {
	for _, path := range []string{":memory:", filepath.Join(t.TempDir(), "s.db")} {
		s, err := Open(path)
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
		if _, err := s.Put(ctx, strings.Repeat("x", MaxSnippet+1)); err == nil {
			t.Error("an oversized program was stored")
		}
		s.Close()
	}
}
