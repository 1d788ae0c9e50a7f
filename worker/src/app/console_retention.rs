//! `/admin/sites/{site}/retention` (owner, dpo): how long the site keeps anonymous cookie
//! decisions and audit entries (`shared::retention` holds the bounds and defaults), the fixed
//! 24 hours of idempotency answers, what is never purged, and the purges so far (from the sealed
//! checkpoints). A change is checked whole before anything is stored, then stored in one batch
//! with its audit entry, `retention_changed`, holding the values before and after.

use consent_shared::access::Actor;
use consent_shared::audit::AuditKind;
use consent_shared::retention::{RetentionError, RetentionPolicy};
use maud::{html, Markup};
use serde_json::json;

use super::audit::{client_ip, record_together, AuditEntry};
use super::console_site::Console;
use super::page_text::console_retention::RetentionText;
use super::pages::{notice, see_other, unavailable};
use super::retention::policy_of;
use super::{log_internal, App, RequestFacts};
use crate::http::{HttpRequest, HttpResponse};
use crate::store::Store;

const COOKIE_FIELD: &str = "cookie_decision_months";
const AUDIT_FIELD: &str = "audit_years";

/// GET shows the settings; POST stores valid ones (303) or shows each error beside its field
/// (422), having stored nothing.
pub async fn page<S: Store + 'static>(
    app: &App<S>,
    c: &Console,
    req: &HttpRequest,
    facts: &RequestFacts<'_>,
) -> HttpResponse {
    let t = c.lang.retention();
    let stored = match policy_of(app, &c.site.id).await {
        Ok(p) => p,
        Err(e) => return unavailable(c.lang, &e),
    };
    let purges = match purges(app, &c.site.id).await {
        Ok(p) => p,
        Err(e) => return unavailable(c.lang, &e),
    };
    let Some(form) = c.form.as_ref() else {
        let shown = (stored.cookie_decision_months.to_string(), stored.audit_years.to_string());
        let status = if req.query_param("saved").is_some() {
            Some(t.saved)
        } else if req.query_param("unchanged").is_some() {
            Some(t.unchanged)
        } else {
            None
        };
        return c.page(200, t.title, body(c, t, &shown, &[], status, &purges));
    };
    let posted =
        (form.get(COOKIE_FIELD).unwrap_or("").to_string(), form.get(AUDIT_FIELD).unwrap_or("").to_string());
    let wanted = match RetentionPolicy::parse(&posted.0, &posted.1) {
        Ok(p) => p,
        Err(errors) => {
            log_internal(&format!("console retention for {} refused: {errors:?}", c.site.id));
            return c.page(422, t.title, body(c, t, &posted, &errors, None, &purges));
        }
    };
    let back = format!("/admin/sites/{}/retention?lang={}", c.site.id, c.lang.code());
    if wanted == stored {
        return see_other(&format!("{back}&unchanged=1"));
    }
    let now = facts.now;
    let at = consent_shared::time::format_utc(now);
    let entry = AuditEntry {
        site: &c.site.id,
        actor: Actor::Person { person_id: c.person_id.clone() },
        kind: AuditKind::RetentionChanged,
        detail: json!({"from": stored, "to": wanted}),
        client_ip: client_ip(req),
    };
    // The setting and its audit entry land together, or neither does.
    let store = &*app.store;
    let (site, at) = (c.site.id.as_str(), at.as_str());
    let saved = record_together(app, entry, now, |record, link| async move {
        store.set_retention_policy(site, &wanted, at, &record, &link).await
    })
    .await;
    if let Err(e) = saved {
        return unavailable(c.lang, &e.cause());
    }
    see_other(&format!("{back}&saved=1"))
}

/// One chain's purges so far: (records, the latest checkpoint's place, its day).
type Purges = [Option<(i64, i64, String)>; 2];

