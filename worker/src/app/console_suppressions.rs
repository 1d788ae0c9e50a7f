//! Console section `suppressions` (dpo, owner): the site's do-not-contact list by subject id
//! (reason, when, by whom, note — never an address), adding one or many addresses (pasted one
//! per line, or a pasted CSV read with the `csv` crate) with a reason from the fixed set
//! (`shared::suppression::Reason`; `erasure` only comes from erasing someone), and lifting a
//! `bounced` one with a note. Adds and removals go through `suppression_list` (the API's path)
//! and are audited.

use consent_shared::access::Actor;
use consent_shared::email::Email;
use consent_shared::suppression::Reason;
use maud::html;

use super::console_layout::when;
use super::console_site::Console;
use super::csv_upload::{csv_text, describe as describe_upload};
use super::page_text::console_people::PeopleText;
use super::pages::unavailable;
use super::suppression_list::{add_suppression_as, remove_suppression_as, NotLifted};
use super::{App, RequestFacts};
use crate::http::{HttpRequest, HttpResponse};
use crate::store::Store;

/// Addresses one post may add (each is one store write and one audit entry).
const MAX_ADDRESSES: usize = 1000;
/// Rows the list shows.
const LIST_LIMIT: u32 = 500;
const MAX_NOTE: usize = 500;
/// The largest file (or paste) of addresses read: the route's body cap less room for the
/// form's other fields.
const MAX_ADDRESSES_BYTES: usize = super::MAX_SUPPRESSIONS_BODY_BYTES - 16 * 1024;

#[derive(Default)]
struct View {
    addresses: String,
    reason: Option<Reason>,
    notice: Option<String>,
    errors: Vec<(&'static str, String)>,
    /// A removal refused: the subject and why, shown beside its row.
    row_error: Option<(String, String)>,
}

impl View {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| *f == field).map(|(_, m)| m.as_str())
    }
}

pub fn meaning(t: &PeopleText, reason: Reason) -> &'static str {
    match reason {
        Reason::Objection => t.reason_objection,
        Reason::Erasure => t.reason_erasure,
        Reason::FundraisingPreferenceService => t.reason_fps,
        Reason::Deceased => t.reason_deceased,
        Reason::Bounced => t.reason_bounced,
        Reason::Complaint => t.reason_complaint,
    }
}

pub async fn page<S: Store + 'static>(
    app: &App<S>,
    c: &Console,
    _item: Option<&str>,
    req: &HttpRequest,
    facts: &mut RequestFacts<'_>,
) -> HttpResponse {
    let t = c.lang.people();
    let mut view = View::default();
    let mut status = 200;
    if let Some(form) = c.form.as_ref() {
        let actor = Actor::Person { person_id: c.person_id.clone() };
        if form.get("op") == Some("remove") {
            let subject = form.get("subject").unwrap_or("").to_string();
            let note = form.get("note").unwrap_or("").trim();
            if note.is_empty() || note.len() > MAX_NOTE {
                view.row_error = Some((subject, t.evidence_missing.into()));
                status = 422;
            } else {
                match remove_suppression_as(app, &c.site.id, actor, &subject, note, req, facts).await {
                    Ok(Ok(())) => view.notice = Some(t.supp_removed.into()),
                    Ok(Err(why)) => {
                        super::log_internal(&format!("console suppressions: removal refused: {why:?}"));
                        let message = match why {
                            NotLifted::Missing => t.supp_missing,
                            NotLifted::Kept { .. } => t.supp_kept,
                        };
                        view.row_error = Some((subject, message.into()));
                        status = 422;
                    }
                    Err(e) => return unavailable(c.lang, &e),
                }
            }
        } else {
            view.addresses = form.get("addresses").unwrap_or("").to_string();
            let given = csv_text(form, "addresses_file", "addresses", MAX_ADDRESSES_BYTES);
            view.reason = form.get("reason").and_then(Reason::parse).filter(|r| r.addable());
            if view.reason.is_none() {
                view.errors.push(("reason", t.supp_bad_reason.into()));
            }
            let note = form.get("note").unwrap_or("").trim();
            if note.len() > MAX_NOTE {
                view.errors.push(("note", t.evidence_missing.into()));
            }
            let emails = match given {
                Ok(text) => parse_addresses(&text, t, &mut view.errors),
                Err(e) => {
                    super::log_internal(&format!("console suppressions: file refused: {e:?}"));
                    view.errors.push(("addresses", describe_upload(c.lang.people2(), e)));
                    Vec::new()
                }
            };
            match (view.reason, view.errors.is_empty()) {
                (Some(reason), true) => {
                    let note = (!note.is_empty()).then_some(note);
                    for email in &emails {
                        let added = add_suppression_as(
                            app,
                            &c.site.id,
                            actor.clone(),
                            email,
                            reason.as_str(),
                            note,
                            req,
                            facts,
                        )
                        .await;
                        if let Err(e) = added {
                            return unavailable(c.lang, &e);
                        }
                    }
                    view.notice = Some(t.supp_added.replace("{count}", &emails.len().to_string()));
                    view.addresses.clear();
                    view.reason = None;
                }
                _ => status = 422,
            }
        }
    }
    let rows = match app.store.suppression_list(&c.site.id, LIST_LIMIT).await {
        Ok(rows) => rows,
        Err(e) => return unavailable(c.lang, &e),
    };
    render(c, status, &view, &rows)
}

