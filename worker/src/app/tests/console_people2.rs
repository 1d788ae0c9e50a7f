//! The People page's correction of name and address (the preference centre's path: a new
//! address only once confirmed from its inbox; a taken, suppressed or erased one refused without
//! a word about whose it is), a soft opt-in given on paper (only where `shared::basis` allows
//! it), the method of a paper record, and CSV files uploaded as multipart/form-data to Import
//! and Suppressions (bad files answered beside the field, the anti-forgery value still required).

use chrono::TimeDelta;

use super::accounts::{
    add_person, another_session, at, csrf_of, form_post, send_at, sign_in, text, with_cookie,
};
use super::audit::dump;
use super::*;
use crate::store::Executor;

type TestApp = App<SqlStore<SqliteExecutor>>;

const ADA: &str = "ada@example.org";

fn now() -> DateTime<Utc> {
    at(TimeDelta::zero())
}

fn get_page(app: &TestApp, session: &str, path: &str) -> (u16, String) {
    text(send_at(app, &with_cookie(HttpRequest::new("GET", path), session), now()))
}

/// Posts `fields` to `/admin/sites/{site}/{section}` with the page's anti-forgery value.
fn post_on(
    app: &TestApp,
    session: &str,
    site: &str,
    section: &str,
    fields: &[(&str, &str)],
) -> (u16, String) {
    let path = format!("/admin/sites/{site}/{section}");
    let (status, page) = get_page(app, session, &path);
    assert_eq!(status, 200, "{page}");
    let csrf = csrf_of(&page);
    let mut all = vec![("csrf", csrf.as_str()), ("lang", "en")];
    all.extend_from_slice(fields);
    text(send_at(app, &with_cookie(form_post(&path, &all), session), now()))
}

fn people(app: &TestApp, session: &str, fields: &[(&str, &str)]) -> (u16, String) {
    post_on(app, session, "demo", "people", fields)
}

