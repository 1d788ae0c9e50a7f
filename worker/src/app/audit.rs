//! The audit trail: who did what to which site's data, when and from where — append-only, per
//! site, a keyed hash chain like the ledger's. Every administrative act calls [`record`]; the
//! trail is read with `GET /api/v1/admin/sites/{site}/audit` (JSON or CSV) and checked by
//! `ledger/verify`.
//!
//! Entries are chained at append time (the trail is low volume): read the head, link the entry
//! under `LEDGER_KEY`, insert entry and link as one row. Two appends racing for one place: the
//! primary key `(site_id, seq)` lets one win and the other re-reads the head and tries again, so
//! the chain never forks and needs no later sealing pass.

use chrono::{DateTime, NaiveDate, Utc};
use consent_shared::access::Actor;
use consent_shared::api::v1::{self, AuditChainReport, AuditPage};
use consent_shared::audit::{actor_type, AuditKind, AuditRecord};
use consent_shared::chain::{ChainKind, SealedItem};
use consent_shared::ledger::truncate_ip;
use consent_shared::time::format_utc;
use serde_json::{json, Value};

use super::admin::{admin_site, PAGE_SIZE};
use super::anchors::check_audit_anchor;
use super::retention::{finish_report, verification_start};
use super::upkeep::PurgeReport;
use super::verify::{walk_chain, ChainedRow};
use super::{log_internal, require_method, App, RequestFacts};
use crate::error::AppError;
use crate::http::{HttpRequest, HttpResponse};
use crate::store::audit::{AuditFilter, CheckCount, StoredAudit};
use crate::store::{Store, StoreError};
use consent_shared::access::Action;

/// One administrative act, without personal data (subject HMAC ids, counts, key prefixes).
pub struct AuditEntry<'a> {
    pub site: &'a str,
    pub actor: Actor,
    pub kind: AuditKind,
    /// What was done, as a small JSON object: ids, counts, names of roles and scopes.
    pub detail: serde_json::Value,
    /// The client's address as the edge saw it (`cf-connecting-ip`); the trail keeps it truncated.
    pub client_ip: Option<&'a str>,
}

/// How often an append re-reads the head after losing a race for its place.
const APPEND_ATTEMPTS: u32 = 8;
/// Entries per page when `?limit=` is not given, and the most a page may hold.
pub const AUDIT_PAGE_DEFAULT: u32 = 100;
pub const AUDIT_PAGE_MAX: u32 = 500;

/// The client address a request came from, as the edge reports it.
pub fn client_ip(req: &HttpRequest) -> Option<&str> {
    req.header("cf-connecting-ip")
}

/// Appends `entry` to its site's trail. A failure is an error for the caller: an act that
/// cannot be recorded should not be answered as done (reads of personal data record first).
pub async fn record<S: Store>(
    app: &App<S>,
    entry: AuditEntry<'_>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    record_in(&*app.store, &app.config.ledger_key, entry, now).await
}

/// `record` for work that runs after the response and holds the store and the key, not the app.
pub async fn record_in<S: Store>(
    store: &S,
    ledger_key: &[u8],
    entry: AuditEntry<'_>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let record = record_of(&entry, now);
    chain_in(store, ledger_key, record, |r, l| async move { store.append_audit(&r, &l).await })
        .await
        .map_err(|e| AppError::Internal(format!("audit trail of {}: {e}", entry.site)))
}

/// `record` for a change that must never be stored unaudited: `write` stores the change and the
/// linked entry in one batch (a `Conflict` on the entry's place re-reads the head and retries).
pub async fn record_together<S, W, Fut>(
    app: &App<S>,
    entry: AuditEntry<'_>,
    now: DateTime<Utc>,
    write: W,
) -> Result<(), AppError>
where
    S: Store,
    W: Fn(AuditRecord, consent_shared::chain::ChainLink) -> Fut,
    Fut: std::future::Future<Output = Result<(), StoreError>>,
{
    let record = record_of(&entry, now);
    chain_in(&*app.store, &app.config.ledger_key, record, write)
        .await
        .map_err(|e| AppError::Internal(format!("audit trail of {}: {e}", entry.site)))
}

