//! Retention rules as data: how long a site keeps anonymous cookie decisions and audit entries,
//! how long idempotency answers are kept (fixed), the bounds an owner or DPO may choose within,
//! and the cut-off times a purge at `now` uses. Pure: `now` and keys are arguments.
//!
//! Also the **purge checkpoint**: before the cron deletes the oldest records of a chain (cookie
//! decisions, audit entries), it seals a checkpoint — the place and link hash of the last record
//! purged, how many went, when, and the previous checkpoint's place — under `LEDGER_KEY`.
//! Verification then starts from the latest checkpoint instead of genesis and still proves that
//! every remaining record continues the chain from it; a deletion without a checkpoint (a gap at
//! the start) or a checkpoint that does not match (its MAC, its place in the checkpoints' own
//! sequence, or the next link's `prev_hash`) is tampering.

use chrono::{DateTime, Months, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::chain::{ChainHead, ChainKind};
use crate::digest::hmac_sha256_hex;
use crate::time::format_utc;

/// Anonymous cookie decisions are kept this long by default.
pub const DEFAULT_COOKIE_DECISION_MONTHS: u32 = 24;
/// A site may choose from 1 month (enough to answer a question about a recent visit) to 5 years.
pub const COOKIE_DECISION_MONTHS: std::ops::RangeInclusive<u32> = 1..=60;
/// Audit entries are kept six years by default: the limitation period for most civil claims in
/// England and Wales (Limitation Act 1980, s. 5), within which the organisation may have to show
/// who did what with people's data.
pub const DEFAULT_AUDIT_YEARS: u32 = 6;
/// At least a year: the trail is the organisation's evidence of every act on personal data
/// (accountability, UK GDPR art. 5(2)); a complaint about an act often comes months later.
pub const AUDIT_YEARS: std::ops::RangeInclusive<u32> = 1..=20;
/// Idempotency answers are kept 24 hours, for every site (not configurable): long enough for any
/// retry of a request (the widget retries within seconds), and they hold a keyed HMAC of a
/// request that named a person, so no longer.
pub const IDEMPOTENCY_HOURS: i64 = 24;

/// One site's retention settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionPolicy {
    pub cookie_decision_months: u32,
    pub audit_years: u32,
}

impl Default for RetentionPolicy {
    fn default() -> Self {
        RetentionPolicy {
            cookie_decision_months: DEFAULT_COOKIE_DECISION_MONTHS,
            audit_years: DEFAULT_AUDIT_YEARS,
        }
    }
}

/// A setting that cannot be stored, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetentionError {
    /// Not a whole number.
    CookieMonthsNotANumber,
    CookieMonthsOutOfRange,
    AuditYearsNotANumber,
    AuditYearsOutOfRange,
}

impl RetentionPolicy {
    /// The policy the form's two values ask for, or every reason it cannot be stored.
    pub fn parse(cookie_months: &str, audit_years: &str) -> Result<RetentionPolicy, Vec<RetentionError>> {
        let mut errors = Vec::new();
        let cookie = match cookie_months.trim().parse::<u32>() {
            Ok(n) if COOKIE_DECISION_MONTHS.contains(&n) => Some(n),
            Ok(_) => {
                errors.push(RetentionError::CookieMonthsOutOfRange);
                None
            }
            Err(_) => {
                errors.push(if cookie_months.trim().starts_with('-') {
                    RetentionError::CookieMonthsOutOfRange
                } else {
                    RetentionError::CookieMonthsNotANumber
                });
                None
            }
        };
        let audit = match audit_years.trim().parse::<u32>() {
            Ok(n) if AUDIT_YEARS.contains(&n) => Some(n),
            Ok(_) => {
                errors.push(RetentionError::AuditYearsOutOfRange);
                None
            }
            Err(_) => {
                errors.push(if audit_years.trim().starts_with('-') {
                    RetentionError::AuditYearsOutOfRange
                } else {
                    RetentionError::AuditYearsNotANumber
                });
                None
            }
        };
        match (cookie, audit) {
            (Some(cookie_decision_months), Some(audit_years)) if errors.is_empty() => {
                Ok(RetentionPolicy { cookie_decision_months, audit_years })
            }
            _ => Err(errors),
        }
    }

    /// Whether a stored policy is within the bounds (the database checks the same).
    pub fn is_valid(&self) -> bool {
        COOKIE_DECISION_MONTHS.contains(&self.cookie_decision_months)
            && AUDIT_YEARS.contains(&self.audit_years)
    }
}

/// What a purge at `now` deletes: records written strictly before each time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cutoffs {
    pub cookie_decisions: String,
    pub idempotency_answers: String,
    pub audit_entries: String,
}

