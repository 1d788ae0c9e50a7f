use expect_test::expect;

use super::*;
use crate::api::v1::{CookieCategoryDefinition, PurposeDefinition};
use crate::basis::{CookieBasis, LawfulBasis};
use crate::site::{CategoryText, Channel, ConsentSignal, Organisation};

fn definition(news_text: &str, banner_text: &str) -> SiteDefinition {
    SiteDefinition {
        organisation: Organisation {
            name: "Rowing Club".into(),
            contact_email: "sec@club.example".into(),
            postal_address: "Boathouse, River Lane".into(),
            privacy_notice_url: "https://club.example/privacy".into(),
            cookie_policy_url: "https://club.example/cookies".into(),
            charity_number: None,
        },
        allowed_origins: vec!["https://club.example".into(), "http://127.0.0.1:8788".into()],
        default_lang: "en".into(),
        purposes: vec![PurposeDefinition {
            purpose: "news".into(),
            channel: Channel::Email,
            wordings: vec![
                WordingDefinition {
                    lang: "en".into(),
                    label: "News".into(),
                    text: news_text.into(),
                    refusal: None,
                },
                WordingDefinition {
                    lang: "cy".into(),
                    label: "Newyddion".into(),
                    text: "Testun".into(),
                    refusal: None,
                },
            ],
            basis: Default::default(),
            furthers_charitable_purposes: false,
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
            basis: None,
        }],
        banner: vec![TextDefinition { lang: "en".into(), text: banner_text.into() }],
        double_opt_in: false,
        region_rules: Default::default(),
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

/// A charity's definition with one purpose on the charitable soft opt-in.
fn charity_definition() -> SiteDefinition {
    let mut d = definition("Email me news", "We use cookies");
    d.organisation.charity_number = Some("1234567".into());
    d.purposes.push(PurposeDefinition {
        purpose: "our-work".into(),
        channel: Channel::Email,
        wordings: vec![WordingDefinition {
            lang: "en".into(),
            label: "Our work".into(),
            text: "We'll email you about our work because you supported us. You can stop this at any time."
                .into(),
            refusal: Some("I don't want to receive emails about your work".into()),
        }],
        basis: LawfulBasis::CharitySoftOptIn,
        furthers_charitable_purposes: true,
    });
    d
}

#[test]
fn lawful_basis_definitions_as_data() {
    let mut cases: Vec<(&str, SiteDefinition)> = Vec::new();
    cases.push(("charity with a soft opt-in purpose", charity_definition()));
    let mut d = charity_definition();
    d.organisation.charity_number = None;
    cases.push(("soft opt-in without a charity number", d));
    let mut d = charity_definition();
    d.organisation.charity_number = Some("12-AB".into());
    cases.push(("malformed charity number", d));
    for number in ["SC012345", "NIC100002", "exempt: Office for Students"] {
        let mut d = charity_definition();
        d.organisation.charity_number = Some(number.into());
        cases.push((number, d));
    }
    let mut d = charity_definition();
    d.purposes[1].channel = Channel::Phone;
    cases.push(("soft opt-in by phone", d));
    let mut d = charity_definition();
    d.purposes[1].channel = Channel::Sms;
    cases.push(("soft opt-in by SMS", d));
    let mut d = charity_definition();
    d.purposes[1].furthers_charitable_purposes = false;
    cases.push(("soft opt-in for a purpose not furthering charitable purposes", d));
    let mut d = charity_definition();
    d.purposes[1].wordings[0].refusal = None;
    cases.push(("soft opt-in without a refusal label", d));
    let mut d = charity_definition();
    d.purposes[0].wordings[0].refusal = Some("No thanks".into());
    cases.push(("refusal label on a consent purpose", d));
    let mut d = charity_definition();
    d.purposes[0].basis = LawfulBasis::LegitimateInterests;
    cases.push(("legitimate interests by email", d));
    let mut d = charity_definition();
    d.purposes[0].channel = Channel::Post;
    d.purposes[0].basis = LawfulBasis::LegitimateInterests;
    cases.push(("legitimate interests by post", d));
    let mut d = charity_definition();
    d.cookie_categories[0].basis = Some(CookieBasis::Statistics);
    cases.push(("statistics category granting analytics_storage", d));
    let mut d = charity_definition();
    d.cookie_categories[0].basis = Some(CookieBasis::Statistics);
    d.cookie_categories[0].consent_mode = vec![ConsentSignal::AdStorage];
    cases.push(("statistics category granting ad_storage", d));
    let mut d = charity_definition();
    d.cookie_categories[0].basis = Some(CookieBasis::Appearance);
    d.cookie_categories[0].consent_mode.clear();
    d.cookie_categories[0].required = true;
    cases.push(("required category with basis appearance", d));
    let mut d = charity_definition();
    d.cookie_categories[0].basis = Some(CookieBasis::StrictlyNecessary);
    d.cookie_categories[0].consent_mode.clear();
    cases.push(("basis strictly_necessary without required", d));
    let actual: String = cases
        .iter()
        .map(|(name, d)| match apply_definition("club", None, d) {
            Ok(site) => {
                let purposes: Vec<String> = site
                    .purposes
                    .iter()
                    .map(|p| format!("{}/{}={}", p.purpose, p.channel.as_str(), p.basis.as_str()))
                    .collect();
                let categories: Vec<String> = site
                    .cookie_categories
                    .iter()
                    .map(|c| format!("{}={} required={}", c.key, c.basis.as_str(), c.required))
                    .collect();
                format!("{name}: ok {} | {}\n", purposes.join(" "), categories.join(" "))
            }
            Err(e) => format!("{name}: {e}\n"),
        })
        .collect();
    expect![[r#"
        charity with a soft opt-in purpose: ok news/email=consent our-work/email=charity_soft_opt_in | analytics=consent required=false
        soft opt-in without a charity number: purpose 'our-work' on channel 'email': the charitable purpose soft opt-in is for charities only: give the organisation's charity number
        malformed charity number: organisation.charity_number '12-AB' is not a charity number: give the digits of a charity registered in England and Wales (e.g. 1234567), SC and 6 digits in Scotland, NIC and 6 digits in Northern Ireland, or 'exempt: <principal regulator>' for an exempt charity
        SC012345: ok news/email=consent our-work/email=charity_soft_opt_in | analytics=consent required=false
        NIC100002: ok news/email=consent our-work/email=charity_soft_opt_in | analytics=consent required=false
        exempt: Office for Students: ok news/email=consent our-work/email=charity_soft_opt_in | analytics=consent required=false
        soft opt-in by phone: purpose 'our-work' on channel 'phone': the charitable purpose soft opt-in covers electronic mail (email and SMS) only, not Phone
        soft opt-in by SMS: ok news/email=consent our-work/sms=charity_soft_opt_in | analytics=consent required=false
        soft opt-in for a purpose not furthering charitable purposes: purpose 'our-work' on channel 'email': the charitable purpose soft opt-in is only for messages whose sole purpose is to further the charity's charitable purposes: mark the purpose as such, or ask for consent
        soft opt-in without a refusal label: purpose 'our-work' on channel 'email' rests on the charitable purpose soft opt-in: its wording in 'en' needs a 'refusal' (the label of the unticked box to refuse, e.g. "I don't want to receive emails about our work"), and its 'text' is the notice shown instead of a consent statement
        refusal label on a consent purpose: purpose 'news' on channel 'email' has a 'refusal' label, which only a purpose on the charitable purpose soft opt-in shows
        legitimate interests by email: purpose 'news' on channel 'email': legitimate interests without consent is offered for post only, not Email: email, SMS and phone marketing need consent or the soft opt-in
        legitimate interests by post: ok news/post=legitimate_interests our-work/email=charity_soft_opt_in | analytics=consent required=false
        statistics category granting analytics_storage: ok news/email=consent our-work/email=charity_soft_opt_in | analytics=statistics required=false
        statistics category granting ad_storage: cookie category 'analytics' runs without consent (basis 'statistics'), so it cannot grant the advertising signal 'ad_storage': advertising, profiling and cross-site tracking always need consent (basis 'consent')
        required category with basis appearance: cookie category 'analytics' is required (strictly necessary) but its basis is 'appearance'
        basis strictly_necessary without required: ok news/email=consent our-work/email=charity_soft_opt_in | analytics=strictly_necessary required=true
    "#]].assert_eq(&actual);
}

#[test]
fn a_notice_and_its_refusal_are_versioned_together() {
    let first = apply_definition("club", None, &charity_definition()).unwrap();
    let mut d = charity_definition();
    d.purposes[1].wordings[0].refusal = Some("Please don't email me".into());
    let second = apply_definition("club", Some(&first), &d).unwrap();
    let again = apply_definition("club", Some(&second), &d).unwrap();
    let pc = |s: &SiteConfig| s.purposes[1].clone();
    assert_eq!(pc(&first).current_version, 1);
    assert_eq!(pc(&second).current_version, 2);
    assert_eq!(pc(&again).current_version, 2);
    let refusals: Vec<_> =
        pc(&again).wordings.iter().map(|w| (w.version, w.refusal.clone().unwrap())).collect();
    assert_eq!(
        refusals,
        [(1, "I don't want to receive emails about your work".into()), (2, "Please don't email me".into())]
    );
    assert_eq!(first.region_rules, crate::basis::RegionRules::default());
}

/// Definitions written before lawful bases keep working: `required` alone still decides.
#[test]
fn older_cookie_definitions_derive_their_basis() {
    let json = r#"[{"key":"essential","required":true,"texts":[]},{"key":"analytics","required":false,"texts":[]},{"key":"stats","basis":"statistics","texts":[]}]"#;
    let defs: Vec<CookieCategoryDefinition> = serde_json::from_str(json).unwrap();
    let bases: Vec<_> = defs.iter().map(|c| category_basis(c.required, c.basis).as_str()).collect();
    assert_eq!(bases, ["strictly_necessary", "consent", "statistics"]);
}

#[test]
fn the_definition_of_a_site_applies_to_the_same_site() {
    let first = apply_definition("club", None, &definition("Old", "Banner one")).unwrap();
    let second = apply_definition("club", Some(&first), &definition("New", "Banner two")).unwrap();
    let again = apply_definition("club", Some(&second), &definition_of(&second)).unwrap();
    assert_eq!(again, second);
    assert_eq!(definition_of(&second).purposes[0].wordings[0].text, "New");
}
