//! The console's data pages (issue 12): statistics from the daily counters (equal to a recount
//! of the ledger; the chart and its table), an audience download in the trail with its row count
//! and the person as actor, the ledger verified from the page, the audit trail read and
//! downloaded, and what an editor may not see or post.

use chrono::TimeDelta;

use super::accounts::{
    add_person, another_session, at, csrf_of, form_post, send_at, sign_in, text, with_cookie,
};
use super::*;
use crate::app::console_statistics::{statistics, WeekRow};
use crate::store::audit::{AuditFilter, AuditStore};
use crate::store::statistics::{DailyCookieCount, DailyEventCount, StatisticsStore};

fn get(app: &App<SqlStore<SqliteExecutor>>, path: &str, session: &str) -> (u16, String) {
    text(send_at(app, &with_cookie(HttpRequest::new("GET", path), session), at(TimeDelta::zero())))
}

fn post(
    app: &App<SqlStore<SqliteExecutor>>,
    path: &str,
    session: &str,
    fields: &[(&str, &str)],
) -> HttpResponse {
    let (status, page) = get(app, path, session);
    assert_eq!(status, 200, "{page}");
    let csrf = csrf_of(&page);
    let mut all = vec![("csrf", csrf.as_str()), ("lang", "en")];
    all.extend_from_slice(fields);
    send_at(app, &with_cookie(form_post(path, &all), session), at(TimeDelta::zero()))
}

fn consent(email: &str) -> HttpRequest {
    super::post(&format!(
        r#"{{"email":"{email}","consents":[{{"purpose":"news","channel":"email","wording_version":1}}],"page_url":"http://127.0.0.1:8788/"}}"#
    ))
}

fn decision(choice: &str, categories: &str, n: u32) -> HttpRequest {
    let banner = consent_shared::digest::sha256_hex(
        "We use cookies that are strictly necessary, and analytics cookies only if you agree.".as_bytes(),
    );
    HttpRequest::new("POST", "/api/v1/sites/demo/cookie-consents")
        .with_header("origin", ORIGIN)
        .with_header("content-type", "application/json")
        .with_body(format!(
            r#"{{"consent_id":"5f0c3c4e-aaaa-4bbb-8ccc-00000000000{n}","categories":{categories},"choice":"{choice}","policy_version":1,"wording_sha256":"{banner}","reject_on_first_layer":true}}"#
        ))
}

