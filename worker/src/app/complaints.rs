//! Complaints about the use of personal data (DUAA 2025 s.103, in force 19 June 2026): a form
//! on `/complaints/{site}` for anyone (and one in the preference centre for people with a link)
//! records the complaint in the register, mails the person an acknowledgement at once with its
//! reference, what happens next and a signed link to `/complaint-status/{token}`, where they see
//! where it stands and, once closed, the organisation's reply.
//!
//! The public form answers the same whether or not the address is on the list: the subject's id
//! is kept with the entry when it is (so the DPO sees who it is), never shown to the sender. The
//! entry is marked acknowledged only once the acknowledgement really went to the mail API; when
//! mail is unavailable it stays "received", and the register shows it due within 30 days.

use std::rc::Rc;

use chrono::{DateTime, Utc};
use consent_shared::access::Actor;
use consent_shared::audit::AuditKind;
use consent_shared::email::Email;
use consent_shared::register::{
    parse_reference, text, Arrival, Entry, RegisterError, RequestKind, MAX_TEXT_CHARS,
};
use consent_shared::site::SiteConfig;
use consent_shared::time::format_utc;
use consent_shared::token::{verify, Scope};
use maud::{html, Markup};
use serde_json::json;

use super::audit::{record_in, AuditEntry};
use super::budgeted_send;
use super::csrf_form::{genuine, issue};
use super::links::{form_and_lang, page_lang, public_site, LinkSigner};
use super::mail::OutgoingMail;
use super::page_text::complaints::ComplaintText;
use super::page_text::PageLang;
use super::pages::{lang_switch, notice, page, post_form, see_other, submit, unavailable};
use super::register_entries::{create_entry, new_row};
use super::{log_internal, App, RequestFacts};
use crate::http::{HttpRequest, HttpResponse};
use crate::store::register::RegisterRow;
use crate::store::{Store, StoreError};

/// Where the acknowledgement and the pages send a person who wants to go to the regulator.
pub const ICO_COMPLAINT_URL: &str = "https://ico.org.uk/make-a-complaint/";
/// Longest name kept with a complaint (as the preference centre's).
const MAX_NAME_CHARS: usize = 200;
/// The budget kind of the acknowledgement mail (one per mailbox and site per interval).
const MAIL_KIND: &str = "complaint_acknowledgement";

/// Who complains: the subject when the address is known to the site, and how to answer them.
pub struct Complainant {
    pub subject: Option<String>,
    pub email: String,
    pub name: Option<String>,
}

/// A recorded complaint: its reference. Whether its acknowledgement went is never part of the
/// answer: the mail budgets are per mailbox across every flow, so "could not send" would tell
/// an outsider that the address had just been mailed by another (a lost-link mail goes only to
/// an address on the list).
pub struct Lodged {
    pub reference: String,
}

/// The complaint's text as the register keeps it, or what to say beside the field.
pub fn check_text(c: &ComplaintText, raw: &str) -> Result<String, String> {
    text(raw).map_err(|e| match e {
        RegisterError::TextTooLong => c.text_too_long.replace("{max}", &MAX_TEXT_CHARS.to_string()),
        _ => c.text_missing.to_string(),
    })
}

/// The complaint's text box with its label, help and (when there is one) its error, linked by
/// `aria-describedby`.
pub fn text_field(c: &ComplaintText, value: &str, error: Option<&str>) -> Markup {
    let described = if error.is_some() { "complaint-help complaint-error" } else { "complaint-help" };
    html! {
        p {
            label for="complaint" { (c.complaint) }
            textarea id="complaint" name="complaint" rows="8" aria-describedby=(described)
                aria-invalid=[error.map(|_| "true")] { (value) }
        }
        p class="muted" id="complaint-help" { (c.complaint_help.replace("{max}", &MAX_TEXT_CHARS.to_string())) }
        @if let Some(error) = error {
            p class="field-error" id="complaint-error" { (error) }
        }
    }
}

/// What happens next, with the way to the ICO.
pub fn next_steps(c: &ComplaintText) -> Markup {
    html! {
        p { (c.next_steps) }
        p { a href=(ICO_COMPLAINT_URL) { (c.ico_link) } }
    }
}

/// What a person sees once the complaint is recorded: the same words whether or not the
/// acknowledgement can be sent (it is sent after the answer).
pub fn received_message(c: &ComplaintText, org: &str, reference: &str) -> String {
    let said = c.received.replace("{reference}", reference);
    format!("{said} {}", c.mailing.replace("{org}", org))
}

