//! `/admin/sites/{site}/ledger`: the chain's head, the latest anchor, and a button that runs the
//! very check `GET …/ledger/verify` runs (`verify::verify_site`, recorded in the audit trail
//! with the signed-in person as the actor), its report put in words.

use consent_shared::access::Actor;
use consent_shared::api::v1::{AnchorReport, BrokenLinkReport, VerifyReport};
use maud::{html, Markup};

use super::anchors::check_latest;
use super::audit::client_ip;
use super::console_layout::when;
use super::console_site::Console;
use super::page_text::console_data::DataText;
use super::pages::unavailable;
use super::verify::verify_site;
use super::{log_internal, App, RequestFacts};
use crate::http::{HttpRequest, HttpResponse};
use crate::store::Store;

pub async fn page<S: Store + 'static>(
    app: &App<S>,
    c: &Console,
    req: &HttpRequest,
    facts: &RequestFacts<'_>,
) -> HttpResponse {
    let head = match app.store.chain_head(&c.site.id).await {
        Ok(head) => head,
        Err(e) => return unavailable(c.lang, &e),
    };
    let anchor = check_latest(app, &c.site.id).await.unwrap_or_else(|e| {
        log_internal(&format!("console ledger of {}: anchor unreadable: {e}", c.site.id));
        None
    });
    let report = if c.form.is_some() {
        let actor = Actor::Person { person_id: c.person_id.clone() };
        match verify_site(app, &c.site.id, actor, client_ip(req), facts.now).await {
            Ok(report) => Some(report),
            Err(e) => {
                log_internal(&format!("console ledger verify of {}: {}", c.site.id, e.cause()));
                return unavailable(c.lang, &e);
            }
        }
    } else {
        None
    };
    let d = c.lang.data();
    let body = html! {
        p { (d.ledger_intro) }
        dl {
            dt { (d.events_sealed) } dd { (head.seq) }
            dt { (d.head_hash) } dd { code { (head.hash) } }
            dt { (d.latest_anchor) } dd { (anchor_words(c.lang, d, anchor.as_ref())) }
        }
        form method="post" {
            (c.form_fields())
            p { button type="submit" { (d.verify_button) } }
            p { (d.verify_help) }
        }
        @if let Some(r) = &report { (report_words(c.lang, d, r)) }
    };
    c.page(200, d.ledger, body)
}

fn anchor_words(lang: super::page_text::PageLang, d: &DataText, anchor: Option<&AnchorReport>) -> Markup {
    match anchor {
        Some(a) if a.found => html! {
            (when(lang, a.anchored_at.as_deref().unwrap_or(""))) " — " (a.seq.unwrap_or_default()) ". "
            @if a.extends { (d.anchor_extends) } @else { (d.anchor_broken) }
            @if let Some(p) = &a.problem { " " (p) }
        },
        _ => html! { (d.no_anchor) },
    }
}

fn broken_words(d: &DataText, b: Option<&BrokenLinkReport>) -> Markup {
    match b {
        None => html! { (d.none) },
        Some(b) => html! { (b.seq) " (" code { (b.event_id) } "): " (b.reason) },
    }
}

fn report_words(lang: super::page_text::PageLang, d: &DataText, r: &VerifyReport) -> Markup {
    html! {
        section aria-labelledby="report" {
            h2 id="report" { (d.verify_button) }
            div role="status" class=(if r.valid { "notice" } else { "error" }) {
                p { strong { (if r.valid { d.report_valid } else { d.report_invalid }) } }
            }
            dl {
                dt { (d.events_checked) } dd { (r.events_checked) }
                dt { (d.first_broken) } dd { (broken_words(d, r.first_broken.as_ref())) }
                dt { (d.unmarked_rows) } dd {
                    (r.unmarked_events)
                    @for u in &r.first_unmarked { br; code { (u.id) } " (" (u.pos) "): " (u.reason) }
                }
                @if let Some(u) = &r.sealing_stopped_at {
                    dt { (d.sealing_stopped) } dd { code { (u.id) } " (" (u.pos) "): " (u.reason) }
                }
                dt { (d.state_disagreements) } dd { (r.state_disagreements) }
                @if let Some(cookies) = &r.cookie_chain {
                    dt { (d.cookie_chain) } dd {
                        (if cookies.valid { d.intact } else { d.broken }) " — " (cookies.records_checked)
                        @if let Some(b) = &cookies.first_broken { "; " (d.first_broken) ": " (broken_words(d, Some(b))) }
                    }
                }
                dt { (d.latest_anchor) } dd { (anchor_words(lang, d, r.anchor.as_ref())) }
                @if let Some(trail) = &r.audit_trail {
                    dt { (d.audit_trail) } dd {
                        (if trail.valid { d.intact } else { d.broken }) " — " (d.entries_checked) ": " (trail.entries_checked)
                        @if let Some(b) = &trail.first_broken { "; " (d.first_broken) ": " (broken_words(d, Some(b))) }
                    }
                }
            }
        }
    }
}
