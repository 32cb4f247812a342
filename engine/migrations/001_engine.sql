-- The engine's tables all start with engine_, so that it can share a
-- database with an application's own tables (and its own migrations
-- record, engine_migrations) without touching them.

-- Runs: one row per workflow run; the ID is the idempotency key.
CREATE TABLE engine_runs (
  id          TEXT PRIMARY KEY,
  workflow    TEXT NOT NULL,
  version     TEXT NOT NULL DEFAULT '', -- the code version the run started with
  input       BLOB,
  status      TEXT NOT NULL,            -- running, done, failed, attention
  output      BLOB,
  error       TEXT,                     -- failed: the workflow's error; attention: why
  created     INTEGER NOT NULL,         -- unix nanoseconds
  finished    INTEGER,
  -- Ownership: the executor that holds the run, and until when its claim
  -- holds unless renewed. NULL owner: nobody holds it (released, parked).
  owner       TEXT,
  lease_until INTEGER NOT NULL DEFAULT 0,
  wake        INTEGER,                  -- a parked run's wake-up time
  recoveries  INTEGER NOT NULL DEFAULT 0 -- takeovers from an owner that did not let go
);
CREATE INDEX engine_runs_status ON engine_runs (status, created);

-- Events: the append-only log of a run. A step (step_seq, its position in
-- the workflow) ends with one 'done' event (a result, or a non-NULL error);
-- before it, a failed attempt that will be retried is a 'retry' event and
-- a durable timer is a 'timer' event, each with the time to wake up.
CREATE TABLE engine_events (
  run_id   TEXT NOT NULL REFERENCES engine_runs (id),
  seq      INTEGER NOT NULL,            -- event number within the run
  step_seq INTEGER NOT NULL,
  step     TEXT NOT NULL,
  kind     TEXT NOT NULL,               -- done, retry, timer
  attempt  INTEGER NOT NULL DEFAULT 0,  -- which attempt of the step this event ends
  result   BLOB,
  error    TEXT,                        -- NULL: no error; '' is an error with an empty message
  at       INTEGER NOT NULL,            -- unix nanoseconds
  wake     INTEGER,                     -- unix nanoseconds, for retry and timer
  PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;