/// Records a complaint in the register (kind complaint, arrival complaint form, received
/// today); after the response, mails the acknowledgement and marks the entry acknowledged once
/// the mail API took it (neither the answer nor its timing depends on the mail).
pub async fn lodge<S: Store + 'static>(
    app: &App<S>,
    site: &SiteConfig,
    lang: PageLang,
    who: Complainant,
    complaint: String,
    req: &HttpRequest,
    facts: &mut RequestFacts<'_>,
) -> Result<Lodged, StoreError> {
    let today = facts.now.date_naive();
    let entry = Entry::new(String::new(), RequestKind::Complaint, Arrival::ComplaintForm, today);
    let row = RegisterRow {
        subject: who.subject,
        contact_email: Some(who.email.clone()),
        contact_name: who.name,
        details: complaint,
        ..new_row(&site.id, entry, lang, facts.now)
    };
    let row = create_entry(app, row, req, facts).await?;
    let reference = row.entry.reference.clone();
    let url = LinkSigner::for_request(app, req, facts).complaint_status_url(&site.id, &reference);
    let mail = acknowledgement_mail(site, lang, &who.email, &row.entry, &url);
    let send = app.mailer.clone().and_then(|mailer| {
        let store = Rc::clone(&app.store);
        budgeted_send(store, mailer, &app.config.subject_key, facts.now, &site.id, MAIL_KIND, mail)
    });
    if let Some(send) = send {
        let (store, key, now) = (Rc::clone(&app.store), app.config.ledger_key.clone(), facts.now);
        let client_ip = super::audit::client_ip(req).map(str::to_owned);
        facts.later.push(Box::pin(async move {
            if send.await {
                acknowledged(&*store, &key, row, client_ip, now).await;
            }
        }));
    }
    Ok(Lodged { reference })
}

/// Marks the entry acknowledged today (the mail went), and audits the change. Runs after the
/// response. A failure is logged: the person has the acknowledgement, the register still shows
/// the entry as due.
async fn acknowledged<S: Store>(
    store: &S,
    ledger_key: &[u8],
    mut row: RegisterRow,
    client_ip: Option<String>,
    now: DateTime<Utc>,
) {
    let reference = row.entry.reference.clone();
    if let Err(e) = row.entry.acknowledge(now.date_naive()) {
        log_internal(&format!("complaint {reference}: cannot be acknowledged: {e}"));
        return;
    }
    row.updated_at = format_utc(now);
    if let Err(e) = store.save_register_entry(&row, None).await {
        log_internal(&format!("complaint {reference}: acknowledgement sent but not recorded: {e}"));
        return;
    }
    let entry = AuditEntry {
        site: &row.site_id,
        actor: Actor::System,
        kind: AuditKind::RegisterEntryChanged,
        detail: json!({"reference": reference, "status": "acknowledged", "by": "acknowledgement_mail"}),
        client_ip: client_ip.as_deref(),
    };
    if let Err(e) = record_in(store, ledger_key, entry, now).await {
        log_internal(&format!("complaint {reference}: acknowledged, its audit entry not: {e}"));
    }
}

fn acknowledgement_mail(
    site: &SiteConfig,
    lang: PageLang,
    to: &str,
    entry: &Entry,
    url: &str,
) -> OutgoingMail {
    let c = lang.complaints();
    let org = &site.organisation.name;
    let received = c
        .mail_received
        .replace("{org}", org)
        .replace("{date}", &entry.received_on.format("%Y-%m-%d").to_string())
        .replace("{reference}", &entry.reference);
    OutgoingMail {
        to: to.to_string(),
        subject: c.mail_subject.replace("{org}", org).replace("{reference}", &entry.reference),
        text: format!(
            "{received}\n\n{}\n\n{}\n{url}\n\n{}\n{ICO_COMPLAINT_URL}\n",
            c.next_steps, c.mail_follow, c.mail_ico
        ),
        html: html! {
            p { (received) }
            p { (c.next_steps) }
            p { (c.mail_follow) " " a href=(url) { (url) } }
            p { (c.mail_ico) " " a href=(ICO_COMPLAINT_URL) { (ICO_COMPLAINT_URL) } }
        }
        .into_string(),
    }
}

