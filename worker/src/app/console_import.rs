//! Console → Import (`/admin/sites/{site}/import[/{job}]`, dpo and owner): legacy consents from
//! a pasted CSV. A dry run reports every row (recorded or refused, and why) and keeps the
//! accepted rows as a job in chunks; confirming it lets the job page record one chunk per
//! request (the page refreshes itself until done), each row through the same append path as
//! `POST …/consents/record` (`ledger::append`, trusted), under an idempotency key of its own so
//! a retry records nobody twice. Suppressions, erasures and later decisions are checked in the
//! dry run and again as each chunk is recorded: an import never overrides them.

use std::collections::{HashMap, HashSet};

use consent_shared::audit::AuditKind;
use consent_shared::digest::sha256_hex;
use consent_shared::email::Email;
use consent_shared::ledger::{validate_recorded_changes, RequestContext};
use consent_shared::site::{SiteConfig, Wording};
use consent_shared::subject::subject_id;
use consent_shared::time::format_utc;
use maud::{html, Markup};
use serde_json::json;

use super::audit::{client_ip, record, AuditEntry};
use super::console_site::Console;
use super::csv_upload::{csv_text, describe as describe_upload};
use super::import_csv::{
    dry_run, parse_category_map, FileError, ImportOptions, ImportRow, Layout, Refusal, RowReport, CHUNK_ROWS,
};
use super::ledger::{append, Answering, Appended};
use super::page_text::console_import::ImportText;
use super::page_text::PageLang;
use super::pages::unavailable;
use super::{App, RequestFacts};
use crate::http::{HttpRequest, HttpResponse};
use crate::store::imports::ImportJob;
use crate::store::{Store, StoreError};

/// Accepted rows listed in the dry run's report (every refused row is listed).
const ACCEPTED_SHOWN: usize = 200;
/// The largest file (or paste) the dry run reads: the route's body cap less room for the form's
/// other fields, so a file just over it is answered beside the field, not by the shell's 413.
const MAX_IMPORT_FILE_BYTES: usize = super::MAX_IMPORT_BODY_BYTES - 64 * 1024;
/// Subjects per look-up in the store (one JSON array parameter).
const LOOKUP_SLICE: usize = 500;

pub async fn page<S: Store + 'static>(
    app: &App<S>,
    c: &Console,
    item: Option<&str>,
    req: &HttpRequest,
    facts: &mut RequestFacts<'_>,
) -> HttpResponse {
    let result = match (req.method.as_str(), item) {
        ("POST", None) => match c.form.as_ref().and_then(|f| f.get("action")) {
            Some("confirm") => confirm(app, c, req, facts).await,
            _ => check_file(app, c, req, facts).await,
        },
        (_, None) => Ok(upload_form(c, 200, None)),
        (method, Some(job)) => job_page(app, c, job, method == "GET", req, facts).await,
    };
    result.unwrap_or_else(|e| unavailable(c.lang, &e))
}

fn fill(template: &str, pairs: &[(&str, String)]) -> String {
    pairs.iter().fold(template.to_string(), |s, (k, v)| s.replace(&format!("{{{k}}}"), v))
}

fn upload_form(c: &Console, status: u16, error: Option<String>) -> HttpResponse {
    let t = c.lang.import();
    let body = html! {
        p { (t.intro) }
        p { (t.layouts) }
        p { (t.limit) }
        @if let Some(error) = &error {
            div class="error" role="alert" { p { (t.error_summary) " " a href="#csv_file" { (error) } } }
        }
        form method="post" enctype="multipart/form-data" action={ "/admin/sites/" (c.site.id) "/import" } {
            (c.form_fields())
            input type="hidden" name="action" value="dry_run";
            (file_or_paste(c.lang, t.csv_label, t.csv_hint, error.as_deref()))
            p {
                label for="method" { (t.method_label) } br;
                select id="method" name="method" {
                    option value="admin_import" { "admin_import" }
                    option value="paper_form" { "paper_form" }
                }
            }
            p {
                label for="evidence" { (t.evidence_label) } br;
                small id="evidence-hint" { (t.evidence_hint) } br;
                input type="text" id="evidence" name="evidence" size="80" maxlength="500" aria-describedby="evidence-hint";
            }
            p {
                label for="category_map" { (t.mapping_label) } br;
                small id="mapping-hint" { (t.mapping_hint) } br;
                textarea id="category_map" name="category_map" rows="4" cols="60" aria-describedby="mapping-hint" {}
            }
            button type="submit" { (t.dry_run) }
        }
    };
    c.page(status, t.title, body)
}

