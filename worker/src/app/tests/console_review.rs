//! The console's Review section over SQLite: who may use it, the settings and the nag, the
//! groups a review lists (counts, CSV, preference links only for the emailable), completing a
//! review (reasons, typed confirmation, nothing written on bad input), and the bulk erasure —
//! the same erasure as one person's, resumable, nobody erased twice.

use chrono::TimeDelta;

use super::accounts::{add_person, at, csrf_of, form_post, send_at, sign_in, text, with_cookie};
use super::*;
use crate::store::review::ReviewStore;
use crate::store::Executor;

const REVIEW: &str = "/admin/sites/demo/review";

fn get(app: &App<SqlStore<SqliteExecutor>>, session: &str, path: &str) -> (u16, String) {
    text(send_at(app, &with_cookie(HttpRequest::new("GET", path), session), at(TimeDelta::zero())))
}

/// Posts `fields` to `path` as `session`, with the review page's anti-forgery value.
fn post_to(
    app: &App<SqlStore<SqliteExecutor>>,
    session: &str,
    path: &str,
    fields: &[(&str, &str)],
) -> HttpResponse {
    let (status, page) = get(app, session, REVIEW);
    assert_eq!(status, 200, "{page}");
    let csrf = csrf_of(&page);
    let mut all = vec![("csrf", csrf.as_str()), ("lang", "en")];
    all.extend_from_slice(fields);
    send_at(app, &with_cookie(form_post(path, &all), session), at(TimeDelta::zero()))
}

fn sql(app: &App<SqlStore<SqliteExecutor>>, statement: &'static str) -> Vec<crate::store::Row> {
    pollster::block_on(app.store.exec.query(statement, vec![])).unwrap()
}

fn count(app: &App<SqlStore<SqliteExecutor>>, statement: &'static str) -> i64 {
    sql(app, statement)[0].int("n").unwrap()
}

fn kinds(app: &App<SqlStore<SqliteExecutor>>) -> Vec<String> {
    sql(app, "SELECT kind FROM audit_events ORDER BY seq").iter().map(|r| r.text("kind").unwrap()).collect()
}

fn signed_in(role: &str) -> (App<SqlStore<SqliteExecutor>>, String) {
    let app = app();
    let email = format!("{role}@example.org");
    add_person(&app, &email, role);
    let session = sign_in(&app, &email, at(TimeDelta::zero()));
    (app, session)
}

/// Someone who consented to the news by email (the demo site's email list).
fn consented(app: &App<SqlStore<SqliteExecutor>>, email: &str) {
    let body = GOOD.replace("Ada@Example.org", email);
    assert_eq!(send(app, &post(&body)).status, 201);
}

#[test]
fn only_dpo_and_owner_see_and_use_the_review() {
    for role in ["editor", "viewer"] {
        let (app, session) = signed_in(role);
        let (status, front) = get(&app, &session, "/admin/sites/demo");
        assert_eq!(status, 200, "{front}");
        assert!(!front.contains("/admin/sites/demo/review"), "{role} sees no link: {front}");
        assert!(!front.contains("Next data review"), "{role} is not nagged: {front}");
        let (status, _) = get(&app, &session, REVIEW);
        assert_eq!(status, 403, "{role} GET");
        let r = send_at(
            &app,
            &with_cookie(form_post(REVIEW, &[("op", "settings"), ("cycle", "12")]), &session),
            at(TimeDelta::zero()),
        );
        assert_eq!(r.status, 403, "{role} POST");
        assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM review_settings"), 0);
    }
    for role in ["dpo", "owner"] {
        let (app, session) = signed_in(role);
        let (status, front) = get(&app, &session, "/admin/sites/demo");
        assert_eq!(status, 200);
        assert!(front.contains("/admin/sites/demo/review"), "{role}: {front}");
        // Never reviewed: due a cycle (24 months) after the site was created.
        assert!(front.contains("Next data review due on 2028-11-24."), "{front}");
        let (status, page) = get(&app, &session, REVIEW);
        assert_eq!(status, 200, "{page}");
        assert!(page.contains("id=\"review-next-due\">2028-11-24<"), "{page}");
    }
}

