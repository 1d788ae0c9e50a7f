//! Contract cases for the data review: settings (defaults, round trip, the 27-month limit held
//! by the database too), the groups counted and paged by their cut-offs, and a completed review
//! whose bulk erasure is resumable (nobody marked twice, an interrupted batch's people found
//! erased already, the job finished once nobody is left).

use chrono::NaiveDate;
use consent_shared::consent::Action;
use consent_shared::review::{ReviewGroup, ReviewSettings};

use super::{check, err, record, sample_site, CaseOutcome, CaseResult, NOW};
use crate::store::review::{CompletedReview, ErasureStart};
use crate::store::{Executor, SqlStore, Store};

/// How many cases `run` runs (the native test counts them all).
pub const CASES: usize = 4;

/// A cut-off after everything the cases write, and one before it.
const LATER: &str = "2030-01-01T00:00:00.000Z";
const EARLIER: &str = "2020-01-01T00:00:00.000Z";

pub async fn run<E: Executor>(store: &SqlStore<E>, prefix: &str) -> Vec<CaseOutcome> {
    run_cases!(store, prefix;
        review_settings_default_round_trip_and_keep_to_27_months,
        review_groups_are_counted_and_paged_by_their_cut_offs,
        a_review_erasure_resumes_and_finishes_once,
        a_person_who_came_back_after_the_review_is_kept,
    )
}

async fn review_settings_default_round_trip_and_keep_to_27_months<S: Store>(
    store: &S,
    site: &str,
) -> CaseResult {
    check(store.site_review(site).await.map_err(err)?.is_none(), "an unknown site has no review")?;
    store.put_site(&sample_site(site), NOW).await.map_err(err)?;
    let fresh = store.site_review(site).await.map_err(err)?.ok_or("no review for a site")?;
    check(
        !fresh.stored && fresh.settings == ReviewSettings::default() && fresh.site_created == NOW,
        &format!("defaults: {fresh:?}"),
    )?;
    let set = ReviewSettings {
        cycle_months: 27,
        last_review_on: NaiveDate::from_ymd_opt(2025, 8, 31),
        erased_history_years: 3,
    };
    store.save_review_settings(site, &set, "person-1", NOW).await.map_err(err)?;
    let read = store.site_review(site).await.map_err(err)?.ok_or("settings gone")?;
    check(read.stored && read.settings == set, &format!("round trip: {read:?}"))?;
    let too_long = ReviewSettings { cycle_months: 28, ..set.clone() };
    check(
        store.save_review_settings(site, &too_long, "person-1", NOW).await.is_err(),
        "a 28-month cycle is refused by the database",
    )?;
    let read = store.site_review(site).await.map_err(err)?.ok_or("settings gone")?;
    check(read.settings == set, "nothing written by the refused save")
}

async fn review_groups_are_counted_and_paged_by_their_cut_offs<S: Store>(
    store: &S,
    site: &str,
) -> CaseResult {
    let config = sample_site(site);
    store.put_site(&config, NOW).await.map_err(err)?;
    let ada = record(store, &config, "ada@example.org", Action::Granted, "a").await?;
    let bob = record(store, &config, "bob@example.org", Action::Withdrawn, "b").await?;
    let counts = |before: &'static str| async move {
        let mut out = Vec::new();
        for g in ReviewGroup::ALL {
            out.push(store.review_group_count(site, g, before).await.map_err(err)?);
        }
        Ok::<_, String>(out)
    };
    check(counts(EARLIER).await? == [0, 0, 0, 0], "nobody before the cut-off")?;
    check(
        counts(LATER).await? == [2, 1, 0, 0],
        &format!("two held, one on consent only: {:?}", counts(LATER).await?),
    )?;
    store.set_restricted(site, &ada, true, NOW).await.map_err(err)?;
    check(counts(LATER).await?[2] == 1, "restricted since now (kept by the trigger)")?;
    store.set_restricted(site, &ada, false, NOW).await.map_err(err)?;
    check(counts(LATER).await?[2] == 0, "lifted: no longer restricted")?;
    store.erase_subject(site, &bob, NOW).await.map_err(err)?;
    check(
        counts(LATER).await? == [1, 1, 0, 1],
        &format!("bob erased, history kept: {:?}", counts(LATER).await?),
    )?;
    let erased =
        store.review_group_page(site, ReviewGroup::ErasedHistory, LATER, "", 10).await.map_err(err)?;
    check(
        erased.len() == 1 && erased[0].subject == bob && erased[0].email.is_none() && erased[0].since == NOW,
        &format!("the erased listed without an address: {erased:?}"),
    )?;
    let carl = record(store, &config, "carl@example.org", Action::Granted, "c").await?;
    let mut want = [ada, carl];
    want.sort();
    let first = store.review_group_page(site, ReviewGroup::Inactive, LATER, "", 1).await.map_err(err)?;
    let second =
        store.review_group_page(site, ReviewGroup::Inactive, LATER, &want[0], 1).await.map_err(err)?;
    let third =
        store.review_group_page(site, ReviewGroup::Inactive, LATER, &want[1], 1).await.map_err(err)?;
    check(
        first.len() == 1
            && first[0].subject == want[0]
            && second.len() == 1
            && second[0].subject == want[1]
            && third.is_empty(),
        &format!("keyset pages: {first:?} {second:?} {third:?}"),
    )?;
    check(first[0].email.is_some(), "held people are listed with their address")?;
    let other = store.review_group_count("another-site", ReviewGroup::Inactive, LATER).await.map_err(err)?;
    check(other == 0, "groups are per site")
}

