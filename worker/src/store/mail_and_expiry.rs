//! The mail budget's one atomic decision and the bounded purges of rows that expire
//! (idempotency answers, the mail log): `SqlStore` helpers behind the `Store` methods.

use std::collections::BTreeMap;

use super::{sql, Executor, SqlStore, StoreError};

/// The rows a bounded purge removed, counted per site (the cron writes each site's count to
/// that site's audit trail).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PurgedRows(pub BTreeMap<String, u32>);

impl PurgedRows {
    pub fn total(&self) -> u32 {
        self.0.values().sum()
    }
}

/// A mail about to go out, as the budget sees it: never a plain address, only keyed HMACs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailClaim<'a> {
    pub site: &'a str,
    /// Keyed HMAC of the recipient's mailbox key (`Email::mailbox_key`).
    pub mailbox: &'a str,
    /// Keyed HMAC of the recipient's domain.
    pub domain: &'a str,
    pub kind: &'a str,
    pub now: &'a str,
    /// No mail of `kind` to this mailbox for this site after this time.
    pub kind_not_before: &'a str,
    /// The budgets count mails after this time.
    pub budget_since: &'a str,
    pub mailbox_budget: u32,
    pub domain_budget: u32,
}

impl<E: Executor> SqlStore<E> {
    pub(super) async fn claim_mail(&self, c: &MailClaim<'_>) -> Result<bool, StoreError> {
        let params = vec![
            c.site.into(),
            c.mailbox.into(),
            c.domain.into(),
            c.kind.into(),
            c.now.into(),
            c.kind_not_before.into(),
            c.budget_since.into(),
            c.mailbox_budget.into(),
            c.domain_budget.into(),
        ];
        Ok(!self.exec.query(sql::CLAIM_MAIL_SLOT, params).await?.is_empty())
    }

    /// One bounded DELETE … RETURNING site_id; the rows it removed, per site.
    pub(super) async fn purge(
        &self,
        statement: &'static str,
        before: &str,
        limit: u32,
    ) -> Result<PurgedRows, StoreError> {
        let mut purged = PurgedRows::default();
        for row in self.exec.query(statement, vec![before.into(), limit.into()]).await? {
            *purged.0.entry(row.text("site_id")?).or_default() += 1;
        }
        Ok(purged)
    }
}
