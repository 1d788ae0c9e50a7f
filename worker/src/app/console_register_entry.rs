//! One register entry in the console (`/admin/sites/{site}/register/{reference}`): its details,
//! deadlines and notes, and what may be done to it — acknowledge (complaints), extend (with a
//! reason, within the first month), add a note, assign the handler, close with the outcome (a
//! complaint's reply is emailed to the person when they gave an address). The rules are
//! `shared::register::Entry`'s; every change is written against the version the page showed
//! (a stale one re-renders the current state, nothing saved) and audited by reference and
//! what changed, never with the text.

use chrono::NaiveDate;
use consent_shared::access::Actor;
use consent_shared::audit::AuditKind;
use consent_shared::register::{self, deadlines, extendable, RegisterError, RequestKind, Status};
use consent_shared::time::format_utc;
use maud::{html, Markup};
use serde_json::json;

use super::audit::record_together;
use super::console_register::{
    audit_entry, day_text, due_cell, register_href, staff_name, staff_names, today,
};
use super::console_site::Console;
use super::mail::OutgoingMail;
use super::page_text::console_register::RegisterText;
use super::page_text::PageLang;
use super::pages::{see_other, unavailable};
use super::{log_internal, App, RequestFacts};
use crate::http::{HttpRequest, HttpResponse};
use crate::store::register::{RegisterNote, RegisterRow};
use crate::store::{Store, StoreError};

/// The mail kind of a complaint's reply, for the mail budget's per-kind throttle.
const REPLY_MAIL_KIND: &str = "register_reply";

/// What the page shows besides the entry: a notice, the errors of the form sent, what was typed.
#[derive(Default)]
struct View {
    notice: Option<&'static str>,
    conflict: bool,
    errors: Vec<(&'static str, String)>,
    typed: Vec<(&'static str, String)>,
}

impl View {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| *f == field).map(|(_, m)| m.as_str())
    }

    fn typed(&self, field: &str) -> &str {
        self.typed.iter().find(|(f, _)| *f == field).map_or("", |(_, v)| v.as_str())
    }
}

