//! What the cron trigger clears away: idempotency answers after 24 hours (they hold an HMAC of
//! a request that named a person), mail log rows once no budget window needs them, and console
//! sessions and sign-in links a week after they stopped working. Each
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
    // Sessions end 24 h after sign-in and links after 15 minutes; a week keeps them for looking
    // into an incident (the audit trail keeps the sign-ins themselves).
    let week_ago = format_utc(now - TimeDelta::days(ACCOUNT_ROWS_KEPT_DAYS));
    drain(app, Expiring::Sessions, &week_ago).await;
    drain(app, Expiring::SignInLinks, &week_ago).await;
}

/// How long ended sessions and expired sign-in links are kept.
pub const ACCOUNT_ROWS_KEPT_DAYS: i64 = 7;

#[derive(Debug, Clone, Copy)]
enum Expiring {
    IdempotencyKeys,
    MailLog,
    Sessions,
    SignInLinks,
}

async fn drain<S: Store>(app: &App<S>, what: Expiring, before: &str) {
    for _ in 0..PURGE_BATCHES_PER_RUN {
        let purged = match what {
            Expiring::IdempotencyKeys => app.store.purge_idempotency(before, PURGE_BATCH).await,
            Expiring::MailLog => app.store.purge_mail_log(before, PURGE_BATCH).await,
            Expiring::Sessions => app.store.purge_sessions(before, PURGE_BATCH).await,
            Expiring::SignInLinks => app.store.purge_sign_in_links(before, PURGE_BATCH).await,
        };
        match purged {
            Ok(n) if n < PURGE_BATCH => return,
            Ok(_) => {}
            Err(e) => return log_internal(&format!("purging {what:?} failed: {e}")),
        }
    }
}