/// The two ways to give the file: a file input and a text box, with the one error (if any)
/// beside them and both described by it.
pub fn file_or_paste(lang: PageLang, paste_label: &str, paste_hint: &str, error: Option<&str>) -> Markup {
    let u = lang.people2();
    let described = |hint: &str| match error {
        Some(_) => format!("{hint} csv-error"),
        None => hint.to_string(),
    };
    html! {
        @if let Some(error) = error {
            p class="error" id="csv-error" { (error) }
        }
        p {
            label for="csv_file" { (u.file_label) } br;
            small id="csv-file-hint" { (u.file_hint) } br;
            input type="file" id="csv_file" name="csv_file" accept=".csv,text/csv"
                aria-describedby=(described("csv-file-hint")) aria-invalid=[error.map(|_| "true")];
        }
        p {
            label for="csv" { (u.paste_label) " — " (paste_label) } br;
            small id="csv-hint" { (paste_hint) } br;
            textarea id="csv" name="csv" rows="14" cols="90"
                aria-describedby=(described("csv-hint")) aria-invalid=[error.map(|_| "true")] {}
        }
    }
}

fn file_error(t: &ImportText, e: &FileError) -> String {
    match e {
        FileError::Empty => t.file_empty.to_string(),
        FileError::NoEmailColumn => t.file_no_email.to_string(),
        FileError::TooManyRows => t.file_too_many.to_string(),
        FileError::Unreadable(why) => fill(t.file_unreadable, &[("value", why.clone())]),
    }
}

/// A refusal in words.
pub fn describe(t: &ImportText, r: &Refusal) -> String {
    let v = |template: &str, value: &str| fill(template, &[("value", value.to_string())]);
    match r {
        Refusal::BadEmail => t.bad_email.to_string(),
        Refusal::UnknownChannel(x) => v(t.unknown_channel, x),
        Refusal::UnknownPurpose(x) => v(t.unknown_purpose, x),
        Refusal::NoResponse => t.no_response.to_string(),
        Refusal::UnknownAction(x) => v(t.unknown_action, x),
        Refusal::BadDate(x) => v(t.bad_date, x),
        Refusal::FutureDate => t.future_date.to_string(),
        Refusal::BadMethod(x) => v(t.bad_method, x),
        Refusal::Duplicate { first_line } => fill(t.duplicate, &[("line", first_line.to_string())]),
        Refusal::UnknownWording(n) => v(t.unknown_wording, &n.to_string()),
        Refusal::Invalid(x) => v(t.invalid, x),
        Refusal::Suppressed => t.suppressed.to_string(),
        Refusal::Erased => t.erased.to_string(),
        Refusal::LaterDecision => t.later_decision.to_string(),
    }
}

fn subject_of<S>(app: &App<S>, site: &str, row: &ImportRow) -> String {
    let email = Email::parse(&row.changes.email).expect("validated in the dry run");
    subject_id(&app.config.subject_key, site, &email)
}

