//! Retention on workerd with local D1 and R2: cookie decisions and audit entries from 2019
//! (written into D1 with valid append marks and keyed links, as the worker would have written
//! them then), the cron (`GET /__scheduled`) seals, anchors and purges them behind sealed
//! checkpoints, records the counts and cut-offs in the trail, and `ledger/verify` still holds;
//! then a decision deleted without a checkpoint is refused by D1, and once forced through with
//! the triggers dropped, verify names the gap.

use std::process::ExitCode;

use consent_shared::audit::AuditRecord;
use consent_shared::chain::{cookie_mark, ChainHead};
use consent_shared::consent::{CookieChoice, CookieConsentRecord};
use consent_tests::client::call;
use consent_tests::fixture::DemoWorker;
use consent_tests::harness::{ensure, Harness};
use consent_tests::secrets::{ADMIN_BEARER as BEARER, LEDGER_KEY};

const ORIGIN: &str = "http://127.0.0.1:8788";
const OLD: &str = "2019-06-01T12:00:00.000Z";

fn verify(base: &str) -> Result<serde_json::Value, String> {
    let r = call(base, "GET", "/api/v1/sites/demo/ledger/verify", &[("Authorization", BEARER)], None);
    ensure(r.status == 200, || format!("verify: {} {}", r.status, r.body))?;
    Ok(r.json())
}

fn run_cron(base: &str) -> Result<(), String> {
    let r = call(base, "GET", "/__scheduled?cron=*/5+*+*+*+*", &[], None);
    ensure(r.status == 200, || format!("/__scheduled: {} {}", r.status, r.body))
}

fn quoted(v: &str) -> String {
    format!("'{}'", v.replace('\'', "''"))
}

/// A cookie decision from 2019, written into D1 as the append path would have (with its mark).
fn old_decision(d1: &consent_tests::wrangler::LocalD1, n: u32) -> Result<(), String> {
    let record = CookieConsentRecord {
        id: format!("old-{n}"),
        site_id: "demo".into(),
        consent_id: format!("0b7c1f0e-1111-4222-8333-94444555566{n}"),
        categories: vec!["analytics".into()],
        policy_version: 1,
        wording_sha256: "ab".repeat(32),
        choice: CookieChoice::AcceptAll,
        reject_on_first_layer: true,
        gpc: false,
        server_time: OLD.replace(":00.000Z", &format!(":0{n}.000Z")),
        client_time: None,
        user_agent: None,
        ip_truncated: None,
        rule_set: None,
    };
    let mark = cookie_mark(LEDGER_KEY.as_bytes(), &record);
    d1.query(&format!(
        "INSERT INTO cookie_consents (id, site_id, consent_id, categories, policy_version, wording_sha256, \
           choice, reject_on_first_layer, gpc, server_time, mark) \
         VALUES ({}, 'demo', {}, '[\"analytics\"]', 1, {}, 'accept_all', 1, 0, {}, {})",
        quoted(&record.id),
        quoted(&record.consent_id),
        quoted(&record.wording_sha256),
        quoted(&record.server_time),
        quoted(&mark),
    ))
    .map(drop)
}

/// An audit entry from 2019, linked after the trail's head under the key.
fn old_entry(d1: &consent_tests::wrangler::LocalD1) -> Result<(), String> {
    let rows = d1.query("SELECT seq, hash FROM audit_events WHERE site_id = 'demo' ORDER BY seq DESC LIMIT 1")?;
    let head = match rows.first() {
        Some(r) => ChainHead {
            seq: r["seq"].as_i64().unwrap_or_default(),
            hash: r["hash"].as_str().unwrap_or_default().to_string(),
        },
        None => ChainHead::genesis(),
    };
    let record = AuditRecord {
        site_id: "demo".into(),
        seq: head.seq + 1,
        at: OLD.into(),
        actor_type: "admin_key".into(),
        actor: "admin_key".into(),
        kind: "audit_read".into(),
        ip: None,
        detail: "{\"entries\":0}".into(),
    };
    let link = record.link(LEDGER_KEY.as_bytes(), &head);
    d1.query(&format!(
        "INSERT INTO audit_events (site_id, seq, at, actor_type, actor, kind, ip_truncated, detail, \
           entry_hash, prev_hash, hash, version) \
         VALUES ('demo', {}, {}, 'admin_key', 'admin_key', 'audit_read', NULL, {}, {}, {}, {}, 2)",
        record.seq,
        quoted(&record.at),
        quoted(&record.detail),
        quoted(&link.event_hash),
        quoted(&link.prev_hash),
        quoted(&link.hash),
    ))
    .map(drop)
}

fn recent_decision(base: &str, n: u32) -> Result<(), String> {
    let config = call(base, "GET", "/api/v1/sites/demo/config", &[("Origin", ORIGIN)], None).json();
    let banner_sha = config["banner"]["sha256"].as_str().unwrap_or_default().to_string();
    let body = format!(
        r#"{{"consent_id":"3c9e1a52-1c1e-4f55-9e1a-2d0f5e6b7a1{n}","categories":["analytics","statistics"],"choice":"accept_all","policy_version":1,"wording_sha256":"{banner_sha}","reject_on_first_layer":true}}"#
    );
    let key = format!("retention-recent-{n}");
    let r = call(
        base,
        "POST",
        "/api/v1/sites/demo/cookie-consents",
        &[("Origin", ORIGIN), ("Content-Type", "application/json"), ("Idempotency-Key", &key)],
        Some(&body),
    );
    ensure(r.status == 201, || format!("recent decision: {} {}", r.status, r.body))
}

