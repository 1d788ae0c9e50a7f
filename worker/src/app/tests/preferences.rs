//! The preference centre, confirmation links, "Lost your link?" and double opt-in, over SQLite.

use super::*;
use consent_shared::consent::Action;

/// The preference-centre path for `email`, from the admin links endpoint.
pub(super) fn preferences_path(app: &App<SqlStore<SqliteExecutor>>, email: &str) -> String {
    let body = format!(r#"{{"email":"{email}"}}"#);
    let (status, body) = body_of(send(app, &admin("POST", "/api/v1/admin/sites/demo/links", Some(&body))));
    assert_eq!(status, 200, "{body}");
    let links: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(links["preferences_expires_at"], "2027-02-22T12:00:00.000Z", "90 days");
    links["preferences_url"].as_str().unwrap().strip_prefix("http://localhost").unwrap().to_string()
}

pub(super) fn get(app: &App<SqlStore<SqliteExecutor>>, path: &str) -> (u16, String) {
    body_of(send(app, &HttpRequest::new("GET", path)))
}

/// The anti-forgery value in a page's first form.
pub(super) fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a form with an anti-forgery value") + 19;
    html[at..at + html[at..].find('"').unwrap()].to_string()
}

/// A form post as a browser sends it from our own page.
pub(super) fn form(path: &str, fields: &[(&str, &str)]) -> HttpRequest {
    let body: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
    HttpRequest::new("POST", path)
        .with_header("content-type", "application/x-www-form-urlencoded")
        .with_header("origin", "http://localhost")
        .with_header("sec-fetch-site", "same-origin")
        .with_body(body)
}

pub(super) fn post_on_page(
    app: &App<SqlStore<SqliteExecutor>>,
    path: &str,
    fields: &[(&str, &str)],
) -> HttpResponse {
    let (_, page) = get(app, path);
    let csrf = csrf_of(&page);
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    send(app, &form(path, &all))
}

fn last_event(app: &App<SqlStore<SqliteExecutor>>) -> consent_shared::consent::ConsentEvent {
    all_events(app).pop().unwrap()
}

pub(super) fn ada(app: &App<SqlStore<SqliteExecutor>>) -> String {
    assert_eq!(send(app, &post(GOOD)).status, 201);
    preferences_path(app, "ada@example.org")
}

#[test]
fn the_page_shows_organisation_choices_wording_and_history() {
    let app = app();
    let path = ada(&app);
    let (status, html) = get(&app, &path);
    assert_eq!(status, 200);
    for expected in [
        "Demo Alumni Association",
        "alumni@example.org",
        "checked",
        "News and events",
        "A form on our website",
        "You agreed on 2026-11-24 12:00.",
        "Download my data",
        "Delete my data",
    ] {
        assert!(html.contains(expected), "{expected} in {html}");
    }
    let wording = &sample_site("demo").purposes[0].wordings[0].text;
    assert!(html.contains(wording.as_str()), "the exact wording");
    assert!(!html.contains("<script"), "works without JavaScript");
    let r = send(&app, &HttpRequest::new("GET", &path));
    assert!(r.header("content-security-policy").is_some_and(|c| c.starts_with("default-src 'none'")));
    // Welsh page words (the sample site's wording is English only, so it falls back).
    let (_, cy) = get(&app, &format!("{path}?lang=cy"));
    assert!(
        cy.contains("lang=\"cy\"") && cy.contains("Eich dewisiadau") && cy.contains("Lawrlwytho fy nata")
    );
}

