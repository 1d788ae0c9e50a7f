//! The console's People, Suppressions and Team sections over SQLite: look-ups and acts on a
//! person's behalf (audited with the staff member as actor, never the address), suppressions by
//! fixed reason (only a bounce lifted), people, roles and keys; and who may see them at all.

use chrono::TimeDelta;

use super::accounts::{add_person, at, csrf_of, form_post, send_at, sign_in, text, with_cookie};
use super::audit::dump;
use super::*;

const ADA: &str = "ada@example.org";

/// Posts `fields` to a console section as `session` with the page's anti-forgery value.
fn console_post(
    app: &App<SqlStore<SqliteExecutor>>,
    session: &str,
    section: &str,
    fields: &[(&str, &str)],
) -> (u16, String) {
    let path = format!("/admin/sites/demo/{section}");
    let (status, page) = console_get(app, session, section);
    assert_eq!(status, 200, "{page}");
    let csrf = csrf_of(&page);
    let mut all = vec![("csrf", csrf.as_str()), ("lang", "en")];
    all.extend_from_slice(fields);
    text(send_at(app, &with_cookie(form_post(&path, &all), session), at(TimeDelta::zero())))
}

fn console_get(app: &App<SqlStore<SqliteExecutor>>, session: &str, section: &str) -> (u16, String) {
    let path = format!("/admin/sites/demo/{section}");
    text(send_at(app, &with_cookie(HttpRequest::new("GET", &path), session), at(TimeDelta::zero())))
}

/// The demo site's audit trail, oldest first: `actor kind detail` per line.
fn trail(app: &App<SqlStore<SqliteExecutor>>) -> Vec<String> {
    let (status, body) = body_of(send(app, &admin("GET", "/api/v1/admin/sites/demo/audit?limit=500", None)));
    assert_eq!(status, 200, "{body}");
    let page: serde_json::Value = serde_json::from_str(&body).unwrap();
    let mut lines: Vec<String> = page["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| format!("{} {} {}", e["actor"].as_str().unwrap(), e["kind"].as_str().unwrap(), e["detail"]))
        // Reading the trail is itself in the trail.
        .filter(|l| !l.starts_with("admin_key admin_key_used") && !l.starts_with("admin_key audit_read"))
        .collect();
    lines.reverse();
    lines
}

fn owner_with_ada() -> (App<SqlStore<SqliteExecutor>>, String, String) {
    let app = app();
    let owner_id = add_person(&app, "owner@example.org", "owner");
    let session = sign_in(&app, "owner@example.org", at(TimeDelta::zero()));
    assert_eq!(send(&app, &post(GOOD)).status, 201);
    (app, owner_id, session)
}

#[test]
fn a_look_up_shows_the_record_and_is_audited_without_the_address() {
    let (app, owner_id, session) = owner_with_ada();
    let (status, page) = console_get(&app, &session, "people");
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("name=\"email\""), "{page}");
    let (status, page) =
        console_post(&app, &session, "people", &[("op", "lookup"), ("email", "Ada@Example.org")]);
    assert_eq!(status, 200, "{page}");
    assert!(page.contains(ADA) && page.contains("News and events") || page.contains("news"), "{page}");
    assert!(page.contains("consent-subject-export/v1"), "the whole record is shown: {page}");
    let last = trail(&app).pop().unwrap();
    assert!(last.starts_with(&format!("person:{owner_id} subject_exported")), "{last}");
    assert!(!dump(&app).to_lowercase().contains(ADA), "no address in the trail");
    // Someone nobody holds: said so, and the look-up is in the trail all the same.
    let (status, page) =
        console_post(&app, &session, "people", &[("op", "lookup"), ("email", "nobody@example.org")]);
    assert_eq!(status, 200);
    assert!(page.contains("Nothing is held"), "{page}");
    assert!(trail(&app).pop().unwrap().contains("subject_looked_up"));
    // A malformed address: 422 with the message beside the field, nothing recorded.
    let before = trail(&app).len();
    let (status, page) =
        console_post(&app, &session, "people", &[("op", "lookup"), ("email", "not-an-address")]);
    assert_eq!(status, 422);
    assert!(page.contains("lookup-email-error"), "{page}");
    assert_eq!(trail(&app).len(), before, "{:?}", trail(&app));
}

