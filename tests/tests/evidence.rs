//! Tampering done the way someone with D1 access would do it (`wrangler d1 execute` against the
//! running worker's local D1), and what `ledger/verify` reports; anchors written to local R2 by
//! the cron (`GET /__scheduled`); cookie decisions stored once per Idempotency-Key.
//! One fresh D1 and one worker for the whole binary; cases run in order and share them, each
//! putting back what it changed except the last (truncation).

use std::process::ExitCode;

use consent_shared::chain::link_hash_v1;
use consent_shared::consent::ConsentEvent;
use consent_tests::client::call;
use consent_tests::fixture::DemoWorker;
use consent_tests::harness::{ensure, Harness};
use consent_tests::secrets::ADMIN_BEARER as BEARER;

const ORIGIN: &str = "http://127.0.0.1:8788";
const GOOD: &str = r#"{"email":"Ada@Example.org","consents":[{"purpose":"news","channel":"email","wording_version":1}],"page_url":"http://127.0.0.1:8788/join"}"#;

fn submit(base: &str, who: &str) -> Result<(), String> {
    let r = call(
        base,
        "POST",
        "/api/v1/sites/demo/consents",
        &[("Origin", ORIGIN), ("Content-Type", "application/json")],
        Some(&GOOD.replace("Ada", who)),
    );
    ensure(r.status == 201, || format!("submitting for {who}: {} {}", r.status, r.body))
}

fn verify(base: &str) -> Result<serde_json::Value, String> {
    let r = call(base, "GET", "/api/v1/sites/demo/ledger/verify", &[("Authorization", BEARER)], None);
    ensure(r.status == 200, || format!("verify: {} {}", r.status, r.body))?;
    Ok(r.json())
}

fn verify_valid(base: &str, when: &str) -> Result<(), String> {
    let report = verify(base)?;
    ensure(report["valid"] == true, || format!("{when}: expected a valid ledger, got {report}"))
}

/// The cron, on demand (`wrangler dev --test-scheduled`).
fn run_cron(base: &str) -> Result<(), String> {
    let r = call(base, "GET", "/__scheduled?cron=*/5+*+*+*+*", &[], None);
    ensure(r.status == 200, || format!("/__scheduled: {} {}", r.status, r.body))
}

/// An event row as the worker hashes it (D1 gives `gpc` as 0/1).
fn event_of(row: &serde_json::Value) -> Result<ConsentEvent, String> {
    let mut row = row.clone();
    row["gpc"] = serde_json::Value::Bool(row["gpc"] == 1);
    serde_json::from_value(row).map_err(|e| format!("event row: {e}"))
}

const EVENT_COLUMNS: &str =
    "id, site_id, subject, purpose, channel, action, wording_version, wording_sha256, \
     lang, method, source_url, server_time, client_time, user_agent, ip_truncated, gpc, idempotency_key";

