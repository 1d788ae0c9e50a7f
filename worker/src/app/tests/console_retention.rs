//! Retention over SQLite: the console's settings page (bounds checked with errors beside the
//! fields, nothing stored on a refusal, every change audited; owner and DPO only) and the cron's
//! purge of expired cookie decisions and audit entries behind sealed checkpoints, after which
//! `ledger/verify` still holds — and tampering around a purge still shows.

use std::rc::Rc;

use chrono::TimeDelta;

use super::accounts::{add_person, at, csrf_of, form_post, send_at, sign_in, text, with_cookie};
use super::*;
use crate::app::anchors::{seal_and_anchor_all, MemoryAnchors};
use crate::app::upkeep::purge_expired;
use crate::store::retention::RetentionStore;
use crate::store::Executor;

fn get(app: &App<SqlStore<SqliteExecutor>>, session: &str, query: &str) -> (u16, String) {
    let path = format!("/admin/sites/demo/retention{query}");
    text(send_at(app, &with_cookie(HttpRequest::new("GET", &path), session), at(TimeDelta::zero())))
}

fn post_settings(
    app: &App<SqlStore<SqliteExecutor>>,
    session: &str,
    months: &str,
    years: &str,
) -> HttpResponse {
    let (status, page) = get(app, session, "");
    assert_eq!(status, 200, "{page}");
    let csrf = csrf_of(&page);
    let fields =
        [("csrf", csrf.as_str()), ("lang", "en"), ("cookie_decision_months", months), ("audit_years", years)];
    send_at(
        app,
        &with_cookie(form_post("/admin/sites/demo/retention", &fields), session),
        at(TimeDelta::zero()),
    )
}

fn kinds(app: &App<SqlStore<SqliteExecutor>>) -> Vec<String> {
    let rows = pollster::block_on(
        app.store.exec.query("SELECT kind, detail FROM audit_events ORDER BY seq", vec![]),
    )
    .unwrap();
    rows.iter().map(|r| format!("{} {}", r.text("kind").unwrap(), r.text("detail").unwrap())).collect()
}

fn policy(app: &App<SqlStore<SqliteExecutor>>) -> Option<consent_shared::retention::RetentionPolicy> {
    pollster::block_on(app.store.retention_policy("demo")).unwrap()
}

