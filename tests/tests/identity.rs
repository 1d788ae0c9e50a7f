//! One email identity, mail budgets and erasure that holds, against the real worker in workerd
//! (wrangler dev) on local D1, with the mail capture as the email API. Cases assert on what D1
//! holds and what mail went out, not on the public endpoint's status (which answers the same
//! whatever the address).

use std::process::ExitCode;
use std::time::Duration;

use consent_shared::digest::sha256_hex;
use consent_shared::email::Email;
use consent_shared::subject::subject_id;
use consent_tests::client::{admin, call, Reply};
use consent_tests::fixture::DemoWorker;
use consent_tests::harness::{ensure, Harness};
use consent_tests::secrets::{ADMIN_BEARER as BEARER, SUBJECT_KEY};

const ORIGIN: &str = "http://127.0.0.1:8788";

/// A sign-up from the site's own page (the answer is not asserted: it is the same for everyone).
fn sign_up(base: &str, site: &str, purpose: &str, email: &str) -> Reply {
    let body = serde_json::json!({
        "email": email,
        "consents": [{"purpose": purpose, "channel": "email", "wording_version": 1}],
        "page_url": format!("{ORIGIN}/join"),
    });
    let headers = [("Origin", ORIGIN), ("Content-Type", "application/json")];
    call(base, "POST", &format!("/api/v1/sites/{site}/consents"), &headers, Some(&body.to_string()))
}

/// A form post from one of the worker's own pages, with that page's anti-forgery value.
fn post_page_form(base: &str, path: &str, fields: &[(&str, &str)]) -> Reply {
    let page = call(base, "GET", path, &[], None);
    let csrf = page
        .body
        .find("name=\"csrf\" value=\"")
        .map(|i| page.body[i + 19..].split('"').next().unwrap_or_default().to_string())
        .unwrap_or_default();
    let mut all = vec![("csrf", csrf.as_str()), ("lang", "en")];
    all.extend_from_slice(fields);
    let body: String = all.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect::<Vec<_>>().join("&");
    let headers = [("Content-Type", "application/x-www-form-urlencoded"), ("Origin", base)];
    call(base, "POST", path, &headers, Some(&body))
}

/// Percent-encodes a form value.
fn encode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn subject_of(site: &str, email: &str) -> String {
    subject_id(SUBJECT_KEY.as_bytes(), site, &Email::parse(email).expect("a valid fixture address"))
}

fn audience_emails(base: &str, site: &str, purpose: &str) -> Vec<String> {
    let path = format!("/api/v1/sites/{site}/audience?purpose={purpose}&channel=email");
    let r = call(base, "GET", &path, &[("Authorization", BEARER)], None);
    r.json()["members"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m["email"].as_str().map(String::from))
        .collect()
}

