//! Every SQL statement the worker runs, in one place. `?N` placeholders work on D1 and rusqlite.

pub const PING: &str = "SELECT 1 AS ok";

/// A whole site in one round trip: the related rows come back as JSON arrays, in order.
pub const SITE: &str = "SELECT s.id, s.org_name, s.contact_email, s.postal_address, \
     s.privacy_notice_url, s.cookie_policy_url, s.default_lang, s.policy_version, s.double_opt_in, \
     s.charity_number, s.rules_uk, s.rules_eea, s.rules_other, \
     (SELECT json_group_array(origin) FROM \
        (SELECT origin FROM site_origins WHERE site_id = s.id ORDER BY origin)) AS origins, \
     (SELECT json_group_array(json_object('purpose', purpose, 'channel', channel, \
          'current_version', current_version, 'version', version, 'lang', lang, 'label', label, \
          'text', text, 'sha256', sha256, 'refusal', refusal, 'basis', basis, \
          'furthers_charitable_purposes', furthers_charitable_purposes)) FROM \
        (SELECT pc.purpose, pc.channel, pc.current_version, w.version, w.lang, w.label, w.text, w.sha256, \
           w.refusal, pc.basis, pc.furthers_charitable_purposes \
         FROM purpose_channels pc JOIN wordings w \
           ON w.site_id = pc.site_id AND w.purpose = pc.purpose AND w.channel = pc.channel \
         WHERE pc.site_id = s.id ORDER BY pc.position, pc.purpose, pc.channel, w.version, w.lang)) AS wordings, \
     (SELECT json_group_array(json_object('key', key, 'required', required, 'texts', json(texts), \
          'consent_mode', json(consent_mode), 'basis', basis)) FROM \
        (SELECT c.key, c.required, (SELECT json_group_array(json_object('lang', lang, 'label', label, \
              'description', description)) FROM \
            (SELECT t.lang, t.label, t.description FROM json_each(c.texts) j \
             JOIN cookie_category_texts t ON t.site_id = c.site_id AND t.key = c.key \
               AND t.lang = json_extract(j.value, '$.lang') \
             WHERE t.version = (SELECT MAX(v.version) FROM cookie_category_texts v \
               WHERE v.site_id = t.site_id AND v.key = t.key AND v.lang = t.lang) \
             ORDER BY j.key)) AS texts, c.consent_mode, c.basis \
         FROM cookie_categories c WHERE c.site_id = s.id ORDER BY c.position, c.key)) \
        AS cookie_categories, \
     (SELECT json_group_array(json_object('version', version, 'lang', lang, 'text', text, 'sha256', sha256)) FROM \
        (SELECT version, lang, text, sha256 FROM banner_wordings WHERE site_id = s.id ORDER BY version, lang)) \
        AS banner \
     FROM sites s WHERE s.id = ?1";

pub const UPSERT_SITE: &str = "INSERT INTO sites (id, org_name, contact_email, postal_address, \
     privacy_notice_url, cookie_policy_url, default_lang, policy_version, created_at, double_opt_in, \
     charity_number, rules_uk, rules_eea, rules_other) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) \
     ON CONFLICT (id) DO UPDATE SET org_name = excluded.org_name, \
       contact_email = excluded.contact_email, postal_address = excluded.postal_address, \
       privacy_notice_url = excluded.privacy_notice_url, \
       cookie_policy_url = excluded.cookie_policy_url, default_lang = excluded.default_lang, \
       policy_version = excluded.policy_version, double_opt_in = excluded.double_opt_in, \
       charity_number = excluded.charity_number, rules_uk = excluded.rules_uk, \
       rules_eea = excluded.rules_eea, rules_other = excluded.rules_other";

/// `UPSERT_SITE` for a new site only: a taken id is a UNIQUE violation (`Conflict`).
pub const INSERT_NEW_SITE: &str = "INSERT INTO sites (id, org_name, contact_email, postal_address, \
     privacy_notice_url, cookie_policy_url, default_lang, policy_version, created_at, double_opt_in, \
     charity_number, rules_uk, rules_eea, rules_other) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";

pub const DELETE_SITE_ORIGINS: &str = "DELETE FROM site_origins WHERE site_id = ?1";

pub const INSERT_SITE_ORIGIN: &str = "INSERT INTO site_origins (site_id, origin) VALUES (?1, ?2)";

pub const UPSERT_PURPOSE_CHANNEL: &str = "INSERT INTO purpose_channels \
     (site_id, purpose, channel, current_version, position, basis, furthers_charitable_purposes) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
     ON CONFLICT (site_id, purpose, channel) DO UPDATE SET \
       current_version = excluded.current_version, position = excluded.position, \
       basis = excluded.basis, furthers_charitable_purposes = excluded.furthers_charitable_purposes";

/// Wordings are immutable: re-inserting an existing version is a no-op, never an edit.
pub const INSERT_WORDING: &str = "INSERT INTO wordings \
     (site_id, purpose, channel, version, lang, label, text, sha256, created_at, refusal) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) \
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

/// Nothing is kept for a suppressed subject (the trigger `suppressed_subjects_keep_their_address`
/// says so too, for any other path).
pub const UPSERT_PENDING_EMAIL: &str = "INSERT INTO pending_email_changes \
     (site_id, subject, alias, email, created_at) SELECT ?1, ?2, ?3, ?4, ?5 \
     WHERE NOT EXISTS (SELECT 1 FROM suppressions WHERE site_id = ?1 AND subject = ?2) \
     ON CONFLICT (site_id, subject) DO UPDATE SET alias = excluded.alias, email = excluded.email, \
       created_at = excluded.created_at";

/// A pending change of a suppressed subject is never applied, so it is not reported either.
pub const PENDING_EMAIL: &str = "SELECT email FROM pending_email_changes \
     WHERE site_id = ?1 AND subject = ?2 AND alias = ?3 \
     AND NOT EXISTS (SELECT 1 FROM suppressions x WHERE x.site_id = ?1 AND x.subject = ?2)";

/// The three writes of a confirmed address change; each does nothing unless the change is
/// still pending (so a replayed confirmation is harmless) and the subject is not suppressed (an
/// erased person's old link writes nothing back).
pub const APPLY_PENDING_EMAIL: &str = "UPDATE subjects SET updated_at = ?4, email = \
     (SELECT email FROM pending_email_changes p WHERE p.site_id = ?1 AND p.subject = ?2 AND p.alias = ?3) \
     WHERE site_id = ?1 AND subject = ?2 AND EXISTS \
     (SELECT 1 FROM pending_email_changes p WHERE p.site_id = ?1 AND p.subject = ?2 AND p.alias = ?3) \
     AND NOT EXISTS (SELECT 1 FROM suppressions x WHERE x.site_id = ?1 AND x.subject = ?2)";

