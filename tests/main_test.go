package tests

import (
	"os"
	"testing"
)

// TestMain runs the tests, then stops the shared browser (browser_test.go),
// closes the shared search index and removes it and the test playground's
// workspace (server_test.go).
func TestMain(m *testing.M) {
	code := m.Run()
	closeChromium()
	if index != nil {
		index.Close()
	}
	for _, dir := range []string{indexDir, playDir} {
		if dir != "" {
			os.RemoveAll(dir)
		}
	}
	os.Exit(code)
}
