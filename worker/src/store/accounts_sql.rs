//! The SQL of people, memberships, sessions, sign-in links and API keys (`store::accounts`).
//! Kept beside `sql.rs` so the accounts feature merges without touching the ledger's statements.

pub const INSERT_PERSON: &str = "INSERT INTO people (id, email_key, email, created_at) \
     VALUES (?1, ?2, ?3, ?4) ON CONFLICT (email_key) DO UPDATE SET email = excluded.email";

/// Adds a membership for the person with `email_key` (`Conflict` when they already have one).
pub const INSERT_MEMBERSHIP: &str =
    "INSERT INTO memberships (person_id, site_id, role, created_at, updated_at) \
     SELECT id, ?2, ?3, ?4, ?4 FROM people WHERE email_key = ?1";

/// Makes the person with `email_key` an owner, whatever they were.
pub const UPSERT_OWNER: &str = "INSERT INTO memberships (person_id, site_id, role, created_at, updated_at) \
     SELECT id, ?2, 'owner', ?3, ?3 FROM people WHERE email_key = ?1 \
     ON CONFLICT (person_id, site_id) DO UPDATE SET role = 'owner', updated_at = excluded.updated_at";

pub const PERSON_BY_EMAIL_KEY: &str = "SELECT id, email, created_at FROM people WHERE email_key = ?1";

pub const PERSON: &str = "SELECT id, email, created_at FROM people WHERE id = ?1";

pub const MEMBERS: &str = "SELECT m.person_id, p.email, m.role, m.created_at, m.updated_at \
     FROM memberships m JOIN people p ON p.id = m.person_id WHERE m.site_id = ?1 \
     ORDER BY p.email, m.person_id";

pub const MEMBER: &str = "SELECT m.person_id, p.email, m.role, m.created_at, m.updated_at \
     FROM memberships m JOIN people p ON p.id = m.person_id WHERE m.site_id = ?1 AND m.person_id = ?2";

pub const MEMBERSHIPS_OF: &str =
    "SELECT site_id, role FROM memberships WHERE person_id = ?1 ORDER BY site_id";

pub const SET_ROLE: &str =
    "UPDATE memberships SET role = ?3, updated_at = ?4 WHERE site_id = ?1 AND person_id = ?2";

pub const DELETE_MEMBERSHIP: &str = "DELETE FROM memberships WHERE site_id = ?1 AND person_id = ?2";

pub const END_SESSIONS_OF: &str =
    "UPDATE sessions SET revoked_at = ?2 WHERE person_id = ?1 AND revoked_at IS NULL";

pub const INSERT_SIGN_IN_LINK: &str =
    "INSERT INTO sign_in_links (token_hash, person_id, created_at, expires_at) \
     VALUES (?1, ?2, ?3, ?4)";

/// The session a sign-in link starts: only from an unused, unexpired link of a person who still
/// has a role somewhere. Runs before `USE_SIGN_IN_LINK` in one batch.
pub const SESSION_FROM_LINK: &str = "INSERT INTO sessions (token_hash, person_id, created_at, last_seen_at) \
     SELECT ?2, l.person_id, ?3, ?3 FROM sign_in_links l \
     WHERE l.token_hash = ?1 AND l.used_at IS NULL AND l.expires_at > ?3 \
       AND EXISTS (SELECT 1 FROM memberships m WHERE m.person_id = l.person_id)";

pub const USE_SIGN_IN_LINK: &str = "UPDATE sign_in_links SET used_at = ?3 \
     WHERE token_hash = ?1 AND used_at IS NULL AND expires_at > ?3 \
       AND EXISTS (SELECT 1 FROM sessions s WHERE s.token_hash = ?2)";

/// What became of a sign-in link, and whether the session it was to start exists.
pub const SIGN_IN_LINK_OUTCOME: &str = "SELECT l.person_id, l.used_at, l.expires_at, \
     (SELECT s.person_id FROM sessions s WHERE s.token_hash = ?2) AS session_person \
     FROM sign_in_links l WHERE l.token_hash = ?1";

/// Marks a live session seen now and names its person; nothing when it is revoked, idle since
/// before `?3` or started before `?4`.
pub const TOUCH_SESSION: &str = "UPDATE sessions SET last_seen_at = ?2 \
     WHERE token_hash = ?1 AND revoked_at IS NULL AND last_seen_at > ?3 AND created_at > ?4 \
     RETURNING person_id";

pub const END_SESSION: &str =
    "UPDATE sessions SET revoked_at = ?2 WHERE token_hash = ?1 AND revoked_at IS NULL RETURNING person_id";

pub const INSERT_API_KEY: &str = "INSERT INTO api_keys (prefix, site_id, name, secret_hash, scopes, \
     created_by, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

pub const API_KEY: &str = "SELECT prefix, site_id, name, secret_hash, scopes, created_by, created_at, \
     last_used_at, expires_at, revoked_at FROM api_keys WHERE prefix = ?1";

pub const API_KEYS: &str = "SELECT prefix, site_id, name, secret_hash, scopes, created_by, created_at, \
     last_used_at, expires_at, revoked_at FROM api_keys WHERE site_id = ?1 ORDER BY created_at, prefix";

/// Records a key's use, at most once per `?3` interval (one small write, not one per request).
pub const TOUCH_API_KEY: &str = "UPDATE api_keys SET last_used_at = ?2 \
     WHERE prefix = ?1 AND (last_used_at IS NULL OR last_used_at < ?3)";

pub const REVOKE_API_KEY: &str = "UPDATE api_keys SET revoked_at = ?3 \
     WHERE site_id = ?1 AND prefix = ?2 AND revoked_at IS NULL RETURNING prefix";

/// Up to ?2 sessions started before ?1 (long past their absolute limit): a bounded purge batch.
pub const PURGE_SESSIONS: &str = "DELETE FROM sessions WHERE rowid IN \
     (SELECT rowid FROM sessions WHERE created_at < ?1 ORDER BY created_at LIMIT ?2) RETURNING 1 AS purged";

/// Up to ?2 sign-in links that expired before ?1.
pub const PURGE_SIGN_IN_LINKS: &str = "DELETE FROM sign_in_links WHERE rowid IN \
     (SELECT rowid FROM sign_in_links WHERE expires_at < ?1 ORDER BY expires_at LIMIT ?2) RETURNING 1 AS purged";