/// An address given back to its original subject needs no alias.
pub const INSERT_PENDING_ALIAS: &str = "INSERT INTO subject_aliases (site_id, alias, subject, created_at) \
     SELECT site_id, alias, subject, ?4 FROM pending_email_changes \
     WHERE site_id = ?1 AND subject = ?2 AND alias = ?3 AND alias <> subject \
     AND NOT EXISTS (SELECT 1 FROM suppressions x WHERE x.site_id = ?1 AND x.subject = ?2)";

pub const DELETE_PENDING_EMAIL: &str =
    "DELETE FROM pending_email_changes WHERE site_id = ?1 AND subject = ?2 AND alias = ?3";

pub const SET_NAME: &str =
    "UPDATE subjects SET name = ?3, updated_at = ?4 WHERE site_id = ?1 AND subject = ?2";

pub const INSERT_EVENT: &str = concat!(
    "INSERT INTO consent_events (id, site_id, subject, purpose, \
     channel, action, wording_version, wording_sha256, lang, method, source_url, server_time, \
     client_time, user_agent, ip_truncated, gpc, idempotency_key, request_origin, fetch_site, mark, \
     submitted_subject, support_context, direct_from_person) VALUES (?1, ?2, ",
    resolved!("?2", "?3"),
    ", ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?3, ?21, ?22)"
);

/// Events written but not yet chained, in write order.
pub const PENDING_EVENTS: &str = "SELECT id, site_id, subject, purpose, channel, action, \
     wording_version, wording_sha256, lang, method, source_url, server_time, client_time, \
     user_agent, ip_truncated, gpc, idempotency_key, request_origin, fetch_site, support_context, \
     direct_from_person FROM consent_events \
     WHERE site_id = ?1 AND pos > COALESCE( \
       (SELECT event_pos FROM ledger_links WHERE site_id = ?1 ORDER BY seq DESC LIMIT 1), 0) \
     ORDER BY pos LIMIT ?2";

pub const CHAIN_HEAD: &str =
    "SELECT seq, hash FROM ledger_links WHERE site_id = ?1 ORDER BY seq DESC LIMIT 1";

/// Takes the event's write position from the event row itself.
/// A whole sealing batch of links in one statement: ?1 is a JSON array of
/// `[site_id, seq, event_id, event_hash, prev_hash, hash, version]`, ?2 the time. One statement
/// instead of one per link: each statement costs the worker and D1 a round of encoding, and
/// the batch holds the single writer while other appends wait. A link whose event is not
/// there is not written (as with one statement per link).
pub const INSERT_LINKS: &str = "INSERT INTO ledger_links \
     (site_id, seq, event_id, event_pos, event_hash, prev_hash, hash, sealed_at, version) \
     SELECT json_extract(l.value, '$[0]'), json_extract(l.value, '$[1]'), e.id, e.pos, \
       json_extract(l.value, '$[3]'), json_extract(l.value, '$[4]'), json_extract(l.value, '$[5]'), \
       ?2, json_extract(l.value, '$[6]') \
     FROM json_each(?1) AS l JOIN consent_events e ON e.id = json_extract(l.value, '$[2]') \
     ORDER BY l.key";

/// Links in order, each with its event (all NULL when the event row is gone).
pub const CHAINED_AFTER: &str = "SELECT l.site_id AS link_site_id, l.seq, l.event_id AS link_event_id, \
     l.event_hash, l.prev_hash, l.hash, l.version, e.mark, e.id, e.site_id, e.subject, e.purpose, e.channel, \
     e.action, e.wording_version, e.wording_sha256, e.lang, e.method, e.source_url, \
     e.server_time, e.client_time, e.user_agent, e.ip_truncated, e.gpc, e.idempotency_key, \
     e.request_origin, e.fetch_site, e.support_context, e.direct_from_person \
     FROM ledger_links l LEFT JOIN consent_events e ON e.id = l.event_id \
     WHERE l.site_id = ?1 AND l.seq > ?2 ORDER BY l.seq LIMIT ?3";

pub const SITE_IDS: &str = "SELECT id FROM sites ORDER BY id";

/// The latest action wins, except that a `pending` (an unconfirmed form on a double opt-in
/// site) never replaces a `granted` (or `soft_opt_in`): a form proves nothing, and a subscriber
/// stays subscribed; and a `soft_opt_in` never replaces consent, a withdrawal or an objection
/// (`consent::next_state`, which verification rebuilds the state with).
pub const UPSERT_STATE: &str = concat!(
    "INSERT INTO consent_state (site_id, subject, purpose, channel, action, event_id, updated_at) \
     VALUES (?1, ",
    resolved!("?1", "?2"),
    ", ?3, ?4, ?5, ?6, ?7) ON CONFLICT (site_id, subject, purpose, channel) DO UPDATE SET \
       action = excluded.action, event_id = excluded.event_id, updated_at = excluded.updated_at \
     WHERE NOT (excluded.action = 'pending' AND consent_state.action IN ('granted', 'soft_opt_in')) \
       AND NOT (excluded.action = 'soft_opt_in' \
         AND consent_state.action IN ('granted', 'withdrawn', 'objected'))"
);

pub const SUBJECT_STATE: &str = "SELECT purpose, channel, action, event_id, updated_at \
     FROM consent_state WHERE site_id = ?1 AND subject = ?2 ORDER BY purpose, channel";

pub const IDEMPOTENT_RESPONSE: &str =
    "SELECT request_mac, status, body FROM idempotency_keys WHERE site_id = ?1 AND key = ?2";

pub const INSERT_IDEMPOTENT_RESPONSE: &str = "INSERT INTO idempotency_keys \
     (site_id, key, request_mac, status, body, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

/// Up to ?2 idempotency answers created before ?1, oldest first (a bounded purge batch).
pub const PURGE_IDEMPOTENCY_KEYS: &str = "DELETE FROM idempotency_keys WHERE rowid IN \
     (SELECT rowid FROM idempotency_keys WHERE created_at < ?1 ORDER BY created_at LIMIT ?2) \
     RETURNING site_id";

/// Up to ?2 mail log rows older than ?1 (a bounded purge batch).
pub const PURGE_MAIL_LOG: &str = "DELETE FROM mail_log WHERE rowid IN \
     (SELECT rowid FROM mail_log WHERE sent_at < ?1 ORDER BY sent_at LIMIT ?2) RETURNING site_id";

pub const DELETE_COOKIE_CATEGORIES: &str = "DELETE FROM cookie_categories WHERE site_id = ?1";

