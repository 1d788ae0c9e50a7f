//! Contract cases for the register of rights requests and complaints: entries and notes round
//! trip, a change made against a stale version writes nothing, due dates are found by the
//! front-page counts and the daily digest, and an erasure clears the contact but keeps the entry.

use chrono::NaiveDate;
use consent_shared::audit::AuditRecord;
use consent_shared::chain::ChainLink;
use consent_shared::register::{Arrival, Entry, RequestKind};

use super::{check, err, CaseOutcome, CaseResult, KEY, NOW};
use crate::store::register::{RegisterNote, RegisterQuery, RegisterRow};
use crate::store::{Executor, SqlStore, Store, StoreError};

/// How many cases `run` runs (the native test counts them all).
pub const CASES: usize = 4;

pub async fn run<E: Executor>(store: &SqlStore<E>, prefix: &str) -> Vec<CaseOutcome> {
    run_cases!(store, prefix;
        register_entries_and_notes_round_trip,
        a_stale_register_change_writes_nothing,
        register_due_dates_are_found_and_erasure_keeps_the_entry,
        a_register_change_and_its_trail_entry_are_written_together,
    )
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("a test date")
}

fn row(site: &str, reference: &str, kind: RequestKind, received: &str) -> RegisterRow {
    RegisterRow {
        site_id: site.to_string(),
        entry: Entry::new(reference.to_string(), kind, Arrival::Letter, day(received)),
        subject: Some(format!("{site}-subject")),
        contact_email: Some("person@example.org".into()),
        contact_name: Some("A Person".into()),
        lang: "cy".into(),
        details: "Please send me my data".into(),
        recorded_by: "person:dpo-1".into(),
        handler: None,
        recorded_at: NOW.into(),
        updated_at: NOW.into(),
        version: 1,
    }
}

fn note(body: &str) -> RegisterNote {
    RegisterNote { seq: 0, at: NOW.into(), author: "person:dpo-1".into(), body: body.into() }
}

async fn register_entries_and_notes_round_trip<S: Store>(store: &S, site: &str) -> CaseResult {
    let first = row(site, "R-00000001", RequestKind::Access, "2026-11-02");
    store.create_register_entry(&first, Some(&note("Letter scanned"))).await.map_err(err)?;
    let stored = store.register_entry(site, "R-00000001").await.map_err(err)?;
    check(stored.as_ref() == Some(&first), &format!("entry round trip: {stored:?}"))?;
    check(store.register_entry("another-site", "R-00000001").await.map_err(err)?.is_none(), "per site")?;
    // A taken reference is a conflict and writes nothing (no second note either).
    let again = store.create_register_entry(&first, Some(&note("twice"))).await;
    check(matches!(again, Err(StoreError::Conflict)), &format!("taken reference: {again:?}"))?;

    let mut changed = first.clone();
    changed.entry.close("Sent the download", day("2026-11-20")).map_err(|e| e.to_string())?;
    changed.handler = Some("person:dpo-2".into());
    changed.updated_at = "2026-11-20T10:00:00.000Z".into();
    store.save_register_entry(&changed, Some(&note("Posted on the 20th"))).await.map_err(err)?;
    let stored = store.register_entry(site, "R-00000001").await.map_err(err)?.ok_or("entry gone")?;
    check(
        stored.entry == changed.entry && stored.version == 2 && stored.handler == changed.handler,
        &format!("saved: {stored:?}"),
    )?;
    let notes: Vec<_> = store
        .register_notes(site, "R-00000001")
        .await
        .map_err(err)?
        .into_iter()
        .map(|n| (n.seq, n.body))
        .collect();
    check(
        notes == [(1, "Letter scanned".to_string()), (2, "Posted on the 20th".to_string())],
        &format!("notes in order: {notes:?}"),
    )?;

    let open = row(site, "C-00000002", RequestKind::Complaint, "2026-11-25");
    store.create_register_entry(&open, None).await.map_err(err)?;
    let listed: Vec<_> = store
        .register_entries(site, RegisterQuery { limit: 10, ..RegisterQuery::default() })
        .await
        .map_err(err)?
        .into_iter()
        .map(|r| r.entry.reference)
        .collect();
    check(listed == ["C-00000002", "R-00000001"], &format!("open first: {listed:?}"))?;
    let only_open = store
        .register_entries(site, RegisterQuery { open_only: true, limit: 10, ..RegisterQuery::default() })
        .await
        .map_err(err)?;
    check(only_open.len() == 1, "open only")?;
    let access = store
        .register_entries(
            site,
            RegisterQuery { kind: Some(RequestKind::Access), limit: 10, ..RegisterQuery::default() },
        )
        .await
        .map_err(err)?;
    check(access.len() == 1 && access[0].entry.kind == RequestKind::Access, "by kind")
}