/// A multipart/form-data body as a browser writes it: text fields, then files
/// `(field, file name, content type, bytes)`.
fn multipart(fields: &[(&str, &str)], files: &[(&str, &str, &str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----formdata-people2-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    for (name, file_name, content_type, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Uploads `file` (as `field`) to a console section with `fields`, carrying the page's
/// anti-forgery value unless `csrf` says otherwise.
fn upload(
    app: &TestApp,
    session: &str,
    section: &str,
    fields: &[(&str, &str)],
    file: (&str, &str, &[u8]),
    csrf: Option<&str>,
) -> (u16, String) {
    let path = format!("/admin/sites/demo/{section}");
    let (_, page) = get_page(app, session, &path);
    let own = csrf_of(&page);
    let mut all = vec![("csrf", csrf.unwrap_or(&own)), ("lang", "en")];
    all.extend_from_slice(fields);
    let (content_type, body) = multipart(&all, &[(file.0, file.1, "text/csv", file.2)]);
    let req = HttpRequest::new("POST", &path).with_header("content-type", &content_type).with_body(body);
    text(send_at(app, &with_cookie(req, session), now()))
}

/// The demo site's audit trail, oldest first: `actor kind detail` per line.
fn trail(app: &TestApp) -> Vec<String> {
    let rows = pollster::block_on(
        app.store.exec.query("SELECT actor, kind, detail FROM audit_events ORDER BY rowid", vec![]),
    )
    .unwrap();
    rows.iter()
        .map(|r| {
            format!("{} {} {}", r.text("actor").unwrap(), r.text("kind").unwrap(), r.text("detail").unwrap())
        })
        .collect()
}

fn owner_with_ada() -> (TestApp, String, String) {
    let app = app();
    let owner_id = add_person(&app, "owner@example.org", "owner");
    let session = sign_in(&app, "owner@example.org", now());
    assert_eq!(send(&app, &post(GOOD)).status, 201);
    take_outbox();
    (app, owner_id, session)
}

fn record_of(app: &TestApp, email: &str) -> Option<crate::store::SubjectRecord> {
    let email = consent_shared::email::Email::parse(email).unwrap();
    let subject = pollster::block_on(app.subject_for("demo", &email)).unwrap();
    pollster::block_on(app.store.subject_record("demo", &subject)).unwrap()
}

#[test]
fn a_correction_by_letter_changes_the_name_and_moves_the_record_once_the_new_inbox_confirms() {
    let (app, owner_id, session) = owner_with_ada();
    let (status, page) = people(&app, &session, &[("op", "lookup"), ("email", ADA)]);
    assert_eq!(status, 200);
    assert!(
        page.contains("name=\"new_email\"") && page.contains("rectify-note"),
        "the form is offered: {page}"
    );
    let (status, page) = people(
        &app,
        &session,
        &[
            ("op", "rectify"),
            ("email", ADA),
            ("new_name", "Ada Lovelace"),
            ("new_email", "Ada.L@Example.net"),
            ("note", "Letter of 3 March, filed in the post tray"),
        ],
    );
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("The name was corrected.") && page.contains("A confirmation link was emailed"),
        "{page}"
    );
    let held = record_of(&app, ADA).unwrap();
    assert_eq!(held.name.as_deref(), Some("Ada Lovelace"));
    assert_eq!(held.email.as_deref(), Some("Ada@example.org"), "the address waits for its confirmation");
    let mail = take_outbox();
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].to, "Ada.L@example.net");
    let link = mail[0].text.lines().find(|l| l.starts_with("http://localhost/c/")).expect("a confirm link");
    let confirm = link.strip_prefix("http://localhost").unwrap();
    let (status, page) = text(send_at(&app, &HttpRequest::new("GET", confirm), now()));
    assert_eq!(status, 200, "{page}");
    let (status, page) = text(send_at(&app, &form_post(confirm, &[("csrf", &csrf_of(&page))]), now()));
    assert_eq!(status, 200, "{page}");
    assert_eq!(audience_emails(&app), ["Ada.L@example.net"]);
    assert_eq!(record_of(&app, "ada.l@example.net").unwrap().name.as_deref(), Some("Ada Lovelace"));
    // Audited with the staff member as actor: what changed and the note, never a name or address.
    let last = trail(&app).into_iter().rev().find(|l| l.contains(" subject_rectified ")).unwrap();
    assert!(last.starts_with(&format!("person:{owner_id} subject_rectified ")), "{last}");
    assert!(
        last.contains(r#""address_change_requested":true"#) && last.contains(r#""name_corrected":true"#),
        "{last}"
    );
    assert!(last.contains("Letter of 3 March"), "{last}");
    let all = dump(&app).to_lowercase();
    assert!(!all.contains("ada.l@example.net") && !all.contains(ADA) && !all.contains("lovelace"), "{all}");
    // The name alone; then what is held already (nothing changes, and says so).
    let (status, page) = people(
        &app,
        &session,
        &[
            ("op", "rectify"),
            ("email", "ada.l@example.net"),
            ("new_name", "Ada King"),
            ("note", "Phone call, 4 March"),
        ],
    );
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("The name was corrected.") && !page.contains("confirmation link"), "{page}");
    assert!(take_outbox().is_empty());
    let (_, page) = people(
        &app,
        &session,
        &[("op", "rectify"), ("email", "ada.l@example.net"), ("new_name", "Ada King"), ("note", "Again")],
    );
    assert!(page.contains("nothing was changed"), "{page}");
}

#[test]
fn a_correction_with_bad_fields_is_refused_beside_them_and_writes_nothing() {
    let (app, _, session) = owner_with_ada();
    let before = trail(&app).len();
    /// The fields posted, and the errors expected beside them.
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a [&'a str]);
    let cases: [Case; 5] = [
        (&[("new_name", ""), ("new_email", ""), ("note", "Letter")], &["rectify-name-error"]),
        (&[("new_email", "not-an-address"), ("note", "Letter")], &["rectify-email-error"]),
        (&[("new_name", "Ada\u{7}"), ("note", "")], &["rectify-name-error", "rectify-note-error"]),
        (&[("new_name", "Ada L"), ("note", "From ada.l@example.net")], &["rectify-note-error"]),
        (&[("new_name", &"A".repeat(201)), ("note", "Letter")], &["rectify-name-error"]),
    ];
    for (fields, errors) in cases {
        let mut all = vec![("op", "rectify"), ("email", ADA)];
        all.extend_from_slice(fields);
        let (status, page) = people(&app, &session, &all);
        assert_eq!(status, 422, "{fields:?}: {page}");
        for id in errors {
            assert!(page.contains(&format!("id=\"{id}\"")), "{id} for {fields:?}: {page}");
            assert!(
                page.contains(&format!("aria-describedby=\"{}-help {id}\"", id.trim_end_matches("-error"))),
                "{id}"
            );
        }
        assert!(page.contains("role=\"alert\""));
        // The errors are in the correction form only, not beside the other forms' notes.
        assert!(!page.contains("withdraw-note-error") && !page.contains("grant-note-error"), "{page}");
    }
    assert_eq!(record_of(&app, ADA).unwrap().name, None);
    assert!(take_outbox().is_empty());
    assert_eq!(trail(&app).len(), before, "nothing audited: nothing was done");
    // Someone nobody holds: said so, nothing written.
    let (status, page) = people(
        &app,
        &session,
        &[("op", "rectify"), ("email", "nobody@example.org"), ("new_name", "X"), ("note", "Letter")],
    );
    assert_eq!(status, 200);
    assert!(page.contains("Nothing is held"), "{page}");
    assert!(!trail(&app).iter().any(|l| l.contains("subject_rectified")));
}

#[test]
fn an_address_that_is_someone_elses_suppressed_or_erased_cannot_be_used_and_nothing_says_why() {
    let (app, _, session) = owner_with_ada();
    // Bo holds a record; Sue is on the do-not-contact list; Eve was erased.
    assert_eq!(send(&app, &post(&GOOD.replace("Ada@Example.org", "bo@example.org"))).status, 201);
    let sue = admin("POST", "/api/v1/admin/sites/demo/suppressions", Some(r#"{"email":"sue@example.org"}"#));
    assert_eq!(send(&app, &sue).status, 200);
    assert_eq!(send(&app, &post(&GOOD.replace("Ada@Example.org", "eve@example.org"))).status, 201);
    assert_eq!(send(&app, &subject_request("erase", r#"{"email":"eve@example.org"}"#)).status, 200);
    let events = all_events(&app).len();
    let mut answers = Vec::new();
    for taken in ["BO@example.org", "sue@example.org", "eve@example.org"] {
        let (status, page) = people(
            &app,
            &session,
            &[
                ("op", "rectify"),
                ("email", ADA),
                ("new_name", "Ada Lovelace"),
                ("new_email", taken),
                ("note", "Letter"),
            ],
        );
        assert_eq!(status, 422, "{taken}: {page}");
        let error = page
            .split("id=\"rectify-email-error\">")
            .nth(1)
            .expect("beside the field")
            .split('<')
            .next()
            .unwrap();
        assert_eq!(error, "This address cannot be used for this person. Nothing was changed.");
        assert!(!page.to_lowercase().contains(&taken.to_lowercase()), "the address is not echoed: {page}");
        answers.push((status, error.to_string()));
    }
    assert!(answers.windows(2).all(|w| w[0] == w[1]), "the same answer for all three: {answers:?}");
    assert_eq!(record_of(&app, ADA).unwrap().name, None, "nothing half-written: the name stays too");
    assert!(take_outbox().is_empty(), "no mail to anyone");
    assert_eq!(all_events(&app).len(), events);
    assert!(!trail(&app).iter().any(|l| l.contains("subject_rectified")));
}

/// The charity site (soft opt-in on `our-work|email`) with an owner signed in and Ada on it.
fn charity_owner() -> (TestApp, String, String) {
    let app = app();
    let owner_id = add_person(&app, "owner@example.org", "owner");
    let def = super::lawful_basis::charity_definition().to_string();
    assert_eq!(send(&app, &admin("PUT", "/api/v1/admin/sites/charity", Some(&def))).status, 201);
    let member = admin(
        "POST",
        "/api/v1/admin/sites/charity/people",
        Some(r#"{"email":"owner@example.org","role":"owner"}"#),
    );
    let (status, body) = text(send(&app, &member));
    assert!(status == 200 || status == 201, "{status} {body}");
    let session = sign_in(&app, "owner@example.org", now());
    (app, owner_id, session)
}

fn soft(app: &TestApp, session: &str, fields: &[(&str, &str)]) -> (u16, String) {
    let mut all = vec![("op", "soft_opt_in"), ("email", ADA)];
    all.extend_from_slice(fields);
    post_on(app, session, "charity", "people", &all)
}

#[test]
fn a_soft_opt_in_on_paper_is_recorded_only_where_the_rules_allow_it() {
    let (app, owner_id, session) = charity_owner();
    let good = [
        ("list", "our-work|email"),
        ("method", "paper_form"),
        ("collected", "2026-06-01"),
        ("context", "donation"),
        ("direct", "yes"),
        ("note", "Donation form, batch 7"),
    ];
    let with = |key: &str, value: &'static str| -> Vec<(&'static str, &'static str)> {
        good.iter().map(|(k, v)| if *k == key { (*k, value) } else { (*k, *v) }).collect()
    };
    let without = |key: &str| -> Vec<(&'static str, &'static str)> {
        good.iter().filter(|(k, _)| *k != key).copied().collect()
    };
    let events = |app: &TestApp| {
        pollster::block_on(app.store.subject_events("charity", &subject_of(app, ADA))).unwrap()
    };
    /// Why, the fields posted, and the error expected.
    type Refused<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a str);
    let refused: [Refused; 6] = [
        ("before 5 February 2026", with("collected", "2026-01-10"), "soft-collected-error"),
        ("in the future", with("collected", "2027-01-01"), "soft-collected-error"),
        ("not directly from the person", without("direct"), "soft-direct-error"),
        ("no context", without("context"), "soft-context-error"),
        ("a list on consent", with("list", "news|email"), "soft-list-error"),
        ("no evidence", with("note", ""), "soft-note-error"),
    ];
    for (why, fields, error) in refused {
        let (status, page) = soft(&app, &session, &fields);
        assert_eq!(status, 422, "{why}: {page}");
        assert!(page.contains(&format!("id=\"{error}\"")), "{why}: {page}");
        assert!(events(&app).is_empty(), "{why}: nothing recorded");
    }
    let (status, page) = soft(&app, &session, &good);
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("The soft opt-in was recorded."), "{page}");
    let recorded = serde_json::to_value(events(&app)).unwrap();
    let e = &recorded[0];
    assert_eq!(
        (e["action"].as_str(), e["method"].as_str(), e["purpose"].as_str(), e["support_context"].as_str()),
        (Some("soft_opt_in"), Some("paper_form"), Some("our-work"), Some("donation")),
        "{e}"
    );
    assert!(e.to_string().contains("Donation form, batch 7"), "the note is the evidence: {e}");
    let last = trail(&app).pop().unwrap();
    assert!(last.starts_with(&format!("person:{owner_id} consent_recorded_by_admin")), "{last}");
    // Someone not held yet: the paper-form forms are offered after the look-up, nothing else.
    let (_, page) =
        post_on(&app, &session, "charity", "people", &[("op", "lookup"), ("email", "new@example.org")]);
    assert!(page.contains("Nothing is held") && page.contains("name=\"op\" value=\"soft_opt_in\""), "{page}");
    assert!(!page.contains("value=\"rectify\"") && !page.contains("value=\"erase\""), "{page}");
    assert!(!dump(&app).to_lowercase().contains(ADA));
    // A site with no list on the soft opt-in says so instead of offering the form.
    assert_eq!(send(&app, &post(GOOD)).status, 201);
    let (_, page) = post_on(&app, &session, "demo", "people", &[("op", "lookup"), ("email", ADA)]);
    assert!(page.contains("None of this site's lists rests on the charitable purpose soft opt-in"), "{page}");
    let mut on_demo = vec![("op", "soft_opt_in"), ("email", ADA)];
    on_demo.extend(with("list", "news|email"));
    let (status, page) = post_on(&app, &session, "demo", "people", &on_demo);
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("id=\"soft-list-error\"") || page.contains("Choose one of the lists"), "{page}");
}

fn subject_of(app: &TestApp, email: &str) -> String {
    let email = consent_shared::email::Email::parse(email).unwrap();
    pollster::block_on(app.subject_for("charity", &email)).unwrap()
}

#[test]
fn a_paper_record_states_its_method() {
    let (app, _, session) = owner_with_ada();
    let grant = |method: &'static str| {
        vec![
            ("op", "grant"),
            ("email", ADA),
            ("list", "news|email"),
            ("collected", "2026-11-01"),
            ("method", method),
            ("note", "Note of a phone call, 1 November"),
        ]
    };
    let (_, page) = people(&app, &session, &[("op", "lookup"), ("email", ADA)]);
    assert!(page.contains("id=\"grant-method\"") && page.contains("id=\"withdraw-method\""), "{page}");
    let (status, page) = people(&app, &session, &grant("admin_import"));
    assert_eq!(status, 200, "{page}");
    let last = serde_json::to_value(all_events(&app).pop().unwrap()).unwrap();
    assert_eq!(last["method"], "admin_import", "{last}");
    let events = all_events(&app).len();
    let (status, page) = people(&app, &session, &grant("web_form"));
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("id=\"grant-method-error\""), "{page}");
    assert_eq!(all_events(&app).len(), events);
}

#[test]
fn an_uploaded_csv_file_is_read_for_the_import_dry_run_and_bad_files_are_answered_beside_the_field() {
    let app = app();
    add_person(&app, "dpo@example.org", "dpo");
    let session = sign_in(&app, "dpo@example.org", now());
    let (_, form) = get_page(&app, &session, "/admin/sites/demo/import");
    assert!(form.contains("enctype=\"multipart/form-data\""), "{form}");
    assert!(
        form.contains("type=\"file\" id=\"csv_file\" name=\"csv_file\" accept=\".csv,text/csv\""),
        "{form}"
    );
    let good = "\u{feff}email,name,purpose,channel,consented_at\nada@example.org,Ada,news,email,2019-03-15\nnot-an-email,X,news,email,2019-03-15\n";
    let fields = [("action", "dry_run"), ("method", "paper_form"), ("evidence", "Reunion sheets")];
    let (status, page) =
        upload(&app, &session, "import", &fields, ("csv_file", "reunion.csv", good.as_bytes()), None);
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("2 rows read: 1 would be recorded, 1 refused."), "{page}");
    let dry_runs = trail(&app).iter().filter(|l| l.contains(" import_dry_run ")).count();
    assert_eq!(dry_runs, 1);
    let too_many = format!(
        "email,purpose,channel,consented_at\n{}",
        (0..50_001).map(|i| format!("p{i}@example.org,news,email,2019-03-15\n")).collect::<String>()
    );
    let bad: [(&str, &[u8], &str); 5] = [
        ("not UTF-8", b"email\nbj\xF6rk@example.org\n", "not UTF-8 text"),
        ("a workbook", b"PK\x03\x04\x14\x00\x06\x00", "This is not a CSV file"),
        ("empty", b"", "The file is empty."),
        ("no email column", b"name,purpose\nAda,news\n", "no email column"),
        ("over 50,000 rows", too_many.as_bytes(), "more than 50,000 rows"),
    ];
    for (why, bytes, message) in bad {
        let (status, page) = upload(&app, &session, "import", &fields, ("csv_file", "f.csv", bytes), None);
        assert_eq!(status, 422, "{why}: {page}");
        assert!(page.contains(message), "{why}: {page}");
        assert!(
            page.contains("id=\"csv-error\"")
                && page.contains("aria-describedby=\"csv-file-hint csv-error\""),
            "{why}"
        );
    }
    // A file and a paste at once: which one was meant is not guessed.
    let both = [("action", "dry_run"), ("csv", "email\nbo@example.org\n")];
    let (status, page) =
        upload(&app, &session, "import", &both, ("csv_file", "f.csv", good.as_bytes()), None);
    assert_eq!(status, 422);
    assert!(page.contains("not both"), "{page}");
    // Without the anti-forgery value, or with another session's, a multipart post is refused.
    let other = another_session(&app, "dpo@example.org", now());
    let (_, other_page) = get_page(&app, &other, "/admin/sites/demo/import");
    for csrf in ["", "forged", csrf_of(&other_page).as_str()] {
        let (status, page) =
            upload(&app, &session, "import", &fields, ("csv_file", "f.csv", good.as_bytes()), Some(csrf));
        assert_eq!(status, 403, "{csrf:?}: {page}");
    }
    let dry_runs = trail(&app).iter().filter(|l| l.contains(" import_dry_run ")).count();
    assert_eq!(dry_runs, 1, "no refused post was acted on");
}

#[test]
fn suppressions_are_added_from_an_uploaded_file_within_the_limits() {
    let (app, owner_id, session) = owner_with_ada();
    let (_, page) = get_page(&app, &session, "/admin/sites/demo/suppressions");
    assert!(
        page.contains("enctype=\"multipart/form-data\"") && page.contains("name=\"addresses_file\""),
        "{page}"
    );
    let csv = b"name,email\nAda,ada@example.org\n\"Lovelace, A\",al@example.org\n";
    let fields = [("op", "add"), ("reason", "complaint")];
    let (status, page) =
        upload(&app, &session, "suppressions", &fields, ("addresses_file", "bounces.csv", csv), None);
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("2 address(es) added"), "{page}");
    assert!(audience_emails(&app).is_empty());
    let added =
        trail(&app).iter().filter(|l| l.starts_with(&format!("person:{owner_id} suppression_added"))).count();
    assert_eq!(added, 2);
    // Over the form's byte limit: beside the field, nothing added.
    let big: Vec<u8> = (0..27_000).flat_map(|i| format!("s{i:05}@example.org\n").into_bytes()).collect();
    assert!(big.len() > 496 * 1024 && big.len() + 1024 < crate::app::MAX_SUPPRESSIONS_BODY_BYTES);
    let (status, page) =
        upload(&app, &session, "suppressions", &fields, ("addresses_file", "big.csv", &big), None);
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("The file is larger than 496 KB"), "{page}");
    assert!(page.contains("aria-describedby=\"supp-addresses-file-help supp-addresses-error\""), "{page}");
    // Over the route's body cap: not read as a form at all, so refused as a forgery would be.
    let huge = vec![b'a'; crate::app::MAX_SUPPRESSIONS_BODY_BYTES + 1];
    let (status, _) =
        upload(&app, &session, "suppressions", &fields, ("addresses_file", "huge.csv", &huge), None);
    assert_eq!(status, 403);
    let (status, page) = upload(
        &app,
        &session,
        "suppressions",
        &fields,
        ("addresses_file", "x.xlsx", b"PK\x03\x04\x00\x00"),
        None,
    );
    assert_eq!(status, 422);
    assert!(page.contains("This is not a CSV file"), "{page}");
    let after = trail(&app).iter().filter(|l| l.contains("suppression_added")).count();
    assert_eq!(after, 2, "nothing added by a refused file");
    assert_eq!(
        crate::app::body_cap("/admin/sites/demo/suppressions"),
        crate::app::MAX_SUPPRESSIONS_BODY_BYTES
    );
    assert_eq!(crate::app::body_cap("/admin/sites/demo/people"), crate::app::MAX_BODY_BYTES);
}

