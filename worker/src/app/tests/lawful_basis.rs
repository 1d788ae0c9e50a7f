//! Lawful bases since 5 February 2026: a charity's soft opt-in collected on its form (notice +
//! unticked refusal box) and recorded by the organisation (paper forms, imports), refused where
//! it does not qualify; audiences by basis; legitimate interests for post; cookie rules by the
//! visitor's country. The site is defined through the admin API, as an owner would.

use super::*;

const CHARITY_ORIGIN: &str = "https://charity.example";

pub(super) fn charity_definition() -> serde_json::Value {
    serde_json::json!({
        "organisation": {"name": "River Trust", "contact_email": "hello@charity.example",
            "postal_address": "1 River Lane", "privacy_notice_url": "https://charity.example/privacy",
            "cookie_policy_url": "https://charity.example/cookies", "charity_number": "1234567"},
        "allowed_origins": [CHARITY_ORIGIN],
        "default_lang": "en",
        "purposes": [
            {"purpose": "news", "channel": "email", "wordings": [
                {"lang": "en", "label": "News", "text": "Email me news and events."}]},
            {"purpose": "our-work", "channel": "email", "basis": "charity_soft_opt_in",
             "furthers_charitable_purposes": true, "wordings": [
                {"lang": "en", "label": "Our work",
                 "text": "We'll email you about our work because you supported us. You can stop this at any time.",
                 "refusal": "I don't want to receive emails about your work"},
                {"lang": "cy", "label": "Ein gwaith",
                 "text": "Byddwn yn anfon e-bost atoch am ein gwaith am i chi ein cefnogi. Gallwch atal hyn unrhyw bryd.",
                 "refusal": "Nid wyf eisiau derbyn e-byst am eich gwaith"}]},
            {"purpose": "letters", "channel": "post", "basis": "legitimate_interests", "wordings": [
                {"lang": "en", "label": "Letters", "text": "We send our supporters' newsletter by post."}]}
        ],
        "cookie_categories": [
            {"key": "necessary", "required": true, "texts": [{"lang": "en", "label": "Necessary", "description": "Keeps the site working."}]},
            {"key": "statistics", "basis": "statistics", "consent_mode": ["analytics_storage"],
             "texts": [{"lang": "en", "label": "Statistics", "description": "Counts how the site is used, to improve it."}]},
            {"key": "analytics", "texts": [{"lang": "en", "label": "Analytics", "description": "Third-party analytics."}]}
        ],
        "banner": [{"lang": "en", "text": "We use cookies."}]
    })
}

fn charity_app() -> App<SqlStore<SqliteExecutor>> {
    let app = app();
    let def = charity_definition().to_string();
    let created = send(&app, &admin("PUT", "/api/v1/admin/sites/charity", Some(&def)));
    assert_eq!(created.status, 201, "{}", summary(&created));
    app
}

fn form(body: serde_json::Value) -> HttpRequest {
    HttpRequest::new("POST", "/api/v1/sites/charity/consents")
        .with_header("origin", CHARITY_ORIGIN)
        .with_header("content-type", "application/json")
        .with_body(body.to_string())
}

fn notice(email: &str, refused: bool, context: Option<&str>) -> serde_json::Value {
    let mut body = serde_json::json!({"email": email, "consents": [],
        "notices": [{"purpose": "our-work", "channel": "email", "wording_version": 1, "refused": refused}],
        "page_url": "https://charity.example/donate"});
    if let Some(c) = context {
        body["context"] = c.into();
    }
    body
}

fn recorded(body: serde_json::Value) -> HttpRequest {
    admin("POST", "/api/v1/admin/sites/charity/consents", Some(&body.to_string()))
}

fn paper(email: &str, occurred_at: &str, direct: Option<bool>, context: Option<&str>) -> serde_json::Value {
    let mut body = serde_json::json!({"email": email, "method": "paper_form", "occurred_at": occurred_at,
        "changes": [{"purpose": "our-work", "channel": "email", "action": "soft_opt_in"}]});
    if let Some(d) = direct {
        body["directly_from_person"] = d.into();
    }
    if let Some(c) = context {
        body["context"] = c.into();
    }
    body
}

