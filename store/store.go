// Package store is the site's database: one SQLite file in the data
// directory (":memory:" in tests) holding what the site persists — today
// the programs readers share from the playground, under content-addressed
// ids. Migrations are embedded and applied at Open (internal/sqlitedb);
// WAL lets readers open shared links while a share is being written, and
// there is one writer. No SQL lives outside this package.
package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/lamport-kb/lamport/internal/sqlitedb"
)

//go:embed migrations/*.sql
var migrations embed.FS

// MaxSnippet is the largest program stored, in bytes (the playground's
// source limit).
const MaxSnippet = 64 << 10

// ErrNotFound is returned by Store.Get for an unknown id.
var ErrNotFound = errors.New("store: no such snippet")

// Store is the site's database.
type Store struct{ db *sql.DB }

// Open opens the database at path and applies the migrations it lacks.
func Open(path string) (*Store, error) {
	db, err := sqlitedb.Open(path)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)                      // one writer
	sub, _ := fs.Sub(migrations, "migrations") // a constant path
	if err := sqlitedb.Migrate(db, sub); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: %w", err)
	}
	return &Store{db: db}, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// SnippetID is the id of a program: 11 characters of URL-safe base64 of
// its SHA-256 (66 bits).
func SnippetID(src string) string {
	sum := sha256.Sum256([]byte(src))
	return base64.RawURLEncoding.EncodeToString(sum[:])[:11]
}

// Put stores a program (at most MaxSnippet bytes) and returns its id.
func (s *Store) Put(ctx context.Context, src string) (string, error) {
	if len(src) > MaxSnippet {
		return "", fmt.Errorf("program too large: %d bytes (the limit is %d)", len(src), MaxSnippet)
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
