-- The periodic data review (issue 14; seed policy 001 §8.1): per-site settings, completed
-- reviews with their decisions, and resumable bulk-erasure jobs.

-- When a subject was restricted (for "restricted for more than N months"), kept by a trigger so
-- every path that restricts (API, console, preference centre) sets it without knowing of it.
ALTER TABLE subjects ADD COLUMN restricted_at TEXT;
UPDATE subjects SET restricted_at = updated_at WHERE restricted = 1;
CREATE TRIGGER subjects_restricted_since AFTER UPDATE OF restricted ON subjects
WHEN NEW.restricted <> OLD.restricted
BEGIN
  UPDATE subjects SET restricted_at = CASE WHEN NEW.restricted = 1 THEN NEW.updated_at END
  WHERE site_id = NEW.site_id AND subject = NEW.subject;
END;

-- The review's groups are selected by these (last activity, restriction date, erasure date).
CREATE INDEX subjects_by_activity ON subjects (site_id, updated_at) WHERE email IS NOT NULL;
CREATE INDEX subjects_by_restriction ON subjects (site_id, restricted_at) WHERE restricted = 1;
CREATE INDEX suppressions_by_reason ON suppressions (site_id, reason, created_at);

CREATE TABLE review_settings (
  site_id TEXT PRIMARY KEY,
  cycle_months INTEGER NOT NULL DEFAULT 24 CHECK (cycle_months BETWEEN 1 AND 27),
  last_review_on TEXT,
  erased_history_years INTEGER NOT NULL DEFAULT 6 CHECK (erased_history_years BETWEEN 1 AND 100),
  updated_by TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE reviews (
  id TEXT PRIMARY KEY,
  site_id TEXT NOT NULL,
  completed_by TEXT NOT NULL,
  completed_at TEXT NOT NULL,
  params TEXT NOT NULL,     -- JSON: the N months the review was run with
  decisions TEXT NOT NULL,  -- JSON array of {group, decision, reason, count}
  next_due_on TEXT NOT NULL
);
CREATE INDEX reviews_by_site ON reviews (site_id, completed_at);

CREATE TABLE review_erasures (
  id TEXT PRIMARY KEY,
  site_id TEXT NOT NULL,
  review_group TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  total INTEGER NOT NULL DEFAULT 0,
  erased INTEGER NOT NULL DEFAULT 0,
  finished_at TEXT,
  updated_at TEXT NOT NULL
);
CREATE INDEX review_erasures_by_site ON review_erasures (site_id, created_at);

-- The people a job erases, fixed when it starts; `erased_at` is set once, so a retry after a
-- failure skips whoever is done and erases the rest.
CREATE TABLE review_erasure_subjects (
  job_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  erased_at TEXT,
  PRIMARY KEY (job_id, subject)
);
CREATE INDEX review_erasure_pending ON review_erasure_subjects (job_id, erased_at, subject);
