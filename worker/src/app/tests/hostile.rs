//! Issue 9 as a hostile visitor tries it, over SQLite: scripted and forged submissions, answers
//! that would tell who is on the list, and the preference page's address change.

use std::cell::RefCell;

use super::*;
use crate::store::{Executor, Row, SqlValue, Statement, StoreError};
use consent_shared::consent::Action;

/// A form post as the widget sends it, for `email`, from `page_url`, with an Idempotency-Key.
fn form_post(email: &str, page_url: &str, key: &str) -> HttpRequest {
    post(&GOOD.replace("Ada@Example.org", email).replace("http://127.0.0.1:8788/", page_url))
        .with_header("idempotency-key", key)
        .with_header("sec-fetch-site", "cross-site")
}

fn without_origin(mut req: HttpRequest) -> HttpRequest {
    req.headers.retain(|(name, _)| !name.eq_ignore_ascii_case("origin"));
    req
}

#[test]
fn scripts_and_servers_are_sent_to_the_admin_api() {
    let banner = consent_shared::digest::sha256_hex(
        "We use cookies that are strictly necessary, and analytics cookies only if you agree.".as_bytes(),
    );
    let cookie = HttpRequest::new("POST", "/api/v1/sites/demo/cookie-consents")
        .with_header("content-type", "application/json")
        .with_body(format!(
            r#"{{"consent_id":"5f0c3c4e-aaaa-4bbb-8ccc-000000000001","categories":[],"choice":"reject_all","policy_version":1,"wording_sha256":"{banner}","reject_on_first_layer":true}}"#
        ));
    check(
        &[
            ("consents without Origin", without_origin(post(GOOD))),
            ("cookie decision without Origin", cookie),
            (
                "registered Origin, foreign page_url",
                form_post("ada@example.org", "https://evil.example/join", "k1"),
            ),
            ("unregistered Origin", post(GOOD).with_header("origin", "https://evil.example")),
        ],
        expect![[r#"
            consents without Origin: 403 {"error":{"code":"origin_required","message":"this endpoint takes submissions from web browsers on the site's registered pages only; scripts and servers record consents with POST /api/v1/admin/sites/demo/consents and an API key with the consents:write scope"}}
            cookie decision without Origin: 403 {"error":{"code":"origin_required","message":"this endpoint takes submissions from web browsers on the site's registered pages only; scripts and servers record consents with POST /api/v1/admin/sites/demo/consents and an API key with the consents:write scope"}}
            registered Origin, foreign page_url: 422 {"error":{"code":"foreign_page_url","message":"page_url must be a page on one of this site's registered origins"}}
            unregistered Origin: 403 {"error":{"code":"origin_not_allowed","message":"origin https://evil.example is not allowed to use this site"}}
        "#]],
    );
    let app2 = app();
    for req in [without_origin(post(GOOD)), form_post("ada@example.org", "https://evil.example/join", "k1")] {
        send(&app2, &req);
    }
    assert!(all_events(&app2).is_empty(), "nothing recorded");
    // Reading stays CORS-only: servers may read the configuration and the policy.
    for path in ["/api/v1/sites/demo/config", "/api/v1/sites/demo/policy"] {
        assert_eq!(send(&app2, &HttpRequest::new("GET", path)).status, 200, "{path}");
    }
    assert_eq!(send(&app2, &HttpRequest::new("OPTIONS", "/api/v1/sites/demo/consents")).status, 204);
}

#[test]
fn page_url_is_kept_as_origin_and_path_and_the_request_proof_is_recorded() {
    let app = app();
    let url = "http://127.0.0.1:8788/join/?email=ada%40example.org&t=secret-token#from=ada@example.org";
    assert_eq!(send(&app, &form_post("ada@example.org", url, "k1")).status, 201);
    let e = all_events(&app).pop().unwrap();
    assert_eq!(
        (e.source_url.as_deref(), e.request_origin.as_deref(), e.fetch_site.as_deref()),
        (Some("http://127.0.0.1:8788/join/"), Some(ORIGIN), Some("cross-site"))
    );
    // The person's data download shows what the request proved.
    let (_, export) = body_of(send(&app, &subject_request("access", r#"{"email":"ada@example.org"}"#)));
    assert!(export.contains(r#""request_origin":"http://127.0.0.1:8788""#), "{export}");
    assert!(export.contains(r#""fetch_site":"cross-site""#), "{export}");
    assert!(!export.contains("secret-token"), "{export}");
}

/// Sets up one address of each kind the public form must not tell apart: a current
/// subscriber (recorded by the admin, so no mail is pending for it), a suppressed address and an
/// erased one; "new@example.org" is left unknown.
fn with_every_kind_of_address(double_opt_in: bool) -> App<SqlStore<SqliteExecutor>> {
    let app = app();
    if double_opt_in {
        let mut site = sample_site("demo");
        site.double_opt_in = true;
        pollster::block_on(app.store.put_site(&site, "2026-11-24T00:00:00.000Z")).unwrap();
    }
    let import =
        |email: &str| admin("POST", "/api/v1/admin/sites/demo/consents", Some(&change(email, "granted")));
    for email in ["subscribed@example.org", "erased@example.org"] {
        assert_eq!(send(&app, &import(email)).status, 201);
    }
    let suppress = r#"{"email":"suppressed@example.org","reason":"asked by phone"}"#;
    assert_eq!(
        send(&app, &admin("POST", "/api/v1/admin/sites/demo/suppressions", Some(suppress))).status,
        200
    );
    assert_eq!(send(&app, &subject_request("erase", r#"{"email":"erased@example.org"}"#)).status, 200);
    take_outbox();
    app
}

/// Status, headers and body of an answer, with what is fresh per request (the receipt's
/// `recorded_at`) replaced: this is everything a client can compare.
fn normalised(r: HttpResponse) -> String {
    let mut headers: Vec<String> = r.headers.iter().map(|(n, v)| format!("{n}: {v}")).collect();
    headers.sort();
    let (status, body) = body_of(r);
    let mut body: serde_json::Value = serde_json::from_str(&body).unwrap();
    // Normalised: fresh per request, not per address. (Event ids are not in the public receipt.)
    body["recorded_at"] = "<time>".into();
    format!("{status} {} {body}", headers.join(" | "))
}

const KINDS: [&str; 4] = ["new", "subscribed", "suppressed", "erased"];

/// Posts the same form for each kind of address and checks the answers are identical, first
/// and on a retry; returns the one answer.
fn same_answer_for_everyone(app: &App<SqlStore<SqliteExecutor>>) -> String {
    let answers: Vec<String> = KINDS
        .iter()
        .map(|kind| {
            let req = form_post(&format!("{kind}@example.org"), "http://127.0.0.1:8788/join", kind);
            normalised(send(app, &req))
        })
        .collect();
    for (kind, answer) in KINDS.iter().zip(&answers) {
        assert_eq!(answer, &answers[0], "{kind} is answered differently from new");
    }
    // A retry replays the same answer for every kind (a suppressed address's answer was kept).
    let retries: Vec<String> = KINDS
        .iter()
        .map(|kind| {
            let req = form_post(&format!("{kind}@example.org"), "http://127.0.0.1:8788/join", kind);
            normalised(send(app, &req))
        })
        .collect();
    for (kind, retry) in KINDS.iter().zip(&retries) {
        assert_eq!(retry, &retries[0], "{kind}'s retry is answered differently from new's");
    }
    assert!(retries[0].contains("idempotent-replayed: true"), "{}", retries[0]);
    answers[0].clone()
}

fn events_of(app: &App<SqlStore<SqliteExecutor>>, email: &str) -> Vec<(Action, Method)> {
    let subject = consent_shared::subject::subject_id(
        &app.config.subject_key,
        "demo",
        &consent_shared::email::Email::parse(email).unwrap(),
    );
    pollster::block_on(app.store.subject_events("demo", &subject))
        .unwrap()
        .into_iter()
        .map(|e| (e.action, e.method))
        .collect()
}

#[test]
fn the_public_form_answers_alike_for_new_subscribed_suppressed_and_erased_addresses() {
    let app = with_every_kind_of_address(false);
    expect![[r#"201 access-control-allow-origin: http://127.0.0.1:8788 | content-type: application/json; charset=utf-8 | vary: Origin | x-content-type-options: nosniff {"events":[{"action":"granted","channel":"email","purpose":"news","wording_sha256":"c3a4ba5d37e18e36f89aa102f76a981ece8808a97023761ac20744e5b8f278fb","wording_version":1}],"recorded_at":"<time>"}"#]]
        .assert_eq(&same_answer_for_everyone(&app));
    // What happened was decided here: recorded for new and subscribed, nothing for the others.
    let recorded: Vec<String> =
        KINDS.iter().map(|k| format!("{k}: {:?}", events_of(&app, &format!("{k}@example.org")))).collect();
    expect![[r#"
        [
            "new: [(Granted, WebForm)]",
            "subscribed: [(Granted, PaperForm), (Granted, WebForm)]",
            "suppressed: []",
            "erased: [(Granted, PaperForm)]",
        ]
    "#]]
    .assert_debug_eq(&recorded);
    let mut members = audience_emails(&app);
    members.sort();
    assert_eq!(members, ["new@example.org", "subscribed@example.org"]);
    assert!(take_outbox().is_empty(), "no double opt-in: no mail");
}

#[test]
fn a_double_opt_in_form_answers_pending_alike_and_keeps_subscribers_subscribed() {
    let app = with_every_kind_of_address(true);
    expect![[r#"201 access-control-allow-origin: http://127.0.0.1:8788 | content-type: application/json; charset=utf-8 | vary: Origin | x-content-type-options: nosniff {"events":[{"action":"pending","channel":"email","purpose":"news","wording_sha256":"c3a4ba5d37e18e36f89aa102f76a981ece8808a97023761ac20744e5b8f278fb","wording_version":1}],"recorded_at":"<time>"}"#]]
        .assert_eq(&same_answer_for_everyone(&app));
    let recorded: Vec<String> =
        KINDS.iter().map(|k| format!("{k}: {:?}", events_of(&app, &format!("{k}@example.org")))).collect();
    expect![[r#"
        [
            "new: [(Pending, WebForm)]",
            "subscribed: [(Granted, PaperForm), (Pending, WebForm)]",
            "suppressed: []",
            "erased: [(Granted, PaperForm)]",
        ]
    "#]]
    .assert_debug_eq(&recorded);
    // The current subscriber stays in the audience; the new address waits for confirmation.
    let mut members = audience_emails(&app);
    members.sort();
    assert_eq!(members, ["subscribed@example.org"]);
    // Everyone who may get mail is asked to confirm (once: the retries were replays); the
    // suppressed and the erased get nothing.
    let mut to: Vec<String> = take_outbox().into_iter().map(|m| m.to).collect();
    to.sort();
    assert_eq!(to, ["new@example.org", "subscribed@example.org"]);
}

/// Wraps the SQLite executor and writes down every statement run, in order (without values).
struct Counting {
    inner: SqliteExecutor,
    log: RefCell<Vec<String>>,
}

fn first_words(sql: &str) -> String {
    sql.split_whitespace().take(6).collect::<Vec<_>>().join(" ")
}

impl Executor for Counting {
    async fn query(&self, sql: &'static str, params: Vec<SqlValue>) -> Result<Vec<Row>, StoreError> {
        self.log.borrow_mut().push(format!("query {}", first_words(sql)));
        self.inner.query(sql, params).await
    }

    async fn batch(&self, statements: Vec<Statement>) -> Result<(), StoreError> {
        let names: Vec<String> = statements.iter().map(|s| first_words(s.sql)).collect();
        self.log.borrow_mut().push(format!("batch [{}]", names.join("; ")));
        self.inner.batch(statements).await
    }
}

fn counting_app() -> App<SqlStore<Counting>> {
    NEXT_ID.with(|n| n.set(0));
    let exec = Counting { inner: SqliteExecutor::open_in_memory().unwrap(), log: RefCell::new(Vec::new()) };
    let store = SqlStore::new(exec);
    pollster::block_on(store.put_site(&sample_site("demo"), "2026-11-24T00:00:00.000Z")).unwrap();
    let config = AppConfig {
        admin_key: Some("admin".into()),
        subject_key: b"k".to_vec(),
        ledger_key: LEDGER_KEY.to_vec(),
        token_keys: consent_shared::token::parse_keys("t1:test-token-key-0123456789").unwrap(),
        public_origin: Some("http://localhost".into()),
    };
    App::new(store, config).with_mailer(std::rc::Rc::new(RecordingMailer))
}

/// Ada (with a preference link) and Bob are on the list; Ada asks on her page to change her
/// address to `new_address`. Returns the answer and the statements that request ran.
fn change_address(new_address: &str) -> (String, Vec<String>) {
    let app = counting_app();
    for email in ["ada@example.org", "bob@example.org"] {
        let r = send(&app, &form_post(email, "http://127.0.0.1:8788/", email));
        assert_eq!(r.status, 201);
    }
    let links = admin("POST", "/api/v1/admin/sites/demo/links", Some(r#"{"email":"ada@example.org"}"#));
    let (_, links) = body_of(send(&app, &links));
    let links: serde_json::Value = serde_json::from_str(&links).unwrap();
    let path =
        links["preferences_url"].as_str().unwrap().strip_prefix("http://localhost").unwrap().to_string();
    let (_, page) = body_of(send(&app, &HttpRequest::new("GET", &path)));
    let at = page.find("name=\"csrf\" value=\"").unwrap() + 19;
    let csrf = &page[at..at + page[at..].find('"').unwrap()];
    let fields = [("csrf", csrf), ("action", "details"), ("name", ""), ("email", new_address)];
    let body: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
    let req = HttpRequest::new("POST", &path)
        .with_header("content-type", "application/x-www-form-urlencoded")
        .with_header("origin", "http://localhost")
        .with_header("sec-fetch-site", "same-origin")
        .with_body(body);
    app.store.exec.log.borrow_mut().clear();
    let r = send(&app, &req);
    let location = r.header("location").map(str::to_string);
    let (status, body) = body_of(r);
    let answer = format!("{status} {location:?} {body}");
    let statements = std::mem::take(&mut *app.store.exec.log.borrow_mut());
    take_outbox();
    (answer, statements)
}

#[test]
fn an_address_change_does_the_same_work_whether_or_not_the_address_is_taken() {
    let (free_answer, free_work) = change_address("carol@example.org");
    let (taken_answer, taken_work) = change_address("bob@example.org");
    assert_eq!(free_answer, taken_answer);
    assert_eq!(free_work, taken_work);
    expect![[r#"
        [
            "query SELECT email, name, restricted, created_at, updated_at",
            "query SELECT purpose, channel, action, event_id, updated_at",
            "query SELECT id, site_id, subject, purpose, channel,",
            "query SELECT subject FROM subject_aliases WHERE site_id",
            "query SELECT email, name, restricted, created_at, updated_at",
            "batch [INSERT INTO pending_email_changes (site_id, subject, alias,]",
            "batch [INSERT INTO register_entries (site_id, reference, kind,]",
            "query SELECT seq, hash FROM audit_events WHERE",
            "batch [INSERT INTO audit_events (site_id, seq, at,]",
            "query INSERT INTO mail_log (site_id, mailbox, domain,",
        ]
    "#]]
    .assert_debug_eq(&free_work);
}

/// The statements a request runs before its answer is ready, and those it leaves for after the
/// response (`RequestFacts::later`), at `now`.
fn work_at(app: &App<SqlStore<Counting>>, req: &HttpRequest, now: &str) -> (u16, Vec<String>, Vec<String>) {
    let mut new_id = || {
        let n = NEXT_ID.with(|n| n.get() + 1);
        NEXT_ID.with(|c| c.set(n));
        format!("id-{n}")
    };
    let mut facts = RequestFacts {
        now: DateTime::parse_from_rfc3339(now).unwrap().to_utc(),
        new_id: &mut new_id,
        later: Vec::new(),
    };
    app.store.exec.log.borrow_mut().clear();
    let status = pollster::block_on(app.handle(req, &mut facts)).status;
    let before = std::mem::take(&mut *app.store.exec.log.borrow_mut());
    for work in facts.later {
        pollster::block_on(work);
    }
    let after = std::mem::take(&mut *app.store.exec.log.borrow_mut());
    (status, before, after)
}

/// Sealing is due on this isolate every few seconds. If it ran before the answer only when the
/// submission was recorded, a suppressed address would be answered measurably sooner whenever
/// sealing was due: timing would tell who asked not to be contacted.
#[test]
fn a_suppressed_address_takes_the_same_statements_before_its_answer_when_sealing_is_due() {
    let app = counting_app();
    let suppress = r#"{"email":"suppressed@example.org","reason":"asked by phone"}"#;
    assert_eq!(
        send(&app, &admin("POST", "/api/v1/admin/sites/demo/suppressions", Some(suppress))).status,
        200
    );
    let mut work = Vec::new();
    // Each at a time when sealing is due again (SEAL_EVERY_SECS apart).
    for (kind, now) in [("new", "2026-11-24T12:01:00Z"), ("suppressed", "2026-11-24T12:02:00Z")] {
        let req = form_post(&format!("{kind}@example.org"), "http://127.0.0.1:8788/join", kind);
        let (status, before, after) = work_at(&app, &req, now);
        assert_eq!(status, 201, "{kind}");
        work.push((kind, before, after));
    }
    assert_eq!(work[0].1, work[1].1, "new and suppressed run different statements before the answer");
    expect![[r#"
        [
            "query SELECT s.id, s.org_name, s.contact_email, s.postal_address, s.privacy_notice_url,",
            "batch [INSERT INTO idempotency_keys (site_id, key, request_mac,; INSERT INTO subjects (site_id, subject, email,; INSERT INTO consent_events (id, site_id, subject,; INSERT INTO consent_state (site_id, subject, purpose,]",
        ]
    "#]]
    .assert_debug_eq(&work[0].1);
    // The recorded one is sealed after the response.
    assert!(work[0].2.iter().any(|s| s.contains("ledger_links")), "{:?}", work[0].2);
}
