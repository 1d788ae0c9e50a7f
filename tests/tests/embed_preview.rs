//! Console → Embed → live preview against the real worker in workerd (wrangler dev) on local
//! D1: an owner signs in with the mailed link and opens the live preview, whose page carries the
//! real loader tag with a preview credential under a CSP that allows exactly the widget; the
//! widget's POSTs with that credential, from the worker's own origin, are checked and answered
//! like real ones (flagged `preview`) while D1 keeps every row count and no mail goes; forged,
//! expired and other-site credentials, and the worker's origin without one, are refused, again
//! writing nothing.

use std::process::ExitCode;

use consent_shared::digest::{hmac_sha256_hex, sha256_hex};
use consent_tests::client::{admin, call, Reply};
use consent_tests::console_client::sign_in;
use consent_tests::fixture::DemoWorker;
use consent_tests::harness::{ensure, Harness};
use consent_tests::secrets::TOKEN_KEYS;
use consent_tests::wrangler::LocalD1;

/// Every table a submission, a cookie decision, a mail or the counters could write to.
const TABLES: [&str; 12] = [
    "subjects",
    "consent_events",
    "consent_state",
    "ledger_links",
    "idempotency_keys",
    "cookie_consents",
    "cookie_links",
    "mail_log",
    "pending_email_changes",
    "daily_event_counts",
    "daily_cookie_counts",
    "audit_events",
];

/// The row count of each table in `TABLES`, in one query.
fn rows(d1: &LocalD1) -> Result<serde_json::Value, String> {
    let columns: Vec<String> = TABLES.iter().map(|t| format!("(SELECT COUNT(*) FROM {t}) AS {t}")).collect();
    let found = d1.query(&format!("SELECT {}", columns.join(", ")))?;
    found.into_iter().next().ok_or_else(|| "no counts".to_string())
}

/// A credential signed with the test's `TOKEN_KEYS` (what the worker derives its preview key
/// from), for credentials the console would never hand out: expired ones.
fn signed_credential(site: &str, session: &str, issued: i64) -> String {
    let secret = TOKEN_KEYS.split_once(':').map(|(_, s)| s).unwrap_or_default();
    let key = hmac_sha256_hex(secret.as_bytes(), b"console-preview:v1").into_bytes();
    consent_shared::preview::issue(&key, site, &sha256_hex(session.as_bytes()), issued)
}

/// What the live page's widget sends: a POST from the worker's own origin.
fn from_preview(base: &str, path: &str, body: &str, credential: Option<&str>, key: &str) -> Reply {
    let mut headers = vec![("Origin", base), ("Content-Type", "application/json"), ("Idempotency-Key", key)];
    if let Some(c) = credential {
        headers.push(("Consent-Preview", c));
    }
    call(base, "POST", path, &headers, Some(body))
}

