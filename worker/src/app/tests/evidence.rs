//! Tampering by someone with database access, and what `ledger/verify` says about it (issue 9):
//! a flipped state, a rewritten event with a recomputed chain, a row inserted straight into the
//! database, truncation behind an anchor; and cookie decisions chained and stored once per key.

use std::rc::Rc;

use super::*;
use crate::app::anchors::{seal_and_anchor_all, MemoryAnchors};
use consent_shared::chain::{link_hash_v1, link_hash_v2, ChainKind, LINK_V1_UNKEYED};

fn now() -> DateTime<chrono::Utc> {
    DateTime::parse_from_rfc3339("2026-11-24T12:00:00Z").unwrap().to_utc()
}

fn verify(app: &App<SqlStore<SqliteExecutor>>) -> serde_json::Value {
    let (status, body) = body_of(send(app, &admin("GET", "/api/v1/sites/demo/ledger/verify", None)));
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

/// The findings an administrator reads first, one line.
fn findings(r: &serde_json::Value) -> String {
    format!(
        "valid={} chain_valid={} checked={} head={} first_broken={} unmarked={} {} stopped_at={} \
         state_disagreements={} {} cookie_chain={} anchor={}",
        r["valid"],
        r["chain_valid"],
        r["events_checked"],
        r["head_seq"],
        r["first_broken"],
        r["unmarked_events"],
        r["first_unmarked"],
        r["sealing_stopped_at"],
        r["state_disagreements"],
        r["first_state_disagreements"],
        r["cookie_chain"]["valid"],
        r["anchor"],
    )
}

fn sql(app: &App<SqlStore<SqliteExecutor>>, statements: &str) {
    app.store.exec.execute_raw(statements).unwrap();
}

fn three_people(app: &App<SqlStore<SqliteExecutor>>) {
    for who in ["Ada", "Bob", "Cy"] {
        assert_eq!(send(app, &post(&GOOD.replace("Ada", who))).status, 201);
    }
}

#[test]
fn a_flipped_state_is_reported() {
    let app = app();
    assert_eq!(send(&app, &post(GOOD)).status, 201);
    let withdraw = change("ada@example.org", "withdrawn");
    let (status, body) =
        body_of(send(&app, &admin("POST", "/api/v1/admin/sites/demo/consents", Some(&withdraw))));
    assert_eq!(status, 201, "{body}");
    let before = findings(&verify(&app));
    // What the audience reads, flipped back without any event.
    sql(&app, "UPDATE consent_state SET action = 'granted'");
    let after = findings(&verify(&app));
    expect![[r#"
        before: valid=true chain_valid=true checked=2 head=2 first_broken=null unmarked=0 null stopped_at=null state_disagreements=0 null cookie_chain=true anchor=null
        after: valid=false chain_valid=true checked=2 head=2 first_broken=null unmarked=0 null stopped_at=null state_disagreements=1 [{"channel":"email","expected":"withdrawn","found":"granted","purpose":"news","subject":"70f76032eddce47c801f14afe3fd0ffbf2c9be106af7ff7c574bfd101ec58594"}] cookie_chain=true anchor=null
    "#]]
    .assert_eq(&format!("before: {before}\nafter: {after}\n"));
}

#[test]
fn a_rewritten_event_with_a_recomputed_chain_is_reported() {
    // Event 2 is changed to a withdrawal and every link from 2 on is recomputed, as someone
    // holding the database but not LEDGER_KEY would: unkeyed SHA-256, or HMAC under a key of
    // their own.
    let rewrite = |app: &App<SqlStore<SqliteExecutor>>, keyed: bool| {
        sql(app, "UPDATE consent_events SET action = 'withdrawn' WHERE id = (SELECT event_id FROM ledger_links WHERE seq = 2)");
        let chained = pollster::block_on(app.store.chained_after("demo", 0, 100)).unwrap();
        let mut prev = chained[0].link.hash.clone();
        for c in &chained[1..] {
            let e = c.event.as_ref().unwrap();
            let event_hash = consent_shared::ledger::event_hash(e);
            let (hash, version) = if keyed {
                (link_hash_v2(b"attacker-key", ChainKind::Events, c.link.seq, &prev, &event_hash), 2)
            } else {
                (link_hash_v1(c.link.seq, &prev, &event_hash), LINK_V1_UNKEYED)
            };
            sql(
                app,
                &format!(
                    "UPDATE ledger_links SET event_hash = '{event_hash}', prev_hash = '{prev}', hash = '{hash}', \
                     version = {version} WHERE site_id = 'demo' AND seq = {}",
                    c.link.seq
                ),
            );
            prev = hash;
        }
    };
    let mut actual = String::new();
    for (name, keyed) in [("plain SHA-256", false), ("another key", true)] {
        let app = app();
        three_people(&app);
        assert_eq!(verify(&app)["valid"], true);
        rewrite(&app, keyed);
        actual.push_str(&format!("{name}: {}\n", findings(&verify(&app))));
    }
    expect![[r#"
        plain SHA-256: valid=false chain_valid=false checked=1 head=1 first_broken={"event_id":"id-2","reason":"unkeyed link after keyed links: the chain was rewritten without the key","seq":2} unmarked=1 [{"id":"id-2","pos":2,"reason":"append mark does not match the row: it was forged or altered"}] stopped_at=null state_disagreements=1 [{"channel":"email","expected":null,"found":"granted","purpose":"news","subject":"d64134b8a0cbf89e1bdba18b4edb12435b2647de63a97c6155d0ac628628e6f2"}] cookie_chain=true anchor=null
        another key: valid=false chain_valid=false checked=1 head=1 first_broken={"event_id":"id-2","reason":"keyed link hash does not match its contents: altered, or recomputed without LEDGER_KEY","seq":2} unmarked=1 [{"id":"id-2","pos":2,"reason":"append mark does not match the row: it was forged or altered"}] stopped_at=null state_disagreements=1 [{"channel":"email","expected":null,"found":"granted","purpose":"news","subject":"d64134b8a0cbf89e1bdba18b4edb12435b2647de63a97c6155d0ac628628e6f2"}] cookie_chain=true anchor=null
    "#]]
    .assert_eq(&actual);
}

#[test]
fn a_row_inserted_into_the_database_is_reported_and_never_sealed() {
    let app = app();
    assert_eq!(send(&app, &post(GOOD)).status, 201);
    assert_eq!(verify(&app)["head_seq"], 1);
    // A grant for someone who never gave one, with the state the audience reads to match.
    sql(
        &app,
        "INSERT INTO consent_events (id, site_id, subject, purpose, channel, action, wording_version, \
           wording_sha256, lang, method, source_url, server_time, gpc) \
         SELECT 'forged', site_id, 'someone-else', purpose, channel, 'granted', wording_version, \
           wording_sha256, lang, 'web_form', source_url, server_time, 0 FROM consent_events; \
         INSERT INTO consent_state (site_id, subject, purpose, channel, action, event_id, updated_at) \
         VALUES ('demo', 'someone-else', 'news', 'email', 'granted', 'forged', '2026-11-24T12:00:00.000Z');",
    );
    // A real submission after it: written, but the chain stays stopped in front of the forgery.
    assert_eq!(send(&app, &post(&GOOD.replace("Ada", "Bob"))).status, 201);
    let report = verify(&app);
    let links = pollster::block_on(app.store.chained_after("demo", 0, 100)).unwrap();
    let sealed: Vec<_> = links.iter().map(|c| c.link.event_id.as_str()).collect();
    expect![[r#"
        valid=false chain_valid=true checked=1 head=1 first_broken=null unmarked=1 [{"id":"forged","pos":2,"reason":"no append mark: the row was not written through the append path"}] stopped_at={"id":"forged","pos":2,"reason":"no append mark: the row was not written through the append path"} state_disagreements=1 [{"channel":"email","expected":null,"found":"granted","purpose":"news","subject":"someone-else"}] cookie_chain=true anchor=null
        sealed: ["id-1"]
    "#]]
    .assert_eq(&format!("{}\nsealed: {sealed:?}\n", findings(&report)));
}

/// Rows at or below the migration's baseline pass unmarked as legacy. A forger choosing the
/// position (0, a negative one, a gap) must not get that pass: such a row is below the chain's
/// end, so sealing never reaches it, and a genuine legacy row is always sealed by now.
#[test]
fn a_row_inserted_at_a_legacy_position_is_reported() {
    let app = app();
    assert_eq!(send(&app, &post(GOOD)).status, 201);
    assert_eq!(verify(&app)["valid"], true);
    sql(
        &app,
        "INSERT INTO consent_events (pos, id, site_id, subject, purpose, channel, action, wording_version, \
           wording_sha256, lang, method, source_url, server_time, gpc) \
         SELECT -1, 'forged', site_id, 'someone-else', purpose, channel, 'granted', wording_version, \
           wording_sha256, lang, 'web_form', source_url, server_time, 0 FROM consent_events; \
         INSERT INTO consent_state (site_id, subject, purpose, channel, action, event_id, updated_at) \
         VALUES ('demo', 'someone-else', 'news', 'email', 'granted', 'forged', '2026-11-24T12:00:00.000Z');",
    );
    expect![[r#"valid=false chain_valid=true checked=1 head=1 first_broken=null unmarked=1 [{"id":"forged","pos":-1,"reason":"no append mark and never sealed: the row was written into the database directly"}] stopped_at=null state_disagreements=1 [{"channel":"email","expected":null,"found":"granted","purpose":"news","subject":"someone-else"}] cookie_chain=true anchor=null"#]].assert_eq(&findings(&verify(&app)));
}

#[test]
fn truncation_is_caught_by_the_anchor() {
    let anchors = Rc::new(MemoryAnchors::default());
    let app = app().with_anchors(Rc::new(Rc::clone(&anchors)));
    let no_anchor_yet = findings(&verify(&app));
    three_people(&app);
    assert!(pollster::block_on(seal_and_anchor_all(&app, now())).is_empty());
    let keys: Vec<String> = anchors.objects.borrow().keys().cloned().collect();
    let anchored = findings(&verify(&app));
    // The newest event, its link and its state go, as if never written.
    sql(
        &app,
        "DELETE FROM consent_state WHERE event_id = (SELECT event_id FROM ledger_links WHERE seq = 3); \
         DELETE FROM consent_events WHERE id = (SELECT event_id FROM ledger_links WHERE seq = 3); \
         DELETE FROM ledger_links WHERE seq = 3;",
    );
    let truncated = findings(&verify(&app));
    expect![[r#"
        no anchor yet: valid=true chain_valid=true checked=0 head=0 first_broken=null unmarked=0 null stopped_at=null state_disagreements=0 null cookie_chain=true anchor={"extends":false,"found":false,"problem":"no anchor written yet (the cron writes one after each seal)"}
        objects: ["anchors/demo/000000000003-000000000000.json", "anchors/demo/audit-latest.json", "anchors/demo/audit/000000000002.json", "anchors/demo/latest.json"]
        anchored: valid=true chain_valid=true checked=3 head=3 first_broken=null unmarked=0 null stopped_at=null state_disagreements=0 null cookie_chain=true anchor={"anchored_at":"2026-11-24T12:00:00.000Z","cookie_seq":0,"extends":true,"found":true,"seq":3}
        truncated: valid=false chain_valid=true checked=2 head=2 first_broken=null unmarked=0 null stopped_at=null state_disagreements=0 null cookie_chain=true anchor={"anchored_at":"2026-11-24T12:00:00.000Z","cookie_seq":0,"extends":false,"found":true,"problem":"the event chain no longer passes through anchored link 3: it was truncated or rewritten","seq":3}
    "#]]
    .assert_eq(&format!(
        "no anchor yet: {no_anchor_yet}\nobjects: {keys:?}\nanchored: {anchored}\ntruncated: {truncated}\n"
    ));
}

fn cookie_post(key: Option<&str>, categories: &str, choice: &str) -> HttpRequest {
    let banner = consent_shared::digest::sha256_hex(
        "We use cookies that are strictly necessary, and analytics cookies only if you agree.".as_bytes(),
    );
    let req = HttpRequest::new("POST", "/api/v1/sites/demo/cookie-consents")
        .with_header("origin", ORIGIN)
        .with_header("content-type", "application/json")
        .with_body(format!(
            r#"{{"consent_id":"5f0c3c4e-aaaa-4bbb-8ccc-000000000001","categories":{categories},"choice":"{choice}","policy_version":1,"wording_sha256":"{banner}","reject_on_first_layer":true}}"#
        ));
    match key {
        Some(k) => req.with_header("idempotency-key", k),
        None => req,
    }
}

#[test]
fn a_retried_cookie_decision_is_stored_once() {
    let app = app();
    let accept = || cookie_post(Some("decision-1"), r#"["analytics"]"#, "accept_all");
    let show = |r: HttpResponse| {
        let replayed = r.header("idempotent-replayed").unwrap_or("-").to_string();
        format!("{} replayed={replayed}", summary(&r))
    };
    let cases = [
        ("first", show(send(&app, &accept()))),
        ("retry", show(send(&app, &accept()))),
        ("same key, other decision", show(send(&app, &cookie_post(Some("decision-1"), "[]", "reject_all")))),
        ("new key", show(send(&app, &cookie_post(Some("decision-2"), "[]", "reject_all")))),
        ("bad key", show(send(&app, &cookie_post(Some("has space"), "[]", "reject_all")))),
    ];
    let stored =
        pollster::block_on(app.store.cookie_consents("demo", "5f0c3c4e-aaaa-4bbb-8ccc-000000000001"))
            .unwrap();
    let actual: String = cases.iter().map(|(n, r)| format!("{n}: {r}\n")).collect();
    expect![[r#"
        first: 201 {"record_id":"id-1","recorded_at":"2026-11-24T12:00:00.000Z"} replayed=-
        retry: 201 {"record_id":"id-1","recorded_at":"2026-11-24T12:00:00.000Z"} replayed=true
        same key, other decision: 422 {"error":{"code":"idempotency_key_reused","message":"this Idempotency-Key was already used for a different request"}} replayed=-
        new key: 201 {"record_id":"id-4","recorded_at":"2026-11-24T12:00:00.000Z"} replayed=-
        bad key: 400 {"error":{"code":"bad_request","message":"Idempotency-Key must be 1 to 128 visible ASCII characters"}} replayed=-
        stored: 2
    "#]]
    .assert_eq(&format!("{actual}stored: {}\n", stored.len()));
}

#[test]
fn cookie_decisions_are_chained_per_site() {
    let app = app();
    for key in ["k1", "k2"] {
        assert_eq!(send(&app, &cookie_post(Some(key), r#"["analytics"]"#, "accept_all")).status, 201);
    }
    let chained = verify(&app)["cookie_chain"].to_string();
    sql(
        &app,
        "UPDATE cookie_consents SET categories = '[]', choice = 'reject_all' WHERE idempotency_key = 'k1'",
    );
    let edited = verify(&app)["cookie_chain"].to_string();
    sql(
        &app,
        "UPDATE cookie_consents SET categories = '[\"analytics\"]', choice = 'accept_all' WHERE idempotency_key = 'k1'; \
         INSERT INTO cookie_consents (id, site_id, consent_id, categories, policy_version, wording_sha256, choice, \
           reject_on_first_layer, gpc, server_time) \
         SELECT 'forged', site_id, consent_id, categories, policy_version, wording_sha256, choice, \
           reject_on_first_layer, gpc, server_time FROM cookie_consents WHERE idempotency_key = 'k1'",
    );
    let inserted = verify(&app);
    expect![[r#"
        chained: {"head_hash":"87fe1d6d58182c917ae62ef14bc2ed0f29ff1db60dae00fbd0a682b4fb273842","head_seq":2,"records_checked":2,"valid":true}
        edited: {"first_broken":{"event_id":"id-1","reason":"event does not match its sealed hash: it was altered","seq":1},"head_hash":"0000000000000000000000000000000000000000000000000000000000000000","head_seq":0,"records_checked":0,"valid":false}
        inserted: {"head_hash":"87fe1d6d58182c917ae62ef14bc2ed0f29ff1db60dae00fbd0a682b4fb273842","head_seq":2,"records_checked":2,"sealing_stopped_at":{"id":"forged","pos":3,"reason":"no append mark: the row was not written through the append path"},"valid":false} valid=false
    "#]]
    .assert_eq(&format!(
        "chained: {chained}\nedited: {edited}\ninserted: {} valid={}\n",
        inserted["cookie_chain"], inserted["valid"]
    ));
}

/// A cookie decision written at a position sealing never looks at (before the baseline, or a
/// gap below the chain's end) is still a decision `cookie_consents` shows for that visitor: it
/// must be reported, not silently left outside the chain.
#[test]
fn a_cookie_decision_inserted_where_sealing_never_looks_is_reported() {
    let app = app();
    for key in ["k1", "k2"] {
        assert_eq!(send(&app, &cookie_post(Some(key), r#"["analytics"]"#, "accept_all")).status, 201);
    }
    assert_eq!(verify(&app)["valid"], true);
    sql(
        &app,
        "INSERT INTO cookie_consents (rowid, id, site_id, consent_id, categories, policy_version, wording_sha256, \
           choice, reject_on_first_layer, gpc, server_time) \
         SELECT -1, 'forged', site_id, 'someone-else', categories, policy_version, wording_sha256, choice, \
           reject_on_first_layer, gpc, server_time FROM cookie_consents WHERE idempotency_key = 'k1'",
    );
    let report = verify(&app);
    expect![[r#"{"head_hash":"87fe1d6d58182c917ae62ef14bc2ed0f29ff1db60dae00fbd0a682b4fb273842","head_seq":2,"records_checked":2,"unchained":[{"id":"forged","pos":-1,"reason":"outside the chain where sealing never looks: written into the database directly"}],"valid":false} valid=false"#]].assert_eq(&format!("{} valid={}", report["cookie_chain"], report["valid"]));
}

/// Turns the demo site's chain into one sealed before LEDGER_KEY existed: no marks on events up
/// to the baseline, unkeyed v1 links.
fn as_if_sealed_before_the_key(app: &App<SqlStore<SqliteExecutor>>) {
    sql(
        app,
        "UPDATE consent_events SET mark = NULL, submitted_subject = NULL; \
         UPDATE chain_baselines SET last_pos = (SELECT MAX(pos) FROM consent_events) WHERE chain = 'events';",
    );
    let chained = pollster::block_on(app.store.chained_after("demo", 0, 100)).unwrap();
    let mut prev = consent_shared::chain::GENESIS_HASH.to_string();
    for c in &chained {
        let hash = link_hash_v1(c.link.seq, &prev, &c.link.event_hash);
        sql(
            app,
            &format!(
                "UPDATE ledger_links SET prev_hash = '{prev}', hash = '{hash}', version = 1 WHERE seq = {}",
                c.link.seq
            ),
        );
        prev = hash;
    }
}

#[test]
fn a_chain_sealed_before_the_key_keeps_verifying_and_continues_keyed() {
    let anchors = Rc::new(MemoryAnchors::default());
    let app = app().with_anchors(Rc::new(Rc::clone(&anchors)));
    three_people(&app);
    assert_eq!(verify(&app)["head_seq"], 3);
    // One more event written before the key, still unsealed at the migration.
    sql(&app, "DELETE FROM ledger_links WHERE seq = 3");
    as_if_sealed_before_the_key(&app);
    let legacy_fields = |r: &serde_json::Value| {
        format!("legacy_links={} legacy_unmarked_events={}", r["legacy_links"], r["legacy_unmarked_events"])
    };
    let upgraded = verify(&app);
    let upgraded = format!("{} {}", findings(&upgraded), legacy_fields(&upgraded));
    // After the key: new events are marked and sealed with keyed links; the cron anchors.
    assert_eq!(send(&app, &post(&GOOD.replace("Ada", "Di"))).status, 201);
    assert!(pollster::block_on(seal_and_anchor_all(&app, now())).is_empty());
    let versions: Vec<u8> = pollster::block_on(app.store.chained_after("demo", 0, 100))
        .unwrap()
        .iter()
        .map(|c| c.link.version)
        .collect();
    let continued = verify(&app);
    let continued = format!("{} {}", findings(&continued), legacy_fields(&continued));
    // Someone with the database alone rewrites the whole chain as legacy links (stripping marks
    // and raising the baseline): only the anchor shows it.
    sql(&app, "UPDATE consent_events SET action = 'withdrawn' WHERE id = 'id-1'");
    let chained = pollster::block_on(app.store.chained_after("demo", 0, 100)).unwrap();
    for c in &chained {
        let e = c.event.as_ref().unwrap();
        let event_hash = consent_shared::ledger::event_hash(e);
        sql(&app, &format!("UPDATE ledger_links SET event_hash = '{event_hash}' WHERE seq = {}", c.link.seq));
    }
    as_if_sealed_before_the_key(&app);
    sql(&app, "UPDATE consent_state SET action = 'withdrawn' WHERE event_id = 'id-1'");
    let rewritten = verify(&app);
    let rewritten = format!("{} {}", findings(&rewritten), legacy_fields(&rewritten));
    expect![[r#"
        upgraded: valid=true chain_valid=true checked=3 head=3 first_broken=null unmarked=0 null stopped_at=null state_disagreements=0 null cookie_chain=true anchor={"extends":false,"found":false,"problem":"no anchor written yet (the cron writes one after each seal)"} legacy_links=2 legacy_unmarked_events=3
        versions: [1, 1, 2, 2]
        continued: valid=true chain_valid=true checked=4 head=4 first_broken=null unmarked=0 null stopped_at=null state_disagreements=0 null cookie_chain=true anchor={"anchored_at":"2026-11-24T12:00:00.000Z","cookie_seq":0,"extends":true,"found":true,"seq":4} legacy_links=2 legacy_unmarked_events=3
        rewritten as legacy: valid=false chain_valid=true checked=4 head=4 first_broken=null unmarked=0 null stopped_at=null state_disagreements=0 null cookie_chain=true anchor={"anchored_at":"2026-11-24T12:00:00.000Z","cookie_seq":0,"extends":false,"found":true,"problem":"the event chain no longer passes through anchored link 4: it was truncated or rewritten","seq":4} legacy_links=4 legacy_unmarked_events=4
    "#]]
    .assert_eq(&format!(
        "upgraded: {upgraded}\nversions: {versions:?}\ncontinued: {continued}\nrewritten as legacy: {rewritten}\n"
    ));
}
