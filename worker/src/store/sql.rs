//! Every SQL statement the worker runs, in one place. `?N` placeholders work on D1 and rusqlite.

pub const PING: &str = "SELECT 1 AS ok";

/// A whole site in one round trip: the related rows come back as JSON arrays, in order.
pub const SITE: &str = "SELECT s.id, s.org_name, s.contact_email, s.postal_address, \
     s.privacy_notice_url, s.cookie_policy_url, s.default_lang, s.policy_version, s.double_opt_in, \
     (SELECT json_group_array(origin) FROM \
        (SELECT origin FROM site_origins WHERE site_id = s.id ORDER BY origin)) AS origins, \
     (SELECT json_group_array(json_object('purpose', purpose, 'channel', channel, \
          'current_version', current_version, 'version', version, 'lang', lang, 'label', label, \
          'text', text, 'sha256', sha256)) FROM \
        (SELECT pc.purpose, pc.channel, pc.current_version, w.version, w.lang, w.label, w.text, w.sha256 \
         FROM purpose_channels pc JOIN wordings w \
           ON w.site_id = pc.site_id AND w.purpose = pc.purpose AND w.channel = pc.channel \
         WHERE pc.site_id = s.id ORDER BY pc.position, pc.purpose, pc.channel, w.version, w.lang)) AS wordings, \
     (SELECT json_group_array(json_object('key', key, 'required', required, 'texts', json(texts), \
          'consent_mode', json(consent_mode))) FROM \
        (SELECT key, required, texts, consent_mode FROM cookie_categories WHERE site_id = s.id \
         ORDER BY position, key)) \
        AS cookie_categories, \
     (SELECT json_group_array(json_object('version', version, 'lang', lang, 'text', text, 'sha256', sha256)) FROM \
        (SELECT version, lang, text, sha256 FROM banner_wordings WHERE site_id = s.id ORDER BY version, lang)) \
        AS banner \
     FROM sites s WHERE s.id = ?1";

pub const UPSERT_SITE: &str = "INSERT INTO sites (id, org_name, contact_email, postal_address, \
     privacy_notice_url, cookie_policy_url, default_lang, policy_version, created_at, double_opt_in) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) \
     ON CONFLICT (id) DO UPDATE SET org_name = excluded.org_name, \
       contact_email = excluded.contact_email, postal_address = excluded.postal_address, \
       privacy_notice_url = excluded.privacy_notice_url, \
       cookie_policy_url = excluded.cookie_policy_url, default_lang = excluded.default_lang, \
       policy_version = excluded.policy_version, double_opt_in = excluded.double_opt_in";

pub const DELETE_SITE_ORIGINS: &str = "DELETE FROM site_origins WHERE site_id = ?1";

pub const INSERT_SITE_ORIGIN: &str = "INSERT INTO site_origins (site_id, origin) VALUES (?1, ?2)";

pub const UPSERT_PURPOSE_CHANNEL: &str = "INSERT INTO purpose_channels \
     (site_id, purpose, channel, current_version, position) VALUES (?1, ?2, ?3, ?4, ?5) \
     ON CONFLICT (site_id, purpose, channel) DO UPDATE SET \
       current_version = excluded.current_version, position = excluded.position";

/// Wordings are immutable: re-inserting an existing version is a no-op, never an edit.
pub const INSERT_WORDING: &str = "INSERT INTO wordings \
     (site_id, purpose, channel, version, lang, label, text, sha256, created_at) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) \
     ON CONFLICT (site_id, purpose, channel, version, lang) DO NOTHING";

/// The subject a submitted id stands for: itself, or — after an email correction — the person's
/// original id. Spliced into the append statements so an append still needs no read first.
macro_rules! resolved {
    ($site:literal, $subject:literal) => {
        concat!(
            "COALESCE((SELECT subject FROM subject_aliases WHERE site_id = ",
            $site,
            " AND alias = ",
            $subject,
            "), ",
            $subject,
            ")"
        )
    };
}

/// A stored address is kept: the same id means the same address, except after a correction,
/// which a later form using the old address must not undo.
pub const UPSERT_SUBJECT: &str = concat!(
    "INSERT INTO subjects (site_id, subject, email, created_at, updated_at) VALUES (?1, ",
    resolved!("?1", "?2"),
    ", ?3, ?4, ?4) ON CONFLICT (site_id, subject) DO UPDATE SET \
       email = COALESCE(subjects.email, excluded.email), updated_at = excluded.updated_at"
);

pub const RESOLVE_SUBJECT: &str = "SELECT subject FROM subject_aliases WHERE site_id = ?1 AND alias = ?2";

