-- Issue 14 (retention): per-site retention settings, and purge checkpoints that let the cron
-- delete the oldest cookie decisions and audit entries while the chains stay provable.

-- One row per site that changed the defaults (none: 24 months of cookie decisions, 6 years of
-- audit entries; `shared::retention`). The bounds are the console's.
CREATE TABLE retention_settings (
  site_id TEXT PRIMARY KEY REFERENCES sites(id),
  cookie_decision_months INTEGER NOT NULL CHECK (cookie_decision_months BETWEEN 1 AND 60),
  audit_years INTEGER NOT NULL CHECK (audit_years BETWEEN 1 AND 20),
  updated_at TEXT NOT NULL
);

-- A purge of a chain's oldest records, sealed under LEDGER_KEY before the records go
-- (`shared::retention::PurgeCheckpoint`): every record at or below up_to_seq is gone, `hash` is
-- the link hash at up_to_seq, and each checkpoint continues the previous one (prev_up_to), so
-- two purges racing cannot both land (UNIQUE) and a missing checkpoint shows.
CREATE TABLE purge_checkpoints (
  site_id TEXT NOT NULL,
  chain TEXT NOT NULL CHECK (chain IN ('cookies', 'audit')),
  up_to_seq INTEGER NOT NULL CHECK (up_to_seq >= 1),
  hash TEXT NOT NULL,
  prev_up_to INTEGER NOT NULL CHECK (prev_up_to >= 0 AND prev_up_to < up_to_seq),
  purged INTEGER NOT NULL,
  purged_at TEXT NOT NULL,
  mac TEXT NOT NULL,
  PRIMARY KEY (site_id, chain, up_to_seq),
  UNIQUE (site_id, chain, prev_up_to)
);

CREATE TRIGGER purge_checkpoints_never_change
BEFORE UPDATE ON purge_checkpoints
BEGIN
  SELECT RAISE(ABORT, 'purge checkpoints are never changed');
END;

CREATE TRIGGER purge_checkpoints_never_deleted
BEFORE DELETE ON purge_checkpoints
BEGIN
  SELECT RAISE(ABORT, 'purge checkpoints are never deleted');
END;

-- The audit trail stays append-only, except that a retention purge removes entries at or below
-- a sealed checkpoint (the checkpoint goes in first, in the same batch).
DROP TRIGGER IF EXISTS audit_events_never_deleted;
CREATE TRIGGER audit_events_never_deleted
BEFORE DELETE ON audit_events
WHEN NOT EXISTS (SELECT 1 FROM purge_checkpoints k
  WHERE k.site_id = OLD.site_id AND k.chain = 'audit' AND k.up_to_seq >= OLD.seq)
BEGIN
  SELECT RAISE(ABORT, 'the audit trail is append-only: entries are never deleted, except by a retention purge below its checkpoint');
END;

-- A chained cookie decision, and its link, go only under a checkpoint too.
CREATE TRIGGER cookie_consents_purged_only_below_a_checkpoint
BEFORE DELETE ON cookie_consents
WHEN EXISTS (SELECT 1 FROM cookie_links l WHERE l.record_id = OLD.id)
  AND NOT EXISTS (SELECT 1 FROM cookie_links l JOIN purge_checkpoints k
    ON k.site_id = l.site_id AND k.chain = 'cookies' AND k.up_to_seq >= l.seq
    WHERE l.record_id = OLD.id)
BEGIN
  SELECT RAISE(ABORT, 'chained cookie decisions are deleted only by a retention purge, below its checkpoint');
END;

CREATE TRIGGER cookie_links_purged_only_below_a_checkpoint
BEFORE DELETE ON cookie_links
WHEN NOT EXISTS (SELECT 1 FROM purge_checkpoints k
  WHERE k.site_id = OLD.site_id AND k.chain = 'cookies' AND k.up_to_seq >= OLD.seq)
BEGIN
  SELECT RAISE(ABORT, 'cookie chain links are deleted only by a retention purge, below its checkpoint');
END;
