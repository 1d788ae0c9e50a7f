//! The console's Register over SQLite: recording a request (each field's error, nothing
//! written until all are right), an entry's changes (acknowledge, extend within the first month
//! only, note, assign, close with the reply mailed), stale changes, roles, the CSV, the front
//! page's counts, and the daily digest (once a day, only when something falls due). The trail
//! holds references and kinds, never the text or an address.

use chrono::TimeDelta;

use super::accounts::{
    add_person, another_session, at, csrf_of, form_post, send_at, sign_in, text, with_cookie,
};
use super::audit::dump;
use super::*;
use crate::app::register_digest::send_register_digests;
use crate::store::accounts::AccountStore;
use crate::store::register::RegisterStore;
use crate::store::Executor;

/// The tests' "today" (`at(0)`, a Tuesday).
const TODAY: &str = "2026-11-24";
const DETAILS: &str = "Asked for a copy of everything held about her, by letter";
const CONTACT: &str = "writer@example.org";

fn get(app: &App<SqlStore<SqliteExecutor>>, session: &str, path: &str) -> (u16, String) {
    text(send_at(app, &with_cookie(HttpRequest::new("GET", path), session), at(TimeDelta::zero())))
}

/// The session's anti-forgery value, from the console's home page (its sign-out form).
fn csrf(app: &App<SqlStore<SqliteExecutor>>, session: &str) -> String {
    let (status, page) = get(app, session, "/admin");
    assert_eq!(status, 200, "{page}");
    csrf_of(&page)
}

/// Posts `fields` to `path` with the session's anti-forgery value.
fn post_form(
    app: &App<SqlStore<SqliteExecutor>>,
    session: &str,
    path: &str,
    fields: &[(&str, &str)],
) -> HttpResponse {
    let csrf = csrf(app, session);
    let mut all = vec![("csrf", csrf.as_str()), ("lang", "en")];
    all.extend_from_slice(fields);
    send_at(app, &with_cookie(form_post(path, &all), session), at(TimeDelta::zero()))
}

/// The demo site's trail entries of the register, oldest first: `kind detail`.
fn register_trail(app: &App<SqlStore<SqliteExecutor>>) -> Vec<String> {
    let rows = pollster::block_on(
        app.store
            .exec
            .query("SELECT kind, detail FROM audit_events WHERE kind LIKE 'register%' ORDER BY seq", vec![]),
    )
    .unwrap();
    rows.iter()
        .map(|r| format!("{} {}", r.0["kind"].as_str().unwrap(), r.0["detail"].as_str().unwrap()))
        .collect()
}

fn owner() -> (App<SqlStore<SqliteExecutor>>, String) {
    let app = app();
    add_person(&app, "owner@example.org", "owner");
    let session = sign_in(&app, "owner@example.org", at(TimeDelta::zero()));
    (app, session)
}

/// Records a request through the form; its reference.
fn record(
    app: &App<SqlStore<SqliteExecutor>>,
    session: &str,
    kind: &str,
    received: &str,
    contact: &str,
) -> String {
    let r = post_form(
        app,
        session,
        "/admin/sites/demo/register/new",
        &[
            ("kind", kind),
            ("arrival", "letter"),
            ("received", received),
            ("details", DETAILS),
            ("contact_name", "Ada Writer"),
            ("contact_email", contact),
            ("list_email", ""),
            ("answer_lang", "cy"),
        ],
    );
    if r.status != 303 {
        panic!("{:?}", text(r));
    }
    let location = r.header("location").unwrap().to_string();
    let reference = location.trim_start_matches("/admin/sites/demo/register/").split('?').next().unwrap();
    assert!(location.ends_with("?done=recorded&lang=en"), "{location}");
    reference.to_string()
}

fn entry_path(reference: &str) -> String {
    format!("/admin/sites/demo/register/{reference}")
}

