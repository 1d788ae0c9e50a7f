//! Confirmation links, `/c/{token}`: double opt-in (a pending email consent comes into force)
//! and a new address asked for on the preference page. `GET` shows a page with one button and
//! changes nothing — mail scanners follow links; only the `POST` from that page confirms.

use consent_shared::consent::{Action, Method};
use consent_shared::ledger::{Choice, Provenance};
use consent_shared::site::SiteConfig;
use consent_shared::token::Scope;
use maud::{html, Markup};

use super::csrf_form::{genuine, issue};
use super::ledger::{append_for_subject, request_context, Answering, Appended};
use super::links::{form_and_lang, open_link};
use super::mail::OutgoingMail;
use super::page_text::{PageLang, PageText};
use super::pages::{notice, page, post_form, submit, unavailable};
use super::preferences::address_taken;
use super::{App, RequestFacts};
use crate::http::{HttpRequest, HttpResponse};
use crate::store::{Store, StoreError};

pub async fn handle<S: Store + 'static>(
    app: &App<S>,
    token: &str,
    req: &HttpRequest,
    facts: &mut RequestFacts<'_>,
) -> HttpResponse {
    let is_confirm = |s: &Scope| matches!(s, Scope::Confirm | Scope::ConfirmEmail { .. });
    let (claims, site) = match open_link(app, token, facts.now, is_confirm).await {
        Ok(opened) => opened,
        Err(problem) => return problem,
    };
    let (form, lang) = form_and_lang(req, &site);
    let t = lang.text();
    let org = &site.organisation.name;
    let posted = match req.method.as_str() {
        "GET" | "HEAD" => false,
        "POST" => match &form {
            Some(form) if genuine(app, req, form, token, facts.now.timestamp()) => true,
            _ => {
                let message = notice(t.form_expired, true);
                return ask(app, &site, lang, token, facts, &claims.scope, &claims.sub, 403, message).await;
            }
        },
        _ => return page(405, lang.code(), t.confirm_title, notice(t.form_expired, true)),
    };
    let now = consent_shared::time::format_utc(facts.now);
    match &claims.scope {
        Scope::ConfirmEmail { alias } if posted => {
            if address_taken(app, &site.id, &claims.sub, alias).await {
                return page(
                    409,
                    lang.code(),
                    t.confirm_email_title,
                    notice(t.email_taken.replace("{org}", org), true),
                );
            }
            match app.store.apply_email_change(&site.id, &claims.sub, alias, &now).await {
                Ok(Some(email)) => page(
                    200,
                    lang.code(),
                    t.confirm_email_title,
                    notice(t.email_confirmed.replace("{email}", &email), false),
                ),
                Ok(None) => page(200, lang.code(), t.confirm_email_title, nothing_to_confirm(t)),
                Err(StoreError::Conflict) => page(
                    409,
                    lang.code(),
                    t.confirm_email_title,
                    notice(t.email_taken.replace("{org}", org), true),
                ),
                Err(e) => unavailable(lang, &e),
            }
        }
        Scope::Confirm if posted => {
            let pending = match pending_choices(app, &site, &claims.sub).await {
                Ok(pending) => pending,
                Err(e) => return unavailable(lang, &e),
            };
            let Some((_, event_lang)) = pending.first() else {
                return page(200, lang.code(), t.confirm_title, nothing_to_confirm(t));
            };
            let provenance = Provenance {
                method: Method::EmailConfirmation,
                source_url: Some(format!("{}/c", app.config.own_origin(req))),
                lang: event_lang.clone(),
                client_time: None,
                direct_from_person: None,
                support_context: None,
            };
            let choices: Vec<Choice> = pending.iter().map(|(c, _)| c.clone()).collect();
            let ctx = match request_context(req, facts) {
                Ok(ctx) => ctx,
                Err(e) => return unavailable(lang, &e.cause()),
            };
            let sub = claims.sub.clone();
            let appended = append_for_subject(
                app,
                &site,
                sub,
                None,
                &choices,
                &provenance,
                &ctx,
                Answering::Trusted,
                req,
                facts,
            );
            match appended.await {
                Ok(Appended::Recorded(_) | Appended::Replayed(_)) => {
                    page(200, lang.code(), t.confirm_title, notice(t.confirmed, false))
                }
                Ok(Appended::Suppressed(_)) => {
                    page(409, lang.code(), t.confirm_title, notice(t.suppressed.replace("{org}", org), true))
                }
                Err(e) => unavailable(lang, &e.cause()),
            }
        }
        scope => ask(app, &site, lang, token, facts, scope, &claims.sub, 200, html! {}).await,
    }
}

