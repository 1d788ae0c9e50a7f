//! Integration tests over HTTP against the real worker in workerd (wrangler dev) on local D1.
//! One fresh D1 and one worker for the whole binary; cases run in order and share them.

use std::process::ExitCode;

use consent_tests::client::{call, csrf_of, Reply};
use consent_tests::fixture::DemoWorker;
use consent_tests::harness::{ensure, Harness};
use consent_tests::secrets::ADMIN_BEARER as BEARER;

const ORIGIN: &str = "http://127.0.0.1:8788";
const GOOD: &str = r#"{"email":"Ada@Example.org","consents":[{"purpose":"news","channel":"email","wording_version":1}],"page_url":"http://127.0.0.1:8788/join"}"#;
const DEMO_WORDING_SHA256: &str = "c3a4ba5d37e18e36f89aa102f76a981ece8808a97023761ac20744e5b8f278fb";

fn post_json(base: &str, body: &str, extra: &[(&str, &str)]) -> Reply {
    let mut headers = vec![("Origin", ORIGIN), ("Content-Type", "application/json")];
    headers.extend_from_slice(extra);
    call(base, "POST", "/api/v1/sites/demo/consents", &headers, Some(body))
}

fn main() -> ExitCode {
    let demo = match DemoWorker::start("workerd", true) {
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

    h.case("healthz_answers_ok", || {
        let r = call(base, "GET", "/healthz", &[], None);
        ensure(r.status == 200 && r.json()["status"] == "ok", || format!("{} {}", r.status, r.body))
    });

    h.case("openapi_document_is_served", || {
        let r = call(base, "GET", "/openapi.json", &[], None);
        let ok = r.status == 200 && r.json()["openapi"] == "3.1.0";
        ensure(ok, || format!("{} {:.200}", r.status, r.body))?;
        ensure(r.header("access-control-allow-origin") == Some("*"), || format!("{:?}", r.headers))?;
        let file =
            std::fs::read_to_string(consent_tests::repo_root().join("docs/openapi.json")).unwrap_or_default();
        let stale = "the served document is not docs/openapi.json: run `cargo xtask build`";
        ensure(r.body == file, || stale.into())
    });

    h.case("store_contract_holds_on_d1", || {
        let r = call(base, "POST", "/__contract", &[], Some(""));
        ensure(r.status == 200, || format!("contract suite on D1 failed: {}", r.body))?;
        let cases = r.json()["cases"].as_array().map_or(0, Vec::len);
        ensure(cases >= 9, || format!("only {cases} contract cases ran"))
    });

    h.case("config_is_served_to_registered_origins_only", || {
        let r = call(base, "GET", "/api/v1/sites/demo/config", &[("Origin", ORIGIN)], None);
        ensure(r.status == 200, || r.body.clone())?;
        ensure(r.header("access-control-allow-origin") == Some(ORIGIN), || format!("{:?}", r.headers))?;
        ensure(r.json()["purposes"][0]["sha256"] == DEMO_WORDING_SHA256, || r.body.clone())?;
        let foreign =
            call(base, "GET", "/api/v1/sites/demo/config", &[("Origin", "https://evil.example")], None);
        ensure(foreign.status == 403 && foreign.header("access-control-allow-origin").is_none(), || {
            foreign.body
        })
    });

    h.case("preflight_allows_json_and_idempotency_key", || {
        let r = call(
            base,
            "OPTIONS",
            "/api/v1/sites/demo/consents",
            &[("Origin", ORIGIN), ("Access-Control-Request-Method", "POST")],
            None,
        );
        ensure(r.status == 204, || format!("status {}", r.status))?;
        ensure(r.header("access-control-allow-headers") == Some("Content-Type, Idempotency-Key"), || {
            format!("{:?}", r.headers)
        })
    });

    h.case("bad_input_gets_a_clear_json_error_and_writes_nothing", || {
        let big = format!(r#"{{"email":"{}"}}"#, "a".repeat(20_000));
        let cases: &[(&str, Reply, u16, &str)] = &[
            ("bad json", post_json(base, "{nope", &[]), 400, "bad_json"),
            (
                "bad email",
                post_json(base, &GOOD.replace("Ada@Example.org", "ada"), &[]),
                422,
                "invalid_email",
            ),
            (
                "unknown purpose",
                post_json(base, &GOOD.replace("\"news\"", "\"golf\""), &[]),
                422,
                "unknown_purpose",
            ),
            (
                "unknown wording version",
                post_json(base, &GOOD.replace(":1}", ":2}"), &[]),
                422,
                "unknown_wording",
            ),
            ("oversize", post_json(base, &big, &[]), 413, "payload_too_large"),
            (
                "foreign origin",
                post_json(base, GOOD, &[("Origin", "https://evil.example")]),
                403,
                "origin_not_allowed",
            ),
            (
                "unknown site",
                call(
                    base,
                    "POST",
                    "/api/v1/sites/nope/consents",
                    &[("Content-Type", "application/json")],
                    Some(GOOD),
                ),
                404,
                "not_found",
            ),
        ];
        let mut problems = Vec::new();
        for (name, reply, status, code) in cases {
            if reply.status != *status || reply.json()["error"]["code"] != *code {
                problems.push(format!("{name}: got {} {}", reply.status, reply.body));
            }
            if reply.json()["error"]["message"].as_str().is_none_or(str::is_empty) {
                problems.push(format!("{name}: no message"));
            }
        }
        ensure(problems.is_empty(), || problems.join("\n"))?;
        let rows = d1.query("SELECT COUNT(*) AS n FROM consent_events WHERE site_id = 'demo'")?;
        ensure(rows[0]["n"] == 0, || format!("bad requests wrote events: {rows:?}"))
    });

    h.case("a_consent_is_recorded_in_d1_with_its_evidence", || {
        let r = post_json(base, GOOD, &[("Idempotency-Key", "it-1"), ("User-Agent", "integration-test")]);
        ensure(r.status == 201, || format!("{} {}", r.status, r.body))?;
        ensure(r.header("access-control-allow-origin") == Some(ORIGIN), || format!("{:?}", r.headers))?;
        // The public receipt names no event ids (it must not differ between addresses).
        let rows = d1.query(
            "SELECT e.*, s.email FROM consent_events e JOIN subjects s USING (site_id, subject) \
             WHERE e.idempotency_key = 'it-1'",
        )?;
        let row = rows.first().ok_or("event not in D1")?;
        let expect = [
            ("action", "granted"),
            ("method", "web_form"),
            ("wording_sha256", DEMO_WORDING_SHA256),
            ("source_url", "http://127.0.0.1:8788/join"),
            ("user_agent", "integration-test"),
            // Stored as typed (local part) with the domain as ASCII: the spelling mail goes to.
            ("email", "Ada@example.org"),
            ("request_origin", ORIGIN),
        ];
        for (col, want) in expect {
            ensure(row[col] == want, || format!("{col}: {} != {want}", row[col]))?;
        }
        let time = row["server_time"].as_str().unwrap_or_default();
        ensure(time.len() == 24 && time.ends_with('Z'), || format!("server_time {time}"))?;
        ensure(row["subject"].as_str().is_some_and(|s| s.len() == 64 && !s.contains('@')), || {
            format!("subject {}", row["subject"])
        })
    });

    h.case("a_retried_submission_is_answered_once_and_written_once", || {
        let first = post_json(base, GOOD, &[("Idempotency-Key", "it-2")]);
        let again = post_json(base, GOOD, &[("Idempotency-Key", "it-2")]);
        ensure(first.status == 201 && again.status == 201 && first.body == again.body, || {
            format!("{} {} / {} {}", first.status, first.body, again.status, again.body)
        })?;
        ensure(again.header("idempotent-replayed") == Some("true"), || format!("{:?}", again.headers))?;
        let rows = d1.query("SELECT COUNT(*) AS n FROM consent_events WHERE idempotency_key = 'it-2'")?;
        ensure(rows[0]["n"] == 1, || format!("{rows:?}"))
    });

    h.case("widget_assets_are_served_cross_origin", || {
        let js = call(base, "GET", "/widget.js", &[], None);
        ensure(
            js.status == 200 && js.header("content-type").is_some_and(|c| c.contains("javascript")),
            || format!("widget.js: {} {:?}", js.status, js.headers),
        )?;
        let wasm = call(base, "GET", "/widget/consent_widget_bg.wasm", &[("Origin", ORIGIN)], None);
        ensure(wasm.status == 200, || format!("wasm: {}", wasm.status))?;
        ensure(wasm.header("content-type") == Some("application/wasm"), || format!("{:?}", wasm.headers))?;
        ensure(wasm.header("access-control-allow-origin") == Some("*"), || format!("{:?}", wasm.headers))
    });

    h.case("admin_endpoints_refuse_without_the_key", || {
        for path in
            ["/api/v1/sites/demo/audience?purpose=news&channel=email", "/api/v1/sites/demo/ledger/verify"]
        {
            for auth in [None, Some("Bearer wrong")] {
                let headers: Vec<(&str, &str)> = auth.map(|a| ("Authorization", a)).into_iter().collect();
                let r = call(base, "GET", path, &headers, None);
                ensure(r.status == 401 && r.json()["error"]["code"] == "unauthorized", || {
                    format!("{path} {auth:?}: {} {}", r.status, r.body)
                })?;
            }
        }
        Ok(())
    });

    let audience = |accept: &str| {
        call(
            base,
            "GET",
            "/api/v1/sites/demo/audience?purpose=news&channel=email",
            &[("Authorization", BEARER), ("Accept", accept)],
            None,
        )
    };

    h.case("withdrawal_leaves_the_audience_in_the_same_request", || {
        let bob = GOOD.replace("Ada@Example.org", "bob@example.org");
        ensure(post_json(base, &bob, &[]).status == 201, || "bob's consent".into())?;
        let before = audience("application/json");
        let emails = |r: &Reply| -> Vec<String> {
            r.json()["members"].as_array().into_iter().flatten().filter_map(|m| m["email"].as_str().map(String::from)).collect()
        };
        ensure(emails(&before) == ["Ada@example.org", "bob@example.org"] || emails(&before) == ["bob@example.org", "Ada@example.org"], || before.body.clone())?;
        let withdrawal = r#"{"email":"ada@example.org","method":"admin_import","changes":[{"purpose":"news","channel":"email","action":"withdrawn"}]}"#;
        let r = call(
            base,
            "POST",
            "/api/v1/admin/sites/demo/consents",
            &[("Authorization", BEARER), ("Content-Type", "application/json")],
            Some(withdrawal),
        );
        ensure(r.status == 201, || format!("{} {}", r.status, r.body))?;
        let after = audience("application/json");
        ensure(emails(&after) == ["bob@example.org"], || after.body.clone())
    });

    h.case("audience_exports_as_csv", || {
        let r = audience("text/csv");
        ensure(
            r.status == 200 && r.header("content-type").is_some_and(|c| c.starts_with("text/csv")),
            || format!("{} {:?}", r.status, r.headers),
        )?;
        let lines: Vec<&str> = r.body.lines().collect();
        ensure(
            lines.len() == 2
                && lines[0] == "email,subject,granted_at,event_id,unsubscribe_url,preferences_url,basis,name"
                && lines[1].starts_with("bob@example.org,"),
            || r.body.clone(),
        )
    });

    h.case("a_cookie_decision_is_recorded_anonymously", || {
        let config = call(base, "GET", "/api/v1/sites/demo/config", &[("Origin", ORIGIN)], None).json();
        let banner_sha = config["banner"]["sha256"].as_str().unwrap_or_default().to_string();
        let body = format!(
            r#"{{"consent_id":"8d9c6a52-1c1e-4f55-9e1a-2d0f5e6b7a10","categories":[],"choice":"reject_all","policy_version":1,"wording_sha256":"{banner_sha}","reject_on_first_layer":true,"gpc":true}}"#
        );
        let r = call(
            base,
            "POST",
            "/api/v1/sites/demo/cookie-consents",
            &[("Origin", ORIGIN), ("Content-Type", "application/json")],
            Some(&body),
        );
        ensure(r.status == 201, || format!("{} {}", r.status, r.body))?;
        let rows = d1.query("SELECT choice, gpc, reject_on_first_layer, categories FROM cookie_consents WHERE consent_id = '8d9c6a52-1c1e-4f55-9e1a-2d0f5e6b7a10'")?;
        ensure(
            rows.len() == 1 && rows[0]["choice"] == "reject_all" && rows[0]["gpc"] == 1 && rows[0]["categories"] == "[]",
            || format!("{rows:?}"),
        )
    });

    h.case("rfc8058_one_click_unsubscribe_with_a_plain_http_client", || {
        let carol = GOOD.replace("Ada@Example.org", "carol@example.org");
        ensure(post_json(base, &carol, &[]).status == 201, || "carol's consent".into())?;
        let links = call(
            base,
            "POST",
            "/api/v1/admin/sites/demo/links",
            &[("Authorization", BEARER), ("Content-Type", "application/json")],
            Some(r#"{"email":"carol@example.org","purpose":"news"}"#),
        );
        ensure(links.status == 200, || format!("{} {}", links.status, links.body))?;
        let url = links.json()["unsubscribe_url"].as_str().unwrap_or_default().to_string();
        ensure(url.starts_with(base) && links.json()["list_unsubscribe"] == format!("<{url}>"), || links.body.clone())?;
        let path = url.strip_prefix(base).unwrap_or_default().to_string();
        let in_audience = || {
            audience("application/json").json()["members"]
                .as_array()
                .is_some_and(|m| m.iter().any(|x| x["email"] == "carol@example.org"))
        };
        // A scanner's GET changes nothing.
        let get = call(base, "GET", &path, &[], None);
        ensure(get.status == 200 && get.body.contains("Unsubscribe") && in_audience(), || get.body.clone())?;
        // Multipart one-click, as some mailbox providers send it.
        let boundary = "----consent";
        let multipart = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--{boundary}--\r\n"
        );
        let ct = format!("multipart/form-data; boundary={boundary}");
        let one = call(base, "POST", &path, &[("Content-Type", ct.as_str())], Some(&multipart));
        ensure(one.status == 200 && !in_audience(), || format!("{} {}", one.status, one.body))?;
        let rows = d1.query("SELECT method FROM consent_events WHERE action = 'withdrawn' AND method = 'one_click'")?;
        ensure(rows.len() == 1, || format!("{rows:?}"))?;
        // Form-encoded repeat: still 200, nothing more written.
        let again = call(
            base,
            "POST",
            &path,
            &[("Content-Type", "application/x-www-form-urlencoded")],
            Some("List-Unsubscribe=One-Click"),
        );
        let rows = d1.query("SELECT method FROM consent_events WHERE method = 'one_click'")?;
        ensure(again.status == 200 && rows.len() == 1, || format!("{} {rows:?}", again.status))?;
        let forged = call(base, "POST", &format!("{path}x"), &[], Some("List-Unsubscribe=One-Click"));
        ensure(forged.status == 400 && forged.body.contains("This link does not work"), || forged.body)
    });

    h.case("site_definitions_create_wording_versions_on_d1", || {
        let def = |text: &str| {
            serde_json::json!({
                "organisation": {"name": "Rowing Club", "contact_email": "sec@club.example", "postal_address": "Boathouse",
                    "privacy_notice_url": "https://club.example/privacy", "cookie_policy_url": "https://club.example/cookies"},
                "allowed_origins": ["https://club.example"], "default_lang": "en",
                "purposes": [{"purpose": "results", "channel": "sms", "wordings": [{"lang": "en", "label": "Results", "text": text}]}]
            })
            .to_string()
        };
        let put = |text: &str| {
            call(
                base,
                "PUT",
                "/api/v1/admin/sites/club",
                &[("Authorization", BEARER), ("Content-Type", "application/json")],
                Some(&def(text)),
            )
        };
        let created = put("Text me race results");
        ensure(created.status == 201, || format!("{} {}", created.status, created.body))?;
        let edited = put("Text me race results and fixtures");
        ensure(edited.status == 200 && edited.json()["purposes"][0]["current_version"] == 2, || edited.body.clone())?;
        let rows = d1.query("SELECT version FROM wordings WHERE site_id = 'club' ORDER BY version")?;
        ensure(rows.len() == 2, || format!("{rows:?}"))
    });

    h.case("the_chain_verifies_on_d1_and_tampering_is_named", || {
        let verify =
            || call(base, "GET", "/api/v1/sites/demo/ledger/verify", &[("Authorization", BEARER)], None);
        let ok = verify();
        let count = d1.query("SELECT COUNT(*) AS n FROM consent_events WHERE site_id = 'demo'")?;
        let links = d1.query("SELECT COUNT(*) AS n FROM ledger_links WHERE site_id = 'demo'")?;
        ensure(links[0]["n"] == count[0]["n"], || {
            format!("verification sealed every event: {links:?} {count:?}")
        })?;
        ensure(ok.json()["valid"] == true && ok.json()["events_checked"] == count[0]["n"], || {
            ok.body.clone()
        })?;
        d1.query(
            "UPDATE consent_events SET purpose = 'golf' \
             WHERE id = (SELECT event_id FROM ledger_links WHERE site_id = 'demo' AND seq = 2)",
        )?;
        let bad = verify();
        ensure(bad.json()["valid"] == false && bad.json()["first_broken"]["seq"] == 2, || bad.body.clone())
    });

    h.case("the_preference_centre_works_on_d1_with_a_plain_form_post", || {
        let dora = GOOD.replace("Ada@Example.org", "dora@example.org");
        ensure(post_json(base, &dora, &[]).status == 201, || "dora's consent".into())?;
        let links = call(
            base,
            "POST",
            "/api/v1/admin/sites/demo/links",
            &[("Authorization", BEARER), ("Content-Type", "application/json")],
            Some(r#"{"email":"dora@example.org"}"#),
        );
        let url = links.json()["preferences_url"].as_str().unwrap_or_default().to_string();
        let path = url.strip_prefix(base).unwrap_or_default().to_string();
        ensure(path.starts_with("/p/v1."), || links.body.clone())?;
        let page = call(base, "GET", &path, &[], None);
        ensure(
            page.status == 200 && page.body.contains("dora@example.org") && page.body.contains("checked"),
            || format!("{} {}", page.status, page.body),
        )?;
        ensure(
            page.header("content-security-policy").is_some_and(|c| c.starts_with("default-src 'none'")),
            || format!("{:?}", page.headers),
        )?;
        let csrf = csrf_of(&page.body);
        let form = [("Content-Type", "application/x-www-form-urlencoded"), ("Origin", base)];
        let forged = call(base, "POST", &path, &form, Some("action=withdraw_all"));
        ensure(forged.status == 403, || format!("without the anti-forgery value: {}", forged.status))?;
        let body = format!("csrf={csrf}&action=withdraw_all&lang=en");
        let done = call(base, "POST", &path, &form, Some(&body));
        ensure(done.status == 200 && done.body.contains("withdrawn from everything"), || {
            format!("{} {}", done.status, done.body)
        })?;
        let rows = d1.query(
            "SELECT e.method, e.action FROM consent_events e JOIN subjects s USING (site_id, subject) \
             WHERE s.email = 'dora@example.org' ORDER BY e.pos",
        )?;
        ensure(
            rows.len() == 2 && rows[1]["method"] == "preference_page" && rows[1]["action"] == "withdrawn",
            || format!("{rows:?}"),
        )
    });

    h.case("lost_link_mails_through_the_email_api_and_never_tells", || {
        let ask = |email: &str| {
            let page = call(base, "GET", "/preferences/demo", &[], None);
            let body = format!("csrf={}&lang=en&email={}", csrf_of(&page.body), email.replace('@', "%40"));
            let r = call(
                base,
                "POST",
                "/preferences/demo",
                &[("Content-Type", "application/x-www-form-urlencoded"), ("Origin", base)],
                Some(&body),
            );
            (r.status, r.body.replace(email, "EMAIL"))
        };
        let known = ask("dora@example.org");
        let unknown = ask("nobody@example.org");
        ensure(known.0 == 200 && known == unknown, || format!("{known:?}\n{unknown:?}"))?;
        let sent = mail
            .wait_for("dora@example.org", std::time::Duration::from_secs(30))
            .ok_or("no mail reached the email API")?;
        ensure(sent.authorization == "Bearer capture-key", || sent.authorization.clone())?;
        ensure(sent.body["from"] == "Demo Alumni <alumni@example.org>", || sent.body.to_string())?;
        let link = sent.link(&format!("{base}/p/")).ok_or("no preference link in the mail")?;
        let page = call(base, "GET", link.strip_prefix(base).unwrap_or_default(), &[], None);
        ensure(page.status == 200 && page.body.contains("dora@example.org"), || page.body.clone())?;
        std::thread::sleep(std::time::Duration::from_millis(500));
        ensure(mail.all().iter().all(|m| m.to() != "nobody@example.org"), || {
            "mail to an unknown address".into()
        })
    });

    h.case("double_opt_in_on_d1_pending_until_the_emailed_link_is_confirmed", || {
        let def = serde_json::json!({
            "organisation": {"name": "Choir", "contact_email": "sec@choir.example", "postal_address": "Church Hall",
                "privacy_notice_url": "https://choir.example/privacy", "cookie_policy_url": "https://choir.example/cookies"},
            "allowed_origins": [ORIGIN], "default_lang": "en", "double_opt_in": true,
            "purposes": [{"purpose": "concerts", "channel": "email",
                "wordings": [{"lang": "en", "label": "Concerts", "text": "Email me about the choir's concerts."}]}]
        });
        let put = call(
            base,
            "PUT",
            "/api/v1/admin/sites/choir",
            &[("Authorization", BEARER), ("Content-Type", "application/json")],
            Some(&def.to_string()),
        );
        ensure(put.status == 201, || format!("{} {}", put.status, put.body))?;
        let join = r#"{"email":"erin@example.org","consents":[{"purpose":"concerts","channel":"email","wording_version":1}],"page_url":"http://127.0.0.1:8788/choir"}"#;
        let r = call(
            base,
            "POST",
            "/api/v1/sites/choir/consents",
            &[("Origin", ORIGIN), ("Content-Type", "application/json")],
            Some(join),
        );
        ensure(r.status == 201 && r.body.contains(r#""action":"pending""#), || format!("{} {}", r.status, r.body))?;
        let audience = || {
            call(base, "GET", "/api/v1/sites/choir/audience?purpose=concerts&channel=email", &[("Authorization", BEARER)], None)
                .json()["members"]
                .as_array()
                .map_or(0, Vec::len)
        };
        ensure(audience() == 0, || "pending must not be in the audience".into())?;
        let sent = mail.wait_for("erin@example.org", std::time::Duration::from_secs(30)).ok_or("no confirmation mail")?;
        let link = sent.link(&format!("{base}/c/")).ok_or("no confirmation link")?;
        let path = link.strip_prefix(base).unwrap_or_default().to_string();
        let page = call(base, "GET", &path, &[], None);
        ensure(page.status == 200 && page.body.contains("Concerts") && audience() == 0, || page.body.clone())?;
        let body = format!("csrf={}&lang=en", csrf_of(&page.body));
        let form = [("Content-Type", "application/x-www-form-urlencoded"), ("Origin", base)];
        let confirmed = call(base, "POST", &path, &form, Some(&body));
        ensure(confirmed.status == 200 && audience() == 1, || format!("{} {}", confirmed.status, confirmed.body))?;
        let rows = d1.query("SELECT action, method FROM consent_events WHERE site_id = 'choir' ORDER BY pos")?;
        ensure(
            rows.len() == 2 && rows[0]["action"] == "pending" && rows[1]["method"] == "email_confirmation",
            || format!("{rows:?}"),
        )
    });

    drop(demo);
    h.finish()
}