/// Acts on an entry from its page (the version the page shows); (status, page or location).
fn act(
    app: &App<SqlStore<SqliteExecutor>>,
    session: &str,
    reference: &str,
    fields: &[(&str, &str)],
) -> (u16, String) {
    let (_, page) = get(app, session, &entry_path(reference));
    let version = version_of(&page);
    let mut all = vec![("version", version.as_str())];
    all.extend_from_slice(fields);
    let r = post_form(app, session, &entry_path(reference), &all);
    match r.header("location") {
        Some(l) => (r.status, l.to_string()),
        None => text(r),
    }
}

fn version_of(page: &str) -> String {
    let start = page.find("name=\"version\" value=\"").expect("a version field") + 22;
    page[start..].split('"').next().unwrap().to_string()
}

#[test]
fn recording_refuses_each_bad_field_beside_it_and_writes_nothing() {
    let (app, session) = owner();
    let good = [
        ("kind", "access"),
        ("arrival", "letter"),
        ("received", "2026-11-20"),
        ("details", DETAILS),
        ("contact_email", ""),
        ("list_email", ""),
    ];
    let cases: [(&str, &str, &str); 10] = [
        ("kind", "", "Choose the kind of request."),
        ("kind", "gossip", "Choose the kind of request."),
        ("arrival", "self_service", "Choose how it arrived: letter, phone or email."),
        ("received", "24/11/2026", "Enter the received date as YYYY-MM-DD."),
        ("received", "2026-11-25", "The received date cannot be in the future."),
        ("received", "2025-11-01", "The received date cannot be more than a year ago."),
        ("details", "   ", "Describe what was asked."),
        ("details", &"x".repeat(5001), "This is too long: at most 5,000 characters."),
        ("contact_email", "not-an-address", "Enter a valid email address, or leave this empty."),
        ("list_email", "@nowhere", "Enter a valid email address, or leave this empty."),
    ];
    for (field, value, message) in cases {
        let fields: Vec<(&str, &str)> =
            good.iter().map(|(f, v)| if *f == field { (*f, value) } else { (*f, *v) }).collect();
        let (status, page) = text(post_form(&app, &session, "/admin/sites/demo/register/new", &fields));
        assert_eq!(status, 422, "{field}={value}: {page}");
        assert!(page.contains("role=\"alert\""), "{page}");
        assert!(page.contains(message), "{field}={value} wants {message}: {page}");
        assert!(page.contains("-error\""), "the error is beside its field: {page}");
    }
    // Every field wrong at once: every message, still nothing written.
    let (status, page) = text(post_form(
        &app,
        &session,
        "/admin/sites/demo/register/new",
        &[("kind", "x"), ("arrival", "x"), ("received", "x"), ("details", ""), ("contact_email", "x")],
    ));
    assert_eq!(status, 422);
    assert_eq!(page.matches("class=\"error\" id=").count(), 5, "{page}");
    let (_, list) = get(&app, &session, "/admin/sites/demo/register");
    assert!(list.contains("No entries."), "{list}");
    assert_eq!(register_trail(&app), Vec::<String>::new());
}

