//! The preference centre, `/p/{token}`: one server-rendered page (no JavaScript needed) where a
//! person sees who the organisation is, every purpose × channel with the exact wording and their
//! current choice, their history (what, when, how, which words), and can change any choice
//! (each change a `preference_page` ledger event), withdraw from everything, correct their name
//! and address, download their data, pause its use, or have it erased.
//!
//! Every form posts back here with an anti-forgery value; a successful post answers
//! `303 See Other` so a reload never repeats it.

use consent_shared::consent::{Action, ConsentEvent, Method};
use consent_shared::email::Email;
use consent_shared::ledger::{Choice, Provenance};
use consent_shared::site::{PurposeChannel, SiteConfig};
use consent_shared::subject::subject_id;
use consent_shared::time::format_utc;
use consent_shared::token::{Claims, Scope};

use super::csrf_form::{genuine, hidden_input, issue, Form};
use super::ledger::{append_for_subject, request_context, Answering, Appended};
use super::links::{form_and_lang, open_link, LinkSigner};
use super::mail::OutgoingMail;
use super::page_text::{PageLang, PageText};
use super::pages::{escape, notice, page, see_other, unavailable};
use super::rights::{export_response, subject_export};
use super::{log_internal, App, RequestFacts};
use crate::http::{HttpRequest, HttpResponse};
use crate::store::{CurrentConsent, Store, StoreError, SubjectRecord};

/// Longest name we keep.
const MAX_NAME_CHARS: usize = 200;

/// `GET` or `POST /p/{token}`: always a page (or the data download), whatever went wrong.
pub async fn handle<S: Store + 'static>(
    app: &App<S>,
    token: &str,
    req: &HttpRequest,
    facts: &mut RequestFacts<'_>,
) -> HttpResponse {
    let (claims, site) = match open_link(app, token, facts.now, |s| *s == Scope::Preferences).await {
        Ok(opened) => opened,
        Err(problem) => return problem,
    };
    let (form, lang) = form_and_lang(req, &site);
    let person = Person { site: &site, subject: &claims.sub, lang, token };
    let held = match load(app, &person).await {
        Ok(held) => held,
        Err(e) => return unavailable(lang, &e),
    };
    let Some(held) = held else { return nothing_held(app, &person).await };
    let outcome = match req.method.as_str() {
        "GET" | "HEAD" => {
            let done = req.query_param("done").and_then(|code| done_message(lang.text(), &code));
            return render(app, &person, &held, facts.now.timestamp(), done.map(|m| (m, false)), 200);
        }
        "POST" => match form {
            Some(form) if genuine(app, req, &form, token, facts.now.timestamp()) => {
                act(app, &person, &held, &claims, &form, req, facts).await
            }
            Some(_) => Outcome::Problem(403, lang.text().form_expired.to_string()),
            None => Outcome::Problem(415, lang.text().form_expired.to_string()),
        },
        _ => Outcome::Problem(405, lang.text().form_expired.to_string()),
    };
    match outcome {
        Outcome::Done(code) => see_other(&format!("/p/{token}?lang={}&done={code}", lang.code())),
        Outcome::Respond(response) => response,
        Outcome::Problem(status, message) => {
            // Show the page again, as it now is, with what went wrong.
            match load(app, &person).await {
                Ok(Some(held)) => {
                    render(app, &person, &held, facts.now.timestamp(), Some((message, true)), status)
                }
                Ok(None) => nothing_held(app, &person).await,
                Err(e) => unavailable(lang, &e),
            }
        }
    }
}

/// Whose page this is, in which language.
struct Person<'a> {
    site: &'a SiteConfig,
    subject: &'a str,
    lang: PageLang,
    token: &'a str,
}

/// Everything the page shows about the person.
struct Held {
    record: SubjectRecord,
    current: Vec<CurrentConsent>,
    events: Vec<ConsentEvent>,
}

async fn load<S: Store + 'static>(app: &App<S>, p: &Person<'_>) -> Result<Option<Held>, StoreError> {
    let Some(record) = app.store.subject_record(&p.site.id, p.subject).await? else { return Ok(None) };
    if record.email.is_none() {
        return Ok(None);
    }
    let current = app.store.current_consents(&p.site.id, p.subject).await?;
    let events = app.store.subject_events(&p.site.id, p.subject).await?;
    Ok(Some(Held { record, current, events }))
}