fn record_of(entry: &AuditEntry<'_>, now: DateTime<Utc>) -> AuditRecord {
    AuditRecord {
        site_id: entry.site.to_string(),
        seq: 0,
        at: format_utc(now),
        actor_type: actor_type(&entry.actor).to_string(),
        actor: entry.actor.label(),
        kind: entry.kind.as_str().to_string(),
        ip: entry.client_ip.and_then(truncate_ip),
        detail: entry.detail.to_string(),
    }
}

/// Links `record` after its site's current head and hands it to `write`, re-reading the head
/// whenever another append took the place first.
async fn chain_in<S, W, Fut>(
    store: &S,
    key: &[u8],
    mut record: AuditRecord,
    write: W,
) -> Result<(), StoreError>
where
    S: Store,
    W: Fn(AuditRecord, consent_shared::chain::ChainLink) -> Fut,
    Fut: std::future::Future<Output = Result<(), StoreError>>,
{
    for _ in 0..APPEND_ATTEMPTS {
        let head = store.audit_head(&record.site_id).await?;
        record.seq = head.seq + 1;
        let link = record.link(key, &head);
        match write(record.clone(), link).await {
            Err(StoreError::Conflict) => continue,
            done => return done,
        }
    }
    Err(StoreError::Conflict)
}

// ---- reading the trail -------------------------------------------------------------------------

/// `GET /api/v1/admin/sites/{site}/audit`: a page of the trail, newest first, as JSON or CSV
/// (`?format=csv` or `Accept: text/csv`). Reading it is itself recorded.
pub async fn list<S: Store + 'static>(
    app: &App<S>,
    site_id: &str,
    req: &HttpRequest,
    facts: &RequestFacts<'_>,
) -> Result<HttpResponse, AppError> {
    let (site, principal) = admin_site(app, site_id, req, facts, Action::ReadAudit).await?;
    let actor = principal.actor();
    require_method(req, &["GET"])?;
    let query = AuditQuery::parse(req)?;
    let (entries, next_before) = read_trail(app, &site.id, actor, &query, client_ip(req), facts.now).await?;
    let response = if query.csv {
        let mut r = HttpResponse {
            status: 200,
            headers: vec![("content-type".into(), "text/csv; charset=utf-8".into())],
            body: audit_csv(&entries)?,
            stream: None,
        }
        .with_header("content-disposition", &format!("attachment; filename=\"{}-audit.csv\"", site.id));
        if let Some(before) = next_before {
            r = r.with_header("x-next-before", &before.to_string());
        }
        r
    } else {
        HttpResponse::json(200, &AuditPage { site: site.id.clone(), entries, next_before })
    };
    Ok(response.with_header("cache-control", "no-store"))
}

/// A page of `site`'s trail as `query` asks, read by `actor` (an API key or the console's
/// signed-in person) and recorded as `audit_read`; with the `before` of the next page.
pub(super) async fn read_trail<S: Store + 'static>(
    app: &App<S>,
    site: &str,
    actor: Actor,
    query: &AuditQuery,
    ip: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(Vec<v1::AuditEntry>, Option<i64>), AppError> {
    let mut entries = app.store.audit_page(site, &query.filter, query.limit + 1).await?;
    let next_before = (entries.len() > query.limit as usize).then(|| {
        entries.truncate(query.limit as usize);
        entries.last().map(|e| e.record.seq).unwrap_or_default()
    });
    let detail = json!({
        "format": if query.csv { "csv" } else { "json" },
        "entries": entries.len(),
        "actor": query.filter.actor,
        "kind": query.filter.kind,
        "since": query.filter.since,
        "until": query.filter.until,
        "before": query.filter.before,
    });
    let entry = AuditEntry { site, actor, kind: AuditKind::AuditRead, detail, client_ip: ip };
    record(app, entry, now).await?;
    Ok((entries.into_iter().map(wire_entry).collect(), next_before))
}

