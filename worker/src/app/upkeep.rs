//! What the cron trigger clears away: idempotency answers after 24 hours (they hold an HMAC of
//! a request that named a person), mail log rows once no budget window needs them, and console
//! sessions and sign-in links a week after they stopped working. Each
//! purge runs in bounded batches, so one run never holds the database for long and a backlog
//! drains over the following runs.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};
use consent_shared::time::format_utc;

use super::audit::{record_purges, summarise_subject_checks};
use super::{log_internal, App};
use crate::store::{PurgedRows, Store};

/// How long a retried request (same Idempotency-Key) gets the first answer back.
pub const IDEMPOTENCY_HOURS: i64 = 24;
/// Rows deleted per statement.
pub const PURGE_BATCH: u32 = 500;
/// Batches per table per cron run.
pub const PURGE_BATCHES_PER_RUN: u32 = 20;

/// What one cron run purged, per site.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PurgeReport {
    pub idempotency_keys: PurgedRows,
    pub mail_log: PurgedRows,
}

impl PurgeReport {
    /// Each site that lost rows: (idempotency answers, mail log rows).
    pub fn per_site(&self) -> BTreeMap<String, (u32, u32)> {
        let mut sites: BTreeMap<String, (u32, u32)> = BTreeMap::new();
        for (site, n) in &self.idempotency_keys.0 {
            sites.entry(site.clone()).or_default().0 += n;
        }
        for (site, n) in &self.mail_log.0 {
            sites.entry(site.clone()).or_default().1 += n;
        }
        sites
    }
}

/// Deletes what has expired by `now`, writes what went to each site's audit trail, and turns
/// finished days' check counts into trail entries; failures are logged (the next run tries
/// again).
pub async fn purge_expired<S: Store>(app: &App<S>, now: DateTime<Utc>) -> PurgeReport {
    let idempotency_before = format_utc(now - TimeDelta::hours(IDEMPOTENCY_HOURS));
    let report = PurgeReport {
        idempotency_keys: drain(app, Expiring::IdempotencyKeys, &idempotency_before).await,
        // The mail log is needed for the longest budget window (an hour); a day keeps it
        // readable when looking into a complaint, and no longer.
        mail_log: drain(app, Expiring::MailLog, &format_utc(now - TimeDelta::hours(24))).await,
    };
    // Sessions end 24 h after sign-in and links after 15 minutes; a week keeps them for looking
    // into an incident (the audit trail keeps the sign-ins themselves). They belong to people,
    // not to one site, so they are not in any site's trail.
    let week_ago = format_utc(now - TimeDelta::days(ACCOUNT_ROWS_KEPT_DAYS));
    drain_accounts(app, AccountRows::Sessions, &week_ago).await;
    drain_accounts(app, AccountRows::SignInLinks, &week_ago).await;
    // An import not finished within a week is abandoned: its rows (addresses) go.
    if let Err(e) = app.store.purge_import_chunks(&week_ago, PURGE_BATCH).await {
        log_internal(&format!("purging abandoned import rows failed: {e}"));
    }
    record_purges(app, &report, now).await;
    summarise_subject_checks(app, now).await;
    report
}

/// How long ended sessions and expired sign-in links are kept.
pub const ACCOUNT_ROWS_KEPT_DAYS: i64 = 7;

#[derive(Debug, Clone, Copy)]
enum Expiring {
    IdempotencyKeys,
    MailLog,
}

#[derive(Debug, Clone, Copy)]
enum AccountRows {
    Sessions,
    SignInLinks,
}

async fn drain_accounts<S: Store>(app: &App<S>, what: AccountRows, before: &str) {
    for _ in 0..PURGE_BATCHES_PER_RUN {
        let purged = match what {
            AccountRows::Sessions => app.store.purge_sessions(before, PURGE_BATCH).await,
            AccountRows::SignInLinks => app.store.purge_sign_in_links(before, PURGE_BATCH).await,
        };
        match purged {
            Ok(n) if n < PURGE_BATCH => break,
            Ok(_) => {}
            Err(e) => {
                log_internal(&format!("purging {what:?} failed: {e}"));
                break;
            }
        }
    }
}

async fn drain<S: Store>(app: &App<S>, what: Expiring, before: &str) -> PurgedRows {
    let mut all = PurgedRows::default();
    for _ in 0..PURGE_BATCHES_PER_RUN {
        let purged = match what {
            Expiring::IdempotencyKeys => app.store.purge_idempotency(before, PURGE_BATCH).await,
            Expiring::MailLog => app.store.purge_mail_log(before, PURGE_BATCH).await,
        };
        match purged {
            Ok(batch) => {
                let n = batch.total();
                for (site, count) in batch.0 {
                    *all.0.entry(site).or_default() += count;
                }
                if n < PURGE_BATCH {
                    break;
                }
            }
            Err(e) => {
                log_internal(&format!("purging {what:?} failed: {e}"));
                break;
            }
        }
    }
    all
}
