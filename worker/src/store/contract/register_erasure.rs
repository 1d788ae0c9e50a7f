//! Contract case for erasure and the register: erasing a subject clears the contact details of
//! their register entries in the same atomic write (every erasure path goes through
//! `erase_subject`), keeps the entries, and leaves other people's entries alone.

use chrono::NaiveDate;
use consent_shared::register::{Arrival, Entry, RequestKind};

use super::{check, err, CaseOutcome, CaseResult, NOW};
use crate::store::register::RegisterRow;
use crate::store::{Executor, SqlStore, Store};

/// How many cases `run` runs (the native test counts them all).
pub const CASES: usize = 1;

pub async fn run<E: Executor>(store: &SqlStore<E>, prefix: &str) -> Vec<CaseOutcome> {
    run_cases!(store, prefix; erasure_clears_the_register_contact_and_keeps_the_entry,)
}

fn complaint(site: &str, reference: &str, subject: &str) -> RegisterRow {
    let received = NaiveDate::from_ymd_opt(2026, 11, 24).expect("a date");
    RegisterRow {
        site_id: site.to_string(),
        entry: Entry::new(reference.to_string(), RequestKind::Complaint, Arrival::ComplaintForm, received),
        subject: Some(subject.to_string()),
        contact_email: Some(format!("{subject}@example.org")),
        contact_name: Some("A Person".into()),
        lang: "en".into(),
        details: "You kept mailing me".into(),
        recorded_by: "anonymous".into(),
        handler: None,
        recorded_at: NOW.into(),
        updated_at: NOW.into(),
        version: 1,
    }
}

async fn erasure_clears_the_register_contact_and_keeps_the_entry<S: Store>(
    store: &S,
    site: &str,
) -> CaseResult {
    let (erased, other) = (format!("{site}-erased"), format!("{site}-other"));
    store.create_register_entry(&complaint(site, "C-0000000A", &erased), None).await.map_err(err)?;
    store.create_register_entry(&complaint(site, "C-0000000B", &other), None).await.map_err(err)?;
    store.erase_subject(site, &erased, NOW).await.map_err(err)?;
    let kept = store.register_entry(site, "C-0000000A").await.map_err(err)?;
    check(
        kept.as_ref().is_some_and(|r| {
            r.contact_email.is_none() && r.contact_name.is_none() && r.details == "You kept mailing me"
        }),
        &format!("erased subject's entry kept without contact: {kept:?}"),
    )?;
    let untouched = store.register_entry(site, "C-0000000B").await.map_err(err)?;
    check(
        untouched.is_some_and(|r| r.contact_email.as_deref() == Some(&*format!("{other}@example.org"))),
        "another person's entry keeps its contact",
    )
}
