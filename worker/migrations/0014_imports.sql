-- Imports of legacy consents (console → Import): a dry-run's accepted rows kept as a job, and
-- recorded chunk by chunk, so that no request runs past the Workers CPU limit. The rows hold
-- addresses until recorded: a finished job's chunks are deleted with its last batch.
CREATE TABLE import_jobs (
  id TEXT PRIMARY KEY,
  site_id TEXT NOT NULL,
  -- The console person who ran the dry run (people.id).
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  -- Rows in the file, rows the dry run accepted, chunks they were stored in.
  total_rows INTEGER NOT NULL,
  accepted_rows INTEGER NOT NULL,
  chunks INTEGER NOT NULL,
  -- The next chunk to record; = chunks when the job is done.
  next_chunk INTEGER NOT NULL DEFAULT 0,
  recorded_rows INTEGER NOT NULL DEFAULT 0,
  -- Rows refused when recorded (suppressed or decided later since the dry run).
  refused_rows INTEGER NOT NULL DEFAULT 0,
  -- Set by the confirm post: only a confirmed job is recorded.
  confirmed_at TEXT,
  updated_at TEXT NOT NULL
);
CREATE INDEX import_jobs_by_site ON import_jobs (site_id, created_at);

CREATE TABLE import_chunks (
  job_id TEXT NOT NULL,
  chunk INTEGER NOT NULL,
  -- JSON array of the chunk's accepted rows (app::import_csv::ImportRow).
  rows TEXT NOT NULL,
  PRIMARY KEY (job_id, chunk)
);