/// What `?limit=&before=&actor=&kind=&since=&until=&format=` ask for.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct AuditQuery {
    pub(super) filter: AuditFilter,
    pub(super) limit: u32,
    pub(super) csv: bool,
}

impl AuditQuery {
    pub(super) fn parse(req: &HttpRequest) -> Result<AuditQuery, AppError> {
        let bad = |m: String| AppError::BadRequest(m);
        let limit = match req.query_param("limit") {
            None => AUDIT_PAGE_DEFAULT,
            Some(raw) => {
                raw.parse::<u32>().ok().filter(|n| (1..=AUDIT_PAGE_MAX).contains(n)).ok_or_else(|| {
                    bad(format!("'limit' must be a whole number from 1 to {AUDIT_PAGE_MAX}"))
                })?
            }
        };
        let before = match req.query_param("before").filter(|v| !v.is_empty()) {
            None => None,
            Some(raw) => Some(
                raw.parse::<i64>()
                    .ok()
                    .filter(|n| *n >= 1)
                    .ok_or_else(|| bad("'before' must be an entry's seq (a whole number from 1)".into()))?,
            ),
        };
        let kind = match req.query_param("kind").filter(|v| !v.is_empty()) {
            None => None,
            Some(raw) => Some(
                AuditKind::parse(&raw)
                    .ok_or_else(|| {
                        bad(format!("unknown kind '{raw}' (e.g. audience_exported, subject_erased)"))
                    })?
                    .as_str()
                    .to_string(),
            ),
        };
        let actor = req.query_param("actor").filter(|a| !a.is_empty());
        if actor.as_ref().is_some_and(|a| a.len() > 200) {
            return Err(bad("'actor' must be at most 200 characters".into()));
        }
        let since =
            req.query_param("since").filter(|v| !v.is_empty()).map(|s| bound(&s, false)).transpose()?;
        let until =
            req.query_param("until").filter(|v| !v.is_empty()).map(|s| bound(&s, true)).transpose()?;
        let csv = match req.query_param("format").as_deref() {
            Some("csv") => true,
            Some("json") => false,
            Some(other) => return Err(bad(format!("unknown format '{other}' (json or csv)"))),
            None => req.header("accept").is_some_and(|a| a.contains("text/csv")),
        };
        Ok(AuditQuery { filter: AuditFilter { before, actor, kind, since, until }, limit, csv })
    }
}

/// A `since`/`until` value as a stored time: a date (`2026-11-01`, the whole day) or an RFC 3339
/// time.
fn bound(raw: &str, end_of_day: bool) -> Result<String, AppError> {
    if let Ok(day) = NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        let time = if end_of_day { day.and_hms_milli_opt(23, 59, 59, 999) } else { day.and_hms_opt(0, 0, 0) };
        return Ok(format_utc(time.expect("a valid time of day").and_utc()));
    }
    DateTime::parse_from_rfc3339(raw)
        .map(|t| format_utc(t.to_utc()))
        .map_err(|_| AppError::BadRequest(format!("'{raw}' is not a date (2026-11-01) or an RFC 3339 time")))
}

fn wire_entry(e: StoredAudit) -> v1::AuditEntry {
    let detail = serde_json::from_str(&e.record.detail).unwrap_or(Value::String(e.record.detail.clone()));
    v1::AuditEntry {
        seq: e.record.seq,
        at: e.record.at,
        actor: e.record.actor,
        actor_type: e.record.actor_type,
        kind: e.record.kind,
        ip: e.record.ip,
        detail,
        prev_hash: e.link.prev_hash,
        hash: e.link.hash,
    }
}