/// The addresses of a pasted list: one per line, or a CSV whose column `email` (else the first)
/// holds them. Every bad line is an error (nothing is added unless all are good).
fn parse_addresses(raw: &str, t: &PeopleText, errors: &mut Vec<(&'static str, String)>) -> Vec<Email> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(raw.as_bytes());
    let mut column = 0;
    let mut emails = Vec::new();
    let mut bad_lines = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 1;
        let Ok(record) = record else {
            bad_lines.push(line);
            continue;
        };
        if i == 0 {
            if let Some(at) = record.iter().position(|h| h.trim().eq_ignore_ascii_case("email")) {
                column = at;
                continue;
            }
        }
        let value = record.get(column).unwrap_or("").trim();
        if value.is_empty() && record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        match Email::parse(value) {
            Ok(e) => emails.push(e),
            Err(_) => bad_lines.push(line),
        }
    }
    for line in bad_lines.iter().take(20) {
        errors.push(("addresses", t.supp_bad_line.replace("{line}", &line.to_string())));
    }
    if bad_lines.is_empty() && emails.is_empty() {
        errors.push(("addresses", t.supp_no_lines.into()));
    }
    if emails.len() > MAX_ADDRESSES {
        errors.push(("addresses", t.supp_too_many.into()));
    }
    emails
}

fn render(
    c: &Console,
    status: u16,
    view: &View,
    rows: &[crate::store::suppressions::SuppressionRow],
) -> HttpResponse {
    let (t, ct) = (c.lang.people(), c.text());
    let action = c.section.href(&c.site.id);
    let reason_error = view.error("reason");
    let address_errors: Vec<&str> =
        view.errors.iter().filter(|(f, _)| *f == "addresses").map(|(_, m)| m.as_str()).collect();
    let body = html! {
        p { (t.supp_intro) }
        @if !view.errors.is_empty() {
            div class="error" role="alert" {
                p { (t.errors_title) }
                ul { @for (_, m) in &view.errors { li { (m) } } }
            }
        }
        @if let Some((_, why)) = &view.row_error {
            div class="error" role="alert" { p { (why) } }
        }
        @if let Some(notice) = &view.notice {
            div class="notice" role="status" { p { (notice) } }
        }
        h2 { (t.supp_reasons_title) }
        ul { @for r in Reason::ALL { li { (meaning(t, r)) } } }
        h2 id="add-title" { (t.supp_add_title) }
        form method="post" enctype="multipart/form-data" action=(action) aria-labelledby="add-title" {
            (c.form_fields())
            input type="hidden" name="op" value="add";
            @let u = c.lang.people2();
            @let described = |help: &str| if address_errors.is_empty() { help.to_string() } else { format!("{help} supp-addresses-error") };
            div class="field" {
                @if !address_errors.is_empty() {
                    div id="supp-addresses-error" { @for e in &address_errors { p class="error" { (e) } } }
                }
                label for="supp-addresses-file" { (u.file_label) }
                p class="help" id="supp-addresses-file-help" { (u.file_hint) }
                input id="supp-addresses-file" type="file" name="addresses_file" accept=".csv,text/csv"
                    aria-describedby=(described("supp-addresses-file-help"))
                    aria-invalid=[(!address_errors.is_empty()).then_some("true")];
            }
            div class="field" {
                label for="supp-addresses" { (u.paste_label) " — " (t.supp_addresses) }
                p class="help" id="supp-addresses-help" { (t.supp_addresses_help) }
                textarea id="supp-addresses" name="addresses" rows="6"
                    aria-describedby=(described("supp-addresses-help"))
                    aria-invalid=[(!address_errors.is_empty()).then_some("true")] { (view.addresses) }
            }
            div class="field" {
                label for="supp-reason" { (t.supp_reason) }
                @if let Some(e) = reason_error { p class="error" id="supp-reason-error" { (e) } }
                select id="supp-reason" name="reason" aria-describedby=[reason_error.map(|_| "supp-reason-error")] {
                    @for r in Reason::ALL.into_iter().filter(|r| r.addable()) {
                        option value=(r.as_str()) selected[view.reason == Some(r)] { (r.as_str()) }
                    }
                }
            }
            div class="field" {
                label for="supp-note" { (t.supp_note) }
                input id="supp-note" type="text" name="note" maxlength="500";
            }
            button type="submit" { (t.supp_add_button) }
        }
        h2 { (ct.suppressions) }
        @if rows.is_empty() {
            p { (t.supp_none) }
        } @else {
            table {
                thead { tr {
                    th scope="col" { (t.supp_subject) } th scope="col" { (t.supp_reason) }
                    th scope="col" { (t.supp_when) } th scope="col" { (t.supp_by) }
                    th scope="col" { (t.supp_note) } th scope="col" { span class="visually-hidden" { (t.supp_remove_button) } }
                } }
                tbody {
                    @for (i, row) in rows.iter().enumerate() {
                        @let fixed = Reason::parse(&row.reason);
                        tr {
                            td { code { (row.subject) } }
                            td { (row.reason) @if fixed.is_none() { " " (t.supp_legacy) } }
                            td { (when(c.lang, &row.created_at)) }
                            td { (row.added_by.as_deref().unwrap_or("")) }
                            td { (row.note.as_deref().unwrap_or("")) }
                            td {
                                @if let Some((subject, why)) = &view.row_error {
                                    @if *subject == row.subject { p class="error" role="alert" { (why) } }
                                }
                                @if fixed.is_some_and(Reason::removable) {
                                    form method="post" action=(action) {
                                        (c.form_fields())
                                        input type="hidden" name="op" value="remove";
                                        input type="hidden" name="subject" value=(row.subject);
                                        label for={ "remove-note-" (i) } { (t.supp_remove_note) }
                                        input id={ "remove-note-" (i) } type="text" name="note" required maxlength="500";
                                        button type="submit" { (t.supp_remove_button) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    c.page(status, ct.suppressions, body)
}