pub const INSERT_COOKIE_CATEGORY: &str = "INSERT INTO cookie_categories \
     (site_id, key, required, position, texts, consent_mode, basis) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

/// Cookie category texts are versions, like wordings: a text that differs from the latest
/// version of its category and language becomes the next version; the same text adds nothing.
/// (`cookie_categories.texts` says which languages a category has now; the words shown are
/// always read from here, by version.)
pub const INSERT_COOKIE_CATEGORY_TEXT: &str = "INSERT INTO cookie_category_texts \
     (site_id, key, lang, version, label, description, created_at) \
     SELECT ?1, ?2, ?3, COALESCE((SELECT MAX(version) FROM cookie_category_texts \
       WHERE site_id = ?1 AND key = ?2 AND lang = ?3), 0) + 1, ?4, ?5, ?6 \
     WHERE NOT EXISTS (SELECT 1 FROM cookie_category_texts c \
       WHERE c.site_id = ?1 AND c.key = ?2 AND c.lang = ?3 AND c.label = ?4 AND c.description = ?5 \
         AND c.version = (SELECT MAX(version) FROM cookie_category_texts \
           WHERE site_id = ?1 AND key = ?2 AND lang = ?3))";

/// Every cookie category text a site ever showed, oldest first.
pub const COOKIE_CATEGORY_TEXTS: &str = "SELECT key, lang, version, label, description, created_at \
     FROM cookie_category_texts WHERE site_id = ?1 ORDER BY key, lang, version";

/// Banner wordings are immutable, like form wordings.
pub const INSERT_BANNER_WORDING: &str = "INSERT INTO banner_wordings \
     (site_id, version, lang, text, sha256, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
     ON CONFLICT (site_id, version, lang) DO NOTHING";

/// Who may be contacted now: granted and not withdrawn since (the state row holds the latest
/// action), not restricted, not erased, not suppressed. Keyset-paginated by subject.
/// `?6`/`?7`: the state actions wanted — `granted` (consent), `soft_opt_in`, or both.
pub const AUDIENCE_PAGE: &str = "SELECT cs.subject, s.email, s.name, cs.updated_at, cs.event_id, cs.action \
     FROM consent_state cs \
     JOIN subjects s ON s.site_id = cs.site_id AND s.subject = cs.subject \
     WHERE cs.site_id = ?1 AND cs.purpose = ?2 AND cs.channel = ?3 AND cs.action IN (?6, ?7) \
       AND cs.subject > ?4 AND s.restricted = 0 AND s.email IS NOT NULL \
       AND NOT EXISTS (SELECT 1 FROM suppressions x WHERE x.site_id = cs.site_id AND x.subject = cs.subject) \
     ORDER BY cs.subject LIMIT ?5";

/// Legitimate interests (post): everyone held — an address, not restricted, not erased, not
/// suppressed — who has not withdrawn or objected for this purpose × channel. Those who
/// consented are listed as `granted`; the rest carry a NULL action and the time they were first
/// held.
pub const AUDIENCE_PAGE_HELD: &str = "SELECT s.subject, s.email, s.name, \
     COALESCE(cs.updated_at, s.created_at) AS updated_at, COALESCE(cs.event_id, '') AS event_id, \
     cs.action FROM subjects s \
     LEFT JOIN consent_state cs ON cs.site_id = s.site_id AND cs.subject = s.subject \
       AND cs.purpose = ?2 AND cs.channel = ?3 \
     WHERE s.site_id = ?1 AND s.subject > ?4 AND s.restricted = 0 AND s.email IS NOT NULL \
       AND COALESCE(cs.action, '') NOT IN ('withdrawn', 'objected') \
       AND NOT EXISTS (SELECT 1 FROM suppressions x WHERE x.site_id = s.site_id AND x.subject = s.subject) \
     ORDER BY s.subject LIMIT ?5";

/// How many people `AUDIENCE_PAGE_HELD` would list in all.
pub const AUDIENCE_COUNT_HELD: &str = "SELECT COUNT(*) AS n FROM subjects s \
     LEFT JOIN consent_state cs ON cs.site_id = s.site_id AND cs.subject = s.subject \
       AND cs.purpose = ?2 AND cs.channel = ?3 \
     WHERE s.site_id = ?1 AND s.restricted = 0 AND s.email IS NOT NULL \
       AND COALESCE(cs.action, '') NOT IN ('withdrawn', 'objected') \
       AND NOT EXISTS (SELECT 1 FROM suppressions x WHERE x.site_id = s.site_id AND x.subject = s.subject)";

pub const INSERT_SUPPRESSION: &str = "INSERT INTO suppressions (site_id, subject, reason, created_at) \
     VALUES (?1, ?2, ?3, ?4) ON CONFLICT (site_id, subject) DO NOTHING";

/// Erasure's suppression: whatever suppression existed, its reason becomes `erasure` (when it
/// was suppressed first stays), so the triggers keyed on erasure always see it.
pub const ERASURE_SUPPRESSION: &str = "INSERT INTO suppressions (site_id, subject, reason, created_at) \
     VALUES (?1, ?2, 'erasure', ?3) ON CONFLICT (site_id, subject) DO UPDATE SET reason = 'erasure'";

/// Erasure drops an address change waiting for confirmation (the triggers do too; this does
/// not depend on them).
pub const DELETE_SUBJECT_PENDING_EMAIL: &str =
    "DELETE FROM pending_email_changes WHERE site_id = ?1 AND subject = ?2";

pub const INSERT_COOKIE_CONSENT: &str = "INSERT INTO cookie_consents (id, site_id, consent_id, \
     categories, policy_version, wording_sha256, choice, reject_on_first_layer, gpc, server_time, \
     client_time, user_agent, ip_truncated, mark, idempotency_key, rule_set) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)";

pub const COOKIE_CONSENTS: &str = "SELECT id, site_id, consent_id, categories, policy_version, \
     wording_sha256, choice, reject_on_first_layer, gpc, server_time, client_time, user_agent, \
     ip_truncated, rule_set FROM cookie_consents WHERE site_id = ?1 AND consent_id = ?2 ORDER BY server_time, id";

pub const SET_RESTRICTED: &str =
    "UPDATE subjects SET restricted = ?3, updated_at = ?4 WHERE site_id = ?1 AND subject = ?2";

pub const SUBJECT_ROW: &str = "SELECT email, name, restricted, created_at, updated_at FROM subjects \
     WHERE site_id = ?1 AND subject = ?2";