#[test]
fn a_recorded_request_is_listed_with_its_due_date_and_audited_without_its_text() {
    let (app, session) = owner();
    let reference = record(&app, &session, "access", "2026-10-31", CONTACT);
    assert!(reference.starts_with("R-") && reference.len() == 10, "{reference}");
    let (status, page) = get(&app, &session, &format!("{}?done=recorded", entry_path(&reference)));
    assert_eq!(status, 200, "{page}");
    assert!(page.contains(&format!("Recorded as {reference}.")), "{page}");
    // One month from 31 October is 30 November (a Monday).
    assert!(page.contains("2026-11-30"), "{page}");
    assert!(page.contains("Due soon") && page.contains(DETAILS), "{page}");
    let (_, list) = get(&app, &session, "/admin/sites/demo/register");
    assert!(list.contains(&reference) && list.contains("Letter") && list.contains("Due soon"), "{list}");
    let trail = register_trail(&app);
    assert_eq!(trail.len(), 1, "{trail:?}");
    assert!(trail[0].starts_with("register_entry_recorded"), "{trail:?}");
    assert!(trail[0].contains(&reference) && trail[0].contains("\"kind\":\"access\""), "{trail:?}");
    let everything = dump(&app);
    assert!(
        !everything.contains(CONTACT)
            && !everything.contains("Ada Writer")
            && !everything.contains("copy of")
    );
    // Linking to a record on the list keeps a keyed id only; the address is nowhere in the entry.
    let r = post_form(
        &app,
        &session,
        "/admin/sites/demo/register/new",
        &[
            ("kind", "erasure"),
            ("arrival", "phone"),
            ("received", TODAY),
            ("details", "Erase me"),
            ("list_email", "ada@example.org"),
        ],
    );
    assert_eq!(r.status, 303);
    let linked = r
        .header("location")
        .unwrap()
        .trim_start_matches("/admin/sites/demo/register/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let row = pollster::block_on(app.store.register_entry("demo", &linked)).unwrap().unwrap();
    assert!(row.subject.as_deref().is_some_and(|s| !s.contains('@')), "{row:?}");
    assert_eq!(row.contact_email, None);
    let (_, page) = get(&app, &session, &entry_path(&linked));
    assert!(!page.contains("ada@example.org"), "{page}");
    // An unknown reference, and a malformed one: a readable 404.
    for missing in ["R-00000000", "nonsense"] {
        let (status, page) = get(&app, &session, &entry_path(missing));
        assert_eq!(status, 404, "{page}");
        assert!(page.contains("There is no register entry"), "{page}");
    }
}

#[test]
fn a_request_is_extended_within_its_first_month_only_and_closed_with_its_outcome() {
    let (app, session) = owner();
    let recent = record(&app, &session, "access", "2026-11-20", CONTACT);
    // Without a reason: refused beside the field.
    let (status, page) = act(&app, &session, &recent, &[("op", "extend"), ("reason", " ")]);
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("Give the reason for the extension."), "{page}");
    let (status, location) =
        act(&app, &session, &recent, &[("op", "extend"), ("reason", "Records in three archives")]);
    assert_eq!((status, location.contains("done=extend")), (303, true), "{location}");
    let (_, page) = get(&app, &session, &entry_path(&recent));
    // 20 November + 3 months = 20 February 2027 (a Saturday) → Monday 22 February.
    assert!(
        page.contains("Extended on 2026-11-24: Records in three archives") && page.contains("2027-02-22"),
        "{page}"
    );
    // Received 1 October: the first month ended on 2 November (1 November is a Sunday).
    let late = record(&app, &session, "rectification", "2026-10-01", "");
    let (_, page) = get(&app, &session, &entry_path(&late));
    assert!(page.contains("after 2026-11-02 it can no longer be extended"), "the rule is shown: {page}");
    assert!(page.contains("Overdue"), "{page}");
    let (status, page) = act(&app, &session, &late, &[("op", "extend"), ("reason", "Complex")]);
    assert_eq!(status, 422);
    assert!(page.contains("The first month ended on 2026-11-02: it is too late to extend."), "{page}");
    // A note, the handler, then closing with the outcome (no mail for a request).
    let (status, _) = act(&app, &session, &late, &[("op", "note"), ("note", "Phoned her back")]);
    assert_eq!(status, 303);
    let owner_id = pollster::block_on(app.store.members("demo")).unwrap()[0].person_id.clone();
    let (status, _) = act(&app, &session, &late, &[("op", "assign"), ("handler", "someone-else")]);
    assert_eq!(status, 422);
    let (status, _) = act(&app, &session, &late, &[("op", "assign"), ("handler", &owner_id)]);
    assert_eq!(status, 303);
    let (status, page) = act(&app, &session, &late, &[("op", "close"), ("outcome", "")]);
    assert_eq!(status, 422);
    assert!(page.contains("Write the outcome."), "{page}");
    take_outbox();
    let (status, location) = act(&app, &session, &late, &[("op", "close"), ("outcome", "Address corrected")]);
    assert_eq!((status, location.contains("done=close")), (303, true), "{location}");
    assert!(take_outbox().is_empty(), "no reply mail for a request");
    let (_, page) = get(&app, &session, &entry_path(&late));
    assert!(
        page.contains("Phoned her back") && page.contains("Address corrected") && page.contains("Closed"),
        "{page}"
    );
    assert!(page.contains("owner@example.org"), "the handler: {page}");
    assert!(!page.contains("name=\"op\""), "a closed entry has no actions: {page}");
    let changes: Vec<String> =
        register_trail(&app).into_iter().filter(|l| l.starts_with("register_entry_changed")).collect();
    assert_eq!(changes.len(), 4, "{changes:?}");
    assert!(changes
        .iter()
        .all(|l| !l.contains("archives") && !l.contains("Phoned") && !l.contains("corrected")));
    assert!(changes[3].contains("\"change\":\"close\"") && changes[3].contains(&late), "{changes:?}");
}

