use chrono::DateTime;
use expect_test::expect;

use super::*;
use crate::api::v1::ChosenPurpose;
use crate::consent::ConsentEvent;
use crate::site::{Organisation, PurposeChannel, Wording};

fn site() -> SiteConfig {
    let wording = |version: u32, lang: &str, text: &str| Wording {
        version,
        lang: lang.into(),
        label: "News and events".into(),
        text: text.into(),
        sha256: sha256_hex(text.as_bytes()),
        refusal: None,
    };
    SiteConfig {
        id: "demo".into(),
        organisation: Organisation {
            name: "Demo Alumni Association".into(),
            contact_email: "privacy@example.org".into(),
            postal_address: "1 High Street".into(),
            privacy_notice_url: "https://example.org/privacy".into(),
            cookie_policy_url: "https://example.org/cookies".into(),
            charity_number: None,
        },
        allowed_origins: vec!["http://127.0.0.1:8788".into()],
        default_lang: "en".into(),
        policy_version: 1,
        purposes: vec![PurposeChannel {
            purpose: "news".into(),
            channel: Channel::Email,
            current_version: 2,
            wordings: vec![wording(1, "en", "old words"), wording(2, "en", "new words")],
            basis: Default::default(),
            furthers_charitable_purposes: false,
        }],
        cookie_categories: vec![],
        banner: vec![],
        double_opt_in: false,
        region_rules: Default::default(),
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
        context: None,
        notices: vec![],
    }
}

