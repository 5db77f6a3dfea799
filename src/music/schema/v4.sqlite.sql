-- Migration 4: mood history, kept only while the listener consents. A day's
-- row holds sums over that day's samples of the camera mood (one a session
-- every 10 s at most): sample count, summed probability per emotion and
-- summed valence/arousal, so a day is a mean and no frame or face is kept.
-- Feedback given while consenting notes the mood it was given in.
-- SQLite dialect; the other store gets the same tables, keys and constraints.
ALTER TABLE listeners ADD COLUMN keep_mood_history INTEGER NOT NULL DEFAULT 0 CHECK (keep_mood_history IN (0, 1));
ALTER TABLE history ADD COLUMN mood TEXT NOT NULL DEFAULT '';
CREATE TABLE mood_days (
  listener_id INTEGER NOT NULL REFERENCES listeners(id) ON DELETE CASCADE,
  day TEXT NOT NULL,
  samples INTEGER NOT NULL CHECK (samples > 0),
  angry REAL NOT NULL, disgust REAL NOT NULL, fear REAL NOT NULL, happy REAL NOT NULL,
  neutral REAL NOT NULL, sad REAL NOT NULL, surprise REAL NOT NULL,
  valence REAL NOT NULL, arousal REAL NOT NULL,
  PRIMARY KEY (listener_id, day)
);
