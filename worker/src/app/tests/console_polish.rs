//! The console's layout pass: readable times (English and Welsh), the frame (navigation with
//! the current section, tables that scroll, an overview without a second navigation), and
//! "Add a purpose" on the Wording page (each error beside its field, nothing stored; stored
//! through the site's save path, audited, offered by the widget at once; editor yes, viewer no).

use chrono::TimeDelta;

use super::accounts::{add_person, at, csrf_of, sign_in, text};
use super::console_settings::{get, post, site_changes, stored};
use super::*;
use crate::app::console_layout::{readable_time, when};
use crate::app::page_text::PageLang;

/// Signs `email` in with `role` and opens the Wording page: (session, its anti-forgery value).
fn on_wording(app: &App<SqlStore<SqliteExecutor>>, email: &str, role: &str) -> (String, String) {
    add_person(app, email, role);
    let session = sign_in(app, email, at(TimeDelta::zero()));
    let (status, page) = get(app, "/admin/sites/demo/wording", &session);
    assert_eq!(status, 200, "{page}");
    (session, csrf_of(&page))
}

fn purpose_fields<'a>(csrf: &'a str, overrides: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("csrf", csrf),
        ("lang", "en"),
        ("target", "new-purpose"),
        ("purpose", "reunions"),
        ("channel", "email"),
        ("basis", "consent"),
        ("label_en", "Reunions"),
        ("text_en", "Email me about reunions for my year."),
        ("refusal_en", ""),
    ];
    for (name, value) in overrides {
        fields.retain(|(n, _)| n != name);
        fields.push((name, value));
    }
    fields
}