/// A subject's whole history, in write order (uses `consent_events_subject`).
pub const SUBJECT_EVENTS: &str = "SELECT id, site_id, subject, purpose, channel, action, \
     wording_version, wording_sha256, lang, method, source_url, server_time, client_time, \
     user_agent, ip_truncated, gpc, idempotency_key, request_origin, fetch_site, support_context, \
     direct_from_person FROM consent_events \
     WHERE site_id = ?1 AND subject = ?2 ORDER BY pos";

/// Erasure keeps the HMAC-keyed history and removes the address.
pub const ERASE_SUBJECT_EMAIL: &str = "UPDATE subjects SET email = NULL, name = NULL, updated_at = ?3 \
     WHERE site_id = ?1 AND subject = ?2";

/// Takes the right to send a mail of kind ?4 to mailbox ?2 (domain ?3) for site ?1 at ?5: written
/// (and a row returned) unless one of that kind went to that mailbox for the site after ?6, or
/// the mailbox has had ?8 mails, or the domain ?9 mails, after ?7. One statement, so two
/// requests cannot both take the last place.
pub const CLAIM_MAIL_SLOT: &str = "INSERT INTO mail_log (site_id, mailbox, domain, kind, sent_at) \
     SELECT ?1, ?2, ?3, ?4, ?5 \
     WHERE NOT EXISTS (SELECT 1 FROM mail_log \
                       WHERE site_id = ?1 AND mailbox = ?2 AND kind = ?4 AND sent_at > ?6) \
       AND (SELECT COUNT(*) FROM mail_log WHERE mailbox = ?2 AND sent_at > ?7) < ?8 \
       AND (SELECT COUNT(*) FROM mail_log WHERE site_id = ?1 AND domain = ?3 AND sent_at > ?7) < ?9 \
     RETURNING sent_at";

pub const IS_SUPPRESSED: &str = "SELECT 1 AS yes FROM suppressions WHERE site_id = ?1 AND subject = ?2";

// ---- tamper evidence (store/chain.rs) ----

/// The columns of an event row `e`, for `event_from_row`.
macro_rules! event_columns {
    () => {
        "e.id, e.site_id, e.subject, e.purpose, e.channel, e.action, e.wording_version, \
         e.wording_sha256, e.lang, e.method, e.source_url, e.server_time, e.client_time, \
         e.user_agent, e.ip_truncated, e.gpc, e.idempotency_key, e.request_origin, e.fetch_site, \
         e.support_context, e.direct_from_person"
    };
}

/// An event row's mark, whether the subject the append path was given is the stored one or an
/// alias of it, and whether the row predates marks (`chain_baselines`).
macro_rules! mark_columns {
    () => {
        "e.pos, e.mark, e.submitted_subject, COALESCE(e.submitted_subject = e.subject OR EXISTS \
         (SELECT 1 FROM subject_aliases a WHERE a.site_id = e.site_id \
           AND a.alias = e.submitted_subject AND a.subject = e.subject), 0) AS subject_resolves, \
         (e.pos <= (SELECT last_pos FROM chain_baselines WHERE chain = 'events')) AS legacy"
    };
}

/// Unsealed events after write position ?2 (and after the chain's end), in write order, with
/// their marks.
pub const UNSEALED_EVENTS: &str = concat!(
    "SELECT ",
    event_columns!(),
    ", ",
    mark_columns!(),
    " FROM consent_events e WHERE e.site_id = ?1 AND e.pos > MAX(?2, COALESCE( \
       (SELECT event_pos FROM ledger_links WHERE site_id = ?1 ORDER BY seq DESC LIMIT 1), 0)) \
     ORDER BY e.pos LIMIT ?3"
);

/// Every event of a site in state-key order (subject, purpose, channel, write order), after the
/// key ?2..?5, with its mark, its link's version (NULL if unsealed) and the state row's action.
pub const AUDIT_EVENTS: &str = concat!(
    "SELECT ",
    event_columns!(),
    ", ",
    mark_columns!(),
    ", l.version AS link_version, cs.action AS state_action \
     FROM consent_events e \
     LEFT JOIN ledger_links l ON l.event_id = e.id \
     LEFT JOIN consent_state cs ON cs.site_id = e.site_id AND cs.subject = e.subject \
       AND cs.purpose = e.purpose AND cs.channel = e.channel \
     WHERE e.site_id = ?1 AND (e.subject, e.purpose, e.channel, e.pos) > (?2, ?3, ?4, ?5) \
     ORDER BY e.subject, e.purpose, e.channel, e.pos LIMIT ?6"
);

/// State rows no event stands behind at all.
pub const STATE_WITHOUT_EVENTS: &str = "SELECT cs.subject, cs.purpose, cs.channel, cs.action \
     FROM consent_state cs WHERE cs.site_id = ?1 AND NOT EXISTS (SELECT 1 FROM consent_events e \
       WHERE e.site_id = cs.site_id AND e.subject = cs.subject AND e.purpose = cs.purpose \
       AND e.channel = cs.channel) ORDER BY cs.subject, cs.purpose, cs.channel LIMIT ?2";

/// The hash of link ?2 of the event chain and of link ?3 of the cookie chain (NULL if absent).
pub const ANCHORED_LINKS: &str = "SELECT \
     (SELECT hash FROM ledger_links WHERE site_id = ?1 AND seq = ?2) AS event_hash, \
     (SELECT hash FROM cookie_links WHERE site_id = ?1 AND seq = ?3) AS cookie_hash";

pub const COOKIE_CHAIN_HEAD: &str =
    "SELECT seq, hash FROM cookie_links WHERE site_id = ?1 ORDER BY seq DESC LIMIT 1";

/// Cookie decisions no link seals and sealing will never reach: at a position below 1, or
/// between the baseline and the cookie chain's end (after `verify` sealed, a genuine decision
/// there is always chained). Those at or below the baseline predate the chain and are not listed.
pub const UNCHAINED_COOKIES: &str = "SELECT c.rowid AS pos, c.id FROM cookie_consents c \
     WHERE c.site_id = ?1 AND NOT EXISTS (SELECT 1 FROM cookie_links l WHERE l.record_id = c.id) \
       AND (c.rowid < 1 OR (c.rowid > (SELECT last_pos FROM chain_baselines WHERE chain = 'cookies') \
         AND c.rowid < COALESCE((SELECT record_pos FROM cookie_links WHERE site_id = ?1 \
           ORDER BY seq DESC LIMIT 1), 0))) \
     ORDER BY c.rowid LIMIT ?2";

