-- Shared programs, content-addressed: the id is derived from the source,
-- so sharing the same program twice gives the same link.
CREATE TABLE snippets (
  id      TEXT PRIMARY KEY,
  source  TEXT NOT NULL,
  created INTEGER NOT NULL -- unix seconds
);
