package tests

import (
	"os"
	"testing"
)

// TestMain runs the tests, then stops the shared browser (browser_test.go)
// and removes the test playground's workspace (server_test.go).
func TestMain(m *testing.M) {
	code := m.Run()
	closeChromium()
	if playDir != "" {
		os.RemoveAll(playDir)
	}
	os.Exit(code)
}