/// What a form post led to.
enum Outcome {
    /// Done: redirect to the page with this message code.
    Done(&'static str),
    /// A response of its own (the data download, the erasure page).
    Respond(HttpResponse),
    /// Nothing changed; show the page with this (safe HTML) message.
    Problem(u16, String),
}

async fn act<S: Store + 'static>(
    app: &App<S>,
    p: &Person<'_>,
    held: &Held,
    claims: &Claims,
    form: &Form,
    req: &HttpRequest,
    facts: &mut RequestFacts<'_>,
) -> Outcome {
    let t = p.lang.text();
    let now = format_utc(facts.now);
    let org = escape(&p.site.organisation.name);
    let stored = |r: Result<(), StoreError>, done| match r {
        Ok(()) => Outcome::Done(done),
        Err(e) => try_again(t, e),
    };
    match form.get("action").unwrap_or("") {
        "choices" => {
            let mut choices = Vec::new();
            for pc in &p.site.purposes {
                let wanted = form.get(&field("c", pc)) == Some("yes");
                let now_on = state_of(&held.current, pc) == Some(Action::Granted);
                if wanted && !now_on {
                    let shown = form.get(&field("v", pc)).and_then(|v| v.parse::<u32>().ok());
                    match shown {
                        Some(v) if pc.wordings.iter().any(|w| w.version == v) => choices.push(Choice {
                            purpose: pc.purpose.clone(),
                            channel: pc.channel,
                            action: Action::Granted,
                            wording_version: Some(v),
                        }),
                        _ => return Outcome::Problem(409, t.page_out_of_date.to_string()),
                    }
                } else if !wanted && state_of(&held.current, pc).is_some_and(|a| a != Action::Withdrawn) {
                    choices.push(withdrawal(pc));
                }
            }
            record(app, p, choices, req, facts, "saved").await
        }
        "withdraw_all" => {
            let choices = p
                .site
                .purposes
                .iter()
                .filter(|pc| state_of(&held.current, pc).is_some_and(|a| a != Action::Withdrawn))
                .map(withdrawal)
                .collect();
            record(app, p, choices, req, facts, "withdrew").await
        }
        "details" => {
            let name = form.get("name").unwrap_or("").trim();
            if name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
                return Outcome::Problem(422, t.bad_name.to_string());
            }
            let raw_email = form.get("email").unwrap_or("").trim();
            let new_email = if raw_email.is_empty() {
                None
            } else {
                match Email::parse(raw_email) {
                    // The stored spelling may differ from the one typed: compare identities.
                    Ok(e)
                        if held.record.email.as_deref().and_then(|s| Email::parse(s).ok()).as_ref()
                            != Some(&e) =>
                    {
                        Some(e)
                    }
                    Ok(_) => None,
                    Err(_) => return Outcome::Problem(422, t.bad_email.to_string()),
                }
            };
            if new_email.is_some() && app.mailer.is_none() {
                return Outcome::Problem(503, t.email_change_unavailable.replace("{org}", &org));
            }
            if held.record.name.as_deref().unwrap_or("") != name {
                let name = Some(name).filter(|n| !n.is_empty());
                if let Err(e) = app.store.set_name(&p.site.id, p.subject, name, &now).await {
                    return try_again(t, e);
                }
            }
            let Some(email) = new_email else { return Outcome::Done("details") };
            let alias = subject_id(&app.config.subject_key, &p.site.id, &email);
            // The same reads, the same write and the same answer whether or not the address is
            // taken, so neither the page nor its timing tells. A change to a taken address is
            // written too but can never be confirmed: its link is not sent, and `/c` checks
            // again before applying anything.
            let taken = address_taken(app, &p.site.id, p.subject, &alias).await;
            if let Err(e) = app.store.request_email_change(&p.site.id, p.subject, &email, &alias, &now).await
            {
                return try_again(t, e);
            }
            let url =
                LinkSigner::for_request(app, req, facts).confirm_email_url(&p.site.id, p.subject, &alias);
            let mail = if taken {
                // Say so only to the inbox that owns the address: this page reveals nothing.
                taken_mail(p, &email)
            } else {
                confirm_email_mail(p, &email, &url)
            };
            // Throttled per new address's mailbox: that is the inbox that could be flooded.
            app.mail_later(facts, &p.site.id, "address_change", mail);
            Outcome::Done("email_sent")
        }
        "download" => match subject_export(app, p.site, p.subject, &held.record, &now).await {
            Ok(export) => Outcome::Respond(export_response(p.site, export)),
            Err(e) => try_again(t, e),
        },
        "restrict" => stored(app.store.set_restricted(&p.site.id, p.subject, true, &now).await, "restricted"),
        "lift" => stored(app.store.set_restricted(&p.site.id, p.subject, false, &now).await, "lifted"),
        "erase" => {
            if form.get("confirm") != Some("yes") {
                return Outcome::Problem(422, t.erase_needs_confirm.to_string());
            }
            match app.store.erase_subject(&p.site.id, &claims.sub, &now).await {
                Ok(()) => Outcome::Respond(page(
                    200,
                    p.lang.code(),
                    t.erased_title,
                    &format!("<p>{}</p>", t.erased_body.replace("{org}", &org)),
                )),
                Err(e) => try_again(t, e),
            }
        }
        _ => Outcome::Problem(400, t.form_expired.to_string()),
    }
}