/// What the store says against each row: the subject suppressed or erased, or a decision on
/// the same purpose × channel made on or after the row's date. `None` for rows still good.
async fn store_refusals<S: Store>(
    app: &App<S>,
    site: &str,
    rows: &[ImportRow],
) -> Result<Vec<Option<Refusal>>, StoreError> {
    let subjects: Vec<String> = rows.iter().map(|r| subject_of(app, site, r)).collect();
    let mut distinct: Vec<String> = subjects.iter().cloned().collect::<HashSet<_>>().into_iter().collect();
    distinct.sort();
    let mut suppressed: HashMap<String, String> = HashMap::new();
    let mut latest: HashMap<(String, String, String), String> = HashMap::new();
    for slice in distinct.chunks(LOOKUP_SLICE) {
        suppressed.extend(app.store.suppressions_among(site, slice).await?);
        for d in app.store.latest_decisions_among(site, slice).await? {
            latest.insert((d.subject, d.purpose, d.channel), d.decided_at);
        }
    }
    Ok(rows
        .iter()
        .zip(&subjects)
        .map(|(row, subject)| {
            if let Some(reason) = suppressed.get(subject) {
                return Some(if reason == "erasure" { Refusal::Erased } else { Refusal::Suppressed });
            }
            let change = row.change();
            let key = (subject.clone(), change.purpose.clone(), change.channel.as_str().to_string());
            let date = row.changes.occurred_at.as_deref().unwrap_or_default();
            latest.get(&key).filter(|decided| decided.as_str() >= date).map(|_| Refusal::LaterDecision)
        })
        .collect())
}

/// The dry run: reads the pasted file, checks each row, keeps the accepted ones as a job.
async fn check_file<S: Store + 'static>(
    app: &App<S>,
    c: &Console,
    req: &HttpRequest,
    facts: &mut RequestFacts<'_>,
) -> Result<HttpResponse, StoreError> {
    let t = c.lang.import();
    let form = c.form.as_ref().expect("a POST has its form");
    let text = match csv_text(form, "csv_file", "csv", MAX_IMPORT_FILE_BYTES) {
        Ok(text) => text,
        Err(e) => {
            super::log_internal(&format!("console import: file refused: {e:?}"));
            return Ok(upload_form(c, 422, Some(describe_upload(c.lang.people2(), e))));
        }
    };
    let text = text.as_str();
    let options = ImportOptions {
        method: form.get("method").map(|m| match m {
            "paper_form" => consent_shared::consent::Method::PaperForm,
            _ => consent_shared::consent::Method::AdminImport,
        }),
        evidence: form.get("evidence").unwrap_or("").trim().chars().take(500).collect(),
        category_map: parse_category_map(form.get("category_map").unwrap_or("")),
    };
    let (layout, mut reports) = match dry_run(&c.site, text, &options, facts.now) {
        Ok(read) => read,
        Err(e) => return Ok(upload_form(c, 422, Some(file_error(t, &e)))),
    };
    let accepted: Vec<ImportRow> = reports.iter().filter_map(|r| r.outcome.clone().ok()).collect();
    let refusals = store_refusals(app, &c.site.id, &accepted).await?;
    let mut refused_by_store = HashMap::new();
    for (row, refusal) in accepted.iter().zip(refusals) {
        if let Some(refusal) = refusal {
            refused_by_store.insert(row.line, refusal);
        }
    }
    for report in &mut reports {
        if let Some(refusal) = refused_by_store.remove(&report.line) {
            report.outcome = Err(refusal);
        }
    }
    let accepted: Vec<ImportRow> = reports.iter().filter_map(|r| r.outcome.clone().ok()).collect();
    let mut counts: HashMap<&'static str, u32> = HashMap::new();
    for r in &reports {
        if let Err(refusal) = &r.outcome {
            *counts.entry(refusal.code()).or_default() += 1;
        }
    }
    let job = if accepted.is_empty() {
        None
    } else {
        let chunks: Vec<String> = accepted
            .chunks(CHUNK_ROWS)
            .map(|chunk| serde_json::to_string(chunk).expect("rows serialise"))
            .collect();
        let job = ImportJob {
            id: (facts.new_id)(),
            site_id: c.site.id.clone(),
            created_by: c.person_id.clone(),
            created_at: format_utc(facts.now),
            total_rows: reports.len() as u32,
            accepted_rows: accepted.len() as u32,
            chunks: chunks.len() as u32,
            next_chunk: 0,
            recorded_rows: 0,
            refused_rows: 0,
            confirmed_at: None,
        };
        app.store.create_import(&job, &chunks).await?;
        Some(job)
    };
    // Counts only: the trail never holds the file's addresses.
    let detail = json!({
        "job": job.as_ref().map(|j| j.id.clone()),
        "layout": match layout { Layout::Plain => "plain", Layout::RaisersEdge => "raisers_edge_nxt" },
        "rows": reports.len(),
        "accepted": accepted.len(),
        "refused": counts,
    });
    let entry = AuditEntry {
        site: &c.site.id,
        actor: consent_shared::access::Actor::Person { person_id: c.person_id.clone() },
        kind: AuditKind::ImportDryRun,
        detail,
        client_ip: client_ip(req),
    };
    record(app, entry, facts.now).await.map_err(|e| StoreError::Backend(e.to_string()))?;
    Ok(report_page(c, layout, &reports, job.as_ref()))
}