#[test]
fn a_paper_form_consent_and_a_withdrawal_are_recorded_with_the_person_as_actor() {
    let (app, owner_id, session) = owner_with_ada();
    let who = &format!("person:{owner_id} consent_recorded_by_admin");
    let (status, page) = console_post(
        &app,
        &session,
        "people",
        &[("op", "withdraw"), ("email", ADA), ("list", "news|email"), ("note", "Letter of 3 March, filed")],
    );
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("The withdrawal is recorded."), "{page}");
    assert!(trail(&app).iter().rev().any(|l| l.starts_with(who)), "{:?}", trail(&app));
    assert!(audience_emails(&app).is_empty());
    // Without an evidence note or with a date in the future: nothing written, errors by the fields.
    let events = all_events(&app).len();
    let (status, page) = console_post(
        &app,
        &session,
        "people",
        &[("op", "grant"), ("email", ADA), ("list", "news|email"), ("collected", "2099-01-01"), ("note", "")],
    );
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("grant-note-error") && page.contains("grant-collected-error"), "{page}");
    assert_eq!(all_events(&app).len(), events);
    let (status, page) = console_post(
        &app,
        &session,
        "people",
        &[
            ("op", "grant"),
            ("email", ADA),
            ("list", "news|email"),
            ("collected", "2026-11-01"),
            ("note", "Form batch 12"),
        ],
    );
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("The consent is recorded."), "{page}");
    let last = all_events(&app).pop().unwrap();
    let last = serde_json::to_value(&last).unwrap();
    assert_eq!(last["method"], "paper_form", "{last}");
    assert_eq!(audience_emails(&app), ["Ada@example.org"]);
    let recorded = trail(&app).iter().filter(|l| l.starts_with(who)).count();
    assert_eq!(recorded, 2, "{:?}", trail(&app));
}

#[test]
fn erasure_needs_the_typed_confirmation() {
    let (app, owner_id, session) = owner_with_ada();
    let (status, page) =
        console_post(&app, &session, "people", &[("op", "erase"), ("email", ADA), ("confirm", "yes")]);
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("erase-confirm-error"), "{page}");
    assert_eq!(audience_emails(&app), ["Ada@example.org"], "nothing erased");
    let (status, page) =
        console_post(&app, &session, "people", &[("op", "erase"), ("email", ADA), ("confirm", "ERASE")]);
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("erased"), "{page}");
    assert!(trail(&app).pop().unwrap().starts_with(&format!("person:{owner_id} subject_erased")));
    assert!(audience_emails(&app).is_empty());
    // The history stays under the anonymous id; the address and name are gone.
    let (_, page) = console_post(&app, &session, "people", &[("op", "lookup"), ("email", ADA)]);
    assert!(page.contains("<dt>Email address</dt><dd></dd>"), "{page}");
    assert!(page.contains("<dt>On the do-not-contact list</dt><dd>Yes</dd>"), "{page}");
    // The address itself confirms too (another person, restricted first).
    assert_eq!(send(&app, &post(&GOOD.replace("Ada@Example.org", "bo@example.org"))).status, 201);
    let (status, page) =
        console_post(&app, &session, "people", &[("op", "restrict"), ("email", "bo@example.org")]);
    assert_eq!(status, 200);
    assert!(page.contains("The person is restricted."), "{page}");
    let (status, _) = console_post(
        &app,
        &session,
        "people",
        &[("op", "erase"), ("email", "bo@example.org"), ("confirm", "BO@example.org")],
    );
    assert_eq!(status, 200);
}