pub async fn page<S: Store + 'static>(
    app: &App<S>,
    c: &Console,
    raw_reference: &str,
    req: &HttpRequest,
    facts: &mut RequestFacts<'_>,
) -> HttpResponse {
    let t = c.lang.register();
    let reference = register::parse_reference(raw_reference);
    let row = match reference.as_deref() {
        Some(r) => match app.store.register_entry(&c.site.id, r).await {
            Ok(row) => row,
            Err(e) => return unavailable(c.lang, &e),
        },
        None => None,
    };
    let Some(row) = row else {
        let shown: String = raw_reference.chars().take(20).collect();
        let body = html! {
            div class="error" role="alert" { p { (t.not_found.replace("{reference}", &shown)) } }
            p { a href=(register_href(c, "")) { (t.back) } }
        };
        return c.page(404, t.title, body);
    };
    let today = today(facts.now);
    let Some(form) = c.form.as_ref() else {
        let notice = req.query_param("done").as_deref().and_then(|d| done_notice(t, d));
        return render(app, c, 200, &row, &View { notice, ..View::default() }, today).await;
    };
    let op = form.get("op").unwrap_or("");
    let field = |name: &str| form.get(name).unwrap_or("").to_string();
    let mut view = View {
        typed: vec![("reason", field("reason")), ("note", field("note")), ("outcome", field("outcome"))],
        ..View::default()
    };
    // The page the form came from showed this version; anything newer is someone else's change.
    if form.get("version").and_then(|v| v.parse::<u32>().ok()) != Some(row.version) {
        view.conflict = true;
        return render(app, c, 409, &row, &view, today).await;
    }
    let actor = Actor::Person { person_id: c.person_id.clone() };
    let mut changed = row.clone();
    let mut note = None;
    let outcome = match op {
        // Notes and the handler too: a closed entry is the record of what was answered.
        _ if !row.entry.status.is_open() => Err(("op", t.e_closed.to_string())),
        "acknowledge" => changed.entry.acknowledge(today).map_err(|e| ("acknowledge", refusal(t, &row, e))),
        "extend" => {
            changed.entry.extend(&field("reason"), today).map_err(|e| ("reason", refusal(t, &row, e)))
        }
        "close" => {
            changed.entry.close(&field("outcome"), today).map_err(|e| ("outcome", refusal(t, &row, e)))
        }
        "note" => match register::text(&field("note")) {
            Ok(body) => {
                note = Some(RegisterNote { seq: 0, at: format_utc(facts.now), author: actor.label(), body });
                Ok(())
            }
            Err(RegisterError::TextTooLong) => Err(("note", t.e_too_long.to_string())),
            Err(_) => Err(("note", t.e_note.to_string())),
        },
        "assign" => match assignable(app, c, &field("handler")).await {
            Ok(Some(label)) => {
                changed.handler = Some(label);
                Ok(())
            }
            Ok(None) => Err(("handler", t.e_assign.to_string())),
            Err(e) => return unavailable(c.lang, &e),
        },
        // Only a broken or forged form names another.
        _ => Err(("op", c.text().not_allowed.to_string())),
    };
    if let Err((field, message)) = outcome {
        view.errors.push((field, message));
        return render(app, c, 422, &row, &view, today).await;
    }
    changed.updated_at = format_utc(facts.now);
    // The change and its trail entry in one batch: never stored unaudited.
    let detail = json!({"reference": row.entry.reference, "kind": row.entry.kind.as_str(), "change": op,
        "status": changed.entry.status.as_str()});
    let entry = audit_entry(c, AuditKind::RegisterEntryChanged, detail, req);
    let stored = record_together(app, entry, facts.now, |r, l| {
        let (changed, note) = (&changed, note.as_ref());
        async move { app.store.save_register_entry_audited(changed, note, &r, &l).await }
    });
    if let Err(e) = stored.await {
        // A change made against a version since replaced fails as a `Conflict` on every try:
        // show what is there now. Anything else is a failure to answer.
        return match app.store.register_entry(&c.site.id, &row.entry.reference).await {
            Ok(Some(current)) if current.version != row.version => {
                render(app, c, 409, &current, &View { conflict: true, ..view }, today).await
            }
            Ok(_) => unavailable(c.lang, &e.cause()),
            Err(read) => unavailable(c.lang, &read),
        };
    }
    let mut done = op.to_string();
    if op == "close" && changed.entry.kind == RequestKind::Complaint {
        if let Some(mail) = reply_mail(&c.site.organisation.name, &changed) {
            app.mail_later(facts, &c.site.id, REPLY_MAIL_KIND, mail);
            done = "close_mailed".into();
        }
    }
    see_other(&register_href(c, &format!("/{}?done={done}", row.entry.reference)))
}

/// The person of the site's team `person_id` names, as a handler label; `None` when it is none.
async fn assignable<S: Store>(
    app: &App<S>,
    c: &Console,
    person_id: &str,
) -> Result<Option<String>, StoreError> {
    if person_id.is_empty() {
        return Ok(None);
    }
    Ok(app.store.member(&c.site.id, person_id).await?.map(|m| format!("person:{}", m.person_id)))
}

/// Why `Entry` refused a change, in the page's words.
fn refusal(t: &RegisterText, row: &RegisterRow, e: RegisterError) -> String {
    match e {
        RegisterError::ExtensionReasonMissing => t.e_reason.into(),
        RegisterError::ExtensionTooLate => {
            t.e_too_late.replace("{date}", &first_month(row).map(day_text).unwrap_or_default())
        }
        RegisterError::NotExtendable => t.e_not_extendable.into(),
        RegisterError::AlreadyExtended => t.e_already_extended.into(),
        RegisterError::OutcomeMissing => t.e_outcome.into(),
        RegisterError::TextTooLong => t.e_too_long.into(),
        RegisterError::AlreadyAcknowledged => t.e_already_acknowledged.into(),
        RegisterError::NotAComplaint => t.e_not_complaint.into(),
        RegisterError::Closed => t.e_closed.into(),
        other => {
            log_internal(&format!("register change refused unexpectedly: {other}"));
            t.e_closed.into()
        }
    }
}

/// The end of the first month: the last day an extension may be taken.
fn first_month(row: &RegisterRow) -> Option<NaiveDate> {
    deadlines(row.entry.kind, row.entry.received_on, false).respond_by
}

fn done_notice(t: &RegisterText, done: &str) -> Option<&'static str> {
    Some(match done {
        "recorded" => t.done_recorded,
        "acknowledge" => t.done_acknowledged,
        "extend" => t.done_extended,
        "note" => t.done_note,
        "assign" => t.done_assigned,
        "close" => t.done_closed,
        "close_mailed" => t.done_closed_mailed,
        _ => return None,
    })
}

