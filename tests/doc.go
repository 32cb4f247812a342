// Package tests holds Lamport's end-to-end tests: HTTP scripts over the real
// embedded content, a crawler that follows every link of the site in both
// languages, browser tests driving headless Chromium, the content checker
// on broken fixtures, the check that generated templ code is current, and
// the import-graph rules of DESIGN.md §1. Nothing imports this package.
package tests
