//! What the cron trigger clears away: idempotency answers after 24 hours (they hold an HMAC of
//! a request that named a person) and mail log rows once no budget window needs them. Each
//! purge runs in bounded batches, so one run never holds the database for long and a backlog
//! drains over the following runs.

use chrono::{DateTime, TimeDelta, Utc};
use consent_shared::time::format_utc;

use super::{log_internal, App};
use crate::store::Store;

/// How long a retried request (same Idempotency-Key) gets the first answer back.
pub const IDEMPOTENCY_HOURS: i64 = 24;
/// Rows deleted per statement.
pub const PURGE_BATCH: u32 = 500;
/// Batches per table per cron run.
pub const PURGE_BATCHES_PER_RUN: u32 = 20;

/// Deletes what has expired by `now`; failures are logged (the next run tries again).
pub async fn purge_expired<S: Store>(app: &App<S>, now: DateTime<Utc>) {
    let idempotency_before = format_utc(now - TimeDelta::hours(IDEMPOTENCY_HOURS));
    drain(app, Expiring::IdempotencyKeys, &idempotency_before).await;
    // The mail log is needed for the longest budget window (an hour); a day keeps it readable
    // when looking into a complaint, and no longer.
    drain(app, Expiring::MailLog, &format_utc(now - TimeDelta::hours(24))).await;
}

#[derive(Debug, Clone, Copy)]
enum Expiring {
    IdempotencyKeys,
    MailLog,
}

async fn drain<S: Store>(app: &App<S>, what: Expiring, before: &str) {
    for _ in 0..PURGE_BATCHES_PER_RUN {
        let purged = match what {
            Expiring::IdempotencyKeys => app.store.purge_idempotency(before, PURGE_BATCH).await,
            Expiring::MailLog => app.store.purge_mail_log(before, PURGE_BATCH).await,
        };
        match purged {
            Ok(n) if n < PURGE_BATCH => return,
            Ok(_) => {}
            Err(e) => return log_internal(&format!("purging {what:?} failed: {e}")),
        }
    }
}
