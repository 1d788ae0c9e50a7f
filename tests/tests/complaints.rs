//! Complaints (issue 14) against the real worker in workerd (wrangler dev) on local D1, with the
//! mail capture as the email API: the public form records a register entry on D1 and the
//! acknowledgement goes out at once with its reference and a status link that works; the
//! preference centre's own actions leave self-service entries; erasure clears the contact.

use std::process::ExitCode;
use std::time::Duration;

use consent_shared::email::Email;
use consent_shared::subject::subject_id;
use consent_tests::client::{admin, call, call_unfollowed, csrf_of, form_body, Reply};
use consent_tests::fixture::DemoWorker;
use consent_tests::harness::{ensure, Harness};
use consent_tests::secrets::SUBJECT_KEY;

const ORIGIN: &str = "http://127.0.0.1:8788";

/// A form post from one of the worker's own pages, with that page's anti-forgery value; the
/// redirect it answers with is shown, not followed.
fn post_page_form(base: &str, path: &str, fields: &[(&str, &str)]) -> Reply {
    let page = call(base, "GET", path, &[], None);
    let csrf = csrf_of(&page.body);
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    let body = form_body(&all);
    let headers = [("Content-Type", "application/x-www-form-urlencoded"), ("Origin", base)];
    call_unfollowed(base, "POST", path, &headers, Some(&body))
}

fn sign_up(base: &str, email: &str) -> Reply {
    let body = serde_json::json!({
        "email": email,
        "consents": [{"purpose": "news", "channel": "email", "wording_version": 1}],
        "page_url": format!("{ORIGIN}/join"),
    });
    let headers = [("Origin", ORIGIN), ("Content-Type", "application/json")];
    call(base, "POST", "/api/v1/sites/demo/consents", &headers, Some(&body.to_string()))
}

fn subject_of(email: &str) -> String {
    subject_id(SUBJECT_KEY.as_bytes(), "demo", &Email::parse(email).expect("a valid fixture address"))
}

