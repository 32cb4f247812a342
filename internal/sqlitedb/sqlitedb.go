// Package sqlitedb opens this module's SQLite databases (the site's store
// and the workflow engine's log) with modernc.org/sqlite, and applies a
// package's embedded migrations: files named NNN_what.sql, applied in name
// order, each in its own transaction, and recorded in a table migrations
// (name) so that each is applied once. Names are recorded as
// "migrations/NNN_what.sql", as databases made before this package record
// them.
package sqlitedb

import (
	"database/sql"
	"fmt"
	"io/fs"
	"net/url"
	"slices"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Memory is the path of a private in-memory database.
const Memory = ":memory:"

// Open opens the database at path with WAL (a file: readers do not wait
// for the writer), a 5 s busy timeout and foreign keys, plus the given
// pragmas (such as "synchronous(FULL)"), set on every connection the pool
// opens. A Memory database is kept to one connection, since each
// connection to ":memory:" is a database of its own.
func Open(path string, pragmas ...string) (*sql.DB, error) {
	return OpenWith(path, Config{Pragmas: pragmas})
}

// Config is how OpenWith opens a database.
type Config struct {
	Pragmas []string // beside the busy timeout, foreign keys and WAL
	// BusyTimeout is how long a statement waits for another connection's
	// lock before failing with SQLITE_BUSY. Default: 5 s.
	BusyTimeout time.Duration
	// Immediate begins every transaction with BEGIN IMMEDIATE: it takes
	// the write lock at once (waiting up to the busy timeout), so a
	// transaction that reads before it writes cannot fail half-way with
	// SQLITE_BUSY because another process committed in between.
	Immediate bool
	// ReadOnly opens the file read-only and leaves its journal mode alone,
	// to inspect a database before changing anything in it.
	ReadOnly bool
}

// OpenWith is Open with a Config.
func OpenWith(path string, c Config) (*sql.DB, error) {
	q := url.Values{}
	busy := c.BusyTimeout
	if busy <= 0 {
		busy = 5 * time.Second
	}
	pragmas := append([]string{fmt.Sprintf("busy_timeout(%d)", busy.Milliseconds()), "foreign_keys(1)"}, c.Pragmas...)
	if path != Memory && !c.ReadOnly {
		pragmas = append(pragmas, "journal_mode(WAL)")
	}
	for _, p := range pragmas {
		q.Add("_pragma", p)
	}
	if c.Immediate {
		q.Set("_txlock", "immediate")
	}
	if c.ReadOnly {
		q.Set("mode", "ro")
	}
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	if path == Memory {
		db.SetMaxOpenConns(1)
	}
	return db, nil
}

// Migrate applies the migrations in fsys (*.sql at its root) that db has
// not had yet, recording them in the table migrations.
func Migrate(db *sql.DB, fsys fs.FS) error { return MigrateInto(db, fsys, "migrations") }

// MigrateInto is Migrate recording the migrations in table, so that a
// package sharing a database with others keeps its own record. table is a
// constant of the caller's, never user input.
func MigrateInto(db *sql.DB, fsys fs.FS, table string) error {
	if _, err := db.Exec(`CREATE TABLE IF NOT EXISTS ` + table + ` (name TEXT PRIMARY KEY)`); err != nil {
		return err
	}
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return err
	}
	slices.Sort(names)
	for _, name := range names {
		if err := apply(db, fsys, table, name); err != nil {
			return fmt.Errorf("migration %s: %w", name, err)
		}
	}
	return nil
}

func apply(db *sql.DB, fsys fs.FS, table, name string) error {
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var done int
	if err := tx.QueryRow(`SELECT count(*) FROM `+table+` WHERE name = ?`, "migrations/"+name).Scan(&done); err != nil || done > 0 {
		return err
	}
	body, err := fs.ReadFile(fsys, name)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(string(body)); err != nil { // the driver runs every statement
		return err
	}
	if _, err := tx.Exec(`INSERT INTO `+table+` (name) VALUES (?)`, "migrations/"+name); err != nil {
		return err
	}
	return tx.Commit()
}