#[test]
fn changing_a_choice_is_a_preference_page_event_and_takes_effect_at_once() {
    let app = app();
    let path = ada(&app);
    // Unticking news: the form sends no c:news:email field.
    let r = post_on_page(&app, &path, &[("action", "choices"), ("v:news:email", "1")]);
    assert_eq!(r.status, 303);
    assert!(r.header("location").unwrap().ends_with("done=saved"));
    assert!(audience_emails(&app).is_empty());
    let e = last_event(&app);
    assert_eq!((e.action, e.method, e.wording_version), (Action::Withdrawn, Method::PreferencePage, 1));
    assert_eq!(e.source_url.as_deref(), Some("http://localhost/p"), "the token is not stored");
    let (_, html) = get(&app, &format!("{path}?done=saved"));
    assert!(html.contains("role=\"status\"") && html.contains("Your choices are saved"));
    // Ticking it again records a grant of the wording that was on the page.
    let r =
        post_on_page(&app, &path, &[("action", "choices"), ("c:news:email", "yes"), ("v:news:email", "1")]);
    assert_eq!(r.status, 303);
    let e = last_event(&app);
    assert_eq!((e.action, e.method), (Action::Granted, Method::PreferencePage));
    assert_eq!(audience_emails(&app), ["Ada@example.org"]);
    // Nothing changed: no event.
    let before = all_events(&app).len();
    let r =
        post_on_page(&app, &path, &[("action", "choices"), ("c:news:email", "yes"), ("v:news:email", "1")]);
    assert!(r.header("location").unwrap().ends_with("done=unchanged"));
    assert_eq!(all_events(&app).len(), before);
    // A wording version that does not exist: nothing saved.
    let r =
        post_on_page(&app, &path, &[("action", "choices"), ("v:news:email", "9"), ("c:news:email", "yes")]);
    assert_eq!(r.status, 303, "already granted: the version is not needed");
    let r = post_on_page(&app, &path, &[("action", "withdraw_all")]);
    assert!(r.header("location").unwrap().ends_with("done=withdrew"));
    assert!(audience_emails(&app).is_empty());
    let r =
        post_on_page(&app, &path, &[("action", "choices"), ("c:news:email", "yes"), ("v:news:email", "9")]);
    let (status, html) = body_of(r);
    assert_eq!(status, 409);
    assert!(html.contains("role=\"alert\"") && html.contains("wording changed"));
    assert!(audience_emails(&app).is_empty());
}

#[test]
fn forged_cross_site_or_expired_posts_change_nothing() {
    let app = app();
    let path = ada(&app);
    let before = all_events(&app).len();
    let (_, page) = get(&app, &path);
    let csrf = csrf_of(&page);
    let withdraw = |csrf: &str| form(&path, &[("csrf", csrf), ("action", "withdraw_all")]);
    let other_page_csrf = super::csrf_form::issue(&app, "another-token", 1_795_000_000);
    let cases = [
        ("no anti-forgery value", form(&path, &[("action", "withdraw_all")])),
        ("value from another page", withdraw(&other_page_csrf)),
        ("cross-site", withdraw(&csrf).with_header("sec-fetch-site", "cross-site")),
        ("foreign origin", withdraw(&csrf).with_header("origin", "https://evil.example")),
        ("expired", withdraw(&super::csrf_form::issue(&app, path.trim_start_matches("/p/"), 1_700_000_000))),
    ];
    for (name, req) in cases {
        let mut req = req;
        // The last header wins in a test request; put the override first.
        req.headers.reverse();
        let (status, html) = body_of(send(&app, &req));
        assert_eq!(status, 403, "{name}");
        assert!(html.contains("expired, so nothing was changed"), "{name}");
    }
    assert_eq!(all_events(&app).len(), before);
    assert_eq!(audience_emails(&app), ["Ada@example.org"]);
}

#[test]
fn rectification_of_name_and_a_confirmed_new_address() {
    let app = app();
    let path = ada(&app);
    take_outbox();
    let r = post_on_page(
        &app,
        &path,
        &[("action", "details"), ("name", "Ada Lovelace"), ("email", "ada@example.org")],
    );
    assert!(r.header("location").unwrap().ends_with("done=details"));
    assert!(take_outbox().is_empty(), "same address: nothing to confirm");
    let (_, html) = get(&app, &path);
    assert!(html.contains("value=\"Ada Lovelace\""));

    let r = post_on_page(
        &app,
        &path,
        &[("action", "details"), ("name", "Ada Lovelace"), ("email", "Ada.L@Example.net")],
    );
    assert!(r.header("location").unwrap().ends_with("done=email_sent"));
    let (_, html) = get(&app, &path);
    assert!(html.contains("value=\"Ada@example.org\""), "unchanged until confirmed");
    let mail = take_outbox();
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].to, "Ada.L@example.net");
    let link = mail[0].text.lines().find(|l| l.starts_with("http://localhost/c/")).unwrap();
    let confirm = link.strip_prefix("http://localhost").unwrap();
    let (status, page) = get(&app, confirm);
    assert_eq!(status, 200, "{page}");
    let (_, html) = get(&app, &path);
    assert!(html.contains("value=\"Ada@example.org\""), "GET confirms nothing");
    let (status, page) = body_of(post_on_page(&app, confirm, &[]));
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Ada.L@example.net"));
    let (_, html) = get(&app, &path);
    assert!(html.contains("value=\"Ada.L@example.net\""));
    assert_eq!(audience_emails(&app), ["Ada.L@example.net"]);
    // The new address now finds the same person: a form with it adds no second record…
    let again = GOOD.replace("Ada@Example.org", "ada.l@example.net");
    assert_eq!(send(&app, &post(&again)).status, 201);
    assert_eq!(audience_emails(&app), ["Ada.L@example.net"]);
    // …and its preference link is the same page.
    assert_eq!(preferences_path(&app, "ada.l@example.net"), path);
    // A form using the old address does not undo the correction.
    assert_eq!(send(&app, &post(GOOD)).status, 201);
    assert_eq!(audience_emails(&app), ["Ada.L@example.net"]);
}

