//! Handler tests over the SQLite store: requests in, status and JSON out, as data.

use chrono::DateTime;
use expect_test::{expect, Expect};

use super::*;
use crate::store::contract::sample_site;
use crate::store::sqlite::SqliteExecutor;
use crate::store::SqlStore;
use consent_shared::consent::Method;

const ORIGIN: &str = "http://127.0.0.1:8788";
const LEDGER_KEY: &[u8] = b"test-ledger-key-0123456789abcdef";

thread_local! {
    /// Ids handed out by `send`: fresh across one test's requests, deterministic per test.
    static NEXT_ID: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

fn app() -> App<SqlStore<SqliteExecutor>> {
    NEXT_ID.with(|n| n.set(0));
    let store = SqlStore::new(SqliteExecutor::open_in_memory().unwrap());
    pollster::block_on(store.put_site(&sample_site("demo"), "2026-11-24T00:00:00.000Z")).unwrap();
    App::new(
        store,
        AppConfig {
            admin_key: Some("admin".into()),
            subject_key: b"k".to_vec(),
            ledger_key: LEDGER_KEY.to_vec(),
            token_keys: consent_shared::token::parse_keys("t1:test-token-key-0123456789").unwrap(),
            public_origin: Some("http://localhost".into()),
        },
    )
    .with_mailer(std::rc::Rc::new(RecordingMailer))
}

fn send<S: crate::store::Store + 'static>(app: &App<S>, req: &HttpRequest) -> HttpResponse {
    let mut new_id = || {
        let n = NEXT_ID.with(|n| n.get() + 1);
        NEXT_ID.with(|c| c.set(n));
        format!("id-{n}")
    };
    let mut facts = RequestFacts {
        now: DateTime::parse_from_rfc3339("2026-11-24T12:00:00Z").unwrap().to_utc(),
        new_id: &mut new_id,
        later: Vec::new(),
    };
    let response = pollster::block_on(app.handle(req, &mut facts));
    for work in facts.later {
        pollster::block_on(work);
    }
    response
}

/// Keeps what the app sends, for tests to read back (`take_outbox`).
struct RecordingMailer;

impl mail::Mailer for RecordingMailer {
    fn send(&self, mail: mail::OutgoingMail) -> mail::SendFuture {
        Box::pin(async move {
            OUTBOX.with(|o| o.borrow_mut().push(mail));
            Ok(())
        })
    }
}

