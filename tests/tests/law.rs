//! Lawful bases since 5 February 2026 against the real worker in workerd (wrangler dev) on local
//! D1 with the demo seed (a charity with `our-work` on the charitable soft opt-in beside `news` on
//! consent, and a `statistics` cookie category): soft opt-in collection and refusal on the form,
//! where it is refused, objection, audiences by basis, and the cookie rules for a visitor in GB and
//! in FR (from `CF-IPCountry`, which a local worker reads from the request).

use std::process::ExitCode;

use consent_shared::email::Email;
use consent_shared::subject::subject_id;
use consent_tests::client::{admin, call, Reply};
use consent_tests::fixture::DemoWorker;
use consent_tests::harness::{ensure, Harness};
use consent_tests::secrets::{ADMIN_BEARER as BEARER, SUBJECT_KEY};

const ORIGIN: &str = "http://127.0.0.1:8788";

/// The donation form's answer to the soft opt-in notice (and optionally a ticked consent box).
fn donation_form(base: &str, email: &str, refused: bool, context: Option<&str>, news: bool) -> Reply {
    let consents = if news {
        serde_json::json!([{"purpose": "news", "channel": "email", "wording_version": 1}])
    } else {
        serde_json::json!([])
    };
    let mut body = serde_json::json!({
        "email": email,
        "consents": consents,
        "notices": [{"purpose": "our-work", "channel": "email", "wording_version": 1, "refused": refused}],
        "page_url": format!("{ORIGIN}/donate"),
    });
    if let Some(c) = context {
        body["context"] = c.into();
    }
    let headers = [("Origin", ORIGIN), ("Content-Type", "application/json")];
    call(base, "POST", "/api/v1/sites/demo/consents", &headers, Some(&body.to_string()))
}

fn subject_of(email: &str) -> String {
    subject_id(SUBJECT_KEY.as_bytes(), "demo", &Email::parse(email).expect("a valid fixture address"))
}

/// `email=basis` for everyone on the audience of `query`.
fn audience(base: &str, query: &str) -> Vec<String> {
    let r = call(
        base,
        "GET",
        &format!("/api/v1/sites/demo/audience?{query}"),
        &[("Authorization", BEARER)],
        None,
    );
    r.json()["members"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| format!("{}={}", m["email"].as_str().unwrap_or(""), m["basis"].as_str().unwrap_or("")))
        .collect()
}

