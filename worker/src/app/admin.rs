//! Admin endpoints (Bearer `ADMIN_KEY`): defining sites, recording choices that arrived on paper
//! or by import, suppressions, and the audience that may be contacted now (verification is in
//! `verify`).

use std::rc::Rc;

use consent_shared::api::v1::{
    AudienceCount, AudienceMember, RecordedChanges, SiteDefinition, Suppressed, SuppressionRequest,
};
use consent_shared::audit::AuditKind;
use consent_shared::basis::LawfulBasis;
use consent_shared::email::Email;
use consent_shared::ledger::validate_recorded_changes;
use consent_shared::site::{Channel, SiteConfig};
use consent_shared::site_edit::apply_definition;
use consent_shared::subject::subject_id;
use consent_shared::time::format_utc;
use futures_util::stream;
use serde_json::json;

use chrono::{DateTime, Utc};
use consent_shared::access::{Action, Actor, Principal};

use super::audit::{client_ip, record, AuditEntry};
use super::auth::authorize;
use super::ledger::{append, request_context, Answering, Appended};
use super::links::LinkSigner;
use super::{json_body, require_method, App, RequestFacts};
use crate::error::AppError;
use crate::http::{BodyStream, HttpRequest, HttpResponse};
use crate::store::{AudienceFilter, Store};

/// Rows fetched per storage round trip by exports and verification.
pub const PAGE_SIZE: u32 = 1000;

/// The site an admin request names and who is asking, once they are allowed `action` there
/// (`auth::authorize`). Handlers pass the `Principal` on to the audit trail
/// (`principal.actor()`).
pub(crate) async fn admin_site<S: Store + 'static>(
    app: &App<S>,
    site_id: &str,
    req: &HttpRequest,
    facts: &RequestFacts<'_>,
    action: Action,
) -> Result<(SiteConfig, Principal), AppError> {
    let principal = authorize(app, site_id, req, facts, action).await?;
    let site = app
        .store
        .site(site_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("unknown site '{site_id}'")))?;
    Ok((site, principal))
}

/// What a site definition changed, for the audit trail: versions and counts, never the texts.
pub(crate) fn site_change(before: Option<&SiteConfig>, after: &SiteConfig) -> serde_json::Value {
    let changed_wordings: Vec<String> = after
        .purposes
        .iter()
        .filter(|p| {
            before.is_none_or(|b| {
                !b.purposes.iter().any(|o| {
                    o.purpose == p.purpose && o.channel == p.channel && o.current_version == p.current_version
                })
            })
        })
        .map(|p| format!("{}/{} v{}", p.purpose, p.channel.as_str(), p.current_version))
        .collect();
    json!({
        "created": before.is_none(),
        "policy_version": after.policy_version,
        "policy_version_changed": before.is_some_and(|b| b.policy_version != after.policy_version),
        "new_wording_versions": changed_wordings,
        "purposes": after.purposes.len(),
        "cookie_categories": after.cookie_categories.len(),
        "origins": after.allowed_origins.len(),
        "origins_changed": before.is_some_and(|b| b.allowed_origins != after.allowed_origins),
        "organisation_changed": before.is_some_and(|b| b.organisation != after.organisation),
        "double_opt_in": after.double_opt_in,
    })
}

/// `GET` the stored site (every wording version), or `PUT` a definition of it.
pub async fn site<S: Store + 'static>(
    app: &App<S>,
    site_id: &str,
    req: &HttpRequest,
    facts: &mut RequestFacts<'_>,
) -> Result<HttpResponse, AppError> {
    let action = if req.method == "PUT" { Action::WriteSite } else { Action::ReadSite };
    let actor = authorize(app, site_id, req, facts, action).await?.actor();
    require_method(req, &["GET", "PUT"])?;
    let existing = app.store.site(site_id).await?;
    if req.method == "GET" {
        let site = existing.ok_or_else(|| AppError::NotFound(format!("unknown site '{site_id}'")))?;
        return Ok(HttpResponse::json(200, &site));
    }
    let definition: SiteDefinition = json_body(req)?;
    let site = apply_definition(site_id, existing.as_ref(), &definition)?;
    store_site(app, existing.as_ref(), &site, actor, req, facts.now).await?;
    Ok(HttpResponse::json(if existing.is_some() { 200 } else { 201 }, &site))
}

