// The hedgedrequests demo: TODO, a short deterministic story of the pattern at work.
package main

import (
	"fmt"

	"github.com/lamport-kb/lamport/content/patterns/hedgedrequests"
)

func main() {
	cfg := hedgedrequests.Config{Name: "demo"}
	fmt.Println("TODO: show the pattern at work with", cfg.Name)
}
