use chrono::DateTime;
use expect_test::expect;

use super::*;
use crate::api::v1::ChosenPurpose;
use crate::site::{Organisation, PurposeChannel, Wording};

fn site() -> SiteConfig {
    let wording = |version: u32, lang: &str, text: &str| Wording {
        version,
        lang: lang.into(),
        label: "News and events".into(),
        text: text.into(),
        sha256: sha256_hex(text.as_bytes()),
    };
    SiteConfig {
        id: "demo".into(),
        organisation: Organisation {
            name: "Demo Alumni Association".into(),
            contact_email: "privacy@example.org".into(),
            postal_address: "1 High Street".into(),
            privacy_notice_url: "https://example.org/privacy".into(),
            cookie_policy_url: "https://example.org/cookies".into(),
        },
        allowed_origins: vec!["http://127.0.0.1:8788".into()],
        default_lang: "en".into(),
        policy_version: 1,
        purposes: vec![PurposeChannel {
            purpose: "news".into(),
            channel: Channel::Email,
            current_version: 2,
            wordings: vec![wording(1, "en", "old words"), wording(2, "en", "new words")],
        }],
        cookie_categories: vec![],
        banner: vec![],
    }
}

fn submission(email: &str, choices: &[(&str, Channel, u32)]) -> ConsentSubmission {
    ConsentSubmission {
        email: email.into(),
        consents: choices
            .iter()
            .map(|(p, c, v)| ChosenPurpose { purpose: (*p).into(), channel: *c, wording_version: *v })
            .collect(),
        page_url: "http://127.0.0.1:8788/".into(),
        lang: None,
        client_time: None,
    }
}

fn ctx() -> RequestContext {
    RequestContext {
        now: DateTime::from_timestamp_millis(1_795_000_000_123).unwrap(),
        user_agent: Some("test-agent".into()),
        ip: Some("203.0.113.77".into()),
        gpc: false,
        idempotency_key: Some("k1".into()),
    }
}

#[test]
fn validation_as_data() {
    let mut too_many = submission("a@example.org", &[]);
    too_many.consents = (0..33)
        .map(|i| ChosenPurpose { purpose: format!("p{i}"), channel: Channel::Email, wording_version: 1 })
        .collect();
    let mut bad_url = submission("a@example.org", &[("news", Channel::Email, 2)]);
    bad_url.page_url = "javascript:alert(1)".into();
    let mut welsh = submission("a@example.org", &[("news", Channel::Email, 2)]);
    welsh.lang = Some("cy".into());
    let cases = [
        ("ok", submission("A@Example.org", &[("news", Channel::Email, 2)])),
        ("bad email", submission("nope", &[("news", Channel::Email, 2)])),
        ("nothing ticked", submission("a@example.org", &[])),
        ("too many", too_many),
        ("unknown purpose", submission("a@example.org", &[("golf", Channel::Email, 1)])),
        ("unknown channel", submission("a@example.org", &[("news", Channel::Sms, 1)])),
        ("stale wording", submission("a@example.org", &[("news", Channel::Email, 1)])),
        (
            "duplicate",
            submission("a@example.org", &[("news", Channel::Email, 2), ("news", Channel::Email, 2)]),
        ),
        ("bad url", bad_url),
        ("unknown language", welsh),
    ];
    let actual: String = cases
        .iter()
        .map(|(name, s)| match validate_submission(&site(), s) {
            Ok(email) => format!("{name}: ok {email}\n"),
            Err(e) => format!("{name}: {e}\n"),
        })
        .collect();
    expect![[r#"
        ok: ok a@example.org
        bad email: email address must contain exactly one '@' with text on both sides
        nothing ticked: no purposes were ticked: consent must be a positive choice
        too many: too many purposes in one submission (at most 32)
        unknown purpose: unknown purpose 'golf' on channel 'email' for this site
        unknown channel: unknown purpose 'news' on channel 'sms' for this site
        stale wording: wording version 1 of 'news' on 'email' is not current (current is 2); reload the form
        duplicate: purpose 'news' on channel 'email' was chosen twice
        bad url: page_url must be an absolute http(s) URL of at most 2048 characters
        unknown language: language 'cy' is not offered by this site
    "#]]
    .assert_eq(&actual);
}

fn planned(head: &ChainHead) -> SubmissionPlan {
    let site = site();
    let s = submission("a@example.org", &[("news", Channel::Email, 2)]);
    let email = validate_submission(&site, &s).unwrap();
    let mut ids = (1..).map(|i| format!("evt-{i}"));
    plan_events(
        &site,
        email,
        "subj".into(),
        &submission_choices(&s),
        &submission_provenance(&site, &s),
        &ctx(),
        head,
        &mut ids,
    )
}

#[test]
fn plan_records_exact_wording_and_evidence() {
    let plan = planned(&ChainHead::genesis());
    let e = &plan.events[0];
    assert_eq!(e.seq, 1);
    assert_eq!(e.prev_hash, GENESIS_HASH);
    assert_eq!(e.wording_version, 2);
    assert_eq!(e.wording_sha256, sha256_hex(b"new words"));
    assert_eq!(e.method, Method::WebForm);
    assert_eq!(e.action, Action::Granted);
    assert_eq!(e.server_time, "2026-11-18T11:06:40.123Z");
    assert_eq!(e.ip_truncated.as_deref(), Some("203.0.113.0/24"));
    assert_eq!(e.hash, event_hash(e));
    assert_eq!(plan.receipt().events[0].wording_sha256, e.wording_sha256);
}

#[test]
fn verifier_accepts_a_chain_and_names_the_first_broken_link() {
    let first = planned(&ChainHead::genesis()).events;
    let head = ChainHead { seq: 1, hash: first[0].hash.clone() };
    let second = planned(&head).events;
    let chain = [first[0].clone(), second[0].clone()];

    let mut v = ChainVerifier::default();
    assert!(chain.iter().all(|e| v.check(e).is_ok()));
    assert_eq!(v.checked, 2);

    let mut tampered = chain.clone();
    tampered[0].action = Action::Withdrawn;
    let mut v = ChainVerifier::default();
    let broken = tampered.iter().find_map(|e| v.check(e).err()).unwrap();
    assert_eq!((broken.seq, broken.reason), (1, "hash does not match the event's contents: it was altered"));

    let mut v = ChainVerifier::default();
    let broken = chain[1..].iter().find_map(|e| v.check(e).err()).unwrap();
    assert_eq!(broken.reason, "sequence gap: an event is missing or was inserted");
}

#[test]
fn hash_format_is_pinned() {
    // Changing the canonical form silently would make every stored chain look tampered with.
    let e = &planned(&ChainHead::genesis()).events[0];
    expect!["ab950d5199551fa758b48ed4a70ce67e425bdc94882d132b080dd21753c098d8"].assert_eq(&e.hash);
}

#[test]
fn ip_truncation() {
    assert_eq!(truncate_ip("198.51.100.23").as_deref(), Some("198.51.100.0/24"));
    assert_eq!(truncate_ip("2001:db8:abcd:12::1").as_deref(), Some("2001:db8:abcd::/48"));
    assert_eq!(truncate_ip("not an ip"), None);
}
