//! Console → Import against the real worker in workerd (wrangler dev) on local D1: a dpo signs
//! in with the mailed link, pastes a file of mixed good and bad rows larger than the ordinary
//! 16 KB body cap, reads the dry run, confirms, and the job page records it batch by batch
//! (following its `Refresh`) until done; D1 then holds each good row once, with its original
//! date, and nothing for the suppressed address; the trail holds counts only.

use std::process::ExitCode;

use consent_tests::client::{admin, call, Reply};
use consent_tests::console_forms::sign_in;
use consent_tests::fixture::DemoWorker;
use consent_tests::harness::{ensure, Harness};

/// Posts a page's form with that page's anti-forgery value; redirects shown, not followed.
fn post_form(
    base: &str,
    page_path: &str,
    action: &str,
    cookie: Option<&str>,
    fields: &[(&str, &str)],
) -> Reply {
    consent_tests::console_forms::post_form(base, page_path, action, cookie, &[], fields)
}

fn mixed_file() -> String {
    let mut csv = String::from("email,name,purpose,channel,consented_at,method,evidence,statement\n");
    for i in 0..600 {
        csv.push_str(&format!(
            "grad{i}@example.org,Graduate {i},news,email,2019-06-{:02},paper_form,Reunion sheet {i},\n",
            i % 28 + 1
        ));
    }
    csv.push_str("not-an-email,X,news,email,2019-03-15,,,\n");
    csv.push_str("cy@example.org,Cy,golf,email,2019-03-15,,,\n");
    csv.push_str("di@example.org,Di,news,pigeon,2019-03-15,,,\n");
    csv.push_str("grad1@example.org,Dup,news,email,2019-03-15,,,\n");
    csv.push_str("fay@example.org,Fay,news,email,2099-01-01,,,\n");
    csv.push_str("sue@example.org,Sue,news,email,2019-03-15,,,\n");
    csv.push_str("old@example.org,Old,news,email,2018-01-02,,,Tick for alumni news (2018 card)\n");
    csv
}

fn main() -> ExitCode {
    let demo = match DemoWorker::start("import", true) {
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
    let session = std::cell::RefCell::new(String::new());
    let job_path = std::cell::RefCell::new(String::new());

    h.case("a_dpo_signs_in", || {
        let r = admin(base, "POST", "/api/v1/admin/sites/demo/owners", r#"{"email":"owner@example.org"}"#);
        ensure(r.status == 200, || format!("owner: {} {}", r.status, r.body))?;
        let r = admin(
            base,
            "POST",
            "/api/v1/admin/sites/demo/people",
            r#"{"email":"dpo@example.org","role":"dpo"}"#,
        );
        ensure(r.status == 201, || format!("dpo: {} {}", r.status, r.body))?;
        let r =
            admin(base, "POST", "/api/v1/admin/sites/demo/suppressions", r#"{"email":"sue@example.org"}"#);
        ensure(r.status == 200, || format!("suppress: {} {}", r.status, r.body))?;
        *session.borrow_mut() = sign_in(base, demo.mail(), "dpo@example.org")?;
        Ok(())
    });

    h.case("the_dry_run_reports_each_row_and_records_nothing", || {
        let file = mixed_file();
        ensure(file.len() > 16 * 1024, || "the file is larger than the ordinary body cap".into())?;
        let s = session.borrow().clone();
        let r = post_form(
            base,
            "/admin/sites/demo/import",
            "/admin/sites/demo/import",
            Some(&s),
            &[("action", "dry_run"), ("csv", &file), ("evidence", "Reunion sign-up sheets")],
        );
        ensure(r.status == 200, || format!("dry run: {} {}", r.status, r.body))?;
        ensure(r.body.contains("607 rows read: 601 would be recorded, 6 refused."), || r.body.clone())?;
        for reason in [
            "not an email address",
            "unknown purpose",
            "unknown channel",
            "duplicate of line 3",
            "date in the future",
            "address suppressed",
        ] {
            ensure(r.body.contains(reason), || format!("no '{reason}' in the report"))?;
        }
        let events = d1.query(
            "SELECT COUNT(*) AS n FROM consent_events WHERE method = 'paper_form' OR method = 'admin_import'",
        )?;
        ensure(events[0]["n"] == 0, || format!("a dry run recorded: {events:?}"))?;
        let job = r
            .body
            .split("name=\"job\" value=\"")
            .nth(1)
            .unwrap_or_default()
            .split('"')
            .next()
            .unwrap_or_default();
        let confirm = post_form(
            base,
            "/admin/sites/demo/import",
            "/admin/sites/demo/import",
            Some(&s),
            &[("action", "confirm"), ("job", job)],
        );
        ensure(confirm.status == 303, || format!("confirm: {} {}", confirm.status, confirm.body))?;
        *job_path.borrow_mut() = confirm.header("location").unwrap_or_default().to_string();
        Ok(())
    });

    h.case("the_job_page_records_batch_by_batch_until_done", || {
        let s = session.borrow().clone();
        let cookie = format!("consent_session={s}");
        let mut path = job_path.borrow().clone();
        let mut pages = 0;
        loop {
            let r = call(base, "GET", &path, &[("Cookie", cookie.as_str())], None);
            ensure(r.status == 200, || format!("job page: {} {}", r.status, r.body))?;
            pages += 1;
            match r.header("refresh") {
                Some(refresh) if pages < 10 => path = refresh.split("url=").nth(1).unwrap_or_default().to_string(),
                Some(_) => return Err("still recording after 10 pages".into()),
                None => {
                    ensure(r.body.contains("Done: 601 rows recorded."), || r.body.clone())?;
                    break;
                }
            }
        }
        ensure(pages == 3, || format!("601 rows in chunks of 250 take 3 pages, took {pages}"))?;
        let events = d1.query(
            "SELECT COUNT(*) AS n, COUNT(DISTINCT subject) AS people, MIN(client_time) AS earliest FROM consent_events WHERE method = 'paper_form' OR method = 'admin_import'",
        )?;
        ensure(events[0]["n"] == 601 && events[0]["people"] == 601, || format!("{events:?}"))?;
        ensure(events[0]["earliest"] == "2018-01-02T00:00:00.000Z", || format!("{events:?}"))?;
        let legacy = d1.query("SELECT version FROM wordings WHERE site_id = 'demo' AND text = 'Tick for alumni news (2018 card)'")?;
        ensure(legacy.len() == 1, || format!("legacy wording: {legacy:?}"))?;
        let left = d1.query("SELECT COUNT(*) AS n FROM import_chunks")?;
        ensure(left[0]["n"] == 0, || format!("rows kept after recording: {left:?}"))?;
        let trail = d1.query("SELECT kind, detail FROM audit_events WHERE kind LIKE 'import_%' ORDER BY seq")?;
        ensure(trail.len() == 4, || format!("one dry run and three batches: {trail:?}"))?;
        ensure(trail.iter().all(|t| !t["detail"].as_str().unwrap_or_default().contains('@')), || format!("{trail:?}"))
    });

    h.finish()
}
