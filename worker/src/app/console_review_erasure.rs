//! A review's bulk erasure (`/admin/sites/{site}/review/{job}`): its people were fixed when the
//! review was completed; each POST erases the next batch through the one erasure path
//! (`rights::erase_subject`, audited per person) and marks them done. A person an interrupted
//! batch erased but could not mark is marked without a second erasure, so a retry erases nobody
//! twice and misses nobody. With JavaScript the page posts batch after batch itself and moves a
//! progress bar (no page refresh); without, a button erases the next batch.

use base64::Engine;
use consent_shared::audit::AuditKind;
use consent_shared::review::ReviewGroup;
use consent_shared::time::format_utc;
use maud::{html, PreEscaped};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::audit::{client_ip, record, AuditEntry};
use super::console_review::{actor, fill, group_name, review_href};
use super::console_site::Console;
use super::pages::{see_other, unavailable};
use super::rights::{erase_subject, Erasure};
use super::{App, RequestFacts};
use crate::error::AppError;
use crate::http::{HttpRequest, HttpResponse};
use crate::store::review::ReviewErasure;
use crate::store::Store;

/// People erased per request: each costs one storage batch and one audit append (two or three
/// round trips), far inside the Workers CPU and per-request query limits.
pub const ERASE_BATCH: u32 = 25;

/// Posts the step form until the job is done, moving the progress bar; on a failure it stops and
/// offers the button (which continues where it stopped).
const SCRIPT: &str = "(function(){var f=document.getElementById('erase-step');if(!f)return;\
var bar=document.getElementById('erase-progress'),st=document.getElementById('erase-status'),\
b=f.querySelector('button');b.disabled=true;\
function step(){fetch(f.action,{method:'POST',credentials:'same-origin',\
headers:{'accept':'application/json','content-type':'application/x-www-form-urlencoded'},\
body:new URLSearchParams(new FormData(f)).toString()}).then(function(r){if(!r.ok)throw r.status;return r.json()})\
.then(function(j){bar.max=j.total;bar.value=j.erased;st.textContent=j.message;if(j.done){f.hidden=true}else{step()}})\
.catch(function(){st.textContent=f.getAttribute('data-failed');b.disabled=false})}step()})();";

pub fn job_href(c: &Console, job: &str) -> String {
    format!("/admin/sites/{}/review/{}?lang={}", c.site.id, job, c.lang.code())
}

pub async fn page<S: Store + 'static>(
    app: &App<S>,
    c: &Console,
    job_id: &str,
    req: &HttpRequest,
    facts: &mut RequestFacts<'_>,
) -> HttpResponse {
    let t = c.lang.review();
    let job = match app.store.review_erasure(&c.site.id, job_id).await {
        Ok(Some(job)) => job,
        Ok(None) => {
            return c.page(
                404,
                t.progress_title,
                html! { div class="error" role="alert" { p { (t.no_such_job) } } },
            )
        }
        Err(e) => return unavailable(c.lang, &e),
    };
    let wants_json = req.header("accept").is_some_and(|a| a.contains("application/json"));
    if c.form.is_none() {
        return show(c, &job, None);
    }
    let job = match step(app, c, &job, req, facts).await {
        Ok(job) => job,
        Err(e) => {
            super::log_internal(&format!("review erasure {} stopped: {e}", job.id));
            if wants_json {
                return HttpResponse::json(
                    503,
                    &json!({"error": {"code": "erasure_interrupted", "message": t.failed}}),
                );
            }
            return show(c, &job, Some(t.failed));
        }
    };
    if wants_json {
        let message = progress_text(c, &job);
        return HttpResponse::json(
            200,
            &json!({"erased": job.erased, "total": job.total, "done": job.done(), "message": message}),
        )
        .with_header("cache-control", "no-store");
    }
    see_other(&job_href(c, &job.id))
}

fn progress_text(c: &Console, job: &ReviewErasure) -> String {
    let t = c.lang.review();
    if job.done() {
        fill(t.done, &[("n", job.erased.to_string())])
    } else {
        fill(t.progress, &[("done", job.erased.to_string()), ("total", job.total.to_string())])
    }
}

