//! Rate limits, link features turned off by configuration, and the Welsh unsubscribe page,
//! over SQLite with the in-memory limiter.

use super::*;
use crate::app::rate_limit::{Limit, MemoryRateLimiter};

fn limited_app() -> App<SqlStore<SqliteExecutor>> {
    app().with_limiter(std::rc::Rc::new(MemoryRateLimiter::default()))
}

fn from(ip: &str, req: HttpRequest) -> HttpRequest {
    req.with_header("cf-connecting-ip", ip)
}

/// Status and `Retry-After` of each of `n` requests, run-length encoded: "201 x60, 429(60) x1".
fn statuses(app: &App<SqlStore<SqliteExecutor>>, n: usize, req: impl Fn(usize) -> HttpRequest) -> String {
    let mut runs: Vec<(String, usize)> = Vec::new();
    for i in 0..n {
        let r = send(app, &req(i));
        let s = match r.header("retry-after") {
            Some(after) => format!("{}({after})", r.status),
            None => r.status.to_string(),
        };
        match runs.last_mut() {
            Some((last, count)) if *last == s => *count += 1,
            _ => runs.push((s, 1)),
        }
    }
    runs.iter().map(|(s, c)| format!("{s} x{c}")).collect::<Vec<_>>().join(", ")
}

fn signup(i: usize) -> String {
    GOOD.replace("Ada@Example.org", &format!("person{i}@example.org"))
}