/// Appends the person's changes as `preference_page` events, in the page's language.
async fn record<S: Store + 'static>(
    app: &App<S>,
    p: &Person<'_>,
    choices: Vec<Choice>,
    req: &HttpRequest,
    facts: &mut RequestFacts<'_>,
    done: &'static str,
) -> Outcome {
    let t = p.lang.text();
    if choices.is_empty() {
        return Outcome::Done("unchanged");
    }
    let provenance = Provenance {
        method: Method::PreferencePage,
        // Where it happened, without the token (which opens the page).
        source_url: Some(format!("{}/p", app.config.own_origin(req))),
        lang: p.lang.code().to_string(),
        client_time: None,
    };
    let ctx = match request_context(req, facts) {
        Ok(ctx) => ctx,
        Err(e) => {
            log_internal(&format!("preference page: {}", e.cause()));
            return Outcome::Problem(400, t.try_again.to_string());
        }
    };
    let subject = p.subject.to_string();
    let appended = append_for_subject(
        app,
        p.site,
        subject,
        None,
        &choices,
        &provenance,
        &ctx,
        Answering::Trusted,
        req,
        facts,
    );
    match appended.await {
        Ok(Appended::Recorded(_) | Appended::Replayed(_)) => Outcome::Done(done),
        Ok(Appended::Suppressed(_)) => {
            Outcome::Problem(409, t.suppressed.replace("{org}", &escape(&p.site.organisation.name)))
        }
        Err(e) => try_again(t, e.cause()),
    }
}

/// Storage failed: log why (as the JSON path does) and ask the person to try again.
fn try_again(t: &PageText, cause: impl std::fmt::Display) -> Outcome {
    log_internal(&format!("preference page: {cause}"));
    Outcome::Problem(503, t.try_again.to_string())
}

fn withdrawal(pc: &PurposeChannel) -> Choice {
    Choice {
        purpose: pc.purpose.clone(),
        channel: pc.channel,
        action: Action::Withdrawn,
        wording_version: None,
    }
}

fn state_of(current: &[CurrentConsent], pc: &PurposeChannel) -> Option<Action> {
    current.iter().find(|c| c.purpose == pc.purpose && c.channel == pc.channel).map(|c| c.action)
}

/// A form field name for a purpose × channel (purpose keys are `[a-z0-9_-]`).
fn field(kind: &str, pc: &PurposeChannel) -> String {
    format!("{kind}:{}:{}", pc.purpose, pc.channel.as_str())
}

/// Whether `alias` (a new address's id) already stands for someone other than `subject`.
pub(super) async fn address_taken<S: Store + 'static>(
    app: &App<S>,
    site: &str,
    subject: &str,
    alias: &str,
) -> bool {
    if alias == subject {
        return false;
    }
    let resolves_elsewhere = app.store.resolve_subject(site, alias).await.map(|s| s != alias && s != subject);
    let own_record = app.store.subject_record(site, alias).await.map(|r| r.is_some());
    // When storage fails, treat it as taken: nothing is changed, and the mail says why.
    if let Err(e) = &resolves_elsewhere {
        log_internal(&format!("address check: {e}"));
    }
    if let Err(e) = &own_record {
        log_internal(&format!("address check: {e}"));
    }
    resolves_elsewhere.unwrap_or(true) || own_record.unwrap_or(true)
}

fn done_message(t: &PageText, code: &str) -> Option<String> {
    Some(
        match code {
            "saved" => t.saved,
            "unchanged" => t.nothing_changed,
            "withdrew" => t.withdrew_all,
            "details" => t.details_saved,
            "email_sent" => t.email_sent,
            "restricted" => t.restricted_done,
            "lifted" => t.lifted_done,
            _ => return None,
        }
        .to_string(),
    )
}

