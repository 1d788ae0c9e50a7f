//! The register's daily digest on the real runtime (workerd + local D1 + the mail capture): the
//! cron (`GET /__scheduled`) mails nothing while nothing falls due, mails the site's DPO a
//! digest of what is overdue or due within 7 days — references, kinds and dates, never the
//! person's details — and a second run the same day mails nothing again (the day's
//! `register_digest_sent` entry in the audit trail is the marker).
//! One fresh D1 and one worker for the whole binary; cases run in order and share them.

use std::process::ExitCode;

use consent_tests::client::call;
use consent_tests::fixture::DemoWorker;
use consent_tests::harness::{ensure, Harness};
use consent_tests::secrets::ADMIN_BEARER as BEARER;

const DPO: &str = "dpo@example.org";
/// A person's details kept with an entry, which the digest must never carry.
const CONTACT: &str = "writer@example.org";

fn run_cron(base: &str) -> Result<(), String> {
    let r = call(base, "GET", "/__scheduled?cron=*/5+*+*+*+*", &[], None);
    ensure(r.status == 200, || format!("/__scheduled: {} {}", r.status, r.body))
}

/// An entry received `days_ago`, due `due_in` days from today (negative: overdue), written
/// straight into D1 (recording through the console is the native and browser tests' part).
fn insert_entry(demo: &DemoWorker, reference: &str, days_ago: i32, due_in: i32) -> Result<(), String> {
    demo.d1
        .query(&format!(
            "INSERT INTO register_entries (site_id, reference, kind, arrival, received_on, status, due_on, \
             contact_email, contact_name, details, recorded_by, recorded_at, updated_at) VALUES ('demo', \
             '{reference}', 'access', 'letter', date('now', '-{days_ago} days'), 'received', \
             date('now', '{due_in:+} days'), '{CONTACT}', 'Ada Writer', 'A copy of my data', 'person:test', \
             '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')"
        ))
        .map(drop)
}

fn digest_markers(demo: &DemoWorker) -> Result<Vec<serde_json::Value>, String> {
    demo.d1.query("SELECT detail FROM audit_events WHERE site_id = 'demo' AND kind = 'register_digest_sent'")
}

/// The digests captured so far (the DPO also gets other mail, e.g. on being added).
fn digests(demo: &DemoWorker) -> Vec<consent_tests::mail_capture::CapturedMail> {
    let is_digest = |m: &consent_tests::mail_capture::CapturedMail| {
        m.body["subject"].as_str().is_some_and(|s| s.starts_with("Register of"))
    };
    demo.mail().all().into_iter().filter(is_digest).collect()
}

fn main() -> ExitCode {
    let demo = match DemoWorker::start("register", true) {
        Ok(demo) => demo,
        Err(e) => {
            println!("setup failed: {e}\n0 passed, 1 failed");
            return ExitCode::FAILURE;
        }
    };
    let base = demo.origin();
    let base = base.as_str();
    let mut h = Harness::default();

    h.case("nothing_due_mails_nothing", || {
        let r = call(
            base,
            "POST",
            "/api/v1/admin/sites/demo/people",
            &[("Authorization", BEARER), ("Content-Type", "application/json")],
            Some(&format!(r#"{{"email":"{DPO}","role":"dpo"}}"#)),
        );
        ensure(r.status == 201, || format!("adding the DPO: {} {}", r.status, r.body))?;
        // Due in a month: not in the digest.
        insert_entry(&demo, "R-0000000L", 0, 30)?;
        run_cron(base)?;
        // The cron answers once its handler has finished, mails included.
        ensure(digests(&demo).is_empty(), || format!("mail sent: {:?}", demo.mail().all()))?;
        let markers = digest_markers(&demo)?;
        ensure(markers.is_empty(), || format!("a digest marker: {markers:?}"))
    });

    h.case("the_dpo_gets_one_digest_a_day_with_references_and_dates_only", || {
        insert_entry(&demo, "R-0000000V", 40, -9)?;
        insert_entry(&demo, "R-0000000S", 25, 3)?;
        run_cron(base)?;
        let sent = digests(&demo);
        ensure(sent.len() == 1 && sent[0].to() == DPO, || format!("one digest, to the DPO: {sent:?}"))?;
        let mail = &sent[0];
        let text = mail.text();
        ensure(
            text.contains("R-0000000V") && text.contains("R-0000000S") && !text.contains("R-0000000L"),
            || format!("the digest lists what falls due: {text}"),
        )?;
        ensure(text.contains("Overdue") && text.contains("Due soon"), || text.to_string())?;
        let body = mail.body.to_string();
        ensure(
            !body.contains(CONTACT) && !body.contains("Ada Writer") && !body.contains("copy of my"),
            || format!("a person's details in the digest: {body}"),
        )?;
        ensure(mail.body["subject"].as_str().is_some_and(|s| s.contains("1 overdue, 1 due soon")), || {
            body.clone()
        })?;
        let markers = digest_markers(&demo)?;
        ensure(markers.len() == 1, || format!("{markers:?}"))?;
        // The same day again: nothing more.
        run_cron(base)?;
        ensure(digests(&demo).len() == 1, || format!("digests: {:?}", demo.mail().all()))?;
        let markers = digest_markers(&demo)?;
        ensure(markers.len() == 1, || format!("{markers:?}"))
    });

    h.finish()
}
