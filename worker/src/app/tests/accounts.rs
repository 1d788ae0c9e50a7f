//! Issue 11 over SQLite: who may call which admin endpoint (a table, pinned), sign-in by
//! emailed link, sessions (idle and absolute limits, sign-out, removal, lowered role), API keys
//! (scope, site, expiry, revocation) and the last owner.

use chrono::{TimeDelta, Utc};

use super::*;

const T0: &str = "2026-11-24T12:00:00Z";

pub(super) fn at(offset: TimeDelta) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(T0).unwrap().to_utc() + offset
}

/// `send` at another moment.
pub(super) fn send_at<S: crate::store::Store + 'static>(
    app: &App<S>,
    req: &HttpRequest,
    now: DateTime<Utc>,
) -> HttpResponse {
    let mut new_id = || {
        let n = NEXT_ID.with(|n| n.get() + 1);
        NEXT_ID.with(|c| c.set(n));
        format!("id-{n}")
    };
    let mut facts = RequestFacts { now, new_id: &mut new_id, later: Vec::new() };
    let response = pollster::block_on(app.handle(req, &mut facts));
    for work in facts.later {
        pollster::block_on(work);
    }
    response
}

pub(super) fn text(r: HttpResponse) -> (u16, String) {
    body_of(r)
}

fn json_req(method: &str, path: &str, body: Option<&str>) -> HttpRequest {
    let req = HttpRequest::new(method, path);
    match body {
        Some(b) => req.with_header("content-type", "application/json").with_body(b),
        None => req,
    }
}

pub(super) fn with_cookie(req: HttpRequest, session: &str) -> HttpRequest {
    req.with_header("cookie", &format!("other=1; consent_session={session}"))
}

fn with_key(req: HttpRequest, key: &str) -> HttpRequest {
    req.with_header("authorization", &format!("Bearer {key}"))
}

/// The anti-forgery value in a page's form.
pub(super) fn csrf_of(html: &str) -> String {
    let start = html.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
    html[start..].split('"').next().unwrap().to_string()
}

pub(super) fn form_post(path: &str, fields: &[(&str, &str)]) -> HttpRequest {
    let body: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
    HttpRequest::new("POST", path)
        .with_header("content-type", "application/x-www-form-urlencoded")
        .with_body(body)
}