#[test]
fn bad_settings_are_refused_beside_their_fields_and_nothing_is_written() {
    let (app, session) = signed_in("dpo");
    for (fields, error) in [
        (vec![("cycle", "28"), ("last", ""), ("years", "6")], "cycle-error"),
        (vec![("cycle", "0"), ("last", ""), ("years", "6")], "cycle-error"),
        (vec![("cycle", "24"), ("last", "2026-11-25"), ("years", "6")], "last-error"),
        (vec![("cycle", "24"), ("last", "24/11/2025"), ("years", "6")], "last-error"),
        (vec![("cycle", "24"), ("last", ""), ("years", "0")], "years-error"),
    ] {
        let mut all = vec![("op", "settings")];
        all.extend(fields);
        let (status, page) = text(post_to(&app, &session, REVIEW, &all));
        assert_eq!(status, 422, "{page}");
        assert!(page.contains(&format!("id=\"{error}\"")), "{error}: {page}");
        assert!(page.contains("role=\"alert\""), "{page}");
    }
    let (_, page) = text(post_to(
        &app,
        &session,
        REVIEW,
        &[("op", "settings"), ("cycle", "28"), ("last", ""), ("years", "6")],
    ));
    assert!(page.contains("no more than 27 calendar months"), "{page}");
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM review_settings"), 0);
    assert!(!kinds(&app).contains(&"review_settings_changed".to_string()));
    let r = post_to(
        &app,
        &session,
        REVIEW,
        &[("op", "settings"), ("cycle", "27"), ("last", "2025-08-31"), ("years", "6")],
    );
    assert_eq!(r.status, 303);
    let (_, page) = get(&app, &session, REVIEW);
    // 31 August 2025 + 27 months: 30 November 2027 (the month has no 31st).
    assert!(page.contains("id=\"review-next-due\">2027-11-30<"), "{page}");
    assert!(kinds(&app).contains(&"review_settings_changed".to_string()));
}

#[test]
fn the_front_page_nags_from_30_days_before_and_when_overdue_in_english_and_welsh() {
    let (app, session) = signed_in("owner");
    let set = |last: &str| {
        let r = post_to(
            &app,
            &session,
            REVIEW,
            &[("op", "settings"), ("cycle", "24"), ("last", last), ("years", "6")],
        );
        assert_eq!(r.status, 303);
    };
    set("2024-12-25");
    let (_, front) = get(&app, &session, "/admin/sites/demo");
    assert!(front.contains("Next data review due on 2026-12-25. 31 days left."), "{front}");
    assert!(!front.contains("id=\"review-due\""), "not yet nagging: {front}");
    set("2024-12-10");
    let (_, front) = get(&app, &session, "/admin/sites/demo");
    assert!(front.contains("The data review is due on 2026-12-10: 16 days left."), "{front}");
    assert!(front.contains("id=\"review-due\""), "{front}");
    let (_, front) = get(&app, &session, "/admin/sites/demo?lang=cy");
    assert!(front.contains("Mae'r adolygiad data yn ddyledus ar 2026-12-10: 16 diwrnod ar ôl."), "{front}");
    set("2024-10-01");
    let (_, front) = get(&app, &session, "/admin/sites/demo");
    assert!(front.contains("The data review is overdue: it was due on 2026-10-01, 54 days ago."), "{front}");
    assert!(front.contains("role=\"alert\" id=\"review-due\""), "{front}");
}

