//! What the cron trigger clears away: idempotency answers after 24 hours (they hold an HMAC of
//! a request that named a person), each site's expired cookie decisions and audit entries under
//! its retention settings (`app::retention`, behind sealed checkpoints), mail log rows once no
//! budget window needs them, and console
//! sessions and sign-in links a week after they stopped working. Each
//! purge runs in bounded batches, so one run never holds the database for long and a backlog
//! drains over the following runs.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};
use consent_shared::time::format_utc;

use super::audit::{record_purges, summarise_subject_checks};
use super::retention::{purge_all, SitePurge};
use super::{log_internal, App};
use crate::store::{PurgedRows, Store};

/// How long a retried request (same Idempotency-Key) gets the first answer back (the same for
/// every site: `shared::retention::IDEMPOTENCY_HOURS`).
pub const IDEMPOTENCY_HOURS: i64 = consent_shared::retention::IDEMPOTENCY_HOURS;
/// Rows deleted per statement.
pub const PURGE_BATCH: u32 = 500;
/// Batches per table per cron run.
pub const PURGE_BATCHES_PER_RUN: u32 = 20;

/// What one cron run purged, per site.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PurgeReport {
    pub idempotency_keys: PurgedRows,
    pub mail_log: PurgedRows,
    /// Cookie decisions and audit entries past each site's retention, with its cut-offs.
    pub retention: BTreeMap<String, SitePurge>,
}

impl PurgeReport {
    /// Each site that lost rows: (idempotency answers, mail log rows, cookie decisions, audit
    /// entries, the site's cut-offs).
    pub fn per_site(&self) -> BTreeMap<String, SiteCounts> {
        let mut sites: BTreeMap<String, SiteCounts> = BTreeMap::new();
        for (site, n) in &self.idempotency_keys.0 {
            sites.entry(site.clone()).or_default().idempotency_answers += n;
        }
        for (site, n) in &self.mail_log.0 {
            sites.entry(site.clone()).or_default().mail_log_rows += n;
        }
        for (site, p) in &self.retention {
            if p.cookie_decisions > 0 || p.audit_entries > 0 {
                let counts = sites.entry(site.clone()).or_default();
                counts.cookie_decisions += p.cookie_decisions;
                counts.audit_entries += p.audit_entries;
            }
        }
        for (site, counts) in sites.iter_mut() {
            counts.cutoffs = self.retention.get(site).and_then(|p| p.cutoffs.clone());
        }
        sites
    }
}

/// What one site lost in one run.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SiteCounts {
    pub idempotency_answers: u32,
    pub mail_log_rows: u32,
    pub cookie_decisions: i64,
    pub audit_entries: i64,
    pub cutoffs: Option<consent_shared::retention::Cutoffs>,
}

/// Deletes what has expired by `now`, writes what went to each site's audit trail, and turns
/// finished days' check counts into trail entries; failures are logged (the next run tries
/// again).
pub async fn purge_expired<S: Store + 'static>(app: &App<S>, now: DateTime<Utc>) -> PurgeReport {
    let idempotency_before = format_utc(now - TimeDelta::hours(IDEMPOTENCY_HOURS));
    let report = PurgeReport {
        idempotency_keys: drain(app, Expiring::IdempotencyKeys, &idempotency_before).await,
        // The mail log is needed for the longest budget window (an hour); a day keeps it
        // readable when looking into a complaint, and no longer.
        mail_log: drain(app, Expiring::MailLog, &format_utc(now - TimeDelta::hours(24))).await,
        // Cookie decisions and audit entries: per site, after the cron sealed and anchored.
        retention: purge_all(app, now).await,
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
