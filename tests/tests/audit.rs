//! The audit trail and the consent check on the real runtime (workerd + local D1): an audience
//! export is in the trail with its row count and without any address, the trail refuses edits,
//! backend checks are counted (and the cron turns a finished day's count into one entry, and
//! records what it purged), and
//! `ledger/verify` reports a trail row tampered with through `wrangler d1 execute`.
//! One fresh D1 and one worker for the whole binary; cases run in order and share them.

use std::process::ExitCode;

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

fn admin_get(base: &str, path: &str) -> Result<serde_json::Value, String> {
    let r = call(base, "GET", path, &[("Authorization", BEARER)], None);
    ensure(r.status == 200, || format!("GET {path}: {} {}", r.status, r.body))?;
    Ok(r.json())
}

fn main() -> ExitCode {
    let demo = match DemoWorker::start("audit", false) {
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

    h.case("an_audience_export_is_in_the_trail_with_its_row_count", || {
        for who in ["Ada", "Bob", "Cy"] {
            submit(base, who)?;
        }
        let r = call(
            base,
            "GET",
            "/api/v1/sites/demo/audience?purpose=news&channel=email",
            &[("Authorization", BEARER), ("Accept", "text/csv")],
            None,
        );
        ensure(r.status == 200 && r.body.lines().count() == 4, || {
            format!("export: {} {}", r.status, r.body)
        })?;
        let page = admin_get(base, "/api/v1/admin/sites/demo/audit?kind=audience_exported")?;
        let entry = &page["entries"][0];
        ensure(
            entry["actor"] == "admin_key"
                && entry["detail"]["rows"] == 3
                && entry["detail"]["format"] == "csv"
                && entry["detail"]["purpose"] == "news",
            || format!("{page}"),
        )?;
        let counted = admin_get(base, "/api/v1/sites/demo/audience?purpose=news&channel=email&count=true")?;
        ensure(counted["count"] == 3, || format!("{counted}"))?;
        let page = admin_get(base, "/api/v1/admin/sites/demo/audit?kind=audience_counted")?;
        ensure(page["entries"][0]["detail"]["rows"] == 3, || format!("{page}"))?;
        let everything = d1.query("SELECT * FROM audit_events")?;
        let text = serde_json::Value::Array(everything).to_string();
        ensure(!text.contains('@'), || format!("an address in the trail: {text}"))
    });

    h.case("the_trail_refuses_edits_on_d1", || {
        let before =
            d1.query("SELECT seq, detail, hash FROM audit_events WHERE site_id = 'demo' ORDER BY seq")?;
        let update = d1.query("UPDATE audit_events SET detail = '{}' WHERE site_id = 'demo'");
        ensure(update.is_err(), || format!("UPDATE went through: {update:?}"))?;
        let delete = d1.query("DELETE FROM audit_events WHERE site_id = 'demo'");
        ensure(delete.is_err(), || format!("DELETE went through: {delete:?}"))?;
        let after =
            d1.query("SELECT seq, detail, hash FROM audit_events WHERE site_id = 'demo' ORDER BY seq")?;
        ensure(!before.is_empty() && before == after, || format!("before {before:?}, after {after:?}"))
    });

    h.case("the_consent_check_answers_and_is_counted", || {
        let one = admin_get(
            base,
            "/api/v1/sites/demo/subjects/check?email=ada%40example.org&purpose=news&channel=email",
        )?;
        let link = one["unsubscribe_url"].as_str().unwrap_or_default();
        ensure(
            one["may_contact"] == true
                && one["basis"] == "consent"
                && link.starts_with(&format!("{base}/u/")),
            || format!("{one}"),
        )?;
        let batch =
            r#"{"purpose":"news","channel":"email","emails":["bob@example.org","nobody@example.org"]}"#;
        let r = call(
            base,
            "POST",
            "/api/v1/sites/demo/subjects/check",
            &[("Authorization", BEARER), ("Content-Type", "application/json")],
            Some(batch),
        );
        let results = r.json();
        ensure(
            r.status == 200
                && results["results"][0]["check"]["may_contact"] == true
                && results["results"][1]["check"]["may_contact"] == false
                && results["results"][1]["check"]["basis"] == "no_consent",
            || format!("{} {}", r.status, r.body),
        )?;
        let counts = d1.query("SELECT actor, checks FROM subject_check_counts WHERE site_id = 'demo'")?;
        ensure(counts.len() == 1 && counts[0]["checks"] == 3 && counts[0]["actor"] == "admin_key", || {
            format!("{counts:?}")
        })
    });

    h.case("a_batch_of_1000_addresses_passes_the_body_cap_and_1001_do_not", || {
        // About 25 KB: over the 16 KB every other endpoint takes, within the check's own cap.
        let batch = |n: usize| {
            let emails: Vec<String> = (0..n).map(|i| format!("person{i}@example.org")).collect();
            serde_json::json!({"purpose": "news", "channel": "email", "emails": emails}).to_string()
        };
        let post = |body: &str| {
            call(
                base,
                "POST",
                "/api/v1/sites/demo/subjects/check",
                &[("Authorization", BEARER), ("Content-Type", "application/json")],
                Some(body),
            )
        };
        let r = post(&batch(1000));
        let results = r.json();
        ensure(r.status == 200 && results["results"].as_array().map(Vec::len) == Some(1000), || {
            format!("1,000: {} {}", r.status, r.body.chars().take(300).collect::<String>())
        })?;
        let r = post(&batch(1001));
        ensure(r.status == 422 && r.json()["error"]["code"] == "too_many_addresses", || {
            format!("1,001: {} {}", r.status, r.body)
        })?;
        let counts = d1.query("SELECT checks FROM subject_check_counts WHERE site_id = 'demo'")?;
        ensure(counts.len() == 1 && counts[0]["checks"] == 1003, || format!("{counts:?}"))
    });

    h.case("the_cron_turns_a_finished_days_checks_into_one_entry", || {
        d1.query(
            "INSERT INTO subject_check_counts (site_id, day, actor_type, actor, checks) \
             VALUES ('demo', '2000-01-01', 'api_key', 'key:ck_test', 1234)",
        )?;
        // An answer kept for an Idempotency-Key long ago: the cron purges it and says so.
        d1.query(
            "INSERT INTO idempotency_keys (site_id, key, request_mac, status, body, created_at) \
             VALUES ('demo', 'old-key', 'mac', 201, '{}', '2000-01-01T00:00:00.000Z')",
        )?;
        let r = call(base, "GET", "/__scheduled?cron=*/5+*+*+*+*", &[], None);
        ensure(r.status == 200, || format!("/__scheduled: {} {}", r.status, r.body))?;
        let page = admin_get(base, "/api/v1/admin/sites/demo/audit?kind=subjects_checked")?;
        let entry = &page["entries"][0];
        ensure(
            entry["actor"] == "key:ck_test"
                && entry["detail"]["checks"] == 1234
                && entry["detail"]["day"] == "2000-01-01",
            || format!("{page}"),
        )?;
        let purged = admin_get(base, "/api/v1/admin/sites/demo/audit?kind=purged&actor=system")?;
        ensure(purged["entries"][0]["detail"]["idempotency_answers"] == 1, || format!("{purged}"))?;
        let left = d1.query("SELECT * FROM subject_check_counts WHERE day = '2000-01-01'")?;
        ensure(left.is_empty(), || format!("count left behind: {left:?}"))
    });

    h.case("verify_reports_a_tampered_audit_row", || {
        let report = admin_get(base, "/api/v1/sites/demo/ledger/verify")?;
        ensure(report["valid"] == true && report["audit_trail"]["valid"] == true, || format!("{report}"))?;
        // The export's entry is not the first: each ADMIN_KEY request (this suite's) writes its
        // own `admin_key_used` entry before what it does.
        let exported = d1.query(
            "SELECT MIN(seq) AS seq FROM audit_events WHERE site_id = 'demo' AND kind = 'audience_exported'",
        )?;
        let export_seq = exported.first().map(|row| row["seq"].clone()).unwrap_or_default();
        ensure(export_seq.as_u64().is_some_and(|seq| seq > 1), || format!("export entry: {exported:?}"))?;
        // Someone with D1 access removes the guard and edits the export's entry.
        d1.query("DROP TRIGGER audit_events_never_change")?;
        d1.query(
            "UPDATE audit_events SET detail = '{\"rows\":0}' WHERE site_id = 'demo' AND kind = 'audience_exported'",
        )?;
        let report = admin_get(base, "/api/v1/sites/demo/ledger/verify")?;
        let trail = &report["audit_trail"];
        ensure(
            report["valid"] == false
                && trail["valid"] == false
                && trail["first_broken"]["seq"] == export_seq
                && trail["first_broken"]["reason"] == "event does not match its sealed hash: it was altered",
            || format!("{report}"),
        )
    });

    drop(demo);
    h.finish()
}