/// A site holding Ada and Bob, and a completed review whose bulk erasure of the inactive group
/// (both of them) has begun: the people, the review, the job's id and the review's day.
async fn erase_two_in_review<S: Store>(
    store: &S,
    site: &str,
) -> Result<(String, String, CompletedReview, String, NaiveDate), String> {
    let config = sample_site(site);
    store.put_site(&config, NOW).await.map_err(err)?;
    let ada = record(store, &config, "ada@example.org", Action::Granted, "a").await?;
    let bob = record(store, &config, "bob@example.org", Action::Granted, "b").await?;
    let review = CompletedReview {
        id: format!("{site}-review"),
        site_id: site.to_string(),
        completed_by: "person-1".into(),
        completed_at: NOW.into(),
        params: "{}".into(),
        decisions: "[]".into(),
        next_due_on: "2028-11-24".into(),
    };
    let job = format!("{site}-job");
    let start = ErasureStart { id: job.clone(), group: ReviewGroup::Inactive, before: LATER.into() };
    let today = NaiveDate::from_ymd_opt(2026, 11, 24).ok_or("date")?;
    store.complete_review(&review, today, &[start]).await.map_err(err)?;
    Ok((ada, bob, review, job, today))
}

async fn a_review_erasure_resumes_and_finishes_once<S: Store>(store: &S, site: &str) -> CaseResult {
    let (ada, bob, review, job, today) = erase_two_in_review(store, site).await?;
    let read = store.site_review(site).await.map_err(err)?.ok_or("review gone")?;
    check(read.settings.last_review_on == Some(today), "the last review moves to today")?;
    check(store.recent_reviews(site, 5).await.map_err(err)? == vec![review], "the review round trips")?;
    check(
        store.review_erasure("another-site", &job).await.map_err(err)?.is_none(),
        "a job belongs to its site",
    )?;
    let stored = store.review_erasure(site, &job).await.map_err(err)?.ok_or("no job")?;
    check((stored.total, stored.erased, stored.done()) == (2, 0, false), &format!("started: {stored:?}"))?;
    let mut both = [ada.clone(), bob.clone()];
    both.sort();
    // A batch erases the first person and stops before marking them.
    let batch = store.review_erasure_pending(site, &job, 1).await.map_err(err)?;
    check(batch == vec![(both[0].clone(), false)], &format!("first batch: {batch:?}"))?;
    store.erase_subject(site, &both[0], NOW).await.map_err(err)?;
    // The retry finds them erased already, and the other one not.
    let retry = store.review_erasure_pending(site, &job, 10).await.map_err(err)?;
    check(retry == vec![(both[0].clone(), true), (both[1].clone(), false)], &format!("retry: {retry:?}"))?;
    store.mark_review_erased(site, &job, &both[..1], NOW).await.map_err(err)?;
    store.mark_review_erased(site, &job, &both[..1], NOW).await.map_err(err)?;
    let half = store.review_erasure(site, &job).await.map_err(err)?.ok_or("no job")?;
    check((half.erased, half.done()) == (1, false), &format!("one marked once: {half:?}"))?;
    store.erase_subject(site, &both[1], NOW).await.map_err(err)?;
    store.mark_review_erased(site, &job, &both[1..], NOW).await.map_err(err)?;
    let done = store.review_erasure(site, &job).await.map_err(err)?.ok_or("no job")?;
    check((done.erased, done.finished_at.as_deref()) == (2, Some(NOW)), &format!("finished: {done:?}"))?;
    check(store.review_erasure_pending(site, &job, 10).await.map_err(err)?.is_empty(), "nobody left")?;
    let jobs = store.recent_review_erasures(site, 5).await.map_err(err)?;
    check(jobs == vec![done], &format!("listed: {jobs:?}"))?;
    // Erased people leave the group; a second erasure of the group would hold nobody.
    check(
        store.review_group_count(site, ReviewGroup::Inactive, LATER).await.map_err(err)? == 0,
        "the erased are no longer held",
    )
}

async fn a_person_who_came_back_after_the_review_is_kept<S: Store>(store: &S, site: &str) -> CaseResult {
    let (ada, bob, _, job, _) = erase_two_in_review(store, site).await?;
    const DAY_AFTER: &str = "2026-11-25T10:00:00.000Z";
    check(
        store.drop_returned_from_review(site, &job, DAY_AFTER).await.map_err(err)? == 0,
        "nobody came back yet",
    )?;
    // Ada corrects her name the day after the review: she is no longer who it decided about.
    store.set_name(site, &ada, Some("Ada"), DAY_AFTER).await.map_err(err)?;
    check(store.drop_returned_from_review(site, &job, DAY_AFTER).await.map_err(err)? == 1, "Ada came back")?;
    let pending = store.review_erasure_pending(site, &job, 10).await.map_err(err)?;
    check(pending == vec![(bob.clone(), false)], &format!("only Bob is left: {pending:?}"))?;
    store.erase_subject(site, &bob, DAY_AFTER).await.map_err(err)?;
    store.mark_review_erased(site, &job, &[bob], DAY_AFTER).await.map_err(err)?;
    let done = store.review_erasure(site, &job).await.map_err(err)?.ok_or("no job")?;
    check((done.erased, done.done()) == (1, true), &format!("finished without Ada: {done:?}"))?;
    let held = store.subject_record(site, &ada).await.map_err(err)?.ok_or("Ada gone")?;
    check(held.email.is_some(), "Ada is kept")
}
