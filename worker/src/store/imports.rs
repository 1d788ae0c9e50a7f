//! Storage for imports of legacy consents: the dry run's look-ups over many subjects at once
//! (one query per slice, not one per row), and the job whose accepted rows are recorded chunk by
//! chunk. Part of the `Store` contract (`Store: ImportStore`); SQL in `sql.rs`.

use super::{sql, Executor, SqlStore, Statement, StoreError};

/// An import waiting to be (or being) recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportJob {
    pub id: String,
    pub site_id: String,
    pub created_by: String,
    pub created_at: String,
    pub total_rows: u32,
    pub accepted_rows: u32,
    pub chunks: u32,
    pub next_chunk: u32,
    pub recorded_rows: u32,
    pub refused_rows: u32,
    /// When the person confirmed it (only a confirmed job is recorded).
    pub confirmed_at: Option<String>,
}

impl ImportJob {
    pub fn done(&self) -> bool {
        self.next_chunk >= self.chunks
    }
}

/// The latest decision of a subject on one purpose × channel, and when it was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LatestDecision {
    pub subject: String,
    pub purpose: String,
    pub channel: String,
    pub decided_at: String,
}

#[allow(async_fn_in_trait)]
pub trait ImportStore {
    /// The suppressed subjects among `subjects`, with their reason (`erasure` for the erased).
    async fn suppressions_among(
        &self,
        site: &str,
        subjects: &[String],
    ) -> Result<Vec<(String, String)>, StoreError>;
    /// The latest decision per purpose × channel of each of `subjects` (pending requests aside).
    async fn latest_decisions_among(
        &self,
        site: &str,
        subjects: &[String],
    ) -> Result<Vec<LatestDecision>, StoreError>;
    /// Stores a job with its chunks (JSON arrays of rows) — atomically.
    async fn create_import(&self, job: &ImportJob, chunks: &[String]) -> Result<(), StoreError>;
    async fn import_job(&self, site: &str, id: &str) -> Result<Option<ImportJob>, StoreError>;
    /// The person confirmed the dry run: from now on the job's chunks may be recorded.
    async fn confirm_import(&self, site: &str, id: &str, now: &str) -> Result<(), StoreError>;
    /// A chunk's rows; `None` once recorded (its addresses are deleted).
    async fn import_chunk(&self, job: &str, chunk: u32) -> Result<Option<String>, StoreError>;
    /// Marks `chunk` recorded with its counts and deletes its rows. A repeat for a chunk already
    /// passed changes no count.
    async fn advance_import(
        &self,
        site: &str,
        job: &str,
        chunk: u32,
        recorded: u32,
        refused: u32,
        now: &str,
    ) -> Result<(), StoreError>;
    /// Deletes up to `limit` stored chunks of jobs created before `before` (their rows hold
    /// addresses); the jobs' counts stay.
    async fn purge_import_chunks(&self, before: &str, limit: u32) -> Result<(), StoreError>;
}

impl<E: Executor> ImportStore for SqlStore<E> {
    async fn suppressions_among(
        &self,
        site: &str,
        subjects: &[String],
    ) -> Result<Vec<(String, String)>, StoreError> {
        let list = serde_json::to_string(subjects).expect("strings serialise");
        self.rows(sql::SUPPRESSIONS_AMONG, vec![site.into(), list.into()], |r| {
            Ok((r.text("subject")?, r.text("reason")?))
        })
        .await
    }

    async fn latest_decisions_among(
        &self,
        site: &str,
        subjects: &[String],
    ) -> Result<Vec<LatestDecision>, StoreError> {
        let list = serde_json::to_string(subjects).expect("strings serialise");
        self.rows(sql::LATEST_DECISIONS_AMONG, vec![site.into(), list.into()], |r| {
            Ok(LatestDecision {
                subject: r.text("subject")?,
                purpose: r.text("purpose")?,
                channel: r.text("channel")?,
                decided_at: r.text("decided_at")?,
            })
        })
        .await
    }

    async fn create_import(&self, job: &ImportJob, chunks: &[String]) -> Result<(), StoreError> {
        let mut statements = vec![Statement::new(
            sql::INSERT_IMPORT_JOB,
            vec![
                (&job.id).into(),
                (&job.site_id).into(),
                (&job.created_by).into(),
                (&job.created_at).into(),
                job.total_rows.into(),
                job.accepted_rows.into(),
                job.chunks.into(),
            ],
        )];
        for (i, rows) in chunks.iter().enumerate() {
            statements.push(Statement::new(
                sql::INSERT_IMPORT_CHUNK,
                vec![(&job.id).into(), (i as u32).into(), rows.into()],
            ));
        }
        self.exec.batch(statements).await
    }

    async fn import_job(&self, site: &str, id: &str) -> Result<Option<ImportJob>, StoreError> {
        let mut jobs = self
            .rows(sql::IMPORT_JOB, vec![site.into(), id.into()], |r| {
                Ok(ImportJob {
                    id: r.text("id")?,
                    site_id: r.text("site_id")?,
                    created_by: r.text("created_by")?,
                    created_at: r.text("created_at")?,
                    total_rows: r.u32("total_rows")?,
                    accepted_rows: r.u32("accepted_rows")?,
                    chunks: r.u32("chunks")?,
                    next_chunk: r.u32("next_chunk")?,
                    recorded_rows: r.u32("recorded_rows")?,
                    refused_rows: r.u32("refused_rows")?,
                    confirmed_at: r.opt_text("confirmed_at")?,
                })
            })
            .await?;
        Ok(jobs.pop())
    }

    async fn confirm_import(&self, site: &str, id: &str, now: &str) -> Result<(), StoreError> {
        self.exec
            .batch(vec![Statement::new(sql::CONFIRM_IMPORT, vec![site.into(), id.into(), now.into()])])
            .await
    }

    async fn import_chunk(&self, job: &str, chunk: u32) -> Result<Option<String>, StoreError> {
        let mut rows =
            self.rows(sql::IMPORT_CHUNK, vec![job.into(), chunk.into()], |r| r.text("rows")).await?;
        Ok(rows.pop())
    }

    async fn advance_import(
        &self,
        site: &str,
        job: &str,
        chunk: u32,
        recorded: u32,
        refused: u32,
        now: &str,
    ) -> Result<(), StoreError> {
        self.exec
            .batch(vec![
                Statement::new(
                    sql::ADVANCE_IMPORT,
                    vec![site.into(), job.into(), chunk.into(), recorded.into(), refused.into(), now.into()],
                ),
                Statement::new(sql::DELETE_IMPORT_CHUNK, vec![job.into(), chunk.into()]),
            ])
            .await
    }

    async fn purge_import_chunks(&self, before: &str, limit: u32) -> Result<(), StoreError> {
        self.exec
            .batch(vec![Statement::new(sql::PURGE_IMPORT_CHUNKS, vec![before.into(), limit.into()])])
            .await
    }
}