/// Gives `email` a role on demo with the ADMIN_KEY-free store path the API uses.
pub(super) fn add_person(app: &App<SqlStore<SqliteExecutor>>, email: &str, role: &str) -> String {
    let body = format!(r#"{{"email":"{email}","role":"{role}"}}"#);
    let (status, body) = text(send(app, &admin("POST", "/api/v1/admin/sites/demo/people", Some(&body))));
    assert_eq!(status, 201, "{body}");
    serde_json::from_str::<serde_json::Value>(&body).unwrap()["person_id"].as_str().unwrap().to_string()
}

/// Signs `email` in through the pages, at `now`; the session cookie value.
pub(super) fn sign_in(app: &App<SqlStore<SqliteExecutor>>, email: &str, now: DateTime<Utc>) -> String {
    let link = request_link(app, email, now).expect("a sign-in mail");
    let path = link.trim_start_matches("http://localhost");
    let (status, page) = text(send_at(app, &HttpRequest::new("GET", path), now));
    assert_eq!(status, 200, "{page}");
    let r = send_at(app, &form_post(path.split('?').next().unwrap(), &[("csrf", &csrf_of(&page))]), now);
    assert_eq!(r.status, 303, "{r:?}");
    let cookie = r.header("set-cookie").unwrap().to_string();
    cookie.split(';').next().unwrap().trim_start_matches("consent_session=").to_string()
}

/// Another session for a person who signed in through the pages already (the mail budget allows
/// one sign-in mail per mailbox per 10 minutes), through the same store calls.
pub(super) fn another_session(
    app: &App<SqlStore<SqliteExecutor>>,
    email: &str,
    now: DateTime<Utc>,
) -> String {
    use crate::store::accounts::{AccountStore, Redeemed};
    let email = consent_shared::email::Email::parse(email).unwrap();
    let person = pollster::block_on(
        app.store.person_by_email_key(&crate::app::team::staff_email_key(&app.config, &email)),
    )
    .unwrap()
    .unwrap();
    let n = NEXT_ID.with(|n| n.get() + 1);
    NEXT_ID.with(|c| c.set(n));
    let (link, session) = (format!("link-{n}"), format!("session-{n}"));
    let hash = |v: &str| consent_shared::digest::sha256_hex(v.as_bytes());
    let now_text = consent_shared::time::format_utc(now);
    let expires = consent_shared::time::format_utc(now + TimeDelta::minutes(15));
    pollster::block_on(app.store.create_sign_in_link(&hash(&link), &person.id, &now_text, &expires)).unwrap();
    let redeemed =
        pollster::block_on(app.store.redeem_sign_in_link(&hash(&link), &hash(&session), &now_text)).unwrap();
    assert!(matches!(redeemed, Redeemed::Session { .. }), "{redeemed:?}");
    session
}

/// Asks for a sign-in link for `email`; the link mailed, if any.
pub(super) fn request_link(
    app: &App<SqlStore<SqliteExecutor>>,
    email: &str,
    now: DateTime<Utc>,
) -> Option<String> {
    take_outbox();
    let (_, page) = text(send_at(app, &HttpRequest::new("GET", "/admin/sign-in"), now));
    let r = send_at(app, &form_post("/admin/sign-in", &[("csrf", &csrf_of(&page)), ("email", email)]), now);
    assert_eq!(r.status, 200);
    let mail = take_outbox().into_iter().next()?;
    mail.text.lines().find(|l| l.starts_with("http")).map(str::to_string)
}

fn create_key(
    app: &App<SqlStore<SqliteExecutor>>,
    site: &str,
    scopes: &str,
    expires: Option<&str>,
) -> String {
    let expires = expires.map(|e| format!(r#","expires_at":"{e}""#)).unwrap_or_default();
    let body = format!(r#"{{"name":"test","scopes":[{scopes}]{expires}}}"#);
    let (status, body) =
        text(send(app, &admin("POST", &format!("/api/v1/admin/sites/{site}/keys"), Some(&body))));
    assert_eq!(status, 201, "{body}");
    serde_json::from_str::<serde_json::Value>(&body).unwrap()["secret"].as_str().unwrap().to_string()
}

/// Status and error code (or "ok") of an answer.
fn outcome(r: HttpResponse) -> String {
    let (status, body) = text(r);
    match serde_json::from_str::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v["error"]["code"].as_str().map(String::from))
    {
        Some(code) if status == 401 || status == 403 => format!("{status} {code}"),
        _ if status < 400 => "ok".into(),
        // Authorised, then refused for the request itself (bad body, nothing held): access was given.
        _ => format!("ok({status})"),
    }
}

/// Adds a caller's credentials to a request.
type Credentials = Box<dyn Fn(HttpRequest) -> HttpRequest>;

#[test]
fn who_may_call_which_admin_endpoint() {
    let app = app();
    add_person(&app, "owner@example.org", "owner");
    add_person(&app, "dpo@example.org", "dpo");
    add_person(&app, "editor@example.org", "editor");
    add_person(&app, "viewer@example.org", "viewer");
    let mut callers: Vec<(String, Credentials)> = Vec::new();
    for role in ["owner", "dpo", "editor", "viewer"] {
        let session = sign_in(&app, &format!("{role}@example.org"), at(TimeDelta::zero()));
        callers.push((role.into(), Box::new(move |r| with_cookie(r, &session))));
    }
    for scope in ["audience:read", "consents:write", "subjects:manage", "site:write", "audit:read"] {
        let key = create_key(&app, "demo", &format!("\"{scope}\""), None);
        callers.push((format!("key {scope}"), Box::new(move |r| with_key(r, &key))));
    }
    callers.push(("ADMIN_KEY".into(), Box::new(|r| with_key(r, "admin"))));
    callers.push(("nobody".into(), Box::new(|r| r)));
    // An empty definition: refused as a body (400), which shows the caller got past the check.
    let definition = "{}".to_string();
    let endpoints: Vec<(&str, &str, Option<String>)> = vec![
        ("GET", "/api/v1/admin/sites/demo", None),
        ("PUT", "/api/v1/admin/sites/demo", Some(definition)),
        ("GET", "/api/v1/sites/demo/audience?purpose=news&channel=email", None),
        ("POST", "/api/v1/admin/sites/demo/consents", Some(change("a@example.org", "granted"))),
        ("POST", "/api/v1/admin/sites/demo/suppressions", Some(r#"{"email":"s@example.org"}"#.into())),
        ("POST", "/api/v1/admin/sites/demo/links", Some(r#"{"email":"a@example.org"}"#.into())),
        ("POST", "/api/v1/admin/sites/demo/subjects/access", Some(r#"{"email":"a@example.org"}"#.into())),
        ("GET", "/api/v1/sites/demo/ledger/verify", None),
        ("GET", "/api/v1/admin/sites/demo/people", None),
        ("GET", "/api/v1/admin/sites/demo/keys", None),
    ];
    let mut table = String::from("endpoint");
    for (name, _) in &callers {
        table.push_str(&format!(" | {name}"));
    }
    table.push('\n');
    for (method, path, body) in &endpoints {
        table.push_str(&format!("{method} {}", path.split('?').next().unwrap()));
        for (_, credentials) in &callers {
            let r = send(&app, &credentials(json_req(method, path, body.as_deref())));
            table.push_str(&format!(" | {}", outcome(r)));
        }
        table.push('\n');
    }
    expect![[r#"
        endpoint | owner | dpo | editor | viewer | key audience:read | key consents:write | key subjects:manage | key site:write | key audit:read | ADMIN_KEY | nobody
        GET /api/v1/admin/sites/demo | ok | ok | ok | 403 role_not_allowed | 403 missing_scope | 403 missing_scope | 403 missing_scope | ok | 403 missing_scope | ok | 401 unauthorized
        PUT /api/v1/admin/sites/demo | ok(400) | 403 role_not_allowed | ok(400) | 403 role_not_allowed | 403 missing_scope | 403 missing_scope | 403 missing_scope | ok(400) | 403 missing_scope | ok(400) | 401 unauthorized
        GET /api/v1/sites/demo/audience | ok | ok | 403 role_not_allowed | 403 role_not_allowed | ok | 403 missing_scope | 403 missing_scope | 403 missing_scope | 403 missing_scope | ok | 401 unauthorized
        POST /api/v1/admin/sites/demo/consents | ok | ok | 403 role_not_allowed | 403 role_not_allowed | 403 missing_scope | ok | 403 missing_scope | 403 missing_scope | 403 missing_scope | ok | 401 unauthorized
        POST /api/v1/admin/sites/demo/suppressions | ok | ok | 403 role_not_allowed | 403 role_not_allowed | 403 missing_scope | 403 missing_scope | ok | 403 missing_scope | 403 missing_scope | ok | 401 unauthorized
        POST /api/v1/admin/sites/demo/links | ok | ok | 403 role_not_allowed | 403 role_not_allowed | 403 missing_scope | 403 missing_scope | ok | 403 missing_scope | 403 missing_scope | ok | 401 unauthorized
        POST /api/v1/admin/sites/demo/subjects/access | ok | ok | 403 role_not_allowed | 403 role_not_allowed | 403 missing_scope | 403 missing_scope | ok | 403 missing_scope | 403 missing_scope | ok | 401 unauthorized
        GET /api/v1/sites/demo/ledger/verify | ok | ok | 403 role_not_allowed | 403 role_not_allowed | 403 missing_scope | 403 missing_scope | 403 missing_scope | 403 missing_scope | ok | ok | 401 unauthorized
        GET /api/v1/admin/sites/demo/people | ok | 403 role_not_allowed | 403 role_not_allowed | 403 role_not_allowed | 403 missing_scope | 403 missing_scope | 403 missing_scope | 403 missing_scope | 403 missing_scope | ok | 401 unauthorized
        GET /api/v1/admin/sites/demo/keys | ok | 403 role_not_allowed | 403 role_not_allowed | 403 role_not_allowed | 403 missing_scope | 403 missing_scope | 403 missing_scope | 403 missing_scope | 403 missing_scope | ok | 401 unauthorized
    "#]].assert_eq(&table);
}

#[test]
fn a_refused_key_is_told_the_scope_and_the_site() {
    let app = app();
    let other = sample_site("other");
    pollster::block_on(app.store.put_site(&other, "2026-11-24T00:00:00.000Z")).unwrap();
    let reader = create_key(&app, "demo", r#""audience:read""#, None);
    let other_site = create_key(&app, "other", r#""subjects:manage""#, None);
    let expiring = create_key(&app, "demo", r#""subjects:manage""#, Some("2026-11-24T13:00:00Z"));
    let revoked = create_key(&app, "demo", r#""subjects:manage""#, None);
    let prefix = revoked.rsplit_once('_').unwrap().0.to_string();
    assert_eq!(
        send(&app, &admin("DELETE", &format!("/api/v1/admin/sites/demo/keys/{prefix}"), None)).status,
        200
    );
    let erase =
        || json_req("POST", "/api/v1/admin/sites/demo/subjects/erase", Some(r#"{"email":"a@example.org"}"#));
    let cases = [
        ("wrong scope", send(&app, &with_key(erase(), &reader))),
        ("other site's key", send(&app, &with_key(erase(), &other_site))),
        ("before expiry", send(&app, &with_key(erase(), &expiring))),
        ("after expiry", send_at(&app, &with_key(erase(), &expiring), at(TimeDelta::hours(2)))),
        ("revoked", send(&app, &with_key(erase(), &revoked))),
        (
            "wrong secret",
            send(&app, &with_key(erase(), &format!("{}_nope", reader.rsplit_once('_').unwrap().0))),
        ),
        (
            "a key managing people",
            send(&app, &with_key(json_req("GET", "/api/v1/admin/sites/demo/people", None), &reader)),
        ),
    ];
    let actual: String = cases.into_iter().map(|(name, r)| format!("{name}: {}\n", summary(&r))).collect();
    expect![[r#"
        wrong scope: 403 {"error":{"code":"missing_scope","message":"this API key lacks the scope 'subjects:manage' needed to manage_subjects on site 'demo'"}}
        other site's key: 403 {"error":{"code":"wrong_site","message":"API key ck_id4 belongs to another site, not 'demo'"}}
        before expiry: 200 {"erased":true,"subject":"3a2ddfd8cfa2b4e092d502d5da0d0e1b02465fb1c16de94d7db4511e6b4ae772","suppressed":true}
        after expiry: 401 {"error":{"code":"unauthorized","message":"API key ck_id7 has expired"}}
        revoked: 401 {"error":{"code":"unauthorized","message":"API key ck_id10 was revoked"}}
        wrong secret: 401 {"error":{"code":"unauthorized","message":"unknown API key"}}
        a key managing people: 403 {"error":{"code":"missing_scope","message":"no API key may manage_people (site 'demo'): a person with the owner role does it, signed in"}}
    "#]].assert_eq(&actual);
    let (_, keys) = text(send(&app, &admin("GET", "/api/v1/admin/sites/demo/keys", None)));
    let keys: serde_json::Value = serde_json::from_str(&keys).unwrap();
    let used: Vec<bool> =
        keys["keys"].as_array().unwrap().iter().map(|k| k["last_used_at"].is_string()).collect();
    // By prefix: the reader (used), the revoked key (never got through), the expiring key (used).
    assert_eq!(used, [true, false, true], "last use is recorded for keys that got through: {keys}");
    assert!(!keys.to_string().contains(&reader), "secrets are never listed");
}

#[test]
fn sign_in_links_work_once_within_fifteen_minutes() {
    let app = app();
    add_person(&app, "ada@example.org", "dpo");
    assert_eq!(request_link(&app, "nobody@example.org", at(TimeDelta::zero())), None, "no account: no mail");
    let link = request_link(&app, "Ada@Example.org", at(TimeDelta::zero())).expect("mailed");
    let path = link.trim_start_matches("http://localhost").split('?').next().unwrap().to_string();
    let (status, page) = text(send(&app, &HttpRequest::new("GET", &path)));
    assert_eq!(status, 200);
    assert!(page.contains("<button type=\"submit\">Sign in</button>"), "{page}");
    let csrf = csrf_of(&page);
    let forged = send(&app, &form_post(&path, &[("csrf", "1.00")]));
    assert_eq!(forged.status, 403, "no session without the form's value");
    let first = send(&app, &form_post(&path, &[("csrf", &csrf)]));
    assert_eq!((first.status, first.header("location")), (303, Some("/admin")));
    let cookie = first.header("set-cookie").unwrap();
    assert!(
        cookie.starts_with("consent_session=") && cookie.contains("HttpOnly; SameSite=Strict; Path=/"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "a loopback origin cannot keep a Secure cookie: {cookie}");
    let (status, again) = text(send(&app, &form_post(&path, &[("csrf", &csrf)])));
    assert_eq!(status, 410);
    assert!(again.contains("used already") && again.contains("Send a new link"), "{again}");
    let late = request_link(&app, "ada@example.org", at(TimeDelta::minutes(20))).expect("mailed");
    let late_path = late.trim_start_matches("http://localhost").split('?').next().unwrap().to_string();
    let (_, page) = text(send_at(&app, &HttpRequest::new("GET", &late_path), at(TimeDelta::minutes(20))));
    let (status, expired) =
        text(send_at(&app, &form_post(&late_path, &[("csrf", &csrf_of(&page))]), at(TimeDelta::minutes(36))));
    assert_eq!(status, 410);
    assert!(expired.contains("expired"), "{expired}");
    let unknown_path = "/admin/sign-in/not-a-token";
    let (_, page) = text(send(&app, &HttpRequest::new("GET", unknown_path)));
    assert_eq!(send(&app, &form_post(unknown_path, &[("csrf", &csrf_of(&page))])).status, 404);
}

#[test]
fn a_deployed_console_uses_a_host_prefixed_secure_cookie() {
    let mut app = app();
    app.config.public_origin = Some("https://consent.example.org".into());
    add_person(&app, "ada@example.org", "owner");
    let link = request_link(&app, "ada@example.org", at(TimeDelta::zero())).unwrap();
    let path = link.trim_start_matches("https://consent.example.org").split('?').next().unwrap().to_string();
    let (_, page) = text(send(&app, &HttpRequest::new("GET", &path)));
    let r = send(&app, &form_post(&path, &[("csrf", &csrf_of(&page))]));
    let cookie = r.header("set-cookie").unwrap();
    assert!(cookie.starts_with("__Host-consent_session=") && cookie.contains("; Secure;"), "{cookie}");
    let token = cookie.split(';').next().unwrap().trim_start_matches("__Host-consent_session=");
    let home = send(
        &app,
        &HttpRequest::new("GET", "/admin").with_header("cookie", &format!("__Host-consent_session={token}")),
    );
    assert_eq!(home.status, 200);
}

#[test]
fn sessions_end_when_idle_after_a_day_or_on_sign_out() {
    let app = app();
    add_person(&app, "ada@example.org", "dpo");
    let people = || json_req("GET", "/api/v1/sites/demo/ledger/verify", None);
    let h = |hours: i64, minutes: i64| at(TimeDelta::hours(hours) + TimeDelta::minutes(minutes));
    let idle = sign_in(&app, "ada@example.org", h(0, 0));
    let busy = another_session(&app, "ada@example.org", h(0, 0));
    let mut seen = Vec::new();
    for (who, session, when) in [
        ("busy at 7h", &busy, h(7, 0)),
        ("idle at 8h01", &idle, h(8, 1)),
        ("busy at 14h", &busy, h(14, 0)),
        ("busy at 21h", &busy, h(21, 0)),
        ("busy at 24h01", &busy, h(24, 1)),
    ] {
        seen.push(format!("{who}: {}", outcome(send_at(&app, &with_cookie(people(), session), when))));
    }
    expect![[r#"
        busy at 7h: ok
        idle at 8h01: 401 unauthorized
        busy at 14h: ok
        busy at 21h: ok
        busy at 24h01: 401 unauthorized"#]]
    .assert_eq(&seen.join("\n"));
    // Sign out everywhere from one device ends the other too.
    let a = sign_in(&app, "ada@example.org", h(30, 0));
    let b = another_session(&app, "ada@example.org", h(30, 0));
    let (status, home) = text(send_at(&app, &with_cookie(HttpRequest::new("GET", "/admin"), &a), h(30, 1)));
    assert_eq!(status, 200);
    assert!(home.contains("<code>demo</code>") && home.contains("Data protection officer"), "{home}");
    let out = send_at(
        &app,
        &with_cookie(form_post("/admin/sign-out-everywhere", &[("csrf", &csrf_of(&home))]), &a),
        h(30, 2),
    );
    assert_eq!(out.status, 200);
    assert!(out.header("set-cookie").unwrap().contains("Max-Age=0"));
    assert_eq!(outcome(send_at(&app, &with_cookie(people(), &b), h(30, 3))), "401 unauthorized");
    let home = send_at(&app, &with_cookie(HttpRequest::new("GET", "/admin"), &a), h(30, 3));
    assert_eq!((home.status, home.header("location")), (303, Some("/admin/sign-in")));
    // Plain sign-out ends only this session.
    let c = sign_in(&app, "ada@example.org", h(31, 0));
    let d = another_session(&app, "ada@example.org", h(31, 0));
    let (_, home) = text(send_at(&app, &with_cookie(HttpRequest::new("GET", "/admin"), &c), h(31, 0)));
    send_at(&app, &with_cookie(form_post("/admin/sign-out", &[("csrf", &csrf_of(&home))]), &c), h(31, 1));
    assert_eq!(outcome(send_at(&app, &with_cookie(people(), &c), h(31, 2))), "401 unauthorized");
    assert_eq!(outcome(send_at(&app, &with_cookie(people(), &d), h(31, 2))), "ok");
}

#[test]
fn removing_a_person_or_lowering_their_role_ends_their_sessions() {
    let app = app();
    // A person with a role on another site only has none here.
    pollster::block_on(app.store.put_site(&sample_site("other"), "2026-11-24T00:00:00.000Z")).unwrap();
    let body = r#"{"email":"elsewhere@example.org","role":"owner"}"#;
    assert_eq!(send(&app, &admin("POST", "/api/v1/admin/sites/other/people", Some(body))).status, 201);
    let elsewhere = sign_in(&app, "elsewhere@example.org", at(TimeDelta::zero()));
    let here = send(&app, &with_cookie(json_req("GET", "/api/v1/admin/sites/demo", None), &elsewhere));
    expect![[r#"403 {"error":{"code":"no_role","message":"you have no role on site 'demo'"}}"#]]
        .assert_eq(&summary(&here));
    let owner = add_person(&app, "owner@example.org", "owner");
    let dpo = add_person(&app, "dpo@example.org", "dpo");
    let owner_session = sign_in(&app, "owner@example.org", at(TimeDelta::zero()));
    let dpo_session = sign_in(&app, "dpo@example.org", at(TimeDelta::zero()));
    let verify = || json_req("GET", "/api/v1/sites/demo/ledger/verify", None);
    assert_eq!(outcome(send(&app, &with_cookie(verify(), &dpo_session))), "ok");
    let as_owner = |req: HttpRequest| send(&app, &with_cookie(req, &owner_session));
    let raise = as_owner(json_req(
        "PUT",
        &format!("/api/v1/admin/sites/demo/people/{dpo}"),
        Some(r#"{"role":"owner"}"#),
    ));
    assert_eq!(raise.status, 200);
    assert_eq!(outcome(send(&app, &with_cookie(verify(), &dpo_session))), "ok", "raising keeps the session");
    let lower = as_owner(json_req(
        "PUT",
        &format!("/api/v1/admin/sites/demo/people/{dpo}"),
        Some(r#"{"role":"viewer"}"#),
    ));
    assert_eq!(lower.status, 200);
    assert_eq!(
        outcome(send(&app, &with_cookie(verify(), &dpo_session))),
        "401 unauthorized",
        "lowering ends it"
    );
    let viewer_session = another_session(&app, "dpo@example.org", at(TimeDelta::zero()));
    assert_eq!(outcome(send(&app, &with_cookie(verify(), &viewer_session))), "403 role_not_allowed");
    let removed = as_owner(json_req("DELETE", &format!("/api/v1/admin/sites/demo/people/{dpo}"), None));
    assert_eq!(removed.status, 200);
    assert_eq!(outcome(send(&app, &with_cookie(verify(), &viewer_session))), "401 unauthorized");
    assert_eq!(
        request_link(&app, "dpo@example.org", at(TimeDelta::hours(2))),
        None,
        "no role anywhere: no link"
    );
    // The last owner stays.
    let cases = [
        (
            "lower the last owner",
            as_owner(json_req(
                "PUT",
                &format!("/api/v1/admin/sites/demo/people/{owner}"),
                Some(r#"{"role":"dpo"}"#),
            )),
        ),
        (
            "remove the last owner",
            as_owner(json_req("DELETE", &format!("/api/v1/admin/sites/demo/people/{owner}"), None)),
        ),
        (
            "add someone twice",
            send(
                &app,
                &admin(
                    "POST",
                    "/api/v1/admin/sites/demo/people",
                    Some(r#"{"email":"OWNER@example.org","role":"viewer"}"#),
                ),
            ),
        ),
        ("unknown person", as_owner(json_req("DELETE", "/api/v1/admin/sites/demo/people/nobody", None))),
        (
            "unknown role",
            as_owner(json_req(
                "PUT",
                &format!("/api/v1/admin/sites/demo/people/{owner}"),
                Some(r#"{"role":"admin"}"#),
            )),
        ),
    ];
    let actual: String = cases.into_iter().map(|(name, r)| format!("{name}: {}\n", summary(&r))).collect();
    expect![[r#"
        lower the last owner: 409 {"error":{"code":"last_owner","message":"site 'demo' keeps at least one owner: make someone else an owner first"}}
        remove the last owner: 409 {"error":{"code":"last_owner","message":"site 'demo' keeps at least one owner: make someone else an owner first"}}
        add someone twice: 409 {"error":{"code":"already_exists","message":"this person already has a role on site 'demo': change it with PUT …/people/{person_id}"}}
        unknown person: 404 {"error":{"code":"not_found","message":"no person 'nobody' has a role on site 'demo'"}}
        unknown role: 400 {"error":{"code":"bad_json","message":"request body is not valid JSON for this endpoint: unknown variant `admin`, expected one of `viewer`, `editor`, `dpo`, `owner` at line 1 column 15"}}
    "#]].assert_eq(&actual);
}

#[test]
fn the_first_owner_is_made_with_the_admin_key_only() {
    let app = app();
    let owners = |auth: Option<&str>| {
        let req =
            json_req("POST", "/api/v1/admin/sites/demo/owners", Some(r#"{"email":"first@example.org"}"#));
        send(
            &app,
            &match auth {
                Some(a) => req.with_header("authorization", a),
                None => req,
            },
        )
    };
    let (status, body) = text(owners(Some("Bearer admin")));
    assert_eq!(status, 200, "{body}");
    assert!(body.contains(r#""role":"owner""#) && body.contains("first@example.org"), "{body}");
    let key = create_key(&app, "demo", r#""site:write""#, None);
    let cases = [
        ("again (idempotent)", owners(Some("Bearer admin"))),
        ("an API key", owners(Some(&format!("Bearer {key}")))),
        ("nothing", owners(None)),
        (
            "unknown site",
            send(
                &app,
                &admin("POST", "/api/v1/admin/sites/nope/owners", Some(r#"{"email":"a@example.org"}"#)),
            ),
        ),
    ];
    let actual: String = cases.into_iter().map(|(name, r)| format!("{name}: {}\n", outcome(r))).collect();
    expect![[r#"
        again (idempotent): ok
        an API key: 401 unauthorized
        nothing: 401 unauthorized
        unknown site: ok(404)
    "#]]
    .assert_eq(&actual);
    let session = sign_in(&app, "first@example.org", at(TimeDelta::zero()));
    let (status, _) =
        text(send(&app, &with_cookie(json_req("GET", "/api/v1/admin/sites/demo/keys", None), &session)));
    assert_eq!(status, 200, "the bootstrapped owner manages keys");
}

#[test]
fn the_console_pages_speak_welsh_and_refuse_forgeries() {
    let app = app();
    let (status, page) = text(send(&app, &HttpRequest::new("GET", "/admin/sign-in?lang=cy")));
    assert_eq!(status, 200);
    assert!(page.contains("lang=\"cy\"") && page.contains("Mewngofnodi"), "{page}");
    let r = send(&app, &form_post("/admin/sign-in", &[("csrf", "nope"), ("email", "a@example.org")]));
    assert_eq!(r.status, 403);
    let cross = form_post("/admin/sign-in", &[("csrf", &csrf_of(&page)), ("email", "a@example.org")])
        .with_header("origin", "https://evil.example");
    assert_eq!(send(&app, &cross).status, 403);
    let (status, bad) =
        text(send(&app, &form_post("/admin/sign-in", &[("csrf", &csrf_of(&page)), ("email", "<b>x")])));
    assert_eq!(status, 422);
    assert!(bad.contains("value=\"&lt;b&gt;x\""), "escaped by maud: {bad}");
    let home = send(&app, &HttpRequest::new("GET", "/admin"));
    assert_eq!((home.status, home.header("location")), (303, Some("/admin/sign-in")));
    let headers = send(&app, &HttpRequest::new("GET", "/admin/sign-in"));
    assert_eq!(headers.header("cache-control"), Some("no-store"));
    assert!(headers.header("content-security-policy").unwrap().starts_with("default-src 'none'"));
}
