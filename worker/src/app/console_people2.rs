//! The People section's acts beyond look-up, withdrawal and paper-form consent
//! (`console_people`): correcting a person's name or address on a request by letter or phone
//! (`rectify::rectify`, the preference centre's own path, with a taken, suppressed or erased
//! address refused up front), and recording a charitable purpose soft opt-in given on paper
//! (`admin::record_changes_as`, the API's path, after `basis::soft_opt_in_allowed` has placed
//! each reason beside its field). Both need an evidence note; both are audited.

use chrono::NaiveDate;
use consent_shared::access::Actor;
use consent_shared::api::v1::{Change, RecordedChanges};
use consent_shared::audit::AuditKind;
use consent_shared::basis::{soft_opt_in_allowed, Collection, LawfulBasis, SoftOptInRefusal, SupportContext};
use consent_shared::consent::{Action, Method};
use consent_shared::email::Email;
use consent_shared::site::PurposeChannel;
use maud::{html, Markup};
use serde_json::json;

use super::admin::record_changes_as;
use super::audit::{client_ip, record, AuditEntry};
use super::console_people::{described, field, list_value, View, MAX_NOTE};
use super::console_site::Console;
use super::ledger::Appended;
use super::pages::unavailable;
use super::rectify::{name_is_valid, rectify as rectify_record, Rectified, UnusableAddress};
use super::{App, RequestFacts};
use crate::error::AppError;
use crate::http::{HttpRequest, HttpResponse};
use crate::store::Store;

/// The status to render the People page with, or an answer of its own (storage failed).
pub type Answer = Result<u16, HttpResponse>;

/// The evidence note of `form`, checked: present, short, one paragraph's characters, and no
/// email address (the note goes into the events' source or the audit trail, which keep none).
fn evidence_note<'f>(c: &'f Console, view: &mut View) -> Option<&'f str> {
    let (t, u) = (c.lang.people(), c.lang.people2());
    let note = c.form.as_ref()?.get("note").unwrap_or("").trim();
    if note.is_empty() || note.len() > MAX_NOTE || note.chars().any(|ch| ch.is_control() && ch != '\n') {
        view.errors.push(("note", t.evidence_missing.into()));
        return None;
    }
    if note.contains('@') {
        view.errors.push(("note", u.note_has_address.into()));
        return None;
    }
    Some(note)
}

/// The method a paper record states (`paper_form` when the form does not say).
pub fn paper_method(c: &Console, view: &mut View) -> Method {
    match c.form.as_ref().and_then(|f| f.get("method")).unwrap_or("paper_form") {
        "paper_form" => Method::PaperForm,
        "admin_import" => Method::AdminImport,
        _ => {
            view.errors.push(("method", c.lang.people2().method_label.into()));
            Method::PaperForm
        }
    }
}

/// `op=rectify`: a corrected name and/or a new address for the person looked up as `email`.
pub async fn rectify<S: Store + 'static>(
    app: &App<S>,
    c: &Console,
    email: &Email,
    view: &mut View,
    req: &HttpRequest,
    facts: &mut RequestFacts<'_>,
) -> Answer {
    let u = c.lang.people2();
    let form = c.form.as_ref().expect("a POST has its form");
    let name = form.get("new_name").unwrap_or("").trim();
    if !name_is_valid(name) {
        view.errors.push(("new_name", u.rectify_bad_name.into()));
    }
    let raw_email = form.get("new_email").unwrap_or("").trim();
    let new_email = match raw_email {
        "" => None,
        raw => {
            Email::parse(raw).map_err(|_| view.errors.push(("new_email", u.rectify_bad_email.into()))).ok()
        }
    };
    if name.is_empty() && raw_email.is_empty() {
        view.errors.push(("new_name", u.rectify_nothing.into()));
    }
    let note = evidence_note(c, view);
    if !view.errors.is_empty() {
        return Ok(422);
    }
    let note = note.expect("checked with the other fields");
    let failed = |e: &dyn std::fmt::Display| Err(unavailable(c.lang, e));
    let subject = match app.subject_for(&c.site.id, email).await {
        Ok(subject) => subject,
        Err(e) => return failed(&e),
    };
    let held = match app.store.subject_record(&c.site.id, &subject).await {
        Ok(Some(held)) => held,
        Ok(None) => {
            view.not_held = true;
            return Ok(200);
        }
        Err(e) => return failed(&e),
    };
    let name = (!name.is_empty()).then_some(name);
    // The person's own language for the mail is not known here: the site's default.
    let lang = super::links::page_lang(None, &c.site);
    let rule = UnusableAddress::Refuse;
    let done =
        rectify_record(app, &c.site, &subject, &held, name, new_email.as_ref(), rule, lang, req, facts);
    let (name_changed, address_requested) = match done.await {
        Ok(Rectified::Done { name_changed, address_requested }) => (name_changed, address_requested),
        Ok(Rectified::AddressUnusable) => {
            // Nothing about whom it belongs to, or why: only that it cannot be used.
            super::log_internal("console people: a new address was refused (taken, suppressed or erased)");
            view.errors.push(("new_email", u.rectify_unusable.into()));
            return Ok(422);
        }
        Ok(Rectified::MailUnavailable) => {
            super::log_internal("console people: address change refused: no mailer configured");
            view.errors.push(("new_email", u.rectify_no_mail.into()));
            return Ok(503);
        }
        Err(e) => return failed(&e),
    };
    // The trail keeps the subject id, what changed and the evidence: never a name or address.
    let detail = json!({
        "subject": subject,
        "name_corrected": name_changed,
        "address_change_requested": address_requested,
        "note": note,
    });
    let entry = AuditEntry {
        site: &c.site.id,
        actor: Actor::Person { person_id: c.person_id.clone() },
        kind: AuditKind::SubjectRectified,
        detail,
        client_ip: client_ip(req),
    };
    if let Err(e) = record(app, entry, facts.now).await {
        return failed(&e);
    }
    let mut notice = Vec::new();
    if name_changed {
        notice.push(u.done_name);
    }
    if address_requested {
        notice.push(u.done_email_sent);
    }
    if notice.is_empty() {
        notice.push(u.done_unchanged);
    }
    view.notice = Some(notice.join(" "));
    Ok(200)
}

