//! Data-rights requests that reach the organisation directly (letter, phone, email), handled by
//! an administrator: access/portability (a JSON copy of everything held), erasure (address
//! deleted, history kept only under the HMAC id, suppression so it is never re-added) and
//! restriction (kept, but in no audience). The email travels in the body, never in a URL.

use consent_shared::access::{Action, Actor};
use consent_shared::api::v1::{Erased, Restricted, SubjectRequest};
use consent_shared::audit::AuditKind;
use consent_shared::consent::ConsentEvent;
use consent_shared::email::Email;
use consent_shared::site::SiteConfig;
use consent_shared::time::format_utc;
use serde_json::{json, Value};

use super::admin::{admin_email, admin_site};
use super::audit::{client_ip, record, AuditEntry};
use super::{json_body, require_method, App, RequestFacts};
use crate::error::AppError;
use crate::http::{HttpRequest, HttpResponse};
use crate::store::{Store, SubjectRecord};

pub async fn handle<S: Store + 'static>(
    app: &App<S>,
    site_id: &str,
    request: &str,
    req: &HttpRequest,
    facts: &RequestFacts<'_>,
) -> Result<HttpResponse, AppError> {
    let (site, principal) = admin_site(app, site_id, req, facts, Action::ManageSubjects).await?;
    require_method(req, &["POST"])?;
    if !matches!(request, "access" | "erase" | "restrict") {
        return Err(AppError::NotFound(format!(
            "no subject request '{request}' (access, erase or restrict)"
        )));
    }
    let input: SubjectRequest = json_body(req)?;
    let email = admin_email(&input.email)?;
    let act = match request {
        "access" => SubjectAct::Access,
        "erase" => SubjectAct::Erase,
        _ => SubjectAct::Restrict(
            input
                .restricted
                .ok_or_else(|| AppError::BadRequest("'restricted' (true or false) is required".into()))?,
        ),
    };
    match act_on_subject(app, &site, principal.actor(), act, &email, req, facts).await? {
        SubjectOutcome::NotHeld => Err(AppError::NotFound("no data is held about this address".into())),
        SubjectOutcome::Exported(export) => Ok(export_response(&site, export)),
        SubjectOutcome::Erased { subject } => {
            Ok(HttpResponse::json(200, &Erased { erased: true, subject, suppressed: true }))
        }
        SubjectOutcome::Restricted { subject, restricted } => {
            Ok(HttpResponse::json(200, &Restricted { restricted, subject }))
        }
    }
}

/// A request about one person, received by the organisation (API or console).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectAct {
    Access,
    Erase,
    Restrict(bool),
}

/// What a [`SubjectAct`] came to.
#[derive(Debug, Clone, PartialEq)]
pub enum SubjectOutcome {
    /// Nothing is held about the address (looked up, recorded as such).
    NotHeld,
    /// Everything held, as [`subject_export`] writes it.
    Exported(Value),
    Erased {
        subject: String,
    },
    Restricted {
        subject: String,
        restricted: bool,
    },
}

/// Does `act` for `email` on `site` as `actor`, and records it in the audit trail before the
/// answer leaves (found or not). The one implementation the API and the console share.
pub async fn act_on_subject<S: Store + 'static>(
    app: &App<S>,
    site: &SiteConfig,
    actor: Actor,
    act: SubjectAct,
    email: &Email,
    req: &HttpRequest,
    facts: &RequestFacts<'_>,
) -> Result<SubjectOutcome, AppError> {
    let subject = app.subject_for(&site.id, email).await?;
    let now = format_utc(facts.now);
    let held = app.store.subject_record(&site.id, &subject).await?;
    let audit = |kind: AuditKind, detail: Value| AuditEntry {
        site: &site.id,
        actor: actor.clone(),
        kind,
        detail,
        client_ip: client_ip(req),
    };
    let not_held = || audit(AuditKind::SubjectLookedUp, json!({"subject": subject, "found": false}));
    match act {
        SubjectAct::Access => {
            let Some(held) = held else {
                record(app, not_held(), facts.now).await?;
                return Ok(SubjectOutcome::NotHeld);
            };
            let export = subject_export(app, site, &subject, &held, &now).await?;
            let events = export["history"].as_array().map_or(0, Vec::len);
            let entry = audit(AuditKind::SubjectExported, json!({"subject": subject, "events": events}));
            record(app, entry, facts.now).await?;
            Ok(SubjectOutcome::Exported(export))
        }
        SubjectAct::Erase => {
            let erasure =
                Erasure { actor: actor.clone(), held: held.is_some(), via: None, client_ip: client_ip(req) };
            erase_subject(app, &site.id, &subject, erasure, facts.now).await?;
            Ok(SubjectOutcome::Erased { subject })
        }
        SubjectAct::Restrict(restricted) => {
            if held.is_none() {
                record(app, not_held(), facts.now).await?;
                return Ok(SubjectOutcome::NotHeld);
            }
            app.store.set_restricted(&site.id, &subject, restricted, &now).await?;
            let entry =
                audit(AuditKind::SubjectRestricted, json!({"subject": subject, "restricted": restricted}));
            record(app, entry, facts.now).await?;
            Ok(SubjectOutcome::Restricted { subject, restricted })
        }
    }
}