/// What the person typed into the public form, to show it again.
#[derive(Default)]
struct Typed {
    name: String,
    email: String,
    complaint: String,
}

/// What is wrong with each field.
#[derive(Default)]
struct FieldErrors {
    name: Option<String>,
    email: Option<String>,
    complaint: Option<String>,
}

impl FieldErrors {
    fn any(&self) -> bool {
        self.name.is_some() || self.email.is_some() || self.complaint.is_some()
    }
}

/// `GET` or `POST /complaints/{site}`: the form; a complaint posted; the page after it.
pub async fn public_form<S: Store + 'static>(
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
    let binding = format!("complaint:{}", site.id);
    let now = facts.now.timestamp();
    let show = |status: u16, typed: &Typed, errors: &FieldErrors, problem: Option<&str>| {
        let csrf = issue(app, &binding, now);
        form_page(&site, lang, &csrf, status, typed, errors, problem)
    };
    match req.method.as_str() {
        "GET" | "HEAD" => {
            return match req.query_param("received").as_deref().and_then(parse_reference) {
                Some(reference) => received_page(&site, lang, &reference),
                None => show(200, &Typed::default(), &FieldErrors::default(), None),
            }
        }
        "POST" => {}
        _ => return show(405, &Typed::default(), &FieldErrors::default(), None),
    }
    let c = lang.complaints();
    let Some(form) = form else {
        return show(415, &Typed::default(), &FieldErrors::default(), Some(lang.text().form_expired));
    };
    let typed = Typed {
        name: form.get("name").unwrap_or("").trim().to_string(),
        email: form.get("email").unwrap_or("").trim().to_string(),
        complaint: form.get("complaint").unwrap_or("").to_string(),
    };
    if !genuine(app, req, &form, &binding, now) {
        // Keep what was typed: a form left open too long should not cost the person their words.
        return show(403, &typed, &FieldErrors::default(), Some(lang.text().form_expired));
    }
    let mut errors = FieldErrors::default();
    if typed.name.chars().count() > MAX_NAME_CHARS || typed.name.chars().any(char::is_control) {
        errors.name = Some(c.bad_name.to_string());
    }
    let email = Email::parse(&typed.email).map_err(|_| errors.email = Some(c.bad_email.to_string())).ok();
    let complaint = check_text(c, &typed.complaint).map_err(|m| errors.complaint = Some(m)).ok();
    let (Some(email), Some(complaint), false) = (email, complaint, errors.any()) else {
        return show(422, &typed, &errors, Some(c.errors_summary));
    };
    let who = Complainant {
        subject: known_subject(app, &site.id, &email).await,
        email: email.address_for_sending().to_string(),
        name: Some(typed.name.clone()).filter(|n| !n.is_empty()),
    };
    match lodge(app, &site, lang, who, complaint, req, facts).await {
        Ok(lodged) => {
            see_other(&format!("/complaints/{}?lang={}&received={}", site.id, lang.code(), lodged.reference))
        }
        Err(e) => unavailable(lang, &format!("complaint form of {}: {e}", site.id)),
    }
}

/// The subject an address stands for when the site holds a record with an address for it.
/// Never shown to the sender: only the register keeps it.
async fn known_subject<S: Store + 'static>(app: &App<S>, site: &str, email: &Email) -> Option<String> {
    let subject = match app.subject_for(site, email).await {
        Ok(subject) => subject,
        Err(e) => {
            log_internal(&format!("complaint form: {e}"));
            return None;
        }
    };
    match app.store.subject_record(site, &subject).await {
        Ok(Some(record)) if record.email.is_some() => Some(subject),
        Ok(_) => None,
        Err(e) => {
            log_internal(&format!("complaint form: {e}"));
            None
        }
    }
}

