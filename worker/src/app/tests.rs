//! Handler tests over the SQLite store: requests in, status and JSON out, as data.

use chrono::DateTime;
use expect_test::{expect, Expect};

use super::*;
use crate::store::contract::sample_site;
use crate::store::sqlite::SqliteExecutor;
use crate::store::SqlStore;

const ORIGIN: &str = "http://127.0.0.1:8788";

fn app() -> App<SqlStore<SqliteExecutor>> {
    let store = SqlStore::new(SqliteExecutor::open_in_memory().unwrap());
    pollster::block_on(store.put_site(&sample_site("demo"), "2026-11-24T00:00:00.000Z")).unwrap();
    App::new(
        store,
        AppConfig { admin_key: Some("admin".into()), subject_key: b"k".to_vec(), contract_tests: false },
    )
}

fn send(app: &App<SqlStore<SqliteExecutor>>, req: &HttpRequest) -> HttpResponse {
    let mut counter = 0;
    let mut new_id = || {
        counter += 1;
        format!("id-{counter}")
    };
    let mut facts = RequestFacts {
        now: DateTime::parse_from_rfc3339("2026-11-24T12:00:00Z").unwrap().to_utc(),
        new_id: &mut new_id,
    };
    pollster::block_on(app.handle(req, &mut facts))
}

fn post(body: &str) -> HttpRequest {
    HttpRequest::new("POST", "/api/v1/sites/demo/consents")
        .with_header("origin", ORIGIN)
        .with_header("content-type", "application/json")
        .with_body(body)
}

const GOOD: &str = r#"{"email":"Ada@Example.org","consents":[{"purpose":"news","channel":"email","wording_version":1}],"page_url":"http://127.0.0.1:8788/"}"#;

fn summary(r: &HttpResponse) -> String {
    format!("{} {}", r.status, String::from_utf8_lossy(&r.body))
}

fn check(cases: &[(&str, HttpRequest)], expect: Expect) {
    let app = app();
    let actual: String =
        cases.iter().map(|(name, req)| format!("{name}: {}\n", summary(&send(&app, req)))).collect();
    expect.assert_eq(&actual);
}

