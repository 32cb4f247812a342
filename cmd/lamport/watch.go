package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path/filepath"
	"time"

	"github.com/lamport-kb/lamport/content"
	"github.com/lamport-kb/lamport/site"
)

// watch polls the content directory and swaps in a new library when a file
// changes. Polling (twice a second, stat only) needs no platform-specific
// notifier and is cheap for a few hundred files. A library that fails to
// load is logged, and the previous one keeps serving.
func (m *Main) watch(ctx context.Context) {
	last := fingerprint(m.Config.ContentDir)
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		fp := fingerprint(m.Config.ContentDir)
		if fp == last {
			continue
		}
		last = fp
		if err := m.reload(); err != nil {
			m.Log.Error("content reload failed; still serving the previous version", "err", err)
		}
	}
}

// reload builds a new State from the content directory and swaps it in.
func (m *Main) reload() error {
	start := time.Now()
	st, err := m.build(m.state)
	if err != nil {
		return err
	}
	m.site.Swap(st)
	m.state.Retire(st)
	m.state = st
	m.Log.Info("content reloaded", "patterns", len(st.Library.Patterns), "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// build makes the State to serve, at start-up (prev is the zero State) and
// on every reload, and logs the content's warnings. In author mode missing
// translations are shown as English with a notice instead of failing.
func (m *Main) build(prev site.State) (site.State, error) {
	st, err := site.Build(m.contentFS(), content.Options{AllowMissing: m.authorMode()}, filepath.Join(m.Config.DataDir, "search"), prev)
	if err != nil {
		return site.State{}, err
	}
	for _, w := range st.Library.Warnings {
		m.Log.Warn("content", "at", fmt.Sprintf("%s:%d", w.File, w.Line), "msg", w.Msg)
	}
	return st, nil
}

// fingerprint digests the names, sizes and modification times of every
// file under dir.
func fingerprint(dir string) string {
	h := sha256.New()
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if info, err := d.Info(); err == nil {
			fmt.Fprintf(h, "%s %d %d\n", path, info.Size(), info.ModTime().UnixNano())
		}
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))
}
