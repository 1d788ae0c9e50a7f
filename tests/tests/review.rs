//! The data review against the real worker in workerd on local D1: a DPO completes a review that
//! erases a group in bulk; a batch interrupted after erasing someone (their erasure in place, not
//! yet marked) is resumed by the next request, which marks them without erasing them again and
//! erases everyone else; a repeat after the end changes nothing. The review's Store contract
//! cases pass on D1.

use std::process::ExitCode;

use consent_tests::client::{admin, call};
use consent_tests::console_client::{post_form_with, sign_in};
use consent_tests::fixture::DemoWorker;
use consent_tests::harness::{ensure, Harness};

/// People the test seeds (inactive since 2015) and erases in bulk.
const PEOPLE: usize = 60;

fn count(d1: &consent_tests::wrangler::LocalD1, sql: &str) -> Result<i64, String> {
    let rows = d1.query(sql)?;
    rows.first().and_then(|r| r["n"].as_i64()).ok_or_else(|| format!("no count from {sql}: {rows:?}"))
}

fn main() -> ExitCode {
    let demo = match DemoWorker::start("review", true) {
        Ok(demo) => demo,
        Err(e) => {
            println!("setup failed: {e}\n0 passed, 1 failed");
            return ExitCode::FAILURE;
        }
    };
    let d1 = &demo.d1;
    let mail = demo.mail();
    let base = demo.origin();
    let base = base.as_str();
    let mut h = Harness::default();
    let session = std::cell::RefCell::new(String::new());
    let job = std::cell::RefCell::new(String::new());
    const REVIEW: &str = "/admin/sites/demo/review";

    h.case("a_dpo_signs_in_and_the_people_are_seeded", || {
        let r = admin(base, "POST", "/api/v1/admin/sites/demo/owners", r#"{"email":"owner@example.org"}"#);
        ensure(r.status == 200, || format!("owner: {} {}", r.status, r.body))?;
        *session.borrow_mut() = sign_in(base, mail, "owner@example.org")?;
        d1.query(&format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {PEOPLE}) \
             INSERT INTO subjects (site_id, subject, email, created_at, updated_at) \
             SELECT 'demo', printf('bulk-%04d', i), printf('bulk-%d@example.org', i), \
                    '2015-01-01T00:00:00.000Z', '2015-01-01T00:00:00.000Z' FROM n"
        ))?;
        let page = call(base, "GET", &format!("{REVIEW}?inactive_months=120"), &[("Cookie", &format!("consent_session={}", session.borrow()))], None);
        ensure(page.status == 200 && page.body.contains(&format!("id=\"count-inactive\">{PEOPLE}<")), || {
            format!("review page: {} {}", page.status, page.body)
        })
    });

    h.case("completing_the_review_starts_a_bulk_erasure", || {
        let s = session.borrow().clone();
        let page = format!("{REVIEW}?inactive_months=120");
        let confirm = format!("ERASE {PEOPLE}");
        let fields = [
            ("op", "complete"),
            ("inactive_months", "120"),
            ("consent_months", "120"),
            ("restricted_months", "120"),
            ("decision-inactive", "erase"),
            ("confirm-inactive", confirm.as_str()),
            ("decision-old_consent", "keep"),
            ("reason-old_consent", "none held"),
            ("decision-restricted", "keep"),
            ("reason-restricted", "none held"),
            ("decision-erased_history", "keep"),
            ("reason-erased_history", "kept for six years"),
        ];
        let r = post_form_with(base, &page, REVIEW, Some(&s), &[], &fields);
        ensure(r.status == 303, || format!("complete: {} {}", r.status, r.body))?;
        let location = r.header("location").unwrap_or_default();
        ensure(location.starts_with("/admin/sites/demo/review/"), || location.to_string())?;
        *job.borrow_mut() = location.split('?').next().unwrap_or_default().to_string();
        let total = count(d1, "SELECT total AS n FROM review_erasures")?;
        ensure(total == PEOPLE as i64, || format!("job total {total}"))?;
        ensure(count(d1, "SELECT COUNT(*) AS n FROM reviews")? == 1, || "one review".into())
    });

    h.case("an_interrupted_batch_is_resumed_erasing_nobody_twice_and_missing_nobody", || {
        let s = session.borrow().clone();
        let job = job.borrow().clone();
        // One batch, then an interruption: someone erased (address gone, erasure suppression)
        // before their row in the job was marked.
        let first = post_form_with(base, REVIEW, &job, Some(&s), &[("Accept", "application/json")], &[("op", "step")]);
        ensure(first.status == 200 && first.json()["done"] == false, || format!("step: {} {}", first.status, first.body))?;
        let marked = count(d1, "SELECT COUNT(*) AS n FROM review_erasure_subjects WHERE erased_at IS NOT NULL")?;
        ensure(marked > 0 && marked < PEOPLE as i64, || format!("one batch marked {marked}"))?;
        d1.query(
            "UPDATE subjects SET email = NULL WHERE site_id = 'demo' AND subject = 'bulk-0060'; \
             INSERT INTO suppressions (site_id, subject, reason, created_at) \
             VALUES ('demo', 'bulk-0060', 'erasure', '2026-12-01T00:00:00.000Z')",
        )?;
        let mut steps = 0;
        loop {
            let r = post_form_with(base, REVIEW, &job, Some(&s), &[("Accept", "application/json")], &[("op", "step")]);
            ensure(r.status == 200, || format!("step: {} {}", r.status, r.body))?;
            steps += 1;
            if r.json()["done"] == true {
                ensure(r.json()["erased"] == PEOPLE as i64, || r.body.clone())?;
                break;
            }
            ensure(steps < 20, || "the job never finishes".into())?;
        }
        let through_job = count(
            d1,
            "SELECT COUNT(*) AS n FROM audit_events WHERE kind = 'subject_erased' AND detail LIKE '%review_erasure%'",
        )?;
        ensure(through_job == PEOPLE as i64 - 1, || format!("{through_job} erased through the job (bulk-0060 was already)"))?;
        let left = count(d1, "SELECT COUNT(*) AS n FROM subjects WHERE subject LIKE 'bulk-%' AND email IS NOT NULL")?;
        let suppressed = count(d1, "SELECT COUNT(*) AS n FROM suppressions WHERE subject LIKE 'bulk-%' AND reason = 'erasure'")?;
        ensure(left == 0 && suppressed == PEOPLE as i64, || format!("left {left}, suppressed {suppressed}"))?;
        // A repeat after the end writes nothing.
        let audit_before = count(d1, "SELECT COUNT(*) AS n FROM audit_events")?;
        let again = post_form_with(base, REVIEW, &job, Some(&s), &[("Accept", "application/json")], &[("op", "step")]);
        ensure(again.status == 200 && again.json()["done"] == true, || again.body.clone())?;
        let audit_after = count(d1, "SELECT COUNT(*) AS n FROM audit_events")?;
        ensure(audit_after == audit_before, || format!("audit {audit_before} → {audit_after}"))
    });

    h.case("the_review_store_contract_holds_on_d1", || {
        let r = call(base, "POST", "/__contract", &[], None);
        let cases = r.json()["cases"].as_array().cloned().unwrap_or_default();
        let failed: Vec<_> = cases.iter().filter(|c| !c["failure"].is_null()).collect();
        let review = cases.iter().filter(|c| c["name"].as_str().is_some_and(|n| n.contains("review"))).count();
        ensure(r.status == 200 && failed.is_empty() && review == 4, || {
            format!("{} failed {failed:?}, review cases {review}", r.status)
        })
    });

    drop(demo);
    h.finish()
}
