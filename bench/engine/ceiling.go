package main

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite"
)

// ceiling measures the raw SQLite append rate with this modernc.org/sqlite:
// one writer inserting one small row per committed transaction (what a
// step record costs without group commit), and 100 rows per transaction
// (what group commit can reach), in NORMAL and FULL.
func ceiling(tmp string) {
	for _, sync := range []string{"NORMAL", "FULL"} {
		for _, batch := range []int{1, 100} {
			var rates []float64
			for round := range 3 {
				rate, err := appendRate(filepath.Join(tmp, fmt.Sprintf("ceiling-%s-%d-%d.db", sync, batch, round)), sync, batch)
				if err != nil {
					fail(err)
				}
				rates = append(rates, rate)
			}
			sortFloats(rates)
			fmt.Printf("raw SQLite append ceiling, synchronous=%-6s %3d rows/commit: %8.0f rows/s (%.0f–%.0f)\n", sync, batch, rates[1], rates[0], rates[2])
		}
	}
}

func appendRate(path, sync string, batch int) (float64, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous("+sync+")")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE TABLE log (run TEXT, seq INTEGER, payload BLOB, PRIMARY KEY (run, seq)) WITHOUT ROWID`); err != nil {
		return 0, err
	}
	rows := 5000 * min(batch, 4) // enough commits to average the fsyncs out
	quiesce()
	start := time.Now()
	for i := 0; i < rows; i += batch {
		tx, err := db.Begin()
		if err != nil {
			return 0, err
		}
		for j := i; j < i+batch; j++ {
			if _, err := tx.Exec(`INSERT INTO log VALUES (?, ?, ?)`, "run", j, []byte("{}")); err != nil {
				return 0, err
			}
		}
		if err := tx.Commit(); err != nil {
			return 0, err
		}
	}
	return float64(rows) / time.Since(start).Seconds(), nil
}

func sortFloats(f []float64) {
	for i := range f {
		for j := i + 1; j < len(f); j++ {
			if f[j] < f[i] {
				f[i], f[j] = f[j], f[i]
			}
		}
	}
}
