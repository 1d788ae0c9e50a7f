//! Named accounts against the real worker in workerd (wrangler dev) on local D1, with the mail
//! capture as the email API: the first owner made with the ADMIN_KEY, sign-in with the link
//! captured from the mail, a session and an API key used on admin endpoints, a removed person
//! losing access at once, and "sign out everywhere".

use std::process::ExitCode;
use std::time::Duration;

use consent_shared::digest::sha256_hex;
use consent_tests::client::{admin, call, call_unfollowed, Reply};
use consent_tests::fixture::DemoWorker;
use consent_tests::harness::{ensure, Harness};
use consent_tests::mail_capture::MailCapture;


/// Posts a console page's form (with that page's anti-forgery value), as a browser on the
/// worker's own origin would; redirects are shown, not followed.
fn post_form(
    base: &str,
    page_path: &str,
    action: &str,
    cookie: Option<&str>,
    fields: &[(&str, &str)],
) -> Reply {
    consent_tests::console_forms::post_form(base, page_path, action, cookie, &[], fields)
}

/// Signs `email` in through the pages with the link from the captured mail; the session value.
fn sign_in(base: &str, mail: &MailCapture, email: &str) -> Result<String, String> {
    let asked = post_form(base, "/admin/sign-in", "/admin/sign-in", None, &[("email", email)]);
    ensure(asked.status == 200, || format!("sign-in form: {} {}", asked.status, asked.body))?;
    let sent =
        mail.wait_for(email, Duration::from_secs(30)).ok_or_else(|| format!("no sign-in mail to {email}"))?;
    let link = sent.link(&format!("{base}/admin/sign-in/")).ok_or("no sign-in link in the mail")?;
    let path = link.strip_prefix(base).unwrap_or_default().to_string();
    let action = path.split('?').next().unwrap_or_default().to_string();
    let opened = call(base, "GET", &path, &[], None);
    ensure(opened.status == 200 && opened.body.contains("<button"), || {
        format!("link page: {}", opened.status)
    })?;
    let started = post_form(base, &path, &action, None, &[]);
    ensure(started.status == 303, || format!("redeem: {} {}", started.status, started.body))?;
    let cookie = started.header("set-cookie").unwrap_or_default().to_string();
    ensure(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), || format!("cookie {cookie}"))?;
    let value =
        cookie.split(';').next().unwrap_or_default().trim_start_matches("consent_session=").to_string();
    let again = post_form(base, &path, &action, None, &[]);
    ensure(again.status == 410 && again.body.contains("Send a new link"), || {
        format!("second use: {}", again.status)
    })?;
    Ok(value)
}

fn with_session(base: &str, session: &str, method: &str, path: &str, body: Option<&str>) -> Reply {
    let cookie = format!("consent_session={session}");
    let mut headers = vec![("Cookie", cookie.as_str())];
    if body.is_some() {
        headers.push(("Content-Type", "application/json"));
    }
    call(base, method, path, &headers, body)
}

fn with_key(base: &str, key: &str, method: &str, path: &str, body: Option<&str>) -> Reply {
    let bearer = format!("Bearer {key}");
    let mut headers = vec![("Authorization", bearer.as_str())];
    if body.is_some() {
        headers.push(("Content-Type", "application/json"));
    }
    call(base, method, path, &headers, body)
}

