//! Contract cases of issue 9: erasure that holds, expiring idempotency answers, mail budgets,
//! and storage errors that mean what they say.

use consent_shared::consent::Action;
use consent_shared::email::Email;
use consent_shared::subject::subject_id;

use super::{check, err, plan_for, record, sample_site, CaseResult, NOW};
use crate::store::sql::contract_probes as probe;
use crate::store::{Executor, MailClaim, SqlStore, SqlValue, Statement, Store, StoreError, StoredResponse};

/// The subject's suppression reason, if any.
async fn reason<E: Executor>(
    store: &SqlStore<E>,
    site: &str,
    subject: &str,
) -> Result<Option<String>, String> {
    let rows =
        store.exec.query(probe::SUPPRESSION_REASON, vec![site.into(), subject.into()]).await.map_err(err)?;
    rows.first().map(|r| r.text("reason").map_err(err)).transpose()
}

async fn pending_changes<E: Executor>(
    store: &SqlStore<E>,
    site: &str,
    subject: &str,
) -> Result<usize, String> {
    let rows = store.exec.query(probe::PENDING_EMAIL_CHANGES, vec![site.into(), subject.into()]).await;
    Ok(rows.map_err(err)?.len())
}

/// Asks for `new` as the subject's address; the alias it would get.
async fn ask_for_new_address<S: Store>(
    store: &S,
    site: &str,
    subject: &str,
    new: &str,
) -> Result<String, String> {
    let new = Email::parse(new).map_err(err)?;
    let alias = subject_id(b"contract-key", site, &new);
    store.request_email_change(site, subject, &new, &alias, NOW).await.map_err(err)?;
    Ok(alias)
}

/// Runs one statement that is meant to break a rule.
async fn breaking<E: Executor>(
    store: &SqlStore<E>,
    sql: &'static str,
    params: Vec<SqlValue>,
) -> Result<(), StoreError> {
    store.exec.batch(vec![Statement::new(sql, params)]).await
}

/// Erasing someone already suppressed for another reason drops their pending address change,
/// makes the reason `erasure`, and their address stays gone.
pub(super) async fn erasure_after_another_suppression_holds<E: Executor>(
    store: &SqlStore<E>,
    site: &str,
) -> CaseResult {
    let config = sample_site(site);
    store.put_site(&config, NOW).await.map_err(err)?;
    let subject = record(store, &config, "moving@example.org", Action::Granted, "g").await?;
    ask_for_new_address(store, site, &subject, "moved@example.org").await?;
    check(pending_changes(store, site, &subject).await? == 1, "fixture: a pending change")?;
    store.suppress(site, &subject, "complaint", NOW).await.map_err(err)?;
    check(pending_changes(store, site, &subject).await? == 0, "suppression kept the pending change")?;
    store.erase_subject(site, &subject, NOW).await.map_err(err)?;
    let why = reason(store, site, &subject).await?;
    check(why.as_deref() == Some("erasure"), &format!("suppression reason after erasure: {why:?}"))?;
    check(pending_changes(store, site, &subject).await? == 0, "pending change after erasure")?;
    record(store, &config, "moving@example.org", Action::Withdrawn, "w").await?;
    let held = store.subject_record(site, &subject).await.map_err(err)?.ok_or("subject row gone")?;
    check(held.email.is_none() && held.name.is_none(), &format!("erased details came back: {held:?}"))
}

/// The `/c` link for a new address, used after the person was erased, writes nothing.
pub(super) async fn an_erased_persons_old_confirmation_writes_nothing<S: Store>(
    store: &S,
    site: &str,
) -> CaseResult {
    let config = sample_site(site);
    store.put_site(&config, NOW).await.map_err(err)?;
    let subject = record(store, &config, "old@example.org", Action::Granted, "g").await?;
    let alias = ask_for_new_address(store, site, &subject, "new@example.org").await?;
    store.erase_subject(site, &subject, NOW).await.map_err(err)?;
    let applied = store.apply_email_change(site, &subject, &alias, NOW).await.map_err(err)?;
    check(applied.is_none(), &format!("applied after erasure: {applied:?}"))?;
    let held = store.subject_record(site, &subject).await.map_err(err)?.ok_or("subject row gone")?;
    check(held.email.is_none(), &format!("address written back: {held:?}"))?;
    check(store.resolve_subject(site, &alias).await.map_err(err)? == alias, "alias written")
}

