-- Erasure that holds, keyed idempotency, and mail budgets (issue 9).

-- A suppressed person's address is not changed any more: no address change is kept or started
-- for any suppressed subject (erased or not), whatever path writes it. Before, only an erasure
-- suppression inserted as a new row dropped the pending change, so erasing someone who was
-- already suppressed left it, and its confirmation link could write the address back.
DROP TRIGGER IF EXISTS erasure_drops_pending_email;

CREATE TRIGGER suppression_drops_pending_email AFTER INSERT ON suppressions
BEGIN
  DELETE FROM pending_email_changes WHERE site_id = NEW.site_id AND subject = NEW.subject;
END;

-- Erasure upgrades an existing suppression's reason to 'erasure' (an UPDATE, not an INSERT).
CREATE TRIGGER erasure_upgrade_drops_pending_email AFTER UPDATE OF reason ON suppressions
WHEN NEW.reason = 'erasure'
BEGIN
  DELETE FROM pending_email_changes WHERE site_id = NEW.site_id AND subject = NEW.subject;
  UPDATE subjects SET email = NULL, name = NULL WHERE site_id = NEW.site_id AND subject = NEW.subject;
END;

CREATE TRIGGER suppressed_subjects_keep_their_address BEFORE INSERT ON pending_email_changes
WHEN EXISTS (SELECT 1 FROM suppressions WHERE site_id = NEW.site_id AND subject = NEW.subject)
BEGIN
  SELECT RAISE(IGNORE);
END;

-- Idempotency rows keep a keyed HMAC of the request body, never a plain hash (the body holds the
-- email, so a plain SHA-256 lets a dictionary of addresses re-identify an erased person), and
-- they expire after 24 hours (the cron purge). Rows from before hold plain SHA-256: removed now.
DELETE FROM idempotency_keys;
ALTER TABLE idempotency_keys RENAME COLUMN request_sha256 TO request_mac;
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);

-- Mail budgets: each mail sent, by keyed HMACs of its mailbox (plus-tags and ignored dots
-- folded) and of its recipient domain, never a plain address. Decides "one mail of a kind per
-- mailbox per site per 10 minutes", "so many per mailbox per hour" and "so many per domain per
-- hour" in one statement; rows older than the longest window are purged by the cron.
CREATE TABLE mail_log (
  site_id TEXT NOT NULL,
  mailbox TEXT NOT NULL,
  domain TEXT NOT NULL,
  kind TEXT NOT NULL,
  sent_at TEXT NOT NULL
);
CREATE INDEX mail_log_by_kind ON mail_log (site_id, mailbox, kind, sent_at);
CREATE INDEX mail_log_by_mailbox ON mail_log (mailbox, sent_at);
CREATE INDEX mail_log_by_domain ON mail_log (domain, sent_at);
CREATE INDEX mail_log_by_time ON mail_log (sent_at);

-- The per-subject throttle of 0003 is replaced by mail_log.
DROP TABLE mail_sends;
