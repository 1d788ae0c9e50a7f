//! The console's site pages (`console_settings`, `console_wording`, `console_embed`): every error
//! beside its field and nothing stored; a saved change is stored the way the API stores it
//! (a new version, audited with the person); who sees and may post what.

use chrono::TimeDelta;

use super::accounts::{
    add_person, another_session, at, csrf_of, form_post, send_at, sign_in, text, with_cookie,
};
use super::*;
use crate::store::audit::{AuditFilter, AuditStore};

pub(super) fn get(app: &App<SqlStore<SqliteExecutor>>, path: &str, session: &str) -> (u16, String) {
    text(send_at(app, &with_cookie(HttpRequest::new("GET", path), session), at(TimeDelta::zero())))
}

pub(super) fn post(
    app: &App<SqlStore<SqliteExecutor>>,
    path: &str,
    session: &str,
    fields: &[(&str, &str)],
) -> HttpResponse {
    send_at(app, &with_cookie(form_post(path, fields), session), at(TimeDelta::zero()))
}

pub(super) fn stored(app: &App<SqlStore<SqliteExecutor>>) -> SiteConfig {
    pollster::block_on(app.store.site("demo")).unwrap().unwrap()
}

/// The site_changed entries of the demo site: (actor, detail).
pub(super) fn site_changes(app: &App<SqlStore<SqliteExecutor>>) -> Vec<(String, String)> {
    let filter = AuditFilter { kind: Some("site_changed".into()), ..AuditFilter::default() };
    pollster::block_on(app.store.audit_page("demo", &filter, 100))
        .unwrap()
        .into_iter()
        .map(|e| (e.record.actor, e.record.detail))
        .collect()
}

fn settings_fields<'a>(csrf: &'a str, overrides: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("csrf", csrf),
        ("lang", "en"),
        ("name", "Demo Alumni Association"),
        ("contact_email", "alumni@example.org"),
        ("postal_address", "Alumni Office, 1 College Road, Oxbridge OX1 1AA"),
        ("privacy_notice_url", "https://example.org/privacy"),
        ("cookie_policy_url", "https://example.org/cookies"),
        ("charity_number", ""),
        ("allowed_origins", "http://127.0.0.1:8788"),
        ("default_lang", "en"),
        ("region_uk", "uk"),
        ("region_eea", "eu"),
        ("region_other", "uk"),
    ];
    for (name, value) in overrides {
        fields.retain(|(n, _)| n != name);
        fields.push((name, value));
    }
    fields
}

