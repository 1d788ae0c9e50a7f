//! The console's sign-in, sign-out and landing pages (`/admin…`), rendered with `maud` (every
//! value escaped at compile time), with the person pages' strict headers and `no-store`.
//!
//! Sign-in by email: `/admin/sign-in` mails a single-use link valid 15 minutes (the answer is
//! the same whether or not the address has an account); opening it shows a button, and only
//! its POST starts a session (mail scanners fetch links with GET). The session cookie is
//! `__Host-consent_session` (HttpOnly, Secure, SameSite=Strict, Path=/); on a loopback
//! `PUBLIC_ORIGIN` it is `consent_session` without `Secure` (plain http cannot keep it).
//! Sessions end after 8 hours idle or 24 hours, on sign-out, or when the person's role is
//! lowered or removed. Every form carries an anti-forgery value (`shared::csrf`).

use std::rc::Rc;

use chrono::{DateTime, TimeDelta, Utc};
use consent_shared::access::Actor;
use consent_shared::audit::AuditKind;
use consent_shared::digest::sha256_hex;
use consent_shared::email::Email;
use consent_shared::time::format_utc;
use maud::{html, Markup};
use serde_json::json;

use super::audit::client_ip;
use super::audit::{record_in, AuditEntry};
use super::auth::{session_cookie_name, session_person, session_token, SESSION_ABSOLUTE_HOURS};
use super::console_site::{console_lang, session_binding};
use super::csrf_form::{genuine, issue, Form, FIELD};
use super::mail::{Mailer, OutgoingMail};
use super::page_text::{ConsoleText, PageLang};
use super::pages::{page, see_other, unavailable};
use super::team::{audit, fresh_secret, staff_email_key};
use super::{budgeted_send, log_internal, App, RequestFacts};
use crate::error::AppError;
use crate::http::{HttpRequest, HttpResponse};
use crate::store::accounts::Redeemed;
use crate::store::Store;

/// How long a sign-in link works.
pub const SIGN_IN_LINK_MINUTES: i64 = 15;
/// The mail kind of sign-in links, for the mail budget's per-kind throttle.
const MAIL_KIND: &str = "console_sign_in";

const SIGN_IN_BINDING: &str = "console-sign-in";

/// A console page: the person pages' frame and headers around `body`.
fn console_page(status: u16, lang: PageLang, title: &str, body: Markup) -> HttpResponse {
    page(status, lang.code(), title, body)
}

fn csrf_input(value: &str) -> Markup {
    html! { input type="hidden" name=(FIELD) value=(value); }
}

fn lang_input(lang: PageLang) -> Markup {
    html! { input type="hidden" name="lang" value=(lang.code()); }
}

fn status_notice(text: &str, is_error: bool) -> Markup {
    html! {
        @if is_error {
            div class="error" role="alert" { p { (text) } }
        } @else {
            div class="status" role="status" { p { (text) } }
        }
    }
}

/// The sign-in form, with an optional notice above it.
fn sign_in_form<S>(app: &App<S>, lang: PageLang, now: i64, notice: Option<Markup>, email: &str) -> Markup {
    let t = lang.console();
    html! {
        @if let Some(n) = notice { (n) }
        p { (t.sign_in_intro) }
        form method="post" action="/admin/sign-in" {
            (csrf_input(&issue(app, SIGN_IN_BINDING, now)))
            (lang_input(lang))
            p {
                label for="email" { (t.email) }
                input type="email" id="email" name="email" autocomplete="email" required value=(email);
            }
            button type="submit" { (t.send_link) }
        }
    }
}

