//! Issue 9 against the real worker (workerd + local D1): what a hostile visitor tries on the
//! public API — scripted submissions, forged page URLs, and answers that would tell who is on
//! the list — and the preference page's address change.

use std::process::ExitCode;
use std::time::Duration;

use consent_tests::client::{admin, call, call_unfollowed, csrf_of, Reply};
use consent_tests::fixture::DemoWorker;
use consent_tests::harness::{ensure, Harness};
use consent_tests::secrets::ADMIN_BEARER as BEARER;

const ORIGIN: &str = "http://127.0.0.1:8788";

/// What a client can compare between two answers, with what is fresh per request replaced:
/// the receipt's `recorded_at` (the public receipt carries no event ids) and the headers the
/// runtime sets per response (date; content-length follows the body).
fn normalised(reply: &Reply) -> String {
    let mut body = reply.json();
    if body.get("recorded_at").is_some() {
        body["recorded_at"] = "<time>".into();
    }
    let keep = ["content-type", "access-control-allow-origin", "vary", "idempotent-replayed"];
    let mut headers: Vec<String> = reply
        .headers
        .iter()
        .filter(|(n, _)| keep.contains(&n.to_ascii_lowercase().as_str()))
        .map(|(n, v)| format!("{}: {v}", n.to_ascii_lowercase()))
        .collect();
    headers.sort();
    format!("{} {} {body}", reply.status, headers.join(" | "))
}

/// A sign-up as the widget posts it from a page of the site.
fn form_body(email: &str, purpose: &str, page_url: &str) -> String {
    format!(
        r#"{{"email":"{email}","consents":[{{"purpose":"{purpose}","channel":"email","wording_version":1}}],"page_url":"{page_url}"}}"#
    )
}

