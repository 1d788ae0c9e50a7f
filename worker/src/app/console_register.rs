//! Console section `register` (dpo, owner): every rights request and complaint with its
//! statutory due date (`shared::register`), paged and filtered, overdue and due-soon entries
//! marked in words; recording a request that came by letter, phone or email; the register as
//! CSV. One entry's page and its changes are `console_register_entry`; the daily digest is
//! `register_digest`. Every write and every download is in the audit trail, by reference and
//! kind, never with the text or an address.

use chrono::{DateTime, Days, NaiveDate, Utc};
use consent_shared::access::Actor;
use consent_shared::audit::AuditKind;
use consent_shared::digest::sha256_hex;
use consent_shared::email::Email;
use consent_shared::register::{self, Arrival, Entry, RegisterError, RequestKind, Urgency, DUE_SOON_DAYS};
use consent_shared::time::format_utc;
use maud::{html, Markup};
use serde_json::json;

use super::audit::{client_ip, record, record_together, spreadsheet_safe, AuditEntry};
use super::console_site::{Console, Section};
use super::page_text::console_register::RegisterText;
use super::page_text::PageLang;
use super::pages::{see_other, unavailable};
use super::{App, RequestFacts};
use crate::error::AppError;
use crate::http::{HttpRequest, HttpResponse};
use crate::store::register::{RegisterQuery, RegisterRow};
use crate::store::{Store, StoreError};

/// Entries per page of the list.
pub const PAGE_SIZE: u32 = 50;
/// The most entries one CSV holds: past it the file holds the first ones (open first, soonest
/// due first) and the download's audit entry says `"truncated": true`.
pub const EXPORT_MAX: u32 = 10_000;
/// The longest contact name kept (characters).
const MAX_NAME_CHARS: usize = 200;

pub async fn page<S: Store + 'static>(
    app: &App<S>,
    c: &Console,
    item: Option<&str>,
    req: &HttpRequest,
    facts: &mut RequestFacts<'_>,
) -> HttpResponse {
    match item {
        None => list(app, c, req, facts.now).await,
        Some("new") => record_request(app, c, req, facts).await,
        Some("csv") => export(app, c, req, facts.now).await,
        Some(reference) => super::console_register_entry::page(app, c, reference, req, facts).await,
    }
}

/// The day the register counts in (UTC; see the report on a UK calendar).
pub fn today(now: DateTime<Utc>) -> NaiveDate {
    now.date_naive()
}

pub fn day_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// The section's base path with the page's language.
pub fn register_href(c: &Console, rest: &str) -> String {
    let base = Section::Register.href(&c.site.id);
    let sep = if rest.contains('?') { '&' } else { '?' };
    format!("{base}{rest}{sep}lang={}", c.lang.code())
}

/// Staff of the site, `Actor::label` → email, to show who recorded or handles an entry.
pub async fn staff_names<S: Store>(app: &App<S>, site: &str) -> Result<Vec<(String, String)>, StoreError> {
    Ok(app
        .store
        .members(site)
        .await?
        .into_iter()
        .map(|m| (format!("person:{}", m.person_id), m.email))
        .collect())
}

pub fn staff_name<'a>(names: &'a [(String, String)], label: &'a str) -> &'a str {
    names.iter().find(|(l, _)| l == label).map_or(label, |(_, email)| email.as_str())
}

/// The due date cell: the date and, when pressing, a word and a sign (never colour alone).
pub fn due_cell(t: &RegisterText, entry: &Entry, today: NaiveDate) -> Markup {
    let due = entry.due_on();
    html! {
        @match entry.urgency(today, DUE_SOON_DAYS) {
            Urgency::Overdue => td class="error" {
                (due.map(day_text).unwrap_or_default()) " " strong { "⚠ " (t.overdue) }
            },
            Urgency::DueSoon => td {
                (due.map(day_text).unwrap_or_default()) " " mark { strong { "⏱ " (t.due_soon) } }
            },
            _ => td { (due.map_or_else(|| t.no_fixed_date.to_string(), day_text)) },
        }
    }
}