#[test]
fn submission_errors_as_data() {
    let big = format!(r#"{{"email":"{}"}}"#, "a".repeat(MAX_BODY_BYTES));
    check(
        &[
            ("bad json", post("{not json")),
            ("missing field", post(r#"{"email":"a@example.org"}"#)),
            ("unknown field", post(&GOOD.replace("\"page_url\"", "\"extra\":1,\"page_url\""))),
            ("bad email", post(&GOOD.replace("Ada@Example.org", "ada"))),
            ("unknown purpose", post(&GOOD.replace("\"news\"", "\"golf\""))),
            ("unknown channel", post(&GOOD.replace("\"email\",", "\"fax\","))),
            ("stale wording", post(&GOOD.replace("\"wording_version\":1", "\"wording_version\":7"))),
            (
                "nothing ticked",
                post(r#"{"email":"a@example.org","consents":[],"page_url":"http://x.example/"}"#),
            ),
            ("oversize", post(&big)),
            ("not json content type", post(GOOD).with_header("content-type", "text/plain")),
            ("unknown site", HttpRequest::new("POST", "/api/v1/sites/nope/consents")),
            ("foreign origin", post(GOOD).with_header("origin", "https://evil.example")),
            ("bad idempotency key", post(GOOD).with_header("idempotency-key", "has space")),
            ("wrong method", HttpRequest::new("GET", "/api/v1/sites/demo/consents")),
            ("no route", HttpRequest::new("GET", "/nowhere")),
        ],
        expect![[r#"
            bad json: 400 {"error":{"code":"bad_json","message":"request body is not valid JSON for this endpoint: key must be a string at line 1 column 2"}}
            missing field: 400 {"error":{"code":"bad_json","message":"request body is not valid JSON for this endpoint: missing field `consents` at line 1 column 25"}}
            unknown field: 400 {"error":{"code":"bad_json","message":"request body is not valid JSON for this endpoint: unknown field `extra`, expected one of `email`, `consents`, `page_url`, `lang`, `client_time` at line 1 column 104"}}
            bad email: 422 {"error":{"code":"invalid_email","message":"email address must contain exactly one '@' with text on both sides"}}
            unknown purpose: 422 {"error":{"code":"unknown_purpose","message":"unknown purpose 'golf' on channel 'email' for this site"}}
            unknown channel: 400 {"error":{"code":"bad_json","message":"request body is not valid JSON for this endpoint: unknown variant `fax`, expected one of `email`, `post`, `phone`, `sms` at line 1 column 72"}}
            stale wording: 422 {"error":{"code":"unknown_wording","message":"wording version 7 of 'news' on 'email' does not exist"}}
            nothing ticked: 422 {"error":{"code":"invalid_submission","message":"no purposes were ticked: consent must be a positive choice"}}
            oversize: 413 {"error":{"code":"payload_too_large","message":"request body is larger than 16384 bytes"}}
            not json content type: 415 {"error":{"code":"unsupported_media_type","message":"Content-Type must be application/json"}}
            unknown site: 404 {"error":{"code":"not_found","message":"unknown site 'nope'"}}
            foreign origin: 403 {"error":{"code":"origin_not_allowed","message":"origin https://evil.example is not allowed to use this site"}}
            bad idempotency key: 400 {"error":{"code":"bad_request","message":"Idempotency-Key must be 1 to 128 visible ASCII characters"}}
            wrong method: 405 {"error":{"code":"method_not_allowed","message":"method not allowed"}}
            no route: 404 {"error":{"code":"not_found","message":"no endpoint at /nowhere"}}
        "#]],
    );
}

#[test]
fn records_and_replays_idempotently() {
    let app = app();
    let first = send(&app, &post(GOOD).with_header("idempotency-key", "k-1").with_header("user-agent", "UA"));
    assert_eq!(first.status, 201, "{}", summary(&first));
    assert_eq!(first.header("access-control-allow-origin"), Some(ORIGIN));
    let again = send(&app, &post(GOOD).with_header("idempotency-key", "k-1"));
    assert_eq!((again.status, &again.body), (201, &first.body));
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    let events = pollster::block_on(app.store.events_after("demo", 0, 10)).unwrap();
    assert_eq!(events.len(), 1, "a replay must write nothing");
    assert_eq!(events[0].user_agent.as_deref(), Some("UA"));
    assert_eq!(events[0].server_time, "2026-11-24T12:00:00.000Z");

    let different = send(&app, &post(&GOOD.replace("Ada", "Bob")).with_header("idempotency-key", "k-1"));
    expect![[r#"422 {"error":{"code":"idempotency_key_reused","message":"this Idempotency-Key was already used for a different request"}}"#]].assert_eq(&summary(&different));
}

#[test]
fn receipt_shape_is_pinned() {
    let app = app();
    let r = send(&app, &post(GOOD));
    expect![[r#"201 {"recorded_at":"2026-11-24T12:00:00.000Z","events":[{"event_id":"id-1","purpose":"news","channel":"email","action":"granted","wording_version":1,"wording_sha256":"c3a4ba5d37e18e36f89aa102f76a981ece8808a97023761ac20744e5b8f278fb"}]}"#]].assert_eq(&summary(&r));
}

#[test]
fn config_and_preflight() {
    let app = app();
    let config =
        send(&app, &HttpRequest::new("GET", "/api/v1/sites/demo/config").with_header("origin", ORIGIN));
    expect![[r#"200 {"site":"demo","lang":"en","policy_version":1,"organisation":{"name":"Demo Alumni Association","contact_email":"alumni@example.org","postal_address":"Alumni Office, 1 College Road, Oxbridge OX1 1AA","privacy_notice_url":"https://example.org/privacy","cookie_policy_url":"https://example.org/cookies"},"purposes":[{"purpose":"news","channel":"email","wording_version":1,"lang":"en","label":"News and events","text":"I am happy to hear from the Demo Alumni Association about relevant news, events, offers and opportunities for alumni by email.","sha256":"c3a4ba5d37e18e36f89aa102f76a981ece8808a97023761ac20744e5b8f278fb"}],"cookie_categories":[]}"#]].assert_eq(&summary(&config));
    assert_eq!(config.header("access-control-allow-origin"), Some(ORIGIN));
    let pre =
        send(&app, &HttpRequest::new("OPTIONS", "/api/v1/sites/demo/consents").with_header("origin", ORIGIN));
    assert_eq!(pre.status, 204);
    assert_eq!(pre.header("access-control-allow-headers"), Some("Content-Type, Idempotency-Key"));
    let foreign = send(
        &app,
        &HttpRequest::new("OPTIONS", "/api/v1/sites/demo/consents")
            .with_header("origin", "https://evil.example"),
    );
    assert_eq!((foreign.status, foreign.header("access-control-allow-origin")), (403, None));
}

#[test]
fn health() {
    let app = app();
    expect![[r#"200 {"status":"ok","version":"0.1.0"}"#]]
        .assert_eq(&summary(&send(&app, &HttpRequest::new("GET", "/healthz"))));
}