/// Unsealed cookie decisions after the baseline, in write order, with their marks.
pub const UNSEALED_COOKIES: &str = "SELECT c.rowid AS pos, c.id, c.site_id, c.consent_id, \
     c.categories, c.policy_version, c.wording_sha256, c.choice, c.reject_on_first_layer, c.gpc, \
     c.server_time, c.client_time, c.user_agent, c.ip_truncated, c.rule_set, c.mark \
     FROM cookie_consents c WHERE c.site_id = ?1 AND c.rowid > MAX( \
       (SELECT last_pos FROM chain_baselines WHERE chain = 'cookies'), \
       COALESCE((SELECT record_pos FROM cookie_links WHERE site_id = ?1 ORDER BY seq DESC LIMIT 1), 0)) \
     ORDER BY c.rowid LIMIT ?2";

/// `INSERT_LINKS` for the cookie chain (the record's position is its rowid).
pub const INSERT_COOKIE_LINKS: &str = "INSERT INTO cookie_links \
     (site_id, seq, record_id, record_pos, record_hash, prev_hash, hash, sealed_at, version) \
     SELECT json_extract(l.value, '$[0]'), json_extract(l.value, '$[1]'), c.id, c.rowid, \
       json_extract(l.value, '$[3]'), json_extract(l.value, '$[4]'), json_extract(l.value, '$[5]'), \
       ?2, json_extract(l.value, '$[6]') \
     FROM json_each(?1) AS l JOIN cookie_consents c ON c.id = json_extract(l.value, '$[2]') \
     ORDER BY l.key";

pub const COOKIE_CHAINED_AFTER: &str = "SELECT l.site_id AS link_site_id, l.seq, \
     l.record_id AS link_event_id, l.record_hash AS event_hash, l.prev_hash, l.hash, l.version, \
     c.id, c.site_id, c.consent_id, c.categories, c.policy_version, c.wording_sha256, c.choice, \
     c.reject_on_first_layer, c.gpc, c.server_time, c.client_time, c.user_agent, c.ip_truncated, \
     c.rule_set, c.mark FROM cookie_links l LEFT JOIN cookie_consents c ON c.id = l.record_id \
     WHERE l.site_id = ?1 AND l.seq > ?2 ORDER BY l.seq LIMIT ?3";

pub const COOKIE_CONSENT_BY_KEY: &str = "SELECT id, site_id, consent_id, categories, policy_version, \
     wording_sha256, choice, reject_on_first_layer, gpc, server_time, client_time, user_agent, \
     ip_truncated, rule_set FROM cookie_consents WHERE site_id = ?1 AND idempotency_key = ?2";

/// Contract-suite probes: they read what no `Store` method shows, or break a rule on purpose
/// to see how the backend reports it. Never used by the handlers.
pub mod contract_probes {
    pub const SUPPRESSION_REASON: &str =
        "SELECT reason FROM suppressions WHERE site_id = ?1 AND subject = ?2";
    pub const PENDING_EMAIL_CHANGES: &str =
        "SELECT email FROM pending_email_changes WHERE site_id = ?1 AND subject = ?2";
    /// A foreign key violation: an origin for a site that does not exist.
    pub const ORIGIN_OF_NO_SITE: &str = "INSERT INTO site_origins (site_id, origin) VALUES (?1, ?2)";
    /// A NOT NULL violation: a site without its organisation's name.
    pub const SITE_WITHOUT_NAME: &str = "INSERT INTO sites (id) VALUES (?1)";
    /// A CHECK violation: a channel that does not exist.
    pub const UNKNOWN_CHANNEL: &str = "INSERT INTO purpose_channels \
         (site_id, purpose, channel, current_version, position) VALUES (?1, 'news', 'fax', 1, 0)";
    /// A PRIMARY KEY violation when the site's origin is already registered.
    pub const SAME_ORIGIN_AGAIN: &str = "INSERT INTO site_origins (site_id, origin) VALUES (?1, ?2)";
    /// A UNIQUE violation when the event id is taken.
    pub const EVENT_ID_AGAIN: &str = "INSERT INTO consent_events (id, site_id, subject, purpose, \
         channel, action, wording_version, wording_sha256, lang, method, server_time, gpc) \
         SELECT id, site_id, subject || '-again', purpose, channel, action, wording_version, \
         wording_sha256, lang, method, server_time, gpc FROM consent_events WHERE id = ?1";
}

// ---- the audit trail (store/audit.rs) ----

/// The columns of an audit row, for `audit_from_row`.
macro_rules! audit_columns {
    () => {
        "site_id, seq, at, actor_type, actor, kind, ip_truncated, detail, entry_hash, prev_hash, hash, version"
    };
}

/// The last entry of a site's trail (none: the trail starts at genesis).
pub const AUDIT_HEAD: &str =
    "SELECT seq, hash FROM audit_events WHERE site_id = ?1 ORDER BY seq DESC LIMIT 1";

/// One entry with its link. The primary key `(site_id, seq)` refuses a second entry for a place
/// already taken: that is how two racing appends are kept from forking the chain.
pub const INSERT_AUDIT: &str = concat!(
    "INSERT INTO audit_events (",
    audit_columns!(),
    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
);

/// A day's check count turned into a trail entry: written only while the count row (site ?1,
/// day ?13, actor ?5) still holds exactly ?14 checks, in the batch that deletes that row — so
/// two crons summarising the same day write it once.
pub const INSERT_AUDIT_FOR_CHECKS: &str = concat!(
    "INSERT INTO audit_events (",
    audit_columns!(),
    ") SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12 WHERE EXISTS (SELECT 1 FROM subject_check_counts \
     WHERE site_id = ?1 AND day = ?13 AND actor = ?5 AND checks = ?14)"
);

pub const DELETE_CHECK_COUNT: &str =
    "DELETE FROM subject_check_counts WHERE site_id = ?1 AND day = ?2 AND actor = ?3 AND checks = ?4";

/// Adds ?5 checks to the (site, day, actor) count.
pub const COUNT_SUBJECT_CHECKS: &str = "INSERT INTO subject_check_counts \
     (site_id, day, actor_type, actor, checks) VALUES (?1, ?2, ?3, ?4, ?5) \
     ON CONFLICT (site_id, day, actor) DO UPDATE SET checks = checks + excluded.checks";

/// Up to ?2 check counts of days before ?1 (finished days), in a stable order.
pub const FINISHED_CHECK_COUNTS: &str = "SELECT site_id, day, actor_type, actor, checks \
     FROM subject_check_counts WHERE day < ?1 ORDER BY site_id, day, actor LIMIT ?2";