/// The reply to a closed complaint, to the address the person gave, in their language.
pub fn reply_mail(organisation: &str, row: &RegisterRow) -> Option<OutgoingMail> {
    let to = row.contact_email.as_deref()?;
    let outcome = row.entry.outcome.as_deref()?;
    let t = PageLang::parse(&row.lang).unwrap_or(PageLang::En).register();
    let reference = &row.entry.reference;
    let intro = t.reply_intro.replace("{org}", organisation).replace("{reference}", reference);
    let html = html! {
        p { (intro) }
        blockquote { @for line in outcome.lines() { (line) br; } }
        p { (t.reply_footer) }
    };
    Some(OutgoingMail {
        to: to.into(),
        subject: t.reply_subject.replace("{reference}", reference),
        text: format!("{intro}\n\n{outcome}\n\n{}\n", t.reply_footer),
        html: html.into_string(),
    })
}

async fn render<S: Store + 'static>(
    app: &App<S>,
    c: &Console,
    status: u16,
    row: &RegisterRow,
    view: &View,
    today: NaiveDate,
) -> HttpResponse {
    let (notes, names) = match (
        app.store.register_notes(&c.site.id, &row.entry.reference).await,
        staff_names(app, &c.site.id).await,
    ) {
        (Ok(notes), Ok(names)) => (notes, names),
        (Err(e), _) | (_, Err(e)) => return unavailable(c.lang, &e),
    };
    let t = c.lang.register();
    let e = &row.entry;
    let d = e.deadlines();
    let title = t.entry_title.replace("{reference}", &e.reference);
    let body = html! {
        @if view.conflict {
            div class="error" role="alert" { p { (t.changed_meanwhile) } }
        }
        @if !view.errors.is_empty() {
            div class="error" role="alert" {
                p { (t.errors_title) }
                ul { @for (_, m) in &view.errors { li { (m) } } }
            }
        }
        @if let Some(notice) = view.notice {
            div class="status" role="status" { p { (notice.replace("{reference}", &e.reference)) } }
        }
        section aria-labelledby="details-title" {
            h2 id="details-title" { (t.details_title) }
            dl {
                dt { (t.reference) } dd { code { (e.reference) } }
                dt { (t.kind) } dd { (t.kind(e.kind)) }
                dt { (t.arrival) } dd { (t.arrival(e.arrival)) }
                dt { (t.received) } dd { (day_text(e.received_on)) }
                dt { (t.status) } dd { (t.status(e.status)) }
                dt { (t.handler) } dd { (row.handler.as_deref().map_or(t.unassigned, |h| staff_name(&names, h))) }
                dt { (t.recorded_by) } dd { (staff_name(&names, &row.recorded_by)) }
                dt { (t.details) } dd { @for line in row.details.lines() { (line) br; } }
                @if row.contact_name.is_some() || row.contact_email.is_some() {
                    dt { (t.contact) }
                    dd { (row.contact_name.as_deref().unwrap_or("")) " " (row.contact_email.as_deref().unwrap_or("")) }
                }
                dt { (t.linked) } dd { (if row.subject.is_some() { t.yes } else { t.no }) }
                @if let Some(outcome) = &e.outcome {
                    dt { (t.outcome) } dd { @for line in outcome.lines() { (line) br; } }
                }
            }
        }
        section aria-labelledby="deadlines-title" {
            h2 id="deadlines-title" { (t.deadlines_title) }
            table {
                tbody {
                    @if let Some(by) = d.acknowledge_by {
                        tr { th scope="row" { (t.acknowledge_by) } td { (day_text(by)) } }
                    }
                    tr {
                        th scope="row" { (t.respond_by) }
                        td { (d.respond_by.map_or_else(|| t.without_undue_delay.to_string(), day_text)) }
                    }
                    tr { th scope="row" { (t.due) } (due_cell(t, e, today)) }
                    @if extendable(e.kind) {
                        tr {
                            th scope="row" { (t.extension) }
                            td { @match (e.extended_on, &e.extension_reason) {
                                (Some(on), Some(reason)) => (t.extended_on.replace("{date}", &day_text(on)).replace("{reason}", reason)),
                                _ => (t.not_extended),
                            } }
                        }
                    }
                    @if let Some(on) = e.acknowledged_on {
                        tr { th scope="row" { (t.acknowledged_on) } td { (day_text(on)) } }
                    }
                    @if let Some(on) = e.closed_on {
                        tr { th scope="row" { (t.closed_on) } td { (day_text(on)) } }
                    }
                }
            }
        }
        section aria-labelledby="notes-title" {
            h2 id="notes-title" { (t.notes_title) }
            @if notes.is_empty() {
                p { (t.no_notes) }
            } @else {
                ol {
                    @for n in &notes {
                        li {
                            p class="muted" { (n.at) ", " (staff_name(&names, &n.author)) }
                            blockquote { @for line in n.body.lines() { (line) br; } }
                        }
                    }
                }
            }
        }
        @if e.status.is_open() {
            (actions(c, t, row, view, &names))
        }
        p { a href=(register_href(c, "")) { (t.back) } }
    };
    c.page(status, &title, body)
}

