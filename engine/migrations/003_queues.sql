-- Queues: a run enqueued (status 'enqueued') waits in its queue until an
-- executor starts it (status 'running', started set), within the queue's
-- concurrency and rate limits.
ALTER TABLE engine_runs ADD COLUMN queue TEXT;
ALTER TABLE engine_runs ADD COLUMN started INTEGER; -- unix nanoseconds, wall clock: when it left its queue
CREATE INDEX engine_runs_queue ON engine_runs (queue, status, created) WHERE queue IS NOT NULL;
