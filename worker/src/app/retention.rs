//! Retention: each site's settings (`shared::retention`), the cron's purge of expired cookie
//! decisions and audit entries, and how verification starts after a purge.
//!
//! A purge never hides tampering and never leaves a chain unprovable:
//! - it re-verifies every record it is about to delete, from the previous checkpoint on, and
//!   stops (deleting nothing) at the first that does not hold — `ledger/verify` reports it;
//! - it seals a checkpoint (place and link hash of the last record purged, count, time, the
//!   previous checkpoint's place; keyed MAC) in the same atomic batch as the deletes, and the
//!   delete triggers of migration 0016 let a row go only at or below a checkpoint;
//! - it never purges a chain's newest record (the head the next record links to), nor anything
//!   at or past the latest anchor in R2, so `verify` against the latest anchor still holds;
//! - batches are bounded: `RETENTION_BATCH` records per checkpoint, `RETENTION_BATCHES_PER_RUN`
//!   per chain per site per run (a backlog drains over the following runs).
//!
//! Ledger consent events are never purged: they are the proof of consent and of withdrawal.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use consent_shared::api::v1::PurgedReport;
use consent_shared::chain::{ChainHead, ChainKind, ChainLink, ChainVerifier, SealedItem};
use consent_shared::retention::{
    check_checkpoints, checkpoint_chain_name, cutoffs, describe, Cutoffs, PurgeCheckpoint, RetentionPolicy,
};
use consent_shared::time::format_utc;

use super::{log_internal, App};
use crate::store::{Store, StoreError};

/// Records purged under one checkpoint (one D1 batch). 500 keeps each batch's deletes (two
/// statements for cookies) and the re-verification before them (an HMAC and a SHA-256 per
/// record) to a few milliseconds of Workers CPU and well inside D1's per-query limits.
pub const RETENTION_BATCH: u32 = 500;
/// Checkpoints per chain per site per cron run: at most 5,000 records of each kind per site a
/// run, so one run stays short whatever the backlog.
pub const RETENTION_BATCHES_PER_RUN: u32 = 10;

/// The site's retention settings (the defaults when it never changed them).
pub async fn policy_of<S: Store>(app: &App<S>, site: &str) -> Result<RetentionPolicy, StoreError> {
    Ok(app.store.retention_policy(site).await?.unwrap_or_default())
}

/// What the retention purge removed from one site in one run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SitePurge {
    pub cookie_decisions: i64,
    pub audit_entries: i64,
    pub cutoffs: Option<Cutoffs>,
}

/// The cron's retention purge of every site. Failures are logged; the next run tries again.
pub async fn purge_all<S: Store + 'static>(app: &App<S>, now: DateTime<Utc>) -> BTreeMap<String, SitePurge> {
    let mut purged = BTreeMap::new();
    let sites = match app.store.site_ids().await {
        Ok(sites) => sites,
        Err(e) => {
            log_internal(&format!("retention purge: cannot list sites: {e}"));
            return purged;
        }
    };
    for site in sites {
        match purge_site(app, &site, now).await {
            Ok(p) => {
                purged.insert(site, p);
            }
            Err(e) => log_internal(&format!("retention purge of {site}: {e}")),
        }
    }
    purged
}

async fn purge_site<S: Store + 'static>(
    app: &App<S>,
    site: &str,
    now: DateTime<Utc>,
) -> Result<SitePurge, String> {
    let policy = policy_of(app, site).await.map_err(|e| e.to_string())?;
    let cut = cutoffs(&policy, now);
    let at = format_utc(now);
    let (cookie_cap, audit_cap) = caps(app, site).await?;
    let cookie_decisions =
        purge_chain(app, site, ChainKind::Cookies, &cut.cookie_decisions, cookie_cap, &at).await;
    let audit_entries = purge_chain(app, site, ChainKind::Audit, &cut.audit_entries, audit_cap, &at).await;
    Ok(SitePurge { cookie_decisions, audit_entries, cutoffs: Some(cut) })
}

/// The first place of each chain (cookies, audit) a purge may not reach: the chain's head, or
/// the latest anchor's place when that is lower (nothing anchored yet: nothing is purged).
async fn caps<S: Store + 'static>(app: &App<S>, site: &str) -> Result<(i64, i64), String> {
    let mut cookie = app.store.cookie_chain_head(site).await.map_err(|e| e.to_string())?.seq;
    let mut audit = app.store.audit_head(site).await.map_err(|e| e.to_string())?.seq;
    if let Some(anchors) = app.anchors.as_deref() {
        let anchor = super::anchors::latest(anchors, site).await?;
        cookie = cookie.min(anchor.map_or(0, |a| a.cookie_seq));
        let audit_anchor = super::anchors::latest_audit(anchors, site).await?;
        audit = audit.min(audit_anchor.map_or(0, |a| a.seq));
    }
    Ok((cookie, audit))
}

/// One record as the purge sees it: its link, what the link seals, and when it was written.
struct Old {
    link: ChainLink,
    item: Option<SealedItem>,
    at: Option<String>,
}

