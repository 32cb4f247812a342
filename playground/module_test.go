package playground

import (
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

func TestImportable(t *testing.T) {
	file := func(src string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(src)} }
	bundle := fstest.MapFS{
		"go.mod":                               file("module github.com/lamport-kb/lamport\n"),
		"module.go":                            file("package lamport\n"),
		"engine/engine.go":                     file("package engine\n"),
		"engine/engine_test.go":                file("package engine_test\n"),
		"internal/sqlitedb/db.go":              file("package sqlitedb\n"),
		"playground/jail/internal/p.go":        file("package p\n"),
		"content/patterns/retry/r.go":          file("// Package retry.\npackage retry\n"),
		"content/patterns/retry/demo/main.go":  file("package main\n"),
		"content/patterns/onlytests/x_test.go": file("package onlytests\n"),
	}
	got, err := Importable(bundle)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{modulePath + "/content/patterns/retry", modulePath + "/engine"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("importable (-want +got):\n%s", diff)
	}
	bundle["engine/broken.go"] = file("not go")
	if _, err := Importable(bundle); err == nil {
		t.Error("a file without a package clause was accepted")
	}
}