async fn list<S: Store + 'static>(
    app: &App<S>,
    c: &Console,
    req: &HttpRequest,
    now: DateTime<Utc>,
) -> HttpResponse {
    let t = c.lang.register();
    let open_only = req.query_param("open").is_some_and(|v| v == "1");
    let kind = req.query_param("kind").as_deref().and_then(RequestKind::parse);
    let page_no: u32 = req.query_param("page").and_then(|p| p.parse().ok()).unwrap_or(0).min(100_000);
    let query = RegisterQuery { open_only, kind, limit: PAGE_SIZE + 1, offset: page_no * PAGE_SIZE };
    let (mut rows, names) =
        match (app.store.register_entries(&c.site.id, query).await, staff_names(app, &c.site.id).await) {
            (Ok(rows), Ok(names)) => (rows, names),
            (Err(e), _) | (_, Err(e)) => return unavailable(c.lang, &e),
        };
    let more = rows.len() > PAGE_SIZE as usize;
    rows.truncate(PAGE_SIZE as usize);
    let today = today(now);
    let mut keep = form_urlencoded::Serializer::new(String::new());
    if open_only {
        keep.append_pair("open", "1");
    }
    if let Some(k) = kind {
        keep.append_pair("kind", k.as_str());
    }
    let keep = keep.finish();
    let paged = |n: u32| register_href(c, &format!("?{keep}&page={n}"));
    let body = html! {
        p { (t.intro) }
        ul {
            li { a href=(register_href(c, "/new")) { (t.record_link) } }
            li { a href=(register_href(c, "/csv")) download { (t.export_link) } " " span class="muted" { (t.export_note) } }
        }
        form method="get" action=(c.section.href(&c.site.id)) {
            input type="hidden" name="lang" value=(c.lang.code());
            fieldset {
                legend { (t.filter) }
                div class="option" {
                    input id="open" type="checkbox" name="open" value="1" checked[open_only];
                    label for="open" { (t.open_only) }
                }
                p {
                    label for="kind" { (t.kind) } br;
                    select id="kind" name="kind" {
                        option value="" selected[kind.is_none()] { (t.any_kind) }
                        @for k in RequestKind::ALL {
                            option value=(k.as_str()) selected[kind == Some(k)] { (t.kind(k)) }
                        }
                    }
                }
                p { button type="submit" { (t.apply) } }
            }
        }
        @if rows.is_empty() {
            p { (t.no_entries) }
        } @else {
            table {
                caption { (t.title) }
                thead { tr {
                    th scope="col" { (t.reference) }
                    th scope="col" { (t.kind) }
                    th scope="col" { (t.arrival) }
                    th scope="col" { (t.received) }
                    th scope="col" { (t.due) }
                    th scope="col" { (t.status) }
                    th scope="col" { (t.handler) }
                } }
                tbody {
                    @for row in &rows {
                        @let e = &row.entry;
                        tr {
                            th scope="row" { a href=(register_href(c, &format!("/{}", e.reference))) { code { (e.reference) } } }
                            td { (t.kind(e.kind)) }
                            td { (t.arrival(e.arrival)) }
                            td { (day_text(e.received_on)) }
                            (due_cell(t, e, today))
                            td { (t.status(e.status)) }
                            td { (row.handler.as_deref().map_or(t.unassigned, |h| staff_name(&names, h))) }
                        }
                    }
                }
            }
        }
        @if page_no > 0 || more {
            nav aria-label=(t.pages) {
                @if page_no > 0 { a href=(paged(page_no - 1)) { (t.newer) } " " }
                @if more { a href=(paged(page_no + 1)) { (t.older) } }
            }
        }
    };
    c.page(200, t.title, body)
}

