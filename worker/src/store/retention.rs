//! Storage for retention: each site's settings, and the purges of the oldest cookie decisions
//! and audit entries, each sealed by a checkpoint in the same atomic batch (migration 0016: the
//! delete triggers let a row go only at or below a checkpoint). Part of the `Store` contract
//! (`Store: RetentionStore`); SQL in `sql.rs`.

use consent_shared::audit::AuditRecord;
use consent_shared::chain::ChainLink;
use consent_shared::retention::{PurgeCheckpoint, RetentionPolicy};

use super::{sql, Executor, Row, SqlStore, SqlValue, Statement, StoreError};

#[allow(async_fn_in_trait)]
pub trait RetentionStore {
    /// The site's settings, or `None` when it keeps the defaults.
    async fn retention_policy(&self, site: &str) -> Result<Option<RetentionPolicy>, StoreError>;
    /// Stores the site's settings with the audit entry that records the change, in one batch (the
    /// caller has checked the bounds; the database checks them too). `Conflict` when the entry's
    /// place in the trail was taken meanwhile: nothing written; re-read the head and link again.
    async fn set_retention_policy(
        &self,
        site: &str,
        policy: &RetentionPolicy,
        now: &str,
        record: &AuditRecord,
        link: &ChainLink,
    ) -> Result<(), StoreError>;
    /// Every checkpoint of `chain` (`cookies` or `audit`) of the site, oldest first.
    async fn purge_checkpoints(&self, site: &str, chain: &str) -> Result<Vec<PurgeCheckpoint>, StoreError>;
    /// The latest checkpoint of `chain`, where the remaining chain starts.
    async fn latest_purge_checkpoint(
        &self,
        site: &str,
        chain: &str,
    ) -> Result<Option<PurgeCheckpoint>, StoreError>;
    /// Seals `checkpoint` (chain `cookies`) and deletes the cookie decisions and links at or below
    /// it, atomically. `Conflict` when another purge sealed that place first: nothing written.
    async fn purge_cookie_decisions(&self, checkpoint: &PurgeCheckpoint) -> Result<(), StoreError>;
    /// Seals `checkpoint` (chain `audit`) and deletes the trail's entries at or below it, atomically.
    async fn purge_audit_entries(&self, checkpoint: &PurgeCheckpoint) -> Result<(), StoreError>;
}

fn checkpoint_from_row(r: &Row) -> Result<PurgeCheckpoint, StoreError> {
    Ok(PurgeCheckpoint {
        site_id: r.text("site_id")?,
        chain: r.text("chain")?,
        up_to_seq: r.int("up_to_seq")?,
        hash: r.text("hash")?,
        prev_up_to: r.int("prev_up_to")?,
        purged: r.int("purged")?,
        purged_at: r.text("purged_at")?,
        mac: r.text("mac")?,
    })
}

fn checkpoint_params(c: &PurgeCheckpoint) -> Vec<SqlValue> {
    vec![
        (&c.site_id).into(),
        (&c.chain).into(),
        c.up_to_seq.into(),
        (&c.hash).into(),
        c.prev_up_to.into(),
        c.purged.into(),
        (&c.purged_at).into(),
        (&c.mac).into(),
    ]
}

impl<E: Executor> SqlStore<E> {
    async fn purge_with_checkpoint(
        &self,
        checkpoint: &PurgeCheckpoint,
        chain: &str,
        deletes: &[&'static str],
    ) -> Result<(), StoreError> {
        if checkpoint.chain != chain {
            return Err(StoreError::Decode(format!(
                "a {} checkpoint cannot purge the {chain} chain",
                checkpoint.chain
            )));
        }
        let mut batch = vec![Statement::new(sql::INSERT_PURGE_CHECKPOINT, checkpoint_params(checkpoint))];
        for statement in deletes {
            batch.push(Statement::new(
                statement,
                vec![(&checkpoint.site_id).into(), checkpoint.up_to_seq.into()],
            ));
        }
        self.exec.batch(batch).await
    }
}

impl<E: Executor> RetentionStore for SqlStore<E> {
    async fn retention_policy(&self, site: &str) -> Result<Option<RetentionPolicy>, StoreError> {
        let rows = self.exec.query(sql::RETENTION_POLICY, vec![site.into()]).await?;
        let Some(r) = rows.first() else { return Ok(None) };
        let number = |name: &str| {
            u32::try_from(r.int(name)?).map_err(|_| StoreError::Decode(format!("{name}: out of range")))
        };
        Ok(Some(RetentionPolicy {
            cookie_decision_months: number("cookie_decision_months")?,
            audit_years: number("audit_years")?,
        }))
    }

    async fn set_retention_policy(
        &self,
        site: &str,
        policy: &RetentionPolicy,
        now: &str,
        record: &AuditRecord,
        link: &ChainLink,
    ) -> Result<(), StoreError> {
        let params = vec![
            site.into(),
            i64::from(policy.cookie_decision_months).into(),
            i64::from(policy.audit_years).into(),
            now.into(),
        ];
        self.exec
            .batch(vec![
                Statement::new(sql::INSERT_AUDIT, super::audit::audit_params(record, link)),
                Statement::new(sql::SET_RETENTION_POLICY, params),
            ])
            .await
    }

    async fn purge_checkpoints(&self, site: &str, chain: &str) -> Result<Vec<PurgeCheckpoint>, StoreError> {
        self.rows(sql::PURGE_CHECKPOINTS, vec![site.into(), chain.into()], checkpoint_from_row).await
    }

    async fn latest_purge_checkpoint(
        &self,
        site: &str,
        chain: &str,
    ) -> Result<Option<PurgeCheckpoint>, StoreError> {
        let rows = self
            .rows(sql::LATEST_PURGE_CHECKPOINT, vec![site.into(), chain.into()], checkpoint_from_row)
            .await?;
        Ok(rows.into_iter().next())
    }

    async fn purge_cookie_decisions(&self, checkpoint: &PurgeCheckpoint) -> Result<(), StoreError> {
        self.purge_with_checkpoint(
            checkpoint,
            "cookies",
            &[sql::PURGE_COOKIE_DECISIONS, sql::PURGE_COOKIE_LINKS],
        )
        .await
    }

    async fn purge_audit_entries(&self, checkpoint: &PurgeCheckpoint) -> Result<(), StoreError> {
        self.purge_with_checkpoint(checkpoint, "audit", &[sql::PURGE_AUDIT_ENTRIES]).await
    }
}
