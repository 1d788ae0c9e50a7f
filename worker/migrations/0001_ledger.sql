-- Consent schema v1 (wrangler D1 migration format; also applied by the native SQLite backend).
-- Ledger rule: consent_events is append-only. consent_state is a projection of it, written in the
-- same atomic batch as the events it reflects.

CREATE TABLE sites (
  id TEXT PRIMARY KEY,
  org_name TEXT NOT NULL,
  contact_email TEXT NOT NULL,
  postal_address TEXT NOT NULL,
  privacy_notice_url TEXT NOT NULL,
  cookie_policy_url TEXT NOT NULL,
  default_lang TEXT NOT NULL,
  policy_version INTEGER NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE site_origins (
  site_id TEXT NOT NULL REFERENCES sites(id),
  origin TEXT NOT NULL,
  PRIMARY KEY (site_id, origin)
);

-- A purpose offered on a channel, and which wording version is shown now.
CREATE TABLE purpose_channels (
  site_id TEXT NOT NULL REFERENCES sites(id),
  purpose TEXT NOT NULL,
  channel TEXT NOT NULL CHECK (channel IN ('email', 'post', 'phone', 'sms')),
  current_version INTEGER NOT NULL,
  position INTEGER NOT NULL,
  PRIMARY KEY (site_id, purpose, channel)
);

-- Every wording ever shown. Rows are never updated: a new text is a new version.
CREATE TABLE wordings (
  site_id TEXT NOT NULL,
  purpose TEXT NOT NULL,
  channel TEXT NOT NULL,
  version INTEGER NOT NULL,
  lang TEXT NOT NULL,
  label TEXT NOT NULL,
  text TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (site_id, purpose, channel, version, lang)
);

-- The plain email, kept apart from the ledger so erasure removes it without touching history.
CREATE TABLE subjects (
  site_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  email TEXT,
  -- Restriction of processing (UK GDPR art. 18): kept, but in no audience until lifted.
  restricted INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (site_id, subject)
);

CREATE TABLE consent_events (
  -- Write order. Sealing chains each site's events in this order.
  pos INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  site_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  purpose TEXT NOT NULL,
  channel TEXT NOT NULL,
  action TEXT NOT NULL,
  wording_version INTEGER NOT NULL,
  wording_sha256 TEXT NOT NULL,
  lang TEXT NOT NULL,
  method TEXT NOT NULL,
  source_url TEXT,
  server_time TEXT NOT NULL,
  client_time TEXT,
  user_agent TEXT,
  ip_truncated TEXT,
  gpc INTEGER NOT NULL,
  idempotency_key TEXT
);
CREATE INDEX consent_events_site_pos ON consent_events (site_id, pos);
CREATE INDEX consent_events_subject ON consent_events (site_id, subject, pos);

-- The hash chain: one link per sealed event, per site, append-only. Written after the events,
-- so concurrent submissions never contend for the end of the chain.
CREATE TABLE ledger_links (
  site_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  event_id TEXT NOT NULL UNIQUE,
  event_pos INTEGER NOT NULL,
  event_hash TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  sealed_at TEXT NOT NULL,
  PRIMARY KEY (site_id, seq)
);

-- Latest action per subject × purpose × channel (the audience query reads this, not the ledger).
CREATE TABLE consent_state (
  site_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  purpose TEXT NOT NULL,
  channel TEXT NOT NULL,
  action TEXT NOT NULL,
  event_id TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (site_id, subject, purpose, channel)
);
CREATE INDEX consent_state_audience ON consent_state (site_id, purpose, channel, action, subject);

-- Answers already given, so a retried request (same Idempotency-Key) gets the same answer.
CREATE TABLE idempotency_keys (
  site_id TEXT NOT NULL,
  key TEXT NOT NULL,
  request_sha256 TEXT NOT NULL,
  status INTEGER NOT NULL,
  body TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (site_id, key)
);

-- Do-not-contact list, by subject HMAC only: it outlives erasure and always wins.
CREATE TABLE suppressions (
  site_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  reason TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (site_id, subject)
);

-- Cookie banner: categories (per language texts) and the banner wording per policy version.
CREATE TABLE cookie_categories (
  site_id TEXT NOT NULL,
  key TEXT NOT NULL,
  required INTEGER NOT NULL,
  position INTEGER NOT NULL,
  texts TEXT NOT NULL, -- JSON array of {lang, label, description}
  PRIMARY KEY (site_id, key)
);

CREATE TABLE banner_wordings (
  site_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  lang TEXT NOT NULL,
  text TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (site_id, version, lang)
);

-- Anonymous banner decisions (append-only evidence; no subject, no email).
CREATE TABLE cookie_consents (
  id TEXT PRIMARY KEY,
  site_id TEXT NOT NULL,
  consent_id TEXT NOT NULL,
  categories TEXT NOT NULL, -- JSON array of accepted category keys
  policy_version INTEGER NOT NULL,
  wording_sha256 TEXT NOT NULL,
  choice TEXT NOT NULL,
  reject_on_first_layer INTEGER NOT NULL,
  gpc INTEGER NOT NULL,
  server_time TEXT NOT NULL,
  client_time TEXT,
  user_agent TEXT,
  ip_truncated TEXT
);
CREATE INDEX cookie_consents_by_consent_id ON cookie_consents (site_id, consent_id, server_time);

-- Suppression always wins, whatever path a grant takes: the database itself refuses it.
CREATE TRIGGER suppressed_subjects_cannot_be_granted BEFORE INSERT ON consent_events
WHEN NEW.action = 'granted'
  AND EXISTS (SELECT 1 FROM suppressions WHERE site_id = NEW.site_id AND subject = NEW.subject)
BEGIN
  SELECT RAISE(ABORT, 'suppressed: this subject is on the do-not-contact list');
END;
