//! Console → Import over SQLite: the dry run's row-by-row report (every refusal reason), the
//! confirm recorded a chunk per request and resumable, a later withdrawal and an erasure never
//! overridden, legacy statements kept as wording versions, a Raiser's Edge NXT file, roles.

use chrono::TimeDelta;
use expect_test::expect;

use super::accounts::{
    add_person, another_session, at, csrf_of, form_post, send_at, sign_in, text, with_cookie,
};
use super::*;
use crate::store::imports::ImportStore;
use crate::store::Executor;

type TestApp = App<SqlStore<SqliteExecutor>>;

fn dpo_session(app: &TestApp) -> String {
    add_person(app, "dpo@example.org", "dpo");
    sign_in(app, "dpo@example.org", at(TimeDelta::zero()))
}

/// Posts `csv` (with `extra` form fields) for a dry run; the status and page.
fn dry_run(app: &TestApp, session: &str, csv: &str, extra: &[(&str, &str)]) -> (u16, String) {
    let now = at(TimeDelta::zero());
    let (status, form) =
        text(send_at(app, &with_cookie(HttpRequest::new("GET", "/admin/sites/demo/import"), session), now));
    assert_eq!(status, 200, "{form}");
    let csrf = csrf_of(&form);
    let mut fields = vec![("csrf", csrf.as_str()), ("lang", "en"), ("action", "dry_run"), ("csv", csv)];
    fields.extend_from_slice(extra);
    text(send_at(app, &with_cookie(form_post("/admin/sites/demo/import", &fields), session), now))
}

