//! Console section `people` (dpo, owner): look up one person by email (their record, the same
//! document as their own download) and act on a request they made by letter or phone: a
//! withdrawal, a paper-form consent, restriction, erasure (typed confirmation). Every act goes
//! through the API's own functions (`rights::act_on_subject`, `admin::record_changes_as`), so
//! it is recorded in the audit trail with the signed-in person as actor. The address travels in
//! POST bodies only, never in a URL; every answer is `no-store`.

use chrono::NaiveDate;
use consent_shared::access::Action as Permission;
use consent_shared::api::v1::{Change, RecordedChanges};
use consent_shared::consent::Action;
use consent_shared::email::Email;
use maud::{html, Markup};
use serde_json::Value;

use super::admin::record_changes_as;
use super::console_layout::when;
use super::console_site::Console;
use super::ledger::Appended;
use super::page_text::console_people::PeopleText;
use super::pages::unavailable;
use super::rights::{act_on_subject, SubjectAct, SubjectOutcome};
use super::{App, RequestFacts};
use crate::error::AppError;
use crate::http::{HttpRequest, HttpResponse};
use crate::store::Store;

/// The evidence note's limit (it is kept as the events' source, at most 2,048 bytes).
pub(super) const MAX_NOTE: usize = 2000;

#[derive(Default)]
pub(super) struct View {
    pub email: String,
    /// The form posted (`op`): its errors are shown in that form only.
    pub op: String,
    pub record: Option<Value>,
    pub not_held: bool,
    pub erased: bool,
    pub notice: Option<String>,
    pub errors: Vec<(&'static str, String)>,
}

impl View {
    pub fn error(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| *f == field).map(|(_, m)| m.as_str())
    }

    /// The view as the form for `op` shows it: the errors only if that form was posted.
    pub fn scoped(&self, op: &str) -> View {
        View {
            email: self.email.clone(),
            op: self.op.clone(),
            errors: if self.op == op { self.errors.clone() } else { Vec::new() },
            ..View::default()
        }
    }
}

