//! Writing entries into the register of rights requests and complaints from the person-facing
//! pages: a fresh reference for each (drawn again when taken), and the self-service entries the
//! preference centre's own actions leave — completed the day they are done.

use chrono::{DateTime, Utc};
use consent_shared::access::Actor;
use consent_shared::audit::AuditKind;
use consent_shared::register::{reference, Entry, RequestKind};
use consent_shared::time::format_utc;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::audit::{client_ip, record, AuditEntry};
use super::page_text::PageLang;
use super::{log_internal, App, RequestFacts};
use crate::http::HttpRequest;
use crate::store::register::RegisterRow;
use crate::store::{Store, StoreError};

/// How many references are drawn before giving up (a clash among 2^40 is already rare).
const REFERENCE_ATTEMPTS: u32 = 5;

/// Five random bytes for a reference, from the worker's RNG: the request's fresh ids are
/// random (UUID v4 in the worker), hashed so any id format gives evenly spread bytes.
fn random_bytes(facts: &mut RequestFacts<'_>) -> [u8; 5] {
    let digest = Sha256::digest((facts.new_id)().as_bytes());
    let mut out = [0u8; 5];
    out.copy_from_slice(&digest[..5]);
    out
}

/// A new register row for `site` (reference still to be drawn), recorded now by the person.
pub fn new_row(site: &str, entry: Entry, lang: PageLang, now: DateTime<Utc>) -> RegisterRow {
    let at = format_utc(now);
    RegisterRow {
        site_id: site.to_string(),
        entry,
        subject: None,
        contact_email: None,
        contact_name: None,
        lang: lang.code().to_string(),
        details: String::new(),
        // The person themselves, not (yet) identified to the console.
        recorded_by: Actor::Anonymous.label(),
        handler: None,
        recorded_at: at.clone(),
        updated_at: at,
        version: 1,
    }
}

/// Records `row` under a fresh reference (drawn again when the site already has it) and returns
/// it as stored; then records it in the audit trail (reference and kind: no text, no address).
/// An audit failure is logged, not returned: the entry is what the person is owed.
pub async fn create_entry<S: Store + 'static>(
    app: &App<S>,
    mut row: RegisterRow,
    req: &HttpRequest,
    facts: &mut RequestFacts<'_>,
) -> Result<RegisterRow, StoreError> {
    let mut attempts = 0;
    loop {
        row.entry.reference = reference(row.entry.kind, random_bytes(facts));
        match app.store.create_register_entry(&row, None).await {
            Ok(()) => break,
            Err(StoreError::Conflict) if attempts + 1 < REFERENCE_ATTEMPTS => attempts += 1,
            Err(e) => return Err(e),
        }
    }
    let detail = json!({
        "reference": row.entry.reference,
        "kind": row.entry.kind.as_str(),
        "arrival": row.entry.arrival.as_str(),
    });
    let entry = AuditEntry {
        site: &row.site_id,
        actor: Actor::Anonymous,
        kind: AuditKind::RegisterEntryRecorded,
        detail,
        client_ip: client_ip(req),
    };
    if let Err(e) = record(app, entry, facts.now).await {
        log_internal(&format!("register entry {} recorded, its audit entry not: {e}", row.entry.reference));
    }
    Ok(row)
}

/// A preference-centre action to record: whose, what, and in which language it was done.
pub struct SelfService<'a> {
    pub site: &'a str,
    pub subject: &'a str,
    pub kind: RequestKind,
    /// What was done, as the register's outcome.
    pub outcome: &'a str,
    pub lang: PageLang,
}

/// Records a preference-centre action as a self-service entry, completed today. Runs right
/// after the action's own write (each is one atomic Store unit of its own): a failure here is
/// logged and never undoes or refuses what the person did.
pub async fn record_self_service<S: Store + 'static>(
    app: &App<S>,
    done: SelfService<'_>,
    req: &HttpRequest,
    facts: &mut RequestFacts<'_>,
) {
    let entry = Entry::self_service(String::new(), done.kind, facts.now.date_naive(), done.outcome);
    let row = RegisterRow {
        subject: Some(done.subject.to_string()),
        ..new_row(done.site, entry, done.lang, facts.now)
    };
    if let Err(e) = create_entry(app, row, req, facts).await {
        let (kind, site) = (done.kind.as_str(), done.site);
        log_internal(&format!("self-service {kind} entry not recorded in the register of {site}: {e}"));
    }
}