/// Grants from the form, withdrawals and a paper-form grant through the API, cookie decisions:
/// the counters equal a recount of the ledger, and the page shows them as a chart and a table.
#[test]
fn counters_equal_a_recount_and_the_statistics_page_shows_them() {
    let app = app();
    for email in ["ada@example.org", "bob@example.org", "cy@example.org"] {
        assert_eq!(send(&app, &consent(email)).status, 201);
    }
    for (email, action) in [("ada@example.org", "withdrawn"), ("dee@example.org", "granted")] {
        let r = send(&app, &admin("POST", "/api/v1/admin/sites/demo/consents", Some(&change(email, action))));
        assert!(r.status < 300, "{}", summary(&r));
    }
    for (i, (choice, categories)) in
        [("accept_all", r#"["analytics"]"#), ("reject_all", "[]"), ("reject_all", "[]")]
            .into_iter()
            .enumerate()
    {
        assert_eq!(send(&app, &decision(choice, categories, i as u32 + 1)).status, 201);
    }
    let counted = pollster::block_on(app.store.daily_event_counts("demo")).unwrap();
    assert_eq!(counted, pollster::block_on(app.store.recount_events("demo")).unwrap());
    let cookies = pollster::block_on(app.store.daily_cookie_counts("demo")).unwrap();
    assert_eq!(cookies, pollster::block_on(app.store.recount_cookies("demo")).unwrap());
    let summary: String = counted
        .iter()
        .map(|c| format!("{} {} {} {} {} {}\n", c.day, c.purpose, c.channel, c.action, c.method, c.n))
        .chain(cookies.iter().map(|c| format!("{} {} {}\n", c.day, c.choice, c.n)))
        .collect();
    expect![[r#"
        2026-11-24 news email granted paper_form 1
        2026-11-24 news email granted web_form 3
        2026-11-24 news email withdrawn paper_form 1
        2026-11-24 accept_all 1
        2026-11-24 reject_all 2
    "#]]
    .assert_eq(&summary);

    add_person(&app, "viewer@example.org", "viewer");
    let session = sign_in(&app, "viewer@example.org", at(TimeDelta::zero()));
    let (status, page) = get(&app, "/admin/sites/demo/statistics", &session);
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("<svg") && page.contains("role=\"img\""), "{page}");
    assert!(!page.contains("style=\""), "the CSP allows no inline styles: {page}");
    // The table beneath the chart: week, grants, soft opt-ins, withdrawals, objections, net
    // change, net audience.
    let row = "<th scope=\"row\">2026-W48</th><td>4</td><td>0</td><td>1</td><td>0</td><td>3</td><td>3</td>";
    assert!(page.contains(row), "{page}");
    assert!(page.contains("A form on our website"), "sign-ups by method: {page}");
    assert!(page.contains("<td>1 (33.3%)</td><td>2 (66.7%)</td>"), "cookie shares: {page}");
    let (status, page) = get(&app, "/admin/sites/demo/statistics?lang=cy", &session);
    assert_eq!(status, 200);
    assert!(page.contains("Ystadegau") && page.contains("Cynulleidfa net"), "{page}");
}

/// Weeks are ISO weeks (Monday to Sunday); the net audience runs from the first event.
#[test]
fn daily_counts_fold_into_iso_weeks_with_a_running_audience() {
    let e = |day: &str, action: &str, method: &str, n| DailyEventCount {
        day: day.into(),
        purpose: "news".into(),
        channel: "email".into(),
        action: action.into(),
        method: method.into(),
        n,
    };
    let events = [
        e("2026-11-22", "granted", "web_form", 5),   // a Sunday: week 47
        e("2026-11-23", "granted", "paper_form", 2), // the Monday after: week 48
        e("2026-11-23", "soft_opt_in", "web_form", 3),
        e("2026-11-29", "withdrawn", "unsubscribe_link", 4),
        e("2026-11-29", "objected", "preference_page", 1),
        e("2026-11-29", "pending", "web_form", 9),
        e("2026-12-01", "granted", "web_form", 1),
    ];
    let cookies = [
        DailyCookieCount { day: "2026-11-22".into(), choice: "gpc_signal".into(), n: 2 },
        DailyCookieCount { day: "2026-11-23".into(), choice: "object".into(), n: 1 },
    ];
    let stats = statistics(&events, &cookies);
    let rows: &Vec<WeekRow> = &stats.series[&("news".to_string(), "email".to_string())];
    let table: String = rows
        .iter()
        .map(|r| {
            format!(
                "{} +{} soft{} -{} obj{} net{} audience{}\n",
                r.week,
                r.grants,
                r.soft_opt_ins,
                r.withdrawals,
                r.objections,
                r.net_change(),
                r.net_audience
            )
        })
        .collect();
    expect![[r#"
        2026-W47 +5 soft0 -0 obj0 net5 audience5
        2026-W48 +2 soft3 -4 obj1 net0 audience5
        2026-W49 +1 soft0 -0 obj0 net1 audience6
    "#]]
    .assert_eq(&table);
    assert_eq!(format!("{:?}", stats.signups), r#"{"paper_form": 2, "web_form": 9}"#);
    assert_eq!(
        format!("{:?}", stats.cookie_weeks),
        r#"{"2026-W47": [0, 0, 0, 2, 0], "2026-W48": [0, 0, 0, 0, 1]}"#
    );
}

/// The owner counts and downloads an audience from the page: the download is the API's CSV (with
/// the columns mailing tools import) and it is in the trail with its row count and the person.
#[test]
fn an_audience_download_is_in_the_trail_with_its_rows_and_the_person() {
    let app = app();
    for email in ["ada@example.org", "bob@example.org"] {
        assert_eq!(send(&app, &consent(email)).status, 201);
    }
    let owner = add_person(&app, "owner@example.org", "owner");
    let session = sign_in(&app, "owner@example.org", at(TimeDelta::zero()));
    let path = "/admin/sites/demo/audience";
    let (status, page) =
        text(post(&app, path, &session, &[("list", "news:email"), ("basis", "all"), ("do", "count")]));
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("2 people may be contacted."), "{page}");
    let r = post(&app, path, &session, &[("list", "news:email"), ("basis", "consent"), ("do", "csv")]);
    assert_eq!(r.header("content-disposition"), Some("attachment; filename=\"demo-news-email.csv\""));
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let (status, csv) = text(r);
    assert_eq!(status, 200);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("email,subject,granted_at,event_id,unsubscribe_url,preferences_url,basis,name")
    );
    assert_eq!(lines.count(), 2, "{csv}");
    // A purpose the site does not offer: the page again, with the reason, nothing recorded.
    let (status, page) =
        text(post(&app, path, &session, &[("list", "ads:sms"), ("basis", "all"), ("do", "csv")]));
    assert_eq!(status, 422);
    assert!(page.contains("role=\"alert\""), "{page}");

    let trail = pollster::block_on(app.store.audit_page("demo", &AuditFilter::default(), 50)).unwrap();
    let audience: Vec<String> = trail
        .iter()
        .filter(|e| e.record.kind.starts_with("audience_"))
        .map(|e| format!("{} {} {}", e.record.kind, e.record.actor, e.record.detail))
        .collect();
    assert_eq!(
        audience,
        [
            format!(
                r#"audience_exported person:{owner} {{"basis":"consent","channel":"email","format":"csv","purpose":"news","rows":2}}"#
            ),
            format!(
                r#"audience_counted person:{owner} {{"basis":null,"channel":"email","purpose":"news","rows":2}}"#
            ),
        ]
    );
    // The audit page shows it, and reading the page is itself recorded.
    // As the filter form sends it: the fields left empty ask for nothing.
    let (status, page) =
        get(&app, "/admin/sites/demo/audit?lang=en&actor=&kind=audience_exported&since=&until=", &session);
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("audience_exported") && page.contains(&format!("person:{owner}")), "{page}");
    let r = send_at(
        &app,
        &with_cookie(HttpRequest::new("GET", "/admin/sites/demo/audit/csv?kind=audit_read"), &session),
        at(TimeDelta::zero()),
    );
    assert_eq!(r.header("content-type"), Some("text/csv; charset=utf-8"));
    let (_, csv) = text(r);
    assert!(csv.starts_with("seq,at,actor,actor_type,kind,ip,detail,prev_hash,hash"), "{csv}");
    assert!(csv.contains("audit_read"), "{csv}");
    let (status, page) = get(&app, "/admin/sites/demo/audit?since=yesterday", &session);
    assert_eq!(status, 422);
    assert!(page.contains("role=\"alert\"") && page.contains("is not a date"), "{page}");
}

/// The verify button runs the API's check, says the result in words and records it.
#[test]
fn the_ledger_is_verified_from_the_page() {
    let app = app();
    assert_eq!(send(&app, &consent("ada@example.org")).status, 201);
    let owner = add_person(&app, "dpo@example.org", "dpo");
    let session = sign_in(&app, "dpo@example.org", at(TimeDelta::zero()));
    let (status, page) = text(post(&app, "/admin/sites/demo/ledger", &session, &[]));
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("The ledger is intact"), "{page}");
    assert!(page.contains("<dt>Events checked</dt><dd>1</dd>"), "{page}");
    let trail = pollster::block_on(app.store.audit_page("demo", &AuditFilter::default(), 5)).unwrap();
    assert_eq!(trail[0].record.kind, "ledger_verified");
    assert_eq!(trail[0].record.actor, format!("person:{owner}"));
}

/// An editor sees Statistics, not Audience, Ledger or Audit; getting or posting there is refused.
#[test]
fn an_editor_sees_statistics_only_of_the_data_pages() {
    let app = app();
    add_person(&app, "owner@example.org", "owner");
    add_person(&app, "editor@example.org", "editor");
    let owner = sign_in(&app, "owner@example.org", at(TimeDelta::zero()));
    sign_in(&app, "editor@example.org", at(TimeDelta::zero()));
    let editor = another_session(&app, "editor@example.org", at(TimeDelta::zero()));
    let (status, page) = get(&app, "/admin/sites/demo/statistics", &editor);
    assert_eq!(status, 200, "{page}");
    for hidden in ["/audience", "/ledger", "/audit"] {
        assert!(
            !page.contains(&format!("/admin/sites/demo{hidden}?")),
            "{hidden} linked for an editor: {page}"
        );
    }
    // The owner's anti-forgery value, or none: refused either way.
    let (_, owners_page) = get(&app, "/admin/sites/demo/audience", &owner);
    let csrf = csrf_of(&owners_page);
    for path in ["/admin/sites/demo/audience", "/admin/sites/demo/ledger", "/admin/sites/demo/audit"] {
        assert_eq!(get(&app, path, &editor).0, 403, "GET {path}");
        let req =
            with_cookie(form_post(path, &[("csrf", &csrf), ("list", "news:email"), ("do", "csv")]), &editor);
        assert_eq!(send_at(&app, &req, at(TimeDelta::zero())).status, 403, "POST {path}");
    }
    assert_eq!(get(&app, "/admin/sites/demo/audit/csv", &editor).0, 403);
    let trail = pollster::block_on(app.store.audit_page("demo", &AuditFilter::default(), 50)).unwrap();
    assert!(trail.iter().all(|e| !e.record.kind.starts_with("audience_")), "nothing exported");
}