/// A page of a site's trail, newest first: before seq ?2 (NULL: from the newest), with actor
/// ?3, kind ?4, at or after ?5, at or before ?6 (each NULL: any), at most ?7 entries.
pub const AUDIT_PAGE: &str = concat!(
    "SELECT ",
    audit_columns!(),
    " FROM audit_events WHERE site_id = ?1 AND (?2 IS NULL OR seq < ?2) \
     AND (?3 IS NULL OR actor = ?3) AND (?4 IS NULL OR kind = ?4) \
     AND (?5 IS NULL OR at >= ?5) AND (?6 IS NULL OR at <= ?6) ORDER BY seq DESC LIMIT ?7"
);

/// Up to ?3 entries after seq ?2, in chain order (verification).
pub const AUDIT_AFTER: &str = concat!(
    "SELECT ",
    audit_columns!(),
    " FROM audit_events WHERE site_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3"
);

/// Where each of the subject ids in the JSON array ?4 stands for purpose ?2 on channel ?3, in
/// the order given: an id given as an address correction resolves to the person's original id,
/// as `RESOLVE_SUBJECT` does. One row per id, known or not.
pub const SUBJECT_STANDINGS: &str = "SELECT r.idx, r.given, r.subject, cs.action, cs.updated_at, \
     x.created_at AS suppressed_at, COALESCE(s.restricted, 0) AS restricted, \
     (s.email IS NOT NULL) AS has_email \
     FROM (SELECT j.key AS idx, j.value AS given, \
             COALESCE((SELECT a.subject FROM subject_aliases a WHERE a.site_id = ?1 AND a.alias = j.value), \
                      j.value) AS subject \
           FROM json_each(?4) j) r \
     LEFT JOIN consent_state cs ON cs.site_id = ?1 AND cs.subject = r.subject AND cs.purpose = ?2 \
       AND cs.channel = ?3 \
     LEFT JOIN suppressions x ON x.site_id = ?1 AND x.subject = r.subject \
     LEFT JOIN subjects s ON s.site_id = ?1 AND s.subject = r.subject \
     ORDER BY r.idx";

/// How many people `AUDIENCE_PAGE` would list in all (the same conditions, no paging; the
/// actions listed are ?4 and ?5).
pub const AUDIENCE_COUNT: &str = "SELECT COUNT(*) AS n FROM consent_state cs \
     JOIN subjects s ON s.site_id = cs.site_id AND s.subject = cs.subject \
     WHERE cs.site_id = ?1 AND cs.purpose = ?2 AND cs.channel = ?3 AND cs.action IN (?4, ?5) \
       AND s.restricted = 0 AND s.email IS NOT NULL \
       AND NOT EXISTS (SELECT 1 FROM suppressions x WHERE x.site_id = cs.site_id AND x.subject = cs.subject)";

// Imports (store::imports).

/// Suppressions among a list of subjects (`?2`: a JSON array of subject ids).
pub const SUPPRESSIONS_AMONG: &str = "SELECT subject, reason FROM suppressions \
    WHERE site_id = ?1 AND subject IN (SELECT value FROM json_each(?2))";

/// The latest decision per purpose × channel of each listed subject (`?2`: JSON array): when it
/// was made — the original date for an import or a paper form, else the recording time.
pub const LATEST_DECISIONS_AMONG: &str = "SELECT subject, purpose, channel, \
    MAX(CASE WHEN method IN ('admin_import', 'paper_form') AND client_time IS NOT NULL \
    THEN client_time ELSE server_time END) AS decided_at \
    FROM consent_events WHERE site_id = ?1 AND subject IN (SELECT value FROM json_each(?2)) \
    AND action <> 'pending' GROUP BY subject, purpose, channel";

pub const INSERT_IMPORT_JOB: &str = "INSERT INTO import_jobs (id, site_id, created_by, created_at, \
    total_rows, accepted_rows, chunks, next_chunk, recorded_rows, refused_rows, updated_at) \
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0, 0, 0, ?4)";

pub const INSERT_IMPORT_CHUNK: &str = "INSERT INTO import_chunks (job_id, chunk, rows) VALUES (?1, ?2, ?3)";

pub const IMPORT_JOB: &str = "SELECT id, site_id, created_by, created_at, total_rows, accepted_rows, \
    chunks, next_chunk, recorded_rows, refused_rows, confirmed_at FROM import_jobs WHERE site_id = ?1 AND id = ?2";

pub const IMPORT_CHUNK: &str = "SELECT rows FROM import_chunks WHERE job_id = ?1 AND chunk = ?2";

/// Moves a job past chunk `?3` (only if it is still there: a retry that lost the race changes
/// nothing) and adds the batch's counts.
pub const ADVANCE_IMPORT: &str = "UPDATE import_jobs SET next_chunk = ?3 + 1, \
    recorded_rows = recorded_rows + ?4, refused_rows = refused_rows + ?5, updated_at = ?6 \
    WHERE site_id = ?1 AND id = ?2 AND next_chunk = ?3 AND confirmed_at IS NOT NULL";

pub const CONFIRM_IMPORT: &str = "UPDATE import_jobs SET confirmed_at = COALESCE(confirmed_at, ?3), \
    updated_at = ?3 WHERE site_id = ?1 AND id = ?2";

/// A recorded chunk's addresses are no longer kept.
pub const DELETE_IMPORT_CHUNK: &str = "DELETE FROM import_chunks WHERE job_id = ?1 AND chunk = ?2 \
    AND EXISTS (SELECT 1 FROM import_jobs WHERE id = ?1 AND next_chunk > ?2)";

/// The rows of imports started before `?1` and never finished (abandoned dry runs, stopped
/// jobs): their addresses are not kept. At most `?2` chunks per statement.
pub const PURGE_IMPORT_CHUNKS: &str = "DELETE FROM import_chunks WHERE rowid IN \
    (SELECT c.rowid FROM import_chunks c JOIN import_jobs j ON j.id = c.job_id \
    WHERE j.created_at < ?1 LIMIT ?2)";

/// A site's do-not-contact list, newest first (ids only: the list never holds an address).
pub const SUPPRESSION_LIST: &str = "SELECT subject, reason, created_at, added_by, note FROM suppressions \
     WHERE site_id = ?1 ORDER BY created_at DESC, subject LIMIT ?2";

/// A suppression added by hand with one of the fixed reasons; an existing one stays as it is.
pub const INSERT_SUPPRESSION_BY: &str =
    "INSERT INTO suppressions (site_id, subject, reason, created_at, added_by, note) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (site_id, subject) DO NOTHING";

/// Lifts a suppression, only while its reason is still the one the caller checked.
pub const DELETE_SUPPRESSION: &str =
    "DELETE FROM suppressions WHERE site_id = ?1 AND subject = ?2 AND reason = ?3";

pub const SUPPRESSION_ROW: &str =
    "SELECT subject, reason, created_at, added_by, note FROM suppressions WHERE site_id = ?1 AND subject = ?2";