/// Stores `site` (what `apply_definition` made of a definition and the stored `before`), makes
/// this isolate forget its copy, and records the change with `actor` in the audit trail: the one
/// path the API (`PUT …/sites/{site}`) and the console's site pages share.
pub(crate) async fn store_site<S: Store + 'static>(
    app: &App<S>,
    before: Option<&SiteConfig>,
    site: &SiteConfig,
    actor: Actor,
    req: &HttpRequest,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    app.store.put_site(site, &format_utc(now)).await?;
    app.isolate.forget_site(&site.id);
    let detail = site_change(before, site);
    let entry =
        AuditEntry { site: &site.id, actor, kind: AuditKind::SiteChanged, detail, client_ip: client_ip(req) };
    record(app, entry, now).await
}

/// Grants and withdrawals received another way (paper forms, imports, letters, calls).
pub async fn record_changes<S: Store + 'static>(
    app: &App<S>,
    site_id: &str,
    req: &HttpRequest,
    facts: &mut RequestFacts<'_>,
) -> Result<HttpResponse, AppError> {
    let (site, principal) = admin_site(app, site_id, req, facts, Action::WriteConsents).await?;
    require_method(req, &["POST"])?;
    let input: RecordedChanges = json_body(req)?;
    let appended = record_changes_as(app, &site, principal.actor(), &input, req, facts).await?;
    appended.into_trusted_response(&site)
}

/// Records `input` for `site` as `actor` (validated first; nothing written unless all is valid)
/// and its audit entry: the one implementation the API and the console share.
pub(crate) async fn record_changes_as<S: Store + 'static>(
    app: &App<S>,
    site: &SiteConfig,
    actor: Actor,
    input: &RecordedChanges,
    req: &HttpRequest,
    facts: &mut RequestFacts<'_>,
) -> Result<Appended, AppError> {
    let (email, choices, provenance) = validate_recorded_changes(site, input)?;
    let ctx = request_context(req, facts)?;
    let subject = subject_id(&app.config.subject_key, &site.id, &email);
    let appended =
        append(app, site, email, &choices, &provenance, &ctx, Answering::Trusted, req, facts).await?;
    let outcome = match &appended {
        Appended::Recorded(_) => "recorded",
        Appended::Replayed(_) => "replayed",
        Appended::Suppressed(_) => "refused_suppressed",
    };
    let detail = json!({"subject": subject, "changes": choices.len(), "outcome": outcome});
    let entry = AuditEntry {
        site: &site.id,
        actor,
        kind: AuditKind::ConsentRecordedByAdmin,
        detail,
        client_ip: client_ip(req),
    };
    record(app, entry, facts.now).await?;
    Ok(appended)
}

/// An email given by an administrator: a malformed one is a bad request.
pub(crate) fn admin_email(raw: &str) -> Result<Email, AppError> {
    Email::parse(raw).map_err(|e| AppError::BadRequest(e.to_string()))
}

pub async fn suppress<S: Store + 'static>(
    app: &App<S>,
    site_id: &str,
    req: &HttpRequest,
    facts: &mut RequestFacts<'_>,
) -> Result<HttpResponse, AppError> {
    let (site, principal) = admin_site(app, site_id, req, facts, Action::ManageSuppressions).await?;
    let actor = principal.actor();
    require_method(req, &["POST"])?;
    let input: SuppressionRequest = json_body(req)?;
    let email = admin_email(&input.email)?;
    let reason = input.reason.unwrap_or_else(|| "admin".into());
    if reason.len() > 200 {
        return Err(AppError::BadRequest("reason must be at most 200 characters".into()));
    }
    // `erasure` is what the erase request records, after it has removed the address and name;
    // a suppression saying so would claim an erasure that did not happen.
    if reason.trim().eq_ignore_ascii_case("erasure") {
        return Err(AppError::BadRequest(format!(
            "reason 'erasure' is kept for erasures: use POST /api/v1/admin/sites/{}/subjects/erase",
            site.id
        )));
    }
    let subject =
        super::suppression_list::add_suppression_as(app, &site.id, actor, &email, &reason, None, req, facts)
            .await?;
    Ok(HttpResponse::json(200, &Suppressed { subject, suppressed: true }))
}

