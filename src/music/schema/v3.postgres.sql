-- Migration 3: the folders a library scan was given. The server serves a
-- track's file only when its real path lies under one of them.
-- PostgreSQL dialect; the other store gets the same table.
CREATE TABLE library_roots (
  path TEXT PRIMARY KEY,
  added_at TEXT NOT NULL DEFAULT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')
);
-- Catalogs scanned before this migration: each scanned file's own folder.
INSERT INTO library_roots (path)
  SELECT DISTINCT regexp_replace(path, '/[^/]*$', '') FROM library_files
  ON CONFLICT DO NOTHING;