async fn nothing_held<S: Store + 'static>(app: &App<S>, p: &Person<'_>) -> HttpResponse {
    let t = p.lang.text();
    let org = escape(&p.site.organisation.name);
    let erased = app.store.is_suppressed(&p.site.id, p.subject).await.unwrap_or_else(|e| {
        log_internal(&format!("preference page: {e}"));
        false
    });
    let (title, body) =
        if erased { (t.erased_title, t.erased_body) } else { (t.nothing_held_title, t.nothing_held_body) };
    page(
        200,
        p.lang.code(),
        title,
        &format!("<p>{}</p>{}", body.replace("{org}", &org), who_we_are(p.site, t)),
    )
}

fn render<S>(
    app: &App<S>,
    p: &Person<'_>,
    held: &Held,
    now: i64,
    message: Option<(String, bool)>,
    status: u16,
) -> HttpResponse {
    let t = p.lang.text();
    let site = p.site;
    let org = escape(&site.organisation.name);
    let email = escape(held.record.email.as_deref().unwrap_or(""));
    let csrf = hidden_input(&issue(app, p.token, now));
    let lang_field = format!("<input type=\"hidden\" name=\"lang\" value=\"{}\">", p.lang.code());
    let form_open = |action: &str| {
        format!(
            "<form method=\"post\" action=\"/p/{}\">{csrf}{lang_field}\
             <input type=\"hidden\" name=\"action\" value=\"{action}\">",
            p.token
        )
    };
    let (other, other_name) = p.lang.other();
    let mut html = format!(
        "<nav aria-label=\"{}\"><a href=\"/p/{}?lang={}\" lang=\"{}\" hreflang=\"{}\">{other_name}</a></nav>",
        t.lang_switch,
        p.token,
        other.code(),
        other.code(),
        other.code()
    );
    html += &format!("<p>{}</p>", t.preferences_intro.replace("{org}", &org).replace("{email}", &email));
    if let Some((text, is_error)) = &message {
        html += &notice(text, *is_error);
    }
    if held.record.restricted {
        html += &notice(t.restricted_now, false);
    }

    // Choices, each with the exact words it stands for.
    html += &format!("<section aria-labelledby=\"choices\"><h2 id=\"choices\">{}</h2>", t.choices_heading);
    html += &form_open("choices");
    html += &format!("<p class=\"muted\">{}</p>", t.choices_help);
    for pc in &site.purposes {
        let Some(w) = site.current_wording(pc, p.lang.code()) else { continue };
        let id = format!("{}-{}", pc.purpose, pc.channel.as_str());
        let state = state_of(&held.current, pc);
        let since = held.current.iter().find(|c| c.purpose == pc.purpose && c.channel == pc.channel);
        let status_text = match (state, since) {
            (Some(Action::Granted), Some(c)) => t.agreed_on.replace("{date}", &readable_time(&c.updated_at)),
            (Some(Action::Pending), _) => t.awaiting_confirmation.to_string(),
            _ => t.not_agreed.to_string(),
        };
        html += &format!(
            "<div class=\"option\"><input type=\"checkbox\" id=\"c-{id}\" name=\"{name}\" value=\"yes\"{checked} \
             aria-describedby=\"w-{id} s-{id}\"><div><label for=\"c-{id}\">{label} ({channel})</label>\
             <p id=\"w-{id}\">{text}</p><p class=\"muted\" id=\"s-{id}\">{status_text}</p></div></div>\
             <input type=\"hidden\" name=\"{vname}\" value=\"{version}\">",
            name = field("c", pc),
            vname = field("v", pc),
            checked = if state == Some(Action::Granted) { " checked" } else { "" },
            label = escape(&w.label),
            channel = t.channel(pc.channel),
            text = escape(&w.text),
            version = w.version,
        );
    }
    html += &format!("<button type=\"submit\">{}</button></form>", t.save_choices);
    if held.current.iter().any(|c| c.action != Action::Withdrawn) {
        html += &format!(
            "<h3>{}</h3>{}<p>{}</p><button type=\"submit\" class=\"secondary\">{}</button></form>",
            t.withdraw_all_heading,
            form_open("withdraw_all"),
            t.withdraw_all_help,
            t.withdraw_all
        );
    }
    html += "</section>";

    // Rectification.
    html += &format!(
        "<section aria-labelledby=\"details\"><h2 id=\"details\">{}</h2>{}\
         <p><label for=\"name\">{}</label><input type=\"text\" id=\"name\" name=\"name\" autocomplete=\"name\" \
         maxlength=\"{MAX_NAME_CHARS}\" value=\"{}\"></p>\
         <p><label for=\"email\">{}</label><input type=\"email\" id=\"email\" name=\"email\" autocomplete=\"email\" \
         aria-describedby=\"email-help\" value=\"{email}\"></p><p class=\"muted\" id=\"email-help\">{}</p>\
         <button type=\"submit\">{}</button></form></section>",
        t.details_heading,
        form_open("details"),
        t.name,
        escape(held.record.name.as_deref().unwrap_or("")),
        t.email,
        t.email_help,
        t.save_details
    );

    html += &history(site, t, &held.events);

    // Access, portability, restriction, erasure.
    html += &format!(
        "<section aria-labelledby=\"data\"><h2 id=\"data\">{}</h2>\
         {}<p>{}</p><button type=\"submit\" class=\"secondary\">{}</button></form>\
         <h3>{}</h3>{}<p>{}</p><button type=\"submit\" class=\"secondary\">{}</button></form>\
         <h3>{}</h3>{}<p>{}</p><p><input type=\"checkbox\" id=\"erase-confirm\" name=\"confirm\" value=\"yes\" required> \
         <label for=\"erase-confirm\">{}</label></p><button type=\"submit\" class=\"secondary\">{}</button></form></section>",
        t.data_heading,
        form_open("download"),
        t.download_help,
        t.download,
        t.restrict_heading,
        form_open(if held.record.restricted { "lift" } else { "restrict" }),
        t.restrict_help,
        if held.record.restricted { t.lift } else { t.restrict },
        t.erase_heading,
        form_open("erase"),
        t.erase_help,
        t.erase_confirm,
        t.erase
    );
    html += &who_we_are(site, t);
    page(status, p.lang.code(), t.preferences_title, &html)
}