/// What the record form holds, as typed, and what was wrong with it.
#[derive(Default)]
struct Draft {
    kind: String,
    arrival: String,
    received: String,
    details: String,
    contact_name: String,
    contact_email: String,
    list_email: String,
    answer_lang: String,
    errors: Vec<(&'static str, &'static str)>,
}

impl Draft {
    fn error(&self, field: &str) -> Option<&'static str> {
        self.errors.iter().find(|(f, _)| *f == field).map(|(_, m)| *m)
    }
}

/// A valid request to record.
struct NewRequest {
    entry: Entry,
    details: String,
    contact_name: Option<String>,
    contact_email: Option<String>,
    list_email: Option<Email>,
    lang: PageLang,
}

fn text_error(t: &RegisterText, e: RegisterError, missing: &'static str) -> &'static str {
    if e == RegisterError::TextTooLong {
        t.e_too_long
    } else {
        missing
    }
}

/// Checks every field of the record form; `None` with every error in `draft`.
fn check(t: &RegisterText, draft: &mut Draft, today: NaiveDate) -> Option<NewRequest> {
    let kind = RequestKind::parse(&draft.kind);
    if kind.is_none() {
        draft.errors.push(("kind", t.e_kind));
    }
    let arrival = Arrival::parse(&draft.arrival).filter(|a| a.recordable_by_staff());
    if arrival.is_none() {
        draft.errors.push(("arrival", t.e_arrival));
    }
    let received = match NaiveDate::parse_from_str(draft.received.trim(), "%Y-%m-%d") {
        Err(_) => Err(t.e_date),
        Ok(day) => register::received_on(day, today).map_err(|e| match e {
            RegisterError::ReceivedInFuture => t.e_future,
            _ => t.e_too_old,
        }),
    };
    let received = received.map_err(|m| draft.errors.push(("received", m))).ok();
    let details = register::text(&draft.details)
        .map_err(|e| draft.errors.push(("details", text_error(t, e, t.e_details))))
        .ok();
    let name = draft.contact_name.trim();
    if name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        draft.errors.push(("contact_name", t.e_name));
    }
    let optional_email =
        |raw: &str| if raw.trim().is_empty() { Ok(None) } else { Email::parse(raw.trim()).map(Some) };
    let contact_email = optional_email(&draft.contact_email)
        .map_err(|_| draft.errors.push(("contact_email", t.e_email)))
        .ok();
    let list_email =
        optional_email(&draft.list_email).map_err(|_| draft.errors.push(("list_email", t.e_email))).ok();
    let lang = PageLang::parse(&draft.answer_lang).unwrap_or(PageLang::En);
    let (Some(kind), Some(arrival), Some(received), Some(details), Some(contact_email), Some(list_email)) =
        (kind, arrival, received, details, contact_email, list_email)
    else {
        return None;
    };
    if !draft.errors.is_empty() {
        return None;
    }
    Some(NewRequest {
        // The reference is drawn when the entry is written (another is drawn if it is taken).
        entry: Entry::new(String::new(), kind, arrival, received),
        details,
        contact_name: (!name.is_empty()).then(|| name.to_string()),
        contact_email: contact_email.map(|e| e.address_for_sending().to_string()),
        list_email,
        lang,
    })
}

/// A fresh reference for `kind` from the request's randomness.
pub fn new_reference(kind: RequestKind, facts: &mut RequestFacts<'_>) -> String {
    let hex = sha256_hex((facts.new_id)().as_bytes());
    let mut random = [0u8; 5];
    for (i, b) in random.iter_mut().enumerate() {
        *b = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).expect("sha256_hex is hex");
    }
    register::reference(kind, random)
}

/// How often a new entry draws another reference when its reference is taken.
const REFERENCE_ATTEMPTS: u32 = 4;