#[test]
fn settings_show_every_error_beside_its_field_and_store_nothing() {
    let app = app();
    add_person(&app, "owner@example.org", "owner");
    let owner = sign_in(&app, "owner@example.org", at(TimeDelta::zero()));
    let before = stored(&app);
    let (status, page) = get(&app, "/admin/sites/demo/settings", &owner);
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("value=\"Demo Alumni Association\""), "{page}");
    let csrf = csrf_of(&page);
    let bad = settings_fields(
        &csrf,
        &[
            ("name", "  "),
            ("contact_email", "not-an-address"),
            ("privacy_notice_url", "example.org/privacy"),
            ("allowed_origins", "https://ok.example\nhttps://bad.example/path"),
            ("charity_number", "12"),
            ("default_lang", "fr"),
        ],
    );
    let (status, page) = text(post(&app, "/admin/sites/demo/settings", &owner, &bad));
    assert_eq!(status, 422, "{page}");
    let errors: Vec<&str> = page
        .match_indices("class=\"field-error\" id=\"")
        .map(|(i, m)| page[i + m.len()..].split('"').next().unwrap())
        .collect();
    expect![[r#"["name-error", "contact_email-error", "privacy_notice_url-error", "charity_number-error", "allowed_origins-error", "default_lang-error"]"#]]
        .assert_eq(&format!("{errors:?}"));
    assert!(page.contains("role=\"alert\""), "{page}");
    assert!(page.contains("aria-describedby=\"contact_email-error\""), "{page}");
    // What was typed comes back, escaped, for correcting.
    assert!(page.contains("https://bad.example/path"), "{page}");
    assert_eq!(stored(&app), before);
    assert!(site_changes(&app).is_empty());
}

#[test]
fn saved_settings_are_stored_as_the_api_stores_them_and_audited_with_the_person() {
    let app = app();
    let owner_id = add_person(&app, "owner@example.org", "owner");
    let owner = sign_in(&app, "owner@example.org", at(TimeDelta::zero()));
    let (_, page) = get(&app, "/admin/sites/demo/settings", &owner);
    let csrf = csrf_of(&page);
    let fields = settings_fields(
        &csrf,
        &[
            ("name", "Demo Alumni Society"),
            ("allowed_origins", "http://127.0.0.1:8788\r\nhttps://alumni.example.org\r\n"),
            ("charity_number", "1234567"),
            ("double_opt_in", "on"),
            ("region_other", "eu"),
        ],
    );
    let r = post(&app, "/admin/sites/demo/settings", &owner, &fields);
    assert_eq!((r.status, r.header("location")), (303, Some("/admin/sites/demo/settings?lang=en&saved=1")));
    let site = stored(&app);
    assert_eq!(site.organisation.name, "Demo Alumni Society");
    assert_eq!(site.organisation.charity_number.as_deref(), Some("1234567"));
    assert_eq!(site.allowed_origins, ["http://127.0.0.1:8788", "https://alumni.example.org"]);
    assert!(site.double_opt_in);
    assert_eq!(site.region_rules.other, consent_shared::basis::RuleSet::Eu);
    let changes = site_changes(&app);
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].0, format!("person:{owner_id}"));
    assert!(changes[0].1.contains("\"organisation_changed\":true"), "{}", changes[0].1);
    let (status, page) = get(&app, "/admin/sites/demo/settings?saved=1", &owner);
    assert_eq!(status, 200);
    assert!(page.contains("role=\"status\""), "{page}");
    // The same values again store nothing new.
    let r = post(&app, "/admin/sites/demo/settings", &owner, &fields);
    assert_eq!(r.status, 303);
    assert_eq!(site_changes(&app).len(), 1);
}

#[test]
fn an_editor_changes_a_wording_into_a_new_version_with_its_history_and_diff() {
    let app = app();
    add_person(&app, "editor@example.org", "editor");
    let editor = sign_in(&app, "editor@example.org", at(TimeDelta::zero()));
    let (status, page) = get(&app, "/admin/sites/demo/wording", &editor);
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("keeps their record"), "{page}");
    assert!(page.contains("asked again"), "{page}");
    let csrf = csrf_of(&page);
    let old = stored(&app).purposes[0].wordings[0].text.clone();
    // An empty statement is refused beside its field.
    let r = post(
        &app,
        "/admin/sites/demo/wording",
        &editor,
        &[
            ("csrf", &csrf),
            ("lang", "en"),
            ("target", "news.email"),
            ("label_en", "News and events"),
            ("text_en", " "),
        ],
    );
    let (status, page) = text(r);
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("id=\"news.email-text_en-error\""), "{page}");
    assert_eq!(stored(&app).purposes[0].current_version, 1);
    let new_text = old.replace("by email", "by email, about once a month");
    let r = post(
        &app,
        "/admin/sites/demo/wording",
        &editor,
        &[
            ("csrf", &csrf),
            ("lang", "en"),
            ("target", "news.email"),
            ("label_en", "News and events"),
            ("text_en", &new_text),
        ],
    );
    assert_eq!(r.status, 303, "{r:?}");
    let site = stored(&app);
    assert_eq!(site.purposes[0].current_version, 2);
    assert_eq!(site.purposes[0].wordings.len(), 2, "the old version is kept");
    let changes = site_changes(&app);
    assert_eq!(changes.len(), 1);
    assert!(changes[0].1.contains("news/email v2"), "{}", changes[0].1);
    let (_, page) = get(&app, "/admin/sites/demo/wording", &editor);
    assert!(page.contains("editor@example.org"), "who stored version 2: {page}");
    assert!(page.contains("<ins>, about once a month</ins>"), "{page}");
    // The banner: a new text is a new policy version.
    let r = post(
        &app,
        "/admin/sites/demo/wording",
        &editor,
        &[
            ("csrf", &csrf),
            ("lang", "en"),
            ("target", "banner"),
            ("text_en", "We use cookies. Choose which."),
        ],
    );
    assert_eq!(r.status, 303);
    assert_eq!(stored(&app).policy_version, 2);
    // A target the site does not have.
    let r = post(
        &app,
        "/admin/sites/demo/wording",
        &editor,
        &[("csrf", &csrf), ("lang", "en"), ("target", "nope.email")],
    );
    assert_eq!(r.status, 422);
}