async fn purges<S: Store>(app: &App<S>, site: &str) -> Result<Purges, crate::store::StoreError> {
    let mut out: Purges = [None, None];
    for (i, chain) in ["cookies", "audit"].into_iter().enumerate() {
        let checkpoints = app.store.purge_checkpoints(site, chain).await?;
        if let Some(latest) = checkpoints.last() {
            let total = checkpoints.iter().map(|c| c.purged).sum();
            let day = latest.purged_at.get(..10).unwrap_or(&latest.purged_at).to_string();
            out[i] = Some((total, latest.up_to_seq, day));
        }
    }
    Ok(out)
}

fn error_text(t: &RetentionText, e: RetentionError) -> (&'static str, &'static str) {
    match e {
        RetentionError::CookieMonthsNotANumber => (COOKIE_FIELD, t.error_cookie_number),
        RetentionError::CookieMonthsOutOfRange => (COOKIE_FIELD, t.error_cookie_range),
        RetentionError::AuditYearsNotANumber => (AUDIT_FIELD, t.error_audit_number),
        RetentionError::AuditYearsOutOfRange => (AUDIT_FIELD, t.error_audit_range),
    }
}

fn body(
    c: &Console,
    t: &RetentionText,
    shown: &(String, String),
    errors: &[RetentionError],
    status: Option<&str>,
    purges: &Purges,
) -> Markup {
    let errors: Vec<(&str, &str)> = errors.iter().map(|e| error_text(t, *e)).collect();
    let error_of = |field: &str| errors.iter().find(|(f, _)| *f == field).map(|(_, m)| *m);
    let label_of = |field: &str| if field == COOKIE_FIELD { t.cookie_months } else { t.audit_years };
    let action = format!("/admin/sites/{}/retention", c.site.id);
    html! {
        style { (super::console_wording::STYLE) }
        @if let Some(s) = status { (notice(s, false)) }
        @if !errors.is_empty() {
            div class="error" role="alert" id="error-summary" {
                p { strong { (t.error_summary) } }
                ul {
                    @for (field, message) in &errors {
                        li { a href={ "#" (field) } { (label_of(field)) ": " (message) } }
                    }
                }
            }
        }
        p { (t.intro) }
        form method="post" action=(action) novalidate {
            (c.form_fields())
            (number(COOKIE_FIELD, t.cookie_months, t.cookie_months_hint, &shown.0, error_of(COOKIE_FIELD), 1, 60))
            (number(AUDIT_FIELD, t.audit_years, t.audit_years_hint, &shown.1, error_of(AUDIT_FIELD), 1, 20))
            div class="field" {
                p { strong { (t.idempotency) } ": " (t.idempotency_value) }
                p class="muted" { (t.idempotency_hint) }
            }
            p { button type="submit" { (t.save) } }
        }
        h2 { (t.not_purged_title) }
        p { (t.not_purged) }
        h2 { (t.how_title) }
        p { (t.how) }
        h2 { (t.last_purges) }
        dl {
            @for (i, name) in [t.cookie_chain, t.audit_chain].into_iter().enumerate() {
                dt { (name) }
                dd {
                    @match &purges[i] {
                        None => (t.no_purges),
                        Some((n, up_to, day)) => (t.purged_line
                            .replace("{n}", &n.to_string())
                            .replace("{next}", &(up_to + 1).to_string())
                            .replace("{day}", day)),
                    }
                }
            }
        }
    }
}

fn number(
    name: &str,
    label: &str,
    hint: &str,
    value: &str,
    error: Option<&str>,
    min: u32,
    max: u32,
) -> Markup {
    let hint_id = format!("{name}-hint");
    let error_id = format!("{name}-error");
    let described = match error {
        Some(_) => format!("{hint_id} {error_id}"),
        None => hint_id.clone(),
    };
    html! {
        div class="field" {
            label for=(name) { (label) }
            input type="number" id=(name) name=(name) value=(value) min=(min) max=(max) step="1" inputmode="numeric"
                required aria-describedby=(described) aria-invalid=[error.map(|_| "true")];
            p class="muted" id=(hint_id) { (hint) }
            @if let Some(message) = error { p class="field-error" id=(error_id) { (message) } }
        }
    }
}