/// Four people: ada and bob inactive with an old consent (bob withdrew since, in 2023), cy
/// restricted since 2024, dee erased in 2019 (history kept); eve is active.
fn populated() -> (App<SqlStore<SqliteExecutor>>, String) {
    let (app, session) = signed_in("dpo");
    for who in ["ada", "bob", "cy", "dee", "eve"] {
        consented(&app, &format!("{who}@example.org"));
    }
    let withdraw = change("bob@example.org", "withdrawn");
    assert_eq!(send(&app, &admin("POST", "/api/v1/admin/sites/demo/consents", Some(&withdraw))).status, 201);
    let restrict = r#"{"email":"cy@example.org","restricted":true}"#;
    assert_eq!(
        send(&app, &admin("POST", "/api/v1/admin/sites/demo/subjects/restrict", Some(restrict))).status,
        200
    );
    let erase = r#"{"email":"dee@example.org"}"#;
    assert_eq!(
        send(&app, &admin("POST", "/api/v1/admin/sites/demo/subjects/erase", Some(erase))).status,
        200
    );
    for statement in [
        "UPDATE subjects SET updated_at = '2022-01-05T10:00:00.000Z' WHERE email IN ('ada@example.org', 'bob@example.org')",
        "UPDATE consent_state SET updated_at = '2022-01-05T10:00:00.000Z'",
        "UPDATE subjects SET restricted_at = '2024-03-01T09:00:00.000Z' WHERE restricted = 1",
        "UPDATE suppressions SET created_at = '2019-06-01T09:00:00.000Z' WHERE reason = 'erasure'",
    ] {
        sql(&app, statement);
    }
    (app, session)
}

fn counted(page: &str, group: &str) -> String {
    let start = page.find(&format!("id=\"count-{group}\">")).expect("a count") + 12 + group.len();
    page[start..].split('<').next().unwrap().to_string()
}

#[test]
fn the_groups_are_counted_and_downloadable() {
    let (app, session) = populated();
    let (status, page) = get(&app, &session, REVIEW);
    assert_eq!(status, 200, "{page}");
    let counts: Vec<String> = ["inactive", "old_consent", "restricted", "erased_history"]
        .iter()
        .map(|g| counted(&page, g))
        .collect();
    // ada and bob inactive; only ada still rests on an (old) consent; cy; dee.
    assert_eq!(counts, ["2", "1", "1", "1"], "{page}");
    // A period out of range: the error beside its field, no counts.
    let (status, page) = get(&app, &session, &format!("{REVIEW}?inactive_months=0"));
    assert_eq!(status, 422);
    assert!(page.contains("id=\"inactive_months-error\"") && !page.contains("id=\"count-"), "{page}");
    let (status, csv) = text(post_to(
        &app,
        &session,
        REVIEW,
        &[
            ("op", "list"),
            ("group", "inactive"),
            ("inactive_months", "24"),
            ("consent_months", "24"),
            ("restricted_months", "12"),
        ],
    ));
    assert_eq!(status, 200, "{csv}");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "subject,email,name,since");
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(csv.contains("ada@example.org") && csv.contains("bob@example.org"), "{csv}");
    let (_, csv) = text(post_to(
        &app,
        &session,
        REVIEW,
        &[
            ("op", "list"),
            ("group", "erased_history"),
            ("inactive_months", "24"),
            ("consent_months", "24"),
            ("restricted_months", "12"),
        ],
    ));
    assert_eq!(csv.lines().count(), 2, "{csv}");
    assert!(!csv.contains("dee@"), "erased: no address: {csv}");
    assert!(kinds(&app).iter().filter(|k| *k == "review_list_exported").count() == 2);
}

#[test]
fn preference_links_are_listed_only_for_people_who_may_be_emailed() {
    let (app, session) = populated();
    let fields = [
        ("group", "inactive"),
        ("inactive_months", "24"),
        ("consent_months", "24"),
        ("restricted_months", "12"),
    ];
    let mut all = vec![("op", "links")];
    all.extend(fields);
    let (status, csv) = text(post_to(&app, &session, REVIEW, &all));
    assert_eq!(status, 200, "{csv}");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "email,name,preferences_url");
    // bob withdrew his consent: no link for him (the consent check's own answer).
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[1].starts_with("ada@example.org,,http://localhost/p/"), "{csv}");
    // Restricted and erased people are never asked.
    all[1] = ("group", "restricted");
    let (status, _) = text(post_to(&app, &session, REVIEW, &all));
    assert_eq!(status, 400);
    assert!(take_outbox().iter().all(|m| !m.to.contains("ada@")), "Consent sends nothing itself");
}