#[test]
fn a_complaint_is_acknowledged_then_closed_and_the_reply_goes_to_the_person_in_their_language() {
    let (app, session) = owner();
    let complaint = record(&app, &session, "complaint", "2026-11-10", CONTACT);
    assert!(complaint.starts_with("C-"), "{complaint}");
    let (_, page) = get(&app, &session, &entry_path(&complaint));
    // Acknowledge within 30 days: 10 December; no fixed reply date.
    assert!(page.contains("2026-12-10") && page.contains("Without undue delay"), "{page}");
    assert!(!page.contains("Extend by two months"), "a complaint is not extended: {page}");
    let (status, _) = act(&app, &session, &complaint, &[("op", "acknowledge")]);
    assert_eq!(status, 303);
    let (_, page) = get(&app, &session, &entry_path(&complaint));
    assert!(page.contains("Acknowledged on") && !page.contains("Record the acknowledgement"), "{page}");
    take_outbox();
    let (status, location) = act(
        &app,
        &session,
        &complaint,
        &[("op", "close"), ("outcome", "We are sorry.\nYour address is removed.")],
    );
    assert_eq!(status, 303);
    assert!(location.contains("done=close_mailed"), "{location}");
    let mails = take_outbox();
    assert_eq!(mails.len(), 1, "{mails:?}");
    let mail = &mails[0];
    assert_eq!(mail.to, CONTACT);
    assert!(
        mail.subject.contains(&complaint) && mail.subject.starts_with("Ateb i'ch cwyn"),
        "Welsh: {mail:?}"
    );
    assert!(
        mail.text.contains("Your address is removed.") && mail.html.contains("We are sorry."),
        "{mail:?}"
    );
    let row = pollster::block_on(app.store.register_entry("demo", &complaint)).unwrap().unwrap();
    assert_eq!(row.entry.outcome.as_deref(), Some("We are sorry.\nYour address is removed."));
    // Closed: any further change is refused.
    let r = post_form(
        &app,
        &session,
        &entry_path(&complaint),
        &[("op", "note"), ("note", "x"), ("version", &row.version.to_string())],
    );
    let (status, page) = text(r);
    assert_eq!(status, 422, "{page}");
}

#[test]
fn a_change_made_on_a_stale_page_is_refused_with_the_current_state() {
    let (app, session) = owner();
    let reference = record(&app, &session, "access", "2026-11-20", "");
    let (_, page) = get(&app, &session, &entry_path(&reference));
    let stale = version_of(&page);
    // Someone else adds a note meanwhile.
    let (status, _) = act(&app, &session, &reference, &[("op", "note"), ("note", "First look")]);
    assert_eq!(status, 303);
    let r = post_form(
        &app,
        &session,
        &entry_path(&reference),
        &[("version", &stale), ("op", "extend"), ("reason", "Complex")],
    );
    let (status, page) = text(r);
    assert_eq!(status, 409, "{page}");
    assert!(page.contains("Someone changed this entry meanwhile") && page.contains("First look"), "{page}");
    assert!(page.contains("Complex"), "what was typed is kept: {page}");
    let row = pollster::block_on(app.store.register_entry("demo", &reference)).unwrap().unwrap();
    assert_eq!(row.entry.extended_on, None, "nothing saved");
    // The store refuses a stale save by itself too (two saves racing past the page's check).
    let mut raced = row.clone();
    raced.version -= 1;
    let saved = pollster::block_on(app.store.save_register_entry(&raced, None));
    assert!(matches!(saved, Err(crate::store::StoreError::Conflict)), "{saved:?}");
}

