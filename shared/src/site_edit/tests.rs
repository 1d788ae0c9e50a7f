use expect_test::expect;

use super::*;
use crate::api::v1::{CookieCategoryDefinition, PurposeDefinition};
use crate::site::{CategoryText, Channel, ConsentSignal, Organisation};

fn definition(news_text: &str, banner_text: &str) -> SiteDefinition {
    SiteDefinition {
        organisation: Organisation {
            name: "Rowing Club".into(),
            contact_email: "sec@club.example".into(),
            postal_address: "Boathouse, River Lane".into(),
            privacy_notice_url: "https://club.example/privacy".into(),
            cookie_policy_url: "https://club.example/cookies".into(),
        },
        allowed_origins: vec!["https://club.example".into(), "http://127.0.0.1:8788".into()],
        default_lang: "en".into(),
        purposes: vec![PurposeDefinition {
            purpose: "news".into(),
            channel: Channel::Email,
            wordings: vec![
                WordingDefinition { lang: "en".into(), label: "News".into(), text: news_text.into() },
                WordingDefinition { lang: "cy".into(), label: "Newyddion".into(), text: "Testun".into() },
            ],
        }],
        cookie_categories: vec![CookieCategoryDefinition {
            key: "analytics".into(),
            required: false,
            texts: vec![CategoryText {
                lang: "en".into(),
                label: "Analytics".into(),
                description: "Counts visits".into(),
            }],
            consent_mode: vec![ConsentSignal::AnalyticsStorage],
        }],
        banner: vec![TextDefinition { lang: "en".into(), text: banner_text.into() }],
        double_opt_in: false,
    }
}

fn versions(site: &SiteConfig) -> String {
    let pc = &site.purposes[0];
    let wordings: Vec<String> =
        pc.wordings.iter().map(|w| format!("v{} {} {:?}", w.version, w.lang, w.text)).collect();
    let banner: Vec<String> = site.banner.iter().map(|b| format!("v{} {:?}", b.version, b.text)).collect();
    format!(
        "current v{}: {}\npolicy v{}: {}\n",
        pc.current_version,
        wordings.join(", "),
        site.policy_version,
        banner.join(", ")
    )
}