/// `GET|POST /admin/sign-in`.
pub async fn sign_in<S: Store + 'static>(
    app: &App<S>,
    req: &HttpRequest,
    facts: &mut RequestFacts<'_>,
) -> HttpResponse {
    let form = if req.method == "POST" { Form::parse(req) } else { None };
    let lang = console_lang(req, form.as_ref());
    let t = lang.console();
    let now = facts.now.timestamp();
    let ask = |status: u16, notice: Option<Markup>, email: &str| {
        if app.mailer.is_none() {
            return console_page(503, lang, t.sign_in_title, status_notice(t.mail_off, true));
        }
        console_page(status, lang, t.sign_in_title, sign_in_form(app, lang, now, notice, email))
    };
    match req.method.as_str() {
        "GET" | "HEAD" => return ask(200, None, ""),
        "POST" => {}
        _ => return ask(405, None, ""),
    }
    let Some(form) = form.filter(|f| genuine(app, req, f, SIGN_IN_BINDING, now)) else {
        return ask(403, Some(status_notice(t.form_expired, true)), "");
    };
    let raw = form.get("email").unwrap_or("").trim().to_string();
    let Ok(email) = Email::parse(&raw) else {
        return ask(422, Some(status_notice(t.bad_email, true)), &raw);
    };
    // Whatever happens next, the answer is the same, and so is the work before it: finding the
    // person, storing the link, the audit entries and the mail all happen after the response.
    let Some(mailer) = app.mailer.clone() else { return ask(503, None, "") };
    let pending = PendingLink {
        store: Rc::clone(&app.store),
        mailer,
        subject_key: app.config.subject_key.clone(),
        ledger_key: app.config.ledger_key.clone(),
        email_key: staff_email_key(&app.config, &email),
        token: fresh_secret(facts),
        origin: app.config.own_origin(req),
        client_ip: client_ip(req).map(str::to_string),
        lang,
        now: facts.now,
    };
    facts.later.push(Box::pin(async move {
        if let Err(e) = pending.send().await {
            log_internal(&format!("console sign-in link not sent: {}", e.cause()));
        }
    }));
    let minutes = SIGN_IN_LINK_MINUTES.to_string();
    let sent = t.link_sent.replace("{email}", &raw).replace("{minutes}", &minutes);
    console_page(200, lang, t.sign_in_title, status_notice(&sent, false))
}

/// A sign-in link to mail after the response, if the address belongs to a person with a role.
struct PendingLink<S> {
    store: Rc<S>,
    mailer: Rc<dyn Mailer>,
    subject_key: Vec<u8>,
    ledger_key: Vec<u8>,
    email_key: String,
    token: String,
    origin: String,
    client_ip: Option<String>,
    lang: PageLang,
    now: DateTime<Utc>,
}

impl<S: Store + 'static> PendingLink<S> {
    async fn send(self) -> Result<(), AppError> {
        let store = &*self.store;
        let Some(person) = store.person_by_email_key(&self.email_key).await? else { return Ok(()) };
        let sites = store.memberships_of(&person.id).await?;
        let Some((first_site, _)) = sites.first() else { return Ok(()) };
        let expires = format_utc(self.now + TimeDelta::minutes(SIGN_IN_LINK_MINUTES));
        let hash = sha256_hex(self.token.as_bytes());
        store.create_sign_in_link(&hash, &person.id, &format_utc(self.now), &expires).await?;
        for (site, _) in &sites {
            let entry = AuditEntry {
                site,
                actor: Actor::Person { person_id: person.id.clone() },
                kind: AuditKind::SignInLinkRequested,
                detail: json!({}),
                client_ip: self.client_ip.as_deref(),
            };
            record_in(store, &self.ledger_key, entry, self.now).await?;
        }
        let url = format!("{}/admin/sign-in/{}?lang={}", self.origin, self.token, self.lang.code());
        let mail = sign_in_mail(&person.email, &url, self.lang.console());
        let task = budgeted_send(
            Rc::clone(&self.store),
            self.mailer,
            &self.subject_key,
            self.now,
            first_site,
            MAIL_KIND,
            mail,
        );
        if let Some(task) = task {
            task.await;
        }
        Ok(())
    }
}

fn sign_in_mail(to: &str, url: &str, t: &ConsoleText) -> OutgoingMail {
    let body = t.mail_body.replace("{minutes}", &SIGN_IN_LINK_MINUTES.to_string());
    let html = html! {
        p { (body) }
        p { a href=(url) { (t.link_button) } }
        p { (t.mail_ignore) }
    };
    OutgoingMail {
        to: to.into(),
        subject: t.mail_subject.into(),
        text: format!("{body}\n\n{url}\n\n{}\n", t.mail_ignore),
        html: html.into_string(),
    }
}

fn link_binding(token: &str) -> String {
    format!("console-link:{}", sha256_hex(token.as_bytes()))
}

