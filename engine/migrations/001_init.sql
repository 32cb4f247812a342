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

-- Events: the append-only log of a run. A step (step_seq, its position in
-- the workflow) ends with one 'done' event (result or error); before it, a
-- failed attempt that will be retried is a 'retry' event and a durable
-- timer is a 'timer' event, each with the time to wake up.
CREATE TABLE events (
  run_id   TEXT NOT NULL REFERENCES runs (id),
  seq      INTEGER NOT NULL,   -- event number within the run
  step_seq INTEGER NOT NULL,
  step     TEXT NOT NULL,
  kind     TEXT NOT NULL,      -- done, retry, timer
  result   BLOB,
  error    TEXT,
  at       INTEGER NOT NULL,   -- unix nanoseconds
  wake     INTEGER,            -- unix nanoseconds, for retry and timer
  PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;