#[test]
fn an_editor_may_neither_correct_nor_upload() {
    let (app, _, _) = owner_with_ada();
    add_person(&app, "ed@example.org", "editor");
    let editor = sign_in(&app, "ed@example.org", now());
    for section in ["people", "import", "suppressions"] {
        let path = format!("/admin/sites/demo/{section}");
        let (status, _) = get_page(&app, &editor, &path);
        assert_eq!(status, 403, "{section}");
        // Its own console's anti-forgery value does not help: the role is refused first.
        let (_, overview) = get_page(&app, &editor, "/admin/sites/demo");
        let csrf = csrf_of_or_empty(&overview);
        let (content_type, body) = multipart(
            &[
                ("csrf", &csrf),
                ("lang", "en"),
                ("op", "rectify"),
                ("email", ADA),
                ("new_name", "X"),
                ("note", "n"),
            ],
            &[("csv_file", "f.csv", "text/csv", b"email\nbo@example.org\n")],
        );
        let req = HttpRequest::new("POST", &path).with_header("content-type", &content_type).with_body(body);
        let (status, _) = text(send_at(&app, &with_cookie(req, &editor), now()));
        assert_eq!(status, 403, "{section}");
        let (status, _) = text(send_at(
            &app,
            &with_cookie(
                form_post(
                    &path,
                    &[("csrf", &csrf), ("op", "rectify"), ("email", ADA), ("new_name", "X"), ("note", "n")],
                ),
                &editor,
            ),
            now(),
        ));
        assert_eq!(status, 403, "{section}");
    }
    assert_eq!(record_of(&app, ADA).unwrap().name, None);
    assert!(!trail(&app).iter().any(|l| l.contains("subject_rectified") || l.contains("import_dry_run")));
}

fn csrf_of_or_empty(page: &str) -> String {
    if page.contains("name=\"csrf\"") {
        csrf_of(page)
    } else {
        String::new()
    }
}