#[test]
fn a_new_address_that_is_someone_elses_is_refused_without_telling_the_page() {
    let app = app();
    let path = ada(&app);
    let bob = GOOD.replace("Ada@Example.org", "bob@example.org");
    assert_eq!(send(&app, &post(&bob)).status, 201);
    take_outbox();
    let r = post_on_page(&app, &path, &[("action", "details"), ("name", ""), ("email", "bob@example.org")]);
    assert!(r.header("location").unwrap().ends_with("done=email_sent"), "the page says the same");
    let mail = take_outbox();
    assert_eq!(mail.len(), 1);
    assert!(mail[0].text.contains("already has its own record") && !mail[0].text.contains("/c/"));
    let mut emails = audience_emails(&app);
    emails.sort();
    assert_eq!(emails, ["Ada@example.org", "bob@example.org"]);
}

#[test]
fn download_restrict_and_erase_from_the_page() {
    let app = app();
    let path = ada(&app);
    let r = post_on_page(&app, &path, &[("action", "download")]);
    assert!(r.header("content-disposition").unwrap().starts_with("attachment"));
    let (status, body) = body_of(r);
    assert_eq!(status, 200);
    let export: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(export["email"], "Ada@example.org");
    assert_eq!(export["history"].as_array().unwrap().len(), 1);
    let shown = &sample_site("demo").purposes[0].wordings[0];
    assert_eq!(export["history"][0]["wording"]["text"], shown.text.as_str(), "the words they saw");
    assert_eq!(export["history"][0]["wording_sha256"], shown.sha256.as_str());
    assert_eq!(export["current_choices"][0]["action"], "granted");

    let r = post_on_page(&app, &path, &[("action", "restrict")]);
    assert!(r.header("location").unwrap().ends_with("done=restricted"));
    assert!(audience_emails(&app).is_empty(), "kept, but in no audience");
    let (_, html) = get(&app, &path);
    assert!(html.contains("is paused") && html.contains("Lift the pause"));
    post_on_page(&app, &path, &[("action", "lift")]);
    assert_eq!(audience_emails(&app), ["Ada@example.org"]);

    let (status, html) = body_of(post_on_page(&app, &path, &[("action", "erase")]));
    assert_eq!(status, 422, "needs the confirmation box");
    assert!(html.contains("Tick the box"));
    let (status, html) = body_of(post_on_page(&app, &path, &[("action", "erase"), ("confirm", "yes")]));
    assert_eq!(status, 200);
    assert!(html.contains("Your data is deleted"));
    assert!(audience_emails(&app).is_empty());
    let (_, html) = get(&app, &path);
    assert!(html.contains("Your data is deleted") && !html.contains("Ada@example.org"));
    // Never re-added by a form (answered as for anyone, recording nothing); and a later
    // withdrawal does not bring the address back.
    assert_eq!(send(&app, &post(GOOD)).status, 201);
    assert!(audience_emails(&app).is_empty());
    let withdraw = r#"{"email":"ada@example.org","method":"paper_form","changes":[{"purpose":"news","channel":"email","action":"withdrawn"}]}"#;
    assert_eq!(send(&app, &admin("POST", "/api/v1/admin/sites/demo/consents", Some(withdraw))).status, 201);
    let (status, _) = body_of(send(&app, &subject_request("access", r#"{"email":"ada@example.org"}"#)));
    let record = pollster::block_on(app.store.subject_record("demo", &all_events(&app)[0].subject)).unwrap();
    assert_eq!(record.unwrap().email, None, "erased stays erased (status {status})");
}

#[test]
fn links_only_open_their_own_page() {
    let app = app();
    let prefs = ada(&app);
    let unsub = unsubscribe_path(&app, "ada@example.org", None);
    let prefs_at_u = prefs.replacen("/p/", "/u/", 1);
    let unsub_at_p = unsub.replacen("/u/", "/p/", 1);
    let confirm_at_p = prefs.replacen("/p/", "/c/", 1);
    for path in [prefs_at_u, unsub_at_p, confirm_at_p] {
        let (status, html) = get(&app, &path);
        assert_eq!(status, 400, "{path}");
        assert!(html.contains("This link does not work") && html.contains("different page"), "{html}");
    }
}

#[test]
fn lost_link_sends_only_to_known_addresses_and_answers_the_same() {
    let app = app();
    ada(&app);
    take_outbox();
    let ask = |email: &str| {
        let (status, body) = body_of(post_on_page(&app, "/preferences/demo", &[("email", email)]));
        (status, body.replace(email, "EMAIL"))
    };
    let known = ask("ada@example.org");
    let unknown = ask("nobody@example.org");
    assert_eq!(known.0, 200);
    assert_eq!(known, unknown, "the page never tells whether an address is known");
    let mail = take_outbox();
    assert_eq!(mail.len(), 1, "only the known address gets mail");
    assert_eq!(mail[0].to, "Ada@example.org");
    let link = mail[0].text.lines().find(|l| l.starts_with("http://localhost/p/")).unwrap();
    let (status, html) = get(&app, link.strip_prefix("http://localhost").unwrap());
    assert_eq!(status, 200);
    assert!(html.contains("Ada@example.org"));
    // Asking again at once sends nothing more (one mail per 10 minutes), and says the same.
    assert_eq!(ask("ada@example.org"), known);
    assert!(take_outbox().is_empty(), "an inbox cannot be flooded");
    let (status, html) = body_of(post_on_page(&app, "/preferences/demo", &[("email", "not an address")]));
    assert_eq!(status, 422);
    assert!(html.contains("does not look right"));
    let (status, _) = body_of(send(&app, &form("/preferences/demo", &[("email", "ada@example.org")])));
    assert_eq!(status, 403, "no anti-forgery value");
    assert!(take_outbox().is_empty());
    assert_eq!(get(&app, "/preferences/nope").0, 404);
}

fn double_opt_in_app() -> App<SqlStore<SqliteExecutor>> {
    let app = app();
    let mut site = sample_site("demo");
    site.double_opt_in = true;
    pollster::block_on(app.store.put_site(&site, "2026-11-24T00:00:00.000Z")).unwrap();
    app
}

#[test]
fn double_opt_in_keeps_email_consent_pending_until_confirmed_by_a_post() {
    let app = double_opt_in_app();
    let r = send(&app, &post(GOOD));
    let (status, body) = body_of(r);
    assert_eq!(status, 201);
    assert!(body.contains(r#""action":"pending""#), "{body}");
    assert!(audience_emails(&app).is_empty(), "not in force yet");
    let mail = take_outbox();
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].to, "Ada@example.org");
    assert!(mail[0].text.contains("News and events (by email)"));
    let link = mail[0].text.lines().find(|l| l.starts_with("http://localhost/c/")).unwrap();
    let path = link.strip_prefix("http://localhost").unwrap();
    let (status, page) = get(&app, path);
    assert_eq!(status, 200);
    assert!(page.contains("News and events (by email)") && page.contains("Confirm"));
    assert!(audience_emails(&app).is_empty(), "a scanner's GET confirms nothing");
    let (status, page) = body_of(post_on_page(&app, path, &[]));
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("you are signed up"));
    assert_eq!(audience_emails(&app), ["Ada@example.org"]);
    let e = last_event(&app);
    assert_eq!((e.action, e.method, e.wording_version), (Action::Granted, Method::EmailConfirmation, 1));
    // Confirming again is harmless; ticking the form again answers "pending" as for anyone
    // (the form proves nothing) and keeps the consent in force; the confirmation mail it asks
    // for falls within the 10-minute throttle here.
    let (_, page) = get(&app, path);
    assert!(page.contains("nothing waiting for confirmation"));
    let again = send(&app, &post(GOOD));
    assert!(String::from_utf8_lossy(&again.body).contains(r#""action":"pending""#));
    assert!(take_outbox().is_empty());
    assert_eq!(audience_emails(&app), ["Ada@example.org"]);
}

#[test]
fn double_opt_in_without_email_set_up_refuses_and_records_nothing() {
    let mut app = double_opt_in_app();
    app.mailer = None;
    let (status, body) = body_of(send(&app, &post(GOOD)));
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("unavailable"));
    assert!(all_events(&app).is_empty());
}