/// Erases the job's next batch and moves it on; the job as it stands afterwards.
async fn step<S: Store + 'static>(
    app: &App<S>,
    c: &Console,
    job: &ReviewErasure,
    req: &HttpRequest,
    facts: &RequestFacts<'_>,
) -> Result<ReviewErasure, AppError> {
    if job.done() {
        return Ok(job.clone());
    }
    // Someone who came back since the review (a new choice, a corrected address) is no longer
    // who the review decided about: kept, never erased by a job resumed later.
    let now = format_utc(facts.now);
    let returned = app.store.drop_returned_from_review(&c.site.id, &job.id, &now).await?;
    if returned > 0 {
        let entry = AuditEntry {
            site: &c.site.id,
            actor: actor(c),
            kind: AuditKind::ReviewErasureBatch,
            detail: json!({"job": job.id, "group": job.group, "erased": 0, "kept_active_since_review": returned}),
            client_ip: client_ip(req),
        };
        record(app, entry, facts.now).await?;
    }
    let pending = app.store.review_erasure_pending(&c.site.id, &job.id, ERASE_BATCH).await?;
    let mut done = Vec::with_capacity(pending.len());
    let mut erased = 0u32;
    let mut step_error = None;
    for (subject, already) in pending {
        if !already {
            let erasure =
                Erasure { actor: actor(c), held: true, via: Some(&job.id), client_ip: client_ip(req) };
            if let Err(e) = erase_subject(app, &c.site.id, &subject, erasure, facts.now).await {
                // Whoever is erased so far is marked below; the rest wait for the retry.
                step_error = Some(e);
                break;
            }
            erased += 1;
        }
        done.push(subject);
    }
    let skipped = done.len() as u32 - erased;
    if !done.is_empty() {
        app.store.mark_review_erased(&c.site.id, &job.id, &done, &format_utc(facts.now)).await?;
        let entry = AuditEntry {
            site: &c.site.id,
            actor: actor(c),
            kind: AuditKind::ReviewErasureBatch,
            detail: json!({"job": job.id, "group": job.group, "erased": erased, "already_erased": skipped}),
            client_ip: client_ip(req),
        };
        record(app, entry, facts.now).await?;
    }
    if let Some(e) = step_error {
        return Err(e);
    }
    Ok(app.store.review_erasure(&c.site.id, &job.id).await?.unwrap_or_else(|| job.clone()))
}

fn show(c: &Console, job: &ReviewErasure, failed: Option<&str>) -> HttpResponse {
    let t = c.lang.review();
    let group = ReviewGroup::parse(&job.group).map_or(job.group.as_str(), |g| group_name(t, g));
    let status_text = progress_text(c, job);
    let body = html! {
        p { (group) }
        @if let Some(failed) = failed { div class="error" role="alert" { p { (failed) } } }
        p { label for="erase-progress" { (fill(t.progress, &[("done", job.erased.to_string()), ("total", job.total.to_string())])) } }
        progress id="erase-progress" max=(job.total.max(1)) value=(job.erased) { (status_text) }
        p id="erase-status" role="status" aria-live="polite" { (status_text) }
        @if !job.done() {
            p { (t.erasing) }
            form id="erase-step" method="post" action={ "/admin/sites/" (c.site.id) "/review/" (job.id) } data-failed=(t.failed) {
                (c.form_fields())
                input type="hidden" name="op" value="step";
                button type="submit" { (t.continue_button) }
            }
            script { (PreEscaped(SCRIPT)) }
        }
        p { a href=(review_href(c)) { (t.title) } }
    };
    let answer = c.page(200, t.progress_title, body);
    if job.done() {
        return answer;
    }
    with_script_allowed(answer)
}

/// The page's policy plus this one script (by its hash) and posts back to this origin.
fn with_script_allowed(mut answer: HttpResponse) -> HttpResponse {
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(SCRIPT.as_bytes()));
    for (name, value) in answer.headers.iter_mut() {
        if name == "content-security-policy" {
            *value = format!("{value}; script-src 'sha256-{hash}'; connect-src 'self'");
        }
    }
    answer
}