fn actions(
    c: &Console,
    t: &RegisterText,
    row: &RegisterRow,
    view: &View,
    names: &[(String, String)],
) -> Markup {
    let e = &row.entry;
    let action = register_href(c, &format!("/{}", e.reference));
    let hidden = |op: &str| {
        html! {
            (c.form_fields())
            input type="hidden" name="op" value=(op);
            input type="hidden" name="version" value=(row.version);
        }
    };
    let described = |name: &str, id: &str, help: Option<&str>| -> Option<String> {
        let mut ids: Vec<String> = help.map(str::to_string).into_iter().collect();
        if view.error(name).is_some() {
            ids.push(format!("{id}-error"));
        }
        (!ids.is_empty()).then(|| ids.join(" "))
    };
    let error = |name: &str, id: &str| {
        html! { @if let Some(m) = view.error(name) { p class="error" id={ (id) "-error" } { (m) } } }
    };
    html! {
        section aria-labelledby="actions-title" {
            h2 id="actions-title" { (t.actions_title) }
            @if e.kind == RequestKind::Complaint && e.status == Status::Received {
                form method="post" action=(action) {
                    fieldset {
                        legend { (t.ack_title) }
                        (hidden("acknowledge"))
                        p id="ack-help" { (t.ack_help) }
                        (error("acknowledge", "ack"))
                        button type="submit" aria-describedby="ack-help" { (t.ack_button) }
                    }
                }
            }
            @if extendable(e.kind) && e.extended_on.is_none() {
                form method="post" action=(action) {
                    fieldset {
                        legend { (t.extend_title) }
                        (hidden("extend"))
                        p id="extend-rule" { (t.extend_rule.replace("{date}", &first_month(row).map(day_text).unwrap_or_default())) }
                        label for="extend-reason" { (t.extend_reason) } br;
                        (error("reason", "extend-reason"))
                        textarea id="extend-reason" name="reason" rows="2" cols="50"
                            aria-describedby=[described("reason", "extend-reason", Some("extend-rule"))] { (view.typed("reason")) }
                        p { button type="submit" { (t.extend_button) } }
                    }
                }
            }
            form method="post" action=(action) {
                fieldset {
                    legend { (t.note_title) }
                    (hidden("note"))
                    label for="note-body" { (t.note_title) } br;
                    (error("note", "note-body"))
                    textarea id="note-body" name="note" rows="3" cols="50"
                        aria-describedby=[described("note", "note-body", None)] { (view.typed("note")) }
                    p { button type="submit" { (t.note_button) } }
                }
            }
            form method="post" action=(action) {
                fieldset {
                    legend { (t.assign_title) }
                    (hidden("assign"))
                    label for="assign-handler" { (t.handler) } br;
                    (error("handler", "assign-handler"))
                    select id="assign-handler" name="handler" aria-describedby=[described("handler", "assign-handler", None)] {
                        option value="" { "—" }
                        @for (label, email) in names {
                            @let id = label.trim_start_matches("person:");
                            option value=(id) selected[row.handler.as_deref() == Some(label.as_str())] { (email) }
                        }
                    }
                    p { button type="submit" { (t.assign_button) } }
                }
            }
            form method="post" action=(action) {
                fieldset {
                    legend { (t.close_title) }
                    (hidden("close"))
                    p id="close-help" { (t.close_help) }
                    label for="close-outcome" { (t.outcome) } br;
                    (error("outcome", "close-outcome"))
                    textarea id="close-outcome" name="outcome" rows="4" cols="50"
                        aria-describedby=[described("outcome", "close-outcome", Some("close-help"))] { (view.typed("outcome")) }
                    p { button type="submit" { (t.close_button) } }
                }
            }
        }
    }
}