#[test]
fn editors_and_viewers_neither_see_the_register_nor_reach_it() {
    let (app, owner_session) = owner();
    let reference = record(&app, &owner_session, "access", "2026-11-20", "");
    let (_, page) = get(&app, &owner_session, "/admin/sites/demo");
    assert!(page.contains("/admin/sites/demo/register?lang=en"), "{page}");
    add_person(&app, "dpo@example.org", "dpo");
    let dpo = another_session(&app, "dpo@example.org", at(TimeDelta::zero()));
    assert_eq!(get(&app, &dpo, "/admin/sites/demo/register").0, 200);
    for role in ["editor", "viewer"] {
        let email = format!("{role}@example.org");
        add_person(&app, &email, role);
        let session = another_session(&app, &email, at(TimeDelta::zero()));
        let (status, overview) = get(&app, &session, "/admin/sites/demo");
        assert_eq!(status, 200);
        assert!(!overview.contains("/register") && !overview.contains("overdue"), "{role}: {overview}");
        for path in
            ["/admin/sites/demo/register", "/admin/sites/demo/register/new", "/admin/sites/demo/register/csv"]
        {
            assert_eq!(get(&app, &session, path).0, 403, "{role} GET {path}");
        }
        let path = entry_path(&reference);
        assert_eq!(get(&app, &session, &path).0, 403, "{role} GET {path}");
        // A POST with their session's genuine anti-forgery value.
        let csrf = csrf(&app, &session);
        for path in ["/admin/sites/demo/register/new".to_string(), path] {
            let req = with_cookie(
                form_post(&path, &[("csrf", &csrf), ("op", "close"), ("outcome", "x"), ("kind", "access")]),
                &session,
            );
            assert_eq!(send_at(&app, &req, at(TimeDelta::zero())).status, 403, "{role} POST {path}");
        }
    }
    let row = pollster::block_on(app.store.register_entry("demo", &reference)).unwrap().unwrap();
    assert!(row.entry.status.is_open());
}