async fn record_request<S: Store + 'static>(
    app: &App<S>,
    c: &Console,
    req: &HttpRequest,
    facts: &mut RequestFacts<'_>,
) -> HttpResponse {
    let t = c.lang.register();
    let Some(form) = c.form.as_ref() else {
        let draft = Draft { answer_lang: c.lang.code().into(), ..Draft::default() };
        return record_form(c, 200, &draft);
    };
    let field = |name: &str| form.get(name).unwrap_or("").to_string();
    let mut draft = Draft {
        kind: field("kind"),
        arrival: field("arrival"),
        received: field("received"),
        details: field("details"),
        contact_name: field("contact_name"),
        contact_email: field("contact_email"),
        list_email: field("list_email"),
        answer_lang: field("answer_lang"),
        errors: Vec::new(),
    };
    let today = today(facts.now);
    let Some(new) = check(t, &mut draft, today) else {
        return record_form(c, 422, &draft);
    };
    let subject = match &new.list_email {
        Some(email) => match app.subject_for(&c.site.id, email).await {
            Ok(subject) => Some(subject),
            Err(e) => return unavailable(c.lang, &e),
        },
        None => None,
    };
    let actor = Actor::Person { person_id: c.person_id.clone() };
    let mut row = RegisterRow {
        site_id: c.site.id.clone(),
        entry: new.entry,
        subject,
        contact_email: new.contact_email,
        contact_name: new.contact_name,
        lang: new.lang.code().into(),
        details: new.details,
        recorded_by: actor.label(),
        handler: None,
        recorded_at: format_utc(facts.now),
        updated_at: format_utc(facts.now),
        version: 1,
    };
    // A fresh reference (a taken one is drawn again), then the entry and its trail entry in one
    // batch: never stored unaudited, never recorded twice by a retry after a half-done write.
    for _ in 0..REFERENCE_ATTEMPTS {
        row.entry.reference = new_reference(row.entry.kind, facts);
        match app.store.register_entry(&c.site.id, &row.entry.reference).await {
            Ok(None) => break,
            Ok(Some(_)) => continue,
            Err(e) => return unavailable(c.lang, &e),
        }
    }
    let e = &row.entry;
    let detail = json!({"reference": e.reference, "kind": e.kind.as_str(), "arrival": e.arrival.as_str(),
        "received_on": day_text(e.received_on), "linked_to_subject": row.subject.is_some()});
    let entry = audit_entry(c, AuditKind::RegisterEntryRecorded, detail, req);
    let stored = record_together(app, entry, facts.now, |r, l| {
        let row = &row;
        async move { app.store.create_register_entry_audited(row, &r, &l).await }
    });
    if let Err(err) = stored.await {
        return unavailable(c.lang, &err.cause());
    }
    see_other(&register_href(c, &format!("/{}?done=recorded", e.reference)))
}

/// Appends one register entry to the site's trail with the signed-in person as actor.
pub async fn audit<S: Store>(
    app: &App<S>,
    c: &Console,
    kind: AuditKind,
    detail: serde_json::Value,
    req: &HttpRequest,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    record(app, audit_entry(c, kind, detail, req), now).await
}

/// A register act's trail entry, with the signed-in person as actor.
pub fn audit_entry<'a>(
    c: &'a Console,
    kind: AuditKind,
    detail: serde_json::Value,
    req: &'a HttpRequest,
) -> AuditEntry<'a> {
    AuditEntry {
        site: &c.site.id,
        actor: Actor::Person { person_id: c.person_id.clone() },
        kind,
        detail,
        client_ip: client_ip(req),
    }
}

