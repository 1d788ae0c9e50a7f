//! The Embed page (`app::console_embed`): the tags with their copy buttons and the no-JS
//! fallback, the live preview page, and the preview's dry run at the public endpoints
//! (`app::embed_preview`): checked as for real, answered alike, nothing written.

use chrono::TimeDelta;
use consent_shared::access::Role;

use crate::store::accounts::AccountStore;
use crate::store::Executor;

use super::accounts::{add_person, another_session, at, send_at, sign_in, text, with_cookie};
use super::*;

/// The tables a submission, a cookie decision or a mail could write to, with their row counts.
fn rows(app: &App<SqlStore<SqliteExecutor>>) -> String {
    let tables = [
        "subjects",
        "consent_events",
        "consent_state",
        "ledger_links",
        "idempotency_keys",
        "cookie_consents",
        "cookie_links",
        "mail_log",
        "pending_email_changes",
        "daily_event_counts",
        "daily_cookie_counts",
        "audit_events",
    ];
    tables
        .iter()
        .map(|t| {
            // (The executor takes `'static` SQL, as sql.rs has it.)
            let sql: &'static str = Box::leak(format!("SELECT COUNT(*) AS n FROM {t}").into_boxed_str());
            let found = pollster::block_on(app.store.exec.query(sql, vec![])).unwrap();
            let n = found[0].int("n").unwrap();
            format!("{t}={n} ")
        })
        .collect()
}

/// The demo site with an editor (who may see the Embed page) signed in: app, session, now.
fn editor_signed_in() -> (App<SqlStore<SqliteExecutor>>, String, DateTime<Utc>) {
    let app = app();
    add_person(&app, "editor@example.org", "editor");
    let now = at(TimeDelta::zero());
    let editor = sign_in(&app, "editor@example.org", now);
    (app, editor, now)
}

fn get(app: &App<SqlStore<SqliteExecutor>>, path: &str, session: &str, now: DateTime<Utc>) -> HttpResponse {
    send_at(app, &with_cookie(HttpRequest::new("GET", path), session), now)
}

/// The `data-preview` credential of a live preview page.
fn credential_of(page: &str) -> String {
    let start = page.find("data-preview=\"").expect("a preview credential") + 14;
    page[start..].split('"').next().unwrap().to_string()
}

/// The preview credential a signed-in `session` gets from the live page at `now`.
fn credential(app: &App<SqlStore<SqliteExecutor>>, session: &str, now: DateTime<Utc>) -> String {
    let (status, page) = text(get(app, "/admin/sites/demo/embed/live", session, now));
    assert_eq!(status, 200, "{page}");
    credential_of(&page)
}

/// What the live page's widget sends: from the worker's own origin, with the credential.
fn from_preview(path: &str, body: &str, credential: Option<&str>) -> HttpRequest {
    let req = HttpRequest::new("POST", path)
        .with_header("origin", "http://localhost")
        .with_header("sec-fetch-site", "same-origin")
        .with_header("content-type", "application/json")
        .with_header("idempotency-key", "preview-key-1")
        .with_body(body);
    match credential {
        Some(c) => req.with_header("consent-preview", c),
        None => req,
    }
}

const PREVIEW_SIGNUP: &str = r#"{"email":"ada@example.org","consents":[{"purpose":"news","channel":"email","wording_version":1}],"page_url":"http://localhost/admin/sites/demo/embed/live?lang=en"}"#;

/// An accept-all decision for the sample site's banner.
fn decision(app: &App<SqlStore<SqliteExecutor>>) -> String {
    let site = pollster::block_on(app.store.site("demo")).unwrap().unwrap();
    let banner = site.current_banner("en").unwrap();
    let optional: Vec<&str> =
        site.cookie_categories.iter().filter(|c| !c.required).map(|c| c.key.as_str()).collect();
    serde_json::json!({
        "consent_id": "preview-consent-1",
        "categories": optional,
        "choice": "accept_all",
        "policy_version": site.policy_version,
        "wording_sha256": banner.sha256,
        "reject_on_first_layer": false,
        "gpc": false,
    })
    .to_string()
}