pub async fn page<S: Store + 'static>(
    app: &App<S>,
    c: &Console,
    _item: Option<&str>,
    req: &HttpRequest,
    facts: &mut RequestFacts<'_>,
) -> HttpResponse {
    let Some(form) = c.form.as_ref() else {
        return render(c, 200, &View::default());
    };
    let t = c.lang.people();
    let mut view = View { email: form.get("email").unwrap_or("").trim().to_string(), ..View::default() };
    let Ok(email) = Email::parse(&view.email) else {
        view.errors.push(("email", t.bad_email.into()));
        return render(c, 422, &view);
    };
    let actor = consent_shared::access::Actor::Person { person_id: c.person_id.clone() };
    let op = form.get("op").unwrap_or("lookup");
    view.op = op.to_string();
    let outcome = match op {
        "rectify" | "soft_opt_in" => {
            let answer = if op == "rectify" {
                super::console_people2::rectify(app, c, &email, &mut view, req, facts).await
            } else {
                if !Permission::WriteConsents.allowed_for(c.role) {
                    view.errors.push(("op", t.not_your_role.into()));
                    return render(c, 403, &view);
                }
                super::console_people2::soft_opt_in(app, c, &email, &mut view, req, facts).await
            };
            return match answer {
                Ok(status) => render(c, status, &view),
                Err(response) => response,
            };
        }
        "withdraw" | "grant" => {
            if !Permission::WriteConsents.allowed_for(c.role) {
                view.errors.push(("op", t.not_your_role.into()));
                return render(c, 403, &view);
            }
            let Some(input) = recorded_changes(c, t, &email, op == "grant", facts.now, &mut view) else {
                return render(c, 422, &view);
            };
            match record_changes_as(app, &c.site, actor, &input, req, facts).await {
                Ok(Appended::Suppressed(_)) => view.notice = Some(t.done_suppressed.into()),
                Ok(_) => {
                    view.notice = Some(if op == "grant" { t.done_granted } else { t.done_withdrawn }.into())
                }
                Err(e @ (AppError::Invalid(_) | AppError::BadRequest(_))) => {
                    super::log_internal(&format!("console people: {op} refused: {e}"));
                    view.errors.push(("note", format!("{} {e}", t.refused)));
                    return render(c, 422, &view);
                }
                Err(e) => return unavailable(c.lang, &e),
            }
            return render(c, 200, &view);
        }
        "erase" => {
            let confirm = form.get("confirm").unwrap_or("").trim();
            let matches =
                confirm == "ERASE" || Email::parse(confirm).is_ok_and(|e| e.identity() == email.identity());
            if !matches {
                view.errors.push(("confirm", t.erase_mismatch.into()));
                return render(c, 422, &view);
            }
            act_on_subject(app, &c.site, actor, SubjectAct::Erase, &email, req, facts).await
        }
        "restrict" | "unrestrict" => {
            let act = SubjectAct::Restrict(op == "restrict");
            act_on_subject(app, &c.site, actor, act, &email, req, facts).await
        }
        _ => act_on_subject(app, &c.site, actor, SubjectAct::Access, &email, req, facts).await,
    };
    match outcome {
        Ok(SubjectOutcome::NotHeld) => view.not_held = true,
        Ok(SubjectOutcome::Exported(export)) => view.record = Some(export),
        Ok(SubjectOutcome::Erased { .. }) => {
            view.erased = true;
            view.notice = Some(t.done_erased.into());
        }
        Ok(SubjectOutcome::Restricted { restricted, .. }) => {
            view.notice = Some(if restricted { t.done_restricted } else { t.done_unrestricted }.into())
        }
        Err(e) => return unavailable(c.lang, &e),
    }
    render(c, 200, &view)
}

/// The change a withdrawal or paper-form form asks for, or `None` with the errors in `view`.
fn recorded_changes(
    c: &Console,
    t: &PeopleText,
    email: &Email,
    grant: bool,
    now: chrono::DateTime<chrono::Utc>,
    view: &mut View,
) -> Option<RecordedChanges> {
    let form = c.form.as_ref()?;
    let list = form.get("list").unwrap_or("");
    let pc = c.site.purposes.iter().find(|pc| list_value(&pc.purpose, pc.channel.as_str()) == list);
    if pc.is_none() {
        view.errors.push(("list", t.refused.into()));
    }
    let method = super::console_people2::paper_method(c, view);
    let note = form.get("note").unwrap_or("").trim();
    if note.is_empty() || note.len() > MAX_NOTE || note.chars().any(|ch| ch.is_control() && ch != '\n') {
        view.errors.push(("note", t.evidence_missing.into()));
    }
    let occurred_at = if grant {
        match NaiveDate::parse_from_str(form.get("collected").unwrap_or("").trim(), "%Y-%m-%d") {
            Ok(d) if d <= now.date_naive() => Some(format!("{d}T00:00:00Z")),
            _ => {
                view.errors.push(("collected", t.collected_bad.into()));
                None
            }
        }
    } else {
        None
    };
    let pc = pc?;
    if !view.errors.is_empty() {
        return None;
    }
    Some(RecordedChanges {
        email: email.address_for_sending().to_string(),
        method,
        changes: vec![Change {
            purpose: pc.purpose.clone(),
            channel: pc.channel,
            action: if grant { Action::Granted } else { Action::Withdrawn },
            wording_version: None,
        }],
        source: Some(note.to_string()),
        occurred_at,
        lang: None,
        context: None,
        directly_from_person: None,
    })
}

pub(super) fn list_value(purpose: &str, channel: &str) -> String {
    format!("{purpose}|{channel}")
}