#[test]
fn suppressions_by_reason_and_only_a_bounce_is_lifted() {
    let (app, owner_id, session) = owner_with_ada();
    let reasons = ["objection", "fundraising_preference_service", "deceased", "bounced", "complaint"];
    for (i, reason) in reasons.iter().enumerate() {
        let addresses = format!("p{i}@example.org\n");
        let (status, page) = console_post(
            &app,
            &session,
            "suppressions",
            &[("op", "add"), ("addresses", &addresses), ("reason", reason)],
        );
        assert_eq!(status, 200, "{page}");
        assert!(page.contains("1 address(es) added"), "{page}");
    }
    // Several at once, as a pasted CSV with an email column.
    let csv = "name,email\nAda,ada@example.org\n\"Lovelace, A\",al@example.org\n";
    let (status, page) = console_post(
        &app,
        &session,
        "suppressions",
        &[("op", "add"), ("addresses", csv), ("reason", "complaint")],
    );
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("2 address(es) added"), "{page}");
    assert!(audience_emails(&app).is_empty(), "Ada is suppressed");
    // Erasure is not a reason to pick, a bad line refuses the lot.
    let (status, _) = console_post(
        &app,
        &session,
        "suppressions",
        &[("op", "add"), ("addresses", "x@example.org"), ("reason", "erasure")],
    );
    assert_eq!(status, 422);
    let (status, page) = console_post(
        &app,
        &session,
        "suppressions",
        &[("op", "add"), ("addresses", "y@example.org\nnot an address"), ("reason", "deceased")],
    );
    assert_eq!(status, 422);
    assert!(page.contains("Line 2 is not a valid email address."), "{page}");
    let (_, page) = console_get(&app, &session, "suppressions");
    assert!(!page.contains("@example.org\"") && !page.contains("p0@example.org"), "no address listed");
    for reason in reasons {
        assert!(page.contains(&format!("<td>{reason}")), "{reason}: {page}");
    }
    assert!(page.contains(&format!("person:{owner_id}")), "who added it");
    let rows = pollster::block_on(app.store.suppression_list("demo", 100)).unwrap();
    let subject_of = |reason: &str| rows.iter().find(|r| r.reason == reason).unwrap().subject.clone();
    let (status, page) = console_post(
        &app,
        &session,
        "suppressions",
        &[("op", "remove"), ("subject", &subject_of("objection")), ("note", "asked")],
    );
    assert_eq!(status, 422);
    assert!(page.contains("only a bounce can be lifted"), "{page}");
    let (status, page) = console_post(
        &app,
        &session,
        "suppressions",
        &[("op", "remove"), ("subject", &subject_of("bounced")), ("note", "mailbox works again")],
    );
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("The suppression is removed."));
    let left = pollster::block_on(app.store.suppression_list("demo", 100)).unwrap();
    assert_eq!(left.len(), rows.len() - 1);
    let kinds: Vec<String> = trail(&app)
        .iter()
        .filter(|l| l.contains("suppression_"))
        .map(|l| l.split(' ').take(2).collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(kinds.len(), 8, "{kinds:?}");
    assert!(kinds.last().unwrap().ends_with("suppression_removed"));
    assert!(!dump(&app).to_lowercase().contains("@example.org\""));
}

use crate::store::accounts::AccountStore;
use crate::store::suppressions::SuppressionStore;

