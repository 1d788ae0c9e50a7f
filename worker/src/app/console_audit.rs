//! `/admin/sites/{site}/audit`: the trail, newest first, filtered by who, what and when, paged
//! backwards, and the same page as CSV (`/audit/csv`, with the session). Reading goes through
//! the API's own query (`audit::read_trail`), so every reading is itself an `audit_read` entry
//! with the signed-in person as the actor.

use consent_shared::access::Actor;
use consent_shared::audit::AuditKind;
use maud::html;

use super::audit::{audit_csv, client_ip, read_trail, AuditQuery};
use super::console_layout::when;
use super::console_site::Console;
use super::{log_internal, App, RequestFacts};
use crate::error::AppError;
use crate::http::{HttpRequest, HttpResponse};
use crate::store::Store;

pub async fn page<S: Store + 'static>(
    app: &App<S>,
    c: &Console,
    item: Option<&str>,
    req: &HttpRequest,
    facts: &RequestFacts<'_>,
) -> HttpResponse {
    let d = c.lang.data();
    let csv = item == Some("csv");
    let query = AuditQuery::parse(req).map(|mut q| {
        q.csv = csv;
        q
    });
    let answer = match &query {
        Ok(q) => {
            let actor = Actor::Person { person_id: c.person_id.clone() };
            read_trail(app, &c.site.id, actor, q, client_ip(req), facts.now).await.map(Some)
        }
        Err(e) => Err(AppError::BadRequest(e.to_string())),
    };
    let (entries, next_before, error) = match answer {
        Ok(Some((entries, next))) => (entries, next, None),
        Ok(None) => (Vec::new(), None, None),
        Err(e) => {
            if matches!(e, AppError::Internal(_)) {
                log_internal(&format!("console audit of {}: {}", c.site.id, e.cause()));
            }
            (Vec::new(), None, Some(e.to_string()))
        }
    };
    if csv && error.is_none() {
        return match audit_csv(&entries) {
            Ok(body) => HttpResponse {
                status: 200,
                headers: vec![("content-type".into(), "text/csv; charset=utf-8".into())],
                body,
                stream: None,
            }
            .with_header("content-disposition", &format!("attachment; filename=\"{}-audit.csv\"", c.site.id))
            .with_header("cache-control", "no-store"),
            Err(e) => {
                log_internal(&format!("console audit CSV of {}: {}", c.site.id, e.cause()));
                super::pages::unavailable(c.lang, &e)
            }
        };
    }
    let asked = |name: &str| req.query_param(name).unwrap_or_default();
    let kind = asked("kind");
    // The filters as asked, for the CSV link and the next page.
    let mut keep = form_urlencoded::Serializer::new(String::new());
    keep.append_pair("lang", c.lang.code());
    for name in ["actor", "kind", "since", "until"] {
        if !asked(name).is_empty() {
            keep.append_pair(name, &asked(name));
        }
    }
    let keep = keep.finish();
    let base = format!("/admin/sites/{}/audit", c.site.id);
    let before = req
        .query_param("before")
        .map(|b| format!("&before={}", b.replace(|ch: char| !ch.is_ascii_digit(), "")))
        .unwrap_or_default();
    let error_id = error.as_ref().map(|_| "audit-error");
    let body = html! {
        p { (d.audit_intro) }
        @if let Some(e) = &error {
            div class="error" role="alert" id="audit-error" { p { (d.problem) ": " (e) } }
        }
        form method="get" action=(base) {
            input type="hidden" name="lang" value=(c.lang.code());
            fieldset {
                legend { (d.filter) }
                p {
                    label for="actor" { (d.actor) } br;
                    input id="actor" name="actor" type="text" value=(asked("actor")) aria-describedby=[error_id];
                }
                p {
                    label for="kind" { (d.kind) } br;
                    select id="kind" name="kind" aria-describedby=[error_id] {
                        option value="" selected[kind.is_empty()] { (d.any) }
                        @for k in AuditKind::ALL {
                            option value=(k.as_str()) selected[kind == k.as_str()] { (k.as_str()) }
                        }
                    }
                }
                p {
                    label for="since" { (d.since) } br;
                    input id="since" name="since" type="text" inputmode="numeric" value=(asked("since")) aria-describedby={ "date-help" @if error_id.is_some() { " audit-error" } };
                }
                p {
                    label for="until" { (d.until) } br;
                    input id="until" name="until" type="text" inputmode="numeric" value=(asked("until")) aria-describedby={ "date-help" @if error_id.is_some() { " audit-error" } };
                }
                p id="date-help" { (d.date_help) }
                p { button type="submit" { (d.apply) } }
            }
        }
        p { a href={ (base) "/csv?" (keep) (before) } download { (d.reading_recorded) } }
        @if entries.is_empty() {
            p { (d.no_entries) }
        } @else {
            table {
                caption { (d.audit) }
                thead { tr {
                    th scope="col" { "#" }
                    th scope="col" { (d.when) }
                    th scope="col" { (d.actor) }
                    th scope="col" { (d.kind) }
                    th scope="col" { (d.detail) }
                    th scope="col" { (d.from_address) }
                } }
                tbody {
                    @for e in &entries {
                        tr {
                            th scope="row" { (e.seq) }
                            td { (when(c.lang, &e.at)) }
                            td { (e.actor) }
                            td { (e.kind) }
                            td { code { (e.detail.to_string()) } }
                            td { (e.ip.as_deref().unwrap_or("")) }
                        }
                    }
                }
            }
        }
        nav aria-label=(d.audit) {
            @if !before.is_empty() { a href={ (base) "?" (keep) } { (d.newest) } " " }
            @if let Some(next) = next_before { a href={ (base) "?" (keep) "&before=" (next) } { (d.older) } }
        }
    };
    c.page(if error.is_some() { 422 } else { 200 }, d.audit, body)
}