async fn a_stale_register_change_writes_nothing<S: Store>(store: &S, site: &str) -> CaseResult {
    let first = row(site, "R-00000003", RequestKind::Erasure, "2026-11-02");
    store.create_register_entry(&first, None).await.map_err(err)?;
    let mut mine = first.clone();
    mine.entry.extend("Many records on paper", day("2026-11-10")).map_err(|e| e.to_string())?;
    store.save_register_entry(&mine, Some(&note("extended"))).await.map_err(err)?;
    // Someone else read version 1 too and saves after me: refused, nothing of theirs written.
    let mut theirs = first.clone();
    theirs.entry.close("Erased", day("2026-11-11")).map_err(|e| e.to_string())?;
    let stale = store.save_register_entry(&theirs, Some(&note("closed"))).await;
    check(matches!(stale, Err(StoreError::Conflict)), &format!("stale save: {stale:?}"))?;
    let stored = store.register_entry(site, "R-00000003").await.map_err(err)?.ok_or("entry gone")?;
    check(stored.entry == mine.entry && stored.version == 2, &format!("mine kept: {stored:?}"))?;
    let notes = store.register_notes(site, "R-00000003").await.map_err(err)?;
    check(notes.len() == 1 && notes[0].body == "extended", &format!("no stale note: {notes:?}"))?;
    // The guard row is still the only one: the next change works.
    let mut next = stored.clone();
    next.entry.close("Erased", day("2026-11-12")).map_err(|e| e.to_string())?;
    store.save_register_entry(&next, None).await.map_err(err)?;
    let stored = store.register_entry(site, "R-00000003").await.map_err(err)?.ok_or("entry gone")?;
    check(stored.version == 3 && stored.entry.due_on().is_none(), &format!("closed: {stored:?}"))
}

async fn register_due_dates_are_found_and_erasure_keeps_the_entry<S: Store>(
    store: &S,
    site: &str,
) -> CaseResult {
    // Due 2026-12-02 (Wed), 2026-12-14 (Mon: from a Sunday), and a complaint acknowledged by 2026-12-31.
    let overdue = row(site, "R-00000004", RequestKind::Access, "2026-11-02");
    let soon = row(site, "R-00000005", RequestKind::Portability, "2026-11-13");
    let later = row(site, "C-00000006", RequestKind::Complaint, "2026-12-01");
    for r in [&overdue, &soon, &later] {
        store.create_register_entry(r, None).await.map_err(err)?;
    }
    let counts = store.register_due_counts(site, day("2026-12-07"), day("2026-12-14")).await.map_err(err)?;
    check((counts.overdue, counts.due_soon) == (1, 1), &format!("counts: {counts:?}"))?;
    let due: Vec<_> = store
        .register_due_everywhere(day("2026-12-14"), 1000)
        .await
        .map_err(err)?
        .into_iter()
        .filter(|r| r.site_id == site)
        .map(|r| r.entry.reference)
        .collect();
    check(due == ["R-00000004", "R-00000005"], &format!("due by the 14th: {due:?}"))?;

    store.forget_register_contact(site, &format!("{site}-subject")).await.map_err(err)?;
    let of_subject =
        store.register_entries_of_subject(site, &format!("{site}-subject")).await.map_err(err)?;
    check(
        of_subject.len() == 3
            && of_subject.iter().all(|r| r.contact_email.is_none() && r.contact_name.is_none()),
        &format!("entries kept without contact: {of_subject:?}"),
    )
}

/// The trail entry of a register act, linked after the site's current head.
async fn trail_entry<S: Store>(
    store: &S,
    site: &str,
    kind: &str,
) -> Result<(AuditRecord, ChainLink), String> {
    let head = store.audit_head(site).await.map_err(err)?;
    let record = AuditRecord {
        site_id: site.into(),
        seq: head.seq + 1,
        at: NOW.into(),
        actor_type: "person".into(),
        actor: "person:dpo-1".into(),
        kind: kind.into(),
        ip: None,
        detail: "{}".into(),
    };
    let link = record.link(KEY, &head);
    Ok((record, link))
}

async fn a_register_change_and_its_trail_entry_are_written_together<S: Store>(
    store: &S,
    site: &str,
) -> CaseResult {
    let first = row(site, "R-00000007", RequestKind::Access, "2026-11-02");
    let (record, link) = trail_entry(store, site, "register_entry_recorded").await?;
    store.create_register_entry_audited(&first, &record, &link).await.map_err(err)?;
    check(store.audit_head(site).await.map_err(err)?.seq == 1, "recorded with its trail entry")?;
    // A stale change writes neither the change nor its trail entry.
    let mut stale = first.clone();
    stale.version = 7;
    stale.entry.close("Sent", day("2026-11-20")).map_err(|e| e.to_string())?;
    let (record, link) = trail_entry(store, site, "register_entry_changed").await?;
    let refused = store.save_register_entry_audited(&stale, None, &record, &link).await;
    check(matches!(refused, Err(StoreError::Conflict)), &format!("stale: {refused:?}"))?;
    check(store.audit_head(site).await.map_err(err)?.seq == 1, "no trail entry for a refused change")?;
    // A taken trail place refuses the change as well (the caller re-reads the head and retries).
    let mut current = first.clone();
    current.entry.close("Sent", day("2026-11-20")).map_err(|e| e.to_string())?;
    let place_taken = AuditRecord { seq: 1, ..record.clone() };
    let taken = store.save_register_entry_audited(&current, None, &place_taken, &link).await;
    check(matches!(taken, Err(StoreError::Conflict)), &format!("taken place: {taken:?}"))?;
    let unchanged = store.register_entry(site, "R-00000007").await.map_err(err)?.ok_or("entry gone")?;
    check(unchanged.version == 1 && unchanged.entry.status.is_open(), "nothing of it written")?;
    store.save_register_entry_audited(&current, None, &record, &link).await.map_err(err)?;
    let saved = store.register_entry(site, "R-00000007").await.map_err(err)?.ok_or("entry gone")?;
    check(
        saved.version == 2 && store.audit_head(site).await.map_err(err)?.seq == 2,
        "saved with its trail entry",
    )
}
