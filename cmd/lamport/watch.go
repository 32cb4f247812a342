package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/lamport-kb/lamport/search"
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

func (m *Main) reload() error {
	start := time.Now()
	lib, err := loadLibrary(os.DirFS(m.Config.ContentDir), true)
	if err != nil {
		return err
	}
	idx, err := search.Open(filepath.Join(m.Config.DataDir, "search"), lib)
	if err != nil {
		return err
	}
	if err := m.site.SetLibrary(lib, idx); err != nil {
		idx.Close()
		return err
	}
	old := m.index
	m.index = idx
	if old != nil {
		old.Close()
	}
	m.Log.Info("content reloaded", "patterns", len(lib.Patterns), "took", time.Since(start).Round(time.Millisecond))
	for _, w := range lib.Warnings {
		m.Log.Warn("content", "at", fmt.Sprintf("%s:%d", w.File, w.Line), "msg", w.Msg)
	}
	return nil
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
