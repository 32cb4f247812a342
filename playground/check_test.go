package playground

import (
	"strings"
	"testing"
)

func TestCheckSource(t *testing.T) {
	ours := map[string]bool{"github.com/lamport-kb/lamport/content/patterns/retry": true, "github.com/lamport-kb/lamport/engine": true}
	tests := []struct{ name, src, want string }{
		{"ok", "package main\n\nimport (\"fmt\"; \"github.com/lamport-kb/lamport/content/patterns/retry\")\n\nfunc main() { fmt.Println(retry.Policy{}) }\n", ""},
		{"engine ok", "package main\n\nimport _ \"github.com/lamport-kb/lamport/engine\"\n\nfunc main() {}\n", ""},
		{"not main", "package lib\n", "the playground runs package main"},
		{"site", "package main\n\nimport _ \"github.com/lamport-kb/lamport/site\"\n\nfunc main() {}\n", "is not allowed"},
		{"reflect", "package main\n\nimport _ \"reflect\"\n\nfunc main() {}\n", "is not allowed"},
		{"embed", "package main\n\nimport _ \"strings\"\n\n//go:embed x\nvar s string\n\nfunc main() {}\n", "//go:embed directive"},
		{"two syntax errors", "package main\n\nfunc main() { ) }\nfunc f() { ] }\n", "prog.go:4:"},
	}
	for _, tt := range tests {
		err := checkSource(tt.src, ours)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.want)
		}
	}
}
