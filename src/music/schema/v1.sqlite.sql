-- Migration 1: tracks with audio features, genres, listeners, history,
-- learned preferences, imports and the catalog version (bumped by triggers
-- whenever tracks change, so readers can cache).
-- SQLite dialect; the other store gets the same tables, keys and constraints.
CREATE TABLE tracks (
  id INTEGER PRIMARY KEY,
  source TEXT NOT NULL CHECK (source IN ('spotify', 'local')),
  external_id TEXT NOT NULL,
  title TEXT NOT NULL,
  artist TEXT NOT NULL,
  album TEXT NOT NULL DEFAULT '',
  duration_ms INTEGER NOT NULL DEFAULT 0,
  popularity INTEGER NOT NULL DEFAULT 0,
  valence REAL, energy REAL, tempo REAL, danceability REAL, acousticness REAL,
  instrumentalness REAL, loudness REAL, speechiness REAL, liveness REAL,
  key INTEGER, mode INTEGER,
  mood_label TEXT NOT NULL DEFAULT '',
  valence_override REAL, arousal_override REAL,
  added_at TEXT NOT NULL DEFAULT (datetime('now')),
  UNIQUE (source, external_id)
);
CREATE TABLE track_genres (
  track_id INTEGER NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
  genre TEXT NOT NULL,
  PRIMARY KEY (track_id, genre)
);
CREATE INDEX track_genres_genre ON track_genres(genre);
CREATE TABLE listeners (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL DEFAULT (datetime('now'))
);
CREATE TABLE history (
  id INTEGER PRIMARY KEY,
  listener_id INTEGER NOT NULL REFERENCES listeners(id) ON DELETE CASCADE,
  track_id INTEGER NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
  action TEXT NOT NULL CHECK (action IN ('like', 'skip', 'played')),
  context TEXT NOT NULL DEFAULT '',
  at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX history_listener ON history(listener_id, id);
CREATE TABLE preferences (
  listener_id INTEGER NOT NULL REFERENCES listeners(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('genre', 'artist', 'track')),
  key TEXT NOT NULL,
  weight REAL NOT NULL,
  PRIMARY KEY (listener_id, kind, key)
);
CREATE TABLE imports (
  id INTEGER PRIMARY KEY,
  file TEXT NOT NULL UNIQUE,
  rows INTEGER NOT NULL,
  tracks INTEGER NOT NULL,
  finished_at TEXT NOT NULL DEFAULT (datetime('now'))
);
CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT INTO meta VALUES ('catalog_version', 0);
CREATE TRIGGER tracks_ins AFTER INSERT ON tracks BEGIN UPDATE meta SET value = value + 1 WHERE key = 'catalog_version'; END;
CREATE TRIGGER tracks_upd AFTER UPDATE ON tracks BEGIN UPDATE meta SET value = value + 1 WHERE key = 'catalog_version'; END;
CREATE TRIGGER genres_ins AFTER INSERT ON track_genres BEGIN UPDATE meta SET value = value + 1 WHERE key = 'catalog_version'; END;
