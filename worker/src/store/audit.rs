//! Storage for the audit trail (append-only, per site, each entry with its keyed link) and for
//! backend consent checks (where addresses stand, and the daily count of checks per actor).
//! Part of the `Store` contract (`Store: AuditStore`); SQL in `sql.rs`.

use consent_shared::audit::AuditRecord;
use consent_shared::chain::{ChainHead, ChainLink};
use consent_shared::consent::Action;
use consent_shared::site::Channel;

use super::{link_version, sql, AudienceFilter, Executor, Row, SqlStore, SqlValue, Statement, StoreError};

/// An entry as stored, with its link (`link.event_id` is the entry's `seq`, `link.event_hash`
/// the entry hash stored when it was appended).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAudit {
    pub record: AuditRecord,
    pub link: ChainLink,
}

/// Which entries a page lists (each `None`: any).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Only entries before this position (paging backwards from the newest).
    pub before: Option<i64>,
    /// `Actor::label`.
    pub actor: Option<String>,
    /// `AuditKind::as_str`.
    pub kind: Option<String>,
    /// At or after this stored time.
    pub since: Option<String>,
    /// At or before this stored time.
    pub until: Option<String>,
}

/// One (site, UTC day, actor) count of backend consent checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckCount {
    pub site: String,
    /// `YYYY-MM-DD`.
    pub day: String,
    pub actor_type: String,
    pub actor: String,
    pub checks: i64,
}

/// Where one subject id stands for a purpose on a channel (`subjects/check`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    /// The id asked about.
    pub given: String,
    /// The id it resolves to (the original one after an address correction).
    pub subject: String,
    /// The latest action in force (`consent_state`), if any.
    pub action: Option<Action>,
    /// When that action was recorded.
    pub since: Option<String>,
    /// When the subject was put on the do-not-contact list, if it is.
    pub suppressed_at: Option<String>,
    pub restricted: bool,
    /// An address is held (an erased or never-seen subject has none).
    pub has_email: bool,
}

#[allow(async_fn_in_trait)]
pub trait AuditStore {
    /// The last entry's place and hash (genesis for an empty trail).
    async fn audit_head(&self, site: &str) -> Result<ChainHead, StoreError>;
    /// Appends one entry with its link. `Conflict` when its place was taken meanwhile (another
    /// append won the race): nothing written; re-read the head and link again.
    async fn append_audit(&self, record: &AuditRecord, link: &ChainLink) -> Result<(), StoreError>;
    /// Up to `limit` entries matching `filter`, newest first.
    async fn audit_page(
        &self,
        site: &str,
        filter: &AuditFilter,
        limit: u32,
    ) -> Result<Vec<StoredAudit>, StoreError>;
    /// Up to `limit` entries after `after_seq`, in chain order.
    async fn audit_after(
        &self,
        site: &str,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<StoredAudit>, StoreError>;
    /// Adds `checks` to the count of (site, day, actor).
    async fn count_subject_checks(&self, count: &CheckCount) -> Result<(), StoreError>;
    /// Up to `limit` counts of days before `before_day`.
    async fn finished_check_counts(
        &self,
        before_day: &str,
        limit: u32,
    ) -> Result<Vec<CheckCount>, StoreError>;
    /// Turns a finished day's count into its trail entry and removes the count, atomically:
    /// the entry is written only while the count still stands as read (a second summariser
    /// writes nothing). `Conflict` when the entry's place was taken meanwhile.
    async fn summarise_check_count(
        &self,
        count: &CheckCount,
        record: &AuditRecord,
        link: &ChainLink,
    ) -> Result<(), StoreError>;
    /// How many people `Store::audience_page` lists in all for `purpose` on `channel` (what an
    /// export's trail entry records).
    /// How many people `Store::audience_page` would list for `filter`, in all.
    async fn audience_count(
        &self,
        site: &str,
        purpose: &str,
        channel: Channel,
        filter: AudienceFilter,
    ) -> Result<u64, StoreError>;
    /// Where each subject id stands for `purpose` on `channel`, in the order given.
    async fn subject_standings(
        &self,
        site: &str,
        purpose: &str,
        channel: Channel,
        subjects: &[String],
    ) -> Result<Vec<Standing>, StoreError>;
}

pub(super) fn audit_params(record: &AuditRecord, link: &ChainLink) -> Vec<SqlValue> {
    vec![
        (&record.site_id).into(),
        record.seq.into(),
        (&record.at).into(),
        (&record.actor_type).into(),
        (&record.actor).into(),
        (&record.kind).into(),
        record.ip.clone().into(),
        (&record.detail).into(),
        (&link.event_hash).into(),
        (&link.prev_hash).into(),
        (&link.hash).into(),
        i64::from(link.version).into(),
    ]
}

fn audit_from_row(r: &Row) -> Result<StoredAudit, StoreError> {
    let record = AuditRecord {
        site_id: r.text("site_id")?,
        seq: r.int("seq")?,
        at: r.text("at")?,
        actor_type: r.text("actor_type")?,
        actor: r.text("actor")?,
        kind: r.text("kind")?,
        ip: r.opt_text("ip_truncated")?,
        detail: r.text("detail")?,
    };
    let link = ChainLink {
        site_id: record.site_id.clone(),
        seq: record.seq,
        event_id: record.seq.to_string(),
        event_hash: r.text("entry_hash")?,
        prev_hash: r.text("prev_hash")?,
        hash: r.text("hash")?,
        version: link_version(r)?,
    };
    Ok(StoredAudit { record, link })
}

fn count_from_row(r: &Row) -> Result<CheckCount, StoreError> {
    Ok(CheckCount {
        site: r.text("site_id")?,
        day: r.text("day")?,
        actor_type: r.text("actor_type")?,
        actor: r.text("actor")?,
        checks: r.int("checks")?,
    })
}

impl<E: Executor> AuditStore for SqlStore<E> {
    async fn audit_head(&self, site: &str) -> Result<ChainHead, StoreError> {
        let rows = self.exec.query(sql::AUDIT_HEAD, vec![site.into()]).await?;
        match rows.first() {
            Some(r) => Ok(ChainHead { seq: r.int("seq")?, hash: r.text("hash")? }),
            None => Ok(ChainHead::genesis()),
        }
    }