fn render(c: &Console, status: u16, view: &View) -> HttpResponse {
    let (t, ct) = (c.lang.people(), c.text());
    let action = c.section.href(&c.site.id);
    let body = html! {
        p { (t.people_intro) }
        @if !view.errors.is_empty() {
            div class="error" role="alert" {
                p { (t.errors_title) }
                ul { @for (_, m) in &view.errors { li { (m) } } }
            }
        }
        @if let Some(notice) = &view.notice {
            div class="notice" role="status" { p { (notice) } }
        }
        form method="post" action=(action) {
            (c.form_fields())
            input type="hidden" name="op" value="lookup";
            (field(view, "email", "lookup-email", t.lookup_email, None, html! {
                input id="lookup-email" type="email" name="email" autocomplete="off" required
                    value=(view.email) aria-describedby=[view.error("email").map(|_| "lookup-email-error")];
            }))
            button type="submit" { (t.lookup_button) }
        }
        @if view.not_held {
            p role="status" { (t.not_held) }
        }
        @if let Some(record) = &view.record {
            (record_view(c, t, ct, record))
        }
        // Someone not held yet may still have signed a paper form: those forms are offered.
        @if !view.email.is_empty() && view.error("email").is_none() && !view.erased {
            (act_forms(c, t, view, &action, !view.not_held))
        }
    };
    c.page(status, ct.people, body)
}

/// One labelled field with its error (if any) beside it.
pub(super) fn field(
    view: &View,
    name: &str,
    id: &str,
    label: &str,
    help: Option<&str>,
    input: Markup,
) -> Markup {
    html! {
        div class="field" {
            label for=(id) { (label) }
            @if let Some(help) = help { p class="help" id={ (id) "-help" } { (help) } }
            @if let Some(e) = view.error(name) { p class="error" id={ (id) "-error" } { (e) } }
            (input)
        }
    }
}

fn record_view(c: &Console, t: &PeopleText, _ct: &super::page_text::ConsoleText, r: &Value) -> Markup {
    let yes_no = |v: &Value| if v.as_bool().unwrap_or(false) { t.yes } else { t.no };
    let choices = r["current_choices"].as_array().cloned().unwrap_or_default();
    let whole = serde_json::to_string_pretty(r).unwrap_or_default();
    html! {
        section aria-labelledby="record-title" {
            h2 id="record-title" { (t.record_title) }
            dl {
                dt { (c.text().email) } dd { (r["email"].as_str().unwrap_or("")) }
                dt { (t.name) } dd { (r["name"].as_str().unwrap_or("")) }
                dt { (t.restricted) } dd { (yes_no(&r["restricted"])) }
                dt { (t.suppressed) } dd { (yes_no(&r["suppressed"])) }
                dt { (t.first_seen) } dd { (when(c.lang, r["first_seen"].as_str().unwrap_or(""))) }
                dt { (t.history_events) } dd { (r["history"].as_array().map_or(0, Vec::len)) }
            }
            h3 { (t.current_choices) }
            @if choices.is_empty() {
                p { (t.none_recorded) }
            } @else {
                table {
                    thead { tr { th scope="col" { (t.purpose) } th scope="col" { (t.channel) } th scope="col" { (t.state) } th scope="col" { (t.since) } } }
                    tbody {
                        @for ch in &choices {
                            tr {
                                td { (ch["purpose"].as_str().unwrap_or("")) }
                                td { (ch["channel"].as_str().unwrap_or("")) }
                                td { (ch["action"].as_str().unwrap_or("")) }
                                td { (when(c.lang, ch["updated_at"].as_str().unwrap_or(""))) }
                            }
                        }
                    }
                }
            }
            details {
                summary { (t.whole_record) }
                pre { code { (whole) } }
            }
        }
    }
}