#[test]
fn the_embed_page_gives_the_tags_and_csp_for_this_site() {
    let app = app();
    add_person(&app, "editor@example.org", "editor");
    let editor = sign_in(&app, "editor@example.org", at(TimeDelta::zero()));
    let (status, page) = get(&app, "/admin/sites/demo/embed", &editor);
    assert_eq!(status, 200, "{page}");
    let page = page.replace("&quot;", "\"");
    assert!(
        page.contains("&lt;script src=\"http://localhost/widget.js\" data-site=\"demo\"&gt;&lt;/script&gt;"),
        "{page}"
    );
    assert!(page.contains("data-consent-context=\"donation\""), "{page}");
    assert!(page.contains("script-src http://localhost 'wasm-unsafe-eval';"), "{page}");
    assert!(page.contains("connect-src http://localhost;"), "{page}");
    assert!(page.contains("<textarea id=\"embed-script\" readonly"), "{page}");
}

#[test]
fn a_viewer_neither_sees_nor_uses_the_site_pages_and_a_dpo_only_reads_them() {
    let app = app();
    add_person(&app, "viewer@example.org", "viewer");
    add_person(&app, "dpo@example.org", "dpo");
    let now = at(TimeDelta::zero());
    let viewer = sign_in(&app, "viewer@example.org", now);
    let dpo = sign_in(&app, "dpo@example.org", now);
    let (_, overview) = get(&app, "/admin/sites/demo", &viewer);
    for slug in ["settings", "wording", "categories", "embed"] {
        assert!(!overview.contains(&format!("/admin/sites/demo/{slug}")), "{overview}");
        let path = format!("/admin/sites/demo/{slug}");
        assert_eq!(get(&app, &path, &viewer).0, 403);
        let r = post(&app, &path, &viewer, &[("csrf", "x"), ("lang", "en")]);
        assert_eq!(r.status, 403);
        // The DPO reads them, and may not change them.
        let (status, page) = get(&app, &path, &dpo);
        assert_eq!(status, 200, "{page}");
        assert!(!page.contains("type=\"submit\""), "{page}");
        if slug != "embed" {
            let fields = settings_fields("", &[("target", "news.email"), ("text_en", "Changed")]);
            let mut fields: Vec<(&str, &str)> = fields.into_iter().filter(|(n, _)| *n != "csrf").collect();
            let csrf = csrf_of(&page);
            fields.push(("csrf", &csrf));
            assert_eq!(post(&app, &path, &dpo, &fields).status, 403);
        }
    }
    let (_, overview) = get(&app, "/admin/sites/demo", &dpo);
    assert!(overview.contains("/admin/sites/demo/settings"), "{overview}");
    assert!(site_changes(&app).is_empty());
    let _ = another_session;
}