/// An address change asked for by a suppressed subject keeps nothing.
pub(super) async fn suppressed_subjects_start_no_address_change<E: Executor>(
    store: &SqlStore<E>,
    site: &str,
) -> CaseResult {
    let config = sample_site(site);
    store.put_site(&config, NOW).await.map_err(err)?;
    let subject = record(store, &config, "quiet@example.org", Action::Withdrawn, "w").await?;
    store.suppress(site, &subject, "test", NOW).await.map_err(err)?;
    let alias = ask_for_new_address(store, site, &subject, "loud@example.org").await?;
    check(pending_changes(store, site, &subject).await? == 0, "a pending change was stored")?;
    check(store.apply_email_change(site, &subject, &alias, NOW).await.map_err(err)?.is_none(), "applied")?;
    let held = store.subject_record(site, &subject).await.map_err(err)?.ok_or("subject row gone")?;
    check(held.email.as_deref() == Some("quiet@example.org"), &format!("address changed: {held:?}"))
}

/// Answers older than the cut-off go, a bounded batch at a time; newer ones stay.
pub(super) async fn idempotency_answers_expire_in_bounded_batches<S: Store>(
    store: &S,
    site: &str,
) -> CaseResult {
    let config = sample_site(site);
    store.put_site(&config, NOW).await.map_err(err)?;
    // Far older than anything else the suite writes, so a shared database does not disturb it.
    let long_ago = "2001-01-01T00:00:00.000Z";
    let answer = StoredResponse { request_mac: "mac".into(), status: 201, body: "{}".into() };
    for i in 0..3 {
        let mut plan = plan_for(&config, &format!("old{i}@example.org"), &format!("o{i}"));
        for e in &mut plan.events {
            e.server_time = long_ago.into();
        }
        store.record_submission(&plan, Some((&format!("old-{i}"), &answer))).await.map_err(err)?;
    }
    let fresh = plan_for(&config, "fresh@example.org", "f");
    store.record_submission(&fresh, Some(("fresh", &answer))).await.map_err(err)?;
    let cut_off = "2001-06-01T00:00:00.000Z";
    check(store.purge_idempotency(cut_off, 2).await.map_err(err)?.total() == 2, "first batch")?;
    check(store.purge_idempotency(cut_off, 2).await.map_err(err)?.total() == 1, "second batch")?;
    check(store.purge_idempotency(cut_off, 2).await.map_err(err)?.total() == 0, "nothing left")?;
    for i in 0..3 {
        let old = store.idempotent_response(site, &format!("old-{i}")).await.map_err(err)?;
        check(old.is_none(), "an expired answer is still kept")?;
    }
    check(store.idempotent_response(site, "fresh").await.map_err(err)?.is_some(), "fresh answer purged")
}

