// Command gen writes the jail's seccomp program, assembled from
// internal/policy, into filter_linux_amd64.go. Run it on linux/amd64 after
// changing the policy:
//
//	go generate ./playground/jail
package main

import (
	"log"
	"os"
	"runtime"

	"github.com/lamport-kb/lamport/playground/jail/internal/policy"
)

func main() {
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		log.Fatal("gen: run on linux/amd64: the program is assembled for the machine's architecture")
	}
	src, err := policy.GoFile()
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile("filter_linux_amd64.go", src, 0o644); err != nil {
		log.Fatal(err)
	}
}
