package playground

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

//go:embed migrations/*.sql
var migrations embed.FS

// ErrNotFound is returned by Store.Get for an unknown id.
var ErrNotFound = errors.New("playground: no such snippet")

// Store keeps shared programs in SQLite.
type Store struct{ db *sql.DB }

// OpenStore opens the database at path (":memory:" in tests) and applies
// the embedded migrations, each in its own transaction. WAL lets readers
// open shared links while a share is being written; there is one writer.
func OpenStore(path string) (*Store, error) {
	dsn := "file:" + path + "?_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)"
	if path != ":memory:" {
		dsn += "&_pragma=journal_mode(WAL)"
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1) // one writer; also keeps ":memory:" one database
	if err := migrate(db); err != nil {
		db.Close()
		return nil, err
	}
	return &Store{db: db}, nil
}

func migrate(db *sql.DB) error {
	if _, err := db.Exec(`CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY)`); err != nil {
		return err
	}
	names, _ := fs.Glob(migrations, "migrations/*.sql")
	sort.Strings(names)
	for _, name := range names {
		if err := applyMigration(db, name); err != nil {
			return fmt.Errorf("playground: migration %s: %w", name, err)
		}
	}
	return nil
}

func applyMigration(db *sql.DB, name string) error {
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRow(`SELECT count(*) FROM migrations WHERE name = ?`, name).Scan(&n); err != nil || n > 0 {
		return err
	}
	body, err := migrations.ReadFile(name)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(string(body)); err != nil {
		return err
	}
	if _, err := tx.Exec(`INSERT INTO migrations (name) VALUES (?)`, name); err != nil {
		return err
	}
	return tx.Commit()
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// SnippetID is the id of a program: 11 characters of URL-safe base64 of
// its SHA-256 (66 bits).
func SnippetID(src string) string {
	sum := sha256.Sum256([]byte(src))
	return base64.RawURLEncoding.EncodeToString(sum[:])[:11]
}

// Put stores a program (at most MaxSource bytes) and returns its id.
func (s *Store) Put(ctx context.Context, src string) (string, error) {
	if len(src) > MaxSource {
		return "", fmt.Errorf("program too large: %d bytes (the limit is %d)", len(src), MaxSource)
	}
	id := SnippetID(src)
	_, err := s.db.ExecContext(ctx, `INSERT OR IGNORE INTO snippets (id, source, created) VALUES (?, ?, ?)`, id, src, time.Now().Unix())
	return id, err
}

// Get returns the program with the given id.
func (s *Store) Get(ctx context.Context, id string) (string, error) {
	var src string
	err := s.db.QueryRowContext(ctx, `SELECT source FROM snippets WHERE id = ?`, id).Scan(&src)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	return src, err
}
