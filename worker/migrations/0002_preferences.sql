-- Preference centre, rectification and double opt-in (issue 5).

-- Rectification: the name a person gives us, correctable on their preference page.
ALTER TABLE subjects ADD COLUMN name TEXT;

-- After an email correction, the HMAC of the new address points at the person's existing subject
-- id, so the new address finds the same record (forms, imports, "lost your link?", rights
-- requests). The subject id itself never changes: the ledger is append-only.
CREATE TABLE subject_aliases (
  site_id TEXT NOT NULL,
  alias TEXT NOT NULL,
  subject TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (site_id, alias)
);

-- A new address asked for on the preference page, waiting for the person to confirm it from the
-- link sent to that address (so nobody can point someone else's consent at an inbox they do not
-- control). One per subject: a newer request replaces an older one.
CREATE TABLE pending_email_changes (
  site_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  alias TEXT NOT NULL,
  email TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (site_id, subject)
);

-- Double opt-in: when on, a new email consent from a web form stays pending until the person
-- confirms it from the link in a confirmation message.
ALTER TABLE sites ADD COLUMN double_opt_in INTEGER NOT NULL DEFAULT 0;

-- A suppressed subject cannot be asked to confirm either.
CREATE TRIGGER suppressed_subjects_cannot_be_pending BEFORE INSERT ON consent_events
WHEN NEW.action = 'pending'
  AND EXISTS (SELECT 1 FROM suppressions WHERE site_id = NEW.site_id AND subject = NEW.subject)
BEGIN
  SELECT RAISE(ABORT, 'suppressed: this subject is on the do-not-contact list');
END;

-- Erasure is final: whatever later write names an erased subject (a withdrawal from an old form,
-- an import), its address is not stored again.
CREATE TRIGGER erased_subjects_stay_erased AFTER UPDATE OF email ON subjects
WHEN NEW.email IS NOT NULL
  AND EXISTS (SELECT 1 FROM suppressions WHERE site_id = NEW.site_id AND subject = NEW.subject
              AND reason = 'erasure')
BEGIN
  UPDATE subjects SET email = NULL, name = NULL WHERE site_id = NEW.site_id AND subject = NEW.subject;
END;

-- Erasure also drops an address change still waiting for confirmation.
CREATE TRIGGER erasure_drops_pending_email AFTER INSERT ON suppressions
WHEN NEW.reason = 'erasure'
BEGIN
  DELETE FROM pending_email_changes WHERE site_id = NEW.site_id AND subject = NEW.subject;
END;