// ---- the console's statistics (daily counters kept by triggers, migration 0012) ------------------

/// Every daily event count of a site, oldest day first.
pub const DAILY_EVENT_COUNTS: &str = "SELECT day, purpose, channel, action, method, n \
    FROM daily_event_counts WHERE site_id = ?1 ORDER BY day, purpose, channel, action, method";

/// Every daily cookie-decision count of a site, oldest day first.
pub const DAILY_COOKIE_COUNTS: &str = "SELECT day, choice, n FROM daily_cookie_counts \
    WHERE site_id = ?1 ORDER BY day, choice";

/// The counts recomputed from the ledger itself (what the counters must equal).
pub const RECOUNT_EVENTS: &str =
    "SELECT substr(server_time, 1, 10) AS day, purpose, channel, action, method, \
    COUNT(*) AS n FROM consent_events WHERE site_id = ?1 GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5";

/// The cookie-decision counts recomputed from the decisions themselves.
pub const RECOUNT_COOKIES: &str = "SELECT substr(server_time, 1, 10) AS day, choice, COUNT(*) AS n \
    FROM cookie_consents WHERE site_id = ?1 GROUP BY 1, 2 ORDER BY 1, 2";

// ---- the data review (store/review.rs) ----

/// The site's review settings, with the site's creation (the first review is due a cycle after it).
pub const REVIEW_SETTINGS: &str = "SELECT s.created_at AS site_created, r.cycle_months, r.last_review_on, \
     r.erased_history_years FROM sites s LEFT JOIN review_settings r ON r.site_id = s.id WHERE s.id = ?1";

pub const SAVE_REVIEW_SETTINGS: &str = "INSERT INTO review_settings \
     (site_id, cycle_months, last_review_on, erased_history_years, updated_by, updated_at) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (site_id) DO UPDATE SET \
     cycle_months = excluded.cycle_months, last_review_on = excluded.last_review_on, \
     erased_history_years = excluded.erased_history_years, updated_by = excluded.updated_by, \
     updated_at = excluded.updated_at";

/// A completed review moves the last review to its day (the other settings stay, or default).
pub const REVIEW_DONE_SETTINGS: &str = "INSERT INTO review_settings \
     (site_id, last_review_on, updated_by, updated_at) VALUES (?1, ?2, ?3, ?4) \
     ON CONFLICT (site_id) DO UPDATE SET last_review_on = excluded.last_review_on, \
     updated_by = excluded.updated_by, updated_at = excluded.updated_at";

pub const INSERT_REVIEW: &str = "INSERT INTO reviews \
     (id, site_id, completed_by, completed_at, params, decisions, next_due_on) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

pub const RECENT_REVIEWS: &str = "SELECT id, site_id, completed_by, completed_at, params, decisions, \
     next_due_on FROM reviews WHERE site_id = ?1 ORDER BY completed_at DESC, id LIMIT ?2";

// Each group's conditions: ?1 the site, ?2 the cut-off ("before"). Held people are those with an
// address (erasure removes it). Activity is the subject row's `updated_at`: every recorded
// choice, name or address change touches it (`subjects_by_activity`). The consent conditions are
// uncorrelated `IN` lists, built once per query: a correlated `EXISTS` there is planned on
// `consent_state_audience` by site alone, one scan per person (minutes on 50,000 people).
macro_rules! review_inactive {
    () => {
        "FROM subjects s WHERE s.site_id = ?1 AND s.email IS NOT NULL AND s.updated_at < ?2"
    };
}
macro_rules! review_old_consent {
    () => {
        "FROM subjects s WHERE s.site_id = ?1 AND s.email IS NOT NULL AND s.updated_at < ?2 \
         AND s.subject IN (SELECT c.subject FROM consent_state c WHERE c.site_id = ?1 AND c.action = 'granted') \
         AND s.subject NOT IN (SELECT c.subject FROM consent_state c WHERE c.site_id = ?1 \
                               AND c.action = 'soft_opt_in')"
    };
}
macro_rules! review_restricted {
    () => {
        "FROM subjects s WHERE s.site_id = ?1 AND s.restricted = 1 AND s.restricted_at < ?2 \
         AND s.email IS NOT NULL"
    };
}
macro_rules! review_erased_history {
    () => {
        "FROM suppressions s WHERE s.site_id = ?1 AND s.reason = 'erasure' AND s.created_at < ?2 \
         AND EXISTS (SELECT 1 FROM consent_events e WHERE e.site_id = ?1 AND e.subject = s.subject)"
    };
}

pub const REVIEW_INACTIVE_COUNT: &str = concat!("SELECT COUNT(*) AS n ", review_inactive!());
pub const REVIEW_OLD_CONSENT_COUNT: &str = concat!("SELECT COUNT(*) AS n ", review_old_consent!());
pub const REVIEW_RESTRICTED_COUNT: &str = concat!("SELECT COUNT(*) AS n ", review_restricted!());
pub const REVIEW_ERASED_HISTORY_COUNT: &str = concat!("SELECT COUNT(*) AS n ", review_erased_history!());

// Pages: keyset by subject (?3 after, ?4 limit).
pub const REVIEW_INACTIVE_PAGE: &str = concat!(
    "SELECT s.subject, s.email, s.name, s.updated_at AS since ",
    review_inactive!(),
    " AND s.subject > ?3 ORDER BY s.subject LIMIT ?4"
);
pub const REVIEW_OLD_CONSENT_PAGE: &str = concat!(
    "SELECT s.subject, s.email, s.name, s.updated_at AS since ",
    review_old_consent!(),
    " AND s.subject > ?3 ORDER BY s.subject LIMIT ?4"
);
pub const REVIEW_RESTRICTED_PAGE: &str = concat!(
    "SELECT s.subject, s.email, s.name, s.restricted_at AS since ",
    review_restricted!(),
    " AND s.subject > ?3 ORDER BY s.subject LIMIT ?4"
);
pub const REVIEW_ERASED_HISTORY_PAGE: &str = concat!(
    "SELECT s.subject, NULL AS email, NULL AS name, s.created_at AS since ",
    review_erased_history!(),
    " AND s.subject > ?3 ORDER BY s.subject LIMIT ?4"
);

// A bulk erasure's people, fixed when it starts (?3 the job).
pub const REVIEW_INACTIVE_SNAPSHOT: &str = concat!(
    "INSERT INTO review_erasure_subjects (job_id, subject) SELECT ?3, s.subject ",
    review_inactive!()
);
pub const REVIEW_OLD_CONSENT_SNAPSHOT: &str = concat!(
    "INSERT INTO review_erasure_subjects (job_id, subject) SELECT ?3, s.subject ",
    review_old_consent!()
);
pub const REVIEW_RESTRICTED_SNAPSHOT: &str = concat!(
    "INSERT INTO review_erasure_subjects (job_id, subject) SELECT ?3, s.subject ",
    review_restricted!()
);

