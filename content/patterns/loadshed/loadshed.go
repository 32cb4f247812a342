// Package loadshed implements the Load Shedding / Adaptive Concurrency Limiting pattern.
//
// TODO: explain the pattern, the package's API and how to use it.
package loadshed

// Config holds the pattern's settings. TODO: design the API.
type Config struct {
	// Name identifies the instance in logs and metrics.
	Name string
}
