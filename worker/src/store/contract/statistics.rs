//! Contract cases for issue 12's statistics: the daily counters kept by triggers beside every
//! append equal a recount of the ledger after a mix of actions, methods, days and cookie choices
//! — including appends refused (a suppressed subject, a reused idempotency key), which count
//! nothing.

use consent_shared::consent::{Action, CookieChoice, Method};

use super::lawful_basis::charity_site;
use super::{check, err, plan_for, CaseResult, NOW};
use crate::store::statistics::{DailyCookieCount, DailyEventCount};
use crate::store::{Store, StoreError};

pub(super) async fn daily_counters_equal_a_recount<S: Store>(store: &S, site: &str) -> CaseResult {
    let config = charity_site(site);
    store.put_site(&config, NOW).await.map_err(err)?;
    let appends = [
        ("ada@example.org", Action::Granted, Method::WebForm, "2026-11-02T09:00:00.000Z"),
        ("bob@example.org", Action::SoftOptIn, Method::WebForm, "2026-11-02T10:00:00.000Z"),
        ("ada@example.org", Action::Withdrawn, Method::UnsubscribeLink, "2026-11-03T23:59:59.999Z"),
        ("cy@example.org", Action::Granted, Method::PaperForm, "2026-11-03T00:00:00.000Z"),
        ("bob@example.org", Action::Objected, Method::PreferencePage, "2026-11-10T08:00:00.000Z"),
        ("dee@example.org", Action::Granted, Method::WebForm, "2026-11-10T08:00:00.000Z"),
        ("eve@example.org", Action::Granted, Method::WebForm, "2026-11-10T09:00:00.000Z"),
    ];
    for (i, (email, action, method, at)) in appends.iter().enumerate() {
        let mut plan = plan_for(&config, email, &format!("e{i}"));
        for e in &mut plan.events {
            e.action = *action;
            e.method = *method;
            e.server_time = (*at).into();
        }
        store.record_submission(&plan, None).await.map_err(err)?;
        if i == 4 {
            store.suppress(site, &plan.subject, "objection", at).await.map_err(err)?;
        }
    }
    // Refused appends count nothing: a soft opt-in of a suppressed subject…
    let mut refused = plan_for(&config, "bob@example.org", "refused");
    refused.events.iter_mut().for_each(|e| e.action = Action::SoftOptIn);
    match store.record_submission(&refused, None).await {
        Err(StoreError::Suppressed) => {}
        other => return Err(format!("a suppressed subject's soft opt-in was {other:?}")),
    }
    // …and a cookie decision retried under the same key.
    let choices = [
        (CookieChoice::AcceptAll, "2026-11-02T09:00:00.000Z", Some("k1")),
        (CookieChoice::AcceptAll, "2026-11-02T09:00:01.000Z", Some("k1")),
        (CookieChoice::RejectAll, "2026-11-02T11:00:00.000Z", None),
        (CookieChoice::Custom, "2026-11-03T11:00:00.000Z", None),
        (CookieChoice::GpcSignal, "2026-11-03T12:00:00.000Z", None),
        (CookieChoice::Object, "2026-11-10T12:00:00.000Z", None),
        (CookieChoice::AcceptAll, "2026-11-10T13:00:00.000Z", None),
    ];
    for (i, (choice, at, key)) in choices.iter().enumerate() {
        let mut record = super::evidence::cookie_fixture(site, &format!("c{i}"));
        record.choice = *choice;
        record.server_time = (*at).into();
        match store.record_cookie_consent(&record, None, *key).await {
            Ok(()) => {}
            Err(StoreError::Conflict) if i == 1 => {}
            Err(e) => return Err(format!("cookie decision {i}: {e}")),
        }
    }
    let counted = store.daily_event_counts(site).await.map_err(err)?;
    let recounted = store.recount_events(site).await.map_err(err)?;
    check(counted == recounted, &format!("counters {counted:?}\nrecount {recounted:?}"))?;
    let day = |d: &str, a: &str, m: &str, n| DailyEventCount {
        day: d.into(),
        purpose: "news".into(),
        channel: "email".into(),
        action: a.into(),
        method: m.into(),
        n,
    };
    let expected = vec![
        day("2026-11-02", "granted", "web_form", 1),
        day("2026-11-02", "soft_opt_in", "web_form", 1),
        day("2026-11-03", "granted", "paper_form", 1),
        day("2026-11-03", "withdrawn", "unsubscribe_link", 1),
        day("2026-11-10", "granted", "web_form", 2),
        day("2026-11-10", "objected", "preference_page", 1),
    ];
    check(counted == expected, &format!("counters {counted:?}"))?;
    let cookies = store.daily_cookie_counts(site).await.map_err(err)?;
    let recounted = store.recount_cookies(site).await.map_err(err)?;
    check(cookies == recounted, &format!("cookie counters {cookies:?}\nrecount {recounted:?}"))?;
    let c = |d: &str, choice: &str, n| DailyCookieCount { day: d.into(), choice: choice.into(), n };
    let expected = vec![
        c("2026-11-02", "accept_all", 1),
        c("2026-11-02", "reject_all", 1),
        c("2026-11-03", "custom", 1),
        c("2026-11-03", "gpc_signal", 1),
        c("2026-11-10", "accept_all", 1),
        c("2026-11-10", "object", 1),
    ];
    check(cookies == expected, &format!("cookie counters {cookies:?}"))?;
    let other = store.daily_event_counts(&format!("{site}-other")).await.map_err(err)?;
    check(other.is_empty(), "another site's counters are its own")
}
