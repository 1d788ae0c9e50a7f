//! The do-not-contact list as the console shows and edits it: rows by subject id with their
//! reason, when, who added them and a note; adding by hand and lifting a suppression whose
//! reason allows it (`shared::suppression::Reason`).

use super::{sql, Executor, Row, SqlStore, Statement, StoreError};

/// One suppression (never an address).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuppressionRow {
    pub subject: String,
    /// As stored: one of the fixed reasons, or the free text of a row written before them.
    pub reason: String,
    pub created_at: String,
    /// The audit actor label of who added it (`None` for rows from before migration 0013).
    pub added_by: Option<String>,
    pub note: Option<String>,
}

#[allow(async_fn_in_trait)]
pub trait SuppressionStore {
    /// The site's suppressions, newest first, at most `limit`.
    async fn suppression_list(&self, site: &str, limit: u32) -> Result<Vec<SuppressionRow>, StoreError>;
    async fn suppression(&self, site: &str, subject: &str) -> Result<Option<SuppressionRow>, StoreError>;
    /// Adds a suppression unless the subject has one already (that one stays). Whether it was new.
    async fn add_suppression(
        &self,
        site: &str,
        subject: &str,
        reason: &str,
        added_by: &str,
        note: Option<&str>,
        now: &str,
    ) -> Result<bool, StoreError>;
    /// Lifts the subject's suppression if its reason is still `reason`. Whether one was lifted.
    async fn remove_suppression(&self, site: &str, subject: &str, reason: &str) -> Result<bool, StoreError>;
}

fn row(r: &Row) -> Result<SuppressionRow, StoreError> {
    Ok(SuppressionRow {
        subject: r.text("subject")?,
        reason: r.text("reason")?,
        created_at: r.text("created_at")?,
        added_by: r.opt_text("added_by")?,
        note: r.opt_text("note")?,
    })
}

impl<E: Executor> SuppressionStore for SqlStore<E> {
    async fn suppression_list(&self, site: &str, limit: u32) -> Result<Vec<SuppressionRow>, StoreError> {
        self.exec
            .query(sql::SUPPRESSION_LIST, vec![site.into(), limit.into()])
            .await?
            .iter()
            .map(row)
            .collect()
    }

    async fn suppression(&self, site: &str, subject: &str) -> Result<Option<SuppressionRow>, StoreError> {
        let rows = self.exec.query(sql::SUPPRESSION_ROW, vec![site.into(), subject.into()]).await?;
        rows.first().map(row).transpose()
    }

    async fn add_suppression(
        &self,
        site: &str,
        subject: &str,
        reason: &str,
        added_by: &str,
        note: Option<&str>,
        now: &str,
    ) -> Result<bool, StoreError> {
        if self.suppression(site, subject).await?.is_some() {
            return Ok(false);
        }
        let params =
            vec![site.into(), subject.into(), reason.into(), now.into(), added_by.into(), note.into()];
        self.exec.batch(vec![Statement::new(sql::INSERT_SUPPRESSION_BY, params)]).await?;
        Ok(self.suppression(site, subject).await?.is_some_and(|r| r.created_at == now && r.reason == reason))
    }

    async fn remove_suppression(&self, site: &str, subject: &str, reason: &str) -> Result<bool, StoreError> {
        if self.suppression(site, subject).await?.is_none_or(|r| r.reason != reason) {
            return Ok(false);
        }
        let params = vec![site.into(), subject.into(), reason.into()];
        self.exec.batch(vec![Statement::new(sql::DELETE_SUPPRESSION, params)]).await?;
        Ok(self.suppression(site, subject).await?.is_none())
    }
}