/// Who erases a subject, and on what occasion (recorded with the erasure).
pub struct Erasure<'a> {
    pub actor: Actor,
    /// Whether anything was held about the subject.
    pub held: bool,
    /// The bulk erasure job this is part of (a data review), if any.
    pub via: Option<&'a str>,
    pub client_ip: Option<&'a str>,
}

/// Erases one subject (address and name deleted, history kept under the HMAC id, suppression
/// so it is never re-added) and records it in the audit trail: the one erasure path, for one
/// person (API, console) and for a review's bulk erasure alike.
pub async fn erase_subject<S: Store + 'static>(
    app: &App<S>,
    site: &str,
    subject: &str,
    erasure: Erasure<'_>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), AppError> {
    app.store.erase_subject(site, subject, &format_utc(now)).await?;
    let mut detail = json!({"subject": subject, "held": erasure.held});
    if let Some(job) = erasure.via {
        detail["review_erasure"] = json!(job);
    }
    let entry = AuditEntry {
        site,
        actor: erasure.actor,
        kind: AuditKind::SubjectErased,
        detail,
        client_ip: erasure.client_ip,
    };
    record(app, entry, now).await
}

/// Everything held about a subject, as one machine-readable document (UK GDPR arts. 15 and 20).
pub async fn subject_export<S: Store + 'static>(
    app: &App<S>,
    site: &SiteConfig,
    subject: &str,
    held: &SubjectRecord,
    now: &str,
) -> Result<Value, AppError> {
    let current = app.store.current_consents(&site.id, subject).await?;
    Ok(json!({
        "format": "consent-subject-export/v1",
        "exported_at": now,
        "organisation": site.organisation,
        "site": site.id,
        "email": held.email,
        "name": held.name,
        "subject": subject,
        "restricted": held.restricted,
        "suppressed": app.store.is_suppressed(&site.id, subject).await?,
        "first_seen": held.created_at,
        "last_changed": held.updated_at,
        "current_choices": current,
        "contact_bases": contact_bases(site, &current),
        "history": with_wording(site, app.store.subject_events(&site.id, subject).await?),
        "requests_and_complaints": register_entries(app, site, subject).await?,
    }))
}

/// The person's own entries in the register: what they asked, when, and where it stands — not
/// the staff's notes, nor who handled it.
async fn register_entries<S: Store + 'static>(
    app: &App<S>,
    site: &SiteConfig,
    subject: &str,
) -> Result<Vec<Value>, AppError> {
    let rows = app.store.register_entries_of_subject(&site.id, subject).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let e = row.entry;
            json!({
                "reference": e.reference,
                "kind": e.kind,
                "arrival": e.arrival,
                "received_on": e.received_on,
                "status": e.status,
                "acknowledged_on": e.acknowledged_on,
                "extended_on": e.extended_on,
                "closed_on": e.closed_on,
            })
        })
        .collect())
}

/// Per purpose × channel of the site: the basis its definition names and the basis (if any) on
/// which the organisation may contact the person now.
fn contact_bases(site: &SiteConfig, current: &[crate::store::CurrentConsent]) -> Vec<Value> {
    site.purposes
        .iter()
        .map(|pc| {
            let state =
                current.iter().find(|c| c.purpose == pc.purpose && c.channel == pc.channel).map(|c| c.action);
            json!({
                "purpose": pc.purpose,
                "channel": pc.channel,
                "basis": pc.basis,
                "contacted_on": consent_shared::basis::basis_in_force(pc.basis, state),
            })
        })
        .collect()
}

/// Each event with the label and exact text of the wording it records, so the file alone shows
/// what the person was asked.
fn with_wording(site: &SiteConfig, events: Vec<ConsentEvent>) -> Vec<Value> {
    events
        .into_iter()
        .map(|e| {
            let wording = site.wording_of(&e).map(|w| json!({"label": w.label, "text": w.text}));
            let mut item = serde_json::to_value(&e).expect("events serialise");
            item["wording"] = wording.unwrap_or(Value::Null);
            item
        })
        .collect()
}

/// The export as a JSON file download.
pub fn export_response(site: &SiteConfig, export: Value) -> HttpResponse {
    HttpResponse::json(200, &export)
        .with_header("content-disposition", &format!("attachment; filename=\"{}-my-data.json\"", site.id))
        .with_header("cache-control", "no-store")
}
