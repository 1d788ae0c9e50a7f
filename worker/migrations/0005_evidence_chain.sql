-- Tamper evidence (issue 9): append marks, keyed links, a chain of cookie decisions, and
-- idempotent cookie decisions.

-- The append mark: HMAC(LEDGER_KEY) of the event's canonical form with the subject id as
-- submitted (kept in submitted_subject, since the append SQL may resolve it to an earlier id
-- after an address correction). A row without a valid mark did not come through the append
-- path: it is never sealed, and verification names it.
ALTER TABLE consent_events ADD COLUMN mark TEXT;
ALTER TABLE consent_events ADD COLUMN submitted_subject TEXT;

-- 1 = unkeyed SHA-256 (every link sealed before this migration), 2 = HMAC under LEDGER_KEY.
ALTER TABLE ledger_links ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

-- Rows written before this migration carry no mark. Events up to events_pos may be sealed
-- without one (they were appended before marks existed); cookie decisions up to cookies_pos
-- stay outside the cookie chain. Verification reports how many unmarked events it accepted
-- under the baseline, and the baseline itself.
CREATE TABLE chain_baselines (
  chain TEXT PRIMARY KEY,
  last_pos INTEGER NOT NULL
);
INSERT INTO chain_baselines (chain, last_pos) SELECT 'events', COALESCE(MAX(pos), 0) FROM consent_events;
INSERT INTO chain_baselines (chain, last_pos) SELECT 'cookies', COALESCE(MAX(rowid), 0) FROM cookie_consents;

-- Rebuilding the current state from the events, page by page, in key order.
CREATE INDEX consent_events_state ON consent_events (site_id, subject, purpose, channel, pos);

-- Cookie decisions: the append mark, and the Idempotency-Key a retry repeats (stored once).
ALTER TABLE cookie_consents ADD COLUMN mark TEXT;
ALTER TABLE cookie_consents ADD COLUMN idempotency_key TEXT;
CREATE UNIQUE INDEX cookie_consents_idempotency ON cookie_consents (site_id, idempotency_key)
  WHERE idempotency_key IS NOT NULL;

-- The per-site chain of cookie decisions (always keyed), sealed like ledger_links.
CREATE TABLE cookie_links (
  site_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  record_id TEXT NOT NULL UNIQUE,
  record_pos INTEGER NOT NULL,
  record_hash TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  version INTEGER NOT NULL,
  sealed_at TEXT NOT NULL,
  PRIMARY KEY (site_id, seq)
);
