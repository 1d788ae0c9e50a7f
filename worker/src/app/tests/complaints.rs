//! Complaints (issue 14) over SQLite: the public form and the preference centre's, the register
//! entry with its audit entry, the acknowledgement mail and its status link, and the
//! self-service entries the preference centre's own actions leave.

use super::preferences::{ada, csrf_of, form, get, post_on_page};
use super::*;
use crate::app::rate_limit::{Limit, MemoryRateLimiter};
use crate::store::register::{RegisterQuery, RegisterRow, RegisterStore};
use crate::store::Executor;
use consent_shared::email::Email;
use consent_shared::register::Status;
use consent_shared::subject::subject_id;

const FORM: &str = "/complaints/demo";

fn entries(app: &App<SqlStore<SqliteExecutor>>) -> Vec<RegisterRow> {
    let query = RegisterQuery { limit: 100, ..RegisterQuery::default() };
    let mut rows = pollster::block_on(app.store.register_entries("demo", query)).unwrap();
    rows.sort_by(|a, b| {
        a.recorded_at.cmp(&b.recorded_at).then(a.entry.kind.as_str().cmp(b.entry.kind.as_str()))
    });
    rows
}

/// The register as text: kind, arrival, status, dates, subject (by name), contact, outcome.
fn register(app: &App<SqlStore<SqliteExecutor>>) -> String {
    let ada = subject_id(b"k", "demo", &Email::parse("ada@example.org").unwrap());
    let mut lines: Vec<String> = entries(app)
        .iter()
        .map(|r| {
            let e = &r.entry;
            format!(
                "{} {} {} received {} ack {:?} closed {:?} subject {} contact {:?}/{:?} lang {} outcome {:?}\n",
                e.kind.as_str(),
                e.arrival.as_str(),
                e.status.as_str(),
                e.received_on,
                e.acknowledged_on.map(|d| d.to_string()),
                e.closed_on.map(|d| d.to_string()),
                r.subject.as_deref().map_or("-".to_string(), |s| if s == ada { "<ada>".into() } else { s.into() }),
                r.contact_email,
                r.contact_name,
                r.lang,
                e.outcome,
            )
        })
        .collect();
    // References are random, and so is the order of entries recorded in one second.
    lines.sort();
    lines.concat()
}

/// The demo site's audit entries about the register: actor, kind and detail.
fn register_audit(app: &App<SqlStore<SqliteExecutor>>) -> String {
    let rows = pollster::block_on(app.store.exec.query(
        "SELECT actor, kind, detail FROM audit_events WHERE site_id = 'demo' AND kind LIKE 'register_%' ORDER BY seq",
        vec![],
    ))
    .unwrap();
    let references: Vec<String> = entries(app).into_iter().map(|r| r.entry.reference).collect();
    let mut text: String = rows
        .iter()
        .map(|r| {
            format!(
                "{} {} {}\n",
                r.text("actor").unwrap(),
                r.text("kind").unwrap(),
                r.text("detail").unwrap()
            )
        })
        .collect();
    for (i, reference) in references.iter().enumerate() {
        text = text.replace(reference, &format!("<ref{i}>"));
    }
    text
}

/// A post of the public form with a fresh anti-forgery value.
fn complain(app: &App<SqlStore<SqliteExecutor>>, fields: &[(&str, &str)]) -> HttpResponse {
    post_on_page(app, FORM, fields)
}

fn location(r: &HttpResponse) -> String {
    r.header("location").unwrap_or("-").to_string()
}

/// The status link in a mail, as a path.
fn status_link(mail: &mail::OutgoingMail) -> String {
    let at = mail.text.find("http://localhost/complaint-status/").expect("a status link");
    let link = mail.text[at..].split_whitespace().next().unwrap();
    link.strip_prefix("http://localhost").unwrap().to_string()
}