fn form_page(
    site: &SiteConfig,
    lang: PageLang,
    csrf: &str,
    status: u16,
    typed: &Typed,
    errors: &FieldErrors,
    problem: Option<&str>,
) -> HttpResponse {
    let c = lang.complaints();
    let path = format!("/complaints/{}", site.id);
    let field_error = |id: &str, error: &Option<String>| {
        html! {
            @if let Some(error) = error {
                p class="field-error" id=(id) { (error) }
            }
        }
    };
    let email_described = if errors.email.is_some() { "email-help email-error" } else { "email-help" };
    let fields = html! {
        p {
            label for="name" { (c.name) }
            input type="text" id="name" name="name" autocomplete="name" value=(typed.name)
                aria-describedby=[errors.name.as_ref().map(|_| "name-error")]
                aria-invalid=[errors.name.as_ref().map(|_| "true")];
        }
        (field_error("name-error", &errors.name))
        p {
            label for="email" { (c.email) }
            input type="email" id="email" name="email" autocomplete="email" value=(typed.email)
                aria-describedby=(email_described) aria-invalid=[errors.email.as_ref().map(|_| "true")];
        }
        p class="muted" id="email-help" { (c.email_help) }
        (field_error("email-error", &errors.email))
        (text_field(c, &typed.complaint, errors.complaint.as_deref()))
        (submit(c.send))
    };
    let body = html! {
        (lang_switch(lang, &path))
        @if let Some(problem) = problem {
            (notice(problem, true))
        }
        p { (c.intro.replace("{org}", &site.organisation.name)) }
        (post_form(&path, Some(csrf), lang, fields))
        (next_steps(c))
    };
    page(status, lang.code(), c.title, body)
}

fn received_page(site: &SiteConfig, lang: PageLang, reference: &str) -> HttpResponse {
    let c = lang.complaints();
    let body = html! {
        (notice(received_message(c, &site.organisation.name, reference), false))
        (next_steps(c))
    };
    page(200, lang.code(), c.received_title, body)
}

/// `GET /complaint-status/{token}`: where one complaint stands. Any link that cannot be used
/// (forged, altered, expired, another kind, its entry or site gone) gets the same page.
pub async fn status<S: Store + 'static>(
    app: &App<S>,
    token: &str,
    req: &HttpRequest,
    facts: &RequestFacts<'_>,
) -> HttpResponse {
    let asked = req.query_param("lang");
    let fallback = asked.as_deref().and_then(PageLang::parse).unwrap_or(PageLang::En);
    if !matches!(req.method.as_str(), "GET" | "HEAD") {
        return not_usable(fallback, 405);
    }
    let claims = match verify(token, &app.config.token_keys, facts.now.timestamp()) {
        Ok(claims) => claims,
        Err(e) => {
            log_internal(&format!("complaint status link refused: {e}"));
            return not_usable(fallback, 404);
        }
    };
    let Scope::ComplaintStatus { reference } = &claims.scope else { return not_usable(fallback, 404) };
    let site = match app.site(&claims.site, facts.now).await {
        Ok(Some(site)) => site,
        Ok(None) => return not_usable(fallback, 404),
        Err(e) => return unavailable(fallback, &e),
    };
    let row = match app.store.register_entry(&site.id, reference).await {
        Ok(Some(row)) if row.entry.kind == RequestKind::Complaint => row,
        Ok(_) => return not_usable(fallback, 404),
        Err(e) => return unavailable(fallback, &e),
    };
    // The language asked for, else the one the complaint was made in.
    let lang = match asked.as_deref().and_then(PageLang::parse) {
        Some(lang) => lang,
        None => page_lang(Some(&row.lang), &site),
    };
    let c = lang.complaints();
    let e = &row.entry;
    let day =
        |d: Option<chrono::NaiveDate>| d.map_or(c.not_yet.to_string(), |d| d.format("%Y-%m-%d").to_string());
    let body = html! {
        (lang_switch(lang, &format!("/complaint-status/{token}")))
        p { (c.status_intro.replace("{org}", &site.organisation.name)) }
        table {
            tbody {
                tr { th scope="row" { (c.reference) } td { (e.reference) } }
                tr { th scope="row" { (c.received_on) } td { (day(Some(e.received_on))) } }
                tr { th scope="row" { (c.status) } td { (c.status_name(e.status)) } }
                tr { th scope="row" { (c.acknowledged_on) } td { (day(e.acknowledged_on)) } }
                @if e.closed_on.is_some() {
                    tr { th scope="row" { (c.closed_on) } td { (day(e.closed_on)) } }
                }
            }
        }
        @if let Some(reply) = &e.outcome {
            h2 { (c.reply) }
            blockquote { @for line in reply.lines() { (line) br; } }
        }
        (next_steps(c))
    };
    page(200, lang.code(), c.status_title, body)
}

/// The page for a status link that cannot be used: says nothing about why or whose.
fn not_usable(lang: PageLang, status: u16) -> HttpResponse {
    let c = lang.complaints();
    page(status, lang.code(), c.link_broken_title, html! { p { (c.link_broken) } })
}