/// `GET|POST /admin/sign-in/{token}`: GET shows a button; its POST starts the session.
pub async fn sign_in_link<S: Store + 'static>(
    app: &App<S>,
    token: &str,
    req: &HttpRequest,
    facts: &mut RequestFacts<'_>,
) -> HttpResponse {
    let form = if req.method == "POST" { Form::parse(req) } else { None };
    let lang = console_lang(req, form.as_ref());
    let t = lang.console();
    let now = facts.now.timestamp();
    let binding = link_binding(token);
    let button = |status: u16, notice: Option<Markup>| {
        let body = html! {
            @if let Some(n) = notice { (n) }
            p { (t.link_intro) }
            form method="post" action={ "/admin/sign-in/" (token) } {
                (csrf_input(&issue(app, &binding, now)))
                (lang_input(lang))
                button type="submit" { (t.link_button) }
            }
        };
        console_page(status, lang, t.link_title, body)
    };
    match req.method.as_str() {
        "GET" | "HEAD" => return button(200, None),
        "POST" => {}
        _ => return button(405, None),
    }
    if !form.is_some_and(|f| genuine(app, req, &f, &binding, now)) {
        return button(403, Some(status_notice(t.form_expired, true)));
    }
    let session = fresh_secret(facts);
    let link_hash = sha256_hex(token.as_bytes());
    let redeemed = match app
        .store
        .redeem_sign_in_link(&link_hash, &sha256_hex(session.as_bytes()), &format_utc(facts.now))
        .await
    {
        Ok(r) => r,
        Err(e) => return unavailable(lang, &e),
    };
    let minutes = SIGN_IN_LINK_MINUTES.to_string();
    let (status, reason, person_id, why) = match redeemed {
        Redeemed::Session { person_id } => {
            if let Err(e) = audit_everywhere(app, &person_id, AuditKind::SignIn, json!({}), req, facts).await
            {
                // The session exists already; the person is signed in, the log says what is missing.
                log_internal(&format!("sign-in of {person_id} not recorded: {}", e.cause()));
            }
            return see_other("/admin").with_header("set-cookie", &session_cookie(app, &session, false));
        }
        Redeemed::Used { person_id } => (410, t.link_used.to_string(), Some(person_id), "used"),
        Redeemed::Expired { person_id } => {
            (410, t.link_expired.replace("{minutes}", &minutes), Some(person_id), "expired")
        }
        Redeemed::NoAccess { person_id } => (403, t.link_no_access.to_string(), Some(person_id), "no_role"),
        Redeemed::Unknown => (404, t.link_unknown.to_string(), None, "unknown"),
    };
    log_internal(&format!("console sign-in refused: link {why}"));
    if let Some(person_id) = person_id {
        let detail = json!({"reason": why});
        if let Err(e) = audit_everywhere(app, &person_id, AuditKind::SignInFailed, detail, req, facts).await {
            log_internal(&format!("failed sign-in of {person_id} not recorded: {}", e.cause()));
        }
    }
    link_broken(status, lang, &reason)
}

/// The readable page for a link that cannot sign anyone in, with a "send a new link" button.
fn link_broken(status: u16, lang: PageLang, reason: &str) -> HttpResponse {
    let t = lang.console();
    let body = html! {
        (status_notice(reason, true))
        form method="get" action="/admin/sign-in" {
            (lang_input(lang))
            button type="submit" { (t.send_new) }
        }
    };
    console_page(status, lang, t.link_broken_title, body)
}

/// Records `kind` on the trail of every site the person has a role on.
async fn audit_everywhere<S: Store + 'static>(
    app: &App<S>,
    person_id: &str,
    kind: AuditKind,
    detail: serde_json::Value,
    req: &HttpRequest,
    facts: &RequestFacts<'_>,
) -> Result<(), AppError> {
    for (site, _) in app.store.memberships_of(person_id).await? {
        let actor = Actor::Person { person_id: person_id.to_string() };
        audit(app, &site, actor, kind, detail.clone(), req, facts).await?;
    }
    Ok(())
}

/// The `Set-Cookie` value that starts (or, with `clear`, ends) the session in the browser.
fn session_cookie<S>(app: &App<S>, value: &str, clear: bool) -> String {
    let secure = if app.config.is_local() { "" } else { "; Secure" };
    let max_age = if clear { 0 } else { SESSION_ABSOLUTE_HOURS * 3600 };
    format!(
        "{}={value}; HttpOnly{secure}; SameSite=Strict; Path=/; Max-Age={max_age}",
        session_cookie_name(app)
    )
}

