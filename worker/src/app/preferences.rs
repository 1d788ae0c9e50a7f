//! The preference centre, `/p/{token}`: one server-rendered page (no JavaScript needed) where a
//! person sees who the organisation is, every purpose × channel with the exact wording and their
//! current choice, their history (what, when, how, which words), and can change any choice
//! (each change a `preference_page` ledger event), withdraw from everything, correct their name
//! and address, download their data, pause its use, or have it erased.
//!
//! Every form posts back here with an anti-forgery value; a successful post answers
//! `303 See Other` so a reload never repeats it.

use consent_shared::basis::{basis_in_force, stop_action};
use consent_shared::consent::{Action, ConsentEvent, Method};
use consent_shared::email::Email;
use consent_shared::ledger::{Choice, Provenance};
use consent_shared::register::{parse_reference, RequestKind};
use consent_shared::site::{PurposeChannel, SiteConfig};
use consent_shared::time::format_utc;
use consent_shared::token::{Claims, Scope};

use super::complaints::{check_text, lodge, received_message, Complainant, Lodged};
use super::csrf_form::{genuine, Form};
use super::ledger::{append_for_subject, request_context, Answering, Appended};
use super::links::{form_and_lang, open_link};
use super::page_text::complaints::{
    SELF_SERVICE_DOWNLOAD, SELF_SERVICE_ERASE, SELF_SERVICE_RECTIFY, SELF_SERVICE_RESTRICT,
};
use super::page_text::{PageLang, PageText};
use super::pages::{see_other, unavailable};
use super::rectify::{name_is_valid, rectify, Rectified, UnusableAddress, MAX_NAME_CHARS};
use super::register_entries::{record_self_service, SelfService};
use super::rights::{export_response, subject_export};
use super::{log_internal, App, RequestFacts};
use crate::http::{HttpRequest, HttpResponse};
use crate::store::{CurrentConsent, Store, StoreError, SubjectRecord};

mod page;
use page::render;

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
            let done = req.query_param("done").and_then(|code| match code.as_str() {
                "complained" => req
                    .query_param("reference")
                    .as_deref()
                    .and_then(parse_reference)
                    .map(|r| received_message(lang.complaints(), &site.organisation.name, &r)),
                code => done_message(lang.text(), code),
            });
            let message = done.map(|m| (m, false));
            return render(app, &person, &held, facts.now.timestamp(), message, None, 200);
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
        Outcome::Complained(Lodged { reference }) => {
            see_other(&format!("/p/{token}?lang={}&done=complained&reference={reference}", lang.code()))
        }
        Outcome::Respond(response) => response,
        Outcome::Problem(status, message) => {
            again(app, &person, facts, Some((message, true)), None, status).await
        }
        Outcome::ComplaintProblem { message, typed } => {
            let summary = lang.complaints().errors_summary.to_string();
            again(app, &person, facts, Some((summary, true)), Some((message.as_str(), typed.as_str())), 422)
                .await
        }
    }
}

