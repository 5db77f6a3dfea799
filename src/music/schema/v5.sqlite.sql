-- Migration 5: a listener's calibration baseline (vision/calibration.h),
-- kept only with their consent: the mean class probabilities of their
-- relaxed face as one model saw it (`model` names that model, so another
-- model does not misuse it). No frame, crop or picture of the face is kept.
-- SQLite dialect; the other store gets the same tables, keys and constraints.
CREATE TABLE listener_baselines (
  listener_id INTEGER PRIMARY KEY REFERENCES listeners(id) ON DELETE CASCADE,
  model TEXT NOT NULL,
  baseline TEXT NOT NULL,
  created_at TEXT NOT NULL DEFAULT (datetime('now'))
);