#[test]
fn cookie_categories_are_edited_and_added_with_errors_beside_their_fields() {
    let app = app();
    let editor_id = add_person(&app, "editor@example.org", "editor");
    let editor = sign_in(&app, "editor@example.org", at(TimeDelta::zero()));
    let (status, page) = get(&app, "/admin/sites/demo/categories", &editor);
    assert_eq!(status, 200, "{page}");
    let shown = page.replace("&quot;", "\"");
    assert!(shown.contains("data-consent-category=\"analytics\""), "{page}");
    assert!(page.contains("cross-site tracking always need"), "{page}");
    let csrf = csrf_of(&page);
    let before = stored(&app);
    // A statistics category may not grant an advertising signal; an empty label is refused.
    let r = post(
        &app,
        "/admin/sites/demo/categories",
        &editor,
        &[
            ("csrf", &csrf),
            ("lang", "en"),
            ("target", "_new"),
            ("key", "Ads!"),
            ("basis", "statistics"),
            ("signal_ad_storage", "on"),
            ("label_en", ""),
            ("description_en", "Adverts we show elsewhere."),
        ],
    );
    let (status, page) = text(r);
    assert_eq!(status, 422, "{page}");
    for id in ["cat-_new-key-error", "cat-_new-signals-error", "cat-_new-label_en-error"] {
        assert!(page.contains(&format!("id=\"{id}\"")), "{id}: {page}");
    }
    assert_eq!(stored(&app), before);
    let r = post(
        &app,
        "/admin/sites/demo/categories",
        &editor,
        &[
            ("csrf", &csrf),
            ("lang", "en"),
            ("target", "_new"),
            ("key", "ads"),
            ("basis", "consent"),
            ("signal_ad_storage", "on"),
            ("signal_ad_user_data", "on"),
            ("label_en", "Advertising"),
            ("description_en", "Adverts we show elsewhere."),
        ],
    );
    assert_eq!(r.status, 303, "{r:?}");
    let site = stored(&app);
    let ads = site.cookie_categories.iter().find(|c| c.key == "ads").expect("added");
    assert_eq!(ads.basis, consent_shared::basis::CookieBasis::Consent);
    assert_eq!(ads.consent_mode.len(), 2);
    // An existing category's label changes.
    let r = post(
        &app,
        "/admin/sites/demo/categories",
        &editor,
        &[
            ("csrf", &csrf),
            ("lang", "en"),
            ("target", "analytics"),
            ("basis", "statistics"),
            ("signal_analytics_storage", "on"),
            ("label_en", "Statistics"),
            ("description_en", "Count visits so we can improve the site."),
        ],
    );
    assert_eq!(r.status, 303, "{r:?}");
    let site = stored(&app);
    let analytics = site.cookie_categories.iter().find(|c| c.key == "analytics").unwrap();
    assert_eq!(
        (analytics.texts[0].label.as_str(), analytics.basis),
        ("Statistics", consent_shared::basis::CookieBasis::Statistics)
    );
    let changes = site_changes(&app);
    assert_eq!(changes.len(), 2);
    assert!(changes.iter().all(|(actor, _)| *actor == format!("person:{editor_id}")));
}