/// The report table as plain lines: `line | email | purpose | channel | outcome`.
fn report_rows(page: &str) -> String {
    let body = page.split("<tbody>").nth(1).unwrap_or("").split("</tbody>").next().unwrap_or("");
    body.split("<tr>")
        .skip(1)
        .map(|row| {
            let cells: Vec<String> = row
                .split("<td>")
                .skip(1)
                .map(|c| {
                    let mut out = String::new();
                    let mut in_tag = false;
                    for ch in c.split("</td>").next().unwrap().chars() {
                        match ch {
                            '<' => in_tag = true,
                            '>' => in_tag = false,
                            _ if !in_tag => out.push(ch),
                            _ => {}
                        }
                    }
                    out.replace("&#39;", "'").replace("&quot;", "\"").replace("&amp;", "&")
                })
                .collect();
            cells.join(" | ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Confirms the dry run on `page`; the job page's path.
fn confirm(app: &TestApp, session: &str, page: &str) -> String {
    let job = page.split("name=\"job\" value=\"").nth(1).expect("a confirm form").split('"').next().unwrap();
    let fields =
        [("csrf", csrf_of(page)), ("lang", "en".into()), ("action", "confirm".into()), ("job", job.into())];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = send_at(
        app,
        &with_cookie(form_post("/admin/sites/demo/import", &fields), session),
        at(TimeDelta::zero()),
    );
    assert_eq!(r.status, 303, "{r:?}");
    r.header("location").unwrap().to_string()
}

fn get(app: &TestApp, session: &str, path: &str) -> (u16, String, Option<String>) {
    let r = send_at(app, &with_cookie(HttpRequest::new("GET", path), session), at(TimeDelta::zero()));
    let refresh = r.header("refresh").map(str::to_string);
    let (status, body) = text(r);
    (status, body, refresh)
}

fn api(app: &TestApp, req: HttpRequest) -> u16 {
    send(app, &req).status
}

fn withdraw_now(app: &TestApp, email: &str) {
    let body = format!(
        r#"{{"email":"{email}","method":"paper_form","changes":[{{"purpose":"news","channel":"email","action":"withdrawn"}}]}}"#
    );
    assert_eq!(api(app, admin("POST", "/api/v1/admin/sites/demo/consents", Some(&body))), 201);
}

const STATEMENT: &str = "I am happy to hear from the Demo Alumni Association about relevant news, events, \
    offers and opportunities for alumni by email.";

#[test]
fn the_dry_run_reports_every_row_and_every_refusal() {
    let app = app();
    let session = dpo_session(&app);
    // Earlier facts: a suppression, an erasure, a withdrawal recorded after the row's date.
    assert_eq!(
        api(
            &app,
            admin("POST", "/api/v1/admin/sites/demo/suppressions", Some(r#"{"email":"sue@example.org"}"#))
        ),
        200
    );
    withdraw_now(&app, "eve@example.org");
    assert_eq!(api(&app, subject_request("erase", r#"{"email":"eve@example.org"}"#)), 200);
    withdraw_now(&app, "walt@example.org");
    let csv = "email,name,purpose,channel,consented_at,method,evidence,statement,action\n\
        ada@example.org,Ada,news,email,2019-03-15,paper_form,Reunion sheet 4,,\n\
        bob@example.org,Bob,news,email,15/03/2019,,,Old newsletter wording from 2019,\n\
        not-an-email,X,news,email,2019-03-15,,,,\n\
        cy@example.org,Cy,golf,email,2019-03-15,,,,\n\
        di@example.org,Di,news,pigeon,2019-03-15,,,,\n\
        ADA@example.org,Ada again,news,email,2019-04-01,,,,\n\
        fay@example.org,Fay,news,email,2030-01-01,,,,\n\
        gus@example.org,Gus,news,email,last spring,,,,\n\
        hal@example.org,Hal,news,email,2019-03-15,web_form,,,\n\
        sue@example.org,Sue,news,email,2019-03-15,,,,\n\
        eve@example.org,Eve,news,email,2019-03-15,,,,\n\
        walt@example.org,Walt,news,email,2019-03-15,,,,\n\
        ivy@example.org,Ivy,news,email,2019-03-15,,,,maybe\n\
        jo@example.org,Jo,news,email,2019-03-15,,,,soft_opt_in\n\
        kim@example.org,Kim,news,email,2019-03-15,,,,withdrawn\n";
    let (status, page) = dry_run(&app, &session, csv, &[("evidence", "Reunion 2019 sheets, archive box 12")]);
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("15 rows read: 3 would be recorded, 12 refused."), "{page}");
    expect![[r#"
        2 | ada@example.org | news | email | Would be recorded: granted
        3 | bob@example.org | news | email | Would be recorded: granted (the statement in the file is kept as a wording version of its own)
        4 | not-an-email | news | email | ✗ not an email address
        5 | cy@example.org | golf | email | ✗ unknown purpose 'golf' on this channel
        6 | di@example.org | news | pigeon | ✗ unknown channel 'pigeon'
        7 | ADA@example.org | news | email | ✗ duplicate of line 2 in this file
        8 | fay@example.org | news | email | ✗ date in the future
        9 | gus@example.org | news | email | ✗ missing or unreadable date 'last spring'
        10 | hal@example.org | news | email | ✗ method 'web_form' (use admin_import or paper_form)
        11 | sue@example.org | news | email | ✗ address suppressed (do not contact)
        12 | eve@example.org | news | email | ✗ person erased
        13 | walt@example.org | news | email | ✗ a later decision is already recorded for this purpose and channel
        14 | ivy@example.org | news | email | ✗ unknown action 'maybe'
        15 | jo@example.org | news | email | ✗ purpose 'news' on 'email' does not rest on the charitable purpose soft opt-in: it needs the person's consent (a ticked box), not a notice
        16 | kim@example.org | news | email | Would be recorded: withdrawn"#]].assert_eq(&report_rows(&page));
    // Nothing is recorded by a dry run; the trail has its counts and no address.
    let trail = pollster::block_on(
        app.store.exec.query("SELECT detail FROM audit_events WHERE kind = 'import_dry_run'", vec![]),
    )
    .unwrap();
    let detail = trail[0].text("detail").unwrap();
    assert!(!detail.contains("@"), "{detail}");
    expect![[r#"{"accepted":3,"job":"id-8","layout":"plain","refused":{"bad_date":1,"bad_email":1,"bad_method":1,"duplicate":1,"erased":1,"future_date":1,"invalid":1,"later_decision":1,"suppressed":1,"unknown_action":1,"unknown_channel":1,"unknown_purpose":1},"rows":15}"#]].assert_eq(&detail);
}

#[test]
fn a_confirmed_import_is_recorded_in_batches_and_a_retry_records_nobody_twice() {
    let app = app();
    let session = dpo_session(&app);
    let mut csv = String::from("email,purpose,channel,consented_at,statement\n");
    for i in 0..520 {
        csv.push_str(&format!("person{i}@example.org,news,email,2020-06-01,\"{STATEMENT}\"\n"));
    }
    csv.push_str("legacy@example.org,news,email,2018-01-02,Tick to hear our alumni news (2018 form)\n");
    let before = all_events(&app).len();
    let (status, page) = dry_run(&app, &session, &csv, &[("method", "paper_form")]);
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("521 rows read: 521 would be recorded, 0 refused."), "{page}");
    assert_eq!(all_events(&app).len(), before, "a dry run records nothing");
    let job_path = confirm(&app, &session, &page);
    let job_id = job_path.split('/').nth(5).unwrap().split('?').next().unwrap().to_string();
    // The first GET records the first chunk and asks to be refreshed.
    let (status, page, refresh) = get(&app, &session, &job_path);
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("250 of 521 rows done"), "{page}");
    assert!(refresh.is_some_and(|r| r.starts_with("1; url=/admin/sites/demo/import/")));
    // A failure after chunk 2's rows were written but before the job moved on: the chunk is
    // still there and the job still points at it.
    let job = pollster::block_on(app.store.import_job("demo", &job_id)).unwrap().unwrap();
    let chunk = pollster::block_on(app.store.import_chunk(&job_id, 1)).unwrap().unwrap();
    let (_, _, _) = get(&app, &session, &job_path);
    let after_second = all_events(&app).len();
    pollster::block_on(app.store.exec.batch(vec![
        crate::store::Statement::new(
            "UPDATE import_jobs SET next_chunk = ?2, recorded_rows = ?3 WHERE id = ?1",
            vec![job_id.as_str().into(), job.next_chunk.into(), job.recorded_rows.into()],
        ),
        crate::store::Statement::new(
            "INSERT INTO import_chunks (job_id, chunk, rows) VALUES (?1, 1, ?2)",
            vec![job_id.as_str().into(), chunk.as_str().into()],
        ),
    ]))
    .unwrap();
    let (_, page, _) = get(&app, &session, &job_path);
    assert!(page.contains("500 of 521 rows done"), "{page}");
    assert_eq!(all_events(&app).len(), after_second, "the retried chunk recorded nobody twice");
    let (_, page, refresh) = get(&app, &session, &job_path);
    assert!(page.contains("Done: 521 rows recorded."), "{page}");
    assert!(refresh.is_none());
    // Done: another GET records nothing more.
    get(&app, &session, &job_path);
    let events = all_events(&app);
    let imported: Vec<_> = events[before..].iter().collect();
    assert_eq!(imported.len(), 521, "everyone once");
    let mut subjects: Vec<_> = imported.iter().map(|e| e.subject.clone()).collect();
    subjects.sort();
    subjects.dedup();
    assert_eq!(subjects.len(), 521, "nobody twice, nobody missed");
    let first = imported[0];
    assert_eq!((first.method, first.action.as_str()), (Method::PaperForm, "granted"));
    assert_eq!(first.client_time.as_deref(), Some("2020-06-01T00:00:00.000Z"), "the original date");
    assert_eq!(first.server_time, "2026-11-24T12:00:00.000Z", "beside the recording time");
    assert_eq!(first.wording_version, 1, "the statement matched the existing wording");
    // The legacy statement became a wording version of its own, not the current one.
    let legacy =
        imported.iter().find(|e| e.client_time.as_deref() == Some("2018-01-02T00:00:00.000Z")).unwrap();
    assert_eq!(legacy.wording_version, 2);
    assert_eq!(
        legacy.wording_sha256,
        consent_shared::digest::sha256_hex(b"Tick to hear our alumni news (2018 form)")
    );
    let site = pollster::block_on(app.store.site("demo")).unwrap().unwrap();
    assert_eq!(site.purposes[0].current_version, 1, "the forms keep today's wording");
    // The stored rows (addresses) are gone; the trail has one entry per batch.
    let left =
        pollster::block_on(app.store.exec.query("SELECT COUNT(*) AS n FROM import_chunks", vec![])).unwrap();
    assert_eq!(left[0].int("n").unwrap(), 0);
    let batches = pollster::block_on(
        app.store.exec.query("SELECT detail FROM audit_events WHERE kind = 'import_batch_recorded'", vec![]),
    )
    .unwrap();
    assert_eq!(batches.len(), 4, "three batches and the retried one");
}

#[test]
fn a_withdrawal_or_an_erasure_after_the_dry_run_is_not_overridden() {
    let app = app();
    let session = dpo_session(&app);
    let csv = "email,purpose,channel,consented_at\n\
        ann@example.org,news,email,2019-03-15\n\
        ben@example.org,news,email,2019-03-15\n\
        cal@example.org,news,email,2019-03-15\n";
    let (_, page) = dry_run(&app, &session, csv, &[]);
    assert!(page.contains("3 rows read: 3 would be recorded, 0 refused."), "{page}");
    // Between the dry run and the confirm: Ann withdraws; Ben is erased.
    withdraw_now(&app, "ann@example.org");
    assert_eq!(api(&app, subject_request("erase", r#"{"email":"ben@example.org"}"#)), 200);
    let before = all_events(&app).len();
    let job_path = confirm(&app, &session, &page);
    let (_, page, _) = get(&app, &session, &job_path);
    assert!(page.contains("Done: 1 rows recorded."), "{page}");
    assert!(page.contains("2 rows were left out"), "{page}");
    let events = all_events(&app);
    assert_eq!(events.len(), before + 1, "only Cal");
    // Ann stays withdrawn; Ben stays erased (no address stored again).
    let r = send(&app, &subject_request("access", r#"{"email":"ann@example.org"}"#));
    let (_, body) = text(r);
    assert!(body.contains("\"withdrawn\""), "{body}");
    let ben = pollster::block_on(
        app.store.exec.query("SELECT COUNT(*) AS n FROM subjects WHERE email = 'ben@example.org'", vec![]),
    )
    .unwrap();
    assert_eq!(ben[0].int("n").unwrap(), 0);
}

#[test]
fn a_raisers_edge_nxt_export_is_read_with_its_statement_and_category_mapping() {
    let app = app();
    let session = dpo_session(&app);
    let csv = "Constituent ID,Name,Email address,Channel,Category,Source,Consent date,Response,Consent statement,Privacy notice\n\
        1001,Ada Lovelace,ada@example.org,Email,Alumni newsletter,Reunion form,15/03/2019,Opt-in,Tick to hear alumni news,Privacy notice 2018\n\
        1002,Bob Brown,bob@example.org,Email,Alumni newsletter,Phone call,02/04/2019,Opt-out,,\n\
        1003,Cy Cole,cy@example.org,Email,Alumni newsletter,Website,02/04/2019,No response,,\n\
        1004,Di Dee,di@example.org,Mail,Alumni newsletter,Website,02/04/2019,Opt-in,,\n\
        1005,Ed Eve,ed@example.org,Email,Appeals,Website,02/04/2019,Opt-in,,\n";
    let (status, page) = dry_run(&app, &session, csv, &[("category_map", "Alumni newsletter = news")]);
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("Layout: Raiser&#39;s Edge NXT consent records.")
            || page.contains("Layout: Raiser's Edge NXT consent records."),
        "{page}"
    );
    expect![[r#"
        2 | ada@example.org | news | Email | Would be recorded: granted (the statement in the file is kept as a wording version of its own)
        3 | bob@example.org | news | Email | Would be recorded: withdrawn
        4 | cy@example.org | news | Email | ✗ no response (neither opt-in nor opt-out)
        5 | di@example.org | news | Mail | ✗ unknown purpose 'news' on this channel
        6 | ed@example.org | appeals | Email | ✗ unknown purpose 'appeals' on this channel"#]].assert_eq(&report_rows(&page));
    let before = all_events(&app).len();
    let job_path = confirm(&app, &session, &page);
    let (_, page, _) = get(&app, &session, &job_path);
    assert!(page.contains("Done: 2 rows recorded."), "{page}");
    let events = all_events(&app);
    let new: Vec<_> = events[before..]
        .iter()
        .map(|e| (e.action.as_str(), e.method.as_str(), e.source_url.clone(), e.wording_version))
        .collect();
    expect![[r#"
        [
            (
                "granted",
                "admin_import",
                Some(
                    "Raiser's Edge NXT consent record; source: Reunion form; privacy notice: Privacy notice 2018",
                ),
                2,
            ),
            (
                "withdrawn",
                "admin_import",
                Some(
                    "Raiser's Edge NXT consent record; source: Phone call",
                ),
                1,
            ),
        ]
    "#]].assert_debug_eq(&new);
}

#[test]
fn bad_files_and_roles_that_may_not_import() {
    let app = app();
    let session = dpo_session(&app);
    let (status, page) = dry_run(&app, &session, "", &[]);
    assert_eq!(status, 422);
    assert!(
        page.contains("role=\"alert\"") && page.contains("aria-describedby=\"csv-hint csv-error\""),
        "{page}"
    );
    let (status, page) = dry_run(&app, &session, "name,purpose\nAda,news\n", &[]);
    assert_eq!(status, 422);
    assert!(page.contains("no email column"), "{page}");
    let (status, page) = dry_run(&app, &session, "email,purpose,channel,consented_at\n", &[]);
    assert_eq!(status, 422);
    assert!(page.contains("no rows under its header"), "{page}");
    // An editor neither sees Import nor may use it.
    add_person(&app, "editor@example.org", "editor");
    let editor = another_session_for(&app, "editor@example.org");
    let (status, _, _) = get(&app, &editor, "/admin/sites/demo/import");
    assert_eq!(status, 403);
    let (_, overview, _) = get(&app, &editor, "/admin/sites/demo");
    assert!(!overview.contains("/admin/sites/demo/import"), "{overview}");
    let (_, overview, _) = get(&app, &session, "/admin/sites/demo");
    assert!(overview.contains("/admin/sites/demo/import"), "{overview}");
    // Welsh.
    let (status, page, _) = get(&app, &session, "/admin/sites/demo/import?lang=cy");
    assert_eq!(status, 200);
    assert!(page.contains("Mewnforio caniatâd"), "{page}");
    // Only the import form gets the larger body cap.
    assert_eq!(crate::app::body_cap("/admin/sites/demo/import"), crate::app::MAX_IMPORT_BODY_BYTES);
    assert_eq!(crate::app::body_cap("/admin/sites/demo/import/job-1"), crate::app::MAX_BODY_BYTES);
    assert_eq!(crate::app::body_cap("/admin/sites/demo"), crate::app::MAX_BODY_BYTES);
    // An unknown job.
    let (status, _, _) = get(&app, &session, "/admin/sites/demo/import/nope");
    assert_eq!(status, 404);
}

fn another_session_for(app: &TestApp, email: &str) -> String {
    sign_in(app, email, at(TimeDelta::zero()));
    another_session(app, email, at(TimeDelta::zero()))
}