fn main() -> ExitCode {
    let demo = match DemoWorker::start("hostile", true) {
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
    let events = |site: &str| -> usize {
        d1.query(&format!("SELECT COUNT(*) AS n FROM consent_events WHERE site_id = '{site}'"))
            .ok()
            .and_then(|rows| rows.first().and_then(|r| r["n"].as_u64()))
            .unwrap_or(u64::MAX) as usize
    };

    h.case("a_scripted_submission_without_origin_is_sent_to_the_admin_api", || {
        let before = events("demo");
        let json = [("Content-Type", "application/json")];
        let body = form_body("forged@example.org", "news", "https://evil.example/join");
        let r = call(base, "POST", "/api/v1/sites/demo/consents", &json, Some(&body));
        ensure(r.status == 403 && r.json()["error"]["code"] == "origin_required", || format!("{} {}", r.status, r.body))?;
        let message = r.json()["error"]["message"].as_str().unwrap_or_default().to_string();
        ensure(message.contains("POST /api/v1/admin/sites/demo/consents"), || message.clone())?;
        let cookie = call(
            base,
            "POST",
            "/api/v1/sites/demo/cookie-consents",
            &json,
            Some(r#"{"consent_id":"x","categories":[],"choice":"reject_all","policy_version":1,"wording_sha256":"x","reject_on_first_layer":true}"#),
        );
        ensure(cookie.status == 403 && cookie.json()["error"]["code"] == "origin_required", || cookie.body.clone())?;
        // Reading the configuration stays open to servers (CORS governs browsers only).
        let config = call(base, "GET", "/api/v1/sites/demo/config", &[], None);
        ensure(config.status == 200, || format!("config: {}", config.status))?;
        ensure(events("demo") == before, || "a scripted submission wrote events".into())
    });

    h.case("a_registered_origin_with_a_foreign_page_url_is_refused", || {
        let before = events("demo");
        let body = form_body("forged@example.org", "news", "https://evil.example/join");
        let r = call(
            base,
            "POST",
            "/api/v1/sites/demo/consents",
            &[("Origin", ORIGIN), ("Content-Type", "application/json")],
            Some(&body),
        );
        ensure(r.status == 422 && r.json()["error"]["code"] == "foreign_page_url", || {
            format!("{} {}", r.status, r.body)
        })?;
        ensure(events("demo") == before, || "a foreign page_url wrote events".into())
    });

    h.case("page_url_is_stored_as_origin_and_path_with_what_the_request_proved", || {
        let url = "http://127.0.0.1:8788/join?email=ada%40example.org&token=s3cret#ada@example.org";
        let r = call(
            base,
            "POST",
            "/api/v1/sites/demo/consents",
            &[
                ("Origin", ORIGIN),
                ("Content-Type", "application/json"),
                ("Sec-Fetch-Site", "cross-site"),
                ("Idempotency-Key", "hostile-page-url"),
            ],
            Some(&form_body("ada@example.org", "news", url)),
        );
        ensure(r.status == 201, || format!("{} {}", r.status, r.body))?;
        let rows = d1.query(
            "SELECT source_url, request_origin, fetch_site FROM consent_events \
             WHERE idempotency_key = 'hostile-page-url'",
        )?;
        let row = rows.first().ok_or("event not in D1")?;
        ensure(
            row["source_url"] == "http://127.0.0.1:8788/join"
                && row["request_origin"] == ORIGIN
                && row["fetch_site"] == "cross-site",
            || format!("{row}"),
        )
    });

    // One site without and one with double opt-in; on each, four kinds of address.
    let doi_site = serde_json::json!({
        "organisation": {"name": "Choir", "contact_email": "sec@choir.example", "postal_address": "Church Hall",
            "privacy_notice_url": "https://choir.example/privacy", "cookie_policy_url": "https://choir.example/cookies"},
        "allowed_origins": [ORIGIN], "default_lang": "en", "double_opt_in": true,
        "purposes": [{"purpose": "news", "channel": "email",
            "wordings": [{"lang": "en", "label": "News", "text": "Email me the choir's news."}]}]
    });
    let kinds = ["new", "subscribed", "suppressed", "erased"];
    for (site, doi) in [("demo", false), ("choir", true)] {
        h.case(&format!("{site}_answers_alike_for_new_subscribed_suppressed_and_erased_addresses"), || {
            if doi {
                let put = admin(base, "PUT", "/api/v1/admin/sites/choir", &doi_site.to_string());
                ensure(put.status == 201, || format!("{} {}", put.status, put.body))?;
            }
            let address = |kind: &str| format!("{kind}-{site}@example.org");
            let grant = |email: &str| {
                format!(r#"{{"email":"{email}","method":"paper_form","changes":[{{"purpose":"news","channel":"email","action":"granted"}}]}}"#)
            };
            for kind in ["subscribed", "erased"] {
                let r = admin(base, "POST", &format!("/api/v1/admin/sites/{site}/consents"), &grant(&address(kind)));
                ensure(r.status == 201, || format!("import {kind}: {} {}", r.status, r.body))?;
            }
            let suppress = format!(r#"{{"email":"{}"}}"#, address("suppressed"));
            let r = admin(base, "POST", &format!("/api/v1/admin/sites/{site}/suppressions"), &suppress);
            ensure(r.status == 200, || format!("suppress: {} {}", r.status, r.body))?;
            let erase = format!(r#"{{"email":"{}"}}"#, address("erased"));
            let r = admin(base, "POST", &format!("/api/v1/admin/sites/{site}/subjects/erase"), &erase);
            ensure(r.status == 200, || format!("erase: {} {}", r.status, r.body))?;
            let before = events(site);

            let submit = |kind: &str| {
                call(
                    base,
                    "POST",
                    &format!("/api/v1/sites/{site}/consents"),
                    &[
                        ("Origin", ORIGIN),
                        ("Content-Type", "application/json"),
                        ("Idempotency-Key", &format!("hostile-{site}-{kind}")),
                    ],
                    Some(&form_body(&address(kind), "news", &format!("{ORIGIN}/join"))),
                )
            };
            for round in ["first", "retry"] {
                let answers: Vec<String> = kinds.iter().map(|k| normalised(&submit(k))).collect();
                for (kind, answer) in kinds.iter().zip(&answers) {
                    ensure(answer == &answers[0], || format!("{round}: {kind} answered\n{answer}\nnew answered\n{}", answers[0]))?;
                }
                let action = if doi { "pending" } else { "granted" };
                ensure(answers[0].starts_with("201 ") && answers[0].contains(&format!(r#""action":"{action}""#)), || answers[0].clone())?;
                ensure((round == "retry") == answers[0].contains("idempotent-replayed: true"), || answers[0].clone())?;
            }
            // Decided and recorded here: new and subscribed recorded once each, nothing else.
            ensure(events(site) == before + 2, || format!("{} events written, expected 2", events(site) - before))?;
            // Suppression is still said where the admin key is used.
            let r = admin(base, "POST", &format!("/api/v1/admin/sites/{site}/consents"), &grant(&address("suppressed")));
            ensure(r.status == 409 && r.json()["error"]["code"] == "suppressed", || format!("{} {}", r.status, r.body))?;
            let members = call(
                base,
                "GET",
                &format!("/api/v1/sites/{site}/audience?purpose=news&channel=email"),
                &[("Authorization", BEARER)],
                None,
            )
            .json()["members"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let mut members: Vec<String> =
                members.iter().filter_map(|m| m["email"].as_str().map(String::from)).filter(|e| e.contains(site)).collect();
            members.sort();
            let expected: Vec<String> = if doi {
                // A current subscriber stays subscribed; the new address waits for confirmation.
                vec![address("subscribed")]
            } else {
                vec![address("new"), address("subscribed")]
            };
            ensure(members == expected, || format!("audience {members:?}, expected {expected:?}"))?;
            if doi {
                for kind in ["new", "subscribed"] {
                    mail.wait_for(&address(kind), Duration::from_secs(30))
                        .ok_or_else(|| format!("no confirmation mail to {kind}"))?;
                }
                let stray: Vec<String> = mail
                    .all()
                    .iter()
                    .map(|m| m.to().to_string())
                    .filter(|to| to == &address("suppressed") || to == &address("erased"))
                    .collect();
                ensure(stray.is_empty(), || format!("mail to {stray:?}"))?;
            }
            Ok(())
        });
    }

    h.case("an_address_change_answers_alike_whether_or_not_the_address_is_taken", || {
        let join = |email: &str| {
            call(
                base,
                "POST",
                "/api/v1/sites/demo/consents",
                &[("Origin", ORIGIN), ("Content-Type", "application/json")],
                Some(&form_body(email, "news", &format!("{ORIGIN}/join"))),
            )
        };
        for email in ["mover-a@example.org", "mover-b@example.org", "taken@example.org"] {
            ensure(join(email).status == 201, || format!("join {email}"))?;
        }
        let change = |who: &str, to: &str| -> Result<String, String> {
            let links =
                admin(base, "POST", "/api/v1/admin/sites/demo/links", &format!(r#"{{"email":"{who}"}}"#));
            let url = links.json()["preferences_url"].as_str().unwrap_or_default().to_string();
            let path = url.strip_prefix(base).ok_or_else(|| format!("links: {}", links.body))?.to_string();
            let page = call(base, "GET", &path, &[], None);
            let body = format!(
                "csrf={}&lang=en&action=details&name=&email={}",
                csrf_of(&page.body),
                to.replace('@', "%40")
            );
            let form = [("Content-Type", "application/x-www-form-urlencoded"), ("Origin", base)];
            // The answer as the browser gets it: a redirect to the person's own page (its path
            // holds their own link token, so only the query is compared) and its body.
            let r = call_unfollowed(base, "POST", &path, &form, Some(&body));
            let location = r.header("location").unwrap_or_default();
            let query = location.split_once('?').map(|(_, q)| q).unwrap_or(location);
            Ok(format!("{} {query} {}", r.status, r.body))
        };
        let free = change("mover-a@example.org", "fresh@example.org")?;
        let taken = change("mover-b@example.org", "taken@example.org")?;
        ensure(free == taken, || format!("free: {free}\ntaken: {taken}"))?;
        ensure(free.contains("email_sent"), || free.clone())?;
        // The same write in both cases: a pending change is kept for each person.
        let rows = d1.query("SELECT COUNT(*) AS n FROM pending_email_changes WHERE site_id = 'demo'")?;
        ensure(rows.first().is_some_and(|r| r["n"] == 2), || format!("{rows:?}"))?;
        // Only the owner of the new address learns which it was.
        for to in ["fresh@example.org", "taken@example.org"] {
            mail.wait_for(to, Duration::from_secs(30)).ok_or_else(|| format!("no mail to {to}"))?;
        }
        Ok(())
    });

    drop(demo);
    h.finish()
}