/// The site's lists a soft opt-in may be recorded for.
fn soft_lists(c: &Console) -> impl Iterator<Item = &PurposeChannel> {
    c.site.purposes.iter().filter(|pc| pc.basis == LawfulBasis::CharitySoftOptIn)
}

/// `op=soft_opt_in`: a soft opt-in the person gave on a paper form.
pub async fn soft_opt_in<S: Store + 'static>(
    app: &App<S>,
    c: &Console,
    email: &Email,
    view: &mut View,
    req: &HttpRequest,
    facts: &mut RequestFacts<'_>,
) -> Answer {
    let (t, u) = (c.lang.people(), c.lang.people2());
    let form = c.form.as_ref().expect("a POST has its form");
    let list = form.get("list").unwrap_or("");
    let pc = soft_lists(c).find(|pc| list_value(&pc.purpose, pc.channel.as_str()) == list);
    if pc.is_none() {
        view.errors.push(("list", u.soft_list_bad.into()));
    }
    let method = paper_method(c, view);
    let collected = NaiveDate::parse_from_str(form.get("collected").unwrap_or("").trim(), "%Y-%m-%d")
        .ok()
        .filter(|d| *d <= facts.now.date_naive());
    if collected.is_none() {
        view.errors.push(("collected", t.collected_bad.into()));
    }
    let context = form.get("context").and_then(SupportContext::parse);
    let directly_from_person = form.get("direct") == Some("yes");
    // The rules' own answer, each reason placed beside the field it is about.
    if let Some(day) = collected {
        let collected_at = day.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc();
        let collection = Collection { method, collected_at, context, directly_from_person };
        let allowed = soft_opt_in_allowed(collection);
        if let Err(refusal) = &allowed {
            super::log_internal(&format!("console people: soft opt-in refused: {refusal}"));
        }
        match allowed {
            Err(SoftOptInRefusal::BeforeCommencement) => {
                view.errors.push(("collected", u.soft_before_start.into()))
            }
            Err(SoftOptInRefusal::NoDirectEvidence) => view.errors.push(("direct", u.direct_missing.into())),
            Err(SoftOptInRefusal::NoContext) => view.errors.push(("context", u.context_missing.into())),
            Err(SoftOptInRefusal::NotDirect(_)) => view.errors.push(("method", u.method_label.into())),
            Ok(()) => {}
        }
    }
    // Every missing piece is said at once, not one per post.
    if !directly_from_person && !view.errors.iter().any(|(f, _)| *f == "direct") {
        view.errors.push(("direct", u.direct_missing.into()));
    }
    if context.is_none() && !view.errors.iter().any(|(f, _)| *f == "context") {
        view.errors.push(("context", u.context_missing.into()));
    }
    let note = evidence_note(c, view);
    let (Some(pc), Some(day), Some(note), true) = (pc, collected, note, view.errors.is_empty()) else {
        return Ok(422);
    };
    let input = RecordedChanges {
        email: email.address_for_sending().to_string(),
        method,
        changes: vec![Change {
            purpose: pc.purpose.clone(),
            channel: pc.channel,
            action: Action::SoftOptIn,
            wording_version: None,
        }],
        source: Some(note.to_string()),
        occurred_at: Some(format!("{day}T00:00:00Z")),
        lang: None,
        context,
        directly_from_person: Some(true),
    };
    let actor = Actor::Person { person_id: c.person_id.clone() };
    match record_changes_as(app, &c.site, actor, &input, req, facts).await {
        Ok(Appended::Suppressed(_)) => view.notice = Some(t.done_suppressed.into()),
        Ok(_) => view.notice = Some(u.done_soft.into()),
        Err(e @ (AppError::Invalid(_) | AppError::BadRequest(_))) => {
            super::log_internal(&format!("console people: soft opt-in refused: {e}"));
            view.errors.push(("note", format!("{} {e}", t.refused)));
            return Ok(422);
        }
        Err(e) => return Err(unavailable(c.lang, &e)),
    }
    Ok(200)
}