/// `now` minus whole calendar months; a day that the earlier month lacks becomes its last day
/// (31 March − 1 month = 28 or 29 February), so a record is never purged early.
pub fn months_before(now: DateTime<Utc>, months: u32) -> DateTime<Utc> {
    now.checked_sub_months(Months::new(months)).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// The cut-off times of `policy` at `now`, as stored times (compared as text, like every time).
pub fn cutoffs(policy: &RetentionPolicy, now: DateTime<Utc>) -> Cutoffs {
    Cutoffs {
        cookie_decisions: format_utc(months_before(now, policy.cookie_decision_months)),
        idempotency_answers: format_utc(now - TimeDelta::hours(IDEMPOTENCY_HOURS)),
        audit_entries: format_utc(months_before(now, policy.audit_years.saturating_mul(12))),
    }
}

// ---- purge checkpoints --------------------------------------------------------------------

/// The chains a purge may shorten (the ledger of consent events is never purged).
pub fn checkpoint_chain_name(kind: ChainKind) -> Option<&'static str> {
    match kind {
        ChainKind::Cookies => Some("cookies"),
        ChainKind::Audit => Some("audit"),
        ChainKind::Events => None,
    }
}

/// A sealed record of one purge of a chain's oldest records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurgeCheckpoint {
    pub site_id: String,
    /// `cookies` or `audit`.
    pub chain: String,
    /// The last place purged: every record at or below it is gone.
    pub up_to_seq: i64,
    /// The link hash at `up_to_seq`: the next remaining link's `prev_hash`.
    pub hash: String,
    /// The previous checkpoint's `up_to_seq` (0 for the first): checkpoints form a sequence.
    pub prev_up_to: i64,
    /// Records this purge removed (`up_to_seq - prev_up_to`).
    pub purged: i64,
    pub purged_at: String,
    /// `HMAC(LEDGER_KEY, "purge-checkpoint:v1\n{site}\n{chain}\n{up_to}\n{hash}\n{prev_up_to}\n{purged}\n{at}")`.
    pub mac: String,
}

impl PurgeCheckpoint {
    fn message(&self) -> String {
        format!(
            "purge-checkpoint:v1\n{}\n{}\n{}\n{}\n{}\n{}\n{}",
            self.site_id, self.chain, self.up_to_seq, self.hash, self.prev_up_to, self.purged, self.purged_at
        )
    }

    /// Seals the purge of `chain`'s records after `from` up to and including `to`.
    pub fn seal(
        key: &[u8],
        site_id: &str,
        chain: &str,
        from: &ChainHead,
        to: &ChainHead,
        purged_at: &str,
    ) -> Self {
        let mut c = PurgeCheckpoint {
            site_id: site_id.to_string(),
            chain: chain.to_string(),
            up_to_seq: to.seq,
            hash: to.hash.clone(),
            prev_up_to: from.seq,
            purged: to.seq - from.seq,
            purged_at: purged_at.to_string(),
            mac: String::new(),
        };
        c.mac = hmac_sha256_hex(key, c.message().as_bytes());
        c
    }

    /// Where verification of the remaining chain starts.
    pub fn head(&self) -> ChainHead {
        ChainHead { seq: self.up_to_seq, hash: self.hash.clone() }
    }
}

/// What the checkpoints of one chain prove, checked in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckpointsChecked {
    pub checkpoints: u64,
    pub purged: i64,
    /// The latest checkpoint, where the remaining chain starts (`None`: nothing purged).
    pub latest: Option<PurgeCheckpoint>,
    /// The first checkpoint that does not hold, and why.
    pub problem: Option<String>,
}

/// Checks a chain's checkpoints (oldest first): each sealed under `key`, for this site and
/// chain, each continuing the previous one and counting what it removed.
pub fn check_checkpoints(
    key: &[u8],
    site_id: &str,
    chain: &str,
    checkpoints: &[PurgeCheckpoint],
) -> CheckpointsChecked {
    let mut out = CheckpointsChecked::default();
    let mut prev_up_to = 0;
    for c in checkpoints {
        let problem = if c.site_id != site_id || c.chain != chain {
            Some("belongs to another site or chain")
        } else if !crate::chain::mac_matches(key, c.message().as_bytes(), &c.mac) {
            Some("its seal does not hold under LEDGER_KEY: forged or altered")
        } else if c.prev_up_to != prev_up_to {
            Some("it does not continue the previous checkpoint: a checkpoint is missing or was inserted")
        } else if c.purged != c.up_to_seq - c.prev_up_to || c.purged < 1 {
            Some("its count does not match the records it covers")
        } else {
            None
        };
        if let Some(p) = problem {
            out.problem = Some(format!("purge checkpoint up to #{}: {p}", c.up_to_seq));
            return out;
        }
        prev_up_to = c.up_to_seq;
        out.checkpoints += 1;
        out.purged += c.purged;
        out.latest = Some(c.clone());
    }
    out
}

/// The purges of a chain in words, for the verify report: what was purged and when, and whether
/// the chain from there is intact. `up_to_seq` is the latest checkpoint's place.
pub fn describe(
    up_to_seq: i64,
    purged: i64,
    checkpoints: u64,
    purged_at: &str,
    chain_intact: bool,
) -> String {
    let day = purged_at.get(..10).unwrap_or(purged_at);
    let rest = if chain_intact {
        "the chain from there is intact"
    } else {
        "the chain from there is broken (see first_broken)"
    };
    format!(
        "Records before #{} were purged under the retention policy ({purged} records in {checkpoints} purge{}, the latest on {day}); {rest}.",
        up_to_seq + 1,
        if checkpoints == 1 { "" } else { "s" },
    )
}

#[cfg(test)]
mod tests;
