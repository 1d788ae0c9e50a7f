//! One identity per mailbox, mail budgets, and erasure that holds, through the handlers.

use super::*;
use consent_shared::consent::Action;
use consent_shared::digest::sha256_hex;
use consent_shared::email::Email;
use consent_shared::subject::subject_id;

fn submission(email: &str) -> String {
    GOOD.replace("Ada@Example.org", email)
}

fn subject_of(email: &str) -> String {
    subject_id(b"k", "demo", &Email::parse(email).unwrap())
}

fn suppress(app: &App<SqlStore<SqliteExecutor>>, email: &str) {
    let body = format!(r#"{{"email":"{email}","reason":"asked by phone"}}"#);
    let r = send(app, &admin("POST", "/api/v1/admin/sites/demo/suppressions", Some(&body)));
    assert_eq!(r.status, 200);
}

#[test]
fn homoglyph_and_decomposed_spellings_are_the_suppressed_person() {
    let app = app();
    suppress(&app, "ada@example.org");
    // Fullwidth `ｅ` in the domain, and an upper-case fullwidth domain with an ideographic stop.
    for variant in
        ["ada@\u{ff45}xample.org", "ADA@\u{ff25}\u{ff38}\u{ff21}\u{ff2d}\u{ff30}\u{ff2c}\u{ff25}\u{3002}org"]
    {
        send(&app, &post(&submission(variant)));
    }
    assert!(audience_emails(&app).is_empty(), "a spelling of a suppressed address entered the audience");
    assert!(all_events(&app).iter().all(|e| e.action != Action::Granted), "a grant was recorded");

    // The decomposed and composed spellings of one address are one subject.
    assert_eq!(send(&app, &post(&submission("jose\u{301}@example.org"))).status, 201);
    assert_eq!(audience_emails(&app), ["jos\u{e9}@example.org"]);
    let withdraw = change("jos\u{e9}@example.org", "withdrawn");
    assert_eq!(send(&app, &admin("POST", "/api/v1/admin/sites/demo/consents", Some(&withdraw))).status, 201);
    assert!(audience_emails(&app).is_empty(), "the composed spelling did not reach the same subject");
}

#[test]
fn invisible_characters_are_refused_with_a_clear_error() {
    let app = app();
    let cases = ["ad\u{200d}a@example.org", "ada@exam\u{ad}ple.org", "\u{202e}ada@example.org"];
    let actual: String =
        cases.iter().map(|c| format!("{c:?}: {}\n", summary(&send(&app, &post(&submission(c)))))).collect();
    expect![[r#"
        "ad\u{200d}a@example.org": 422 {"error":{"code":"invalid_email","message":"email address contains an invisible formatting character (such as a zero-width joiner, soft hyphen or text-direction mark)"}}
        "ada@exam\u{ad}ple.org": 422 {"error":{"code":"invalid_email","message":"email address contains an invisible formatting character (such as a zero-width joiner, soft hyphen or text-direction mark)"}}
        "\u{202e}ada@example.org": 422 {"error":{"code":"invalid_email","message":"email address contains an invisible formatting character (such as a zero-width joiner, soft hyphen or text-direction mark)"}}
    "#]]
    .assert_eq(&actual);
    assert!(all_events(&app).is_empty());
}

#[test]
fn plus_tag_variants_of_one_gmail_mailbox_get_one_confirmation() {
    let app = app();
    let mut site = sample_site("demo");
    site.double_opt_in = true;
    pollster::block_on(app.store.put_site(&site, "2026-11-24T00:00:00.000Z")).unwrap();
    take_outbox();
    for variant in
        ["victim+1@gmail.com", "victim+2@gmail.com", "Vic.Tim+3@googlemail.com", "v.i.c.t.i.m@gmail.com"]
    {
        send(&app, &post(&submission(variant)));
    }
    let mail = take_outbox();
    assert_eq!(mail.iter().map(|m| m.to.as_str()).collect::<Vec<_>>(), ["victim+1@gmail.com"]);
    // Another mailbox at the same provider is not held back by it.
    send(&app, &post(&submission("someone.else@gmail.com")));
    assert_eq!(take_outbox().len(), 1);
}

#[test]
fn an_old_confirmation_link_writes_nothing_after_suppression_and_erasure() {
    let app = app();
    assert_eq!(send(&app, &post(GOOD)).status, 201);
    let body = r#"{"email":"ada@example.org"}"#;
    let (status, links) = body_of(send(&app, &admin("POST", "/api/v1/admin/sites/demo/links", Some(body))));
    assert_eq!(status, 200, "{links}");
    let links: serde_json::Value = serde_json::from_str(&links).unwrap();
    let path =
        links["preferences_url"].as_str().unwrap().strip_prefix("http://localhost").unwrap().to_string();
    take_outbox();
    let r = preferences_post(
        &app,
        &path,
        &[("action", "details"), ("name", ""), ("email", "ada.new@example.net")],
    );
    assert!(r.header("location").unwrap().ends_with("done=email_sent"));
    let mail = take_outbox();
    let link = mail[0].text.lines().find(|l| l.starts_with("http://localhost/c/")).unwrap();
    let confirm = link.strip_prefix("http://localhost").unwrap().to_string();

    suppress(&app, "ada@example.org");
    assert_eq!(send(&app, &subject_request("erase", body)).status, 200);
    let subject = subject_of("ada@example.org");
    let reason = pollster::block_on(app.store.is_suppressed("demo", &subject)).unwrap();
    assert!(reason);

    let (status, _) = body_of(preferences_post(&app, &confirm, &[]));
    assert_eq!(status, 200);
    let held = pollster::block_on(app.store.subject_record("demo", &subject)).unwrap().unwrap();
    assert_eq!((held.email, held.name), (None, None), "the old link wrote the address back");
    let alias = subject_of("ada.new@example.net");
    assert_eq!(pollster::block_on(app.store.resolve_subject("demo", &alias)).unwrap(), alias);
    assert!(audience_emails(&app).is_empty());
}

#[test]
fn idempotency_rows_keep_a_keyed_mac_and_expire_after_a_day() {
    let app = app();
    assert_eq!(send(&app, &post(GOOD).with_header("idempotency-key", "retry-1")).status, 201);
    let kept = pollster::block_on(app.store.idempotent_response("demo", "retry-1")).unwrap().unwrap();
    assert_ne!(kept.request_mac, sha256_hex(GOOD.as_bytes()), "a plain hash re-identifies the address");
    assert_eq!(kept.request_mac.len(), 64);
    let replay = send(&app, &post(GOOD).with_header("idempotency-key", "retry-1"));
    assert_eq!((replay.status, replay.header("idempotent-replayed")), (201, Some("true")));

    let sent = DateTime::parse_from_rfc3339("2026-11-24T12:00:00Z").unwrap().to_utc();
    pollster::block_on(upkeep::purge_expired(&app, sent + chrono::TimeDelta::hours(23)));
    assert!(pollster::block_on(app.store.idempotent_response("demo", "retry-1")).unwrap().is_some());
    pollster::block_on(upkeep::purge_expired(&app, sent + chrono::TimeDelta::hours(25)));
    assert!(pollster::block_on(app.store.idempotent_response("demo", "retry-1")).unwrap().is_none());
}

/// A form post from a page's own form (its anti-forgery value included).
fn preferences_post(
    app: &App<SqlStore<SqliteExecutor>>,
    path: &str,
    fields: &[(&str, &str)],
) -> HttpResponse {
    let (_, page) = body_of(send(app, &HttpRequest::new("GET", path)));
    let at = page.find("name=\"csrf\" value=\"").expect("a form with an anti-forgery value") + 19;
    let csrf = page[at..at + page[at..].find('"').unwrap()].to_string();
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    let body: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(all).finish();
    send(
        app,
        &HttpRequest::new("POST", path)
            .with_header("content-type", "application/x-www-form-urlencoded")
            .with_header("origin", "http://localhost")
            .with_header("sec-fetch-site", "same-origin")
            .with_body(body),
    )
}

/// `reason: "erasure"` on the suppressions endpoint would label someone erased while their
/// address and name stay stored (only the erase request removes them): refused, with a pointer.
#[test]
fn a_suppression_cannot_claim_to_be_an_erasure() {
    let app = app();
    assert_eq!(send(&app, &post(GOOD)).status, 201);
    let body = r#"{"email":"ada@example.org","reason":"erasure"}"#;
    let r = send(&app, &admin("POST", "/api/v1/admin/sites/demo/suppressions", Some(body)));
    expect![[r#"400 {"error":{"code":"bad_request","message":"reason 'erasure' is kept for erasures: use POST /api/v1/admin/sites/demo/subjects/erase"}}"#]].assert_eq(&summary(&r));
    // Nothing was suppressed: Ada is still in the audience.
    assert_eq!(audience_emails(&app), ["Ada@example.org"]);
}