fn main() -> ExitCode {
    let demo = match DemoWorker::start("identity", true) {
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

    h.case("a_homoglyph_of_a_suppressed_address_stays_out_of_the_audience", || {
        let r = admin(base, "POST", "/api/v1/admin/sites/demo/suppressions", r#"{"email":"ivy@example.org","reason":"asked by phone"}"#);
        ensure(r.status == 200, || format!("suppress: {} {}", r.status, r.body))?;
        // Fullwidth `ｅ`; an upper-case fullwidth domain with an ideographic full stop.
        for variant in ["ivy@\u{ff45}xample.org", "IVY@\u{ff25}\u{ff38}\u{ff21}\u{ff2d}\u{ff30}\u{ff2c}\u{ff25}\u{3002}org"] {
            sign_up(base, "demo", "news", variant);
        }
        let audience = audience_emails(base, "demo", "news");
        ensure(audience.iter().all(|e| !e.to_lowercase().starts_with("ivy@")), || format!("audience {audience:?}"))?;
        let subject = subject_of("demo", "ivy@example.org");
        let grants = d1.query(&format!(
            "SELECT COUNT(*) AS n FROM consent_events WHERE site_id = 'demo' AND subject = '{subject}' AND action = 'granted'"
        ))?;
        ensure(grants[0]["n"] == 0, || format!("grants for the suppressed subject: {grants:?}"))?;
        let others = d1.query(&format!(
            "SELECT subject, email FROM subjects WHERE site_id = 'demo' AND subject <> '{subject}' AND email LIKE 'ivy@%'"
        ))?;
        ensure(others.is_empty(), || format!("a variant became another subject: {others:?}"))
    });

    h.case("a_decomposed_spelling_is_the_same_subject", || {
        sign_up(base, "demo", "news", "jose\u{301}@example.org");
        sign_up(base, "demo", "news", "Jos\u{e9}@Example.org");
        let rows = d1.query(
            "SELECT subject, email FROM subjects WHERE site_id = 'demo' AND email LIKE 'jos%@example.org'",
        )?;
        let subject = subject_of("demo", "jos\u{e9}@example.org");
        ensure(rows.len() == 1 && rows[0]["subject"] == subject.as_str(), || format!("subjects {rows:?}"))?;
        ensure(rows[0]["email"] == "jos\u{e9}@example.org", || format!("stored {rows:?}"))
    });

    h.case("plus_tag_variants_of_one_gmail_mailbox_get_one_mail", || {
        let def = serde_json::json!({
            "organisation": {"name": "Choir", "contact_email": "sec@choir.example", "postal_address": "Church Hall",
                "privacy_notice_url": "https://choir.example/privacy", "cookie_policy_url": "https://choir.example/cookies"},
            "allowed_origins": [ORIGIN], "default_lang": "en", "double_opt_in": true,
            "purposes": [{"purpose": "concerts", "channel": "email",
                "wordings": [{"lang": "en", "label": "Concerts", "text": "Email me about the choir's concerts."}]}]
        });
        let put = admin(base, "PUT", "/api/v1/admin/sites/choir", &def.to_string());
        ensure(put.status == 201, || format!("{} {}", put.status, put.body))?;
        for variant in ["wren+1@gmail.com", "wren+2@gmail.com", "W.Ren+3@googlemail.com", "w.r.e.n@gmail.com"] {
            sign_up(base, "choir", "concerts", variant);
        }
        mail.wait_for("wren+1@gmail.com", Duration::from_secs(30)).ok_or("the first confirmation never came")?;
        // The others are decided after their responses too; give them the time the first took.
        std::thread::sleep(Duration::from_millis(1500));
        let to_wren: Vec<String> = mail
            .all()
            .iter()
            .map(|m| m.to().to_string())
            .filter(|to| to.to_lowercase().replace('.', "").starts_with("wren"))
            .collect();
        ensure(to_wren == ["wren+1@gmail.com"], || format!("mail went to {to_wren:?}"))
    });

    h.case("erase_after_suppression_with_an_old_confirm_link_writes_nothing", || {
        sign_up(base, "demo", "news", "kit@example.org");
        let links = admin(base, "POST", "/api/v1/admin/sites/demo/links", r#"{"email":"kit@example.org"}"#);
        ensure(links.status == 200, || format!("links: {} {}", links.status, links.body))?;
        let preferences = links.json()["preferences_url"].as_str().unwrap_or_default().to_string();
        let path = preferences.strip_prefix(base).ok_or("a preference link elsewhere")?.to_string();
        post_page_form(base, &path, &[("action", "details"), ("name", "Kit"), ("email", "kit.new@example.net")]);
        let sent = mail.wait_for("kit.new@example.net", Duration::from_secs(30)).ok_or("no address check mail")?;
        let confirm = sent.link(&format!("{base}/c/")).ok_or("no confirmation link")?;
        let confirm = confirm.strip_prefix(base).unwrap_or_default().to_string();

        let r = admin(base, "POST", "/api/v1/admin/sites/demo/suppressions", r#"{"email":"kit@example.org","reason":"complaint"}"#);
        ensure(r.status == 200, || format!("suppress: {} {}", r.status, r.body))?;
        let r = admin(base, "POST", "/api/v1/admin/sites/demo/subjects/erase", r#"{"email":"kit@example.org"}"#);
        ensure(r.status == 200, || format!("erase: {} {}", r.status, r.body))?;
        post_page_form(base, &confirm, &[]);

        let subject = subject_of("demo", "kit@example.org");
        let alias = subject_of("demo", "kit.new@example.net");
        let held = d1.query(&format!("SELECT email, name FROM subjects WHERE site_id = 'demo' AND subject = '{subject}'"))?;
        ensure(held.len() == 1 && held[0]["email"].is_null() && held[0]["name"].is_null(), || format!("held {held:?}"))?;
        let reason = d1.query(&format!("SELECT reason FROM suppressions WHERE site_id = 'demo' AND subject = '{subject}'"))?;
        ensure(reason.len() == 1 && reason[0]["reason"] == "erasure", || format!("suppression {reason:?}"))?;
        let left = d1.query(&format!(
            "SELECT (SELECT COUNT(*) FROM pending_email_changes WHERE site_id = 'demo' AND subject = '{subject}') AS pending, \
                    (SELECT COUNT(*) FROM subject_aliases WHERE site_id = 'demo' AND alias = '{alias}') AS aliases"
        ))?;
        ensure(left[0]["pending"] == 0 && left[0]["aliases"] == 0, || format!("left behind {left:?}"))
    });

    h.case("idempotency_rows_keep_a_keyed_mac_not_a_plain_hash", || {
        let body = serde_json::json!({
            "email": "lee@example.org",
            "consents": [{"purpose": "news", "channel": "email", "wording_version": 1}],
            "page_url": format!("{ORIGIN}/join"),
        })
        .to_string();
        let headers =
            [("Origin", ORIGIN), ("Content-Type", "application/json"), ("Idempotency-Key", "identity-mac-1")];
        call(base, "POST", "/api/v1/sites/demo/consents", &headers, Some(&body));
        let rows = d1.query("SELECT * FROM idempotency_keys WHERE key = 'identity-mac-1'")?;
        let row = rows.first().ok_or("no idempotency row")?;
        let mac = row["request_mac"].as_str().unwrap_or_default();
        ensure(mac.len() == 64 && mac != sha256_hex(body.as_bytes()), || format!("row {row}"))?;
        ensure(row.get("request_sha256").is_none(), || format!("the plain hash column is still there: {row}"))
    });

    h.case("the_cron_purges_expired_idempotency_answers_and_mail_log_rows", || {
        d1.query(
            "INSERT INTO idempotency_keys (site_id, key, request_mac, status, body, created_at) VALUES \
             ('demo', 'identity-expired', 'mac', 201, '{}', '2001-01-01T00:00:00.000Z'); \
             INSERT INTO mail_log (site_id, mailbox, domain, kind, sent_at) VALUES \
             ('demo', 'identity-old-mailbox', 'identity-old-domain', 'confirmation', '2001-01-01T00:00:00.000Z')",
        )?;
        // wrangler dev never fires crons itself; `--test-scheduled` runs the handler on request.
        let r = call(base, "GET", "/__scheduled?cron=*/5+*+*+*+*", &[], None);
        ensure(r.status == 200, || {
            let log = std::fs::read_to_string(&demo.worker.log).unwrap_or_default();
            format!("scheduled: {} {}\nwrangler log:\n{log}", r.status, r.body)
        })?;
        let left = d1.query(
            "SELECT (SELECT COUNT(*) FROM idempotency_keys WHERE key = 'identity-expired') AS expired, \
                    (SELECT COUNT(*) FROM idempotency_keys WHERE key = 'identity-mac-1') AS fresh, \
                    (SELECT COUNT(*) FROM mail_log WHERE mailbox = 'identity-old-mailbox') AS old_mail",
        )?;
        ensure(left[0]["expired"] == 0 && left[0]["old_mail"] == 0, || format!("not purged: {left:?}"))?;
        ensure(left[0]["fresh"] == 1, || format!("a fresh answer was purged: {left:?}"))
    });

    drop(demo);
    h.finish()
}