/// The person's whole ledger: when, what, the choice, how, and the words they saw.
fn history(site: &SiteConfig, t: &PageText, events: &[ConsentEvent]) -> String {
    let mut html =
        format!("<section aria-labelledby=\"history\"><h2 id=\"history\">{}</h2>", t.history_heading);
    if events.is_empty() {
        return html + &format!("<p>{}</p></section>", t.history_empty);
    }
    html += &format!(
        "<table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th>\
         <th scope=\"col\">{}</th></tr></thead><tbody>",
        t.when, t.what, t.choice, t.how
    );
    for e in events.iter().rev() {
        let what = match site.wording_of(e) {
            Some(w) => format!(
                "{} ({})<details><summary>{} ({} {})</summary><blockquote>{}</blockquote></details>",
                escape(&w.label),
                t.channel(e.channel),
                t.wording_shown,
                t.version,
                w.version,
                escape(&w.text)
            ),
            None => format!("{} ({})", escape(&e.purpose), t.channel(e.channel)),
        };
        html += &format!(
            "<tr><td>{}</td><td>{what}</td><td>{}</td><td>{}</td></tr>",
            readable_time(&e.server_time),
            t.action(e.action),
            t.method(e.method)
        );
    }
    html + "</tbody></table></section>"
}

fn who_we_are(site: &SiteConfig, t: &PageText) -> String {
    let org = &site.organisation;
    format!(
        "<section aria-labelledby=\"who\"><h2 id=\"who\">{}</h2><p><strong>{}</strong></p>\
         <p>{}: <a href=\"mailto:{mail}\">{mail}</a></p><p>{}: {}</p><p><a href=\"{}\">{}</a></p></section>",
        t.who_we_are,
        escape(&org.name),
        t.contact,
        t.postal_address,
        escape(&org.postal_address),
        escape(&org.privacy_notice_url),
        t.privacy_notice,
        mail = escape(&org.contact_email),
    )
}

/// `2026-11-24T12:00:00.000Z` → `2026-11-24 12:00`.
fn readable_time(stored: &str) -> String {
    match (stored.get(..10), stored.get(11..16)) {
        (Some(day), Some(time)) => format!("{day} {time}"),
        _ => escape(stored),
    }
}

fn confirm_email_mail(p: &Person<'_>, email: &Email, url: &str) -> OutgoingMail {
    let t = p.lang.text();
    let org = &p.site.organisation.name;
    super::confirm::link_mail(
        email.address_for_sending(),
        &t.mail_confirm_email_subject.replace("{org}", org),
        &t.mail_confirm_email_body.replace("{org}", org),
        url,
        t,
    )
}

fn taken_mail(p: &Person<'_>, email: &Email) -> OutgoingMail {
    let t = p.lang.text();
    let org = &p.site.organisation.name;
    let body = t.mail_email_taken_body.replace("{org}", org);
    OutgoingMail {
        to: email.address_for_sending().to_string(),
        subject: t.mail_confirm_email_subject.replace("{org}", org),
        text: format!("{body}\n\n{}\n", t.mail_ignore),
        html: format!("<p>{}</p><p>{}</p>", escape(&body), escape(t.mail_ignore)),
    }
}
