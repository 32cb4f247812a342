-- The code version a run started with (RegisterVersion), so that code can
-- branch on it and operators can see which runs are on old code.
ALTER TABLE runs ADD COLUMN version TEXT NOT NULL DEFAULT '';
