//! The audit trail (issue 11): every administrative act is recorded with who, from where and
//! what — never the address itself; reading the trail as JSON or CSV, filtered and paged; and
//! tampering with it shows in `ledger/verify` (the consent check is in `subject_check.rs`).

use super::*;
use crate::app::audit::{record, AuditEntry};
use crate::store::Executor;
use consent_shared::email::Email;
use consent_shared::subject::subject_id;

fn now() -> DateTime<chrono::Utc> {
    DateTime::parse_from_rfc3339("2026-11-24T12:00:00Z").unwrap().to_utc()
}

fn from(req: HttpRequest, ip: &str) -> HttpRequest {
    req.with_header("cf-connecting-ip", ip)
}

pub(super) fn ok(app: &App<SqlStore<SqliteExecutor>>, req: HttpRequest) -> String {
    let (status, body) = body_of(send(app, &req));
    assert!((200..300).contains(&status), "{status} {body}");
    body
}

fn subject_of(email: &str) -> String {
    subject_id(b"k", "demo", &Email::parse(email).unwrap())
}

/// The trail of the demo site as the API lists it (oldest first), one line per entry, with the
/// subject ids of the test's people shown by name.
fn trail(app: &App<SqlStore<SqliteExecutor>>, people: &[&str]) -> String {
    let body = ok(app, admin("GET", "/api/v1/admin/sites/demo/audit?limit=500", None));
    let page: serde_json::Value = serde_json::from_str(&body).unwrap();
    let mut lines: Vec<String> = page["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{} {} {} {} {}",
                e["seq"],
                e["actor"].as_str().unwrap(),
                e["kind"].as_str().unwrap(),
                e["ip"].as_str().unwrap_or("-"),
                e["detail"]
            )
        })
        .collect();
    lines.reverse();
    let mut text = lines.join("\n");
    for person in people {
        text = text.replace(&subject_of(person), &format!("<{person}>"));
    }
    text
}

/// Everything in the audit tables, as text.
pub(super) fn dump(app: &App<SqlStore<SqliteExecutor>>) -> String {
    let rows = pollster::block_on(async {
        let mut all = app.store.exec.query("SELECT * FROM audit_events", vec![]).await.unwrap();
        all.extend(app.store.exec.query("SELECT * FROM subject_check_counts", vec![]).await.unwrap());
        all
    });
    rows.iter().map(|r| serde_json::Value::Object(r.0.clone()).to_string()).collect::<Vec<_>>().join("\n")
}