fn report_page(c: &Console, layout: Layout, reports: &[RowReport], job: Option<&ImportJob>) -> HttpResponse {
    let t = c.lang.import();
    let accepted = reports.iter().filter(|r| r.outcome.is_ok()).count();
    let refused = reports.len() - accepted;
    let summary = fill(
        t.summary,
        &[("total", reports.len().to_string()), ("n", accepted.to_string()), ("value", refused.to_string())],
    );
    let mut shown_accepted = 0;
    let shown: Vec<&RowReport> = reports
        .iter()
        .filter(|r| {
            r.outcome.is_err() || {
                shown_accepted += 1;
                shown_accepted <= ACCEPTED_SHOWN
            }
        })
        .collect();
    let body = html! {
        h2 { (t.report_title) }
        p role="status" { (summary) }
        p { (match layout { Layout::Plain => t.layout_plain, Layout::RaisersEdge => t.layout_raisers_edge }) }
        p { (fill(t.rows_shown, &[("n", ACCEPTED_SHOWN.to_string())])) }
        table {
            thead { tr {
                th scope="col" { (t.col_line) } th scope="col" { (t.col_email) }
                th scope="col" { (t.col_purpose) } th scope="col" { (t.col_channel) }
                th scope="col" { (t.col_outcome) }
            } }
            tbody {
                @for r in &shown {
                    tr {
                        td { (r.line) } td { (r.email) } td { (r.purpose) } td { (r.channel) }
                        td { (outcome_text(t, r)) }
                    }
                }
            }
        }
        @match job {
            Some(job) => {
                p { (t.confirm_note) }
                form method="post" action={ "/admin/sites/" (c.site.id) "/import" } {
                    (c.form_fields())
                    input type="hidden" name="action" value="confirm";
                    input type="hidden" name="job" value=(job.id);
                    button type="submit" { (fill(t.confirm, &[("n", job.accepted_rows.to_string())])) }
                }
            }
            None => { p role="alert" { (t.nothing_to_record) } }
        }
    };
    c.page(200, t.report_title, body)
}

/// "Would be recorded: granted (legacy statement…)" or "Refused: …", in words and not only colour.
fn outcome_text(t: &ImportText, r: &RowReport) -> Markup {
    match &r.outcome {
        Ok(row) => {
            let mut what = row.change().action.as_str().to_string();
            if row.statement.is_some() {
                what = format!("{what} ({})", t.legacy_statement);
            }
            html! { (fill(t.would_record, &[("value", what)])) }
        }
        Err(refusal) => html! { strong { "✗ " } (describe(t, refusal)) },
    }
}