fn main() -> ExitCode {
    let demo = match DemoWorker::start("law", false) {
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

    h.case("a_soft_opt_in_from_the_form_is_in_d1_with_its_notice_and_evidence", || {
        let r = donation_form(base, "soft@example.org", false, Some("donation"), false);
        ensure(r.status == 201, || format!("form: {} {}", r.status, r.body))?;
        let config = call(base, "GET", "/api/v1/sites/demo/config", &[("Origin", ORIGIN)], None).json();
        let notice = config["purposes"]
            .as_array()
            .and_then(|p| p.iter().find(|p| p["purpose"] == "our-work").cloned())
            .ok_or("no our-work purpose in the config")?;
        ensure(notice["basis"] == "charity_soft_opt_in" && notice["refusal"].is_string(), || format!("{notice}"))?;
        let rows = d1.query(&format!(
            "SELECT action, method, support_context, direct_from_person, wording_version, wording_sha256, mark \
             FROM consent_events WHERE site_id = 'demo' AND subject = '{}'",
            subject_of("soft@example.org")
        ))?;
        ensure(rows.len() == 1, || format!("events {rows:?}"))?;
        let e = &rows[0];
        ensure(
            e["action"] == "soft_opt_in"
                && e["method"] == "web_form"
                && e["support_context"] == "donation"
                && e["direct_from_person"] == 1
                && e["wording_sha256"] == notice["sha256"]
                && e["mark"].is_string(),
            || format!("event {e:?}, notice {notice}"),
        )
    });

    h.case("ticking_the_refusal_box_records_objected", || {
        let r = donation_form(base, "refused@example.org", true, Some("donation"), true);
        ensure(r.status == 201, || format!("form: {} {}", r.status, r.body))?;
        let rows = d1.query(&format!(
            "SELECT purpose, action FROM consent_state WHERE site_id = 'demo' AND subject = '{}' ORDER BY purpose",
            subject_of("refused@example.org")
        ))?;
        let got: Vec<String> = rows.iter().map(|r| format!("{}={}", r["purpose"], r["action"])).collect();
        ensure(got == [r#""news"="granted""#, r#""our-work"="objected""#], || format!("state {got:?}"))
    });

    h.case("soft_opt_in_that_does_not_qualify_is_refused_with_422", || {
        let r = donation_form(base, "nocontext@example.org", false, None, false);
        ensure(r.status == 422 && r.json()["error"]["code"] == "soft_opt_in_not_allowed", || {
            format!("no context: {} {}", r.status, r.body)
        })?;
        let early = serde_json::json!({"email": "paper@example.org", "method": "paper_form",
            "occurred_at": "2026-01-20T10:00:00Z", "directly_from_person": true, "context": "event",
            "changes": [{"purpose": "our-work", "channel": "email", "action": "soft_opt_in"}]});
        let r = admin(base, "POST", "/api/v1/admin/sites/demo/consents", &early.to_string());
        ensure(r.status == 422 && r.body.contains("5 February 2026"), || {
            format!("early: {} {}", r.status, r.body)
        })?;
        let mut on_time = early.clone();
        on_time["occurred_at"] = "2026-06-20T10:00:00Z".into();
        let r = admin(base, "POST", "/api/v1/admin/sites/demo/consents", &on_time.to_string());
        ensure(r.status == 201, || format!("on time: {} {}", r.status, r.body))?;
        let written = d1.query(&format!(
            "SELECT COUNT(*) AS n FROM consent_events WHERE site_id = 'demo' AND subject = '{}'",
            subject_of("nocontext@example.org")
        ))?;
        ensure(written[0]["n"] == 0, || format!("a refused submission wrote {written:?}"))
    });

    h.case("audiences_by_basis_and_an_objection_removes_at_once", || {
        let r = donation_form(base, "both@example.org", false, Some("event"), true);
        ensure(r.status == 201, || format!("form: {} {}", r.status, r.body))?;
        let soft = audience(base, "purpose=our-work&channel=email&basis=charity_soft_opt_in");
        let consent = audience(base, "purpose=our-work&channel=email&basis=consent");
        ensure(
            soft.contains(&"both@example.org=charity_soft_opt_in".to_string())
                && soft.contains(&"soft@example.org=charity_soft_opt_in".to_string())
                && !soft.iter().any(|m| m.starts_with("refused@"))
                && consent.is_empty(),
            || format!("soft {soft:?} consent {consent:?}"),
        )?;
        let objection = serde_json::json!({"email": "both@example.org", "method": "paper_form",
            "changes": [{"purpose": "our-work", "channel": "email", "action": "objected"}]});
        let r = admin(base, "POST", "/api/v1/admin/sites/demo/consents", &objection.to_string());
        ensure(r.status == 201, || format!("objection: {} {}", r.status, r.body))?;
        let soft = audience(base, "purpose=our-work&channel=email");
        ensure(!soft.iter().any(|m| m.starts_with("both@")), || format!("after objection {soft:?}"))?;
        let news = audience(base, "purpose=news&channel=email&basis=consent");
        ensure(news.contains(&"both@example.org=consent".to_string()), || format!("news {news:?}"))?;
        let csv = call(
            base,
            "GET",
            "/api/v1/sites/demo/audience?purpose=our-work&channel=email",
            &[("Authorization", BEARER), ("Accept", "text/csv")],
            None,
        );
        ensure(
            csv.body.starts_with(
                "email,subject,granted_at,event_id,unsubscribe_url,preferences_url,basis,name\r\n",
            ),
            || csv.body.lines().next().unwrap_or_default().to_string(),
        )?;
        let verify = admin(base, "GET", "/api/v1/sites/demo/ledger/verify", "");
        let v = verify.json();
        ensure(v["chain_valid"] == true && v["state_disagreements"] == 0, || format!("verify {v}"))
    });

    h.case("policy_rules_for_gb_and_fr_and_decisions_record_them", || {
        for (country, rules, statistics) in [("GB", "uk", "opt_out"), ("FR", "eu", "opt_in")] {
            let r = call(base, "GET", "/api/v1/sites/demo/policy", &[("Origin", ORIGIN), ("CF-IPCountry", country)], None);
            let v = r.json();
            ensure(
                v["rule_set"] == rules && v["treatments"]["statistics"] == statistics && v["treatments"]["analytics"] == "opt_in",
                || format!("{country}: {v}"),
            )?;
            let body = serde_json::json!({"consent_id": format!("law-visitor-{country}"), "categories": ["analytics"],
                "choice": "object", "policy_version": v["policy_version"], "wording_sha256": v["banner_sha256"],
                "reject_on_first_layer": true});
            let headers = [("Origin", ORIGIN), ("Content-Type", "application/json"), ("CF-IPCountry", country)];
            let r = call(base, "POST", "/api/v1/sites/demo/cookie-consents", &headers, Some(&body.to_string()));
            ensure(r.status == 201, || format!("decision {country}: {} {}", r.status, r.body))?;
        }
        let rows = d1.query(
            "SELECT consent_id, choice, rule_set FROM cookie_consents WHERE consent_id LIKE 'law-visitor-%' ORDER BY consent_id",
        )?;
        let got: Vec<String> = rows.iter().map(|r| format!("{} {} {}", r["consent_id"], r["choice"], r["rule_set"])).collect();
        ensure(
            got == [r#""law-visitor-FR" "object" "eu""#, r#""law-visitor-GB" "object" "uk""#],
            || format!("decisions {got:?}"),
        )
    });

    h.finish()
}
