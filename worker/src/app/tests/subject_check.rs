//! The consent check for backends (issue 11): one answer shape for every address, suppressed
//! and erased never contactable, a real unsubscribe link, batch limits, checks counted and never
//! listed.

use super::audit::{dump, ok};
use super::*;
use crate::store::audit::AuditStore;

fn check_get(email: &str) -> HttpRequest {
    let email = email.replace('@', "%40").replace('+', "%2B");
    admin("GET", &format!("/api/v1/sites/demo/subjects/check?email={email}&purpose=news&channel=email"), None)
}

/// The answer with the link's token hidden (it is checked separately).
fn answer(app: &App<SqlStore<SqliteExecutor>>, req: HttpRequest) -> String {
    let (status, body) = body_of(send(app, &req));
    let mut v: serde_json::Value = match serde_json::from_str(&body) {
        Ok(v) => v,
        Err(_) => return format!("{status} {body}"),
    };
    fn hide(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::String(s) if s.starts_with("http://localhost/u/") => {
                *s = "http://localhost/u/…".into()
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(hide),
            serde_json::Value::Object(map) => map.values_mut().for_each(hide),
            _ => {}
        }
    }
    hide(&mut v);
    format!("{status} {v}")
}

fn people_in_every_state() -> App<SqlStore<SqliteExecutor>> {
    let app = app();
    for (email, action) in [
        ("yes@example.org", "granted"),
        ("no@example.org", "withdrawn"),
        ("stop@example.org", "granted"),
        ("pause@example.org", "granted"),
        ("gone@example.org", "granted"),
    ] {
        ok(&app, admin("POST", "/api/v1/admin/sites/demo/consents", Some(&change(email, action))));
    }
    ok(&app, admin("POST", "/api/v1/admin/sites/demo/suppressions", Some(r#"{"email":"stop@example.org"}"#)));
    ok(
        &app,
        admin(
            "POST",
            "/api/v1/admin/sites/demo/subjects/restrict",
            Some(r#"{"email":"pause@example.org","restricted":true}"#),
        ),
    );
    ok(
        &app,
        admin("POST", "/api/v1/admin/sites/demo/subjects/erase", Some(r#"{"email":"gone@example.org"}"#)),
    );
    app
}

#[test]
fn the_consent_check_answers_every_address_in_one_shape() {
    let app = people_in_every_state();
    let emails = [
        "Yes@Example.org",
        "no@example.org",
        "stop@example.org",
        "pause@example.org",
        "gone@example.org",
        "unknown@example.org",
    ];
    let mut actual: String =
        emails.iter().map(|e| format!("{e}: {}\n", answer(&app, check_get(e)))).collect();
    let batch = serde_json::json!({"purpose": "news", "channel": "email",
        "emails": ["yes@example.org", "not an address", "unknown@example.org"]});
    actual.push_str(&format!(
        "batch: {}\n",
        answer(&app, admin("POST", "/api/v1/sites/demo/subjects/check", Some(&batch.to_string())))
    ));
    expect![[r#"
        Yes@Example.org: 200 {"basis":"consent","may_contact":true,"since":"2026-11-24T12:00:00.000Z","unsubscribe_url":"http://localhost/u/…"}
        no@example.org: 200 {"basis":"withdrawn","may_contact":false,"since":"2026-11-24T12:00:00.000Z","unsubscribe_url":null}
        stop@example.org: 200 {"basis":"suppressed","may_contact":false,"since":"2026-11-24T12:00:00.000Z","unsubscribe_url":null}
        pause@example.org: 200 {"basis":"restricted","may_contact":false,"since":null,"unsubscribe_url":null}
        gone@example.org: 200 {"basis":"suppressed","may_contact":false,"since":"2026-11-24T12:00:00.000Z","unsubscribe_url":null}
        unknown@example.org: 200 {"basis":"no_consent","may_contact":false,"since":null,"unsubscribe_url":null}
        batch: 200 {"results":[{"check":{"basis":"consent","may_contact":true,"since":"2026-11-24T12:00:00.000Z","unsubscribe_url":"http://localhost/u/…"},"email":"yes@example.org"},{"email":"not an address","error":"invalid_email"},{"check":{"basis":"no_consent","may_contact":false,"since":null,"unsubscribe_url":null},"email":"unknown@example.org"}]}
    "#]]
    .assert_eq(&actual);

    // The unsubscribe link is a real one: it opens the person's unsubscribe page.
    let (_, body) = body_of(send(&app, &check_get("yes@example.org")));
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let url = v["unsubscribe_url"].as_str().unwrap();
    let page = send(&app, &HttpRequest::new("GET", url.strip_prefix("http://localhost").unwrap()));
    assert_eq!(page.status, 200, "{}", summary(&page));

    // Counted, never listed: 6 + 3 + 1 checks today, no address kept.
    let counts = pollster::block_on(app.store.finished_check_counts("2026-11-25", 10)).unwrap();
    assert_eq!(counts.iter().map(|c| (c.actor.as_str(), c.checks)).collect::<Vec<_>>(), [("admin_key", 10)]);
    assert!(!dump(&app).contains('@'));
}

#[test]
fn consent_check_errors_as_data() {
    let app = people_in_every_state();
    let batch = |n: usize| {
        let emails: Vec<String> = (0..n).map(|i| format!("p{i}@example.org")).collect();
        serde_json::json!({"purpose": "news", "channel": "email", "emails": emails}).to_string()
    };
    let post = |body: &str| admin("POST", "/api/v1/sites/demo/subjects/check", Some(body));
    let huge = format!(
        r#"{{"purpose":"news","channel":"email","emails":["{}"]}}"#,
        "a".repeat(MAX_CHECK_BODY_BYTES)
    );
    let cases = [
        ("1,000 addresses", {
            let (status, body) = body_of(send(&app, &post(&batch(1000))));
            let v: serde_json::Value = serde_json::from_str(&body).unwrap();
            format!("{status} {} results", v["results"].as_array().unwrap().len())
        }),
        ("1,001 addresses", answer(&app, post(&batch(1001)))),
        ("over the body cap", answer(&app, post(&huge))),
        ("unknown field", answer(&app, post(r#"{"purpose":"news","channel":"email","emails":[],"x":1}"#))),
        ("unknown purpose", answer(&app, post(r#"{"purpose":"golf","channel":"email","emails":[]}"#))),
        (
            "no email",
            answer(&app, admin("GET", "/api/v1/sites/demo/subjects/check?purpose=news&channel=email", None)),
        ),
        ("bad email", answer(&app, check_get("nobody"))),
        (
            "bad channel",
            answer(
                &app,
                admin(
                    "GET",
                    "/api/v1/sites/demo/subjects/check?email=a%40b.org&purpose=news&channel=fax",
                    None,
                ),
            ),
        ),
        (
            "no key",
            answer(
                &app,
                HttpRequest::new(
                    "GET",
                    "/api/v1/sites/demo/subjects/check?email=a%40b.org&purpose=news&channel=email",
                ),
            ),
        ),
        (
            "unknown site",
            answer(
                &app,
                admin(
                    "GET",
                    "/api/v1/sites/nowhere/subjects/check?email=a%40b.org&purpose=news&channel=email",
                    None,
                ),
            ),
        ),
        ("wrong method", answer(&app, admin("PUT", "/api/v1/sites/demo/subjects/check", None))),
    ];
    let actual: String = cases.iter().map(|(name, got)| format!("{name}: {got}\n")).collect();
    expect![[r#"
        1,000 addresses: 200 1000 results
        1,001 addresses: 422 {"error":{"code":"too_many_addresses","message":"at most 1000 addresses per request: split the batch"}}
        over the body cap: 413 {"error":{"code":"payload_too_large","message":"request body is larger than 327680 bytes"}}
        unknown field: 400 {"error":{"code":"bad_json","message":"request body is not valid JSON for this endpoint: unknown field `x`, expected one of `purpose`, `channel`, `emails` at line 1 column 51"}}
        unknown purpose: 404 {"error":{"code":"not_found","message":"site 'demo' has no purpose 'golf' on channel 'email'"}}
        no email: 400 {"error":{"code":"bad_request","message":"query parameter 'email' is required"}}
        bad email: 400 {"error":{"code":"bad_request","message":"email address must contain exactly one '@' with text on both sides"}}
        bad channel: 400 {"error":{"code":"bad_request","message":"unknown channel 'fax' (email, post, phone or sms)"}}
        no key: 401 {"error":{"code":"unauthorized","message":"sign in at /admin/sign-in, or send an API key as Authorization: Bearer ck_…"}}
        unknown site: 404 {"error":{"code":"not_found","message":"unknown site 'nowhere'"}}
        wrong method: 405 {"error":{"code":"method_not_allowed","message":"method not allowed"}}
    "#]]
    .assert_eq(&actual);
    // Only the answered checks were counted (the 1,000).
    let counts = pollster::block_on(app.store.finished_check_counts("2026-11-25", 10)).unwrap();
    assert_eq!(counts.iter().map(|c| c.checks).sum::<i64>(), 1000);
}