/// One mail of a kind per mailbox and site per interval; a mailbox budget across kinds and
/// sites; a domain budget across mailboxes. (Folding `victim+1@gmail.com` and `victim+2@…` into
/// one mailbox is `Email::mailbox_key`'s; the store counts what it is given.)
pub(super) async fn mail_budgets_fold_a_mailbox_and_count_its_domain<S: Store>(
    store: &S,
    site: &str,
) -> CaseResult {
    let domain = format!("{site}-gmail");
    let (victim, other) = (format!("{site}-victim"), format!("{site}-other"));
    let elsewhere = format!("{site}-elsewhere");
    let claim = |site: &str, mailbox: &str, kind: &str, minute: u32| {
        let now = format!("2026-11-24T10:{minute:02}:00.000Z");
        // Ten minutes before `now`.
        let kind_not_before = format!("2026-11-24T09:{:02}:00.000Z", 50 + minute);
        let (site, mailbox, kind, domain) =
            (site.to_string(), mailbox.to_string(), kind.to_string(), domain.clone());
        async move {
            let claim = MailClaim {
                site: &site,
                mailbox: &mailbox,
                domain: &domain,
                kind: &kind,
                now: &now,
                kind_not_before: &kind_not_before,
                budget_since: "2026-11-24T09:00:00.000Z",
                mailbox_budget: 3,
                domain_budget: 5,
            };
            store.claim_mail_slot(&claim).await.map_err(err)
        }
    };
    check(claim(site, &victim, "confirmation", 0).await?, "first mail refused")?;
    check(
        !claim(site, &victim, "confirmation", 1).await?,
        "same kind to the same mailbox within the interval",
    )?;
    check(claim(&elsewhere, &victim, "confirmation", 2).await?, "another site's kind slot is its own")?;
    check(claim(site, &victim, "preferences_link", 3).await?, "another kind within the budget")?;
    check(!claim(site, &victim, "address_change", 4).await?, "over the mailbox budget")?;
    check(claim(site, &other, "confirmation", 5).await?, "another mailbox at the domain")?;
    check(
        claim(site, &format!("{other}-2"), "confirmation", 6).await?,
        "the domain's fourth from this site",
    )?;
    check(claim(site, &format!("{other}-3"), "confirmation", 7).await?, "the domain's fifth from this site")?;
    check(!claim(site, &format!("{other}-4"), "confirmation", 8).await?, "over the domain budget")?;
    // The domain budget is each site's own: one site's sign-ups never use up another's.
    check(
        claim(&elsewhere, &format!("{other}-5"), "confirmation", 9).await?,
        "another site's domain budget",
    )?;
    check(
        store.purge_mail_log("2026-11-24T09:00:00.000Z", 100).await.map_err(err)?.total() == 0,
        "purged fresh rows",
    )
}

/// Only a UNIQUE or PRIMARY KEY violation is a `Conflict`; a NOT NULL or CHECK violation is a
/// bug, reported as a backend error (a sealing bug must not pass for a lost race).
pub(super) async fn only_unique_violations_are_conflicts<E: Executor>(
    store: &SqlStore<E>,
    site: &str,
) -> CaseResult {
    let config = sample_site(site);
    store.put_site(&config, NOW).await.map_err(err)?;
    let origin = config.allowed_origins[0].clone();
    match breaking(store, probe::SAME_ORIGIN_AGAIN, vec![site.into(), origin.into()]).await {
        Err(StoreError::Conflict) => {}
        other => return Err(format!("PRIMARY KEY violation: {other:?}")),
    }
    let plan = plan_for(&config, "unique@example.org", "u");
    store.record_submission(&plan, None).await.map_err(err)?;
    match breaking(store, probe::EVENT_ID_AGAIN, vec![plan.events[0].id.clone().into()]).await {
        Err(StoreError::Conflict) => {}
        other => return Err(format!("UNIQUE violation: {other:?}")),
    }
    match breaking(store, probe::SITE_WITHOUT_NAME, vec![format!("{site}-nameless").into()]).await {
        Err(StoreError::Backend(_)) => {}
        other => return Err(format!("NOT NULL violation: {other:?}")),
    }
    match breaking(store, probe::UNKNOWN_CHANNEL, vec![site.into()]).await {
        Err(StoreError::Backend(_)) => Ok(()),
        other => Err(format!("CHECK violation: {other:?}")),
    }
}

/// Foreign keys hold on every backend (D1 enforces them; SQLite is told to), and a violation is
/// a backend error, not a `Conflict`.
pub(super) async fn foreign_keys_are_enforced_and_not_conflicts<E: Executor>(
    store: &SqlStore<E>,
    site: &str,
) -> CaseResult {
    match breaking(store, probe::ORIGIN_OF_NO_SITE, vec![site.into(), "https://nowhere.example".into()]).await
    {
        Err(StoreError::Backend(_)) => {}
        other => return Err(format!("FOREIGN KEY violation: {other:?}")),
    }
    check(store.site(site).await.map_err(err)?.is_none(), "a site appeared")
}
