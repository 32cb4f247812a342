package tests

import (
	"os"
	"testing"
)

// TestMain runs the tests, then stops the shared browser (browser_test.go).
func TestMain(m *testing.M) {
	code := m.Run()
	closeChromium()
	os.Exit(code)
}
