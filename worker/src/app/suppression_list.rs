//! Adding to and lifting from a site's do-not-contact list, for the API and the console alike
//! (one implementation): every add and every removal is in the audit trail, by subject id.

use consent_shared::access::Actor;
use consent_shared::audit::AuditKind;
use consent_shared::email::Email;
use consent_shared::suppression::Reason;
use consent_shared::time::format_utc;
use serde_json::json;

use super::audit::{client_ip, record, AuditEntry};
use super::{App, RequestFacts};
use crate::error::AppError;
use crate::http::HttpRequest;
use crate::store::Store;

/// Suppresses `email` on `site` for `reason`, as `actor`; its subject id. A subject already
/// suppressed keeps its first reason (recorded in the trail all the same).
#[allow(clippy::too_many_arguments)]
pub async fn add_suppression_as<S: Store + 'static>(
    app: &App<S>,
    site: &str,
    actor: Actor,
    email: &Email,
    reason: &str,
    note: Option<&str>,
    req: &HttpRequest,
    facts: &RequestFacts<'_>,
) -> Result<String, AppError> {
    let subject = app.subject_for(site, email).await?;
    let now = format_utc(facts.now);
    let added = app.store.add_suppression(site, &subject, reason, &actor.label(), note, &now).await?;
    // A fixed reason may go in the trail; free text an administrator typed (API) stays out.
    let reason = Reason::parse(reason).map(Reason::as_str);
    let detail = json!({"subject": subject, "reason": reason, "already_suppressed": !added});
    let entry =
        AuditEntry { site, actor, kind: AuditKind::SuppressionAdded, detail, client_ip: client_ip(req) };
    record(app, entry, facts.now).await?;
    Ok(subject)
}

/// Why a suppression was not lifted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotLifted {
    /// No suppression for this subject on the site.
    Missing,
    /// Its reason may not be lifted (only `bounced` may).
    Kept { reason: String },
}

/// Lifts the suppression of `subject` on `site` if its reason allows it (only `bounced`), as
/// `actor`, with a note saying why (kept in the trail).
pub async fn remove_suppression_as<S: Store + 'static>(
    app: &App<S>,
    site: &str,
    actor: Actor,
    subject: &str,
    note: &str,
    req: &HttpRequest,
    facts: &RequestFacts<'_>,
) -> Result<Result<(), NotLifted>, AppError> {
    let Some(row) = app.store.suppression(site, subject).await? else {
        return Ok(Err(NotLifted::Missing));
    };
    if !Reason::parse(&row.reason).is_some_and(Reason::removable) {
        return Ok(Err(NotLifted::Kept { reason: row.reason }));
    }
    if !app.store.remove_suppression(site, subject, &row.reason).await? {
        return Ok(Err(NotLifted::Missing));
    }
    let detail = json!({"subject": subject, "reason": row.reason, "note": note});
    let entry =
        AuditEntry { site, actor, kind: AuditKind::SuppressionRemoved, detail, client_ip: client_ip(req) };
    record(app, entry, facts.now).await?;
    Ok(Ok(()))
}