/// Shows the page again, as it now is, with what went wrong.
async fn again<S: Store + 'static>(
    app: &App<S>,
    person: &Person<'_>,
    facts: &RequestFacts<'_>,
    message: Option<(String, bool)>,
    complaint: Option<(&str, &str)>,
    status: u16,
) -> HttpResponse {
    match load(app, person).await {
        Ok(Some(held)) => render(app, person, &held, facts.now.timestamp(), message, complaint, status),
        Ok(None) => nothing_held(app, person).await,
        Err(e) => unavailable(person.lang, &e),
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
    /// Nothing changed; show the page with this message.
    Problem(u16, String),
    /// A complaint was recorded (and its acknowledgement sent, or not).
    Complained(Lodged),
    /// The complaint could not be taken: the page again with the error beside the text box
    /// and the text as typed.
    ComplaintProblem { message: String, typed: String },
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
    let org = &p.site.organisation.name;
    let stored = |r: Result<(), StoreError>, done| match r {
        Ok(()) => Outcome::Done(done),
        Err(e) => try_again(t, e),
    };
    match form.get("action").unwrap_or("") {
        "choices" => {
            let mut choices = Vec::new();
            for pc in &p.site.purposes {
                let wanted = form.get(&field("c", pc)) == Some("yes");
                let state = state_of(&held.current, pc);
                // On if the organisation may contact them now, on whichever basis.
                let now_on = basis_in_force(pc.basis, state).is_some();
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
                } else if !wanted && stoppable(pc, state) {
                    choices.push(stop(pc, state));
                }
            }
            record(app, p, choices, req, facts, "saved").await
        }
        "withdraw_all" => {
            let choices = p
                .site
                .purposes
                .iter()
                .filter(|pc| stoppable(pc, state_of(&held.current, pc)))
                .map(|pc| stop(pc, state_of(&held.current, pc)))
                .collect();
            record(app, p, choices, req, facts, "withdrew").await
        }
        "details" => {
            let name = form.get("name").unwrap_or("").trim();
            if !name_is_valid(name) {
                return Outcome::Problem(422, t.bad_name.to_string());
            }
            let raw_email = form.get("email").unwrap_or("").trim();
            let new_email = match raw_email {
                "" => None,
                raw => match Email::parse(raw) {
                    Ok(e) => Some(e),
                    Err(_) => return Outcome::Problem(422, t.bad_email.to_string()),
                },
            };
            let rule = UnusableAddress::WriteButNeverConfirm;
            let done = rectify(
                app,
                p.site,
                p.subject,
                &held.record,
                Some(name),
                new_email.as_ref(),
                rule,
                p.lang,
                req,
                facts,
            );
            match done.await {
                Ok(Rectified::Done { name_changed, address_requested }) => {
                    // The same entry whether or not a new address is taken (this page tells nothing).
                    if name_changed || address_requested {
                        self_service(app, p, RequestKind::Rectification, SELF_SERVICE_RECTIFY, req, facts)
                            .await;
                    }
                    Outcome::Done(if address_requested { "email_sent" } else { "details" })
                }
                Ok(Rectified::MailUnavailable) => {
                    Outcome::Problem(503, t.email_change_unavailable.replace("{org}", org))
                }
                // Not this rule's outcome; answered as a failure rather than trusted.
                Ok(Rectified::AddressUnusable) => try_again(t, "address refused on the person's own page"),
                Err(e) => try_again(t, e),
            }
        }
        "download" => {
            // Recorded first, so the download lists itself among the person's requests.
            self_service(app, p, RequestKind::Access, SELF_SERVICE_DOWNLOAD, req, facts).await;
            match subject_export(app, p.site, p.subject, &held.record, &now).await {
                Ok(export) => Outcome::Respond(export_response(p.site, export)),
                Err(e) => try_again(t, e),
            }
        }
        "restrict" => match app.store.set_restricted(&p.site.id, p.subject, true, &now).await {
            Ok(()) => {
                self_service(app, p, RequestKind::Restriction, SELF_SERVICE_RESTRICT, req, facts).await;
                Outcome::Done("restricted")
            }
            Err(e) => try_again(t, e),
        },
        "lift" => stored(app.store.set_restricted(&p.site.id, p.subject, false, &now).await, "lifted"),
        "erase" => {
            if form.get("confirm") != Some("yes") {
                return Outcome::Problem(422, t.erase_needs_confirm.to_string());
            }
            // `erase_subject` also clears the contact details of the person's register entries.
            match app.store.erase_subject(&p.site.id, &claims.sub, &now).await {
                Ok(()) => {
                    self_service(app, p, RequestKind::Erasure, SELF_SERVICE_ERASE, req, facts).await;
                    Outcome::Respond(page::erased(p))
                }
                Err(e) => try_again(t, e),
            }
        }
        "complain" => {
            let typed = form.get("complaint").unwrap_or("");
            let complaint = match check_text(p.lang.complaints(), typed) {
                Ok(complaint) => complaint,
                Err(message) => return Outcome::ComplaintProblem { message, typed: typed.to_string() },
            };
            let who = Complainant {
                subject: Some(p.subject.to_string()),
                email: held.record.email.clone().unwrap_or_default(),
                name: held.record.name.clone(),
            };
            match lodge(app, p.site, p.lang, who, complaint, req, facts).await {
                Ok(lodged) => Outcome::Complained(lodged),
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
        direct_from_person: None,
        support_context: None,
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
            Outcome::Problem(409, t.suppressed.replace("{org}", &p.site.organisation.name))
        }
        Err(e) => try_again(t, e.cause()),
    }
}

/// Records a preference-centre action in the register as done today (failures logged).
async fn self_service<S: Store + 'static>(
    app: &App<S>,
    p: &Person<'_>,
    kind: RequestKind,
    outcome: &str,
    req: &HttpRequest,
    facts: &mut RequestFacts<'_>,
) {
    let done = SelfService { site: &p.site.id, subject: p.subject, kind, outcome, lang: p.lang };
    record_self_service(app, done, req, facts).await;
}

/// Storage failed: log why (as the JSON path does) and ask the person to try again.
fn try_again(t: &PageText, cause: impl std::fmt::Display) -> Outcome {
    log_internal(&format!("preference page: {cause}"));
    Outcome::Problem(503, t.try_again.to_string())
}

/// Whether there is anything to stop: a state that is not already a refusal, or a purpose the
/// organisation contacts people on without any event (legitimate interests, post).
fn stoppable(pc: &PurposeChannel, state: Option<Action>) -> bool {
    match state {
        Some(a) => !a.is_refusal(),
        None => basis_in_force(pc.basis, None).is_some(),
    }
}

/// Stopping contact: a withdrawal of consent, or an objection where the organisation relies on
/// the soft opt-in or legitimate interests (`basis::stop_action`).
fn stop(pc: &PurposeChannel, state: Option<Action>) -> Choice {
    Choice {
        purpose: pc.purpose.clone(),
        channel: pc.channel,
        action: stop_action(pc.basis, state),
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
    let erased = app.store.is_suppressed(&p.site.id, p.subject).await.unwrap_or_else(|e| {
        log_internal(&format!("preference page: {e}"));
        false
    });
    page::nothing_held(p, erased)
}
