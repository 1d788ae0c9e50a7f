//! "Lost your link?" — `/preferences/{site}`: a person without the original email asks for a
//! fresh preference link. It is mailed only to an address the site holds, and the answer is the
//! same page either way (sending happens after the response), so the page never tells anyone
//! whether an address is known.

use consent_shared::email::Email;
use maud::{html, Markup};

use super::confirm::link_mail;
use super::csrf_form::{genuine, issue};
use super::links::{form_and_lang, public_site, LinkSigner, EMAILED_LINK_DAYS};
use super::pages::{notice, page, post_form, submit};
use super::{log_internal, App, RequestFacts};
use crate::http::{HttpRequest, HttpResponse};
use crate::store::Store;

pub async fn handle<S: Store + 'static>(
    app: &App<S>,
    site_id: &str,
    req: &HttpRequest,
    facts: &mut RequestFacts<'_>,
) -> HttpResponse {
    let site = match public_site(app, site_id, facts.now).await {
        Ok(site) => site,
        Err(page) => return page,
    };
    let (form, lang) = form_and_lang(req, &site);
    let t = lang.text();
    let org = &site.organisation.name;
    let binding = format!("lost-link:{}", site.id);
    let ask = |status: u16, message: Markup, email: &str| {
        let body = if app.mailer.is_none() {
            notice(t.lost_unavailable.replace("{org}", org), true)
        } else {
            let csrf = issue(app, &binding, facts.now.timestamp());
            let fields = html! {
                p {
                    label for="email" { (t.email) }
                    input type="email" id="email" name="email" autocomplete="email" required value=(email);
                }
                (submit(t.lost_send))
            };
            html! {
                (message)
                p { (t.lost_intro.replace("{org}", org)) }
                (post_form(&format!("/preferences/{}", site.id), Some(&csrf), lang, fields))
            }
        };
        page(if app.mailer.is_none() { 503 } else { status }, lang.code(), t.lost_title, body)
    };
    match req.method.as_str() {
        "GET" | "HEAD" => return ask(200, html! {}, ""),
        "POST" => {}
        _ => return ask(405, html! {}, ""),
    }
    let Some(form) = form.filter(|f| genuine(app, req, f, &binding, facts.now.timestamp())) else {
        return ask(403, notice(t.form_expired, true), "");
    };
    let raw = form.get("email").unwrap_or("").trim().to_string();
    let Ok(email) = Email::parse(&raw) else {
        return ask(422, notice(t.bad_email, true), &raw);
    };
    if app.mailer.is_none() {
        return ask(503, html! {}, "");
    }
    // Whatever happens next, the answer is the same.
    let known = match app.subject_for(&site.id, &email).await {
        Ok(subject) => match app.store.subject_record(&site.id, &subject).await {
            Ok(Some(record)) => record.email.map(|stored| (subject, stored)),
            Ok(None) => None,
            Err(e) => {
                log_internal(&format!("lost link: {e}"));
                None
            }
        },
        Err(e) => {
            log_internal(&format!("lost link: {e}"));
            None
        }
    };
    if let Some((subject, stored)) = known {
        let url = LinkSigner::for_request(app, req, facts).emailed_preferences_url(&site.id, &subject);
        let days = EMAILED_LINK_DAYS.to_string();
        let mail = link_mail(
            &stored,
            &t.mail_link_subject.replace("{org}", &site.organisation.name),
            &t.mail_link_body.replace("{org}", &site.organisation.name).replace("{days}", &days),
            &url,
            t,
        );
        app.mail_later(facts, &site.id, "preferences_link", mail);
    }
    let sent = t
        .lost_sent
        .replace("{email}", &raw)
        .replace("{days}", &EMAILED_LINK_DAYS.to_string())
        .replace("{org}", org);
    page(200, lang.code(), t.lost_title, notice(sent, false))
}
