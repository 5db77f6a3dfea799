-- Migration 2: local library files, so a rescan can skip what has not changed.
-- PostgreSQL dialect; the other store gets the same tables, keys and constraints.
CREATE TABLE library_files (
  path TEXT PRIMARY KEY,
  size BIGINT NOT NULL,
  mtime_ns BIGINT NOT NULL,
  analysis_version INTEGER NOT NULL,
  track_id BIGINT NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
  features TEXT NOT NULL DEFAULT '{}',
  scanned_at TEXT NOT NULL DEFAULT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')
);