#[test]
fn the_register_downloads_as_csv_without_texts_or_addresses_and_the_download_is_audited() {
    let (app, session) = owner();
    let first = record(&app, &session, "access", "2026-10-01", CONTACT);
    let second = record(&app, &session, "complaint", "2026-11-20", CONTACT);
    let r = send_at(
        &app,
        &with_cookie(HttpRequest::new("GET", "/admin/sites/demo/register/csv"), &session),
        at(TimeDelta::zero()),
    );
    assert_eq!(r.header("content-type"), Some("text/csv; charset=utf-8"));
    assert!(r.header("content-disposition").is_some_and(|d| d.contains("demo-register.csv")));
    let (status, csv) = text(r);
    assert_eq!(status, 200);
    let lines: Vec<&str> = csv.lines().collect();
    expect![[r#"reference,kind,arrival,received_on,status,acknowledge_by,respond_by,due_on,urgency,acknowledged_on,extended_on,extension_reason,closed_on,handler,linked_to_subject,recorded_at"#]]
        .assert_eq(lines[0]);
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(
        lines[1].starts_with(&format!(
            "{first},access,letter,2026-10-01,received,,2026-11-02,2026-11-02,overdue"
        )),
        "{csv}"
    );
    assert!(
        lines[2].starts_with(&format!(
            "{second},complaint,letter,2026-11-20,received,2026-12-20,,2026-12-20,later"
        )),
        "{csv}"
    );
    assert!(!csv.contains(CONTACT) && !csv.contains("Ada Writer") && !csv.contains(DETAILS), "{csv}");
    let trail = register_trail(&app);
    assert_eq!(trail.last().unwrap(), "register_exported {\"rows\":2}", "{trail:?}");
}

#[test]
fn the_front_page_counts_what_is_overdue_and_due_soon() {
    let (app, session) = owner();
    let (_, page) = get(&app, &session, "/admin/sites/demo");
    assert!(page.contains("Register: 0 overdue, 0 due within 7 days."), "{page}");
    record(&app, &session, "access", "2026-10-01", ""); // overdue since 2 November
    record(&app, &session, "objection", "2026-11-20", ""); // 14 days: 4 December, later
    record(&app, &session, "restriction", "2026-10-26", ""); // 26 November: due soon
    let closed = record(&app, &session, "erasure", "2026-10-02", "");
    act(&app, &session, &closed, &[("op", "close"), ("outcome", "Erased")]);
    let (_, page) = get(&app, &session, "/admin/sites/demo");
    assert!(page.contains("Register: 1 overdue, 1 due within 7 days."), "{page}");
    assert!(page.contains("/admin/sites/demo/register?open=1&amp;lang=en"), "{page}");
    let (_, cy) = get(&app, &session, "/admin/sites/demo?lang=cy");
    assert!(cy.contains("Cofrestr: 1 yn hwyr, 1 yn ddyledus o fewn 7 diwrnod."), "{cy}");
}

#[test]
fn the_digest_goes_to_the_dpo_once_a_day_and_only_when_something_falls_due() {
    let (app, session) = owner();
    take_outbox();
    // Nothing in the register: no mail, no marker.
    assert_eq!(pollster::block_on(send_register_digests(&app, at(TimeDelta::zero()))), vec![]);
    assert!(take_outbox().is_empty());
    let overdue = record(&app, &session, "access", "2026-10-01", CONTACT);
    let later = record(&app, &session, "access", "2026-11-20", "");
    // Only the owner: the owner gets it.
    let sent = pollster::block_on(send_register_digests(&app, at(TimeDelta::hours(1))));
    assert_eq!(sent.len(), 1, "{sent:?}");
    let mails = take_outbox();
    assert_eq!(mails.iter().map(|m| m.to.as_str()).collect::<Vec<_>>(), ["owner@example.org"]);
    // Later the same day: nothing again.
    assert_eq!(pollster::block_on(send_register_digests(&app, at(TimeDelta::hours(2)))), vec![]);
    assert!(take_outbox().is_empty());
    // The next day, with a DPO on the site: the DPO gets it, not the owner.
    add_person(&app, "dpo@example.org", "dpo");
    let sent = pollster::block_on(send_register_digests(&app, at(TimeDelta::days(1))));
    assert_eq!(sent.len(), 1);
    let mails = take_outbox();
    assert_eq!(mails.len(), 1, "{mails:?}");
    let mail = &mails[0];
    assert_eq!(mail.to, "dpo@example.org");
    assert!(mail.subject.contains("1 overdue, 0 due soon"), "{}", mail.subject);
    assert!(mail.text.contains(&overdue) && !mail.text.contains(&later), "{}", mail.text);
    assert!(mail.text.contains("http://localhost/admin/sites/demo/register?open=1"), "{}", mail.text);
    assert!(!mail.text.contains(CONTACT) && !mail.text.contains("Ada") && !mail.html.contains(CONTACT));
    let markers: Vec<String> =
        register_trail(&app).into_iter().filter(|l| l.starts_with("register_digest_sent")).collect();
    assert_eq!(markers.len(), 2, "{markers:?}");
    assert!(
        markers[1].contains("\"day\":\"2026-11-25\"") && markers[1].contains("\"recipients\":1"),
        "{markers:?}"
    );
}
