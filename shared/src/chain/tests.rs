use expect_test::expect;

use super::*;
use crate::consent::{next_state, Action, CookieChoice, Method};
use crate::site::Channel;

const KEY: &[u8] = b"ledger-key-for-tests-0123456789abcdef";
const OTHER_KEY: &[u8] = b"another-key-an-attacker-might-try-000";

fn event(id: &str, action: Action) -> ConsentEvent {
    ConsentEvent {
        id: id.into(),
        site_id: "demo".into(),
        subject: "subject-1".into(),
        purpose: "news".into(),
        channel: Channel::Email,
        action,
        wording_version: 1,
        wording_sha256: "ab".repeat(32),
        lang: "en".into(),
        method: Method::WebForm,
        source_url: Some("https://example.org/join".into()),
        server_time: "2026-11-24T10:00:00.000Z".into(),
        client_time: None,
        user_agent: Some("test".into()),
        ip_truncated: Some("192.0.2.0/24".into()),
        gpc: false,
        idempotency_key: None,
        request_origin: None,
        fetch_site: None,
        direct_from_person: None,
        support_context: None,
    }
}

fn cookie(id: &str) -> CookieConsentRecord {
    CookieConsentRecord {
        id: id.into(),
        site_id: "demo".into(),
        consent_id: "0b7c1f0e-1111-4222-8333-944445555666".into(),
        categories: vec!["analytics".into()],
        policy_version: 1,
        wording_sha256: "cd".repeat(32),
        choice: CookieChoice::Custom,
        reject_on_first_layer: true,
        gpc: false,
        server_time: "2026-11-24T10:00:00.000Z".into(),
        client_time: None,
        user_agent: None,
        ip_truncated: None,
        rule_set: None,
    }
}

fn events() -> Vec<ConsentEvent> {
    vec![event("e1", Action::Granted), event("e2", Action::Withdrawn), event("e3", Action::Granted)]
}

/// Unkeyed v1 links over `events`, as sealed before LEDGER_KEY existed (or by an attacker).
fn v1_links(head: &ChainHead, events: &[ConsentEvent]) -> Vec<ChainLink> {
    let mut prev = head.clone();
    events
        .iter()
        .map(|e| {
            let seq = prev.seq + 1;
            let event_hash = crate::ledger::event_hash(e);
            let hash = link_hash_v1(seq, &prev.hash, &event_hash);
            let link = ChainLink {
                site_id: e.site_id.clone(),
                seq,
                event_id: e.id.clone(),
                event_hash,
                prev_hash: prev.hash.clone(),
                hash: hash.clone(),
                version: LINK_V1_UNKEYED,
            };
            prev = ChainHead { seq, hash };
            link
        })
        .collect()
}

/// "ok (checked, legacy)" or the first break, for a chain of (link, event, marked).
fn outcome(key: &[u8], kind: ChainKind, links: &[ChainLink], items: &[SealedItem]) -> String {
    let mut v = ChainVerifier::new(key, kind);
    for (l, i) in links.iter().zip(items) {
        if let Err(b) = v.check(l, Some(i)) {
            return format!("broken at {}: {}", b.seq, b.reason);
        }
    }
    format!("ok: {} checked, {} legacy", v.checked, v.legacy)
}

fn items(events: &[ConsentEvent], marked: bool) -> Vec<SealedItem> {
    events.iter().map(|e| SealedItem::event(e, marked)).collect()
}