fn record_form(c: &Console, status: u16, d: &Draft) -> HttpResponse {
    let t = c.lang.register();
    let described = |name: &str, id: &str, help: bool| -> Option<String> {
        let mut ids = Vec::new();
        if help {
            ids.push(format!("{id}-help"));
        }
        if d.error(name).is_some() {
            ids.push(format!("{id}-error"));
        }
        (!ids.is_empty()).then(|| ids.join(" "))
    };
    let error = |name: &str, id: &str| {
        html! { @if let Some(e) = d.error(name) { p class="error" id={ (id) "-error" } { (e) } } }
    };
    // An optional one-line field with its help and error.
    let optional = |name: &str, id: &str, kind: &str, label: &str, help: Option<&str>, value: &str| {
        html! {
            p {
                label for=(id) { (label) } br;
                @if let Some(help) = help { span class="muted" id={ (id) "-help" } { (help) } br; }
                (error(name, id))
                input id=(id) type=(kind) name=(name) autocomplete="off" value=(value)
                    aria-describedby=[described(name, id, help.is_some())];
            }
        }
    };
    let body = html! {
        p { (t.record_intro) }
        @if !d.errors.is_empty() {
            div class="error" role="alert" {
                p { (t.errors_title) }
                ul { @for (_, m) in &d.errors { li { (m) } } }
            }
        }
        form method="post" action={ (c.section.href(&c.site.id)) "/new" } {
            (c.form_fields())
            p {
                label for="r-kind" { (t.kind) } br;
                (error("kind", "r-kind"))
                select id="r-kind" name="kind" required aria-describedby=[described("kind", "r-kind", false)] {
                    option value="" selected[d.kind.is_empty()] { "—" }
                    @for k in RequestKind::ALL {
                        option value=(k.as_str()) selected[d.kind == k.as_str()] { (t.kind(k)) }
                    }
                }
            }
            p {
                label for="r-arrival" { (t.arrival) } br;
                (error("arrival", "r-arrival"))
                select id="r-arrival" name="arrival" required aria-describedby=[described("arrival", "r-arrival", false)] {
                    @for a in Arrival::ALL.into_iter().filter(|a| a.recordable_by_staff()) {
                        option value=(a.as_str()) selected[d.arrival == a.as_str()] { (t.arrival(a)) }
                    }
                }
            }
            p {
                label for="r-received" { (t.received) } br;
                span class="muted" id="r-received-help" { (t.received_help) } br;
                (error("received", "r-received"))
                input id="r-received" type="text" name="received" inputmode="numeric" placeholder="YYYY-MM-DD" required
                    value=(d.received) aria-describedby=[described("received", "r-received", true)];
            }
            p {
                label for="r-details" { (t.details) } br;
                span class="muted" id="r-details-help" { (t.details_help) } br;
                (error("details", "r-details"))
                textarea id="r-details" name="details" rows="4" cols="50" required
                    aria-describedby=[described("details", "r-details", true)] { (d.details) }
            }
            (optional("contact_name", "r-name", "text", t.contact_name, None, &d.contact_name))
            (optional("contact_email", "r-email", "email", t.contact_email, Some(t.contact_email_help), &d.contact_email))
            (optional("list_email", "r-list", "email", t.list_email, Some(t.list_email_help), &d.list_email))
            p {
                label for="r-lang" { (t.answer_lang) } br;
                select id="r-lang" name="answer_lang" {
                    option value="en" selected[d.answer_lang != "cy"] { "English" }
                    option value="cy" lang="cy" selected[d.answer_lang == "cy"] { "Cymraeg" }
                }
            }
            p { button type="submit" { (t.record_button) } }
        }
        p { a href=(register_href(c, "")) { (t.back) } }
    };
    c.page(status, t.record_title, body)
}

