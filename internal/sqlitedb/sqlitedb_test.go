package sqlitedb

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

func TestMigrate(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "t.db"), "synchronous(FULL)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	v1 := fstest.MapFS{
		"002_b.sql": {Data: []byte("INSERT INTO t VALUES ('second');")},
		"001_a.sql": {Data: []byte("CREATE TABLE t (v TEXT); INSERT INTO t VALUES ('first');")},
	}
	for range 2 { // applying again changes nothing
		if err := Migrate(db, v1); err != nil {
			t.Fatal(err)
		}
	}
	if got := values(t, db); got != "first,second" {
		t.Errorf("after two migrations: %q", got)
	}
	v2 := fstest.MapFS{
		"001_a.sql": v1["001_a.sql"], "002_b.sql": v1["002_b.sql"],
		"003_bad.sql": {Data: []byte("INSERT INTO t VALUES ('third'); INSERT INTO nowhere VALUES (1);")},
	}
	err = Migrate(db, v2)
	if err == nil || !strings.Contains(err.Error(), "003_bad.sql") {
		t.Fatalf("a failing migration: %v", err)
	}
	if got := values(t, db); got != "first,second" {
		t.Errorf("a failed migration left %q: it must roll back whole", got)
	}
	var mode string
	var sync, fk int
	db.QueryRow("PRAGMA journal_mode").Scan(&mode)
	db.QueryRow("PRAGMA synchronous").Scan(&sync)
	db.QueryRow("PRAGMA foreign_keys").Scan(&fk)
	if mode != "wal" || sync != 2 || fk != 1 {
		t.Errorf("journal_mode %q, synchronous %d, foreign_keys %d: want wal, 2 (FULL), 1", mode, sync, fk)
	}
}

// TestMemory: every use of a Memory database sees the same tables.
func TestMemory(t *testing.T) {
	db, err := Open(Memory)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := Migrate(db, fstest.MapFS{"001.sql": {Data: []byte("CREATE TABLE t (v TEXT);")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("INSERT INTO t VALUES ('x')"); err != nil {
		t.Fatal(err)
	}
	if got := values(t, db); got != "x" {
		t.Errorf("values %q", got)
	}
}

func values(t *testing.T, db *sql.DB) string {
	t.Helper()
	rows, err := db.Query("SELECT v FROM t ORDER BY rowid")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var vs []string
	for rows.Next() {
		var v string
		rows.Scan(&v)
		vs = append(vs, v)
	}
	return strings.Join(vs, ",")
}