pub const INSERT_REVIEW_ERASURE: &str = "INSERT INTO review_erasures \
     (id, site_id, review_group, created_by, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)";

pub const COUNT_REVIEW_ERASURE: &str = "UPDATE review_erasures SET total = \
     (SELECT COUNT(*) FROM review_erasure_subjects WHERE job_id = ?1), \
     finished_at = CASE WHEN EXISTS (SELECT 1 FROM review_erasure_subjects WHERE job_id = ?1) \
                   THEN NULL ELSE created_at END \
     WHERE id = ?1";

pub const REVIEW_ERASURE: &str = "SELECT id, site_id, review_group, created_by, created_at, total, erased, \
     finished_at FROM review_erasures WHERE site_id = ?1 AND id = ?2";

pub const RECENT_REVIEW_ERASURES: &str = "SELECT id, site_id, review_group, created_by, created_at, total, \
     erased, finished_at FROM review_erasures WHERE site_id = ?1 ORDER BY created_at DESC, id LIMIT ?2";

/// The next people of job ?1 (site ?2) not yet marked, and whether each is erased already (by
/// an interrupted batch, or another path): those are marked without a second erasure.
pub const REVIEW_ERASURE_PENDING: &str = "SELECT j.subject, \
     (COALESCE(s.email IS NULL, 1) AND EXISTS (SELECT 1 FROM suppressions x WHERE x.site_id = ?2 \
        AND x.subject = j.subject AND x.reason = 'erasure')) AS already \
     FROM review_erasure_subjects j LEFT JOIN subjects s ON s.site_id = ?2 AND s.subject = j.subject \
     WHERE j.job_id = ?1 AND j.erased_at IS NULL ORDER BY j.subject LIMIT ?3";

/// Marks people of job ?1 (a JSON array ?2) erased at ?3; a repeat changes nothing.
pub const MARK_REVIEW_ERASED: &str = "UPDATE review_erasure_subjects SET erased_at = ?3 \
     WHERE job_id = ?1 AND erased_at IS NULL AND subject IN (SELECT value FROM json_each(?2))";

/// People of job ?1 (site ?2) not yet erased who are held and whose record changed after the
/// job began: they came back (a new choice, a corrected address) and are no longer who the
/// review decided about.
pub const REVIEW_ERASURE_RETURNED_COUNT: &str = "SELECT COUNT(*) AS n FROM review_erasure_subjects j \
     JOIN review_erasures r ON r.id = j.job_id \
     JOIN subjects s ON s.site_id = ?2 AND s.subject = j.subject \
     WHERE j.job_id = ?1 AND j.erased_at IS NULL AND s.email IS NOT NULL AND s.updated_at > r.created_at";

/// Takes those people out of the job (they are kept; the audit entry counts them).
pub const DROP_REVIEW_ERASURE_RETURNED: &str = "DELETE FROM review_erasure_subjects \
     WHERE job_id = ?1 AND erased_at IS NULL AND subject IN (SELECT s.subject FROM subjects s \
       JOIN review_erasures r ON r.id = ?1 \
       WHERE s.site_id = ?2 AND s.email IS NOT NULL AND s.updated_at > r.created_at)";

pub const ADVANCE_REVIEW_ERASURE: &str = "UPDATE review_erasures SET updated_at = ?3, \
     erased = (SELECT COUNT(*) FROM review_erasure_subjects WHERE job_id = ?1 AND erased_at IS NOT NULL), \
     finished_at = CASE WHEN EXISTS (SELECT 1 FROM review_erasure_subjects \
                                     WHERE job_id = ?1 AND erased_at IS NULL) \
                   THEN NULL ELSE COALESCE(finished_at, ?3) END \
     WHERE id = ?1 AND site_id = ?2";
// ---- retention (store/retention.rs) ----

/// A site's retention settings (no row: the defaults).
pub const RETENTION_POLICY: &str =
    "SELECT cookie_decision_months, audit_years FROM retention_settings WHERE site_id = ?1";

pub const SET_RETENTION_POLICY: &str = "INSERT INTO retention_settings \
     (site_id, cookie_decision_months, audit_years, updated_at) VALUES (?1, ?2, ?3, ?4) \
     ON CONFLICT (site_id) DO UPDATE SET cookie_decision_months = excluded.cookie_decision_months, \
       audit_years = excluded.audit_years, updated_at = excluded.updated_at";

macro_rules! checkpoint_columns {
    () => {
        "site_id, chain, up_to_seq, hash, prev_up_to, purged, purged_at, mac"
    };
}

/// Every purge checkpoint of chain ?2 of site ?1, oldest first.
pub const PURGE_CHECKPOINTS: &str = concat!(
    "SELECT ",
    checkpoint_columns!(),
    " FROM purge_checkpoints WHERE site_id = ?1 AND chain = ?2 ORDER BY up_to_seq"
);

/// The latest purge checkpoint of chain ?2 of site ?1.
pub const LATEST_PURGE_CHECKPOINT: &str = concat!(
    "SELECT ",
    checkpoint_columns!(),
    " FROM purge_checkpoints WHERE site_id = ?1 AND chain = ?2 ORDER BY up_to_seq DESC LIMIT 1"
);

/// A checkpoint, sealed before the rows it covers go (first in the purge's batch: the delete
/// triggers look for it). Its primary key and `UNIQUE (site_id, chain, prev_up_to)` let one of
/// two racing purges land.
pub const INSERT_PURGE_CHECKPOINT: &str = concat!(
    "INSERT INTO purge_checkpoints (",
    checkpoint_columns!(),
    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
);

/// The cookie decisions chained at or below place ?2 of site ?1's cookie chain.
pub const PURGE_COOKIE_DECISIONS: &str = "DELETE FROM cookie_consents WHERE id IN \
     (SELECT record_id FROM cookie_links WHERE site_id = ?1 AND seq <= ?2)";

/// Their links (after the decisions: the decisions' trigger finds them through the links).
pub const PURGE_COOKIE_LINKS: &str = "DELETE FROM cookie_links WHERE site_id = ?1 AND seq <= ?2";

/// The audit entries at or below place ?2 of site ?1's trail.
pub const PURGE_AUDIT_ENTRIES: &str = "DELETE FROM audit_events WHERE site_id = ?1 AND seq <= ?2";
