//! Contract cases for console imports: the dry run's look-ups over many subjects at once, and a
//! job recorded chunk by chunk (only once confirmed; each chunk counted once, its rows deleted).

use consent_shared::consent::Action;

use super::{check, err, record, sample_site, CaseOutcome, CaseResult, NOW};
use crate::store::imports::ImportJob;
use crate::store::{Executor, SqlStore, Store};

/// How many cases `run` runs (the native test counts them all).
pub const CASES: usize = 2;

pub async fn run<E: Executor>(store: &SqlStore<E>, prefix: &str) -> Vec<CaseOutcome> {
    run_cases!(store, prefix;
        import_jobs_are_recorded_once_confirmed_a_chunk_at_a_time,
        suppressions_and_latest_decisions_are_looked_up_for_many_subjects,
    )
}

fn job(site: &str) -> ImportJob {
    ImportJob {
        id: format!("{site}-job"),
        site_id: site.to_string(),
        created_by: "person-1".into(),
        created_at: NOW.into(),
        total_rows: 5,
        accepted_rows: 3,
        chunks: 2,
        next_chunk: 0,
        recorded_rows: 0,
        refused_rows: 0,
        confirmed_at: None,
    }
}

async fn import_jobs_are_recorded_once_confirmed_a_chunk_at_a_time<S: Store>(
    store: &S,
    site: &str,
) -> CaseResult {
    let job = job(site);
    store.create_import(&job, &["[1,2]".to_string(), "[3]".to_string()]).await.map_err(err)?;
    let stored = store.import_job(site, &job.id).await.map_err(err)?;
    check(stored.as_ref() == Some(&job), &format!("job round trip: {stored:?}"))?;
    check(
        store.import_job("another-site", &job.id).await.map_err(err)?.is_none(),
        "a job belongs to its site",
    )?;
    // Not confirmed: nothing moves.
    store.advance_import(site, &job.id, 0, 2, 0, NOW).await.map_err(err)?;
    let stored = store.import_job(site, &job.id).await.map_err(err)?.unwrap_or_else(|| job.clone());
    check(stored.next_chunk == 0 && stored.recorded_rows == 0, "an unconfirmed job is not advanced")?;
    store.confirm_import(site, &job.id, NOW).await.map_err(err)?;
    store.advance_import(site, &job.id, 0, 1, 1, NOW).await.map_err(err)?;
    // A repeat for the same chunk counts nothing.
    store.advance_import(site, &job.id, 0, 1, 1, NOW).await.map_err(err)?;
    let stored = store.import_job(site, &job.id).await.map_err(err)?.unwrap_or_else(|| job.clone());
    check(
        (stored.next_chunk, stored.recorded_rows, stored.refused_rows, stored.confirmed_at.as_deref())
            == (1, 1, 1, Some(NOW)),
        &format!("one chunk counted once: {stored:?}"),
    )?;
    check(
        store.import_chunk(&job.id, 0).await.map_err(err)?.is_none(),
        "a recorded chunk's rows are deleted",
    )?;
    check(
        store.import_chunk(&job.id, 1).await.map_err(err)?.as_deref() == Some("[3]"),
        "the next chunk is kept",
    )?;
    // An abandoned job's rows are purged (not yet: it is not older than `before`).
    store.purge_import_chunks("2026-11-24T09:00:00.000Z", 10).await.map_err(err)?;
    check(store.import_chunk(&job.id, 1).await.map_err(err)?.is_some(), "a recent job's rows are kept")?;
    let mut abandoned = self::job(site);
    abandoned.id = format!("{site}-abandoned");
    abandoned.created_at = "2026-11-01T00:00:00.000Z".into();
    store.create_import(&abandoned, &["[9]".to_string()]).await.map_err(err)?;
    store.purge_import_chunks("2026-11-17T00:00:00.000Z", 10).await.map_err(err)?;
    check(
        store.import_chunk(&abandoned.id, 0).await.map_err(err)?.is_none(),
        "an old job's rows are purged",
    )?;
    check(store.import_chunk(&job.id, 1).await.map_err(err)?.is_some(), "only the old job's")?;
    store.advance_import(site, &job.id, 1, 1, 0, NOW).await.map_err(err)?;
    let stored = store.import_job(site, &job.id).await.map_err(err)?.unwrap_or_else(|| job.clone());
    check(stored.done() && stored.recorded_rows == 2, &format!("done: {stored:?}"))
}

async fn suppressions_and_latest_decisions_are_looked_up_for_many_subjects<S: Store>(
    store: &S,
    site: &str,
) -> CaseResult {
    let config = sample_site(site);
    store.put_site(&config, NOW).await.map_err(err)?;
    let ada = record(store, &config, "ada@example.org", Action::Granted, "a").await?;
    let bob = record(store, &config, "bob@example.org", Action::Withdrawn, "b").await?;
    store.suppress(site, "carl-subject", "erasure", NOW).await.map_err(err)?;
    let subjects = vec![ada.clone(), bob.clone(), "carl-subject".to_string(), "nobody".to_string()];
    let suppressed = store.suppressions_among(site, &subjects).await.map_err(err)?;
    check(
        suppressed == vec![("carl-subject".to_string(), "erasure".to_string())],
        &format!("suppressions among: {suppressed:?}"),
    )?;
    let mut latest = store.latest_decisions_among(site, &subjects).await.map_err(err)?;
    latest.sort_by(|a, b| a.subject.cmp(&b.subject));
    let mut want = vec![ada, bob];
    want.sort();
    let got: Vec<_> = latest
        .iter()
        .map(|d| (d.subject.clone(), d.purpose.as_str(), d.channel.as_str(), d.decided_at.as_str()))
        .collect();
    let want: Vec<_> = want.into_iter().map(|s| (s, "news", "email", NOW)).collect();
    check(got == want, &format!("latest decisions: {got:?}"))?;
    let none = store.latest_decisions_among("another-site", &subjects).await.map_err(err)?;
    check(none.is_empty(), "decisions are per site")
}
