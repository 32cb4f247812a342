-- Runs: one row per workflow run; the ID is the idempotency key.
CREATE TABLE runs (
  id       TEXT PRIMARY KEY,
  workflow TEXT NOT NULL,
  input    BLOB,
  status   TEXT NOT NULL,      -- running, done, failed
  output   BLOB,
  error    TEXT,
  created  INTEGER NOT NULL,   -- unix nanoseconds
  finished INTEGER
);
CREATE INDEX runs_status ON runs (status, created);

-- Events: the append-only log, one row per completed step.
CREATE TABLE events (
  run_id TEXT NOT NULL REFERENCES runs (id),
  seq    INTEGER NOT NULL,
  step   TEXT NOT NULL,
  result BLOB,
  error  TEXT,
  at     INTEGER NOT NULL,
  PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;