fn ctx() -> RequestContext {
    RequestContext {
        now: DateTime::from_timestamp_millis(1_795_000_000_123).unwrap(),
        user_agent: Some("test-agent".into()),
        ip: Some("203.0.113.77".into()),
        gpc: false,
        idempotency_key: Some("k1".into()),
        request_origin: None,
        fetch_site: None,
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
    let mut foreign_page = submission("a@example.org", &[("news", Channel::Email, 2)]);
    foreign_page.page_url = "https://evil.example/join".into();
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
        ("foreign page", foreign_page),
        ("unknown language", welsh),
    ];
    let actual: String = cases
        .iter()
        .map(|(name, s)| match validate_submission(&site(), s) {
            Ok(email) => format!("{name}: ok {}\n", email.identity()),
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
        foreign page: page_url must be a page on one of this site's registered origins
        unknown language: language 'cy' is not offered by this site
    "#]]
    .assert_eq(&actual);
}

fn planned(email: &str) -> SubmissionPlan {
    let site = site();
    let s = submission(email, &[("news", Channel::Email, 2)]);
    let email = validate_submission(&site, &s).unwrap();
    let mut ids = (1..).map(|i| format!("evt-{i}"));
    let (choices, provenance) = (submission_choices(&s), submission_provenance(&site, &s));
    plan_events(&site, Some(email), "subj".into(), &choices, &provenance, &ctx(), &mut ids)
}

#[test]
fn plan_records_exact_wording_and_evidence() {
    let plan = planned("a@example.org");
    let e = &plan.events[0];
    assert_eq!(e.wording_version, 2);
    assert_eq!(e.wording_sha256, sha256_hex(b"new words"));
    assert_eq!(e.method, Method::WebForm);
    assert_eq!(e.action, Action::Granted);
    assert_eq!(e.server_time, "2026-11-18T11:06:40.123Z");
    assert_eq!(e.ip_truncated.as_deref(), Some("203.0.113.0/24"));
    assert_eq!(plan.receipt().events[0].wording_sha256, e.wording_sha256);
}

fn two_events() -> Vec<ConsentEvent> {
    let mut second = planned("b@example.org").events[0].clone();
    second.id = "evt-2".into();
    vec![planned("a@example.org").events[0].clone(), second]
}

const KEY: &[u8] = b"ledger-key-for-tests-0123456789abcdef";

fn first_break(links: &[ChainLink], events: &[Option<ConsentEvent>]) -> Option<BrokenLink> {
    let mut v = ChainVerifier::new(KEY, ChainKind::Events);
    links
        .iter()
        .zip(events)
        .find_map(|(l, e)| v.check(l, e.as_ref().map(|e| SealedItem::event(e, true)).as_ref()).err())
}

#[test]
fn sealing_chains_events_in_order_and_resumes_from_the_head() {
    let events = two_events();
    let links = seal(KEY, &ChainHead::genesis(), &events);
    assert_eq!((links[0].seq, links[0].prev_hash.as_str()), (1, GENESIS_HASH));
    assert_eq!((links[1].seq, &links[1].prev_hash), (2, &links[0].hash));
    let resumed = seal(KEY, &ChainHead { seq: 1, hash: links[0].hash.clone() }, &events[1..]);
    assert_eq!(resumed[0], links[1], "sealing in two steps gives the same chain");
}

#[test]
fn verifier_names_the_first_broken_link() {
    let events = two_events();
    let links = seal(KEY, &ChainHead::genesis(), &events);
    let present: Vec<_> = events.iter().cloned().map(Some).collect();
    assert_eq!(first_break(&links, &present), None);

    let mut altered = present.clone();
    altered[1].as_mut().unwrap().action = Action::Withdrawn;
    let mut relinked = links.clone();
    relinked[0].event_hash = "0".repeat(64);
    let mut gap = links.clone();
    gap.remove(0);
    let cases = [
        ("event edited", first_break(&links, &altered)),
        ("event deleted", first_break(&links, &[present[0].clone(), None])),
        ("link edited", first_break(&relinked, &present)),
        ("link deleted", first_break(&gap, &present[1..])),
    ];
    let actual: String = cases
        .iter()
        .map(|(name, b)| {
            let b = b.as_ref().unwrap();
            format!("{name}: seq {} {}: {}\n", b.seq, b.event_id, b.reason)
        })
        .collect();
    expect![[r#"
        event edited: seq 2 evt-2: event does not match its sealed hash: it was altered
        event deleted: seq 2 evt-2: the event this link seals is missing: it was deleted
        link edited: seq 1 evt-1: keyed link hash does not match its contents: altered, or recomputed without LEDGER_KEY
        link deleted: seq 2 evt-2: sequence gap: a link is missing or was inserted
    "#]]
    .assert_eq(&actual);
}

#[test]
fn hash_formats_are_pinned() {
    // Changing a canonical form silently would make every stored chain look tampered with.
    let e = &planned("a@example.org").events[0];
    let link = &seal(KEY, &ChainHead::genesis(), std::slice::from_ref(e))[0];
    let legacy = crate::chain::link_hash_v1(1, GENESIS_HASH, &event_hash(e));
    expect!["5377c806e223405085b59666073a901bd12b73824e7650cbb3d3e04cb664f2d2 a77a97a68a75b6b1c2265376b0fe1f8f66bc390b54d9c7b9d8d58a0055051621 233f7f0b8546bc2a3e564f62e3187b0d13ed0f4c7e48ab96eeed3c9e29ff84d4"].assert_eq(&format!("{} {} {}", event_hash(e), legacy, link.hash));
}

#[test]
fn ip_truncation() {
    assert_eq!(truncate_ip("198.51.100.23").as_deref(), Some("198.51.100.0/24"));
    assert_eq!(truncate_ip("2001:db8:abcd:12::1").as_deref(), Some("2001:db8:abcd::/48"));
    assert_eq!(truncate_ip("not an ip"), None);
}

#[test]
fn double_opt_in_holds_every_email_grant() {
    let choice = |purpose: &str, channel, action| Choice {
        purpose: purpose.into(),
        channel,
        action,
        wording_version: Some(1),
    };
    let mut choices = vec![
        choice("news", Channel::Email, Action::Granted),
        choice("events", Channel::Email, Action::Granted),
        choice("news", Channel::Sms, Action::Granted),
        choice("appeals", Channel::Email, Action::Withdrawn),
    ];
    let held = hold_for_confirmation(&mut choices);
    let actual: String = choices
        .iter()
        .map(|c| format!("{} {} {}\n", c.purpose, c.channel.as_str(), c.action.as_str()))
        .collect();
    expect![[r#"
        news email pending
        events email pending
        news sms granted
        appeals email withdrawn
    "#]]
    .assert_eq(&actual);
    assert_eq!(held.len(), 2);
}

#[test]
fn page_url_must_be_on_the_site_and_keeps_origin_and_path_only() {
    let with_url = |url: &str| {
        let mut s = submission("a@example.org", &[("news", Channel::Email, 2)]);
        s.page_url = url.into();
        s
    };
    let urls = [
        "http://127.0.0.1:8788/join?email=a%40example.org&token=secret#ref=a@example.org",
        "http://user:pw@127.0.0.1:8788/a/b/../c",
        "https://127.0.0.1:8788/join",
        "http://127.0.0.1:8789/join",
        "https://evil.example/join",
        "http://127.0.0.1:8788.evil.example/",
    ];
    let actual: String = urls
        .iter()
        .map(|url| {
            let s = with_url(url);
            match validate_submission(&site(), &s) {
                Ok(_) => format!("{url}: stored {:?}\n", submission_provenance(&site(), &s).source_url),
                Err(e) => format!("{url}: {e}\n"),
            }
        })
        .collect();
    expect![[r#"
        http://127.0.0.1:8788/join?email=a%40example.org&token=secret#ref=a@example.org: stored Some("http://127.0.0.1:8788/join")
        http://user:pw@127.0.0.1:8788/a/b/../c: stored Some("http://127.0.0.1:8788/a/c")
        https://127.0.0.1:8788/join: page_url must be a page on one of this site's registered origins
        http://127.0.0.1:8789/join: page_url must be a page on one of this site's registered origins
        https://evil.example/join: page_url must be a page on one of this site's registered origins
        http://127.0.0.1:8788.evil.example/: page_url must be an absolute http(s) URL of at most 2048 characters
    "#]]
    .assert_eq(&actual);
}

#[test]
fn request_proof_is_hashed_only_when_present() {
    // Events without the newer fields hash as before (`hash_formats_are_pinned`); with them, the
    // hash covers them.
    let plain = planned("a@example.org").events[0].clone();
    let mut proved = plain.clone();
    proved.request_origin = Some("http://127.0.0.1:8788".into());
    assert_ne!(event_hash(&plain), event_hash(&proved));
    let mut fetch = proved.clone();
    fetch.fetch_site = Some("cross-site".into());
    assert_ne!(event_hash(&proved), event_hash(&fetch));
}
