-- Migration 2: local library files, so a rescan can skip what has not changed.
-- SQLite dialect; the other store gets the same tables, keys and constraints.
CREATE TABLE library_files (
  path TEXT PRIMARY KEY,
  size INTEGER NOT NULL,
  mtime_ns INTEGER NOT NULL,
  analysis_version INTEGER NOT NULL,
  track_id INTEGER NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
  features TEXT NOT NULL DEFAULT '{}',
  scanned_at TEXT NOT NULL DEFAULT (datetime('now'))
);