#[test]
fn one_client_is_refused_after_its_limit_with_retry_after_and_others_are_not() {
    let app = limited_app();
    let n = Limit::Client.limit() as usize;
    let same_ip = statuses(&app, n + 2, |i| from("192.0.2.1", post(&signup(i))));
    let other_ip = statuses(&app, 1, |i| from("192.0.2.2", post(&signup(1000 + i))));
    expect![[r#"
        201 x60, 429(60) x2
        other client: 201 x1"#]]
    .assert_eq(&format!("{same_ip}\nother client: {other_ip}"));
    let refused = send(&app, &from("192.0.2.1", post(&signup(9999))));
    let (status, body) = body_of(refused);
    expect![[
        r#"429 {"error":{"code":"rate_limited","message":"too many requests: try again in 60 seconds"}}"#
    ]]
    .assert_eq(&format!("{status} {body}"));
    // Reads are never counted.
    let config = send(&app, &from("192.0.2.1", HttpRequest::new("GET", "/api/v1/sites/demo/config")));
    assert_eq!(config.status, 200);
}

#[test]
fn one_site_is_refused_after_its_limit_whichever_clients_post() {
    let app = limited_app();
    let n = Limit::SiteForms.limit() as usize;
    let actual = statuses(&app, n + 1, |i| from(&format!("198.51.100.{}", i % 200), post(&signup(i))));
    expect!["201 x300, 429(60) x1"].assert_eq(&actual);
}

#[test]
fn a_limited_page_answers_with_a_readable_page_in_the_language_asked() {
    let app = limited_app();
    let n = Limit::Client.limit() as usize;
    let lost = |_| {
        from("203.0.113.9", HttpRequest::new("POST", "/preferences/demo?lang=cy"))
            .with_header("content-type", "application/x-www-form-urlencoded")
            .with_body("email=a%40example.org&lang=cy")
    };
    let runs = statuses(&app, n + 1, lost);
    let (status, page) = body_of(send(&app, &lost(0)));
    let message = page.split("<main>").nth(1).unwrap_or("").replace("</main></body></html>", "");
    expect![[r#"
        403 x60, 429(60) x1
        429 <h1>Gormod o geisiadau</h1><p>Daeth gormod o geisiadau o'ch cysylltiad mewn amser byr. Arhoswch 60 eiliad a rhowch gynnig arall arni.</p>"#]].assert_eq(&format!("{runs}\n{status} {message}"));
}

#[test]
fn unsubscribe_is_never_limited() {
    let app = limited_app();
    send(&app, &post(GOOD));
    let path = unsubscribe_path(&app, "ada@example.org", Some("news"));
    let n = Limit::Client.limit() as usize;
    assert_eq!(statuses(&app, n + 5, |_| from("192.0.2.7", one_click(&path))), format!("200 x{}", n + 5));
}

#[test]
fn the_unsubscribe_page_speaks_welsh() {
    let app = app();
    send(&app, &post(GOOD));
    let path = unsubscribe_path(&app, "ada@example.org", None);
    let main = |r: HttpResponse| {
        let (status, page) = body_of(r);
        let lang =
            page.split("<html lang=\"").nth(1).and_then(|s| s.split('"').next()).unwrap_or("").to_string();
        let main = page.split("<main>").nth(1).unwrap_or("").replace("</main></body></html>", "");
        format!("{status} lang={lang} {}", main.replace(&path, "/u/TOKEN"))
    };
    let get = main(send(&app, &HttpRequest::new("GET", &format!("{path}?lang=cy"))));
    let post = main(send(
        &app,
        &HttpRequest::new("POST", &path)
            .with_header("content-type", "application/x-www-form-urlencoded")
            .with_body("confirm=1&lang=cy"),
    ));
    expect![[r#"
        200 lang=cy <h1>Dad-danysgrifio</h1><nav aria-label="Iaith"><a href="/u/TOKEN?lang=en" lang="en" hreflang="en">English</a></nav><p>Rhoi'r gorau i gael News and events (drwy e-bost) gan Demo Alumni Association?</p><form method="post" action="/u/TOKEN"><input type="hidden" name="lang" value="cy"><button type="submit" name="confirm" value="1">Dad-danysgrifio</button></form><p>Cwestiynau: <a href="mailto:alumni@example.org">alumni@example.org</a></p>
        200 lang=cy <h1>Rydych wedi dad-danysgrifio</h1><p>Ni fydd Demo Alumni Association yn anfon News and events (drwy e-bost) atoch mwyach. Daeth hyn i rym ar unwaith.</p>"#]].assert_eq(&format!("{get}\n{post}"));
    assert!(audience_emails(&app).is_empty());
}

#[test]
fn links_come_from_public_origin_not_the_host_asked_for() {
    let mut app = app();
    app.config.public_origin = Some("https://consent.example.org".into());
    let mut req = admin("POST", "/api/v1/admin/sites/demo/links", Some(r#"{"email":"ada@example.org"}"#));
    req.origin = "https://evil.example".into();
    req = req.with_header("host", "evil.example");
    let (status, body) = body_of(send(&app, &req));
    let links: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(status, 200);
    for field in ["preferences_url", "unsubscribe_url"] {
        assert!(links[field].as_str().unwrap().starts_with("https://consent.example.org/"), "{body}");
    }
}

#[test]
fn without_link_keys_or_origin_the_link_features_are_off_and_say_so() {
    let mut app = app();
    app.config.token_keys.clear();
    let links =
        send(&app, &admin("POST", "/api/v1/admin/sites/demo/links", Some(r#"{"email":"a@example.org"}"#)));
    let page = send(&app, &HttpRequest::new("GET", "/preferences/demo"));
    app.config.token_keys = consent_shared::token::parse_keys("t1:test-token-key-0123456789").unwrap();
    app.config.public_origin = None;
    let unsubscribe = send(&app, &HttpRequest::new("GET", "/u/v1.t1.a.b"));
    let actual = format!(
        "{}\n{} {}\n{}",
        summary(&links),
        page.status,
        page.header("content-type").unwrap_or(""),
        unsubscribe.status
    );
    expect![[r#"
        503 {"error":{"code":"unavailable","message":"links are not available here just now: the worker's log says why"}}
        503 text/html; charset=utf-8
        503"#]].assert_eq(&actual);
}

#[test]
fn without_an_admin_key_the_admin_endpoints_are_off() {
    let mut app = app();
    app.config.admin_key = None;
    expect![[r#"503 {"error":{"code":"unavailable","message":"the admin endpoints are off here: ADMIN_KEY is missing or shorter than 32 bytes"}}"#]].assert_eq(&summary(&send(&app, &admin("GET", "/api/v1/admin/sites/demo", None))));
}