#[test]
fn wording_changes_create_versions_and_keep_old_ones() {
    let first = apply_definition("club", None, &definition("Email me news", "We use cookies")).unwrap();
    let same =
        apply_definition("club", Some(&first), &definition("Email me news", "We use cookies")).unwrap();
    let edited =
        apply_definition("club", Some(&same), &definition("Email me news and events", "We use cookies"))
            .unwrap();
    let rebannered =
        apply_definition("club", Some(&edited), &definition("Email me news and events", "Cookies!")).unwrap();
    let actual = [&first, &same, &edited, &rebannered].map(versions).join("--\n");
    expect![[r#"
        current v1: v1 en "Email me news", v1 cy "Testun"
        policy v1: v1 "We use cookies"
        --
        current v1: v1 en "Email me news", v1 cy "Testun"
        policy v1: v1 "We use cookies"
        --
        current v2: v1 en "Email me news", v1 cy "Testun", v2 en "Email me news and events", v2 cy "Testun"
        policy v1: v1 "We use cookies"
        --
        current v2: v1 en "Email me news", v1 cy "Testun", v2 en "Email me news and events", v2 cy "Testun"
        policy v2: v1 "We use cookies", v2 "Cookies!"
    "#]]
    .assert_eq(&actual);
    assert_eq!(first.purposes[0].wordings[0].sha256, sha256_hex(b"Email me news"));
}

#[test]
fn invalid_definitions_as_data() {
    let base = || definition("Email me news", "We use cookies");
    let mut cases: Vec<(&str, SiteDefinition)> = Vec::new();
    let mut d = base();
    d.organisation.name = " ".into();
    cases.push(("blank name", d));
    let mut d = base();
    d.organisation.contact_email = "nope".into();
    cases.push(("contact email", d));
    let mut d = base();
    d.organisation.privacy_notice_url = "ftp://x".into();
    cases.push(("privacy url", d));
    let mut d = base();
    d.allowed_origins.push("https://club.example/path".into());
    cases.push(("origin with path", d));
    let mut d = base();
    d.purposes[0].purpose = "News!".into();
    cases.push(("purpose key", d));
    let mut d = base();
    d.purposes.push(d.purposes[0].clone());
    cases.push(("duplicate purpose", d));
    let mut d = base();
    d.purposes[0].wordings.remove(0);
    cases.push(("no default wording", d));
    let mut d = base();
    d.purposes[0].wordings[1].lang = "en".into();
    cases.push(("duplicate lang", d));
    let mut d = base();
    d.banner.clear();
    cases.push(("no banner", d));
    let mut d = base();
    d.default_lang = "English".into();
    cases.push(("lang code", d));
    let mut d = base();
    d.cookie_categories[0].consent_mode.push(ConsentSignal::AnalyticsStorage);
    cases.push(("signal twice", d));
    let mut d = base();
    d.cookie_categories[0].required = true;
    cases.push(("signal on a required category", d));
    let actual: String = cases
        .iter()
        .map(|(name, d)| format!("{name}: {}\n", apply_definition("club", None, d).unwrap_err()))
        .collect();
    expect![[r#"
        blank name: organisation.name must not be empty
        contact email: organisation.contact_email is not a valid email address
        privacy url: organisation.privacy_notice_url must be an absolute http(s) URL
        origin with path: allowed origin 'https://club.example/path' must look like https://example.org (scheme, host, optional port; no path)
        purpose key: 'News!' must be 1-40 characters of a-z, 0-9, '-' or '_'
        duplicate purpose: purpose 'news' on channel 'email' is defined twice
        no default wording: purpose 'news' on channel 'email' has no wording in the default language 'en'
        duplicate lang: purpose 'news' on channel 'email' has two wordings in language 'en'
        no banner: the banner needs a text in the default language 'en' when there are cookie categories
        lang code: language 'English' must be a short code such as en or cy
        signal twice: cookie category 'analytics' names the Consent Mode signal 'analytics_storage' twice
        signal on a required category: cookie category 'analytics' is required, so it cannot grant Consent Mode signals: each of them needs the visitor's consent
    "#]]
    .assert_eq(&actual);
    assert_eq!(apply_definition("Bad Id", None, &base()).unwrap_err(), DefinitionError::SiteId);
}

/// Consent Mode signals come from the definition: any category name, only the four signal names.
#[test]
fn consent_mode_signals_are_read_from_the_definition() {
    let json = |signals: &str| {
        format!(r#"{{"key":"statistics","required":false,"texts":[],"consent_mode":{signals}}}"#)
    };
    let parsed = |signals: &str| {
        serde_json::from_str::<CookieCategoryDefinition>(&json(signals)).map(|c| c.consent_mode)
    };
    expect![[r#"
        Ok(
            [
                AnalyticsStorage,
                AdUserData,
            ],
        )
    "#]]
    .assert_debug_eq(&parsed(r#"["analytics_storage","ad_user_data"]"#));
    expect!["unknown variant `analytics`, expected one of `ad_storage`, `analytics_storage`, `ad_user_data`, `ad_personalization` at line 1 column 75"]
    .assert_eq(&parsed(r#"["analytics"]"#).unwrap_err().to_string());
    let without = r#"{"key":"statistics","required":false,"texts":[]}"#;
    let c: CookieCategoryDefinition = serde_json::from_str(without).unwrap();
    assert!(c.consent_mode.is_empty(), "nothing declared grants nothing");
    let mut d = definition("Email me news", "We use cookies");
    d.cookie_categories[0].key = "statistics".into();
    let site = apply_definition("club", None, &d).unwrap();
    assert_eq!(site.cookie_categories[0].consent_mode, vec![ConsentSignal::AnalyticsStorage]);
}