/// The page with the confirm button (`message` is shown above it).
#[allow(clippy::too_many_arguments)]
async fn ask<S: Store + 'static>(
    app: &App<S>,
    site: &SiteConfig,
    lang: PageLang,
    token: &str,
    facts: &RequestFacts<'_>,
    scope: &Scope,
    subject: &str,
    status: u16,
    message: Markup,
) -> HttpResponse {
    let t = lang.text();
    let org = &site.organisation.name;
    let (title, intro) = match scope {
        Scope::ConfirmEmail { .. } => (t.confirm_email_title, t.confirm_email_intro.replace("{org}", org)),
        _ => {
            let pending = match pending_choices(app, site, subject).await {
                Ok(pending) => pending,
                Err(e) => return unavailable(lang, &e),
            };
            if pending.is_empty() {
                return page(200, lang.code(), t.confirm_title, nothing_to_confirm(t));
            }
            let choices: Vec<Choice> = pending.into_iter().map(|(c, _)| c).collect();
            (
                t.confirm_title,
                t.confirm_intro.replace("{org}", org).replace("{list}", &list(site, lang, &choices)),
            )
        }
    };
    let csrf = issue(app, token, facts.now.timestamp());
    let body = html! {
        (message)
        p { (intro) }
        (post_form(&format!("/c/{token}"), Some(&csrf), lang, submit(t.confirm_button)))
    };
    page(status, lang.code(), title, body)
}

fn nothing_to_confirm(t: &PageText) -> Markup {
    html! { p { (t.nothing_to_confirm) } }
}

/// The subject's pending consents as grants of the very wording they were asked with, and the
/// language it was shown in.
async fn pending_choices<S: Store + 'static>(
    app: &App<S>,
    site: &SiteConfig,
    subject: &str,
) -> Result<Vec<(Choice, String)>, StoreError> {
    let current = app.store.current_consents(&site.id, subject).await?;
    if !current.iter().any(|c| c.action == Action::Pending) {
        return Ok(Vec::new());
    }
    let events = app.store.subject_events(&site.id, subject).await?;
    Ok(current
        .iter()
        .filter(|c| c.action == Action::Pending && site.purpose(&c.purpose, c.channel).is_some())
        .filter_map(|c| events.iter().find(|e| e.id == c.event_id))
        .map(|e| {
            let choice = Choice {
                purpose: e.purpose.clone(),
                channel: e.channel,
                action: Action::Granted,
                wording_version: Some(e.wording_version),
            };
            (choice, e.lang.clone())
        })
        .collect())
}

/// "News and events (by email), …" in the page's language, as plain text.
pub fn list(site: &SiteConfig, lang: PageLang, choices: &[Choice]) -> String {
    let t = lang.text();
    choices
        .iter()
        .filter_map(|c| {
            let pc = site.purpose(&c.purpose, c.channel)?;
            let w = site.current_wording(pc, lang.code())?;
            Some(format!("{} ({})", w.label, t.channel(c.channel)))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A message whose point is one link: text and HTML parts, and what to do if it was not you.
pub fn link_mail(to: &str, subject: &str, intro: &str, url: &str, t: &PageText) -> OutgoingMail {
    OutgoingMail {
        to: to.to_string(),
        subject: subject.to_string(),
        text: format!("{intro}\n\n{url}\n\n{}\n", t.mail_ignore),
        html: html! { p { (intro) } p { a href=(url) { (url) } } p { (t.mail_ignore) } }.into_string(),
    }
}

/// Double opt-in: the message asking the person to confirm what they signed up for.
pub fn double_opt_in_mail(
    site: &SiteConfig,
    lang: PageLang,
    to: &str,
    url: &str,
    choices: &[Choice],
) -> OutgoingMail {
    let t = lang.text();
    let org = &site.organisation.name;
    let list = list(site, lang, choices);
    link_mail(
        to,
        &t.mail_confirm_subject.replace("{org}", org),
        &t.mail_confirm_body.replace("{org}", org).replace("{list}", &list),
        url,
        t,
    )
}
