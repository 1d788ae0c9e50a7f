-- The register of rights requests and complaints (console → Register; issue 14). One row per
-- request with its reference, kind, how it arrived, the day it was received and where it
-- stands; `due_on` is the next date something is owed (shared::register::Entry::due_on), kept
-- in the row so the front page and the daily digest find what falls due with one index.
CREATE TABLE register_entries (
  site_id TEXT NOT NULL,
  -- R-XXXXXXXX (request) or C-XXXXXXXX (complaint), shared::register::reference.
  reference TEXT NOT NULL,
  kind TEXT NOT NULL,
  arrival TEXT NOT NULL,
  -- Calendar days, YYYY-MM-DD.
  received_on TEXT NOT NULL,
  status TEXT NOT NULL,
  due_on TEXT,
  acknowledged_on TEXT,
  extended_on TEXT,
  extension_reason TEXT,
  closed_on TEXT,
  outcome TEXT,
  -- The subject's HMAC id when the person is known to the site.
  subject_id TEXT,
  -- How to answer the person (a complaint from someone without a link, a letter): personal
  -- data, cleared when the subject is erased; the entry itself stays as the record of the answer.
  contact_email TEXT,
  contact_name TEXT,
  lang TEXT NOT NULL DEFAULT 'en',
  -- What was asked: the complaint's text or the request's summary.
  details TEXT NOT NULL DEFAULT '',
  -- Audit actor labels (shared::access::Actor::label) of who recorded and who handles it.
  recorded_by TEXT NOT NULL,
  handler TEXT,
  recorded_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  -- Raised by every change: a change is made against the version it was read at, so two people
  -- editing one entry cannot overwrite each other unawares.
  version INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (site_id, reference)
);
CREATE INDEX register_open_by_due ON register_entries (site_id, status, due_on);
CREATE INDEX register_due_everywhere ON register_entries (due_on) WHERE due_on IS NOT NULL;
CREATE INDEX register_by_subject ON register_entries (site_id, subject_id) WHERE subject_id IS NOT NULL;

-- Notes on an entry, in order: what was done, said or decided. Never edited.
CREATE TABLE register_notes (
  site_id TEXT NOT NULL,
  reference TEXT NOT NULL,
  seq INTEGER NOT NULL,
  at TEXT NOT NULL,
  author TEXT NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY (site_id, reference, seq),
  FOREIGN KEY (site_id, reference) REFERENCES register_entries (site_id, reference)
);
CREATE TRIGGER register_notes_never_change BEFORE UPDATE ON register_notes
BEGIN
  SELECT RAISE(ABORT, 'register notes are never changed');
END;

-- A change written against a stale version must fail as a whole batch. SQLite has no RAISE
-- outside triggers, so the batch inserts this table's one key again when the UPDATE before it
-- changed nothing (`changes() = 0`): a PRIMARY KEY violation, i.e. `StoreError::Conflict`.
CREATE TABLE register_stale_write (k INTEGER PRIMARY KEY);
INSERT INTO register_stale_write (k) VALUES (0);
