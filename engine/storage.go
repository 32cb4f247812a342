package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// ErrUnavailable wraps a storage error that is not the run's fault and
// may pass: the database is locked by another process past the busy
// timeout, the disk is full, a file grew past its size limit, an I/O
// error. The engine retries such writes with backoff (Options.StorageRetry);
// if they keep failing, the run is left running, never failed, and
// resumes when recovered.
var ErrUnavailable = errors.New("engine: storage unavailable")

// transient reports whether err is a storage condition rather than a
// mistake in the request: SQLITE_BUSY and SQLITE_LOCKED (a lock held too
// long), SQLITE_FULL (ENOSPC), SQLITE_IOERR (among others EFBIG when
// RLIMIT_FSIZE is reached, and failed fsyncs), SQLITE_NOMEM,
// SQLITE_CANTOPEN, SQLITE_PROTOCOL and SQLITE_READONLY (a file made
// read-only under the engine).
func transient(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR,
		sqlite3.SQLITE_NOMEM, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PROTOCOL, sqlite3.SQLITE_READONLY:
		return true
	}
	return false
}

// unavailable marks a transient storage error with ErrUnavailable.
func unavailable(err error) error {
	if transient(err) && !errors.Is(err, ErrUnavailable) {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return err
}

// defaultStorageRetry is Options.StorageRetry when it allows one attempt:
// with SQLite's 5 s busy timeout on each attempt, about half a minute.
var defaultStorageRetry = RetryPolicy{MaxAttempts: 6, Initial: 50 * time.Millisecond, Max: 2 * time.Second}

// durably runs write until it succeeds, fails for good, or fails with a
// transient storage error more often than Options.StorageRetry allows,
// waiting (real time: storage recovers on its own clock) between tries.
func (e *Engine) durably(ctx context.Context, write func() error) error {
	p := e.opts.StorageRetry
	for attempt := 1; ; attempt++ {
		err := write()
		if err == nil || !transient(err) {
			return err
		}
		if attempt >= p.MaxAttempts {
			return unavailable(err)
		}
		if err := sleep(ctx, p.delay(attempt, err, e.opts.Rand)); err != nil {
			return err
		}
	}
}