#[test]
fn an_owner_creates_a_site_and_owns_it_and_others_may_not() {
    let app = app();
    let owner_id = add_person(&app, "owner@example.org", "owner");
    add_person(&app, "editor@example.org", "editor");
    let owner = sign_in(&app, "owner@example.org", at(TimeDelta::zero()));
    let editor = sign_in(&app, "editor@example.org", at(TimeDelta::zero()));
    let (_, home) = get(&app, "/admin", &owner);
    assert!(home.contains("/admin/new-site"), "{home}");
    let (_, home) = get(&app, "/admin", &editor);
    assert!(!home.contains("/admin/new-site"), "{home}");
    assert_eq!(get(&app, "/admin/new-site", &editor).0, 403);
    let (status, page) = get(&app, "/admin/new-site", &owner);
    assert_eq!(status, 200, "{page}");
    let csrf = csrf_of(&page);
    let mut fields = settings_fields(
        &csrf,
        &[
            ("site_id", "Bad Id"),
            ("name", "Second Society"),
            ("contact_email", "nope"),
            ("allowed_origins", ""),
        ],
    );
    let (status, page) = text(post(&app, "/admin/new-site", &owner, &fields));
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("id=\"site_id-error\"") && page.contains("id=\"contact_email-error\""), "{page}");
    assert!(pollster::block_on(app.store.site("bad-id")).unwrap().is_none());
    fields.retain(|(n, _)| !matches!(*n, "site_id" | "contact_email"));
    fields.extend([("site_id", "second"), ("contact_email", "office@second.example")]);
    let r = post(&app, "/admin/new-site", &owner, &fields);
    assert_eq!((r.status, r.header("location")), (303, Some("/admin/sites/second/settings?lang=en&saved=1")));
    let site = pollster::block_on(app.store.site("second")).unwrap().expect("created");
    assert_eq!(site.organisation.name, "Second Society");
    assert_eq!(get(&app, "/admin/sites/second/settings", &owner).0, 200, "the creator owns it");
    let filter = AuditFilter { kind: Some("site_changed".into()), ..AuditFilter::default() };
    let trail = pollster::block_on(app.store.audit_page("second", &filter, 10)).unwrap();
    assert_eq!(trail.len(), 1);
    assert_eq!(trail[0].record.actor, format!("person:{owner_id}"));
    // A taken id (this one, or another organisation's) changes nothing.
    let mut again = fields.clone();
    again.retain(|(n, _)| *n != "site_id" && *n != "name");
    again.extend([("site_id", "demo"), ("name", "Taken Over")]);
    let (status, page) = text(post(&app, "/admin/new-site", &owner, &again));
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("not available"), "{page}");
    assert_eq!(stored(&app).organisation.name, "Demo Alumni Association");
}

#[test]
fn the_wording_preview_shows_a_version_as_the_widget_does_in_a_frame_of_this_origin() {
    let app = app();
    add_person(&app, "editor@example.org", "editor");
    add_person(&app, "viewer@example.org", "viewer");
    let now = at(TimeDelta::zero());
    let editor = sign_in(&app, "editor@example.org", now);
    let viewer = sign_in(&app, "viewer@example.org", now);
    let r = send_at(&app, &with_cookie(HttpRequest::new("GET", "/admin/sites/demo/wording"), &editor), now);
    assert!(r.header("content-security-policy").unwrap().ends_with("; frame-src 'self'"), "{r:?}");
    let (_, page) = text(r);
    assert!(
        page.contains("<iframe class=\"preview\" sandbox=\"\" src=\"/admin/sites/demo/wording/preview?target=news.email&amp;v=1&amp;wlang=en\""),
        "{page}"
    );
    let path = "/admin/sites/demo/wording/preview?target=news.email&v=1&wlang=en";
    let r = send_at(&app, &with_cookie(HttpRequest::new("GET", path), &editor), now);
    assert_eq!(r.header("x-frame-options"), Some("SAMEORIGIN"));
    assert!(r.header("content-security-policy").unwrap().contains("frame-ancestors 'self'"));
    let (status, page) = text(r);
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains(
            "<input type=\"checkbox\" id=\"consent-1-news-email\" name=\"news:email\" value=\"1\">"
        ),
        "{page}"
    );
    assert!(page.contains("<span class=\"consent-form__option-text\">I am happy to hear"), "{page}");
    let (status, page) = get(&app, "/admin/sites/demo/wording/preview?target=banner&v=1&wlang=en", &editor);
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("<section class=\"layer\"") && page.contains("Accept all"), "{page}");
    assert_eq!(get(&app, "/admin/sites/demo/wording/preview?target=news.email&v=9&wlang=en", &editor).0, 404);
    assert_eq!(get(&app, "/admin/sites/demo/wording/elsewhere", &editor).0, 404);
    assert_eq!(get(&app, path, &viewer).0, 403);
}