/// The page as CSV (RFC 4180 through the `csv` crate), with a leading `'` on values a
/// spreadsheet would run as a formula.
pub(super) fn audit_csv(entries: &[v1::AuditEntry]) -> Result<Vec<u8>, AppError> {
    let guard = spreadsheet_safe;
    let mut out = csv::Writer::from_writer(Vec::new());
    let failed = |e: csv::Error| AppError::Internal(format!("writing the audit CSV: {e}"));
    out.write_record(["seq", "at", "actor", "actor_type", "kind", "ip", "detail", "prev_hash", "hash"])
        .map_err(failed)?;
    for e in entries {
        out.write_record([
            e.seq.to_string(),
            guard(&e.at),
            guard(&e.actor),
            guard(&e.actor_type),
            guard(&e.kind),
            guard(e.ip.as_deref().unwrap_or("")),
            guard(&e.detail.to_string()),
            e.prev_hash.clone(),
            e.hash.clone(),
        ])
        .map_err(failed)?;
    }
    out.into_inner().map_err(|e| AppError::Internal(format!("writing the audit CSV: {e}")))
}

/// A CSV value with a leading `'` when a spreadsheet would run it as a formula.
pub(super) fn spreadsheet_safe(v: &str) -> String {
    if v.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{v}")
    } else {
        v.into()
    }
}

// ---- verification --------------------------------------------------------------------------------

impl ChainedRow for StoredAudit {
    fn link(&self) -> &consent_shared::chain::ChainLink {
        &self.link
    }
    fn sealed_item(&self) -> Option<SealedItem> {
        Some(SealedItem { id: self.record.seq.to_string(), hash: self.record.hash(), marked: true })
    }
}

/// Recomputes the site's trail, page by page: an altered entry, a missing one (a gap) and one
/// rewritten without `LEDGER_KEY` each break it at their place; the latest audit anchor (R2)
/// catches the newest entries deleted.
pub async fn verify_trail<S: Store + 'static>(
    app: &App<S>,
    site: &str,
) -> Result<AuditChainReport, AppError> {
    let (start, mut purged) = verification_start(app, site, ChainKind::Audit).await?;
    let (verifier, first_broken) =
        walk_chain(start, |after| app.store.audit_after(site, after, PAGE_SIZE)).await?;
    finish_report(&mut purged, first_broken.is_none());
    let head = verifier.head();
    let anchor = check_audit_anchor(app, site).await.unwrap_or_else(|e| {
        log_internal(&format!("verifying the audit trail of {site}: anchor unreadable: {e}"));
        Some(v1::AnchorReport {
            found: false,
            seq: None,
            cookie_seq: None,
            anchored_at: None,
            extends: false,
            problem: Some("the anchor store could not be read".into()),
        })
    });
    Ok(AuditChainReport {
        valid: first_broken.is_none()
            && anchor.as_ref().is_none_or(|a| a.extends || !a.found)
            && purged.as_ref().is_none_or(|p| p.problem.is_none()),
        purged,
        entries_checked: verifier.checked,
        head_seq: head.seq,
        head_hash: head.hash.clone(),
        first_broken,
        anchor,
    })
}

// ---- the cron's entries ----------------------------------------------------------------------------

/// Check counts summarised per cron run, at most.
const SUMMARY_BATCH: u32 = 500;

/// Turns every finished day's check counts into one `subjects_checked` entry per site, actor and
/// day (the count row goes in the same batch), so the trail says how many addresses each key
/// checked each day, never which. Failures are logged; the next run tries again.
pub async fn summarise_subject_checks<S: Store>(app: &App<S>, now: DateTime<Utc>) {
    let today = now.format("%Y-%m-%d").to_string();
    let counts = match app.store.finished_check_counts(&today, SUMMARY_BATCH).await {
        Ok(counts) => counts,
        Err(e) => return log_internal(&format!("summarising subject checks: {e}")),
    };
    for count in counts {
        if let Err(e) = summarise_one(app, &count, now).await {
            log_internal(&format!("summarising subject checks of {} on {}: {e}", count.site, count.day));
        }
    }
}

