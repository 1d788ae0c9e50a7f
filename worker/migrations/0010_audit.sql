-- Issue 11: the audit trail of administrative acts, and the daily counts of backend consent checks.

-- Append-only, per site, a keyed hash chain linked at append time (`app::audit::record`): each
-- row carries its own link, `hash = HMAC(LEDGER_KEY, "audit-link:v2\n{seq}\n{prev_hash}\n{entry_hash}")`.
-- Two appends racing for the same place: the primary key lets exactly one win; the other re-reads
-- the head and retries, so the chain never forks. Never personal data: subject HMAC ids, counts,
-- key prefixes, role names.
CREATE TABLE audit_events (
  site_id TEXT NOT NULL,
  seq INTEGER NOT NULL CHECK (seq >= 1),
  at TEXT NOT NULL,
  actor_type TEXT NOT NULL,
  actor TEXT NOT NULL,
  kind TEXT NOT NULL,
  ip_truncated TEXT,
  detail TEXT NOT NULL,
  entry_hash TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 2,
  PRIMARY KEY (site_id, seq)
);
CREATE INDEX audit_events_by_kind ON audit_events (site_id, kind, seq);
CREATE INDEX audit_events_by_actor ON audit_events (site_id, actor, seq);
CREATE INDEX audit_events_by_time ON audit_events (site_id, at);

CREATE TRIGGER audit_events_never_change
BEFORE UPDATE ON audit_events
BEGIN
  SELECT RAISE(ABORT, 'the audit trail is append-only: entries are never changed');
END;

CREATE TRIGGER audit_events_never_deleted
BEFORE DELETE ON audit_events
BEGIN
  SELECT RAISE(ABORT, 'the audit trail is append-only: entries are never deleted');
END;

-- Backend consent checks (`subjects/check`), counted per site, actor and UTC day: never the
-- addresses. The cron turns each finished day into one `subjects_checked` trail entry per actor
-- (in the same batch that removes the count), so the trail itself stays append-only.
CREATE TABLE subject_check_counts (
  site_id TEXT NOT NULL,
  day TEXT NOT NULL,
  actor_type TEXT NOT NULL,
  actor TEXT NOT NULL,
  checks INTEGER NOT NULL,
  PRIMARY KEY (site_id, day, actor)
);