thread_local! {
    static OUTBOX: std::cell::RefCell<Vec<mail::OutgoingMail>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn take_outbox() -> Vec<mail::OutgoingMail> {
    OUTBOX.with(|o| std::mem::take(&mut *o.borrow_mut()))
}

fn post(body: &str) -> HttpRequest {
    HttpRequest::new("POST", "/api/v1/sites/demo/consents")
        .with_header("origin", ORIGIN)
        .with_header("content-type", "application/json")
        .with_body(body)
}

const GOOD: &str = r#"{"email":"Ada@Example.org","consents":[{"purpose":"news","channel":"email","wording_version":1}],"page_url":"http://127.0.0.1:8788/"}"#;

/// Every event of the demo site, sealed, in chain order.
fn all_events(app: &App<SqlStore<SqliteExecutor>>) -> Vec<consent_shared::consent::ConsentEvent> {
    pollster::block_on(async {
        let now = DateTime::parse_from_rfc3339("2026-11-24T12:00:00Z").unwrap().to_utc();
        ledger::seal_pending(app, "demo", now).await.unwrap();
        app.store.chained_after("demo", 0, 1000).await.unwrap().into_iter().filter_map(|c| c.event).collect()
    })
}

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
                post(r#"{"email":"a@example.org","consents":[],"page_url":"http://127.0.0.1:8788/"}"#),
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
            unknown field: 400 {"error":{"code":"bad_json","message":"request body is not valid JSON for this endpoint: unknown field `extra`, expected one of `email`, `consents`, `page_url`, `lang`, `client_time`, `notices`, `context` at line 1 column 104"}}
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
    let events = all_events(&app);
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
    expect![[r#"201 {"recorded_at":"2026-11-24T12:00:00.000Z","events":[{"purpose":"news","channel":"email","action":"granted","wording_version":1,"wording_sha256":"c3a4ba5d37e18e36f89aa102f76a981ece8808a97023761ac20744e5b8f278fb"}]}"#]].assert_eq(&summary(&r));
}

#[test]
fn config_and_preflight() {
    let app = app();
    let config =
        send(&app, &HttpRequest::new("GET", "/api/v1/sites/demo/config").with_header("origin", ORIGIN));
    expect![[r#"200 {"site":"demo","lang":"en","policy_version":1,"organisation":{"name":"Demo Alumni Association","contact_email":"alumni@example.org","postal_address":"Alumni Office, 1 College Road, Oxbridge OX1 1AA","privacy_notice_url":"https://example.org/privacy","cookie_policy_url":"https://example.org/cookies"},"purposes":[{"purpose":"news","channel":"email","wording_version":1,"lang":"en","label":"News and events","text":"I am happy to hear from the Demo Alumni Association about relevant news, events, offers and opportunities for alumni by email.","sha256":"c3a4ba5d37e18e36f89aa102f76a981ece8808a97023761ac20744e5b8f278fb"}],"cookie_categories":[{"key":"necessary","required":true,"label":"Strictly necessary","description":"Remember your cookie choice."},{"key":"analytics","required":false,"label":"Analytics","description":"Count visits so we can improve the site.","consent_mode":["analytics_storage"]}],"banner":{"version":1,"lang":"en","text":"We use cookies that are strictly necessary, and analytics cookies only if you agree.","sha256":"03e3049b7d357d3028be04f89b3aad9be3ef42789531f94735ad1d634f5ec295"}}"#]].assert_eq(&summary(&config));
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

fn admin(method: &str, path: &str, body: Option<&str>) -> HttpRequest {
    let req = HttpRequest::new(method, path).with_header("authorization", "Bearer admin");
    match body {
        Some(b) => req.with_header("content-type", "application/json").with_body(b),
        None => req,
    }
}

fn body_of(mut r: HttpResponse) -> (u16, String) {
    let bytes = pollster::block_on(r.collect_body()).unwrap();
    (r.status, String::from_utf8(bytes).unwrap())
}

fn audience_emails(app: &App<SqlStore<SqliteExecutor>>) -> Vec<String> {
    let (status, body) =
        body_of(send(app, &admin("GET", "/api/v1/sites/demo/audience?purpose=news&channel=email", None)));
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    v["members"].as_array().unwrap().iter().map(|m| m["email"].as_str().unwrap().to_string()).collect()
}

fn change(email: &str, action: &str) -> String {
    format!(
        r#"{{"email":"{email}","method":"paper_form","source":"freshers fair form 12","changes":[{{"purpose":"news","channel":"email","action":"{action}"}}]}}"#
    )
}

#[test]
fn admin_endpoints_need_the_key() {
    let app = app();
    let cases = [
        ("no key", HttpRequest::new("GET", "/api/v1/sites/demo/audience?purpose=news&channel=email")),
        (
            "wrong key",
            admin("GET", "/api/v1/sites/demo/ledger/verify", None)
                .with_header("authorization", "Bearer nope"),
        ),
        (
            "basic auth",
            admin("GET", "/api/v1/admin/sites/demo", None).with_header("authorization", "Basic YWRtaW4="),
        ),
    ];
    for (name, req) in cases {
        let r = send(&app, &req);
        assert_eq!((r.status, r.header("www-authenticate")), (401, Some("Bearer")), "{name}");
    }
}

#[test]
fn withdrawal_takes_effect_in_the_same_request() {
    let app = app();
    assert_eq!(send(&app, &post(GOOD)).status, 201);
    assert_eq!(send(&app, &post(&GOOD.replace("Ada", "Bob"))).status, 201);
    assert_eq!(audience_emails(&app), ["Ada@example.org", "Bob@example.org"]);
    let (status, body) = body_of(send(
        &app,
        &admin("POST", "/api/v1/admin/sites/demo/consents", Some(&change("ADA@example.org", "withdrawn"))),
    ));
    assert_eq!(status, 201, "{body}");
    assert!(body.contains(r#""action":"withdrawn""#), "{body}");
    assert_eq!(audience_emails(&app), ["Bob@example.org"]);
    let events = all_events(&app);
    let last = events.last().unwrap();
    assert_eq!((last.method, last.source_url.as_deref()), (Method::PaperForm, Some("freshers fair form 12")));
}

#[test]
fn suppression_always_wins() {
    let app = app();
    assert_eq!(send(&app, &post(GOOD)).status, 201);
    let r = send(
        &app,
        &admin(
            "POST",
            "/api/v1/admin/sites/demo/suppressions",
            Some(r#"{"email":"ada@example.org","reason":"asked by phone"}"#),
        ),
    );
    assert_eq!(r.status, 200);
    assert!(audience_emails(&app).is_empty());
    // The public form answers as for anyone (see hostile.rs) but records nothing.
    let events = all_events(&app).len();
    assert_eq!(send(&app, &post(GOOD)).status, 201);
    assert_eq!(all_events(&app).len(), events, "nothing recorded for a suppressed address");
    assert!(audience_emails(&app).is_empty());
    let import = send(
        &app,
        &admin("POST", "/api/v1/admin/sites/demo/consents", Some(&change("ada@example.org", "granted"))),
    );
    assert_eq!(import.status, 409, "an import cannot re-add a suppressed address either");
}

#[test]
fn audience_as_csv() {
    let app = app();
    send(&app, &post(&GOOD.replace("Ada@Example.org", "=cmd@example.org")));
    let r = send(
        &app,
        &admin("GET", "/api/v1/sites/demo/audience?purpose=news&channel=email", None)
            .with_header("accept", "text/csv"),
    );
    assert_eq!(r.header("content-type"), Some("text/csv; charset=utf-8"));
    let (_, body) = body_of(r);
    let mut lines = body.lines();
    assert_eq!(
        lines.next(),
        Some("email,subject,granted_at,event_id,unsubscribe_url,preferences_url,basis,name")
    );
    assert!(lines.next().unwrap().starts_with("'=cmd@example.org,"), "{body}");
}

#[test]
fn audience_errors_as_data() {
    let app = app();
    let cases = [
        ("no purpose", "/api/v1/sites/demo/audience?channel=email"),
        ("bad channel", "/api/v1/sites/demo/audience?purpose=news&channel=fax"),
        ("unknown purpose", "/api/v1/sites/demo/audience?purpose=golf&channel=email"),
        ("unknown site", "/api/v1/sites/nope/audience?purpose=news&channel=email"),
    ];
    let actual: String = cases
        .iter()
        .map(|(n, p)| format!("{n}: {}\n", summary(&send(&app, &admin("GET", p, None)))))
        .collect();
    expect![[r#"
        no purpose: 400 {"error":{"code":"bad_request","message":"query parameter 'purpose' is required"}}
        bad channel: 400 {"error":{"code":"bad_request","message":"unknown channel 'fax' (email, post, phone or sms)"}}
        unknown purpose: 404 {"error":{"code":"not_found","message":"site 'demo' has no purpose 'golf' on channel 'email'"}}
        unknown site: 404 {"error":{"code":"not_found","message":"unknown site 'nope'"}}
    "#]].assert_eq(&actual);
}

#[test]
fn verify_detects_tampering_and_names_the_first_broken_link() {
    let app = app();
    for who in ["Ada", "Bob", "Cy"] {
        assert_eq!(send(&app, &post(&GOOD.replace("Ada", who))).status, 201);
    }
    let verify = || body_of(send(&app, &admin("GET", "/api/v1/sites/demo/ledger/verify", None))).1;
    let ok: serde_json::Value = serde_json::from_str(&verify()).unwrap();
    assert_eq!(
        (ok["valid"].as_bool(), ok["events_checked"].as_u64(), ok["head_seq"].as_i64()),
        (Some(true), Some(3), Some(3))
    );
    app.store.exec.execute_raw("UPDATE consent_events SET action = 'withdrawn' WHERE id = (SELECT event_id FROM ledger_links WHERE seq = 2)").unwrap();
    expect![[r#"{"valid":false,"events_checked":1,"head_seq":1,"head_hash":"2445a23a32454e009f5b2ec59598eccde6e36f6dddc024d590491a19ae136897","first_broken":{"seq":2,"event_id":"id-2","reason":"event does not match its sealed hash: it was altered"},"chain_valid":false,"legacy_links":0,"unmarked_events":1,"first_unmarked":[{"id":"id-2","pos":2,"reason":"append mark does not match the row: it was forged or altered"}],"legacy_unmarked_events":0,"state_disagreements":1,"first_state_disagreements":[{"subject":"d64134b8a0cbf89e1bdba18b4edb12435b2647de63a97c6155d0ac628628e6f2","purpose":"news","channel":"email","expected":null,"found":"granted"}],"cookie_chain":{"valid":true,"records_checked":0,"head_seq":0,"head_hash":"0000000000000000000000000000000000000000000000000000000000000000"},"audit_trail":{"valid":true,"entries_checked":3,"head_seq":3,"head_hash":"f249b471630d9bf8ec965afe7722621064a0853d3884a41f6bd2bfebfde0416b"}}"#]].assert_eq(&verify());
    app.store.exec.execute_raw("UPDATE consent_events SET action = 'granted' WHERE id = (SELECT event_id FROM ledger_links WHERE seq = 2); \
             DELETE FROM consent_events WHERE id = (SELECT event_id FROM ledger_links WHERE seq = 1)").unwrap();
    let deleted: serde_json::Value = serde_json::from_str(&verify()).unwrap();
    assert_eq!(deleted["first_broken"]["seq"], 1, "{deleted}");
}

#[test]
fn site_definitions_version_wording_and_forms_follow() {
    let app = app();
    let def = |text: &str| {
        serde_json::json!({
            "organisation": {"name": "Rowing Club", "contact_email": "sec@club.example", "postal_address": "Boathouse",
                "privacy_notice_url": "https://club.example/privacy", "cookie_policy_url": "https://club.example/cookies"},
            "allowed_origins": ["https://club.example"],
            "default_lang": "en",
            "purposes": [{"purpose": "news", "channel": "email", "wordings": [{"lang": "en", "label": "News", "text": text}]}]
        })
        .to_string()
    };
    let created = send(&app, &admin("PUT", "/api/v1/admin/sites/club", Some(&def("Email me news"))));
    assert_eq!(created.status, 201, "{}", summary(&created));
    let edited =
        send(&app, &admin("PUT", "/api/v1/admin/sites/club", Some(&def("Email me news and results"))));
    assert_eq!(edited.status, 200);
    let config = |app: &App<_>| {
        let r = send(
            app,
            &HttpRequest::new("GET", "/api/v1/sites/club/config")
                .with_header("origin", "https://club.example"),
        );
        serde_json::from_slice::<serde_json::Value>(&r.body).unwrap()
    };
    let c = config(&app);
    assert_eq!(
        (c["purposes"][0]["wording_version"].as_u64(), c["purposes"][0]["text"].as_str()),
        (Some(2), Some("Email me news and results"))
    );
    let stored = body_of(send(&app, &admin("GET", "/api/v1/admin/sites/club", None))).1;
    assert!(stored.contains("Email me news\"") && stored.contains("\"current_version\":2"), "{stored}");
    let bad = send(&app, &admin("PUT", "/api/v1/admin/sites/club", Some(&def(""))));
    expect![[r#"422 {"error":{"code":"invalid_site_definition","message":"a text or label is empty or longer than 4000 characters"}}"#]].assert_eq(&summary(&bad));
}

#[test]
fn cookie_decisions_as_data() {
    let app = app();
    let banner = consent_shared::digest::sha256_hex(
        "We use cookies that are strictly necessary, and analytics cookies only if you agree.".as_bytes(),
    );
    let decision = |categories: &str, choice: &str, policy: u32| {
        HttpRequest::new("POST", "/api/v1/sites/demo/cookie-consents")
            .with_header("origin", ORIGIN)
            .with_header("content-type", "application/json")
            .with_body(format!(
                r#"{{"consent_id":"5f0c3c4e-aaaa-4bbb-8ccc-000000000001","categories":{categories},"choice":"{choice}","policy_version":{policy},"wording_sha256":"{banner}","reject_on_first_layer":true}}"#
            ))
    };
    let cases = [
        ("accept all", decision(r#"["analytics"]"#, "accept_all", 1)),
        ("reject all", decision("[]", "reject_all", 1)),
        ("accept all that is not all", decision("[]", "accept_all", 1)),
        ("necessary is not a choice", decision(r#"["necessary"]"#, "custom", 1)),
        ("unknown category", decision(r#"["ads"]"#, "custom", 1)),
        ("stale policy", decision("[]", "reject_all", 9)),
    ];
    let actual: String = cases.iter().map(|(n, r)| format!("{n}: {}\n", summary(&send(&app, r)))).collect();
    expect![[r#"
        accept all: 201 {"record_id":"id-1","recorded_at":"2026-11-24T12:00:00.000Z"}
        reject all: 201 {"record_id":"id-2","recorded_at":"2026-11-24T12:00:00.000Z"}
        accept all that is not all: 422 {"error":{"code":"invalid_cookie_decision","message":"choice 'accept_all' does not match the categories sent"}}
        necessary is not a choice: 422 {"error":{"code":"invalid_cookie_decision","message":"'necessary' is strictly necessary: it is always on and is not a choice"}}
        unknown category: 422 {"error":{"code":"invalid_cookie_decision","message":"unknown cookie category 'ads'"}}
        stale policy: 422 {"error":{"code":"stale_policy","message":"policy version 9 is not current (current is 1); reload the banner"}}
    "#]].assert_eq(&actual);
    let stored =
        pollster::block_on(app.store.cookie_consents("demo", "5f0c3c4e-aaaa-4bbb-8ccc-000000000001"))
            .unwrap();
    assert_eq!(stored.len(), 2, "two valid decisions, nothing else");
    assert!(stored.iter().all(|r| r.reject_on_first_layer));
}

#[test]
fn policy_summary_for_the_loader() {
    let app = app();
    let r = send(&app, &HttpRequest::new("GET", "/api/v1/sites/demo/policy").with_header("origin", ORIGIN));
    expect![[r#"200 {"policy_version":1,"banner_sha256":"03e3049b7d357d3028be04f89b3aad9be3ef42789531f94735ad1d634f5ec295","cookie_policy_url":"https://example.org/cookies","categories":{"analytics":["analytics_storage"]},"rule_set":"uk","treatments":{"analytics":"opt_in"},"banner_kind":"consent"}"#]].assert_eq(&summary(&r));
    // The answer depends on the visitor's country (the rule set): browsers keep it, shared caches not.
    assert_eq!(r.header("cache-control"), Some("private, max-age=60"));
    assert_eq!(r.header("vary"), Some("CF-IPCountry"));
}

/// Issues links for `email` through the admin endpoint; returns the unsubscribe path.
fn unsubscribe_path(app: &App<SqlStore<SqliteExecutor>>, email: &str, purpose: Option<&str>) -> String {
    let body = match purpose {
        Some(p) => format!(r#"{{"email":"{email}","purpose":"{p}"}}"#),
        None => format!(r#"{{"email":"{email}"}}"#),
    };
    let (status, body) = body_of(send(app, &admin("POST", "/api/v1/admin/sites/demo/links", Some(&body))));
    assert_eq!(status, 200, "{body}");
    let links: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(links["list_unsubscribe_post"], "List-Unsubscribe=One-Click");
    let url = links["unsubscribe_url"].as_str().unwrap();
    assert_eq!(links["list_unsubscribe"], format!("<{url}>"));
    url.strip_prefix("http://localhost").unwrap().to_string()
}

fn one_click(path: &str) -> HttpRequest {
    HttpRequest::new("POST", path)
        .with_header("content-type", "application/x-www-form-urlencoded")
        .with_body("List-Unsubscribe=One-Click")
}

#[test]
fn one_click_unsubscribe_takes_effect_at_once_and_repeats_harmlessly() {
    let app = app();
    assert_eq!(send(&app, &post(GOOD)).status, 201);
    let path = unsubscribe_path(&app, "ada@example.org", Some("news"));
    let before = all_events(&app).len();
    // GET (a mail scanner's prefetch) changes nothing.
    let (status, page) = body_of(send(&app, &HttpRequest::new("GET", &path)));
    assert_eq!(status, 200);
    assert!(
        page.contains("Demo Alumni Association") && page.contains("News and events (by email)"),
        "{page}"
    );
    assert_eq!(all_events(&app).len(), before);
    assert_eq!(audience_emails(&app), ["Ada@example.org"]);

    let r = send(&app, &one_click(&path));
    assert_eq!(r.status, 200);
    assert!(r.header("content-security-policy").is_some_and(|c| c.starts_with("default-src 'none'")));
    assert!(audience_emails(&app).is_empty(), "withdrawn in the same request");
    let events = all_events(&app);
    let last = events.last().unwrap();
    assert_eq!((last.action, last.method), (consent_shared::consent::Action::Withdrawn, Method::OneClick));

    assert_eq!(send(&app, &one_click(&path)).status, 200, "repeating is harmless");
    assert_eq!(all_events(&app).len(), events.len(), "and writes nothing more");
}

#[test]
fn the_button_on_the_page_records_an_unsubscribe_link_withdrawal() {
    let app = app();
    send(&app, &post(GOOD));
    let path = unsubscribe_path(&app, "ada@example.org", None);
    let r = send(
        &app,
        &HttpRequest::new("POST", &path)
            .with_header("content-type", "application/x-www-form-urlencoded")
            .with_body("confirm=1"),
    );
    assert_eq!(r.status, 200);
    assert_eq!(all_events(&app).last().unwrap().method, Method::UnsubscribeLink);
    assert!(audience_emails(&app).is_empty());
}

#[test]
fn bad_links_get_a_readable_page_and_change_nothing() {
    let app = app();
    send(&app, &post(GOOD));
    let good = unsubscribe_path(&app, "ada@example.org", Some("news"));
    let altered = format!("{}x", &good[..good.len() - 1]);
    let expired_token = consent_shared::token::sign(
        &consent_shared::token::Claims {
            site: "demo".into(),
            sub: "s".into(),
            scope: consent_shared::token::Scope::Unsubscribe {
                purpose: None,
                channel: consent_shared::site::Channel::Email,
            },
            exp: 1,
        },
        &app.config.token_keys[0],
    );
    let cases = [
        ("altered", one_click(&altered)),
        ("garbage", one_click("/u/not-a-token")),
        ("expired", one_click(&format!("/u/{expired_token}"))),
        ("forged key", one_click("/u/v1.zz.e30.AAAA")),
    ];
    let actual: String = cases
        .iter()
        .map(|(name, req)| {
            let (status, page) = body_of(send(&app, req));
            let message = page.split("<main>").nth(1).unwrap_or("").replace("</main></body></html>", "");
            format!("{name}: {status} {message}\n")
        })
        .collect();
    expect![[r#"
        altered: 400 <h1>This link does not work</h1><p>The link is not complete or not one of ours.</p><p>Use the link in a more recent email, or contact the organisation that sent it.</p>
        garbage: 400 <h1>This link does not work</h1><p>The link is not complete or not one of ours.</p><p>Use the link in a more recent email, or contact the organisation that sent it.</p>
        expired: 410 <h1>This link does not work</h1><p>The link has expired.</p><p>Use the link in a more recent email, or contact the organisation that sent it.</p>
        forged key: 400 <h1>This link does not work</h1><p>The link was signed with a key that is no longer in use.</p><p>Use the link in a more recent email, or contact the organisation that sent it.</p>
    "#]].assert_eq(&actual);
    assert_eq!(audience_emails(&app), ["Ada@example.org"]);
    let no_key = send(&app, &HttpRequest::new("POST", "/api/v1/admin/sites/demo/links").with_body("{}"));
    assert_eq!(no_key.status, 401);
}

#[test]
fn every_exported_person_carries_a_working_one_click_link() {
    let app = app();
    send(&app, &post(GOOD));
    let (_, body) =
        body_of(send(&app, &admin("GET", "/api/v1/sites/demo/audience?purpose=news&channel=email", None)));
    let export: serde_json::Value = serde_json::from_str(&body).unwrap();
    let url = export["members"][0]["unsubscribe_url"].as_str().expect("a link per person");
    let path = url.strip_prefix("http://localhost").unwrap();
    assert_eq!(send(&app, &one_click(path)).status, 200);
    assert!(audience_emails(&app).is_empty());
}

fn subject_request(kind: &str, body: &str) -> HttpRequest {
    admin("POST", &format!("/api/v1/admin/sites/demo/subjects/{kind}"), Some(body))
}

#[test]
fn data_rights_requests_access_restrict_erase() {
    let app = app();
    send(&app, &post(GOOD));
    let (status, export) = body_of(send(&app, &subject_request("access", r#"{"email":"ADA@example.org"}"#)));
    assert_eq!(status, 200, "{export}");
    let v: serde_json::Value = serde_json::from_str(&export).unwrap();
    assert_eq!(
        (v["email"].as_str(), v["history"].as_array().map(Vec::len)),
        (Some("Ada@example.org"), Some(1))
    );
    assert_eq!(v["current_choices"][0]["action"], "granted");
    assert_eq!(v["history"][0]["wording_sha256"].as_str().map(str::len), Some(64));

    assert_eq!(
        send(&app, &subject_request("restrict", r#"{"email":"ada@example.org","restricted":true}"#)).status,
        200
    );
    assert!(audience_emails(&app).is_empty(), "restricted: in no audience");
    assert_eq!(
        send(&app, &subject_request("restrict", r#"{"email":"ada@example.org","restricted":false}"#)).status,
        200
    );
    assert_eq!(audience_emails(&app), ["Ada@example.org"]);

    assert_eq!(send(&app, &subject_request("erase", r#"{"email":"ada@example.org"}"#)).status, 200);
    let (_, after) = body_of(send(&app, &subject_request("access", r#"{"email":"ada@example.org"}"#)));
    assert!(!after.contains("Ada@example.org"), "no plain email anywhere after erasure: {after}");
    let v: serde_json::Value = serde_json::from_str(&after).unwrap();
    assert_eq!((v["suppressed"].as_bool(), v["history"].as_array().map(Vec::len)), (Some(true), Some(1)));
    let events = all_events(&app).len();
    assert_eq!(send(&app, &post(GOOD)).status, 201, "answered as for anyone");
    assert_eq!(all_events(&app).len(), events, "never re-added by a form");

    let cases = [
        ("unknown address", subject_request("access", r#"{"email":"nobody@example.org"}"#)),
        ("bad email", subject_request("erase", r#"{"email":"nope"}"#)),
        ("restrict without flag", subject_request("restrict", r#"{"email":"ada@example.org"}"#)),
        ("unknown request", subject_request("sell", r#"{"email":"ada@example.org"}"#)),
    ];
    let actual: String = cases.iter().map(|(n, r)| format!("{n}: {}\n", summary(&send(&app, r)))).collect();
    expect![[r#"
        unknown address: 404 {"error":{"code":"not_found","message":"no data is held about this address"}}
        bad email: 400 {"error":{"code":"bad_request","message":"email address must contain exactly one '@' with text on both sides"}}
        restrict without flag: 400 {"error":{"code":"bad_request","message":"'restricted' (true or false) is required"}}
        unknown request: 404 {"error":{"code":"not_found","message":"no subject request 'sell' (access, erase or restrict)"}}
    "#]].assert_eq(&actual);
}

mod accounts;
mod audit;
mod complaints;
mod consent_mode;
mod console_data;
mod console_embed;
mod console_import;
mod console_people;
mod console_people2;
mod console_polish;
mod console_register;
mod console_retention;
mod console_review;
mod console_settings;
mod console_site;
mod evidence;
mod hostile;
mod identity;
mod lawful_basis;
mod limits;
mod pages_html;
mod preferences;
mod subject_check;
