//! The per-site console frame (`app::console_site`): who gets in, what the navigation shows, and
//! what a refused request is told.

use chrono::TimeDelta;

use super::accounts::{add_person, another_session, at, send_at, sign_in, text, with_cookie};
use super::*;

#[test]
fn a_site_console_lets_in_people_with_a_role_and_no_one_else() {
    let app = app();
    add_person(&app, "owner@example.org", "owner");
    add_person(&app, "viewer@example.org", "viewer");
    let now = at(TimeDelta::zero());
    let owner = sign_in(&app, "owner@example.org", now);
    let viewer = another_session_after_sign_in(&app, "viewer@example.org", now);
    let get = |path: &str, session: Option<&str>| {
        let req = HttpRequest::new("GET", path);
        let req = match session {
            Some(s) => with_cookie(req, s),
            None => req,
        };
        let r = send_at(&app, &req, now);
        let location = r.header("location").map(str::to_string);
        let (status, body) = text(r);
        (status, location, body)
    };
    let (status, _, page) = get("/admin/sites/demo", Some(&owner));
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("aria-current=\"page\""), "{page}");
    let (status, _, _) = get("/admin/sites/demo", Some(&viewer));
    assert_eq!(status, 200);
    let (status, location, _) = get("/admin/sites/demo", None);
    assert_eq!((status, location.as_deref()), (303, Some("/admin/sign-in?lang=en")));
    // No role there and no such site read the same.
    let (other, _, other_page) = get("/admin/sites/elsewhere", Some(&owner));
    let (unknown, _, unknown_page) = get("/admin/sites/nowhere-at-all", Some(&owner));
    assert_eq!((other, unknown), (403, 403));
    assert_eq!(other_page, unknown_page);
    let (status, _, _) = get("/admin/sites/demo/no-such-section", Some(&owner));
    assert_eq!(status, 404);
    // A POST without the page's anti-forgery value is refused.
    let post = with_cookie(
        HttpRequest::new("POST", "/admin/sites/demo")
            .with_header("content-type", "application/x-www-form-urlencoded")
            .with_body("lang=en"),
        &owner,
    );
    assert_eq!(send_at(&app, &post, now).status, 403);
    // Welsh.
    let (status, _, page) = get("/admin/sites/demo?lang=cy", Some(&owner));
    assert_eq!(status, 200);
    assert!(page.contains("Trosolwg"), "{page}");
}

/// A session for `email` after one sign-in through the pages (the mail budget allows one sign-in
/// mail per mailbox per 10 minutes, so later sessions come from the store).
fn another_session_after_sign_in(
    app: &App<SqlStore<SqliteExecutor>>,
    email: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> String {
    sign_in(app, email, now);
    another_session(app, email, now)
}