#[test]
fn every_admin_act_is_in_the_trail_with_who_and_where_but_no_address() {
    let app = app();
    let v4 = "203.0.113.7";
    let v6 = "2001:db8:1234:5678::1";
    // A visitor's sign-up (kept under its Idempotency-Key until the cron purges it).
    let signup = post(GOOD).with_header("idempotency-key", "k-1");
    assert_eq!(send(&app, &signup).status, 201);
    ok(
        &app,
        from(
            admin("POST", "/api/v1/admin/sites/demo/consents", Some(&change("bob@example.org", "granted"))),
            v4,
        ),
    );
    ok(&app, from(admin("GET", "/api/v1/sites/demo/audience?purpose=news&channel=email", None), v4));
    ok(
        &app,
        from(admin("GET", "/api/v1/sites/demo/audience?purpose=news&channel=email", None), v6)
            .with_header("accept", "text/csv"),
    );
    let counted =
        ok(&app, admin("GET", "/api/v1/sites/demo/audience?purpose=news&channel=email&count=true", None));
    assert_eq!(counted, r#"{"site":"demo","purpose":"news","channel":"email","count":2}"#);
    ok(&app, admin("POST", "/api/v1/admin/sites/demo/links", Some(r#"{"email":"bob@example.org"}"#)));
    ok(
        &app,
        admin(
            "POST",
            "/api/v1/admin/sites/demo/suppressions",
            Some(r#"{"email":"carol@example.org","reason":"asked by phone: Carol Jones"}"#),
        ),
    );
    ok(
        &app,
        admin("POST", "/api/v1/admin/sites/demo/subjects/access", Some(r#"{"email":"ada@example.org"}"#)),
    );
    let unknown = send(
        &app,
        &admin("POST", "/api/v1/admin/sites/demo/subjects/access", Some(r#"{"email":"dan@example.org"}"#)),
    );
    assert_eq!(unknown.status, 404);
    ok(
        &app,
        admin(
            "POST",
            "/api/v1/admin/sites/demo/subjects/restrict",
            Some(r#"{"email":"bob@example.org","restricted":true}"#),
        ),
    );
    ok(
        &app,
        admin("POST", "/api/v1/admin/sites/demo/subjects/erase", Some(r#"{"email":"ada@example.org"}"#)),
    );
    let mut definition: serde_json::Value = serde_json::to_value(sample_site("demo")).unwrap();
    definition["purposes"] = serde_json::json!([{"purpose": "news", "channel": "email",
        "wordings": [{"lang": "en", "label": "News", "text": "Email me news, now with events."}]}]);
    let sample = sample_site("demo");
    definition["banner"] =
        sample.banner.iter().map(|b| serde_json::json!({"lang": b.lang, "text": b.text})).collect();
    for field in ["id", "policy_version"] {
        definition.as_object_mut().unwrap().remove(field);
    }
    ok(&app, admin("PUT", "/api/v1/admin/sites/demo", Some(&definition.to_string())));
    ok(
        &app,
        admin(
            "GET",
            "/api/v1/sites/demo/subjects/check?email=bob%40example.org&purpose=news&channel=email",
            None,
        ),
    );
    let batch =
        r#"{"purpose":"news","channel":"email","emails":["bob@example.org","eve@example.org","nope"]}"#;
    ok(&app, admin("POST", "/api/v1/sites/demo/subjects/check", Some(batch)));
    ok(&app, admin("GET", "/api/v1/sites/demo/ledger/verify", None));
    // The next day's cron: purges the sign-up's Idempotency-Key answer and turns yesterday's
    // check count into one entry.
    let report = pollster::block_on(upkeep::purge_expired(&app, now() + chrono::TimeDelta::hours(25)));
    assert_eq!(report.idempotency_keys.total(), 1);
    expect![[r#"
        1 admin_key admin_key_used 203.0.113.0/24 {"action":"write_consents","method":"POST","path":"/api/v1/admin/sites/demo/consents"}
        2 admin_key consent_recorded_by_admin 203.0.113.0/24 {"changes":1,"outcome":"recorded","subject":"<bob@example.org>"}
        3 admin_key admin_key_used 203.0.113.0/24 {"action":"read_audience","method":"GET","path":"/api/v1/sites/demo/audience"}
        4 admin_key audience_exported 203.0.113.0/24 {"basis":null,"channel":"email","format":"json","purpose":"news","rows":2}
        5 admin_key admin_key_used 2001:db8:1234::/48 {"action":"read_audience","method":"GET","path":"/api/v1/sites/demo/audience"}
        6 admin_key audience_exported 2001:db8:1234::/48 {"basis":null,"channel":"email","format":"csv","purpose":"news","rows":2}
        7 admin_key admin_key_used - {"action":"read_audience","method":"GET","path":"/api/v1/sites/demo/audience"}
        8 admin_key audience_counted - {"basis":null,"channel":"email","purpose":"news","rows":2}
        9 admin_key admin_key_used - {"action":"manage_subjects","method":"POST","path":"/api/v1/admin/sites/demo/links"}
        10 admin_key preference_link_minted - {"channel":"email","purpose":null,"subject":"<bob@example.org>"}
        11 admin_key admin_key_used - {"action":"manage_suppressions","method":"POST","path":"/api/v1/admin/sites/demo/suppressions"}
        12 admin_key suppression_added - {"already_suppressed":false,"reason":null,"subject":"<carol@example.org>"}
        13 admin_key admin_key_used - {"action":"manage_subjects","method":"POST","path":"/api/v1/admin/sites/demo/subjects/access"}
        14 admin_key subject_exported - {"events":1,"subject":"<ada@example.org>"}
        15 admin_key admin_key_used - {"action":"manage_subjects","method":"POST","path":"/api/v1/admin/sites/demo/subjects/access"}
        16 admin_key subject_looked_up - {"found":false,"subject":"<dan@example.org>"}
        17 admin_key admin_key_used - {"action":"manage_subjects","method":"POST","path":"/api/v1/admin/sites/demo/subjects/restrict"}
        18 admin_key subject_restricted - {"restricted":true,"subject":"<bob@example.org>"}
        19 admin_key admin_key_used - {"action":"manage_subjects","method":"POST","path":"/api/v1/admin/sites/demo/subjects/erase"}
        20 admin_key subject_erased - {"held":true,"subject":"<ada@example.org>"}
        21 admin_key admin_key_used - {"action":"write_site","method":"PUT","path":"/api/v1/admin/sites/demo"}
        22 admin_key site_changed - {"cookie_categories":2,"created":false,"double_opt_in":false,"new_wording_versions":["news/email v2"],"organisation_changed":false,"origins":1,"origins_changed":false,"policy_version":1,"policy_version_changed":false,"purposes":1}
        23 admin_key admin_key_used - {"action":"check_subjects","method":"GET","path":"/api/v1/sites/demo/subjects/check"}
        24 admin_key admin_key_used - {"action":"check_subjects","method":"POST","path":"/api/v1/sites/demo/subjects/check"}
        25 admin_key admin_key_used - {"action":"verify_ledger","method":"GET","path":"/api/v1/sites/demo/ledger/verify"}
        26 admin_key ledger_verified - {"audit_entries_checked":25,"audit_trail_valid":true,"events_checked":2,"valid":true}
        27 system purged - {"idempotency_answers":1,"mail_log_rows":0}
        28 admin_key subjects_checked - {"checks":4,"day":"2026-11-24"}
        29 admin_key admin_key_used - {"action":"read_audit","method":"GET","path":"/api/v1/admin/sites/demo/audit"}"#]]
    .assert_eq(&trail(&app, &["ada@example.org", "bob@example.org", "carol@example.org", "dan@example.org"]));
    let everything = dump(&app);
    for secret in
        ["ada@example.org", "Ada@Example.org", "bob@example.org", "carol@example.org", "Carol Jones", "eve@"]
    {
        assert!(!everything.contains(secret), "{secret} is in the trail:\n{everything}");
    }
    assert!(!everything.contains('@'), "an address is in the trail:\n{everything}");
    // Reading the trail was recorded too (the listing above), after the break-glass use that
    // authorised it.
    let last = ok(&app, admin("GET", "/api/v1/admin/sites/demo/audit?limit=1&kind=audit_read", None));
    let last: serde_json::Value = serde_json::from_str(&last).unwrap();
    assert_eq!(last["entries"][0]["kind"], "audit_read", "{last}");
    assert_eq!(last["entries"][0]["detail"]["entries"], 29, "{last}");
}

/// Five entries: exports by the admin key from two networks, a verification, two purges.
fn five_entries() -> App<SqlStore<SqliteExecutor>> {
    let app = app();
    let export = || admin("GET", "/api/v1/sites/demo/audience?purpose=news&channel=email", None);
    ok(&app, from(export(), "198.51.100.20"));
    ok(&app, admin("GET", "/api/v1/sites/demo/ledger/verify", None));
    ok(&app, from(export(), "198.51.100.21"));
    let entry = |kind| AuditEntry {
        site: "demo",
        actor: consent_shared::access::Actor::System,
        kind,
        detail: serde_json::json!({"rows": 0}),
        client_ip: None,
    };
    for _ in 0..2 {
        pollster::block_on(record(&app, entry(consent_shared::audit::AuditKind::Purged), now())).unwrap();
    }
    app
}

fn listing(app: &App<SqlStore<SqliteExecutor>>, query: &str) -> String {
    let req = admin("GET", &format!("/api/v1/admin/sites/demo/audit{query}"), None);
    let (status, body) = body_of(send(app, &req));
    if status != 200 {
        return format!("{status} {body}");
    }
    let page: serde_json::Value = serde_json::from_str(&body).unwrap();
    let seqs: Vec<String> = page["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| format!("{}:{}", e["seq"], e["kind"].as_str().unwrap()))
        .collect();
    format!("{} next_before={}", seqs.join(" "), page["next_before"])
}

#[test]
fn the_trail_is_listed_filtered_and_paged() {
    let app = five_entries();
    // Each listing is itself an entry (`audit_read`), so later pages see the earlier reads.
    let cases = [
        "?limit=2",
        "?limit=2&before=4",
        "?kind=audience_exported",
        "?actor=system",
        "?actor=admin_key&kind=purged",
        "?since=2026-11-24&until=2026-11-24",
        "?until=2026-11-23",
        "?kind=exported",
        "?limit=501",
    ];
    let actual: String = cases.iter().map(|q| format!("{q} -> {}\n", listing(&app, q))).collect();
    expect![[r#"
        ?limit=2 -> 9:admin_key_used 8:purged next_before=8
        ?limit=2&before=4 -> 3:admin_key_used 2:audience_exported next_before=2
        ?kind=audience_exported -> 6:audience_exported 2:audience_exported next_before=null
        ?actor=system -> 8:purged 7:purged next_before=null
        ?actor=admin_key&kind=purged ->  next_before=null
        ?since=2026-11-24&until=2026-11-24 -> 19:admin_key_used 18:audit_read 17:admin_key_used 16:audit_read 15:admin_key_used 14:audit_read 13:admin_key_used 12:audit_read 11:admin_key_used 10:audit_read 9:admin_key_used 8:purged 7:purged 6:audience_exported 5:admin_key_used 4:ledger_verified 3:admin_key_used 2:audience_exported 1:admin_key_used next_before=null
        ?until=2026-11-23 ->  next_before=null
        ?kind=exported -> 400 {"error":{"code":"bad_request","message":"unknown kind 'exported' (e.g. audience_exported, subject_erased)"}}
        ?limit=501 -> 400 {"error":{"code":"bad_request","message":"'limit' must be a whole number from 1 to 500"}}
    "#]]
    .assert_eq(&actual);
    let refused = send(&app, &HttpRequest::new("GET", "/api/v1/admin/sites/demo/audit"));
    assert_eq!(refused.status, 401);
    let unknown = send(&app, &admin("GET", "/api/v1/admin/sites/nowhere/audit", None));
    assert_eq!(unknown.status, 404);
}

#[test]
fn the_trail_as_csv() {
    let app = five_entries();
    let mut csv = send(
        &app,
        &admin("GET", "/api/v1/admin/sites/demo/audit?limit=3&kind=audience_exported", None)
            .with_header("accept", "text/csv"),
    );
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    assert_eq!(csv.header("content-disposition"), Some("attachment; filename=\"demo-audit.csv\""));
    let body = String::from_utf8(pollster::block_on(csv.collect_body()).unwrap()).unwrap();
    // Without the hashes (they depend on the key), the CSV reads:
    let readable: String =
        body.lines().map(|line| line.rsplitn(3, ',').nth(2).unwrap().to_string() + "\n").collect();
    expect![[r#"
        seq,at,actor,actor_type,kind,ip,detail
        6,2026-11-24T12:00:00.000Z,admin_key,admin_key,audience_exported,198.51.100.0/24,"{""basis"":null,""channel"":""email"",""format"":""json"",""purpose"":""news"",""rows"":0}"
        2,2026-11-24T12:00:00.000Z,admin_key,admin_key,audience_exported,198.51.100.0/24,"{""basis"":null,""channel"":""email"",""format"":""json"",""purpose"":""news"",""rows"":0}"
    "#]]
    .assert_eq(&readable);
    let mut paged =
        send(&app, &admin("GET", "/api/v1/admin/sites/demo/audit?format=csv&limit=1&kind=audit_read", None));
    assert_eq!(paged.header("x-next-before"), None, "one read of the trail so far: one page");
    let body = String::from_utf8(pollster::block_on(paged.collect_body()).unwrap()).unwrap();
    assert!(
        body.lines().nth(1).unwrap().contains(",2026-11-24T12:00:00.000Z,admin_key,admin_key,audit_read,"),
        "{body}"
    );
}

/// The audit part of `ledger/verify`, one line.
fn trail_findings(app: &App<SqlStore<SqliteExecutor>>) -> String {
    let (status, body) = body_of(send(app, &admin("GET", "/api/v1/sites/demo/ledger/verify", None)));
    assert_eq!(status, 200, "{body}");
    let r: serde_json::Value = serde_json::from_str(&body).unwrap();
    let t = &r["audit_trail"];
    format!(
        "valid={} trail_valid={} checked={} first_broken={}",
        r["valid"], t["valid"], t["entries_checked"], t["first_broken"]
    )
}

/// Someone with database access drops the triggers and edits the trail: an altered entry, a
/// deleted middle entry and an entry rewritten with a recomputed hash each show.
#[test]
fn tampering_with_the_trail_shows_in_verify() {
    let tampered = |sql: &str| {
        let app = five_entries();
        app.store
            .exec
            .execute_raw("DROP TRIGGER audit_events_never_change; DROP TRIGGER audit_events_never_deleted;")
            .unwrap();
        app.store.exec.execute_raw(sql).unwrap();
        trail_findings(&app)
    };
    let untouched = five_entries();
    let cases = [
        ("untouched", trail_findings(&untouched)),
        (
            "altered",
            tampered(
                "UPDATE audit_events SET detail = '{\"rows\":0,\"note\":\"nothing to see\"}' WHERE seq = 3",
            ),
        ),
        ("deleted", tampered("DELETE FROM audit_events WHERE seq = 2")),
        (
            // The entry's hash is recomputed to match the new detail, and its link re-hashed
            // without the key (SHA-256 of the same message): the keyed check fails.
            "rewritten",
            tampered(&format!(
                "UPDATE audit_events SET actor = 'system', entry_hash = '{}', hash = '{}' WHERE seq = 3",
                "0".repeat(64),
                "1".repeat(64)
            )),
        ),
        ("truncated", tampered("DELETE FROM audit_events WHERE seq = 1")),
    ];
    let actual: String = cases.iter().map(|(name, findings)| format!("{name}: {findings}\n")).collect();
    expect![[r#"
        untouched: valid=true trail_valid=true checked=9 first_broken=null
        altered: valid=false trail_valid=false checked=2 first_broken={"event_id":"3","reason":"event does not match its sealed hash: it was altered","seq":3}
        deleted: valid=false trail_valid=false checked=1 first_broken={"event_id":"3","reason":"sequence gap: a link is missing or was inserted","seq":3}
        rewritten: valid=false trail_valid=false checked=2 first_broken={"event_id":"3","reason":"keyed link hash does not match its contents: altered, or recomputed without LEDGER_KEY","seq":3}
        truncated: valid=false trail_valid=false checked=0 first_broken={"event_id":"2","reason":"sequence gap: a link is missing or was inserted","seq":2}
    "#]]
    .assert_eq(&actual);
}

/// Deleting the newest entries (the record of one's own export, say) leaves no gap to find: the
/// cron's signed head in R2 catches it.
#[test]
fn deleting_the_newest_entries_is_caught_by_the_audit_anchor() {
    use crate::app::anchors::{seal_and_anchor_all, MemoryAnchors};
    let anchors = std::rc::Rc::new(MemoryAnchors::default());
    let app = five_entries().with_anchors(std::rc::Rc::new(std::rc::Rc::clone(&anchors)));
    assert!(pollster::block_on(seal_and_anchor_all(&app, now())).is_empty());
    let keys: Vec<String> =
        anchors.objects.borrow().keys().filter(|k| k.contains("audit")).cloned().collect();
    let anchor = |app: &App<SqlStore<SqliteExecutor>>| {
        let (_, body) = body_of(send(app, &admin("GET", "/api/v1/sites/demo/ledger/verify", None)));
        let r: serde_json::Value = serde_json::from_str(&body).unwrap();
        format!(
            "valid={} trail_valid={} anchor={}",
            r["valid"], r["audit_trail"]["valid"], r["audit_trail"]["anchor"]
        )
    };
    let anchored = anchor(&app);
    app.store
        .exec
        .execute_raw("DROP TRIGGER audit_events_never_deleted; DELETE FROM audit_events WHERE seq >= 4;")
        .unwrap();
    let truncated = anchor(&app);
    expect![[r#"
        objects: ["anchors/demo/audit-latest.json", "anchors/demo/audit/000000000008.json"]
        anchored: valid=true trail_valid=true anchor={"anchored_at":"2026-11-24T12:00:00.000Z","extends":true,"found":true,"seq":8}
        truncated: valid=false trail_valid=false anchor={"anchored_at":"2026-11-24T12:00:00.000Z","extends":false,"found":true,"problem":"the audit trail no longer passes through anchored entry 8: it was truncated or rewritten","seq":8}
    "#]]
    .assert_eq(&format!("objects: {keys:?}\nanchored: {anchored}\ntruncated: {truncated}\n"));
}
