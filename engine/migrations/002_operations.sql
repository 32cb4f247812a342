-- The operations on running workflows: messages, published values,
-- cancellation, deadlines and child workflows. Status may now also be
-- 'cancelled'.

-- cancel: why the run is being (or was) cancelled: 'cancelled' (Cancel)
-- or 'deadline'; NULL: it is not. deadline: unix nanoseconds of the
-- workflow clock after which the run is cancelled. parent: the run that
-- started this one as its child.
ALTER TABLE engine_runs ADD COLUMN cancel TEXT;
ALTER TABLE engine_runs ADD COLUMN deadline INTEGER;
ALTER TABLE engine_runs ADD COLUMN parent TEXT;
CREATE INDEX engine_runs_parent ON engine_runs (parent) WHERE parent IS NOT NULL;
CREATE INDEX engine_runs_workflow ON engine_runs (workflow, created);
CREATE INDEX engine_runs_created ON engine_runs (created);

-- Messages sent to a run, in order of id per (run, topic). A message is
-- received by the event that records it (received: that event's seq), in
-- the same transaction, so it is received once. key: the sender's
-- idempotency key, so a retried send is stored once.
CREATE TABLE engine_messages (
  id       INTEGER PRIMARY KEY,
  run_id   TEXT NOT NULL REFERENCES engine_runs (id),
  topic    TEXT NOT NULL,
  payload  BLOB,
  key      TEXT,
  sent     INTEGER NOT NULL,            -- unix nanoseconds
  received INTEGER                      -- seq of the receiving event; NULL: pending
);
CREATE INDEX engine_messages_pending ON engine_messages (run_id, topic, id) WHERE received IS NULL;
CREATE UNIQUE INDEX engine_messages_key ON engine_messages (run_id, key) WHERE key IS NOT NULL;

-- Values a run publishes (SetEvent), the latest per key, written in the
-- transaction of the event that records it (seq).
CREATE TABLE engine_values (
  run_id TEXT NOT NULL REFERENCES engine_runs (id),
  key    TEXT NOT NULL,
  value  BLOB,
  seq    INTEGER NOT NULL,
  PRIMARY KEY (run_id, key)
) WITHOUT ROWID;
