//! SQL of the register of rights requests and complaints (`register.rs`, migration 0015).

#[cfg(test)]
const COLUMNS: &str = "site_id, reference, kind, arrival, received_on, status, due_on, acknowledged_on, \
    extended_on, extension_reason, closed_on, outcome, subject_id, contact_email, contact_name, lang, details, \
    recorded_by, handler, recorded_at, updated_at, version";

macro_rules! select_entries {
    ($where:literal) => {
        concat!(
            "SELECT site_id, reference, kind, arrival, received_on, status, due_on, acknowledged_on, ",
            "extended_on, extension_reason, closed_on, outcome, subject_id, contact_email, contact_name, lang, ",
            "details, recorded_by, handler, recorded_at, updated_at, version FROM register_entries ",
            $where
        )
    };
}

pub const INSERT_ENTRY: &str = "INSERT INTO register_entries (site_id, reference, kind, arrival, received_on, \
    status, due_on, acknowledged_on, extended_on, extension_reason, closed_on, outcome, subject_id, contact_email, \
    contact_name, lang, details, recorded_by, handler, recorded_at, updated_at, version) \
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?20, 1)";

pub const ENTRY: &str = select_entries!("WHERE site_id = ?1 AND reference = ?2");

/// Open entries first, soonest due first (none-due last), then the newest.
pub const ENTRIES: &str = select_entries!(
    "WHERE site_id = ?1 AND (?2 = 0 OR status != 'closed') AND (?3 IS NULL OR kind = ?3) \
     ORDER BY status = 'closed', due_on IS NULL, due_on, received_on DESC, reference LIMIT ?4 OFFSET ?5"
);

pub const ENTRIES_OF_SUBJECT: &str =
    select_entries!("WHERE site_id = ?1 AND subject_id = ?2 ORDER BY received_on DESC, reference");

/// Open entries due on or before ?1 across every site, by site and date (the daily digest).
pub const DUE_EVERYWHERE: &str = select_entries!(
    "WHERE due_on IS NOT NULL AND due_on <= ?1 AND status != 'closed' ORDER BY site_id, due_on, reference LIMIT ?2"
);

pub const DUE_COUNTS: &str = "SELECT COALESCE(SUM(due_on < ?2), 0) AS overdue, \
    COALESCE(SUM(due_on >= ?2 AND due_on <= ?3), 0) AS due_soon FROM register_entries \
    WHERE site_id = ?1 AND status != 'closed' AND due_on IS NOT NULL AND due_on <= ?3";

pub const UPDATE_ENTRY: &str = "UPDATE register_entries SET status = ?3, due_on = ?4, acknowledged_on = ?5, \
    extended_on = ?6, extension_reason = ?7, closed_on = ?8, outcome = ?9, handler = ?10, subject_id = ?11, \
    contact_email = ?12, contact_name = ?13, updated_at = ?14, version = version + 1 \
    WHERE site_id = ?1 AND reference = ?2 AND version = ?15";

/// Fails the batch with a PRIMARY KEY violation when the statement before it changed nothing.
pub const STALE_WRITE_GUARD: &str = "INSERT INTO register_stale_write (k) SELECT 0 WHERE changes() = 0";

pub const INSERT_NOTE: &str = "INSERT INTO register_notes (site_id, reference, seq, at, author, body) \
    SELECT ?1, ?2, COALESCE(MAX(seq), 0) + 1, ?3, ?4, ?5 FROM register_notes WHERE site_id = ?1 AND reference = ?2";

pub const NOTES: &str =
    "SELECT seq, at, author, body FROM register_notes WHERE site_id = ?1 AND reference = ?2 ORDER BY seq";

/// Erasure: the entries stay as the record of what was asked and answered, without the contact.
pub const FORGET_CONTACT: &str = "UPDATE register_entries SET contact_email = NULL, contact_name = NULL \
    WHERE site_id = ?1 AND subject_id = ?2 AND (contact_email IS NOT NULL OR contact_name IS NOT NULL)";

#[cfg(test)]
#[test]
fn the_select_lists_every_column() {
    assert!(ENTRY.contains(COLUMNS), "{ENTRY}");
}
