//! Consent Mode signals from the site's definition: whatever a category is called, what it grants
//! is what the owner declared, served to the loader in the policy answer and the configuration.

use super::*;

fn definition(categories: serde_json::Value) -> String {
    serde_json::json!({
        "organisation": {"name": "Rowing Club", "contact_email": "sec@club.example", "postal_address": "Boathouse",
            "privacy_notice_url": "https://club.example/privacy", "cookie_policy_url": "https://club.example/cookies"},
        "allowed_origins": ["https://club.example"],
        "default_lang": "en",
        "purposes": [],
        "cookie_categories": categories,
        "banner": [{"lang": "en", "text": "We use cookies."}]
    })
    .to_string()
}

fn category(key: &str, required: bool, signals: serde_json::Value) -> serde_json::Value {
    serde_json::json!({"key": key, "required": required,
        "texts": [{"lang": "en", "label": key, "description": "About it."}], "consent_mode": signals})
}

fn get(app: &App<SqlStore<SqliteExecutor>>, tail: &str) -> String {
    let path = format!("/api/v1/sites/club/{tail}");
    summary(&send(app, &HttpRequest::new("GET", &path).with_header("origin", "https://club.example")))
}

#[test]
fn a_category_named_statistics_grants_analytics_storage() {
    let app = app();
    let def = definition(serde_json::json!([
        category("necessary", true, serde_json::json!([])),
        category("statistics", false, serde_json::json!(["analytics_storage"])),
        category("ads", false, serde_json::json!(["ad_storage", "ad_user_data", "ad_personalization"])),
        category("video", false, serde_json::json!([])),
    ]));
    let created = send(&app, &admin("PUT", "/api/v1/admin/sites/club", Some(&def)));
    assert_eq!(created.status, 201, "{}", summary(&created));
    expect![[r#"200 {"policy_version":1,"banner_sha256":"78a2e13863e81a3a8e4ed5d666dbf99bb615f765a344b0f347fdd5893a71259c","cookie_policy_url":"https://club.example/cookies","categories":{"ads":["ad_storage","ad_user_data","ad_personalization"],"statistics":["analytics_storage"],"video":[]},"rule_set":"uk","treatments":{"ads":"opt_in","statistics":"opt_in","video":"opt_in"},"banner_kind":"consent"}"#]]
        .assert_eq(&get(&app, "policy"));
    let config: serde_json::Value =
        serde_json::from_str(get(&app, "config").strip_prefix("200 ").unwrap()).unwrap();
    let signals: Vec<String> = config["cookie_categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| format!("{} {}", c["key"], c["consent_mode"]))
        .collect();
    expect![[r#"
        [
            "\"necessary\" null",
            "\"statistics\" [\"analytics_storage\"]",
            "\"ads\" [\"ad_storage\",\"ad_user_data\",\"ad_personalization\"]",
            "\"video\" null",
        ]
    "#]]
    .assert_debug_eq(&signals);
}

#[test]
fn bad_consent_mode_declarations_as_data() {
    let app = app();
    let cases = [
        ("unknown signal", category("statistics", false, serde_json::json!(["analytics"]))),
        ("twice", category("statistics", false, serde_json::json!(["ad_storage", "ad_storage"]))),
        ("required", category("necessary", true, serde_json::json!(["analytics_storage"]))),
    ];
    let actual: String = cases
        .into_iter()
        .map(|(name, c)| {
            let r = send(
                &app,
                &admin("PUT", "/api/v1/admin/sites/club", Some(&definition(serde_json::json!([c])))),
            );
            format!("{name}: {}\n", summary(&r))
        })
        .collect();
    expect![[r#"
        unknown signal: 400 {"error":{"code":"bad_json","message":"request body is not valid JSON for this endpoint: unknown variant `analytics`, expected one of `ad_storage`, `analytics_storage`, `ad_user_data`, `ad_personalization` at line 1 column 143"}}
        twice: 422 {"error":{"code":"invalid_site_definition","message":"cookie category 'statistics' names the Consent Mode signal 'ad_storage' twice"}}
        required: 422 {"error":{"code":"invalid_site_definition","message":"cookie category 'necessary' is required, so it cannot grant Consent Mode signals: each of them needs the visitor's consent"}}
    "#]]
    .assert_eq(&actual);
}

/// Sites defined before migration 0008 keep the signals the loader used to derive from fixed
/// category names — now as data the owner can see and change; other names grant nothing.
#[test]
fn migration_0008_writes_down_the_old_name_based_signals() {
    use crate::store::sqlite::MIGRATIONS;
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    let (before, after): (Vec<_>, Vec<_>) = MIGRATIONS.iter().partition(|(name, _)| *name < "0008");
    for (_, script) in before {
        conn.execute_batch(script).unwrap();
    }
    conn.execute_batch(
        "INSERT INTO cookie_categories (site_id, key, required, position, texts) VALUES \
           ('s', 'necessary', 1, 0, '[]'), ('s', 'analytics', 0, 1, '[]'), ('s', 'marketing', 0, 2, '[]'), \
           ('s', 'statistics', 0, 3, '[]')",
    )
    .unwrap();
    for (_, script) in after {
        conn.execute_batch(script).unwrap();
    }
    let mut q = conn.prepare("SELECT key, consent_mode FROM cookie_categories ORDER BY position").unwrap();
    let rows: Vec<String> = q
        .query_map([], |r| Ok(format!("{} {}", r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    expect![[r#"
        [
            "necessary []",
            "analytics [\"analytics_storage\"]",
            "marketing [\"ad_storage\",\"ad_user_data\",\"ad_personalization\"]",
            "statistics []",
        ]
    "#]]
    .assert_debug_eq(&rows);
}