/// Everyone who may be contacted now for `?purpose=&channel=`, streamed page by page as JSON,
/// or as CSV when the request sends `Accept: text/csv`; with `&count=true`, only how many.
pub async fn audience<S: Store + 'static>(
    app: &App<S>,
    site_id: &str,
    req: &HttpRequest,
    facts: &RequestFacts<'_>,
) -> Result<HttpResponse, AppError> {
    let (site, principal) = admin_site(app, site_id, req, facts, Action::ReadAudience).await?;
    let actor = principal.actor();
    require_method(req, &["GET"])?;
    let csv = req.header("accept").is_some_and(|a| a.contains("text/csv"));
    export_audience(app, &site, actor, csv, req, facts).await
}

/// The audience `?purpose=&channel=[&basis=][&count=true]` of `site`, counted or exported (CSV
/// when `csv`) for `actor` — the API key, or the console's signed-in person — and recorded in
/// the audit trail with its row count before the first row leaves.
pub(crate) async fn export_audience<S: Store + 'static>(
    app: &App<S>,
    site: &SiteConfig,
    actor: consent_shared::access::Actor,
    csv: bool,
    req: &HttpRequest,
    facts: &RequestFacts<'_>,
) -> Result<HttpResponse, AppError> {
    let site_id = site.id.as_str();
    let purpose = req
        .query_param("purpose")
        .ok_or_else(|| AppError::BadRequest("query parameter 'purpose' is required".into()))?;
    let channel_raw = req
        .query_param("channel")
        .ok_or_else(|| AppError::BadRequest("query parameter 'channel' is required".into()))?;
    let channel = Channel::parse(&channel_raw).ok_or_else(|| {
        AppError::BadRequest(format!("unknown channel '{channel_raw}' (email, post, phone or sms)"))
    })?;
    let Some(pc) = site.purpose(&purpose, channel) else {
        return Err(AppError::NotFound(format!(
            "site '{site_id}' has no purpose '{purpose}' on channel '{channel_raw}'"
        )));
    };
    let filter = audience_filter(pc.basis, req.query_param("basis").as_deref())?;
    let count_only = match req.query_param("count").as_deref() {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            return Err(AppError::BadRequest(format!("'count' must be true or false, not '{other}'")))
        }
    };
    if count_only {
        let count = app.store.audience_count(&site.id, &purpose, channel, filter).await?;
        let detail = json!({"purpose": purpose, "channel": channel.as_str(), "basis": req.query_param("basis"), "rows": count});
        let entry = AuditEntry {
            site: &site.id,
            actor,
            kind: AuditKind::AudienceCounted,
            detail,
            client_ip: client_ip(req),
        };
        record(app, entry, facts.now).await?;
        let answer = AudienceCount { site: site.id.clone(), purpose, channel, count };
        return Ok(HttpResponse::json(200, &answer).with_header("cache-control", "no-store"));
    }
    let format = if csv { ExportFormat::Csv } else { ExportFormat::Json };
    // Counted and recorded before the first row leaves: an export cut short (or a client that
    // stops reading) is in the trail all the same. The count is the audience when the export
    // began; the stream pages through it in subject order.
    let rows = app.store.audience_count(&site.id, &purpose, channel, filter).await?;
    let detail = json!({
        "purpose": purpose,
        "channel": channel.as_str(),
        "format": if csv { "csv" } else { "json" },
        "basis": req.query_param("basis"),
        "rows": rows,
    });
    let entry = AuditEntry {
        site: &site.id,
        actor,
        kind: AuditKind::AudienceExported,
        detail,
        client_ip: client_ip(req),
    };
    record(app, entry, facts.now).await?;
    let links = LinkSigner::for_request(app, req, facts);
    let stream =
        audience_stream(Rc::clone(&app.store), site.id.clone(), purpose, channel, filter, format, links);
    let content_type = if csv { "text/csv; charset=utf-8" } else { "application/json; charset=utf-8" };
    Ok(HttpResponse::streaming(200, content_type, stream).with_header("cache-control", "no-store"))
}

