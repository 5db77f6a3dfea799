-- Migration 3: the folders a library scan was given. The server serves a
-- track's file only when its real path lies under one of them.
-- SQLite dialect; the other store gets the same table.
CREATE TABLE library_roots (
  path TEXT PRIMARY KEY,
  added_at TEXT NOT NULL DEFAULT (datetime('now'))
);
-- Catalogs scanned before this migration: each scanned file's own folder
-- (rtrim with the path's non-slash characters leaves "dir/").
INSERT OR IGNORE INTO library_roots (path)
  SELECT DISTINCT rtrim(rtrim(path, replace(path, '/', '')), '/') FROM library_files;