fn main() -> ExitCode {
    let demo = match DemoWorker::start("retention", false) {
        Ok(demo) => demo,
        Err(e) => {
            println!("setup failed: {e}\n0 passed, 1 failed");
            return ExitCode::FAILURE;
        }
    };
    let d1 = &demo.d1;
    let base = demo.origin();
    let base = base.as_str();
    let mut h = Harness::default();

    h.case("old_records_are_purged_by_the_cron_and_verify_still_holds", || {
        for n in 1..=3 {
            old_decision(d1, n)?;
        }
        for _ in 0..2 {
            old_entry(d1)?;
        }
        for n in 1..=2 {
            recent_decision(base, n)?;
        }
        // Recent trail entries (the key's use and the read), after the old ones.
        let r = call(base, "GET", "/api/v1/admin/sites/demo/audit", &[("Authorization", BEARER)], None);
        ensure(r.status == 200, || format!("audit: {} {}", r.status, r.body))?;
        run_cron(base)?;
        let old = d1.query("SELECT COUNT(*) AS n FROM cookie_consents WHERE id LIKE 'old-%'")?;
        let all = d1.query("SELECT COUNT(*) AS n FROM cookie_consents WHERE site_id = 'demo'")?;
        ensure(old[0]["n"] == 0 && all[0]["n"] == 2, || format!("decisions left: {old:?} of {all:?}"))?;
        let entries = d1.query("SELECT COUNT(*) AS n FROM audit_events WHERE site_id = 'demo' AND at < '2020'")?;
        ensure(entries[0]["n"] == 0, || format!("old entries left: {entries:?}"))?;
        let checkpoints = d1.query("SELECT chain, up_to_seq, purged FROM purge_checkpoints ORDER BY chain")?;
        ensure(checkpoints.len() == 2, || format!("checkpoints {checkpoints:?}"))?;
        let purged = d1.query(
            "SELECT detail FROM audit_events WHERE site_id = 'demo' AND kind = 'purged' ORDER BY seq DESC LIMIT 1",
        )?;
        let detail: serde_json::Value =
            serde_json::from_str(purged.first().and_then(|r| r["detail"].as_str()).unwrap_or("null"))
                .map_err(|e| e.to_string())?;
        ensure(
            detail["cookie_decisions"] == 3
                && detail["audit_entries"] == 2
                && detail["cutoffs"]["cookie_decisions"].as_str().is_some_and(|c| c > "2024")
                && detail["cutoffs"]["audit_entries"].as_str().is_some_and(|c| c > "2020"),
            || format!("the purge's trail entry: {detail}"),
        )?;
        let report = verify(base)?;
        let cookies = &report["cookie_chain"];
        let trail = &report["audit_trail"];
        ensure(
            report["valid"] == true
                && cookies["valid"] == true
                && cookies["purged"]["records_purged"] == 3
                && cookies["purged"]["starts_after_seq"] == 3
                && cookies["purged"]["summary"].as_str().is_some_and(|s| s.contains("Records before #4 were purged"))
                && cookies["records_checked"] == 2
                && trail["valid"] == true
                && trail["purged"]["records_purged"] == 2
                && report["anchor"]["extends"] == true
                && trail["anchor"]["extends"] == true,
            || format!("{report}"),
        )?;
        // The next cron anchors again and purges nothing new; verify still holds against it.
        run_cron(base)?;
        let again = verify(base)?;
        ensure(again["valid"] == true && again["anchor"]["extends"] == true, || format!("{again}"))
    });

    h.case("a_decision_deleted_without_a_checkpoint_is_refused_then_reported", || {
        let refused = d1.query(
            "DELETE FROM cookie_consents WHERE id = (SELECT record_id FROM cookie_links WHERE site_id = 'demo' ORDER BY seq LIMIT 1)",
        );
        ensure(
            refused.as_ref().is_err_and(|e| e.contains("retention purge")),
            || format!("D1 let a chained decision go without a checkpoint: {refused:?}"),
        )?;
        d1.query("DROP TRIGGER cookie_consents_purged_only_below_a_checkpoint")?;
        d1.query("DROP TRIGGER cookie_links_purged_only_below_a_checkpoint")?;
        d1.query(
            "DELETE FROM cookie_consents WHERE id = (SELECT record_id FROM cookie_links WHERE site_id = 'demo' ORDER BY seq LIMIT 1)",
        )?;
        d1.query(
            "DELETE FROM cookie_links WHERE site_id = 'demo' AND seq = (SELECT MIN(seq) FROM cookie_links WHERE site_id = 'demo')",
        )?;
        let report = verify(base)?;
        let broken = &report["cookie_chain"]["first_broken"];
        ensure(
            report["valid"] == false
                && report["cookie_chain"]["valid"] == false
                && broken["reason"].as_str().is_some_and(|r| r.contains("sequence gap")),
            || format!("{report}"),
        )
    });

    h.finish()
}
