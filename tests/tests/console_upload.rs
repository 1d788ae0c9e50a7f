//! The console's file uploads and corrections against the real worker in workerd (wrangler dev)
//! on local D1: an owner signs in with the mailed link, uploads a CSV file (multipart/form-data,
//! read by `multer` in the wasm build) for an import dry run and for the suppression list, is
//! refused without the anti-forgery value, gets a readable 413 page for a file over the route's
//! cap, and corrects a person's address (the confirmation mailed to the new inbox); D1 and the
//! audit trail show what was done and hold no address.

use std::process::ExitCode;
use std::time::Duration;

use consent_tests::client::admin;
use consent_tests::console_client::{page_csrf, post_file, post_form, sign_in};
use consent_tests::fixture::DemoWorker;
use consent_tests::harness::{ensure, Harness};

fn main() -> ExitCode {
    let demo = match DemoWorker::start("console_upload", true) {
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
    let import = "/admin/sites/demo/import";
    let suppressions = "/admin/sites/demo/suppressions";

    h.case("an_owner_signs_in", || {
        let r = admin(base, "POST", "/api/v1/admin/sites/demo/owners", r#"{"email":"owner@example.org"}"#);
        ensure(r.status == 200, || format!("owner: {} {}", r.status, r.body))?;
        *session.borrow_mut() = sign_in(base, demo.mail(), "owner@example.org")?;
        Ok(())
    });

    h.case("an_uploaded_file_is_read_for_the_import_dry_run", || {
        let s = session.borrow().clone();
        let file = "\u{feff}email,name,purpose,channel,consented_at\n\
            up1@example.org,A,news,email,2019-03-15\nup2@example.org,B,news,email,2019-03-16\nnot-an-email,C,news,email,2019-03-15\n";
        let csrf = page_csrf(base, import, Some(&s));
        let r = post_file(base, import, &s, &csrf, &[("action", "dry_run"), ("evidence", "Sheets")], ("csv_file", "list.csv", file));
        ensure(r.status == 200, || format!("dry run: {} {}", r.status, r.body))?;
        ensure(r.body.contains("3 rows read: 2 would be recorded, 1 refused."), || r.body.clone())?;
        let runs = d1.query("SELECT detail FROM audit_events WHERE kind = 'import_dry_run'")?;
        ensure(runs.len() == 1, || format!("{runs:?}"))?;
        // A workbook: refused beside the field, nothing checked.
        let r = post_file(base, import, &s, &csrf, &[("action", "dry_run")], ("csv_file", "list.xlsx", "PK\u{3}\u{4}rest"));
        ensure(r.status == 422 && r.body.contains("This is not a CSV file"), || format!("{} {}", r.status, r.body))?;
        // Without the anti-forgery value: refused, nothing read.
        let r = post_file(base, import, &s, "", &[("action", "dry_run")], ("csv_file", "list.csv", file));
        ensure(r.status == 403, || format!("no csrf: {} {}", r.status, r.body))?;
        let runs = d1.query("SELECT COUNT(*) AS n FROM audit_events WHERE kind = 'import_dry_run'")?;
        ensure(runs[0]["n"] == 1, || format!("{runs:?}"))
    });

    h.case("suppressions_are_added_from_a_file_and_a_file_over_the_cap_gets_a_page", || {
        let s = session.borrow().clone();
        let csrf = page_csrf(base, suppressions, Some(&s));
        let file = "name,email\nA,gone1@example.org\nB,gone2@example.org\n";
        let r = post_file(base, suppressions, &s, &csrf, &[("op", "add"), ("reason", "complaint")], ("addresses_file", "c.csv", file));
        ensure(r.status == 200 && r.body.contains("2 address(es) added"), || format!("{} {}", r.status, r.body))?;
        let rows = d1.query("SELECT COUNT(*) AS n FROM suppressions WHERE site_id = 'demo' AND reason = 'complaint'")?;
        ensure(rows[0]["n"] == 2, || format!("{rows:?}"))?;
        let huge = "x".repeat(600 * 1024);
        let r = post_file(base, suppressions, &s, &csrf, &[("op", "add"), ("reason", "complaint")], ("addresses_file", "big.csv", &huge));
        ensure(r.status == 413, || format!("over the cap: {} {}", r.status, r.body))?;
        let html = r.header("content-type").is_some_and(|t| t.starts_with("text/html"));
        ensure(html && r.body.contains("512 KB") && r.body.contains("Back to the form"), || r.body.clone())
    });

    h.case("a_correction_mails_the_new_address_and_the_trail_holds_none", || {
        let s = session.borrow().clone();
        let consent = r#"{"email":"ada@example.org","method":"paper_form","changes":[{"purpose":"news","channel":"email","action":"granted"}]}"#;
        let r = admin(base, "POST", "/api/v1/admin/sites/demo/consents", consent);
        ensure(r.status == 201, || format!("consent: {} {}", r.status, r.body))?;
        let people = "/admin/sites/demo/people";
        let fields = [
            ("op", "rectify"),
            ("email", "ada@example.org"),
            ("new_name", "Ada Lovelace"),
            ("new_email", "ada.l@example.net"),
            ("note", "Letter of 3 March"),
        ];
        let r = post_form(base, people, people, Some(&s), &fields);
        ensure(r.status == 200 && r.body.contains("A confirmation link was emailed"), || format!("{} {}", r.status, r.body))?;
        let mail = demo
            .mail()
            .wait_for("ada.l@example.net", Duration::from_secs(30))
            .ok_or("no confirmation mail to the new address")?;
        ensure(mail.link(&format!("{base}/c/")).is_some(), || "no confirm link".into())?;
        let trail = d1.query("SELECT detail FROM audit_events WHERE kind = 'subject_rectified'")?;
        ensure(trail.len() == 1, || format!("{trail:?}"))?;
        let all = d1.query("SELECT detail FROM audit_events")?;
        ensure(!format!("{all:?}").contains("@example.net") && !format!("{all:?}").contains("Lovelace"), || format!("{all:?}"))
    });

    h.finish()
}