async fn oldest<S: Store>(
    app: &App<S>,
    site: &str,
    kind: ChainKind,
    after: i64,
) -> Result<Vec<Old>, StoreError> {
    Ok(match kind {
        ChainKind::Cookies => app
            .store
            .cookie_chained_after(site, after, RETENTION_BATCH)
            .await?
            .into_iter()
            .map(|c| Old {
                at: c.record.as_ref().map(|r| r.server_time.clone()),
                item: c.record.as_ref().map(|r| SealedItem::cookie(r, c.marked)),
                link: c.link,
            })
            .collect(),
        ChainKind::Audit => app
            .store
            .audit_after(site, after, RETENTION_BATCH)
            .await?
            .into_iter()
            .map(|a| Old {
                at: Some(a.record.at.clone()),
                item: Some(SealedItem { id: a.record.seq.to_string(), hash: a.record.hash(), marked: true }),
                link: a.link,
            })
            .collect(),
        ChainKind::Events => Vec::new(),
    })
}

/// Purges `kind`'s records written before `cutoff` and placed below `cap`, batch by batch;
/// returns how many went.
async fn purge_chain<S: Store + 'static>(
    app: &App<S>,
    site: &str,
    kind: ChainKind,
    cutoff: &str,
    cap: i64,
    at: &str,
) -> i64 {
    let Some(chain) = checkpoint_chain_name(kind) else { return 0 };
    let key = &app.config.ledger_key;
    // Continue only from checkpoints that hold: a forged one would unlock the delete trigger,
    // and a genuine seal must never build on it (verify names it; the purge waits until mended).
    match app.store.purge_checkpoints(site, chain).await {
        Ok(all) => {
            if let Some(problem) = check_checkpoints(key, site, chain, &all).problem {
                log_internal(&format!("retention purge of {site} ({chain}) not run: {problem}"));
                return 0;
            }
        }
        Err(e) => {
            log_internal(&format!("retention purge of {site} ({chain}): {e}"));
            return 0;
        }
    }
    let mut purged = 0;
    for _ in 0..RETENTION_BATCHES_PER_RUN {
        let start = match app.store.latest_purge_checkpoint(site, chain).await {
            Ok(latest) => latest.map_or_else(ChainHead::genesis, |c| c.head()),
            Err(e) => {
                log_internal(&format!("retention purge of {site} ({chain}): {e}"));
                break;
            }
        };
        let rows = match oldest(app, site, kind, start.seq).await {
            Ok(rows) => rows,
            Err(e) => {
                log_internal(&format!("retention purge of {site} ({chain}): {e}"));
                break;
            }
        };
        let mut verifier = ChainVerifier::resume(key, kind, start.clone());
        let mut to: Option<ChainHead> = None;
        let mut refused = false;
        for row in &rows {
            let expired = row.at.as_deref().is_some_and(|t| t < cutoff);
            if row.link.seq >= cap || (row.item.is_some() && !expired) {
                break;
            }
            if let Err(broken) = verifier.check(&row.link, row.item.as_ref()) {
                // Never seal a checkpoint over records that do not hold: verify reports them.
                log_internal(&format!(
                    "retention purge of {site} ({chain}) stopped at #{}: {}",
                    broken.seq, broken.reason
                ));
                refused = true;
                break;
            }
            to = Some(ChainHead { seq: row.link.seq, hash: row.link.hash.clone() });
        }
        let Some(to) = to else { break };
        let checkpoint = PurgeCheckpoint::seal(key, site, chain, &start, &to, at);
        let done = match kind {
            ChainKind::Cookies => app.store.purge_cookie_decisions(&checkpoint).await,
            _ => app.store.purge_audit_entries(&checkpoint).await,
        };
        match done {
            Ok(()) => purged += checkpoint.purged,
            Err(StoreError::Conflict) => break, // another run sealed this place first
            Err(e) => {
                log_internal(&format!("retention purge of {site} ({chain}): {e}"));
                break;
            }
        }
        if refused || checkpoint.purged < i64::from(RETENTION_BATCH) {
            break;
        }
    }
    purged
}

/// Where verification of `kind`'s chain starts, with the purges in words; the bool is false
/// when a checkpoint does not hold (tampering).
pub(super) async fn verification_start<'k, S: Store>(
    app: &'k App<S>,
    site: &str,
    kind: ChainKind,
) -> Result<(ChainVerifier<'k>, Option<PurgedReport>), StoreError> {
    let key = &app.config.ledger_key;
    let Some(chain) = checkpoint_chain_name(kind) else { return Ok((ChainVerifier::new(key, kind), None)) };
    let checkpoints = app.store.purge_checkpoints(site, chain).await?;
    if checkpoints.is_empty() {
        return Ok((ChainVerifier::new(key, kind), None));
    }
    let checked = check_checkpoints(key, site, chain, &checkpoints);
    let verifier = match (&checked.problem, &checked.latest) {
        // Start from the last checkpoint that holds: what lies beyond a bad one then shows as
        // a break too.
        (_, Some(latest)) => ChainVerifier::resume(key, kind, latest.head()),
        (_, None) => ChainVerifier::new(key, kind),
    };
    let report = PurgedReport {
        checkpoints: checked.checkpoints,
        records_purged: checked.purged,
        starts_after_seq: checked.latest.as_ref().map_or(0, |c| c.up_to_seq),
        last_purged_at: checked.latest.as_ref().map(|c| c.purged_at.clone()),
        summary: None,
        problem: checked.problem.clone(),
    };
    Ok((verifier, Some(report)))
}

/// Completes the purge report once the rest of the chain is checked.
pub(super) fn finish_report(report: &mut Option<PurgedReport>, chain_intact: bool) {
    let Some(r) = report.as_mut() else { return };
    if r.checkpoints > 0 {
        let at = r.last_purged_at.clone().unwrap_or_default();
        let intact = chain_intact && r.problem.is_none();
        r.summary = Some(describe(r.starts_after_seq, r.records_purged, r.checkpoints, &at, intact));
    }
}