fn main() -> ExitCode {
    let demo = match DemoWorker::start("evidence", false) {
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

    h.case("a_retried_cookie_decision_is_stored_once", || {
        let config = call(base, "GET", "/api/v1/sites/demo/config", &[("Origin", ORIGIN)], None).json();
        let banner_sha = config["banner"]["sha256"].as_str().unwrap_or_default().to_string();
        let body = format!(
            r#"{{"consent_id":"3c9e1a52-1c1e-4f55-9e1a-2d0f5e6b7a11","categories":["analytics","statistics"],"choice":"accept_all","policy_version":1,"wording_sha256":"{banner_sha}","reject_on_first_layer":true}}"#
        );
        let post = || {
            call(
                base,
                "POST",
                "/api/v1/sites/demo/cookie-consents",
                &[("Origin", ORIGIN), ("Content-Type", "application/json"), ("Idempotency-Key", "cookie-retry-1")],
                Some(&body),
            )
        };
        let (first, retry) = (post(), post());
        ensure(first.status == 201 && retry.status == 201, || format!("{} {}", first.body, retry.body))?;
        ensure(first.json()["record_id"] == retry.json()["record_id"], || format!("{} / {}", first.body, retry.body))?;
        ensure(retry.header("idempotent-replayed") == Some("true"), || format!("{:?}", retry.headers))?;
        let rows = d1.query(
            "SELECT COUNT(*) AS n FROM cookie_consents WHERE consent_id = '3c9e1a52-1c1e-4f55-9e1a-2d0f5e6b7a11'",
        )?;
        ensure(rows[0]["n"] == 1, || format!("stored {rows:?}"))
    });

    h.case("the_cron_anchors_the_heads_in_r2", || {
        for who in ["Ada", "Bob", "Cy"] {
            submit(base, who)?;
        }
        run_cron(base)?;
        let report = verify(base)?;
        let anchor = &report["anchor"];
        ensure(
            report["valid"] == true
                && anchor["found"] == true
                && anchor["extends"] == true
                && anchor["seq"] == 3,
            || format!("{report}"),
        )?;
        ensure(report["cookie_chain"]["records_checked"] == 1, || format!("{report}"))
    });

    h.case("a_flipped_state_is_reported", || {
        let withdrawal = r#"{"email":"ada@example.org","method":"admin_import","changes":[{"purpose":"news","channel":"email","action":"withdrawn"}]}"#;
        let r = call(
            base,
            "POST",
            "/api/v1/admin/sites/demo/consents",
            &[("Authorization", BEARER), ("Content-Type", "application/json")],
            Some(withdrawal),
        );
        ensure(r.status == 201, || format!("{} {}", r.status, r.body))?;
        verify_valid(base, "after the withdrawal")?;
        d1.query("UPDATE consent_state SET action = 'granted' WHERE action = 'withdrawn'")?;
        let report = verify(base)?;
        let first = &report["first_state_disagreements"][0];
        ensure(
            report["valid"] == false
                && report["state_disagreements"] == 1
                && first["expected"] == "withdrawn"
                && first["found"] == "granted",
            || format!("{report}"),
        )?;
        d1.query("UPDATE consent_state SET action = 'withdrawn' WHERE event_id = (SELECT id FROM consent_events WHERE action = 'withdrawn')")?;
        verify_valid(base, "after putting the state back")
    });

    h.case("a_row_inserted_into_d1_is_reported_and_not_sealed", || {
        d1.query(
            "INSERT INTO consent_events (id, site_id, subject, purpose, channel, action, wording_version, \
               wording_sha256, lang, method, source_url, server_time, gpc) \
             SELECT 'forged-1', site_id, 'someone-else', purpose, channel, 'granted', wording_version, \
               wording_sha256, lang, 'web_form', source_url, server_time, 0 FROM consent_events LIMIT 1",
        )?;
        let report = verify(base)?;
        ensure(
            report["valid"] == false
                && report["unmarked_events"] == 1
                && report["first_unmarked"][0]["id"] == "forged-1"
                && report["sealing_stopped_at"]["id"] == "forged-1",
            || format!("{report}"),
        )?;
        let sealed = d1.query("SELECT seq FROM ledger_links WHERE event_id = 'forged-1'")?;
        ensure(sealed.is_empty(), || format!("the forged row was sealed: {sealed:?}"))?;
        d1.query("DELETE FROM consent_events WHERE id = 'forged-1'")?;
        verify_valid(base, "after removing the forged row")
    });

    h.case("rows_inserted_into_d1_at_positions_sealing_never_reaches_are_reported", || {
        // Position -1 is "before append marks" by number, and below the chain's end, so sealing
        // never looks there; the same for a cookie decision at rowid -1.
        d1.query(
            "INSERT INTO consent_events (pos, id, site_id, subject, purpose, channel, action, wording_version, \
               wording_sha256, lang, method, source_url, server_time, gpc) \
             SELECT -1, 'forged-low', site_id, 'someone-else', purpose, channel, 'granted', wording_version, \
               wording_sha256, lang, 'web_form', source_url, server_time, 0 FROM consent_events LIMIT 1",
        )?;
        d1.query(
            "INSERT INTO cookie_consents (rowid, id, site_id, consent_id, categories, policy_version, \
               wording_sha256, choice, reject_on_first_layer, gpc, server_time) \
             SELECT -1, 'forged-cookie', site_id, 'someone-else', categories, policy_version, wording_sha256, \
               choice, reject_on_first_layer, gpc, server_time FROM cookie_consents LIMIT 1",
        )?;
        let report = verify(base)?;
        ensure(
            report["valid"] == false
                && report["first_unmarked"][0]["id"] == "forged-low"
                && report["cookie_chain"]["unchained"][0]["id"] == "forged-cookie",
            || format!("{report}"),
        )?;
        d1.query("DELETE FROM consent_events WHERE id = 'forged-low'")?;
        d1.query("DELETE FROM cookie_consents WHERE id = 'forged-cookie'")?;
        verify_valid(base, "after removing the forged rows")
    });

    h.case("an_event_rewritten_with_a_recomputed_unkeyed_chain_is_reported", || {
        let links = d1.query("SELECT seq, event_id, event_hash, prev_hash, hash, version FROM ledger_links WHERE site_id = 'demo' ORDER BY seq")?;
        ensure(links.len() >= 3, || format!("{links:?}"))?;
        let target = links[1]["event_id"].as_str().unwrap_or_default().to_string();
        let original = d1.query(&format!("SELECT action FROM consent_events WHERE id = '{target}'"))?;
        d1.query(&format!("UPDATE consent_events SET action = 'withdrawn' WHERE id = '{target}'"))?;
        // Recompute every link from the edited one on, as SHA-256 v1 links.
        let mut prev = links[0]["hash"].as_str().unwrap_or_default().to_string();
        for link in &links[1..] {
            let id = link["event_id"].as_str().unwrap_or_default();
            let rows = d1.query(&format!("SELECT {EVENT_COLUMNS} FROM consent_events WHERE id = '{id}'"))?;
            let event = event_of(&rows[0])?;
            let seq = link["seq"].as_i64().unwrap_or_default();
            let event_hash = consent_shared::ledger::event_hash(&event);
            let hash = link_hash_v1(seq, &prev, &event_hash);
            d1.query(&format!(
                "UPDATE ledger_links SET event_hash = '{event_hash}', prev_hash = '{prev}', hash = '{hash}', version = 1 \
                 WHERE site_id = 'demo' AND seq = {seq}"
            ))?;
            prev = hash;
        }
        let report = verify(base)?;
        let result = ensure(
            report["valid"] == false
                && report["chain_valid"] == false
                && report["first_broken"]["seq"] == links[1]["seq"]
                && report["first_unmarked"][0]["id"] == target.as_str(),
            || format!("{report}"),
        );
        // Put the original links and event back.
        let action = original[0]["action"].as_str().unwrap_or("granted").to_string();
        d1.query(&format!("UPDATE consent_events SET action = '{action}' WHERE id = '{target}'"))?;
        for link in &links[1..] {
            d1.query(&format!(
                "UPDATE ledger_links SET event_hash = '{}', prev_hash = '{}', hash = '{}', version = {} \
                 WHERE site_id = 'demo' AND seq = {}",
                link["event_hash"].as_str().unwrap_or_default(),
                link["prev_hash"].as_str().unwrap_or_default(),
                link["hash"].as_str().unwrap_or_default(),
                link["version"],
                link["seq"]
            ))?;
        }
        result?;
        verify_valid(base, "after putting the chain back")
    });

    h.case("truncation_is_caught_by_the_anchor", || {
        run_cron(base)?;
        let report = verify(base)?;
        ensure(report["anchor"]["extends"] == true, || format!("{report}"))?;
        let head = report["head_seq"].as_i64().unwrap_or_default();
        // The newest event, its link and its state go, as if never written.
        d1.query(&format!(
            "DELETE FROM consent_state WHERE event_id = (SELECT event_id FROM ledger_links WHERE site_id = 'demo' AND seq = {head})"
        ))?;
        d1.query(&format!(
            "DELETE FROM consent_events WHERE id = (SELECT event_id FROM ledger_links WHERE site_id = 'demo' AND seq = {head})"
        ))?;
        d1.query(&format!("DELETE FROM ledger_links WHERE site_id = 'demo' AND seq = {head}"))?;
        let report = verify(base)?;
        ensure(
            report["valid"] == false
                && report["chain_valid"] == true
                && report["anchor"]["extends"] == false
                && report["anchor"]["seq"] == head,
            || format!("{report}"),
        )
    });

    drop(demo);
    h.finish()
}