fn main() -> ExitCode {
    let demo = match DemoWorker::start("accounts", true) {
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
    let owner_session = std::cell::RefCell::new(String::new());
    let dpo_id = std::cell::RefCell::new(String::new());

    h.case("the_first_owner_is_made_with_the_admin_key", || {
        let r = admin(base, "POST", "/api/v1/admin/sites/demo/owners", r#"{"email":"owner@example.org"}"#);
        ensure(r.status == 200 && r.json()["role"] == "owner", || format!("{} {}", r.status, r.body))?;
        let people = d1.query("SELECT email, email_key FROM people")?;
        ensure(people.len() == 1 && people[0]["email_key"] != "owner@example.org", || format!("{people:?}"))
    });

    h.case("an_owner_signs_in_with_the_mailed_link", || {
        let session = sign_in(base, mail, "owner@example.org")?;
        let home = with_session(base, &session, "GET", "/admin", None);
        ensure(home.status == 200 && home.body.contains("<code>demo</code>"), || {
            format!("home: {}", home.status)
        })?;
        let stored = d1.query("SELECT token_hash FROM sessions")?;
        ensure(
            stored.len() == 1 && stored[0]["token_hash"] == sha256_hex(session.as_bytes()).as_str(),
            || format!("sessions are kept as hashes: {stored:?}"),
        )?;
        *owner_session.borrow_mut() = session;
        Ok(())
    });

    h.case("the_session_manages_people_and_a_scoped_key_reads_the_audience", || {
        let session = owner_session.borrow().clone();
        let added = with_session(
            base,
            &session,
            "POST",
            "/api/v1/admin/sites/demo/people",
            Some(r#"{"email":"dpo@example.org","role":"dpo"}"#),
        );
        ensure(added.status == 201, || format!("add: {} {}", added.status, added.body))?;
        *dpo_id.borrow_mut() = added.json()["person_id"].as_str().unwrap_or_default().to_string();
        let created = with_session(
            base,
            &session,
            "POST",
            "/api/v1/admin/sites/demo/keys",
            Some(r#"{"name":"CRM","scopes":["audience:read"]}"#),
        );
        ensure(created.status == 201, || format!("key: {} {}", created.status, created.body))?;
        let key = created.json()["secret"].as_str().unwrap_or_default().to_string();
        let audience =
            with_key(base, &key, "GET", "/api/v1/sites/demo/audience?purpose=news&channel=email", None);
        ensure(audience.status == 200, || format!("audience: {} {}", audience.status, audience.body))?;
        let erase = with_key(
            base,
            &key,
            "POST",
            "/api/v1/admin/sites/demo/subjects/erase",
            Some(r#"{"email":"a@example.org"}"#),
        );
        ensure(erase.status == 403 && erase.body.contains("subjects:manage"), || {
            format!("erase: {} {}", erase.status, erase.body)
        })?;
        let listed = with_session(base, &session, "GET", "/api/v1/admin/sites/demo/keys", None);
        ensure(listed.json()["keys"][0]["last_used_at"].is_string() && !listed.body.contains(&key), || {
            listed.body.clone()
        })
    });

    h.case("a_removed_person_loses_access_at_once", || {
        let dpo = sign_in(base, mail, "dpo@example.org")?;
        let verify = with_session(base, &dpo, "GET", "/api/v1/sites/demo/ledger/verify", None);
        ensure(verify.status == 200, || format!("dpo verify: {} {}", verify.status, verify.body))?;
        let people = with_session(base, &dpo, "GET", "/api/v1/admin/sites/demo/people", None);
        ensure(people.status == 403 && people.json()["error"]["code"] == "role_not_allowed", || {
            people.body.clone()
        })?;
        let path = format!("/api/v1/admin/sites/demo/people/{}", dpo_id.borrow());
        let removed = with_session(base, &owner_session.borrow(), "DELETE", &path, None);
        ensure(removed.status == 200, || format!("remove: {} {}", removed.status, removed.body))?;
        let after = with_session(base, &dpo, "GET", "/api/v1/sites/demo/ledger/verify", None);
        ensure(after.status == 401, || format!("after removal: {} {}", after.status, after.body))?;
        let home =
            call_unfollowed(base, "GET", "/admin", &[("Cookie", &format!("consent_session={dpo}"))], None);
        ensure(home.status == 303 && home.header("location") == Some("/admin/sign-in"), || {
            format!("home: {}", home.status)
        })
    });

    h.case("the_last_owner_stays", || {
        let owner =
            d1.query("SELECT person_id FROM memberships WHERE site_id = 'demo' AND role = 'owner'")?;
        let id = owner.first().and_then(|r| r["person_id"].as_str()).ok_or("no owner")?.to_string();
        let r = with_session(
            base,
            &owner_session.borrow(),
            "DELETE",
            &format!("/api/v1/admin/sites/demo/people/{id}"),
            None,
        );
        ensure(r.status == 409 && r.json()["error"]["code"] == "last_owner", || {
            format!("{} {}", r.status, r.body)
        })
    });

    h.case("sign_out_everywhere_ends_every_session", || {
        let session = owner_session.borrow().clone();
        let out = post_form(base, "/admin", "/admin/sign-out-everywhere", Some(&session), &[]);
        ensure(
            out.status == 200 && out.header("set-cookie").unwrap_or_default().contains("Max-Age=0"),
            || format!("sign out: {} {}", out.status, out.body),
        )?;
        let after = with_session(base, &session, "GET", "/api/v1/admin/sites/demo/people", None);
        ensure(after.status == 401, || format!("after: {} {}", after.status, after.body))?;
        let live = d1.query("SELECT COUNT(*) AS n FROM sessions WHERE revoked_at IS NULL")?;
        ensure(live[0]["n"] == 0, || format!("live sessions: {live:?}"))
    });

    h.case("the_store_contract_holds_on_d1_for_accounts", || {
        let r = call(base, "POST", "/__contract", &[], None);
        let cases = r.json()["cases"].as_array().cloned().unwrap_or_default();
        let failed: Vec<_> = cases.iter().filter(|c| !c["failure"].is_null()).collect();
        let accounts = cases
            .iter()
            .filter(|c| {
                c["name"].as_str().is_some_and(|n| {
                    n.contains("owner")
                        || n.contains("session")
                        || n.contains("sign_in")
                        || n.contains("api_keys")
                })
            })
            .count();
        ensure(r.status == 200 && failed.is_empty() && accounts >= 4, || {
            format!("{} failed {failed:?}, accounts cases {accounts}", r.status)
        })
    });

    drop(demo);
    h.finish()
}