#[test]
fn times_read_as_words_in_english_and_welsh() {
    let shown: Vec<String> =
        ["2026-12-02T00:18:00.459Z", "2027-03-09T23:05:59Z", "2026-06-30T12:00:00+01:00", "not a time", ""]
            .into_iter()
            .map(|at| {
                format!("{at:?} → {} | {}", readable_time(PageLang::En, at), readable_time(PageLang::Cy, at))
            })
            .collect();
    expect![[r#"
        "2026-12-02T00:18:00.459Z" → 2 December 2026, 00:18 UTC | 2 Rhagfyr 2026, 00:18 UTC
        "2027-03-09T23:05:59Z" → 9 March 2027, 23:05 UTC | 9 Mawrth 2027, 23:05 UTC
        "2026-06-30T12:00:00+01:00" → 30 June 2026, 11:00 UTC | 30 Mehefin 2026, 11:00 UTC
        "not a time" → not a time | not a time
        "" →  | "#]]
    .assert_eq(&shown.join("\n"));
    expect![[r#"<time datetime="2026-12-02T00:18:00.459Z">2 Rhagfyr 2026, 00:18 UTC</time>"#]]
        .assert_eq(&when(PageLang::Cy, "2026-12-02T00:18:00.459Z").into_string());
}

#[test]
fn console_pages_mark_the_current_section_scroll_tables_and_show_times_in_words() {
    let app = app();
    add_person(&app, "owner@example.org", "owner");
    let owner = sign_in(&app, "owner@example.org", at(TimeDelta::zero()));
    let (status, overview) = get(&app, "/admin/sites/demo?lang=cy", &owner);
    assert_eq!(status, 200, "{overview}");
    assert!(overview.contains("<body class=\"console\"><header class=\"console-header\"><nav"), "{overview}");
    assert!(overview.contains("aria-current=\"page\">Trosolwg</a>"), "{overview}");
    // The sections are linked once (the navigation), not listed again on the overview.
    assert_eq!(overview.matches("href=\"/admin/sites/demo/audit?lang=cy\"").count(), 1, "{overview}");
    assert!(overview.contains("News and events (email)"), "{overview}");
    let (status, audit) = get(&app, "/admin/sites/demo/audit", &owner);
    assert_eq!(status, 200, "{audit}");
    assert!(
        audit.contains("<div class=\"table-scroll\" role=\"region\" tabindex=\"0\" aria-label=\"Table (scrolls sideways)\"><table"),
        "{audit}"
    );
    assert!(audit.contains("aria-current=\"page\">Audit trail</a>"), "{audit}");
    assert!(audit.contains("<time datetime=\"2026-"), "{audit}");
    assert_eq!(audit.matches("<table").count(), audit.matches("</table></div>").count(), "{audit}");
}

#[test]
fn an_added_purpose_is_stored_as_a_site_change_and_offered_by_the_widget_at_once() {
    let app = app();
    let (owner, csrf) = on_wording(&app, "owner@example.org", "owner");
    let before = site_changes(&app).len();
    let answer = post(&app, "/admin/sites/demo/wording", &owner, &purpose_fields(&csrf, &[]));
    assert_eq!(answer.status, 303, "{}", String::from_utf8_lossy(&answer.body));
    assert_eq!(answer.header("location"), Some("/admin/sites/demo/wording?lang=en&saved=1#reunions.email"));
    let site = stored(&app);
    let added = site.purpose("reunions", consent_shared::site::Channel::Email).expect("added");
    assert_eq!((added.current_version, added.basis, added.wordings.len()), (1, Default::default(), 1));
    assert_eq!(added.wordings[0].text, "Email me about reunions for my year.");
    let changes = site_changes(&app);
    assert_eq!(changes.len(), before + 1);
    let (actor, detail) = changes.first().unwrap();
    assert!(actor.starts_with("person:"), "{actor}");
    assert!(detail.contains("reunions/email v1"), "{detail}");
    let config = send(
        &app,
        &HttpRequest::new("GET", "/api/v1/sites/demo/config").with_header("origin", "http://127.0.0.1:8788"),
    );
    let config = String::from_utf8_lossy(&config.body).to_string();
    assert!(config.contains("\"purpose\":\"reunions\",\"channel\":\"email\""), "{config}");
    let (_, page) = get(&app, "/admin/sites/demo/wording", &owner);
    assert!(page.contains("id=\"reunions.email\""), "{page}");
}

/// (what is wrong, the fields posted differently, the fields that then show an error).
type Case = (&'static str, &'static [(&'static str, &'static str)], &'static [&'static str]);

#[test]
fn a_refused_purpose_shows_each_error_beside_its_field_and_stores_nothing() {
    let app = app();
    let (owner, csrf) = on_wording(&app, "owner@example.org", "owner");
    let before = (stored(&app), site_changes(&app));
    let cases: [Case; 6] = [
        (
            "bad key and empty texts",
            &[("purpose", "Re Unions!"), ("label_en", " "), ("text_en", "")],
            &["purpose", "label_en", "text_en"],
        ),
        ("taken", &[("purpose", "news")], &["purpose"]),
        ("no channel", &[("channel", "pigeon")], &["channel"]),
        ("legitimate interests by email", &[("basis", "legitimate_interests")], &["basis"]),
        (
            "soft opt-in without a charity number",
            &[("basis", "charity_soft_opt_in"), ("furthers", "yes"), ("refusal_en", "No thanks")],
            &["basis"],
        ),
        (
            "soft opt-in without a refusal label",
            &[("basis", "charity_soft_opt_in"), ("furthers", "yes")],
            &["basis", "refusal_en"],
        ),
    ];
    for (case, overrides, fields) in cases {
        let answer = post(&app, "/admin/sites/demo/wording", &owner, &purpose_fields(&csrf, overrides));
        let (status, page) = text(answer);
        assert_eq!(status, 422, "{case}: {page}");
        assert!(page.contains("role=\"alert\""), "{case}: {page}");
        for field in fields {
            assert!(page.contains(&format!("id=\"add-{field}-error\"")), "{case}: {field}: {page}");
            assert!(
                page.contains(&format!("aria-describedby=\"add-{field}-error\""))
                    || *field == "basis"
                    || *field == "purpose",
                "{case}: {field}"
            );
        }
        assert_eq!(page.matches("class=\"field-error\"").count(), fields.len(), "{case}: {page}");
    }
    assert_eq!((stored(&app), site_changes(&app)), before);
}

#[test]
fn a_charity_soft_opt_in_needs_the_declaration() {
    let app = app();
    let mut site = stored(&app);
    site.organisation.charity_number = Some("1234567".into());
    pollster::block_on(app.store.put_site(&site, "2026-11-24T00:00:00.000Z")).unwrap();
    let (owner, csrf) = on_wording(&app, "owner@example.org", "owner");
    let soft = [("basis", "charity_soft_opt_in"), ("refusal_en", "I don't want these emails")];
    let (status, page) = text(post(&app, "/admin/sites/demo/wording", &owner, &purpose_fields(&csrf, &soft)));
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("id=\"add-furthers-error\""), "{page}");
    let declared = [soft[0], soft[1], ("furthers", "yes")];
    let answer = post(&app, "/admin/sites/demo/wording", &owner, &purpose_fields(&csrf, &declared));
    assert_eq!(answer.status, 303, "{}", String::from_utf8_lossy(&answer.body));
    let site = stored(&app);
    let added = site.purpose("reunions", consent_shared::site::Channel::Email).unwrap();
    assert!(added.furthers_charitable_purposes);
    assert_eq!(added.wordings[0].refusal.as_deref(), Some("I don't want these emails"));
}

#[test]
fn an_editor_may_add_a_purpose_a_dpo_and_a_viewer_may_not() {
    let app = app();
    let (editor, csrf) = on_wording(&app, "editor@example.org", "editor");
    let answer = post(&app, "/admin/sites/demo/wording", &editor, &purpose_fields(&csrf, &[]));
    assert_eq!(answer.status, 303);
    let before = (stored(&app), site_changes(&app));
    // A DPO reads the wording but may not change it: no form, and a post is refused.
    let (dpo, csrf) = on_wording(&app, "dpo@example.org", "dpo");
    let (_, page) = get(&app, "/admin/sites/demo/wording", &dpo);
    assert!(!page.contains("new-purpose"), "{page}");
    let fields = purpose_fields(&csrf, &[("purpose", "dinners")]);
    let (status, page) = text(post(&app, "/admin/sites/demo/wording", &dpo, &fields));
    assert_eq!(status, 403, "{page}");
    // A viewer does not see the Wording page at all.
    add_person(&app, "viewer@example.org", "viewer");
    let viewer = sign_in(&app, "viewer@example.org", at(TimeDelta::zero()));
    assert_eq!(get(&app, "/admin/sites/demo/wording", &viewer).0, 403);
    let (status, page) = text(post(&app, "/admin/sites/demo/wording", &viewer, &fields));
    assert_eq!(status, 403, "{page}");
    assert_eq!((stored(&app), site_changes(&app)), before);
}
