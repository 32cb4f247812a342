// The gracefuldegradation demo: TODO, a short deterministic story of the pattern at work.
package main

import (
	"fmt"

	"github.com/lamport-kb/lamport/content/patterns/gracefuldegradation"
)

func main() {
	cfg := gracefuldegradation.Config{Name: "demo"}
	fmt.Println("TODO: show the pattern at work with", cfg.Name)
}