/// The method select of a paper record (grant, withdrawal, soft opt-in).
pub fn method_field(c: &Console, view: &View, id: &str) -> Markup {
    let u = c.lang.people2();
    field(
        view,
        "method",
        id,
        u.method_label,
        None,
        html! {
            select id=(id) name="method" aria-describedby=[described(view, "method", id, false)] {
                option value="paper_form" { (u.method_paper_form) }
                option value="admin_import" { (u.method_admin_import) }
            }
        },
    )
}

/// The evidence note of one of this module's forms.
fn note_field(c: &Console, view: &View, id: &str) -> Markup {
    let t = c.lang.people();
    field(
        view,
        "note",
        id,
        t.evidence,
        Some(t.evidence_help),
        html! {
            textarea id=(id) name="note" rows="2" required aria-describedby=[described(view, "note", id, true)] {}
        },
    )
}

/// The correction form (for someone held), and the soft opt-in form (for a role that may
/// record consents, held or not: a paper form may be the first the organisation hears of them).
pub fn forms(
    c: &Console,
    all: &View,
    action: &str,
    may_record: bool,
    held: bool,
    hidden: &dyn Fn(&str) -> Markup,
) -> Markup {
    let u = c.lang.people2();
    let view = &all.scoped("rectify");
    html! {
        @if held { form method="post" action=(action) {
            fieldset {
                legend { (u.rectify_title) }
                p { (u.rectify_help) }
                (hidden("rectify"))
                (field(view, "new_name", "rectify-name", u.rectify_name, Some(u.rectify_name_help), html! {
                    input id="rectify-name" type="text" name="new_name" autocomplete="off" maxlength="200"
                        aria-describedby=[described(view, "new_name", "rectify-name", true)];
                }))
                (field(view, "new_email", "rectify-email", u.rectify_email, Some(u.rectify_email_help), html! {
                    input id="rectify-email" type="email" name="new_email" autocomplete="off"
                        aria-describedby=[described(view, "new_email", "rectify-email", true)];
                }))
                (note_field(c, view, "rectify-note"))
                button type="submit" { (u.rectify_button) }
            }
        } }
        @if may_record {
            (soft_form(c, &all.scoped("soft_opt_in"), action, hidden))
        }
    }
}

fn soft_form(c: &Console, view: &View, action: &str, hidden: &dyn Fn(&str) -> Markup) -> Markup {
    let u = c.lang.people2();
    let lists: Vec<&PurposeChannel> = soft_lists(c).collect();
    let contexts = [
        (SupportContext::Donation, u.context_donation),
        (SupportContext::Membership, u.context_membership),
        (SupportContext::Volunteering, u.context_volunteering),
        (SupportContext::Event, u.context_event),
        (SupportContext::Enquiry, u.context_enquiry),
    ];
    html! {
        @if lists.is_empty() {
            section aria-labelledby="soft-title" {
                h3 id="soft-title" { (u.soft_title) }
                p { (u.soft_none) }
            }
        } @else {
            form method="post" action=(action) {
                fieldset {
                    legend { (u.soft_title) }
                    p { (u.soft_help) }
                    (hidden("soft_opt_in"))
                    (field(view, "list", "soft-list", c.lang.people().list, None, html! {
                        select id="soft-list" name="list" aria-describedby=[described(view, "list", "soft-list", false)] {
                            @for pc in &lists {
                                @let label = c.site.current_wording(pc, c.lang.code()).map_or(pc.purpose.as_str(), |w| w.label.as_str());
                                option value=(list_value(&pc.purpose, pc.channel.as_str())) { (label) " (" (pc.purpose) ", " (pc.channel.as_str()) ")" }
                            }
                        }
                    }))
                    (method_field(c, view, "soft-method"))
                    (field(view, "collected", "soft-collected", u.soft_collected, Some(u.soft_collected_help), html! {
                        input id="soft-collected" type="text" name="collected" inputmode="numeric" placeholder="YYYY-MM-DD" required
                            aria-describedby=[described(view, "collected", "soft-collected", true)];
                    }))
                    (field(view, "context", "soft-context", u.context_label, None, html! {
                        select id="soft-context" name="context" required aria-describedby=[described(view, "context", "soft-context", false)] {
                            @for (context, label) in contexts { option value=(context.as_str()) { (label) } }
                        }
                    }))
                    div class="field" {
                        @if let Some(e) = view.error("direct") { p class="error" id="soft-direct-error" { (e) } }
                        input id="soft-direct" type="checkbox" name="direct" value="yes" required
                            aria-describedby=[described(view, "direct", "soft-direct", false)];
                        " "
                        label for="soft-direct" { (u.direct_label) }
                    }
                    (note_field(c, view, "soft-note"))
                    button type="submit" { (u.soft_button) }
                }
            }
        }
    }
}
