-- Migration 4: mood history, kept only while the listener consents. A day's
-- row holds sums over that day's samples of the camera mood (one a session
-- every 10 s at most): sample count, summed probability per emotion and
-- summed valence/arousal, so a day is a mean and no frame or face is kept.
-- Feedback given while consenting notes the mood it was given in.
-- PostgreSQL dialect; the other store gets the same tables, keys and constraints.
ALTER TABLE listeners ADD COLUMN keep_mood_history INTEGER NOT NULL DEFAULT 0 CHECK (keep_mood_history IN (0, 1));
ALTER TABLE history ADD COLUMN mood TEXT NOT NULL DEFAULT '';
CREATE TABLE mood_days (
  listener_id BIGINT NOT NULL REFERENCES listeners(id) ON DELETE CASCADE,
  day TEXT NOT NULL,
  samples BIGINT NOT NULL CHECK (samples > 0),
  angry DOUBLE PRECISION NOT NULL, disgust DOUBLE PRECISION NOT NULL, fear DOUBLE PRECISION NOT NULL,
  happy DOUBLE PRECISION NOT NULL, neutral DOUBLE PRECISION NOT NULL, sad DOUBLE PRECISION NOT NULL,
  surprise DOUBLE PRECISION NOT NULL,
  valence DOUBLE PRECISION NOT NULL, arousal DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (listener_id, day)
);
