//! Browser tests: headless Chromium (Debian's) driven by playwright-core loads the demo host
//! page on its own origin, which embeds the widget from the worker in workerd. The specs live in
//! `tests/e2e/*.spec.mjs`; this harness starts and stops the servers around them and then checks
//! what they submitted landed in local D1 with its evidence.

use std::process::{Command, ExitCode, Stdio};

use consent_tests::demo_host::DemoHost;
use consent_tests::harness::{ensure, Harness};
use consent_tests::mail_capture::MailCapture;
use consent_tests::secrets::{worker_secrets, ADMIN_KEY};
use consent_tests::wrangler::{LocalD1, WranglerDev};
use consent_tests::{free_port, repo_root};

/// People seeded for the review's bulk erasure (console_review.spec.mjs erases them all).
const REVIEW_PEOPLE: i64 = 1000;
const DEMO_WORDING_SHA256: &str = "c3a4ba5d37e18e36f89aa102f76a981ece8808a97023761ac20744e5b8f278fb";

fn main() -> ExitCode {
    let dir = std::env::temp_dir().join(format!("consent-browser-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let d1 = LocalD1::new(&dir);
    let email = format!("e2e-{}@example.org", std::process::id());
    let offline_email = format!("offline-{}@example.org", std::process::id());

    let setup = (|| {
        d1.migrate()?;
        d1.execute_file(&repo_root().join("worker/seed/demo.sql"))?;
        // The data review's bulk erasure (console_review.spec.mjs): people inactive since 2015.
        d1.query(&format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {REVIEW_PEOPLE}) \
             INSERT INTO subjects (site_id, subject, email, created_at, updated_at) \
             SELECT 'demo', printf('bulk-review-%04d', i), printf('bulk-review-%d@example.org', i), \
                    '2015-01-01T00:00:00.000Z', '2015-01-01T00:00:00.000Z' FROM n"
        ))?;
        // The page's origin must be registered before the worker serves it, and the page must
        // know the worker's origin: bind the host first, on any free port.
        let worker_port = free_port();
        let host = DemoHost::start(0, &format!("http://127.0.0.1:{worker_port}"))?;
        d1.query(&format!(
            "INSERT INTO site_origins (site_id, origin) VALUES ('demo', '{}')",
            host.origin()
        ))?;
        let mail = MailCapture::start()?;
        let mail_url = mail.url();
        let mut vars = worker_secrets();
        vars.extend([
            ("MAIL_API_URL", mail_url.as_str()),
            ("MAIL_API_KEY", "browser-capture-key"),
            ("MAIL_FROM", "Demo Alumni <alumni@example.org>"),
        ]);
        let worker = WranglerDev::start(&d1, worker_port, &vars)?;
        Ok::<_, String>((worker, host, mail))
    })();
    let (worker, host, mail) = match setup {
        Ok(servers) => servers,
        Err(e) => {
            println!("setup failed: {e}\n0 passed, 1 failed");
            return ExitCode::FAILURE;
        }
    };
    let mut h = Harness::default();
    // `CONSENT_E2E_ONLY=console_people` runs the specs whose file name contains it, and only
    // them (the D1 checks below follow the specs that submit, so they are left out then).
    let only = std::env::var("CONSENT_E2E_ONLY").ok().filter(|o| !o.is_empty());

    h.case("playwright_specs_pass_in_headless_chromium", || {
        let mut specs: Vec<_> = std::fs::read_dir(repo_root().join("tests/e2e"))
            .map_err(|e| e.to_string())?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.to_string_lossy().ends_with(".spec.mjs"))
            .filter(|p| only.as_deref().is_none_or(|o| p.to_string_lossy().contains(o)))
            .collect();
        specs.sort();
        ensure(!specs.is_empty(), || "no tests/e2e/*.spec.mjs found".into())?;
        let status = Command::new("node")
            .args(["--test", "--test-reporter=spec", "--test-concurrency=1"])
            .args(&specs)
            .current_dir(repo_root())
            .env("CONSENT_DEMO_URL", host.url())
            .env("CONSENT_WORKER_URL", worker.origin())
            .env("CONSENT_E2E_EMAIL", &email)
            .env("CONSENT_E2E_OFFLINE_EMAIL", &offline_email)
            .env("CONSENT_ADMIN_KEY", ADMIN_KEY)
            .env("CONSENT_MAIL_MESSAGES_URL", mail.messages_url())
            .stdin(Stdio::null())
            .status()
            .map_err(|e| format!("cannot run node: {e}"))?;
        ensure(status.success(), || format!("browser specs failed ({status})"))
    });

    // The review spec's bulk erasure, checked in D1 whenever that spec ran.
    if only.as_deref().is_none_or(|o| "tests/e2e/console_review.spec.mjs".contains(o)) {
        h.case("the_review_bulk_erasure_erased_all_1000_and_kept_their_suppressions", || {
            let n = |sql: &str| -> Result<i64, String> {
                let rows = d1.query(sql)?;
                rows.first().and_then(|r| r["n"].as_i64()).ok_or_else(|| format!("{sql}: {rows:?}"))
            };
            let erased = n("SELECT COUNT(*) AS n FROM subjects WHERE subject LIKE 'bulk-review-%' AND email IS NULL")?;
            let suppressed = n("SELECT COUNT(*) AS n FROM suppressions WHERE subject LIKE 'bulk-review-%' AND reason = 'erasure'")?;
            let audited = n("SELECT COUNT(*) AS n FROM audit_events WHERE kind = 'subject_erased' \
                             AND detail LIKE '%bulk-review-%' AND detail LIKE '%review_erasure%'")?;
            let reviews = n("SELECT COUNT(*) AS n FROM audit_events WHERE kind = 'review_completed' \
                             AND detail LIKE '%\"decision\":\"erase\"%'")?;
            ensure(
                (erased, suppressed, audited) == (REVIEW_PEOPLE, REVIEW_PEOPLE, REVIEW_PEOPLE) && reviews == 1,
                || format!("erased {erased}, suppressed {suppressed}, audited {audited}, reviews {reviews}"),
            )
        });
    }
    if only.is_some() {
        drop((host, worker, mail));
        let _ = std::fs::remove_dir_all(&dir);
        return h.finish();
    }

    h.case("the_browser_submission_is_in_d1_with_time_and_wording_hash", || {
        let rows = d1.query(&format!(
            "SELECT e.* FROM consent_events e JOIN subjects s USING (site_id, subject) WHERE s.email = '{email}'"
        ))?;
        ensure(rows.len() == 1, || format!("expected exactly one event for {email}, found {rows:?}"))?;
        let row = &rows[0];
        ensure(row["wording_sha256"] == DEMO_WORDING_SHA256, || format!("{row}"))?;
        ensure(row["method"] == "web_form" && row["action"] == "granted", || format!("{row}"))?;
        ensure(row["source_url"] == host.url().as_str(), || format!("source_url {}", row["source_url"]))?;
        ensure(row["user_agent"].as_str().is_some_and(|ua| ua.contains("Chrome")), || format!("{row}"))?;
        ensure(row["client_time"].as_str().is_some_and(|t| t.ends_with('Z')), || format!("{row}"))?;
        ensure(row["idempotency_key"].as_str().is_some_and(|k| !k.is_empty()), || format!("{row}"))?;
        let time = row["server_time"].as_str().unwrap_or_default();
        ensure(time.starts_with("20") && time.ends_with('Z'), || format!("server_time {time}"))
    });

    h.case("the_offline_submission_was_recorded_exactly_once", || {
        let rows = d1.query(&format!(
            "SELECT e.id FROM consent_events e JOIN subjects s USING (site_id, subject) WHERE s.email = '{offline_email}'"
        ))?;
        ensure(rows.len() == 1, || format!("expected one event for {offline_email}, found {rows:?}"))
    });

    drop(host);
    drop(worker);
    drop(mail);
    let _ = std::fs::remove_dir_all(&dir);
    h.finish()
}