pub const UPSERT_PENDING_EMAIL: &str = "INSERT INTO pending_email_changes \
     (site_id, subject, alias, email, created_at) VALUES (?1, ?2, ?3, ?4, ?5) \
     ON CONFLICT (site_id, subject) DO UPDATE SET alias = excluded.alias, email = excluded.email, \
       created_at = excluded.created_at";

pub const PENDING_EMAIL: &str =
    "SELECT email FROM pending_email_changes WHERE site_id = ?1 AND subject = ?2 AND alias = ?3";

/// The three writes of a confirmed address change; each does nothing unless the change is
/// still pending (so a replayed confirmation is harmless).
pub const APPLY_PENDING_EMAIL: &str = "UPDATE subjects SET updated_at = ?4, email = \
     (SELECT email FROM pending_email_changes p WHERE p.site_id = ?1 AND p.subject = ?2 AND p.alias = ?3) \
     WHERE site_id = ?1 AND subject = ?2 AND EXISTS \
     (SELECT 1 FROM pending_email_changes p WHERE p.site_id = ?1 AND p.subject = ?2 AND p.alias = ?3)";

/// An address given back to its original subject needs no alias.
pub const INSERT_PENDING_ALIAS: &str = "INSERT INTO subject_aliases (site_id, alias, subject, created_at) \
     SELECT site_id, alias, subject, ?4 FROM pending_email_changes \
     WHERE site_id = ?1 AND subject = ?2 AND alias = ?3 AND alias <> subject";

pub const DELETE_PENDING_EMAIL: &str =
    "DELETE FROM pending_email_changes WHERE site_id = ?1 AND subject = ?2 AND alias = ?3";

pub const SET_NAME: &str =
    "UPDATE subjects SET name = ?3, updated_at = ?4 WHERE site_id = ?1 AND subject = ?2";

pub const INSERT_EVENT: &str = concat!(
    "INSERT INTO consent_events (id, site_id, subject, purpose, \
     channel, action, wording_version, wording_sha256, lang, method, source_url, server_time, \
     client_time, user_agent, ip_truncated, gpc, idempotency_key) VALUES (?1, ?2, ",
    resolved!("?2", "?3"),
    ", ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)"
);

/// Events written but not yet chained, in write order.
pub const PENDING_EVENTS: &str = "SELECT id, site_id, subject, purpose, channel, action, \
     wording_version, wording_sha256, lang, method, source_url, server_time, client_time, \
     user_agent, ip_truncated, gpc, idempotency_key FROM consent_events \
     WHERE site_id = ?1 AND pos > COALESCE( \
       (SELECT event_pos FROM ledger_links WHERE site_id = ?1 ORDER BY seq DESC LIMIT 1), 0) \
     ORDER BY pos LIMIT ?2";

pub const CHAIN_HEAD: &str =
    "SELECT seq, hash FROM ledger_links WHERE site_id = ?1 ORDER BY seq DESC LIMIT 1";

/// Takes the event's write position from the event row itself.
pub const INSERT_LINK: &str = "INSERT INTO ledger_links \
     (site_id, seq, event_id, event_pos, event_hash, prev_hash, hash, sealed_at) \
     SELECT ?1, ?2, ?3, pos, ?4, ?5, ?6, ?7 FROM consent_events WHERE id = ?3";

/// Links in order, each with its event (all NULL when the event row is gone).
pub const CHAINED_AFTER: &str = "SELECT l.site_id AS link_site_id, l.seq, l.event_id AS link_event_id, \
     l.event_hash, l.prev_hash, l.hash, e.id, e.site_id, e.subject, e.purpose, e.channel, \
     e.action, e.wording_version, e.wording_sha256, e.lang, e.method, e.source_url, \
     e.server_time, e.client_time, e.user_agent, e.ip_truncated, e.gpc, e.idempotency_key \
     FROM ledger_links l LEFT JOIN consent_events e ON e.id = l.event_id \
     WHERE l.site_id = ?1 AND l.seq > ?2 ORDER BY l.seq LIMIT ?3";

pub const SITE_IDS: &str = "SELECT id FROM sites ORDER BY id";

pub const UPSERT_STATE: &str = concat!(
    "INSERT INTO consent_state (site_id, subject, purpose, channel, action, event_id, updated_at) \
     VALUES (?1, ",
    resolved!("?1", "?2"),
    ", ?3, ?4, ?5, ?6, ?7) ON CONFLICT (site_id, subject, purpose, channel) DO UPDATE SET \
       action = excluded.action, event_id = excluded.event_id, updated_at = excluded.updated_at"
);

