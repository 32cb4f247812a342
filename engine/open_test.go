package engine

import (
	"bytes"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// foreignDB makes a database an application owns, with tables named like
// an unprefixed engine's (runs, events, migrations) in rollback-journal
// mode, running sql after.
func foreignDB(t *testing.T, extra string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "app.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		`PRAGMA journal_mode = DELETE`,
		`CREATE TABLE runs (x TEXT)`, `INSERT INTO runs VALUES ('mine')`,
		`CREATE TABLE events (y INTEGER)`,
		`CREATE TABLE migrations (version INTEGER)`, `INSERT INTO migrations VALUES (7)`,
		extra,
	} {
		if _, err := db.Exec(q); q != "" && err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return path
}

// schema lists a database's tables and indexes with their SQL, and its
// journal mode, read without changing it.
func schema(t *testing.T, path string) []string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var mode string
	if err := db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil {
		t.Fatal(err)
	}
	out := []string{"journal_mode " + mode}
	rows, err := db.Query(`SELECT name, coalesce(sql, '') FROM sqlite_master ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var name, q string
		rows.Scan(&name, &q)
		out = append(out, name+": "+q)
	}
	return out
}

// TestOpenSharesAForeignDatabase: the engine's tables are its own
// (engine_*), so a database with an application's runs, events and
// migrations tables opens, and those tables are left as they were.
func TestOpenSharesAForeignDatabase(t *testing.T) {
	path := foreignDB(t, "")
	e, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("Open on an application's database: %v", err)
	}
	e.Register("three", threeSteps(&counter{}, nil))
	if _, err := e.Run(t.Context(), "three", "r", nil); err != nil {
		t.Fatal(err)
	}
	e.Close()
	var names []string
	for _, line := range schema(t, path) {
		if !strings.HasPrefix(line, "engine_") && !strings.HasPrefix(line, "sqlite_autoindex_engine_") {
			names = append(names, line)
		}
	}
	want := []string{"journal_mode wal", "events: CREATE TABLE events (y INTEGER)",
		"migrations: CREATE TABLE migrations (version INTEGER)", "runs: CREATE TABLE runs (x TEXT)"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("the application's tables changed (-want +got):\n%s", diff)
	}
}

// TestOpenFailsWithoutChanging: when Open refuses a database (not SQLite
// at all, or engine tables from a newer engine), it changes nothing in the
// file: not the journal mode, not the schema, not a byte.
func TestOpenFailsWithoutChanging(t *testing.T) {
	t.Run("not a database", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "notes.txt")
		body := []byte(strings.Repeat("these are not SQLite pages\n", 200))
		os.WriteFile(path, body, 0o644)
		_, err := Open(path, Options{})
		if err == nil || !strings.Contains(err.Error(), "not a SQLite database") {
			t.Fatalf("err = %v, want one saying it is not a SQLite database", err)
		}
		if got, _ := os.ReadFile(path); !bytes.Equal(got, body) {
			t.Error("Open changed a file it refused")
		}
	})
	t.Run("newer engine", func(t *testing.T) {
		path := foreignDB(t, `CREATE TABLE engine_migrations (name TEXT PRIMARY KEY);
			INSERT INTO engine_migrations VALUES ('migrations/001_engine.sql'), ('migrations/900_future.sql')`)
		before := schema(t, path)
		_, err := Open(path, Options{})
		if err == nil || !strings.Contains(err.Error(), "900_future.sql") {
			t.Fatalf("err = %v, want one naming the unknown migration", err)
		}
		if diff := cmp.Diff(before, schema(t, path)); diff != "" {
			t.Errorf("a refused Open changed the database (-before +after):\n%s", diff)
		}
	})
	t.Run("engine tables without their record", func(t *testing.T) {
		path := foreignDB(t, `CREATE TABLE engine_runs (id TEXT)`)
		before := schema(t, path)
		if _, err := Open(path, Options{}); err == nil || !strings.Contains(err.Error(), "engine_runs") {
			t.Fatalf("err = %v, want one naming engine_runs", err)
		}
		if diff := cmp.Diff(before, schema(t, path)); diff != "" {
			t.Errorf("a refused Open changed the database (-before +after):\n%s", diff)
		}
	})
}