fn events(app: &App<SqlStore<SqliteExecutor>>) -> String {
    pollster::block_on(async {
        let now = DateTime::parse_from_rfc3339("2026-11-24T12:00:00Z").unwrap().to_utc();
        ledger::seal_pending(app, "charity", now).await.unwrap();
        let chained = app.store.chained_after("charity", 0, 1000).await.unwrap();
        chained
            .into_iter()
            .filter_map(|c| c.event)
            .map(|e| {
                format!(
                    "{} {} {} v{} {} context={:?} direct={:?} sha={}\n",
                    e.purpose,
                    e.action.as_str(),
                    e.method.as_str(),
                    e.wording_version,
                    e.lang,
                    e.support_context.map(|c| c.as_str()),
                    e.direct_from_person,
                    &e.wording_sha256[..12]
                )
            })
            .collect()
    })
}

fn audience(app: &App<SqlStore<SqliteExecutor>>, query: &str) -> String {
    let path = format!("/api/v1/sites/charity/audience?{query}");
    let (status, body) = body_of(send(app, &admin("GET", &path, None)));
    if status != 200 {
        return format!("{status} {body}");
    }
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let members: Vec<String> = v["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| format!("{}={}", m["email"].as_str().unwrap(), m["basis"].as_str().unwrap()))
        .collect();
    members.join(" ")
}

#[test]
fn the_form_configuration_carries_the_notice_and_its_refusal() {
    let app = charity_app();
    let r = send(
        &app,
        &HttpRequest::new("GET", "/api/v1/sites/charity/config?lang=cy")
            .with_header("origin", CHARITY_ORIGIN),
    );
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    let purposes: Vec<String> = v["purposes"].as_array().unwrap().iter().map(|p| p.to_string()).collect();
    expect![[r#"
        [
            "{\"channel\":\"email\",\"label\":\"News\",\"lang\":\"en\",\"purpose\":\"news\",\"sha256\":\"e37400f5289f941e1b32b88c94f08c3e5af0a85056e53515961d890c1b564dec\",\"text\":\"Email me news and events.\",\"wording_version\":1}",
            "{\"basis\":\"charity_soft_opt_in\",\"channel\":\"email\",\"label\":\"Ein gwaith\",\"lang\":\"cy\",\"purpose\":\"our-work\",\"refusal\":\"Nid wyf eisiau derbyn e-byst am eich gwaith\",\"sha256\":\"4c6b81a3628b8c2b3c92ded66f759ea92ace49d91a6f3487e4c8f4fad67bf7b2\",\"text\":\"Byddwn yn anfon e-bost atoch am ein gwaith am i chi ein cefnogi. Gallwch atal hyn unrhyw bryd.\",\"wording_version\":1}",
            "{\"basis\":\"legitimate_interests\",\"channel\":\"post\",\"label\":\"Letters\",\"lang\":\"en\",\"purpose\":\"letters\",\"sha256\":\"2d1d76e7d9aac3b3e542ea9332994961f01fc115d54c3affd0e3d42d274e87b8\",\"text\":\"We send our supporters' newsletter by post.\",\"wording_version\":1}",
        ]
    "#]].assert_debug_eq(&purposes);
    expect![[r#""1234567""#]].assert_eq(&v["organisation"]["charity_number"].to_string());
}

#[test]
fn soft_opt_in_and_refusal_on_the_form() {
    let app = charity_app();
    let cases = [
        ("leaves the refusal box unticked", form(notice("ada@example.org", false, Some("donation")))),
        ("ticks the refusal box", form(notice("bob@example.org", true, Some("donation")))),
        ("refuses without a context", form(notice("cy@example.org", true, None))),
        (
            "ticks consent beside the notice",
            form({
                let mut b = notice("dee@example.org", false, Some("event"));
                b["consents"] =
                    serde_json::json!([{"purpose": "news", "channel": "email", "wording_version": 1}]);
                b
            }),
        ),
    ];
    let answers: String =
        cases.iter().map(|(name, req)| format!("{name}: {}\n", send(&app, req).status)).collect();
    expect![[r#"
        leaves the refusal box unticked: 201
        ticks the refusal box: 201
        refuses without a context: 201
        ticks consent beside the notice: 201
    "#]]
    .assert_eq(&answers);
    expect![[r#"
        our-work soft_opt_in web_form v1 en context=Some("donation") direct=Some(true) sha=9d0df7a30d54
        our-work objected web_form v1 en context=Some("donation") direct=Some(true) sha=9d0df7a30d54
        our-work objected web_form v1 en context=None direct=Some(true) sha=9d0df7a30d54
        news granted web_form v1 en context=None direct=None sha=e37400f5289f
        our-work soft_opt_in web_form v1 en context=Some("event") direct=Some(true) sha=9d0df7a30d54
    "#]]
    .assert_eq(&events(&app));
    expect!["dee@example.org=charity_soft_opt_in ada@example.org=charity_soft_opt_in"]
        .assert_eq(&audience(&app, "purpose=our-work&channel=email"));
}

#[test]
fn soft_opt_in_refused_where_it_does_not_qualify() {
    let app = charity_app();
    let consent_as_notice = {
        let mut b = notice("a@example.org", false, Some("donation"));
        b["notices"][0]["purpose"] = "news".into();
        b
    };
    let notice_as_consent = serde_json::json!({"email": "a@example.org", "page_url": "https://charity.example/",
        "consents": [{"purpose": "our-work", "channel": "email", "wording_version": 1}]});
    let cases = [
        ("form without a context", form(notice("a@example.org", false, None))),
        ("form with an unknown context", form(notice("a@example.org", false, Some("purchase")))),
        ("notice for a consent purpose", form(consent_as_notice)),
        ("consent box for a soft opt-in purpose", form(notice_as_consent)),
        (
            "paper form, no date",
            recorded({
                let mut b = paper("p@example.org", "", Some(true), Some("event"));
                b.as_object_mut().unwrap().remove("occurred_at");
                b
            }),
        ),
        (
            "paper form before 5 Feb 2026",
            recorded(paper("p@example.org", "2026-02-04T10:00:00Z", Some(true), Some("event"))),
        ),
        (
            "paper form, directness not stated",
            recorded(paper("p@example.org", "2026-06-01T10:00:00Z", None, Some("event"))),
        ),
        (
            "paper form, not direct",
            recorded(paper("p@example.org", "2026-06-01T10:00:00Z", Some(false), Some("event"))),
        ),
        (
            "paper form, no context",
            recorded(paper("p@example.org", "2026-06-01T10:00:00Z", Some(true), None)),
        ),
        (
            "soft opt-in on a consent purpose",
            recorded({
                let mut b = paper("p@example.org", "2026-06-01T10:00:00Z", Some(true), Some("event"));
                b["changes"][0]["purpose"] = "news".into();
                b
            }),
        ),
        (
            "paper form that qualifies",
            recorded(paper("p@example.org", "2026-06-01T10:00:00Z", Some(true), Some("event"))),
        ),
        (
            "import that qualifies",
            recorded({
                let mut b = paper("i@example.org", "2026-03-01T10:00:00Z", Some(true), Some("membership"));
                b["method"] = "admin_import".into();
                b
            }),
        ),
    ];
    let answers: String = cases
        .iter()
        .map(|(name, req)| {
            let r = send(&app, req);
            let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap_or_default();
            let said = v["error"]["message"].as_str().map(str::to_string).unwrap_or_else(|| {
                v["events"]
                    .as_array()
                    .map(|e| format!("{} event(s) {}", e.len(), e[0]["action"]))
                    .unwrap_or_default()
            });
            format!("{name}: {} {} {said}\n", r.status, v["error"]["code"].as_str().unwrap_or(""))
        })
        .collect();
    expect![[r#"
        form without a context: 422 soft_opt_in_not_allowed purpose 'our-work' on 'email' cannot be recorded as a charitable purpose soft opt-in: a soft opt-in needs the context in which the person supported the charity (donation, membership, volunteering, event, enquiry)
        form with an unknown context: 400 bad_json request body is not valid JSON for this endpoint: unknown variant `purchase`, expected one of `donation`, `membership`, `volunteering`, `event`, `enquiry` at line 1 column 35
        notice for a consent purpose: 422 wrong_basis purpose 'news' on 'email' does not rest on the charitable purpose soft opt-in: it needs the person's consent (a ticked box), not a notice
        consent box for a soft opt-in purpose: 422 wrong_basis purpose 'our-work' on 'email' rests on the charitable purpose soft opt-in: the form shows its notice with a refusal box and sends the answer in 'notices', not as a consent
        paper form, no date: 422 invalid_submission a soft opt-in recorded by the organisation needs 'occurred_at': when the person gave their details (RFC 3339, on or after 2026-02-05)
        paper form before 5 Feb 2026: 422 soft_opt_in_not_allowed purpose 'our-work' on 'email' cannot be recorded as a charitable purpose soft opt-in: details collected before 5 February 2026 can never be a charitable purpose soft opt-in
        paper form, directness not stated: 422 soft_opt_in_not_allowed purpose 'our-work' on 'email' cannot be recorded as a charitable purpose soft opt-in: a soft opt-in recorded by the organisation needs its statement (directly_from_person: true) that the person gave their details to the charity directly, not through a third party, a trading subsidiary, a fundraising platform or a bought list
        paper form, not direct: 422 soft_opt_in_not_allowed purpose 'our-work' on 'email' cannot be recorded as a charitable purpose soft opt-in: a soft opt-in recorded by the organisation needs its statement (directly_from_person: true) that the person gave their details to the charity directly, not through a third party, a trading subsidiary, a fundraising platform or a bought list
        paper form, no context: 422 soft_opt_in_not_allowed purpose 'our-work' on 'email' cannot be recorded as a charitable purpose soft opt-in: a soft opt-in needs the context in which the person supported the charity (donation, membership, volunteering, event, enquiry)
        soft opt-in on a consent purpose: 422 wrong_basis purpose 'news' on 'email' does not rest on the charitable purpose soft opt-in: it needs the person's consent (a ticked box), not a notice
        paper form that qualifies: 201  1 event(s) "soft_opt_in"
        import that qualifies: 201  1 event(s) "soft_opt_in"
    "#]].assert_eq(&answers);
    expect![[r#"
        our-work soft_opt_in paper_form v1 en context=Some("event") direct=Some(true) sha=9d0df7a30d54
        our-work soft_opt_in admin_import v1 en context=Some("membership") direct=Some(true) sha=9d0df7a30d54
    "#]]
    .assert_eq(&events(&app));
}

#[test]
fn audiences_by_basis_and_objection_removes_at_once() {
    let app = charity_app();
    for req in [
        form(notice("soft@example.org", false, Some("donation"))),
        form(notice("refused@example.org", true, Some("donation"))),
        form(serde_json::json!({"email": "agreed@example.org", "page_url": "https://charity.example/",
            "consents": [{"purpose": "news", "channel": "email", "wording_version": 1}]})),
        recorded(serde_json::json!({"email": "both@example.org", "method": "paper_form",
            "changes": [{"purpose": "our-work", "channel": "email", "action": "granted"}]})),
    ] {
        let r = send(&app, &req);
        assert_eq!(r.status, 201, "{}", summary(&r));
    }
    let lists = |app: &App<SqlStore<SqliteExecutor>>| {
        [
            "purpose=our-work&channel=email",
            "purpose=our-work&channel=email&basis=consent",
            "purpose=our-work&channel=email&basis=charity_soft_opt_in",
            "purpose=our-work&channel=email&basis=legitimate_interests",
            "purpose=our-work&channel=email&basis=gossip",
            "purpose=letters&channel=post",
            "purpose=letters&channel=post&basis=consent",
        ]
        .map(|q| format!("{q}: {}\n", audience(app, q)))
        .concat()
    };
    expect![[r#"
        purpose=our-work&channel=email: both@example.org=consent soft@example.org=charity_soft_opt_in
        purpose=our-work&channel=email&basis=consent: both@example.org=consent
        purpose=our-work&channel=email&basis=charity_soft_opt_in: soft@example.org=charity_soft_opt_in
        purpose=our-work&channel=email&basis=legitimate_interests: 400 {"error":{"code":"bad_request","message":"this purpose rests on charity_soft_opt_in, so nobody is on it by legitimate_interests"}}
        purpose=our-work&channel=email&basis=gossip: 400 {"error":{"code":"bad_request","message":"unknown basis 'gossip' (consent, charity_soft_opt_in or legitimate_interests)"}}
        purpose=letters&channel=post: both@example.org=legitimate_interests agreed@example.org=legitimate_interests refused@example.org=legitimate_interests soft@example.org=legitimate_interests
        purpose=letters&channel=post&basis=consent: 
    "#]].assert_eq(&lists(&app));
    // An objection by post, and an unsubscribe from the soft opt-in list, remove at once.
    let objection = recorded(serde_json::json!({"email": "agreed@example.org", "method": "paper_form",
        "changes": [{"purpose": "letters", "channel": "post", "action": "objected"}]}));
    assert_eq!(send(&app, &objection).status, 201);
    let body = r#"{"email":"soft@example.org","purpose":"our-work"}"#;
    let (_, links) = body_of(send(&app, &admin("POST", "/api/v1/admin/sites/charity/links", Some(body))));
    let links: serde_json::Value = serde_json::from_str(&links).unwrap();
    let path =
        links["unsubscribe_url"].as_str().unwrap().strip_prefix("http://localhost").unwrap().to_string();
    let r = send(
        &app,
        &HttpRequest::new("POST", &path)
            .with_header("content-type", "application/x-www-form-urlencoded")
            .with_body("List-Unsubscribe=One-Click"),
    );
    assert_eq!(r.status, 200, "{}", summary(&r));
    expect![[r#"
        purpose=our-work&channel=email: both@example.org=consent
        purpose=our-work&channel=email&basis=consent: both@example.org=consent
        purpose=our-work&channel=email&basis=charity_soft_opt_in: 
        purpose=our-work&channel=email&basis=legitimate_interests: 400 {"error":{"code":"bad_request","message":"this purpose rests on charity_soft_opt_in, so nobody is on it by legitimate_interests"}}
        purpose=our-work&channel=email&basis=gossip: 400 {"error":{"code":"bad_request","message":"unknown basis 'gossip' (consent, charity_soft_opt_in or legitimate_interests)"}}
        purpose=letters&channel=post: both@example.org=legitimate_interests refused@example.org=legitimate_interests soft@example.org=legitimate_interests
        purpose=letters&channel=post&basis=consent: 
    "#]].assert_eq(&lists(&app));
    let (_, csv) = body_of(send(
        &app,
        &admin("GET", "/api/v1/sites/charity/audience?purpose=our-work&channel=email", None)
            .with_header("accept", "text/csv"),
    ));
    let rows: Vec<String> = csv
        .lines()
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            format!("{} {}", cells[0], cells[6])
        })
        .collect();
    expect![[r#"
        [
            "email basis",
            "both@example.org consent",
        ]
    "#]]
    .assert_debug_eq(&rows);
    // The state the audience reads is the one the events rebuild.
    let (_, report) = body_of(send(&app, &admin("GET", "/api/v1/sites/charity/ledger/verify", None)));
    let report: serde_json::Value = serde_json::from_str(&report).unwrap();
    assert_eq!(
        (report["state_disagreements"].as_u64(), report["chain_valid"].as_bool()),
        (Some(0), Some(true)),
        "{report}"
    );
}

#[test]
fn the_cookie_rules_follow_the_visitors_country() {
    let app = charity_app();
    let policy = |country: Option<&str>| {
        let mut req =
            HttpRequest::new("GET", "/api/v1/sites/charity/policy").with_header("origin", CHARITY_ORIGIN);
        if let Some(c) = country {
            req = req.with_header("cf-ipcountry", c);
        }
        let v: serde_json::Value = serde_json::from_slice(&send(&app, &req).body).unwrap();
        format!("{country:?}: {} {} {}\n", v["rule_set"], v["treatments"], v["banner_kind"])
    };
    let actual = [Some("GB"), Some("FR"), Some("NO"), Some("US"), Some("XX"), None].map(policy).concat();
    expect![[r#"
        Some("GB"): "uk" {"analytics":"opt_in","statistics":"opt_out"} "consent"
        Some("FR"): "eu" {"analytics":"opt_in","statistics":"opt_in"} "consent"
        Some("NO"): "eu" {"analytics":"opt_in","statistics":"opt_in"} "consent"
        Some("US"): "uk" {"analytics":"opt_in","statistics":"opt_out"} "consent"
        Some("XX"): "uk" {"analytics":"opt_in","statistics":"opt_out"} "consent"
        None: "uk" {"analytics":"opt_in","statistics":"opt_out"} "consent"
    "#]]
    .assert_eq(&actual);
    // A decision records the rules it was made under.
    let banner = pollster::block_on(app.store.site("charity")).unwrap().unwrap().banner[0].sha256.clone();
    for (country, consent_id) in [("GB", "visitor-gb-1"), ("FR", "visitor-fr-1")] {
        let body = serde_json::json!({"consent_id": consent_id, "categories": ["statistics"], "choice": "object",
            "policy_version": 1, "wording_sha256": banner, "reject_on_first_layer": true});
        let r = send(
            &app,
            &HttpRequest::new("POST", "/api/v1/sites/charity/cookie-consents")
                .with_header("origin", CHARITY_ORIGIN)
                .with_header("content-type", "application/json")
                .with_header("cf-ipcountry", country)
                .with_body(body.to_string()),
        );
        assert_eq!(r.status, 201, "{}", summary(&r));
    }
    let recorded: Vec<String> = ["visitor-gb-1", "visitor-fr-1"]
        .iter()
        .flat_map(|id| pollster::block_on(app.store.cookie_consents("charity", id)).unwrap())
        .map(|r| format!("{} {} {:?}", r.consent_id, r.choice.as_str(), r.rule_set.map(|s| s.as_str())))
        .collect();
    expect![[r#"
        [
            "visitor-gb-1 object Some(\"uk\")",
            "visitor-fr-1 object Some(\"eu\")",
        ]
    "#]]
    .assert_debug_eq(&recorded);
}

#[test]
fn the_preference_centre_says_why_per_line() {
    let app = charity_app();
    assert_eq!(send(&app, &form(notice("ada@example.org", false, Some("volunteering")))).status, 201);
    let mut lines = Vec::new();
    for lang in ["en", "cy"] {
        let body = r#"{"email":"ada@example.org"}"#;
        let (_, links) = body_of(send(&app, &admin("POST", "/api/v1/admin/sites/charity/links", Some(body))));
        let links: serde_json::Value = serde_json::from_str(&links).unwrap();
        let path =
            links["preferences_url"].as_str().unwrap().strip_prefix("http://localhost").unwrap().to_string();
        let (status, html) = body_of(send(&app, &HttpRequest::new("GET", &format!("{path}?lang={lang}"))));
        assert_eq!(status, 200);
        for needle in ["s-our-work-email", "s-news-email", "s-letters-post"] {
            let at = html.find(&format!("id=\"{needle}\"")).unwrap_or_else(|| panic!("{needle} in {html}"));
            let text = &html[at..];
            let text = &text[text.find('>').unwrap() + 1..text.find("</p>").unwrap()];
            lines.push(format!("{lang} {needle}: {text}"));
        }
    }
    expect![[r#"
        [
            "en s-our-work-email: You supported us on 2026-11-24 12:00, so we may email you about our work; you can stop this at any time: untick the box and save.",
            "en s-news-email: You have not agreed to this.",
            "en s-letters-post: We write to you by post unless you ask us not to: untick the box and save to stop.",
            "cy s-our-work-email: Fe wnaethoch ein cefnogi ar 2026-11-24 12:00, felly efallai y byddwn yn anfon e-bost atoch am ein gwaith; gallwch atal hyn unrhyw bryd: dad-diciwch y blwch a chadw.",
            "cy s-news-email: Nid ydych wedi cytuno i hyn.",
            "cy s-letters-post: Rydym yn ysgrifennu atoch drwy'r post oni bai eich bod yn gofyn i ni beidio: dad-diciwch y blwch a chadw i atal hyn.",
        ]
    "#]].assert_debug_eq(&lines);
    // The data download names the basis of each line.
    let body = r#"{"email":"ada@example.org"}"#;
    let (_, export) =
        body_of(send(&app, &admin("POST", "/api/v1/admin/sites/charity/subjects/access", Some(body))));
    let export: serde_json::Value = serde_json::from_str(&export).unwrap();
    expect![[r#"[{"basis":"consent","channel":"email","contacted_on":null,"purpose":"news"},{"basis":"charity_soft_opt_in","channel":"email","contacted_on":"charity_soft_opt_in","purpose":"our-work"},{"basis":"legitimate_interests","channel":"post","contacted_on":"legitimate_interests","purpose":"letters"}]"#]].assert_eq(&export["contact_bases"].to_string());
}