/// Who an audience lists: `?basis=` picks one list (the ICO expects consent and soft opt-in
/// lists kept apart); without it, everyone who may be contacted, each row with its basis.
fn audience_filter(purpose_basis: LawfulBasis, asked: Option<&str>) -> Result<AudienceFilter, AppError> {
    let asked = match asked {
        None => None,
        Some(raw) => Some(LawfulBasis::parse(raw).ok_or_else(|| {
            AppError::BadRequest(format!(
                "unknown basis '{raw}' (consent, charity_soft_opt_in or legitimate_interests)"
            ))
        })?),
    };
    let held = purpose_basis == LawfulBasis::LegitimateInterests;
    match (asked, held) {
        (None, false) => Ok(AudienceFilter::ConsentOrSoftOptIn),
        (None | Some(LawfulBasis::LegitimateInterests), true) => Ok(AudienceFilter::HeldNotObjected),
        (Some(LawfulBasis::Consent), _) => Ok(AudienceFilter::Consent),
        (Some(LawfulBasis::CharitySoftOptIn), false) => Ok(AudienceFilter::SoftOptIn),
        (Some(other), _) => Err(AppError::BadRequest(format!(
            "this purpose rests on {}, so nobody is on it by {}",
            purpose_basis.as_str(),
            other.as_str()
        ))),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ExportFormat {
    Json,
    Csv,
}

struct ExportState<S> {
    store: Rc<S>,
    site: String,
    purpose: String,
    channel: Channel,
    filter: AudienceFilter,
    format: ExportFormat,
    links: LinkSigner,
    after: String,
    started: bool,
    done: bool,
}

fn audience_stream<S: Store + 'static>(
    store: Rc<S>,
    site: String,
    purpose: String,
    channel: Channel,
    filter: AudienceFilter,
    format: ExportFormat,
    links: LinkSigner,
) -> BodyStream {
    let state = ExportState {
        store,
        site,
        purpose,
        channel,
        filter,
        format,
        links,
        after: String::new(),
        started: false,
        done: false,
    };
    Box::pin(stream::unfold(state, |mut st| async move {
        if st.done {
            return None;
        }
        let page =
            st.store.audience_page(&st.site, &st.purpose, st.channel, st.filter, &st.after, PAGE_SIZE).await;
        let rows = match page {
            Ok(rows) => rows,
            Err(e) => {
                st.done = true;
                return Some((Err(e.to_string()), st));
            }
        };
        let mut chunk = String::new();
        if !st.started {
            chunk.push_str(&export_header(&st));
        }
        for (i, member) in rows.iter().enumerate() {
            let first = !st.started && i == 0;
            let mut member = member.clone();
            let purpose = Some(st.purpose.clone());
            member.unsubscribe_url =
                Some(st.links.unsubscribe_url(&st.site, &member.subject, purpose, st.channel));
            member.preferences_url = Some(st.links.preferences_url(&st.site, &member.subject));
            chunk.push_str(&export_row(st.format, &member, first));
        }
        st.started = true;
        match rows.last() {
            Some(last) if rows.len() == PAGE_SIZE as usize => st.after = last.subject.clone(),
            _ => {
                st.done = true;
                if st.format == ExportFormat::Json {
                    chunk.push_str("]}");
                }
            }
        }
        Some((Ok(chunk.into_bytes()), st))
    }))
}

fn export_header<S>(st: &ExportState<S>) -> String {
    match st.format {
        ExportFormat::Csv => {
            "email,subject,granted_at,event_id,unsubscribe_url,preferences_url,basis,name\r\n".into()
        }
        ExportFormat::Json => {
            let head = json!({"site": st.site, "purpose": st.purpose, "channel": st.channel});
            let head = head.to_string();
            format!("{},\"members\":[", &head[..head.len() - 1])
        }
    }
}

fn export_row(format: ExportFormat, m: &AudienceMember, first: bool) -> String {
    match format {
        ExportFormat::Json => {
            let row = serde_json::to_string(m).expect("members serialise");
            if first {
                row
            } else {
                format!(",{row}")
            }
        }
        ExportFormat::Csv => format!(
            "{},{},{},{},{},{},{},{}\r\n",
            csv_field(&m.email),
            csv_field(&m.subject),
            csv_field(&m.granted_at),
            csv_field(&m.event_id),
            csv_field(m.unsubscribe_url.as_deref().unwrap_or("")),
            csv_field(m.preferences_url.as_deref().unwrap_or("")),
            m.basis.map_or("", LawfulBasis::as_str),
            csv_field(m.name.as_deref().unwrap_or(""))
        ),
    }
}

/// RFC 4180 quoting, plus a leading `'` on values a spreadsheet would run as a formula.
pub(super) fn csv_field(value: &str) -> String {
    let guarded = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if guarded.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn csv_fields_are_quoted_and_formula_safe() {
        assert_eq!(csv_field("ada@example.org"), "ada@example.org");
        assert_eq!(csv_field("=cmd@example.org"), "'=cmd@example.org");
        assert_eq!(csv_field("a,b\"c"), "\"a,b\"\"c\"");
    }
}