#[test]
fn the_public_form_shows_errors_beside_the_fields_and_writes_nothing() {
    let app = app();
    let (status, html) = get(&app, FORM);
    assert_eq!(status, 200);
    for expected in [
        "<textarea id=\"complaint\" name=\"complaint\"",
        "name=\"csrf\"",
        "https://ico.org.uk/make-a-complaint/",
        "Demo Alumni Association",
    ] {
        assert!(html.contains(expected), "{expected} in {html}");
    }
    assert!(!html.contains("<script"), "works without JavaScript");

    let r = complain(&app, &[("name", "Ada"), ("email", "not an address"), ("complaint", "   ")]);
    let (status, html) = body_of(r);
    assert_eq!(status, 422);
    for expected in [
        r#"role="alert""#,
        r#"<p class="field-error" id="email-error">Enter an email address like name@example.org.</p>"#,
        r#"<p class="field-error" id="complaint-error">Write your complaint.</p>"#,
        r#"aria-describedby="email-help email-error" aria-invalid="true""#,
        r#"value="not an address""#,
        r#"value="Ada""#,
    ] {
        assert!(html.contains(expected), "{expected} in {html}");
    }
    assert!(!html.contains("name-error"), "the name was fine");

    let long = "x".repeat(consent_shared::register::MAX_TEXT_CHARS + 1);
    let (status, html) = body_of(complain(&app, &[("email", "ada@example.org"), ("complaint", &long)]));
    assert_eq!(status, 422);
    assert!(html.contains("Your complaint is too long: shorten it to 5000 characters or fewer."), "{html}");
    assert!(html.contains(&long), "the text is kept to be shortened");

    let (status, html) =
        body_of(complain(&app, &[("email", "ada@example.org"), ("complaint", "x"), ("name", "a\u{7}b")]));
    assert_eq!(status, 422);
    assert!(html.contains(r#"id="name-error""#), "{html}");

    // A forged or expired anti-forgery value: nothing recorded, the words kept.
    let forged = form(FORM, &[("csrf", "forged"), ("email", "ada@example.org"), ("complaint", "My words")]);
    let (status, html) = body_of(send(&app, &forged));
    assert_eq!(status, 403);
    assert!(html.contains("My words") && html.contains("This form had expired"), "{html}");
    let cross_site = form(FORM, &[("email", "ada@example.org"), ("complaint", "x")])
        .with_header("sec-fetch-site", "cross-site");
    assert_eq!(send(&app, &cross_site).status, 403);

    // An unknown site: the same readable 404 as the other public pages.
    let (status, html) = get(&app, "/complaints/nope");
    assert_eq!(status, 404);
    assert!(html.contains("There is no such list."), "{html}");

    assert!(entries(&app).is_empty(), "nothing half-written");
    assert!(take_outbox().is_empty());
}

#[test]
fn a_complaint_is_recorded_acknowledged_by_mail_and_audited_without_text_or_address() {
    let app = app();
    let r = complain(
        &app,
        &[
            ("name", "Bob Jones"),
            ("email", "Bob@Example.org"),
            ("complaint", "You mailed me after I said no."),
        ],
    );
    let reference = entries(&app)[0].entry.reference.clone();
    assert_eq!(r.status, 303);
    assert_eq!(location(&r), format!("/complaints/demo?lang=en&received={reference}"));
    assert!(reference.starts_with("C-") && reference.len() == 10, "{reference}");

    expect![[r#"
        complaint complaint_form acknowledged received 2026-11-24 ack Some("2026-11-24") closed None subject - contact Some("Bob@example.org")/Some("Bob Jones") lang en outcome None
    "#]]
    .assert_eq(&register(&app));
    assert_eq!(entries(&app)[0].details, "You mailed me after I said no.");
    assert_eq!(entries(&app)[0].entry.due_on(), None, "acknowledged: no fixed date until the reply");

    let mail = take_outbox();
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].to, "Bob@example.org");
    assert_eq!(mail[0].subject, format!("Your complaint to Demo Alumni Association: reference {reference}"));
    for expected in
        [reference.as_str(), "within 30 days", "https://ico.org.uk/make-a-complaint/", "2026-11-24"]
    {
        assert!(mail[0].text.contains(expected) && mail[0].html.contains(expected), "{expected} in {mail:?}");
    }

    // The audit trail: reference and kind, no text, no address.
    expect![[r#"
        anonymous register_entry_recorded {"arrival":"complaint_form","kind":"complaint","reference":"<ref0>"}
        system register_entry_changed {"by":"acknowledgement_mail","reference":"<ref0>","status":"acknowledged"}
    "#]]
    .assert_eq(&register_audit(&app));
    let trail = super::audit::dump(&app);
    assert!(!trail.contains("mailed me") && !trail.to_lowercase().contains("bob@example.org"), "{trail}");

    // The page after it shows the reference.
    let (status, html) = get(&app, &location(&r));
    assert_eq!(status, 200);
    assert!(
        html.contains(&format!("reference {reference}"))
            && html.contains("We are sending an acknowledgement")
    );
}

#[test]
fn the_answer_is_the_same_whether_or_not_the_address_is_on_the_list() {
    let app = app();
    assert_eq!(send(&app, &post(GOOD)).status, 201);
    take_outbox();
    let known = complain(&app, &[("email", "ada@example.org"), ("complaint", "One")]);
    let unknown = complain(&app, &[("email", "eve@example.org"), ("complaint", "Two")]);
    let references: Vec<String> = entries(&app).into_iter().map(|r| r.entry.reference).collect();
    let shape = |r: &HttpResponse| {
        let l = references.iter().fold(location(r), |l, reference| l.replace(reference, "<ref>"));
        format!("{} {l} {}", r.status, String::from_utf8_lossy(&r.body))
    };
    assert_eq!(shape(&known), shape(&unknown));
    assert_eq!(shape(&known), "303 /complaints/demo?lang=en&received=<ref> ");
    expect![[r#"
        complaint complaint_form acknowledged received 2026-11-24 ack Some("2026-11-24") closed None subject - contact Some("eve@example.org")/None lang en outcome None
        complaint complaint_form acknowledged received 2026-11-24 ack Some("2026-11-24") closed None subject <ada> contact Some("ada@example.org")/None lang en outcome None
    "#]]
    .assert_eq(&register(&app));
    assert_eq!(take_outbox().len(), 2);
}

#[test]
fn without_mail_the_complaint_stays_received_and_is_due_within_30_days() {
    let mut app = app();
    app.mailer = None;
    let r = complain(&app, &[("email", "ada@example.org"), ("complaint", "No mail here"), ("lang", "cy")]);
    assert_eq!(r.status, 303);
    assert!(!location(&r).contains("mailed") && location(&r).contains("lang=cy"), "{}", location(&r));
    let rows = entries(&app);
    assert_eq!((rows[0].entry.status, rows[0].lang.as_str()), (Status::Received, "cy"));
    assert_eq!(rows[0].entry.due_on().map(|d| d.to_string()).as_deref(), Some("2026-12-24"));
    let (_, html) = get(&app, &location(&r));
    assert!(html.contains("Rydym yn anfon cydnabyddiaeth"), "{html}");
}

#[test]
fn the_status_link_shows_where_the_complaint_stands_and_bad_links_tell_nothing() {
    let app = app();
    complain(&app, &[("email", "ada@example.org"), ("complaint", "Please stop")]);
    let mail = take_outbox();
    let link = status_link(&mail[0]);
    let r = send(&app, &HttpRequest::new("GET", &link));
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let (status, html) = body_of(r);
    let reference = entries(&app)[0].entry.reference.clone();
    assert_eq!(status, 200);
    for expected in [reference.as_str(), "Acknowledged: we are looking into it", "2026-11-24"] {
        assert!(html.contains(expected), "{expected} in {html}");
    }
    assert!(!html.contains("Please stop") && !html.contains("ada@example.org"), "no text, no address");

    // Once answered, the reply shows; in Welsh too.
    let mut row = entries(&app).remove(0);
    row.entry
        .close(
            "We are sorry: you are off every list.",
            chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
        )
        .unwrap();
    pollster::block_on(app.store.save_register_entry(&row, None)).unwrap();
    let (_, html) = get(&app, &link);
    assert!(html.contains("We are sorry: you are off every list.") && html.contains("2026-11-30"), "{html}");
    let (_, cy) = get(&app, &format!("{link}?lang=cy"));
    assert!(cy.contains("lang=\"cy\"") && cy.contains("Ein hateb") && cy.contains("Atebwyd"), "{cy}");

    // Forged, altered, another kind of link, an unknown reference: the same page, telling nothing.
    let signer = links::LinkSigner {
        origin: String::new(),
        key: app.config.token_keys[0].clone(),
        now: chrono::DateTime::parse_from_rfc3339("2026-11-24T12:00:00Z").unwrap().to_utc(),
    };
    let unknown = signer.complaint_status_url("demo", "C-00000000");
    let preferences = signer.preferences_url("demo", "someone").replace("/p/", "/complaint-status/");
    let expired = links::LinkSigner { now: signer.now - chrono::TimeDelta::days(731), ..signer.clone() }
        .complaint_status_url("demo", &reference);
    let mut altered = link.clone();
    altered.pop();
    let pages: Vec<(u16, String)> =
        [altered.as_str(), &unknown, &preferences, &expired, "/complaint-status/garbage"]
            .iter()
            .map(|p| get(&app, p))
            .collect();
    for (status, html) in &pages {
        assert_eq!(*status, 404);
        assert_eq!(html, &pages[0].1, "every bad link gets the same page");
    }
    assert!(pages[0].1.contains("This link does not work"));
    assert_eq!(send(&app, &HttpRequest::new("POST", &link)).status, 405);
}

#[test]
fn the_public_form_is_rate_limited() {
    let app = app().with_limiter(std::rc::Rc::new(MemoryRateLimiter::default()));
    let (_, page) = get(&app, FORM);
    let csrf = csrf_of(&page);
    let n = Limit::Client.limit();
    let mut last = 0;
    for i in 0..=n {
        let text = format!("complaint {i}");
        let req = form(FORM, &[("csrf", &csrf), ("email", "x"), ("complaint", &text)])
            .with_header("cf-connecting-ip", "192.0.2.9");
        last = send(&app, &req).status;
        if i < n {
            assert_eq!(last, 422, "request {i}");
        }
    }
    assert_eq!(last, 429);
}

#[test]
fn the_preference_centre_takes_a_complaint_with_errors_beside_the_field() {
    let app = app();
    let path = ada(&app);
    take_outbox();
    let (_, html) = get(&app, &path);
    assert!(
        html.contains("Complain about how we use your data") && html.contains(r#"name="complaint""#),
        "{html}"
    );
    let (status, html) = body_of(post_on_page(&app, &path, &[("action", "complain"), ("complaint", "")]));
    assert_eq!(status, 422);
    assert!(
        html.contains(r#"<p class="field-error" id="complaint-error">Write your complaint.</p>"#),
        "{html}"
    );
    assert!(entries(&app).is_empty());

    let r = post_on_page(
        &app,
        &path,
        &[("action", "complain"), ("complaint", "Too many emails"), ("lang", "cy")],
    );
    let reference = entries(&app)[0].entry.reference.clone();
    assert_eq!(r.status, 303);
    assert_eq!(location(&r), format!("{path}?lang=cy&done=complained&reference={reference}"));
    let (_, html) = get(&app, &location(&r));
    assert!(html.contains(&format!("cyfeirnod {reference}")), "{html}");
    expect![[r#"
        complaint complaint_form acknowledged received 2026-11-24 ack Some("2026-11-24") closed None subject <ada> contact Some("Ada@example.org")/None lang cy outcome None
    "#]]
    .assert_eq(&register(&app));
    let mail = take_outbox();
    assert_eq!(mail.len(), 1);
    assert!(mail[0].subject.starts_with("Eich cwyn i Demo Alumni Association"), "{:?}", mail[0].subject);
}

#[test]
fn preference_centre_actions_are_self_service_entries_and_erasure_clears_the_contact() {
    let app = app();
    let path = ada(&app);
    assert_eq!(post_on_page(&app, &path, &[("action", "complain"), ("complaint", "Why?")]).status, 303);
    assert_eq!(
        post_on_page(&app, &path, &[("action", "details"), ("name", "Ada L"), ("email", "ada@example.org")])
            .status,
        303
    );
    assert_eq!(post_on_page(&app, &path, &[("action", "restrict")]).status, 303);
    let download = post_on_page(&app, &path, &[("action", "download")]);
    let (status, body) = body_of(download);
    assert_eq!(status, 200);
    let export: serde_json::Value = serde_json::from_str(&body).unwrap();
    let listed: Vec<String> = export["requests_and_complaints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| format!("{} {} {}", e["kind"], e["status"], e["received_on"]))
        .collect();
    let mut listed = listed;
    listed.sort();
    expect![[r#"
        [
            "\"access\" \"closed\" \"2026-11-24\"",
            "\"complaint\" \"acknowledged\" \"2026-11-24\"",
            "\"rectification\" \"closed\" \"2026-11-24\"",
            "\"restriction\" \"closed\" \"2026-11-24\"",
        ]
    "#]]
    .assert_debug_eq(&listed);
    assert!(!body.contains("Why?") && !body.contains("recorded_by"), "no staff record in the download");

    let erase = post_on_page(&app, &path, &[("action", "erase"), ("confirm", "yes")]);
    assert_eq!(erase.status, 200);
    expect![[r#"
        access self_service closed received 2026-11-24 ack None closed Some("2026-11-24") subject <ada> contact None/None lang en outcome Some("The person downloaded a copy of their data from the preference centre.")
        complaint complaint_form acknowledged received 2026-11-24 ack Some("2026-11-24") closed None subject <ada> contact None/None lang en outcome None
        erasure self_service closed received 2026-11-24 ack None closed Some("2026-11-24") subject <ada> contact None/None lang en outcome Some("The person erased their data from the preference centre; a suppression entry keeps them from being added again.")
        rectification self_service closed received 2026-11-24 ack None closed Some("2026-11-24") subject <ada> contact None/None lang en outcome Some("The person corrected their details in the preference centre (a new address takes effect once confirmed from it).")
        restriction self_service closed received 2026-11-24 ack None closed Some("2026-11-24") subject <ada> contact None/None lang en outcome Some("The person restricted the use of their data from the preference centre.")
    "#]]
    .assert_eq(&register(&app));
    let kinds: Vec<String> =
        register_audit(&app).lines().map(|l| l.split(' ').nth(1).unwrap().to_string()).collect();
    assert_eq!(kinds.iter().filter(|k| *k == "register_entry_recorded").count(), 5, "{kinds:?}");
}

#[test]
fn the_api_erasure_path_clears_the_register_contact_too() {
    let app = app();
    assert_eq!(send(&app, &post(GOOD)).status, 201);
    complain(&app, &[("name", "Ada"), ("email", "ada@example.org"), ("complaint", "Stop")]);
    assert_eq!(entries(&app)[0].contact_email.as_deref(), Some("ada@example.org"));
    let erase =
        admin("POST", "/api/v1/admin/sites/demo/subjects/erase", Some(r#"{"email":"ada@example.org"}"#));
    assert_eq!(send(&app, &erase).status, 200);
    let row = &entries(&app)[0];
    assert_eq!(
        (row.contact_email.as_deref(), row.contact_name.as_deref(), row.details.as_str()),
        (None, None, "Stop")
    );
}