/// The confirm post: marks the job confirmed and sends the browser to its page, which records it.
async fn confirm<S: Store + 'static>(
    app: &App<S>,
    c: &Console,
    _req: &HttpRequest,
    facts: &mut RequestFacts<'_>,
) -> Result<HttpResponse, StoreError> {
    let job_id = c.form.as_ref().and_then(|f| f.get("job")).unwrap_or("");
    let Some(job) = app.store.import_job(&c.site.id, job_id).await? else {
        return Ok(no_such_job(c));
    };
    app.store.confirm_import(&c.site.id, &job.id, &format_utc(facts.now)).await?;
    Ok(super::pages::see_other(&job_href(c, &job.id)))
}

fn job_href(c: &Console, job: &str) -> String {
    format!("/admin/sites/{}/import/{}?lang={}", c.site.id, job, c.lang.code())
}

fn no_such_job(c: &Console) -> HttpResponse {
    let t = c.lang.import();
    c.page(404, t.title, html! { div class="error" role="alert" { p { (t.no_such_job) } } })
}

/// A job's page: a confirmed job that is not done records its next chunk (GET only: a HEAD
/// records nothing), then shows the progress and refreshes itself.
async fn job_page<S: Store + 'static>(
    app: &App<S>,
    c: &Console,
    job_id: &str,
    may_record: bool,
    req: &HttpRequest,
    facts: &mut RequestFacts<'_>,
) -> Result<HttpResponse, StoreError> {
    let t = c.lang.import();
    let Some(mut job) = app.store.import_job(&c.site.id, job_id).await? else {
        return Ok(no_such_job(c));
    };
    if job.confirmed_at.is_none() {
        return Ok(c.page(200, t.progress_title, html! { p { (t.not_confirmed) } }));
    }
    if may_record && !job.done() {
        if let Err(e) = record_next_chunk(app, c, &job, req, facts).await {
            super::log_internal(&format!("import {} stopped: {e}", job.id));
            return Ok(c.page(
                503,
                t.progress_title,
                html! {
                    div class="error" role="alert" { p { (t.failed) } }
                    p { a href=(job_href(c, &job.id)) { (t.progress_title) } }
                },
            ));
        }
        job = app.store.import_job(&c.site.id, job_id).await?.unwrap_or(job);
    }
    let done_rows = job.recorded_rows + job.refused_rows;
    let progress =
        fill(t.progress, &[("done", done_rows.to_string()), ("total", job.accepted_rows.to_string())]);
    let body = html! {
        p { label for="import-progress" { (progress) } }
        progress id="import-progress" max=(job.accepted_rows) value=(done_rows) { (progress) }
        @if job.done() {
            p role="status" { (fill(t.done, &[("n", job.recorded_rows.to_string())])) }
            @if job.refused_rows > 0 {
                p { (fill(t.refused_at_recording, &[("n", job.refused_rows.to_string())])) }
            }
        } @else {
            p role="status" { (t.recording) }
            p { a href=(job_href(c, &job.id)) { (t.progress_title) } }
        }
    };
    let answer = c.page(200, t.progress_title, body);
    Ok(if job.done() {
        answer
    } else {
        answer.with_header("refresh", &format!("1; url={}", job_href(c, &job.id)))
    })
}