#[test]
fn the_embed_page_offers_copy_buttons_over_selectable_text_and_the_live_preview() {
    let (app, editor, now) = editor_signed_in();
    let r = get(&app, "/admin/sites/demo/embed", &editor, now);
    assert_eq!(r.header("content-security-policy"), Some(
        "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ));
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let (status, page) = text(r);
    assert_eq!(status, 200, "{page}");
    // Without JavaScript: each text in a labelled, readonly box; the buttons stay hidden.
    for id in ["embed-script", "embed-form", "embed-soft", "embed-held", "embed-csp"] {
        assert!(page.contains(&format!("<label for=\"{id}\">")), "{id}: {page}");
        assert!(page.contains(&format!("<textarea id=\"{id}\" readonly")), "{id}: {page}");
        assert!(page.contains(&format!("hidden data-copy=\"{id}\"")), "{id}: {page}");
    }
    assert!(page.contains("&lt;script src=&quot;http://localhost/widget.js&quot; data-site=&quot;demo&quot;&gt;&lt;/script&gt;"), "{page}");
    expect![[r#"<p id="copy-status" class="muted" role="status" aria-live="polite" data-copied="Copied to the clipboard." data-failed="Your browser would not copy it: select the text in the box and copy it."></p>"#]]
        .assert_eq(page.split_inclusive("</p>").find(|p| p.contains("copy-status")).unwrap().trim());
    assert!(page.contains("aria-label=\"Copy: In the &lt;head&gt; of every page\">Copy</button>"), "{page}");
    assert!(page.contains("<script src=\"/admin/sites/demo/embed/copy.js\" defer></script>"), "{page}");
    assert!(
        page.contains("<a href=\"/admin/sites/demo/embed/live?lang=en\">Open the live preview</a>"),
        "{page}"
    );
    // The script, from the console's own origin.
    let r = get(&app, "/admin/sites/demo/embed/copy.js", &editor, now);
    assert_eq!(r.header("content-type"), Some("text/javascript; charset=utf-8"));
    let (status, js) = text(r);
    assert_eq!(status, 200);
    assert!(js.contains("navigator.clipboard") && js.contains("data-copied"), "{js}");
    // Welsh.
    let (_, page) = text(get(&app, "/admin/sites/demo/embed?lang=cy", &editor, now));
    assert!(page.contains(">Copïo</button>") && page.contains("Wedi'i gopïo i'r clipfwrdd."), "{page}");
    assert!(page.contains("Agor y rhagolwg byw"), "{page}");
    let (status, _) = text(get(&app, "/admin/sites/demo/embed/nothing-here", &editor, now));
    assert_eq!(status, 404);
}

#[test]
fn the_live_preview_loads_the_real_widget_under_a_policy_that_allows_only_it() {
    let (app, editor, now) = editor_signed_in();
    let r = get(&app, "/admin/sites/demo/embed/live", &editor, now);
    assert_eq!(r.header("content-security-policy"), Some(
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ));
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let (status, page) = text(r);
    assert_eq!(status, 200, "{page}");
    let credential = credential_of(&page);
    assert!(
        page.contains(&format!(
            "<script src=\"http://localhost/widget.js\" data-site=\"demo\" data-lang=\"en\" data-preview=\"{credential}\"></script>"
        )),
        "{page}"
    );
    assert!(page.contains("<div data-consent-form=\"signup\" lang=\"en\"></div>"), "{page}");
    assert!(page.contains("nothing you do on this page is recorded"), "{page}");
    assert!(page.contains("data-consent-open"), "{page}");
    let (_, page) = text(get(&app, "/admin/sites/demo/embed/live?lang=cy", &editor, now));
    assert!(page.contains("nid oes dim a wnewch ar y dudalen hon yn cael ei gofnodi"), "{page}");
    // A language the site does not have falls back to its default.
    let (_, page) = text(get(&app, "/admin/sites/demo/embed/live?wlang=xx", &editor, now));
    assert!(page.contains("data-lang=\"en\""), "{page}");
}

#[test]
fn a_role_that_may_not_see_the_embed_page_gets_neither_the_page_nor_a_preview() {
    let app = app();
    add_person(&app, "viewer@example.org", "viewer");
    let now = at(TimeDelta::zero());
    let viewer = sign_in(&app, "viewer@example.org", now);
    let (_, overview) = text(get(&app, "/admin/sites/demo", &viewer, now));
    assert!(!overview.contains("/admin/sites/demo/embed"), "{overview}");
    for path in ["/admin/sites/demo/embed", "/admin/sites/demo/embed/live", "/admin/sites/demo/embed/copy.js"]
    {
        let (status, _) = text(get(&app, path, &viewer, now));
        assert_eq!(status, 403, "{path}");
        let r = send_at(&app, &HttpRequest::new("GET", path), now);
        assert_eq!((r.status, r.header("location")), (303, Some("/admin/sign-in?lang=en")), "{path}");
    }
}

#[test]
fn a_preview_is_checked_like_a_real_submission_answered_alike_and_nothing_is_written() {
    let (app, editor, now) = editor_signed_in();
    let credential = credential(&app, &editor, now);
    take_outbox();
    let before = rows(&app);
    let signup =
        send_at(&app, &from_preview("/api/v1/sites/demo/consents", PREVIEW_SIGNUP, Some(&credential)), now);
    let cookies = send_at(
        &app,
        &from_preview("/api/v1/sites/demo/cookie-consents", &decision(&app), Some(&credential)),
        now,
    );
    // Invalid input is refused as on the site (the same codes and messages).
    let bad_email = PREVIEW_SIGNUP.replace("ada@example.org", "ada");
    let invalid =
        send_at(&app, &from_preview("/api/v1/sites/demo/consents", &bad_email, Some(&credential)), now);
    let foreign_page = PREVIEW_SIGNUP.replace("http://localhost/", "https://elsewhere.example/");
    let foreign =
        send_at(&app, &from_preview("/api/v1/sites/demo/consents", &foreign_page, Some(&credential)), now);
    let answers: String =
        [("signup", signup), ("cookies", cookies), ("bad email", invalid), ("foreign page", foreign)]
            .into_iter()
            .map(|(name, r)| {
                format!(
                    "{name}: {} {}\n",
                    r.header("access-control-allow-origin").unwrap_or("-"),
                    summary(&r)
                )
            })
            .collect();
    expect![[r#"
        signup: http://localhost 201 {"recorded_at":"2026-11-24T12:00:00.000Z","events":[{"purpose":"news","channel":"email","action":"granted","wording_version":1,"wording_sha256":"c3a4ba5d37e18e36f89aa102f76a981ece8808a97023761ac20744e5b8f278fb"}],"preview":true}
        cookies: http://localhost 201 {"record_id":"id-7","recorded_at":"2026-11-24T12:00:00.000Z","preview":true}
        bad email: http://localhost 422 {"error":{"code":"invalid_email","message":"email address must contain exactly one '@' with text on both sides"}}
        foreign page: http://localhost 422 {"error":{"code":"foreign_page_url","message":"page_url must be a page on one of this site's registered origins"}}
    "#]].assert_eq(&answers);
    assert_eq!(rows(&app), before, "a preview writes nothing");
    assert!(take_outbox().is_empty());
    // The same submission from the site's own page is recorded, and answered alike but for the flag.
    let real = post(
        &PREVIEW_SIGNUP
            .replace("http://localhost/admin/sites/demo/embed/live?lang=en", "http://127.0.0.1:8788/"),
    );
    let (status, body) = text(send_at(&app, &real, now));
    assert_eq!(status, 201, "{body}");
    assert!(!body.contains("preview"), "{body}");
    assert_ne!(rows(&app), before);
}

#[test]
fn a_double_opt_in_preview_asks_for_no_confirmation_and_sends_no_mail() {
    let app = app();
    let mut site = crate::store::contract::sample_site("demo");
    site.double_opt_in = true;
    pollster::block_on(app.store.put_site(&site, "2026-11-24T00:00:01.000Z")).unwrap();
    add_person(&app, "editor@example.org", "editor");
    let now = at(TimeDelta::minutes(1));
    let editor = sign_in(&app, "editor@example.org", now);
    let credential = credential(&app, &editor, now);
    take_outbox();
    let before = rows(&app);
    let r =
        send_at(&app, &from_preview("/api/v1/sites/demo/consents", PREVIEW_SIGNUP, Some(&credential)), now);
    let (status, body) = text(r);
    assert_eq!(status, 201, "{body}");
    assert!(body.contains("\"action\":\"pending\"") && body.contains("\"preview\":true"), "{body}");
    assert_eq!(rows(&app), before);
    assert!(take_outbox().is_empty(), "no confirmation mail from a preview");
}

#[test]
fn the_workers_own_origin_is_refused_without_a_genuine_current_credential_for_the_site() {
    let app = app();
    let mut other = crate::store::contract::sample_site("other");
    other.allowed_origins = vec!["https://other.example".into()];
    pollster::block_on(app.store.put_site(&other, "2026-11-24T00:00:00.000Z")).unwrap();
    add_person(&app, "editor@example.org", "editor");
    add_person(&app, "owner@example.org", "owner");
    let t0 = at(TimeDelta::zero());
    let editor = sign_in(&app, "editor@example.org", t0);
    sign_in(&app, "owner@example.org", t0);
    let old = credential(&app, &editor, t0);
    let now = t0 + TimeDelta::minutes(31);
    let fresh = credential(&app, &editor, now);
    let signed_out = another_session(&app, "owner@example.org", now);
    let of_signed_out = credential(&app, &signed_out, now);
    let hash = consent_shared::digest::sha256_hex(signed_out.as_bytes());
    pollster::block_on(app.store.end_session(&hash, &consent_shared::time::format_utc(now))).unwrap();
    let forged = {
        let (issued, rest) = fresh.split_once('.').unwrap();
        let (session, _) = rest.split_once('.').unwrap();
        format!("{issued}.{session}.{}", "0".repeat(64))
    };
    // A credential whose person lost the role: the owner lowers the editor to viewer.
    let demoted = another_session(&app, "editor@example.org", now);
    let of_demoted = credential(&app, &demoted, now);
    let editor_id = person_id(&app, "editor@example.org");
    let when = consent_shared::time::format_utc(now);
    pollster::block_on(app.store.set_role("demo", &editor_id, Role::Viewer, false, &when)).unwrap();
    take_outbox();
    let before = rows(&app);
    let signup =
        |credential: Option<&str>| from_preview("/api/v1/sites/demo/consents", PREVIEW_SIGNUP, credential);
    let cases = [
        ("no credential", signup(None)),
        ("forged", signup(Some(&forged))),
        ("malformed", signup(Some("not-a-credential"))),
        ("expired", signup(Some(&old))),
        ("session signed out", signup(Some(&of_signed_out))),
        ("role lowered", signup(Some(&of_demoted))),
        ("for another site", from_preview("/api/v1/sites/other/consents", PREVIEW_SIGNUP, Some(&fresh))),
        ("from a registered origin", signup(Some(&fresh)).with_header("origin", ORIGIN)),
        ("from elsewhere", signup(Some(&fresh)).with_header("origin", "https://evil.example")),
        (
            "cookie decision, forged",
            from_preview("/api/v1/sites/demo/cookie-consents", &decision(&app), Some(&forged)),
        ),
    ];
    let actual: String =
        cases.iter().map(|(name, req)| format!("{name}: {}\n", summary(&send_at(&app, req, now)))).collect();
    expect![[r#"
        no credential: 403 {"error":{"code":"origin_not_allowed","message":"origin http://localhost is not allowed to use this site"}}
        forged: 403 {"error":{"code":"preview_refused","message":"this preview has expired or is not valid: open the preview again from the console's Embed page; nothing was recorded"}}
        malformed: 403 {"error":{"code":"preview_refused","message":"this preview has expired or is not valid: open the preview again from the console's Embed page; nothing was recorded"}}
        expired: 403 {"error":{"code":"preview_refused","message":"this preview has expired or is not valid: open the preview again from the console's Embed page; nothing was recorded"}}
        session signed out: 403 {"error":{"code":"preview_refused","message":"this preview has expired or is not valid: open the preview again from the console's Embed page; nothing was recorded"}}
        role lowered: 403 {"error":{"code":"preview_refused","message":"this preview has expired or is not valid: open the preview again from the console's Embed page; nothing was recorded"}}
        for another site: 403 {"error":{"code":"preview_refused","message":"this preview has expired or is not valid: open the preview again from the console's Embed page; nothing was recorded"}}
        from a registered origin: 403 {"error":{"code":"preview_refused","message":"this preview has expired or is not valid: open the preview again from the console's Embed page; nothing was recorded"}}
        from elsewhere: 403 {"error":{"code":"preview_refused","message":"this preview has expired or is not valid: open the preview again from the console's Embed page; nothing was recorded"}}
        cookie decision, forged: 403 {"error":{"code":"preview_refused","message":"this preview has expired or is not valid: open the preview again from the console's Embed page; nothing was recorded"}}
    "#]].assert_eq(&actual);
    assert_eq!(rows(&app), before, "nothing written by a refused preview");
    assert!(take_outbox().is_empty());
}

fn person_id(app: &App<SqlStore<SqliteExecutor>>, email: &str) -> String {
    let email = consent_shared::email::Email::parse(email).unwrap();
    let key = crate::app::team::staff_email_key(&app.config, &email);
    pollster::block_on(app.store.person_by_email_key(&key)).unwrap().unwrap().id
}