    async fn append_audit(&self, record: &AuditRecord, link: &ChainLink) -> Result<(), StoreError> {
        self.exec.batch(vec![Statement::new(sql::INSERT_AUDIT, audit_params(record, link))]).await
    }

    async fn audit_page(
        &self,
        site: &str,
        filter: &AuditFilter,
        limit: u32,
    ) -> Result<Vec<StoredAudit>, StoreError> {
        let params = vec![
            site.into(),
            filter.before.into(),
            filter.actor.clone().into(),
            filter.kind.clone().into(),
            filter.since.clone().into(),
            filter.until.clone().into(),
            limit.into(),
        ];
        self.rows(sql::AUDIT_PAGE, params, audit_from_row).await
    }

    async fn audit_after(
        &self,
        site: &str,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<StoredAudit>, StoreError> {
        self.rows(sql::AUDIT_AFTER, vec![site.into(), after_seq.into(), limit.into()], audit_from_row).await
    }

    async fn count_subject_checks(&self, c: &CheckCount) -> Result<(), StoreError> {
        let params = vec![
            (&c.site).into(),
            (&c.day).into(),
            (&c.actor_type).into(),
            (&c.actor).into(),
            c.checks.into(),
        ];
        self.exec.batch(vec![Statement::new(sql::COUNT_SUBJECT_CHECKS, params)]).await
    }

    async fn finished_check_counts(
        &self,
        before_day: &str,
        limit: u32,
    ) -> Result<Vec<CheckCount>, StoreError> {
        self.rows(sql::FINISHED_CHECK_COUNTS, vec![before_day.into(), limit.into()], count_from_row).await
    }

    async fn summarise_check_count(
        &self,
        c: &CheckCount,
        record: &AuditRecord,
        link: &ChainLink,
    ) -> Result<(), StoreError> {
        let mut insert = audit_params(record, link);
        insert.push((&c.day).into());
        insert.push(c.checks.into());
        let delete = vec![(&c.site).into(), (&c.day).into(), (&c.actor).into(), c.checks.into()];
        self.exec
            .batch(vec![
                Statement::new(sql::INSERT_AUDIT_FOR_CHECKS, insert),
                Statement::new(sql::DELETE_CHECK_COUNT, delete),
            ])
            .await
    }

    async fn audience_count(
        &self,
        site: &str,
        purpose: &str,
        channel: Channel,
        filter: AudienceFilter,
    ) -> Result<u64, StoreError> {
        let mut params = vec![site.into(), purpose.into(), channel.as_str().into()];
        let listed = match filter {
            AudienceFilter::Consent => Some(["granted", "granted"]),
            AudienceFilter::SoftOptIn => Some(["soft_opt_in", "soft_opt_in"]),
            AudienceFilter::ConsentOrSoftOptIn => Some(["granted", "soft_opt_in"]),
            AudienceFilter::HeldNotObjected => None,
        };
        let query = match listed {
            Some(actions) => {
                params.extend(actions.map(SqlValue::from));
                sql::AUDIENCE_COUNT
            }
            None => sql::AUDIENCE_COUNT_HELD,
        };
        let rows = self.exec.query(query, params).await?;
        let n = rows.first().map(|r| r.int("n")).transpose()?.unwrap_or(0);
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn subject_standings(
        &self,
        site: &str,
        purpose: &str,
        channel: Channel,
        subjects: &[String],
    ) -> Result<Vec<Standing>, StoreError> {
        let ids = serde_json::to_string(subjects).expect("strings serialise");
        let params = vec![site.into(), purpose.into(), channel.as_str().into(), ids.into()];
        self.rows(sql::SUBJECT_STANDINGS, params, |r| {
            let action = match r.opt_text("action")? {
                None => None,
                Some(a) => Some(
                    serde_json::from_value(serde_json::Value::String(a.clone()))
                        .map_err(|_| StoreError::Decode(format!("action: unknown value {a:?}")))?,
                ),
            };
            Ok(Standing {
                given: r.text("given")?,
                subject: r.text("subject")?,
                action,
                since: r.opt_text("updated_at")?,
                suppressed_at: r.opt_text("suppressed_at")?,
                restricted: r.int("restricted")? != 0,
                has_email: r.int("has_email")? != 0,
            })
        })
        .await
    }
}