#[test]
fn keyed_chains_verify_only_under_their_key() {
    let evs = events();
    let keyed = seal(KEY, &ChainHead::genesis(), &evs);
    let legacy = v1_links(&ChainHead::genesis(), &evs);
    // Legacy prefix then keyed links: how a chain sealed before the key continues.
    let mut upgraded = v1_links(&ChainHead::genesis(), &evs[..1]);
    upgraded.extend(seal(KEY, &ChainHead { seq: 1, hash: upgraded[0].hash.clone() }, &evs[1..]));
    // An attacker edits e2 and recomputes everything after it without the key: as v1 links,
    // or as v2 links under a key they chose.
    let mut edited = evs.clone();
    edited[1].action = Action::Granted;
    let head1 = ChainHead { seq: 1, hash: keyed[0].hash.clone() };
    let mut rewritten_v1 = keyed[..1].to_vec();
    rewritten_v1.extend(v1_links(&head1, &edited[1..]));
    let mut rewritten_v2 = keyed[..1].to_vec();
    rewritten_v2.extend(seal(OTHER_KEY, &head1, &edited[1..]));
    let mut unknown = keyed.clone();
    unknown[2].version = 3;
    let cookies = [cookie("c1"), cookie("c2")];
    let cookie_items: Vec<_> = cookies.iter().map(|c| SealedItem::cookie(c, true)).collect();
    let cookie_chain = seal_cookies(KEY, &ChainHead::genesis(), &cookies);
    let mut cookie_as_v1 = cookie_chain.clone();
    cookie_as_v1[0].version = LINK_V1_UNKEYED;
    cookie_as_v1[0].hash = link_hash_v1(1, GENESIS_HASH, &cookie_as_v1[0].event_hash);
    cookie_as_v1[1].prev_hash = cookie_as_v1[0].hash.clone();

    let cases = [
        ("keyed chain, right key", outcome(KEY, ChainKind::Events, &keyed, &items(&evs, true))),
        ("keyed chain, wrong key", outcome(OTHER_KEY, ChainKind::Events, &keyed, &items(&evs, true))),
        ("event links checked as cookie links", outcome(KEY, ChainKind::Cookies, &keyed, &items(&evs, true))),
        ("legacy chain of unmarked events", outcome(KEY, ChainKind::Events, &legacy, &items(&evs, false))),
        ("legacy prefix, then keyed", outcome(KEY, ChainKind::Events, &upgraded, &items(&evs, false))),
        ("v1 links over marked events", outcome(KEY, ChainKind::Events, &legacy, &items(&evs, true))),
        ("edit recomputed as v1", outcome(KEY, ChainKind::Events, &rewritten_v1, &items(&edited, false))),
        (
            "edit recomputed, another key",
            outcome(KEY, ChainKind::Events, &rewritten_v2, &items(&edited, true)),
        ),
        ("unknown link version", outcome(KEY, ChainKind::Events, &unknown, &items(&evs, true))),
        ("cookie chain", outcome(KEY, ChainKind::Cookies, &cookie_chain, &cookie_items)),
        ("cookie chain with a v1 link", outcome(KEY, ChainKind::Cookies, &cookie_as_v1, &cookie_items)),
    ];
    let actual: String = cases.iter().map(|(n, o)| format!("{n}: {o}\n")).collect();
    expect![[r#"
        keyed chain, right key: ok: 3 checked, 0 legacy
        keyed chain, wrong key: broken at 1: keyed link hash does not match its contents: altered, or recomputed without LEDGER_KEY
        event links checked as cookie links: broken at 1: keyed link hash does not match its contents: altered, or recomputed without LEDGER_KEY
        legacy chain of unmarked events: ok: 3 checked, 3 legacy
        legacy prefix, then keyed: ok: 3 checked, 1 legacy
        v1 links over marked events: broken at 1: unkeyed link sealing a marked event: the chain was rewritten without the key
        edit recomputed as v1: broken at 2: unkeyed link after keyed links: the chain was rewritten without the key
        edit recomputed, another key: broken at 2: keyed link hash does not match its contents: altered, or recomputed without LEDGER_KEY
        unknown link version: broken at 3: unknown link version
        cookie chain: ok: 2 checked, 0 legacy
        cookie chain with a v1 link: broken at 1: unkeyed link in a cookie chain, which was keyed from its start: rewritten
    "#]]
    .assert_eq(&actual);
}

#[test]
fn append_marks_name_rows_that_skipped_the_append_path() {
    let e = event("e1", Action::Granted);
    let mark = event_mark(KEY, &e);
    let mut altered = e.clone();
    altered.action = Action::Withdrawn;
    // After an address correction the append SQL stores the original subject id; the mark
    // covers the id as submitted (an alias of it).
    let mut resolved = e.clone();
    resolved.subject = "subject-0".into();
    let c = cookie("c1");
    let cookie_m = cookie_mark(KEY, &c);
    let mut cookie_altered = c.clone();
    cookie_altered.categories.push("marketing".into());
    let show = |p: Option<&str>| p.unwrap_or("holds").to_string();
    let cases = [
        ("marked", show(mark_problem(KEY, &e, Some(&mark), Some("subject-1"), true))),
        ("no mark", show(mark_problem(KEY, &e, None, None, true))),
        (
            "mark by another key",
            show(mark_problem(KEY, &e, Some(&event_mark(OTHER_KEY, &e)), Some("subject-1"), true)),
        ),
        (
            "row altered after marking",
            show(mark_problem(KEY, &altered, Some(&mark), Some("subject-1"), true)),
        ),
        ("not hex", show(mark_problem(KEY, &e, Some("zz"), Some("subject-1"), true))),
        (
            "subject resolved through an alias",
            show(mark_problem(KEY, &resolved, Some(&mark), Some("subject-1"), true)),
        ),
        (
            "subject moved elsewhere",
            show(mark_problem(KEY, &resolved, Some(&mark), Some("subject-1"), false)),
        ),
        ("cookie marked", show(cookie_mark_problem(KEY, &c, Some(&cookie_m)))),
        ("cookie without mark", show(cookie_mark_problem(KEY, &c, None))),
        ("cookie altered", show(cookie_mark_problem(KEY, &cookie_altered, Some(&cookie_m)))),
    ];
    let actual: String = cases.iter().map(|(n, o)| format!("{n}: {o}\n")).collect();
    expect![[r#"
        marked: holds
        no mark: no append mark: the row was not written through the append path
        mark by another key: append mark does not match the row: it was forged or altered
        row altered after marking: append mark does not match the row: it was forged or altered
        not hex: append mark does not match the row: it was forged or altered
        subject resolved through an alias: holds
        subject moved elsewhere: the subject is neither the one submitted nor its alias: it was altered
        cookie marked: holds
        cookie without mark: no append mark: the row was not written through the append path
        cookie altered: append mark does not match the row: it was forged or altered
    "#]]
    .assert_eq(&actual);
}

#[test]
fn mark_and_cookie_formats_are_pinned() {
    let e = event("e1", Action::Granted);
    let c = cookie("c1");
    let link = &seal_cookies(KEY, &ChainHead::genesis(), std::slice::from_ref(&c))[0];
    expect![[r#"
        72b67ce81f5112c1fd00661964c26cd25b175214afb7f35cd7e3b22c8efdb08c
        071f6a1c82cc3693586d859f3f5592bbbe532474450bee388bacbb66a8af5feb
        0c73f79c29757384397e6fdd8908c76d1adaa85aef9dbefc5d3215d57d13dac0
        7479b606b0223b5b79a13867e35f0d34219bddaaba0299fe59902af726b6a19a"#]]
    .assert_eq(&format!(
        "{}\n{}\n{}\n{}",
        event_mark(KEY, &e),
        cookie_record_hash(&c),
        cookie_mark(KEY, &c),
        link.hash
    ));
}

#[test]
fn anchors_are_signed_heads() {
    let events = ChainHead { seq: 7, hash: "ab".repeat(32) };
    let cookies = ChainHead::genesis();
    let anchor = Anchor::sign(KEY, "demo", &events, &cookies, "2026-11-24T10:00:00.000Z");
    let mut moved = anchor.clone();
    moved.seq = 6;
    let json = serde_json::to_string(&anchor).unwrap();
    let back: Anchor = serde_json::from_str(&json).unwrap();
    let cases = [
        ("signed", anchor.signature_holds(KEY)),
        ("round trip", back.signature_holds(KEY)),
        ("other key", anchor.signature_holds(OTHER_KEY)),
        ("seq moved", moved.signature_holds(KEY)),
    ];
    let actual: String = cases.iter().map(|(n, o)| format!("{n}: {o}\n")).collect();
    expect![[r#"
        anchors/demo/000000000007-000000000000.json
        anchors/demo/latest.json
        signed: true
        round trip: true
        other key: false
        seq moved: false
    "#]]
    .assert_eq(&format!("{}\n{}\n{actual}", anchor.object_key(), Anchor::latest_key("demo")));
}

#[test]
fn state_is_the_latest_action_but_pending_never_undoes_a_grant() {
    use Action::*;
    let cases = [None, Some(Granted), Some(Withdrawn), Some(Pending)];
    let actual: String = cases
        .iter()
        .flat_map(|current| {
            [Granted, Withdrawn, Pending]
                .into_iter()
                .map(move |e| format!("{current:?} + {e:?} = {:?}\n", next_state(*current, e)))
        })
        .collect();
    expect![[r#"
        None + Granted = Granted
        None + Withdrawn = Withdrawn
        None + Pending = Pending
        Some(Granted) + Granted = Granted
        Some(Granted) + Withdrawn = Withdrawn
        Some(Granted) + Pending = Granted
        Some(Withdrawn) + Granted = Granted
        Some(Withdrawn) + Withdrawn = Withdrawn
        Some(Withdrawn) + Pending = Pending
        Some(Pending) + Granted = Granted
        Some(Pending) + Withdrawn = Withdrawn
        Some(Pending) + Pending = Pending
    "#]]
    .assert_eq(&actual);
}