#[test]
fn team_invite_change_role_last_owner_and_a_key_shown_once() {
    let (app, owner_id, session) = owner_with_ada();
    let (status, page) = console_post(
        &app,
        &session,
        "team",
        &[("op", "invite"), ("email", "ed@example.org"), ("role", "editor")],
    );
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("ed@example.org"), "{page}");
    let members = pollster::block_on(app.store.members("demo")).unwrap();
    let ed = members.iter().find(|m| m.email == "ed@example.org").unwrap().person_id.clone();
    let (status, _) =
        console_post(&app, &session, "team", &[("op", "role"), ("person_id", &ed), ("role", "dpo")]);
    assert_eq!(status, 200);
    let role = pollster::block_on(app.store.member("demo", &ed)).unwrap().unwrap().role;
    assert_eq!(role, consent_shared::access::Role::Dpo);
    // The last owner stays, and the page says so beside the row.
    let (status, page) = console_post(&app, &session, "team", &[("op", "remove"), ("person_id", &owner_id)]);
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("last owner"), "{page}");
    // A key: its secret on the answer, never again.
    let (status, page) = console_post(
        &app,
        &session,
        "team",
        &[("op", "create_key"), ("name", "CRM sync"), ("audience:read", "on"), ("expires", "2027-01-31")],
    );
    assert_eq!(status, 200, "{page}");
    let marker = "id=\"new-key-secret\">";
    let start = page.find(marker).unwrap() + marker.len();
    let secret = page[start..].split('<').next().unwrap().to_string();
    assert!(secret.starts_with("ck_"), "{secret}");
    let (_, later) = console_get(&app, &session, "team");
    assert!(!later.contains(&secret) && later.contains("CRM sync"));
    let keyed = HttpRequest::new("GET", "/api/v1/sites/demo/audience?purpose=news&channel=email&count=true")
        .with_header("authorization", &format!("Bearer {secret}"));
    let (status, answer) = text(send_at(&app, &keyed, at(TimeDelta::zero())));
    assert_eq!(status, 200, "{answer}");
    let prefix = secret.rsplit_once('_').unwrap().0.to_string();
    let (status, page) = console_post(&app, &session, "team", &[("op", "revoke_key"), ("prefix", &prefix)]);
    assert_eq!(status, 200, "{page}");
    assert_eq!(send_at(&app, &keyed, at(TimeDelta::zero())).status, 401);
    // No scope: refused beside the field, nothing created.
    let (status, page) = console_post(&app, &session, "team", &[("op", "create_key"), ("name", "none")]);
    assert_eq!(status, 422);
    assert!(page.contains("key-scopes-error"), "{page}");
    let kinds: Vec<String> =
        trail(&app).into_iter().filter(|l| l.starts_with(&format!("person:{owner_id}"))).collect();
    let kinds: Vec<&str> = kinds.iter().map(|l| l.split(' ').nth(1).unwrap()).collect();
    assert_eq!(
        kinds,
        ["sign_in_link_requested", "sign_in", "person_added", "role_changed", "key_created", "key_revoked"]
    );
}

#[test]
fn editors_and_viewers_neither_see_nor_use_these_sections() {
    let app = app();
    add_person(&app, "owner@example.org", "owner");
    add_person(&app, "ed@example.org", "editor");
    add_person(&app, "vi@example.org", "viewer");
    add_person(&app, "dp@example.org", "dpo");
    let now = at(TimeDelta::zero());
    for (email, allowed) in [
        ("ed@example.org", &[][..]),
        ("vi@example.org", &[][..]),
        ("dp@example.org", &["people", "suppressions"][..]),
    ] {
        let session = sign_in(&app, email, now);
        let (status, overview) =
            text(send_at(&app, &with_cookie(HttpRequest::new("GET", "/admin/sites/demo"), &session), now));
        assert_eq!(status, 200);
        for section in ["people", "suppressions", "team"] {
            let linked = overview.contains(&format!("/admin/sites/demo/{section}?"));
            assert_eq!(linked, allowed.contains(&section), "{email} {section}");
            let (get, page) = console_get(&app, &session, section);
            // The refusal comes before the anti-forgery check: a page's own value would not help.
            let post = with_cookie(
                form_post(
                    &format!("/admin/sites/demo/{section}"),
                    &[("csrf", &csrf_of_or_none(&page)), ("lang", "en"), ("op", "lookup"), ("email", ADA)],
                ),
                &session,
            );
            let posted = send_at(&app, &post, now).status;
            let expected = if allowed.contains(&section) { 200 } else { 403 };
            assert_eq!((get, posted == 403), (expected, expected == 403), "{email} {section}");
        }
    }
}

fn csrf_of_or_none(page: &str) -> String {
    if page.contains("name=\"csrf\"") {
        csrf_of(page)
    } else {
        String::new()
    }
}