pub const SUBJECT_STATE: &str = "SELECT purpose, channel, action, event_id, updated_at \
     FROM consent_state WHERE site_id = ?1 AND subject = ?2 ORDER BY purpose, channel";

pub const IDEMPOTENT_RESPONSE: &str =
    "SELECT request_sha256, status, body FROM idempotency_keys WHERE site_id = ?1 AND key = ?2";

pub const INSERT_IDEMPOTENT_RESPONSE: &str = "INSERT INTO idempotency_keys \
     (site_id, key, request_sha256, status, body, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

pub const DELETE_COOKIE_CATEGORIES: &str = "DELETE FROM cookie_categories WHERE site_id = ?1";

pub const INSERT_COOKIE_CATEGORY: &str = "INSERT INTO cookie_categories \
     (site_id, key, required, position, texts, consent_mode) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

/// Banner wordings are immutable, like form wordings.
pub const INSERT_BANNER_WORDING: &str = "INSERT INTO banner_wordings \
     (site_id, version, lang, text, sha256, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
     ON CONFLICT (site_id, version, lang) DO NOTHING";

/// Who may be contacted now: granted and not withdrawn since (the state row holds the latest
/// action), not restricted, not erased, not suppressed. Keyset-paginated by subject.
pub const AUDIENCE_PAGE: &str = "SELECT cs.subject, s.email, cs.updated_at, cs.event_id \
     FROM consent_state cs \
     JOIN subjects s ON s.site_id = cs.site_id AND s.subject = cs.subject \
     WHERE cs.site_id = ?1 AND cs.purpose = ?2 AND cs.channel = ?3 AND cs.action = 'granted' \
       AND cs.subject > ?4 AND s.restricted = 0 AND s.email IS NOT NULL \
       AND NOT EXISTS (SELECT 1 FROM suppressions x WHERE x.site_id = cs.site_id AND x.subject = cs.subject) \
     ORDER BY cs.subject LIMIT ?5";

pub const INSERT_SUPPRESSION: &str = "INSERT INTO suppressions (site_id, subject, reason, created_at) \
     VALUES (?1, ?2, ?3, ?4) ON CONFLICT (site_id, subject) DO NOTHING";

pub const INSERT_COOKIE_CONSENT: &str = "INSERT INTO cookie_consents (id, site_id, consent_id, \
     categories, policy_version, wording_sha256, choice, reject_on_first_layer, gpc, server_time, \
     client_time, user_agent, ip_truncated) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";

pub const COOKIE_CONSENTS: &str = "SELECT id, site_id, consent_id, categories, policy_version, \
     wording_sha256, choice, reject_on_first_layer, gpc, server_time, client_time, user_agent, \
     ip_truncated FROM cookie_consents WHERE site_id = ?1 AND consent_id = ?2 ORDER BY server_time, id";

pub const SET_RESTRICTED: &str =
    "UPDATE subjects SET restricted = ?3, updated_at = ?4 WHERE site_id = ?1 AND subject = ?2";

pub const SUBJECT_ROW: &str = "SELECT email, name, restricted, created_at, updated_at FROM subjects \
     WHERE site_id = ?1 AND subject = ?2";

/// A subject's whole history, in write order (uses `consent_events_subject`).
pub const SUBJECT_EVENTS: &str = "SELECT id, site_id, subject, purpose, channel, action, \
     wording_version, wording_sha256, lang, method, source_url, server_time, client_time, \
     user_agent, ip_truncated, gpc, idempotency_key FROM consent_events \
     WHERE site_id = ?1 AND subject = ?2 ORDER BY pos";

/// Erasure keeps the HMAC-keyed history and removes the address.
pub const ERASE_SUBJECT_EMAIL: &str = "UPDATE subjects SET email = NULL, name = NULL, updated_at = ?3 \
     WHERE site_id = ?1 AND subject = ?2";

/// Takes the right to send a mail of a kind to a subject now: written (and a row returned)
/// unless one was sent after ?5.
pub const CLAIM_MAIL_SLOT: &str = "INSERT INTO mail_sends (site_id, subject, kind, sent_at) \
     VALUES (?1, ?2, ?3, ?4) ON CONFLICT (site_id, subject, kind) DO UPDATE \
     SET sent_at = excluded.sent_at WHERE mail_sends.sent_at <= ?5 RETURNING sent_at";

pub const IS_SUPPRESSED: &str = "SELECT 1 AS yes FROM suppressions WHERE site_id = ?1 AND subject = ?2";