fn main() -> ExitCode {
    let demo = match DemoWorker::start("embed-preview", true) {
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
    let credential = std::cell::RefCell::new(String::new());
    let signup = format!(
        r#"{{"email":"preview@example.org","consents":[{{"purpose":"news","channel":"email","wording_version":1}}],"page_url":"{base}/admin/sites/demo/embed/live?lang=en"}}"#
    );

    h.case("an_owner_opens_the_live_preview_of_the_real_widget", || {
        let r = admin(base, "POST", "/api/v1/admin/sites/demo/owners", r#"{"email":"owner@example.org"}"#);
        ensure(r.status == 200, || format!("owner: {} {}", r.status, r.body))?;
        let s = sign_in(base, mail, "owner@example.org")?;
        let cookie = format!("consent_session={s}");
        let page = call(base, "GET", "/admin/sites/demo/embed/live", &[("Cookie", &cookie)], None);
        ensure(page.status == 200, || format!("live: {} {}", page.status, page.body))?;
        let csp = page.header("content-security-policy").unwrap_or_default();
        ensure(
            csp.contains("script-src 'self' 'wasm-unsafe-eval'")
                && csp.contains("connect-src 'self'")
                && csp.starts_with("default-src 'none'"),
            || csp.to_string(),
        )?;
        ensure(page.header("cache-control") == Some("no-store"), || "no-store".into())?;
        let tag =
            format!("<script src=\"{base}/widget.js\" data-site=\"demo\" data-lang=\"en\" data-preview=\"");
        let start = page.body.find(&tag).ok_or_else(|| page.body.clone())? + tag.len();
        *credential.borrow_mut() = page.body[start..].split('"').next().unwrap_or_default().to_string();
        *session.borrow_mut() = s;
        ensure(page.body.contains("nothing you do on this page is recorded"), || page.body.clone())
    });

    h.case("a_dry_run_is_answered_like_a_real_one_and_d1_is_unchanged", || {
        let before = rows(d1)?;
        let cred = credential.borrow().clone();
        let r = from_preview(base, "/api/v1/sites/demo/consents", &signup, Some(&cred), "preview-signup-1");
        ensure(r.status == 201 && r.json()["preview"] == true, || {
            format!("signup: {} {}", r.status, r.body)
        })?;
        ensure(r.json()["events"][0]["action"] == "granted", || r.body.clone())?;
        let config = call(base, "GET", "/api/v1/sites/demo/config", &[], None).json();
        let categories: Vec<serde_json::Value> = config["cookie_categories"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|c| c["required"] == false)
            .map(|c| c["key"].clone())
            .collect();
        let decision = serde_json::json!({
            "consent_id": "preview-consent-1",
            "categories": categories,
            "choice": "accept_all",
            "policy_version": config["policy_version"],
            "wording_sha256": config["banner"]["sha256"],
            "reject_on_first_layer": false,
            "gpc": false,
        })
        .to_string();
        let r = from_preview(
            base,
            "/api/v1/sites/demo/cookie-consents",
            &decision,
            Some(&cred),
            "preview-cookie-1",
        );
        ensure(r.status == 201 && r.json()["preview"] == true, || {
            format!("cookies: {} {}", r.status, r.body)
        })?;
        let bad = signup.replace("preview@example.org", "not-an-address");
        let r = from_preview(base, "/api/v1/sites/demo/consents", &bad, Some(&cred), "preview-signup-2");
        ensure(r.status == 422 && r.json()["error"]["code"] == "invalid_email", || r.body.clone())?;
        let after = rows(d1)?;
        ensure(after == before, || format!("D1 changed: {before} → {after}"))?;
        ensure(mail.all().iter().all(|m| m.to() != "preview@example.org"), || "a preview sent mail".into())
    });

    h.case("forged_expired_and_other_site_credentials_are_refused_and_write_nothing", || {
        let made = admin(
            base,
            "PUT",
            "/api/v1/admin/sites/other",
            r#"{"organisation":{"name":"Other","contact_email":"o@example.org","postal_address":"1 Street","privacy_notice_url":"https://example.org/p","cookie_policy_url":"https://example.org/c"},"allowed_origins":["https://example.org"],"default_lang":"en","purposes":[{"purpose":"news","channel":"email","wordings":[{"lang":"en","label":"News","text":"News by email."}]}],"cookie_categories":[],"banner":[{"lang":"en","text":"Cookies."}]}"#,
        );
        ensure(made.status == 201, || format!("other site: {} {}", made.status, made.body))?;
        let before = rows(d1)?;
        let cred = credential.borrow().clone();
        let s = session.borrow().clone();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or_default();
        let forged = {
            let mut parts: Vec<&str> = cred.split('.').collect();
            let zeros = "0".repeat(64);
            if let Some(last) = parts.last_mut() {
                *last = &zeros;
            }
            parts.join(".")
        };
        let other_signup = signup.replace("/sites/demo/", "/sites/other/");
        let cases = [
            ("no credential", "demo", None),
            ("forged", "demo", Some(forged)),
            ("expired", "demo", Some(signed_credential("demo", &s, now - 3600))),
            ("unknown session", "demo", Some(signed_credential("demo", "no-such-session", now))),
            ("demo's credential for another site", "other", Some(cred.clone())),
            ("a site the person has no role on", "other", Some(signed_credential("other", &s, now))),
        ];
        for (i, (name, site, credential)) in cases.iter().enumerate() {
            let body = if *site == "demo" { &signup } else { &other_signup };
            let path = format!("/api/v1/sites/{site}/consents");
            let r = from_preview(base, &path, body, credential.as_deref(), &format!("refused-{i}"));
            let code = r.json()["error"]["code"].as_str().unwrap_or_default().to_string();
            let expected = if credential.is_none() { "origin_not_allowed" } else { "preview_refused" };
            ensure(r.status == 403 && code == expected, || format!("{name}: {} {}", r.status, r.body))?;
        }
        let after = rows(d1)?;
        ensure(after == before, || format!("D1 changed: {before} → {after}"))
    });

    h.finish()
}