/// `aria-describedby` for a field: its help (when it has one) and its error (when shown).
pub(super) fn described(view: &View, name: &str, id: &str, help: bool) -> Option<String> {
    let mut ids = Vec::new();
    if help {
        ids.push(format!("{id}-help"));
    }
    if view.error(name).is_some() {
        ids.push(format!("{id}-error"));
    }
    (!ids.is_empty()).then(|| ids.join(" "))
}

fn act_forms(c: &Console, t: &PeopleText, all: &View, action: &str, held: bool) -> Markup {
    let hidden = |op: &str| {
        html! {
            (c.form_fields())
            input type="hidden" name="op" value=(op);
            input type="hidden" name="email" value=(all.email);
        }
    };
    let lists = html! {
        @for pc in &c.site.purposes {
            @let label = c.site.current_wording(pc, c.lang.code()).map_or(pc.purpose.as_str(), |w| w.label.as_str());
            option value=(list_value(&pc.purpose, pc.channel.as_str())) { (label) " (" (pc.purpose) ", " (pc.channel.as_str()) ")" }
        }
    };
    let may_record = Permission::WriteConsents.allowed_for(c.role);
    html! {
        section aria-labelledby="act-title" {
            h2 id="act-title" { (t.act_title) }
            p { (t.act_intro) }
            @if may_record && held {
                form method="post" action=(action) {
                    fieldset {
                        legend { (t.withdraw_title) }
                        (hidden("withdraw"))
                        @let view = &all.scoped("withdraw");
                        (field(view, "list", "withdraw-list", t.list, None, html! {
                            select id="withdraw-list" name="list" { (lists) }
                        }))
                        (super::console_people2::method_field(c, view, "withdraw-method"))
                        (field(view, "note", "withdraw-note", t.evidence, Some(t.evidence_help), html! {
                            textarea id="withdraw-note" name="note" rows="2" required
                                aria-describedby=[described(view, "note", "withdraw-note", true)] {}
                        }))
                        button type="submit" { (t.withdraw_button) }
                    }
                }
            }
            @if may_record {
                form method="post" action=(action) {
                    fieldset {
                        legend { (t.grant_title) }
                        p { (t.grant_help) }
                        (hidden("grant"))
                        @let view = &all.scoped("grant");
                        (field(view, "list", "grant-list", t.list, None, html! {
                            select id="grant-list" name="list" { (lists) }
                        }))
                        (field(view, "collected", "grant-collected", t.collected, None, html! {
                            input id="grant-collected" type="text" name="collected" inputmode="numeric" placeholder="YYYY-MM-DD" required
                                aria-describedby=[described(view, "collected", "grant-collected", false)];
                        }))
                        (super::console_people2::method_field(c, view, "grant-method"))
                        (field(view, "note", "grant-note", t.evidence, Some(t.evidence_help), html! {
                            textarea id="grant-note" name="note" rows="2" required
                                aria-describedby=[described(view, "note", "grant-note", true)] {}
                        }))
                        button type="submit" { (t.grant_button) }
                    }
                }
            }
            (super::console_people2::forms(c, all, action, may_record, held, &hidden))
            @if held {
                form method="post" action=(action) {
                    fieldset {
                        legend { (t.restrict_title) }
                        (hidden("restrict"))
                        button type="submit" { (t.restrict_button) }
                    }
                }
                form method="post" action=(action) {
                    fieldset {
                        legend { (t.restrict_title) }
                        (hidden("unrestrict"))
                        button type="submit" { (t.unrestrict_button) }
                    }
                }
                form method="post" action=(action) {
                    fieldset {
                        legend { (t.erase_title) }
                        (hidden("erase"))
                        @let view = &all.scoped("erase");
                        (field(view, "confirm", "erase-confirm", t.erase_confirm, Some(t.erase_help), html! {
                            input id="erase-confirm" type="text" name="confirm" autocomplete="off" required
                                aria-describedby=[described(view, "confirm", "erase-confirm", true)];
                        }))
                        button type="submit" { (t.erase_button) }
                    }
                }
            }
        }
    }
}