/// `GET /admin`: the sites and roles of the signed-in person, and the sign-out buttons.
pub async fn home<S: Store + 'static>(
    app: &App<S>,
    req: &HttpRequest,
    facts: &mut RequestFacts<'_>,
) -> HttpResponse {
    let lang = console_lang(req, None);
    let t = lang.console();
    if !matches!(req.method.as_str(), "GET" | "HEAD") {
        return console_page(405, lang, t.home_title, html! {});
    }
    let person_id = match session_person(app, req, facts.now).await {
        Ok(Some(p)) => p,
        Ok(None) => return see_other("/admin/sign-in"),
        Err(e) => return unavailable(lang, &e),
    };
    let sites = match app.store.memberships_of(&person_id).await {
        Ok(sites) => sites,
        Err(e) => return unavailable(lang, &e),
    };
    let binding = session_binding(&session_token(app, req).unwrap_or_default());
    let csrf = issue(app, &binding, facts.now.timestamp());
    let body = html! {
        p { (t.home_intro) }
        @if sites.is_empty() {
            p { (t.no_sites) }
        } @else {
            table {
                thead { tr { th scope="col" { (t.site) } th scope="col" { (t.role) } } }
                tbody {
                    @for (site, role) in &sites {
                        tr {
                            td { a href={ "/admin/sites/" (site) "?lang=" (lang.code()) } { code { (site) } } }
                            td { (t.role(*role)) }
                        }
                    }
                }
            }
        }
        @if sites.iter().any(|(_, role)| *role == consent_shared::access::Role::Owner) {
            p { a href={ "/admin/new-site?lang=" (lang.code()) } { (lang.settings().new_site_link) } }
        }
        section {
            form method="post" action="/admin/sign-out" {
                (csrf_input(&csrf)) (lang_input(lang))
                p { button type="submit" { (t.sign_out) } }
            }
            form method="post" action="/admin/sign-out-everywhere" {
                (csrf_input(&csrf)) (lang_input(lang))
                p class="muted" { (t.sign_out_everywhere_help) }
                p { button type="submit" class="secondary" { (t.sign_out_everywhere) } }
            }
        }
    };
    console_page(200, lang, t.home_title, body)
}

/// `POST /admin/sign-out` and `/admin/sign-out-everywhere`.
pub async fn sign_out<S: Store + 'static>(
    app: &App<S>,
    req: &HttpRequest,
    facts: &mut RequestFacts<'_>,
    everywhere: bool,
) -> HttpResponse {
    let form = if req.method == "POST" { Form::parse(req) } else { None };
    let lang = console_lang(req, form.as_ref());
    let t = lang.console();
    if req.method != "POST" {
        return console_page(405, lang, t.sign_out, html! {});
    }
    let Some(token) = session_token(app, req) else { return see_other("/admin/sign-in") };
    if !form.is_some_and(|f| genuine(app, req, &f, &session_binding(&token), facts.now.timestamp())) {
        return console_page(403, lang, t.sign_out, status_notice(t.form_expired, true));
    }
    let now = format_utc(facts.now);
    let ended = match app.store.end_session(&sha256_hex(token.as_bytes()), &now).await {
        Ok(person) => person,
        Err(e) => return unavailable(lang, &e),
    };
    if let Some(person_id) = ended {
        let kind = if everywhere { AuditKind::SignOutEverywhere } else { AuditKind::SignOut };
        if everywhere {
            if let Err(e) = app.store.end_sessions_of(&person_id, &now).await {
                return unavailable(lang, &e);
            }
        }
        if let Err(e) = audit_everywhere(app, &person_id, kind, json!({}), req, facts).await {
            log_internal(&format!("sign-out of {person_id} not recorded: {}", e.cause()));
        }
    }
    let body = html! {
        (status_notice(t.signed_out, false))
        p { a href={ "/admin/sign-in?lang=" (lang.code()) } { (t.sign_in_title) } }
    };
    console_page(200, lang, t.sign_out, body).with_header("set-cookie", &session_cookie(app, "", true))
}