/// Records the job's next chunk, row by row through the append path, then moves the job on.
/// A retry after a failure part-way replays the rows already written (same idempotency keys)
/// and records the rest.
async fn record_next_chunk<S: Store + 'static>(
    app: &App<S>,
    c: &Console,
    job: &ImportJob,
    req: &HttpRequest,
    facts: &mut RequestFacts<'_>,
) -> Result<(), String> {
    let chunk = job.next_chunk;
    let Some(raw) = app.store.import_chunk(&job.id, chunk).await.map_err(|e| e.to_string())? else {
        return Err(format!("chunk {chunk} is missing"));
    };
    let mut rows: Vec<ImportRow> = serde_json::from_str(&raw).map_err(|e| e.to_string())?;
    let site = with_legacy_wordings(app, &c.site, &mut rows, facts).await?;
    let refusals = store_refusals(app, &site.id, &rows).await.map_err(|e| e.to_string())?;
    let (mut recorded, mut refused) = (0u32, 0u32);
    for (row, refusal) in rows.iter().zip(refusals) {
        let key = format!("import-{}-{}", job.id, row.line);
        match refusal {
            None => {}
            // This row's own event, from an attempt that stopped before the job moved on: it
            // counts as recorded, and is not written again.
            Some(Refusal::LaterDecision)
                if app
                    .store
                    .idempotent_response(&site.id, &key)
                    .await
                    .map_err(|e| e.to_string())?
                    .is_some() =>
            {
                recorded += 1;
                continue;
            }
            Some(_) => {
                refused += 1;
                continue;
            }
        }
        let Ok((email, choices, provenance)) = validate_recorded_changes(&site, &row.changes) else {
            refused += 1;
            continue;
        };
        // The request an idempotency key is bound to: the row itself, so a retry matches.
        let mut row_request = HttpRequest::new("POST", &req.path);
        row_request.body = serde_json::to_vec(row).expect("rows serialise");
        let ctx = RequestContext {
            now: facts.now,
            user_agent: None,
            ip: None,
            gpc: false,
            idempotency_key: Some(key),
            request_origin: None,
            fetch_site: None,
        };
        let appended =
            append(app, &site, email, &choices, &provenance, &ctx, Answering::Trusted, &row_request, facts)
                .await
                .map_err(|e| e.to_string())?;
        match appended {
            Appended::Recorded(_) | Appended::Replayed(_) => recorded += 1,
            Appended::Suppressed(_) => refused += 1,
        }
    }
    let now = format_utc(facts.now);
    app.store
        .advance_import(&site.id, &job.id, chunk, recorded, refused, &now)
        .await
        .map_err(|e| e.to_string())?;
    let entry = AuditEntry {
        site: &site.id,
        actor: consent_shared::access::Actor::Person { person_id: c.person_id.clone() },
        kind: AuditKind::ImportBatchRecorded,
        detail: json!({"job": job.id, "batch": chunk + 1, "of": job.chunks, "recorded": recorded, "refused": refused}),
        client_ip: client_ip(req),
    };
    record(app, entry, facts.now).await.map_err(|e| e.to_string())?;
    Ok(())
}

/// Resolves each row's legacy statement to a wording version: an existing version with the same
/// text, else a new version of its own (the next number, not made current: the forms keep
/// showing today's text), stored with the site as every wording version is.
async fn with_legacy_wordings<S: Store + 'static>(
    app: &App<S>,
    site: &SiteConfig,
    rows: &mut [ImportRow],
    facts: &mut RequestFacts<'_>,
) -> Result<SiteConfig, String> {
    let mut site = site.clone();
    let mut changed = false;
    for row in rows.iter_mut() {
        let Some(statement) = row.statement.clone() else { continue };
        let (purpose, channel) = (row.change().purpose.clone(), row.change().channel);
        let default_lang = site.default_lang.clone();
        let Some(pc) = site.purposes.iter_mut().find(|p| p.purpose == purpose && p.channel == channel) else {
            continue; // The purpose is gone: the row is refused when validated.
        };
        let version = match pc.wordings.iter().find(|w| w.text.trim() == statement) {
            Some(w) => w.version,
            None => {
                let version = pc.wordings.iter().map(|w| w.version).max().unwrap_or(0) + 1;
                let label = pc
                    .wordings
                    .iter()
                    .find(|w| w.version == pc.current_version)
                    .map(|w| w.label.clone())
                    .unwrap_or_else(|| purpose.clone());
                pc.wordings.push(Wording {
                    version,
                    lang: default_lang,
                    label,
                    text: statement.clone(),
                    sha256: sha256_hex(statement.as_bytes()),
                    refusal: None,
                });
                changed = true;
                version
            }
        };
        row.changes.changes[0].wording_version = Some(version);
    }
    if changed {
        app.store.put_site(&site, &format_utc(facts.now)).await.map_err(|e| e.to_string())?;
        app.isolate.forget_site(&site.id);
    }
    Ok(site)
}