async fn summarise_one<S: Store>(
    app: &App<S>,
    count: &CheckCount,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let record = AuditRecord {
        site_id: count.site.clone(),
        seq: 0,
        at: format_utc(now),
        actor_type: count.actor_type.clone(),
        actor: count.actor.clone(),
        kind: AuditKind::SubjectsChecked.as_str().to_string(),
        ip: None,
        detail: json!({"day": count.day, "checks": count.checks}).to_string(),
    };
    let store = &*app.store;
    chain_in(store, &app.config.ledger_key, record, |r, l| async move {
        store.summarise_check_count(count, &r, &l).await
    })
    .await
}

/// Writes what a cron purge removed to each site's trail (`purged`, by the system).
pub async fn record_purges<S: Store>(app: &App<S>, report: &PurgeReport, now: DateTime<Utc>) {
    for (site, counts) in report.per_site() {
        let mut detail = json!({
            "idempotency_answers": counts.idempotency_answers,
            "mail_log_rows": counts.mail_log_rows,
        });
        // Retention purges name their kinds and the cut-offs they used.
        if counts.cookie_decisions > 0 || counts.audit_entries > 0 {
            detail["cookie_decisions"] = json!(counts.cookie_decisions);
            detail["audit_entries"] = json!(counts.audit_entries);
            if let Some(c) = &counts.cutoffs {
                detail["cutoffs"] = json!({
                    "cookie_decisions": c.cookie_decisions,
                    "audit_entries": c.audit_entries,
                    "idempotency_answers": c.idempotency_answers,
                });
            }
        }
        let entry = AuditEntry {
            site: &site,
            actor: Actor::System,
            kind: AuditKind::Purged,
            detail,
            client_ip: None,
        };
        if let Err(e) = record(app, entry, now).await {
            log_internal(&format!("recording the purge of {site}: {}", e.cause()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_queries_as_data() {
        let parse = |q: &str| match AuditQuery::parse(&HttpRequest::new("GET", &format!("/x?{q}"))) {
            Ok(q) => format!("{q:?}"),
            Err(e) => format!("{} {}", e.status(), e),
        };
        let cases = [
            "",
            "limit=500&before=42&actor=admin_key&kind=audience_exported",
            "since=2026-11-01&until=2026-11-30",
            "since=2026-11-01T10:00:00%2B01:00&format=csv",
            "limit=0",
            "limit=501",
            "before=0",
            "kind=exported",
            "since=last-week",
            "format=xml",
        ];
        let actual: String = cases.iter().map(|q| format!("{q:?} -> {}\n", parse(q))).collect();
        expect_test::expect![[r#"
            "" -> AuditQuery { filter: AuditFilter { before: None, actor: None, kind: None, since: None, until: None }, limit: 100, csv: false }
            "limit=500&before=42&actor=admin_key&kind=audience_exported" -> AuditQuery { filter: AuditFilter { before: Some(42), actor: Some("admin_key"), kind: Some("audience_exported"), since: None, until: None }, limit: 500, csv: false }
            "since=2026-11-01&until=2026-11-30" -> AuditQuery { filter: AuditFilter { before: None, actor: None, kind: None, since: Some("2026-11-01T00:00:00.000Z"), until: Some("2026-11-30T23:59:59.999Z") }, limit: 100, csv: false }
            "since=2026-11-01T10:00:00%2B01:00&format=csv" -> AuditQuery { filter: AuditFilter { before: None, actor: None, kind: None, since: Some("2026-11-01T09:00:00.000Z"), until: None }, limit: 100, csv: true }
            "limit=0" -> 400 'limit' must be a whole number from 1 to 500
            "limit=501" -> 400 'limit' must be a whole number from 1 to 500
            "before=0" -> 400 'before' must be an entry's seq (a whole number from 1)
            "kind=exported" -> 400 unknown kind 'exported' (e.g. audience_exported, subject_erased)
            "since=last-week" -> 400 'last-week' is not a date (2026-11-01) or an RFC 3339 time
            "format=xml" -> 400 unknown format 'xml' (json or csv)
        "#]]
        .assert_eq(&actual);
    }
}