/// `/register/csv`: every entry with its dates and status, recorded with its row count.
/// Deliberately without the request's text, the notes, the outcome and the person's name and
/// addresses: the file is for showing deadlines were kept (it leaves the console, onto
/// laptops and into reports), the reference finds the rest in the console.
async fn export<S: Store + 'static>(
    app: &App<S>,
    c: &Console,
    req: &HttpRequest,
    now: DateTime<Utc>,
) -> HttpResponse {
    let query = RegisterQuery { open_only: false, kind: None, limit: EXPORT_MAX + 1, offset: 0 };
    let (mut rows, names) =
        match (app.store.register_entries(&c.site.id, query).await, staff_names(app, &c.site.id).await) {
            (Ok(rows), Ok(names)) => (rows, names),
            (Err(e), _) | (_, Err(e)) => return unavailable(c.lang, &e),
        };
    let truncated = rows.len() > EXPORT_MAX as usize;
    rows.truncate(EXPORT_MAX as usize);
    let body = match register_csv(&rows, &names, today(now)) {
        Ok(body) => body,
        Err(e) => return unavailable(c.lang, &e),
    };
    let mut detail = json!({"rows": rows.len()});
    if truncated {
        detail["truncated"] = true.into();
    }
    if let Err(e) = audit(app, c, AuditKind::RegisterExported, detail, req, now).await {
        return unavailable(c.lang, &e.cause());
    }
    HttpResponse {
        status: 200,
        headers: vec![("content-type".into(), "text/csv; charset=utf-8".into())],
        body,
        stream: None,
    }
    .with_header("content-disposition", &format!("attachment; filename=\"{}-register.csv\"", c.site.id))
    .with_header("cache-control", "no-store")
}

/// The CSV columns, in order.
pub const CSV_HEADER: [&str; 16] = [
    "reference",
    "kind",
    "arrival",
    "received_on",
    "status",
    "acknowledge_by",
    "respond_by",
    "due_on",
    "urgency",
    "acknowledged_on",
    "extended_on",
    "extension_reason",
    "closed_on",
    "handler",
    "linked_to_subject",
    "recorded_at",
];

pub fn register_csv(
    rows: &[RegisterRow],
    names: &[(String, String)],
    today: NaiveDate,
) -> Result<Vec<u8>, String> {
    let failed = |e: csv::Error| format!("writing the register CSV: {e}");
    let opt = |d: Option<NaiveDate>| d.map(day_text).unwrap_or_default();
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(CSV_HEADER).map_err(failed)?;
    for row in rows {
        let e = &row.entry;
        let d = e.deadlines();
        let urgency = match e.urgency(today, DUE_SOON_DAYS) {
            Urgency::Overdue => "overdue",
            Urgency::DueSoon => "due_soon",
            Urgency::Later => "later",
            Urgency::None => "",
        };
        out.write_record([
            e.reference.clone(),
            e.kind.as_str().into(),
            e.arrival.as_str().into(),
            day_text(e.received_on),
            e.status.as_str().into(),
            opt(d.acknowledge_by),
            opt(d.respond_by),
            opt(e.due_on()),
            urgency.into(),
            opt(e.acknowledged_on),
            opt(e.extended_on),
            spreadsheet_safe(e.extension_reason.as_deref().unwrap_or("")),
            opt(e.closed_on),
            spreadsheet_safe(row.handler.as_deref().map_or("", |h| staff_name(names, h))),
            if row.subject.is_some() { "yes" } else { "no" }.into(),
            row.recorded_at.clone(),
        ])
        .map_err(failed)?;
    }
    out.into_inner().map_err(|e| format!("writing the register CSV: {e}"))
}

/// The register's lines on the site's front page: how many open entries are overdue and due
/// within `DUE_SOON_DAYS`, with a link to the register.
pub async fn front_page_counts<S: Store>(
    app: &App<S>,
    c: &Console,
    now: DateTime<Utc>,
) -> Result<Markup, StoreError> {
    let t = c.lang.register();
    let today = today(now);
    let counts = app.store.register_due_counts(&c.site.id, today, today + Days::new(DUE_SOON_DAYS)).await?;
    let line = t
        .overview_counts
        .replace("{overdue}", &counts.overdue.to_string())
        .replace("{soon}", &counts.due_soon.to_string())
        .replace("{days}", &DUE_SOON_DAYS.to_string());
    let pressing = counts.overdue > 0 || counts.due_soon > 0;
    let open = register_href(c, "?open=1");
    Ok(html! {
        section aria-labelledby="register-due" {
            h2 id="register-due" { (t.title) }
            p class=[(counts.overdue > 0).then_some("error")] id="register-counts" {
                @if pressing { "⚠ " }
                (line)
            }
            p { a href=(open) { (t.overview_link) } }
        }
    })
}