fn main() -> ExitCode {
    let demo = match DemoWorker::start("complaints", true) {
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

    h.case("a_complaint_is_recorded_on_d1_acknowledged_by_mail_and_its_status_link_works", || {
        let r = post_page_form(
            base,
            "/complaints/demo",
            &[("lang", "en"), ("name", "Pat"), ("email", "pat@example.org"), ("complaint", "You kept emailing me.")],
        );
        ensure(r.status == 303, || format!("post: {} {}", r.status, r.body))?;
        let location = r.header("location").unwrap_or_default().to_string();
        // The acknowledgement goes after the answer; the entry is marked once the mail API took it.
        let ack = mail.wait_for("pat@example.org", Duration::from_secs(30)).ok_or("no acknowledgement")?;
        let acknowledged = "SELECT COUNT(*) AS n FROM register_entries WHERE site_id = 'demo' \
             AND contact_email = 'pat@example.org' AND status = 'acknowledged'";
        let start = std::time::Instant::now();
        while d1.query(acknowledged)?.first().and_then(|r| r["n"].as_i64()) != Some(1)
            && start.elapsed() < Duration::from_secs(10)
        {
            std::thread::sleep(Duration::from_millis(100));
        }
        let rows = d1.query(
            "SELECT reference, kind, arrival, status, acknowledged_on, due_on, contact_email, contact_name, subject_id, details \
             FROM register_entries WHERE site_id = 'demo' AND contact_email = 'pat@example.org'",
        )?;
        ensure(rows.len() == 1, || format!("entries {rows:?}"))?;
        let row = &rows[0];
        let reference = row["reference"].as_str().unwrap_or_default().to_string();
        ensure(location.ends_with(&format!("received={reference}")), || format!("location {location}"))?;
        ensure(
            row["kind"] == "complaint"
                && row["arrival"] == "complaint_form"
                && row["status"] == "acknowledged"
                && row["acknowledged_on"].is_string()
                && row["due_on"].is_null()
                && row["subject_id"].is_null()
                && row["contact_name"] == "Pat"
                && row["details"] == "You kept emailing me.",
            || format!("entry {row:?}"),
        )?;
        ensure(ack.body["subject"].as_str().is_some_and(|s| s.contains(&reference)), || format!("{:?}", ack.body))?;
        ensure(ack.text().contains("https://ico.org.uk/make-a-complaint/"), || ack.text().to_string())?;
        let link = ack.link(&format!("{base}/complaint-status/")).ok_or_else(|| format!("no status link in {}", ack.text()))?;
        let page = call(base, "GET", link.strip_prefix(base).unwrap_or(&link), &[], None);
        ensure(page.status == 200 && page.body.contains(&reference), || format!("status page {} {}", page.status, page.body))?;
        ensure(page.header("cache-control") == Some("no-store"), || "cache-control".into())?;
        ensure(!page.body.contains("pat@example.org") && !page.body.contains("kept emailing"), || "tells no text or address".into())?;
        let audit = d1.query(
            "SELECT detail FROM audit_events WHERE site_id = 'demo' AND kind = 'register_entry_recorded'",
        )?;
        ensure(
            audit.iter().any(|a| a["detail"].as_str().is_some_and(|d| d.contains(&reference) && !d.contains("pat@"))),
            || format!("audit {audit:?}"),
        )?;
        let forged = call(base, "GET", "/complaint-status/v1.k1.e30.AAAA", &[], None);
        ensure(forged.status == 404 && forged.body.contains("This link does not work"), || format!("{}", forged.status))
    });

    h.case("the_form_shows_errors_beside_the_fields_and_writes_nothing", || {
        let before = d1.query("SELECT COUNT(*) AS n FROM register_entries")?;
        let r =
            post_page_form(base, "/complaints/demo", &[("lang", "cy"), ("email", "nope"), ("complaint", "")]);
        ensure(r.status == 422, || format!("{} {}", r.status, r.body))?;
        ensure(r.body.contains("id=\"complaint-error\"") && r.body.contains("id=\"email-error\""), || {
            r.body.clone()
        })?;
        ensure(r.body.contains("lang=\"cy\""), || "Welsh".into())?;
        let after = d1.query("SELECT COUNT(*) AS n FROM register_entries")?;
        ensure(before == after, || format!("{before:?} -> {after:?}"))?;
        let unknown = call(base, "GET", "/complaints/nope", &[], None);
        ensure(unknown.status == 404, || format!("unknown site: {}", unknown.status))
    });

    h.case("preference_centre_actions_leave_self_service_entries_and_erasure_clears_the_contact", || {
        sign_up(base, "quinn@example.org");
        let links = admin(base, "POST", "/api/v1/admin/sites/demo/links", r#"{"email":"quinn@example.org"}"#);
        ensure(links.status == 200, || format!("links {} {}", links.status, links.body))?;
        let url = links.json()["preferences_url"].as_str().unwrap_or_default().to_string();
        let path = url.split_once("/p/").map(|(_, t)| format!("/p/{t}")).ok_or("no preference url")?;
        let complained = post_page_form(base, &path, &[("lang", "en"), ("action", "complain"), ("complaint", "Too much mail")]);
        ensure(complained.status == 303, || format!("complain {} {}", complained.status, complained.body))?;
        let restricted = post_page_form(base, &path, &[("lang", "en"), ("action", "restrict")]);
        ensure(restricted.status == 303, || format!("restrict {}", restricted.status))?;
        let erased = post_page_form(base, &path, &[("lang", "en"), ("action", "erase"), ("confirm", "yes")]);
        ensure(erased.status == 200, || format!("erase {}", erased.status))?;
        let subject = subject_of("quinn@example.org");
        let rows = d1.query(&format!(
            "SELECT kind, arrival, status, contact_email FROM register_entries WHERE site_id = 'demo' AND subject_id = '{subject}' ORDER BY kind"
        ))?;
        let seen: Vec<String> = rows
            .iter()
            .map(|r| format!("{} {} {} {}", r["kind"], r["arrival"], r["status"], r["contact_email"]))
            .collect();
        ensure(
            seen == [
                r#""complaint" "complaint_form" "acknowledged" null"#,
                r#""erasure" "self_service" "closed" null"#,
                r#""restriction" "self_service" "closed" null"#,
            ],
            || format!("entries {seen:?}"),
        )
    });

    drop(demo);
    h.finish()
}