#[test]
fn settings_are_checked_whole_stored_and_audited() {
    let app = app();
    let owner = add_person(&app, "owner@example.org", "owner");
    let session = sign_in(&app, "owner@example.org", at(TimeDelta::zero()));
    let (status, page) = get(&app, &session, "");
    assert_eq!(status, 200, "{page}");
    for shown in [
        r#"id="cookie_decision_months" name="cookie_decision_months" value="24""#,
        r#"id="audit_years" name="audit_years" value="6""#,
        "24 hours (the same for every site; not a setting)",
        "Consent records (who agreed to or withdrew from what",
        "Nothing has been deleted yet.",
    ] {
        assert!(page.contains(shown), "{shown}\n{page}");
    }
    let trail_before = kinds(&app).len();
    // Bad values: 422, each error beside its field and in the summary; nothing stored or audited.
    let cases = [("0", "6"), ("61", "6"), ("two", "6"), ("24", "0"), ("", "21"), ("-3", "x")];
    let mut seen = String::new();
    for (months, years) in cases {
        let (status, page) = text(post_settings(&app, &session, months, years));
        let errors: Vec<&str> = page
            .split("class=\"field-error\" id=\"")
            .skip(1)
            .map(|rest| rest.split("</p>").next().unwrap())
            .collect();
        assert!(page.contains("role=\"alert\""), "{page}");
        seen.push_str(&format!("{months:?} {years:?} -> {status} {errors:?}\n"));
    }
    expect![[r#"
        "0" "6" -> 422 ["cookie_decision_months-error\">Enter a number of months from 1 to 60."]
        "61" "6" -> 422 ["cookie_decision_months-error\">Enter a number of months from 1 to 60."]
        "two" "6" -> 422 ["cookie_decision_months-error\">Enter a whole number of months, like 24."]
        "24" "0" -> 422 ["audit_years-error\">Enter a number of years from 1 to 20: the audit trail is kept at least a year."]
        "" "21" -> 422 ["cookie_decision_months-error\">Enter a whole number of months, like 24.", "audit_years-error\">Enter a number of years from 1 to 20: the audit trail is kept at least a year."]
        "-3" "x" -> 422 ["cookie_decision_months-error\">Enter a number of months from 1 to 60.", "audit_years-error\">Enter a whole number of years, like 6."]
    "#]]
    .assert_eq(&seen);
    let (_, page) = text(post_settings(&app, &session, "0", "6"));
    assert!(page.contains(r#"aria-describedby="cookie_decision_months-hint cookie_decision_months-error" aria-invalid="true""#), "{page}");
    assert!(page.contains(r#"value="0""#), "the posted value is shown again: {page}");
    assert_eq!(policy(&app), None);
    assert_eq!(kinds(&app).len(), trail_before, "nothing audited for a refusal");
    // A valid change: stored, audited with before and after, 303 back with a notice.
    let r = post_settings(&app, &session, " 12 ", "7");
    assert_eq!(r.status, 303);
    assert_eq!(r.header("location"), Some("/admin/sites/demo/retention?lang=en&saved=1"));
    assert_eq!(
        policy(&app),
        Some(consent_shared::retention::RetentionPolicy { cookie_decision_months: 12, audit_years: 7 })
    );
    let last = kinds(&app).pop().unwrap();
    expect![[r#"retention_changed {"from":{"audit_years":6,"cookie_decision_months":24},"to":{"audit_years":7,"cookie_decision_months":12}}"#]]
        .assert_eq(&last);
    let actor = pollster::block_on(
        app.store.exec.query("SELECT actor FROM audit_events ORDER BY seq DESC LIMIT 1", vec![]),
    )
    .unwrap()[0]
        .text("actor")
        .unwrap();
    assert_eq!(actor, format!("person:{owner}"));
    let (_, page) = get(&app, &session, "?saved=1");
    assert!(page.contains("Your retention settings are saved.") && page.contains(r#"value="12""#), "{page}");
    // The same values again change nothing and record nothing.
    let before = kinds(&app).len();
    let r = post_settings(&app, &session, "12", "7");
    assert_eq!(r.header("location"), Some("/admin/sites/demo/retention?lang=en&unchanged=1"));
    assert_eq!(kinds(&app).len(), before);
    // In Welsh.
    let (status, page) = get(&app, &session, "?lang=cy");
    assert_eq!(status, 200);
    assert!(page.contains("Cadw cofnodion") && page.contains("Penderfyniadau'r faner cwcis"), "{page}");
}

#[test]
fn only_owners_and_dpos_see_and_use_retention() {
    let app = app();
    add_person(&app, "owner@example.org", "owner");
    add_person(&app, "dp@example.org", "dpo");
    add_person(&app, "ed@example.org", "editor");
    add_person(&app, "vi@example.org", "viewer");
    let now = at(TimeDelta::zero());
    let mut seen = String::new();
    for email in ["owner@example.org", "dp@example.org", "ed@example.org", "vi@example.org"] {
        let session = sign_in(&app, email, now);
        let (_, overview) =
            text(send_at(&app, &with_cookie(HttpRequest::new("GET", "/admin/sites/demo"), &session), now));
        let linked = overview.contains("/admin/sites/demo/retention?");
        let (get_status, page) = get(&app, &session, "");
        let csrf = if page.contains("name=\"csrf\"") { csrf_of(&page) } else { String::new() };
        let fields =
            [("csrf", csrf.as_str()), ("lang", "en"), ("cookie_decision_months", "3"), ("audit_years", "2")];
        let posted =
            send_at(&app, &with_cookie(form_post("/admin/sites/demo/retention", &fields), &session), now)
                .status;
        seen.push_str(&format!("{email}: linked={linked} get={get_status} post={posted}\n"));
    }
    expect![[r#"
        owner@example.org: linked=true get=200 post=303
        dp@example.org: linked=true get=200 post=303
        ed@example.org: linked=false get=403 post=403
        vi@example.org: linked=false get=403 post=403
    "#]]
    .assert_eq(&seen);
}

// ---- the cron's purge -----------------------------------------------------------------------

fn now() -> DateTime<chrono::Utc> {
    at(TimeDelta::zero())
}

fn cookie_post(key: &str) -> HttpRequest {
    let banner = consent_shared::digest::sha256_hex(
        "We use cookies that are strictly necessary, and analytics cookies only if you agree.".as_bytes(),
    );
    HttpRequest::new("POST", "/api/v1/sites/demo/cookie-consents")
        .with_header("origin", ORIGIN)
        .with_header("content-type", "application/json")
        .with_header("idempotency-key", key)
        .with_body(format!(
            r#"{{"consent_id":"5f0c3c4e-aaaa-4bbb-8ccc-000000000001","categories":["analytics"],"choice":"accept_all","policy_version":1,"wording_sha256":"{banner}","reject_on_first_layer":true}}"#
        ))
}

fn count(app: &App<SqlStore<SqliteExecutor>>, table: &str) -> i64 {
    let sql: &'static str = match table {
        "cookie_consents" => "SELECT COUNT(*) AS n FROM cookie_consents",
        "cookie_links" => "SELECT COUNT(*) AS n FROM cookie_links",
        _ => "SELECT COUNT(*) AS n FROM audit_events",
    };
    pollster::block_on(app.store.exec.query(sql, vec![])).unwrap()[0].int("n").unwrap()
}

/// What verify says about the two purged chains, one line each.
fn after_purge(app: &App<SqlStore<SqliteExecutor>>) -> String {
    let (status, body) =
        body_of(send_at(app, &admin("GET", "/api/v1/sites/demo/ledger/verify", None), now()));
    assert_eq!(status, 200, "{body}");
    let r: serde_json::Value = serde_json::from_str(&body).unwrap();
    let c = &r["cookie_chain"];
    let t = &r["audit_trail"];
    format!(
        "valid={}\n cookies: valid={} checked={} head={} broken={} purged={}\n audit: valid={} broken={} purged={} anchor_extends={}",
        r["valid"],
        c["valid"],
        c["records_checked"],
        c["head_seq"],
        c["first_broken"],
        c["purged"],
        t["valid"],
        t["first_broken"],
        t["purged"],
        t["anchor"]["extends"],
    )
}

/// Three cookie decisions from 2019, two from 40 days ago; two trail entries from 2019 and two
/// from today; then the cron (seal, anchor, purge) at `now`.
fn purged_app() -> (App<SqlStore<SqliteExecutor>>, crate::app::upkeep::PurgeReport) {
    let anchors = Rc::new(MemoryAnchors::default());
    let app = app().with_anchors(Rc::new(Rc::clone(&anchors)));
    let old = DateTime::parse_from_rfc3339("2019-06-01T12:00:00Z").unwrap().to_utc();
    let recent = now() - TimeDelta::days(40);
    for (i, when) in [old, old, old, recent, recent].into_iter().enumerate() {
        assert_eq!(send_at(&app, &cookie_post(&format!("k{i}")), when).status, 201);
    }
    for when in [old, now()] {
        // Reading the trail writes two entries: the key's use and the read.
        assert_eq!(send_at(&app, &admin("GET", "/api/v1/admin/sites/demo/audit", None), when).status, 200);
    }
    assert!(pollster::block_on(seal_and_anchor_all(&app, now())).is_empty());
    let report = pollster::block_on(purge_expired(&app, now()));
    (app, report)
}

#[test]
fn the_cron_purges_expired_records_behind_a_checkpoint_and_verify_still_holds() {
    let (app, report) = purged_app();
    let demo = &report.retention["demo"];
    assert_eq!((demo.cookie_decisions, demo.audit_entries), (3, 2));
    assert_eq!((count(&app, "cookie_consents"), count(&app, "cookie_links")), (2, 2));
    let purge_entry = kinds(&app).pop().unwrap();
    expect![[r#"purged {"audit_entries":2,"cookie_decisions":3,"cutoffs":{"audit_entries":"2020-11-24T12:00:00.000Z","cookie_decisions":"2024-11-24T12:00:00.000Z","idempotency_answers":"2026-11-23T12:00:00.000Z"},"idempotency_answers":0,"mail_log_rows":0}"#]]
        .assert_eq(&purge_entry);
    let verified = after_purge(&app);
    // A shorter setting takes effect on the next run; the newest decision (the chain's head,
    // which the next one links to) stays until a newer one exists.
    add_person(&app, "owner@example.org", "owner");
    let session = sign_in(&app, "owner@example.org", now());
    assert_eq!(post_settings(&app, &session, "1", "6").status, 303);
    assert!(pollster::block_on(seal_and_anchor_all(&app, now())).is_empty());
    let second = pollster::block_on(purge_expired(&app, now()));
    assert_eq!(second.retention["demo"].cookie_decisions, 1);
    let verified_again = after_purge(&app);
    expect![[r#"
        valid=true
         cookies: valid=true checked=2 head=5 broken=null purged={"checkpoints":1,"last_purged_at":"2026-11-24T12:00:00.000Z","records_purged":3,"starts_after_seq":3,"summary":"Records before #4 were purged under the retention policy (3 records in 1 purge, the latest on 2026-11-24); the chain from there is intact."}
         audit: valid=true broken=null purged={"checkpoints":1,"last_purged_at":"2026-11-24T12:00:00.000Z","records_purged":2,"starts_after_seq":2,"summary":"Records before #3 were purged under the retention policy (2 records in 1 purge, the latest on 2026-11-24); the chain from there is intact."} anchor_extends=true
        then:
        valid=true
         cookies: valid=true checked=1 head=5 broken=null purged={"checkpoints":2,"last_purged_at":"2026-11-24T12:00:00.000Z","records_purged":4,"starts_after_seq":4,"summary":"Records before #5 were purged under the retention policy (4 records in 2 purges, the latest on 2026-11-24); the chain from there is intact."}
         audit: valid=true broken=null purged={"checkpoints":1,"last_purged_at":"2026-11-24T12:00:00.000Z","records_purged":2,"starts_after_seq":2,"summary":"Records before #3 were purged under the retention policy (2 records in 1 purge, the latest on 2026-11-24); the chain from there is intact."} anchor_extends=true"#]]
    .assert_eq(&format!("{verified}\nthen:\n{verified_again}"));
}

#[test]
fn deletions_around_a_purge_without_a_valid_checkpoint_are_tampering() {
    // The triggers refuse a chained decision's deletion without a checkpoint.
    let (app, _) = purged_app();
    let refused = app.store.exec.execute_raw("DELETE FROM cookie_consents WHERE idempotency_key = 'k3'");
    assert!(refused.is_err(), "{refused:?}");
    let refused = app.store.exec.execute_raw("DELETE FROM audit_events WHERE seq = 3");
    assert!(refused.is_err(), "{refused:?}");
    let tampered = |sql: &str| {
        let (app, _) = purged_app();
        app.store.exec.execute_raw(sql).unwrap();
        after_purge(&app)
    };
    let cases = [
        (
            "the next decision deleted with the triggers dropped",
            tampered(
                "DROP TRIGGER cookie_consents_purged_only_below_a_checkpoint; \
                 DROP TRIGGER cookie_links_purged_only_below_a_checkpoint; \
                 DELETE FROM cookie_consents WHERE id = (SELECT record_id FROM cookie_links WHERE seq = 4); \
                 DELETE FROM cookie_links WHERE seq = 4;",
            ),
        ),
        (
            "a forged checkpoint to delete one more decision",
            tampered(
                "INSERT INTO purge_checkpoints (site_id, chain, up_to_seq, hash, prev_up_to, purged, purged_at, mac) \
                 SELECT 'demo', 'cookies', 4, hash, 3, 1, '2026-11-24T12:00:00.000Z', 'ab' FROM cookie_links WHERE seq = 4; \
                 DELETE FROM cookie_consents WHERE id = (SELECT record_id FROM cookie_links WHERE seq = 4); \
                 DELETE FROM cookie_links WHERE seq = 4;",
            ),
        ),
        (
            "an audit entry deleted above the checkpoint",
            tampered("DROP TRIGGER audit_events_never_deleted; DELETE FROM audit_events WHERE seq = 3;"),
        ),
    ];
    let actual: String = cases.iter().map(|(name, findings)| format!("{name}:\n{findings}\n")).collect();
    expect![[r#"
        the next decision deleted with the triggers dropped:
        valid=false
         cookies: valid=false checked=0 head=3 broken={"event_id":"id-5","reason":"sequence gap: a link is missing or was inserted","seq":5} purged={"checkpoints":1,"last_purged_at":"2026-11-24T12:00:00.000Z","records_purged":3,"starts_after_seq":3,"summary":"Records before #4 were purged under the retention policy (3 records in 1 purge, the latest on 2026-11-24); the chain from there is broken (see first_broken)."}
         audit: valid=true broken=null purged={"checkpoints":1,"last_purged_at":"2026-11-24T12:00:00.000Z","records_purged":2,"starts_after_seq":2,"summary":"Records before #3 were purged under the retention policy (2 records in 1 purge, the latest on 2026-11-24); the chain from there is intact."} anchor_extends=true
        a forged checkpoint to delete one more decision:
        valid=false
         cookies: valid=false checked=0 head=3 broken={"event_id":"id-5","reason":"sequence gap: a link is missing or was inserted","seq":5} purged={"checkpoints":1,"last_purged_at":"2026-11-24T12:00:00.000Z","problem":"purge checkpoint up to #4: its seal does not hold under LEDGER_KEY: forged or altered","records_purged":3,"starts_after_seq":3,"summary":"Records before #4 were purged under the retention policy (3 records in 1 purge, the latest on 2026-11-24); the chain from there is broken (see first_broken)."}
         audit: valid=true broken=null purged={"checkpoints":1,"last_purged_at":"2026-11-24T12:00:00.000Z","records_purged":2,"starts_after_seq":2,"summary":"Records before #3 were purged under the retention policy (2 records in 1 purge, the latest on 2026-11-24); the chain from there is intact."} anchor_extends=true
        an audit entry deleted above the checkpoint:
        valid=false
         cookies: valid=true checked=2 head=5 broken=null purged={"checkpoints":1,"last_purged_at":"2026-11-24T12:00:00.000Z","records_purged":3,"starts_after_seq":3,"summary":"Records before #4 were purged under the retention policy (3 records in 1 purge, the latest on 2026-11-24); the chain from there is intact."}
         audit: valid=false broken={"event_id":"4","reason":"sequence gap: a link is missing or was inserted","seq":4} purged={"checkpoints":1,"last_purged_at":"2026-11-24T12:00:00.000Z","records_purged":2,"starts_after_seq":2,"summary":"Records before #3 were purged under the retention policy (2 records in 1 purge, the latest on 2026-11-24); the chain from there is broken (see first_broken)."} anchor_extends=true
    "#]].assert_eq(&actual);
}