fn decide_fields<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut all = vec![
        ("op", "complete"),
        ("inactive_months", "24"),
        ("consent_months", "24"),
        ("restricted_months", "12"),
        ("decision-old_consent", "ask_to_check"),
        ("decision-restricted", "keep"),
        ("reason-restricted", "Legal claim pending; restriction requested by the person"),
        ("decision-erased_history", "keep"),
        ("reason-erased_history", "Deletion of history is not yet in place"),
    ];
    all.extend_from_slice(extra);
    all
}

#[test]
fn completing_a_review_needs_a_reason_to_keep_and_the_typed_confirmation_to_erase() {
    let (app, session) = populated();
    for (extra, error) in [
        (vec![("decision-inactive", "keep"), ("reason-inactive", "  ")], "reason-inactive-error"),
        (vec![("decision-inactive", "erase"), ("confirm-inactive", "ERASE 3")], "confirm-inactive-error"),
        (vec![("decision-inactive", "erase"), ("confirm-inactive", "erase")], "confirm-inactive-error"),
        (vec![], "decision-inactive-error"),
    ] {
        let (status, page) = text(post_to(&app, &session, REVIEW, &decide_fields(&extra)));
        assert_eq!(status, 422, "{page}");
        assert!(page.contains(&format!("id=\"{error}\"")), "{error}: {page}");
    }
    let mut refused = decide_fields(&[("decision-inactive", "keep"), ("reason-inactive", "members")]);
    refused.push(("decision-restricted", "ask_to_check"));
    refused.retain(|(k, v)| !(*k == "decision-restricted" && *v == "keep"));
    let (status, page) = text(post_to(&app, &session, REVIEW, &refused));
    assert_eq!(status, 422);
    assert!(page.contains("id=\"decision-restricted-error\""), "{page}");
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM reviews"), 0);
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM review_erasures"), 0);
    assert!(!kinds(&app).contains(&"review_completed".to_string()));

    // Keep everyone: recorded, next due a cycle from today, no erasure.
    let r = post_to(
        &app,
        &session,
        REVIEW,
        &decide_fields(&[("decision-inactive", "keep"), ("reason-inactive", "Current members")]),
    );
    assert_eq!(r.status, 303);
    assert_eq!(r.header("location"), Some("/admin/sites/demo/review?lang=en&completed=2028-11-24"));
    let row = &sql(&app, "SELECT completed_by, decisions, next_due_on FROM reviews")[0];
    assert_eq!(row.text("next_due_on").unwrap(), "2028-11-24");
    expect![[r#"[{"group":"inactive","decision":"keep","reason":"Current members","count":2},{"group":"old_consent","decision":"ask_to_check","reason":null,"count":1},{"group":"restricted","decision":"keep","reason":"Legal claim pending; restriction requested by the person","count":1},{"group":"erased_history","decision":"keep","reason":"Deletion of history is not yet in place","count":1}]"#]]
    .assert_eq(&row.text("decisions").unwrap());
    let (_, page) = get(&app, &session, REVIEW);
    assert!(page.contains("id=\"review-next-due\">2028-11-24<") && page.contains("Past reviews"), "{page}");
    assert!(kinds(&app).contains(&"review_completed".to_string()));
}

fn start_erasure(app: &App<SqlStore<SqliteExecutor>>, session: &str) -> String {
    let r = post_to(
        app,
        session,
        REVIEW,
        &decide_fields(&[("decision-inactive", "erase"), ("confirm-inactive", "ERASE 2")]),
    );
    assert_eq!(r.status, 303, "{r:?}");
    let location = r.header("location").unwrap().to_string();
    assert!(location.starts_with("/admin/sites/demo/review/"), "{location}");
    location.split('?').next().unwrap().to_string()
}

#[test]
fn a_bulk_erasure_erases_through_the_one_path_and_shows_its_progress() {
    let (app, session) = populated();
    let job = start_erasure(&app, &session);
    let (status, page) = get(&app, &session, &job);
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("0 of 2 erased") && page.contains("id=\"erase-step\""), "{page}");
    let r = send_at(&app, &with_cookie(HttpRequest::new("GET", &job), &session), at(TimeDelta::zero()));
    let csp = r.header("content-security-policy").unwrap();
    assert!(csp.contains("script-src 'sha256-") && csp.contains("connect-src 'self'"), "{csp}");
    assert_eq!(
        count(&app, "SELECT COUNT(*) AS n FROM subjects WHERE email IS NULL"),
        1,
        "nothing erased by a GET"
    );
    // Without JavaScript: one batch per press of the button.
    let (status, body) = text(post_to(&app, &session, &job, &[("op", "step")]));
    assert_eq!(status, 303, "without JS: back to the page ({body})");
    let (_, page) = get(&app, &session, &job);
    assert!(page.contains("Done: 2 people erased."), "{page}");
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM subjects WHERE email IS NULL"), 3);
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM suppressions WHERE reason = 'erasure'"), 3);
    let details: Vec<String> =
        sql(&app, "SELECT detail FROM audit_events WHERE kind = 'subject_erased' ORDER BY seq")
            .iter()
            .map(|r| r.text("detail").unwrap())
            .collect();
    assert_eq!(details.iter().filter(|d| d.contains("review_erasure")).count(), 2, "{details:?}");
    assert!(kinds(&app).contains(&"review_erasure_batch".to_string()));
    // Neither comes back: a later sign-up writes no address back, as for anyone erased.
    send(&app, &post(&GOOD.replace("Ada@Example.org", "ada@example.org")));
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM subjects WHERE email = 'ada@example.org'"), 0);
    assert!(!audience_emails(&app).contains(&"ada@example.org".to_string()));
}

#[test]
fn an_interrupted_bulk_erasure_resumes_erasing_nobody_twice_and_missing_nobody() {
    let (app, session) = populated();
    let job = start_erasure(&app, &session);
    let job_id = job.rsplit('/').next().unwrap().to_string();
    // A batch that erased ada and failed before marking her: her erasure is in place, unmarked.
    let ada =
        sql(&app, "SELECT subject FROM subjects WHERE email = 'ada@example.org'")[0].text("subject").unwrap();
    pollster::block_on(app.store.erase_subject("demo", &ada, "2026-11-24T12:00:00.000Z")).unwrap();
    let pending = pollster::block_on(app.store.review_erasure_pending("demo", &job_id, 10)).unwrap();
    assert_eq!(pending.len(), 2);
    assert!(pending.contains(&(ada.clone(), true)), "{pending:?}");
    let r = send_at(
        &app,
        &with_cookie(
            form_post(
                &job,
                &[("csrf", &csrf_of(&get(&app, &session, &job).1)), ("lang", "en"), ("op", "step")],
            ),
            &session,
        )
        .with_header("accept", "application/json"),
        at(TimeDelta::zero()),
    );
    let (status, body) = text(r);
    assert_eq!(status, 200, "{body}");
    expect![[r#"{"done":true,"erased":2,"message":"Done: 2 people erased. Their do-not-contact entries are kept.","total":2}"#]]
        .assert_eq(&body);
    // Only bob went through the erasure in this step; ada was marked, not erased again.
    let via_job = count(&app, "SELECT COUNT(*) AS n FROM audit_events WHERE kind = 'subject_erased' AND detail LIKE '%review_erasure%'");
    assert_eq!(via_job, 1);
    let batch = &sql(&app, "SELECT detail FROM audit_events WHERE kind = 'review_erasure_batch'")[0];
    assert!(
        batch.text("detail").unwrap().contains("\"already_erased\":1"),
        "{}",
        batch.text("detail").unwrap()
    );
    // A repeat of the finished job changes nothing.
    let events = kinds(&app).len();
    let (status, _) = text(post_to(&app, &session, &job, &[("op", "step")]));
    assert_eq!(status, 303);
    assert_eq!(kinds(&app).len(), events);
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM review_erasure_subjects WHERE erased_at IS NULL"), 0);
}

#[test]
fn an_unknown_erasure_is_a_404() {
    let (app, session) = signed_in("owner");
    let (status, page) = get(&app, &session, "/admin/sites/demo/review/nope");
    assert_eq!(status, 404, "{page}");
    assert!(page.contains("There is no such erasure for this site."), "{page}");
}
