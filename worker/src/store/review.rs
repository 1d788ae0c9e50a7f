//! Storage for the periodic data review: a site's settings, the groups a review lists (counted
//! and paged by indexed queries), completed reviews, and resumable bulk-erasure jobs whose
//! people are fixed when they start. Part of the `Store` contract (`Store: ReviewStore`); SQL in
//! `sql.rs`.

use chrono::NaiveDate;
use consent_shared::review::{
    ReviewGroup, ReviewSettings, DEFAULT_CYCLE_MONTHS, DEFAULT_ERASED_HISTORY_YEARS,
};

use super::{sql, Executor, Row, SqlStore, Statement, StoreError};

/// The settings a site's review runs under, and the day the site was created in Consent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteReview {
    pub settings: ReviewSettings,
    /// Stored settings exist (otherwise the defaults are shown).
    pub stored: bool,
    pub site_created: String,
}

/// One person in a review group: an id, the address and name if held, and the date the group is
/// selected by (last activity, restriction or erasure).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewMember {
    pub subject: String,
    pub email: Option<String>,
    pub name: Option<String>,
    pub since: String,
}

/// A completed review as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletedReview {
    pub id: String,
    pub site_id: String,
    pub completed_by: String,
    pub completed_at: String,
    /// JSON: the N months it was run with.
    pub params: String,
    /// JSON: a `GroupDecision` per group.
    pub decisions: String,
    pub next_due_on: String,
}

/// A bulk erasure decided in a review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewErasure {
    pub id: String,
    pub site_id: String,
    pub group: String,
    pub created_by: String,
    pub created_at: String,
    pub total: u32,
    pub erased: u32,
    pub finished_at: Option<String>,
}

impl ReviewErasure {
    pub fn done(&self) -> bool {
        self.finished_at.is_some()
    }
}

/// An erasure to start with a completed review: its job id, group and the group's cut-off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErasureStart {
    pub id: String,
    pub group: ReviewGroup,
    pub before: String,
}

#[allow(async_fn_in_trait)]
pub trait ReviewStore {
    /// `None` for an unknown site.
    async fn site_review(&self, site: &str) -> Result<Option<SiteReview>, StoreError>;
    async fn save_review_settings(
        &self,
        site: &str,
        settings: &ReviewSettings,
        by: &str,
        now: &str,
    ) -> Result<(), StoreError>;
    /// How many people `group` holds with cut-off `before`.
    async fn review_group_count(
        &self,
        site: &str,
        group: ReviewGroup,
        before: &str,
    ) -> Result<u64, StoreError>;
    /// Up to `limit` of them after subject `after` (keyset, by subject).
    async fn review_group_page(
        &self,
        site: &str,
        group: ReviewGroup,
        before: &str,
        after: &str,
        limit: u32,
    ) -> Result<Vec<ReviewMember>, StoreError>;
    /// Records a completed review, moves the site's last review to `reviewed_on`, and starts
    /// its bulk erasures (each fixing its people now) — all or nothing.
    async fn complete_review(
        &self,
        review: &CompletedReview,
        reviewed_on: NaiveDate,
        erasures: &[ErasureStart],
    ) -> Result<(), StoreError>;
    async fn recent_reviews(&self, site: &str, limit: u32) -> Result<Vec<CompletedReview>, StoreError>;
    async fn review_erasure(&self, site: &str, id: &str) -> Result<Option<ReviewErasure>, StoreError>;
    async fn recent_review_erasures(&self, site: &str, limit: u32) -> Result<Vec<ReviewErasure>, StoreError>;
    /// The next `limit` people of a job not yet marked erased, each with whether they are
    /// erased already (an interrupted batch erased them before it could mark them).
    async fn review_erasure_pending(
        &self,
        site: &str,
        job: &str,
        limit: u32,
    ) -> Result<Vec<(String, bool)>, StoreError>;
    /// Takes out of the job the people not yet erased whose record changed after it began (they
    /// came back: a new choice or correction since the review), and moves the job on; how many.
    async fn drop_returned_from_review(&self, site: &str, job: &str, now: &str) -> Result<u32, StoreError>;
    /// Marks `subjects` of the job erased and moves its counts on (finished when none is left).
    async fn mark_review_erased(
        &self,
        site: &str,
        job: &str,
        subjects: &[String],
        now: &str,
    ) -> Result<(), StoreError>;
}

fn group_sql(group: ReviewGroup) -> (&'static str, &'static str, Option<&'static str>) {
    match group {
        ReviewGroup::Inactive => {
            (sql::REVIEW_INACTIVE_COUNT, sql::REVIEW_INACTIVE_PAGE, Some(sql::REVIEW_INACTIVE_SNAPSHOT))
        }
        ReviewGroup::OldConsent => (
            sql::REVIEW_OLD_CONSENT_COUNT,
            sql::REVIEW_OLD_CONSENT_PAGE,
            Some(sql::REVIEW_OLD_CONSENT_SNAPSHOT),
        ),
        ReviewGroup::Restricted => {
            (sql::REVIEW_RESTRICTED_COUNT, sql::REVIEW_RESTRICTED_PAGE, Some(sql::REVIEW_RESTRICTED_SNAPSHOT))
        }
        // The erased are erased already: nothing to snapshot.
        ReviewGroup::ErasedHistory => {
            (sql::REVIEW_ERASED_HISTORY_COUNT, sql::REVIEW_ERASED_HISTORY_PAGE, None)
        }
    }
}

fn review_row(r: &Row) -> Result<CompletedReview, StoreError> {
    Ok(CompletedReview {
        id: r.text("id")?,
        site_id: r.text("site_id")?,
        completed_by: r.text("completed_by")?,
        completed_at: r.text("completed_at")?,
        params: r.text("params")?,
        decisions: r.text("decisions")?,
        next_due_on: r.text("next_due_on")?,
    })
}

fn erasure_row(r: &Row) -> Result<ReviewErasure, StoreError> {
    Ok(ReviewErasure {
        id: r.text("id")?,
        site_id: r.text("site_id")?,
        group: r.text("review_group")?,
        created_by: r.text("created_by")?,
        created_at: r.text("created_at")?,
        total: r.u32("total")?,
        erased: r.u32("erased")?,
        finished_at: r.opt_text("finished_at")?,
    })
}

impl<E: Executor> ReviewStore for SqlStore<E> {
    async fn site_review(&self, site: &str) -> Result<Option<SiteReview>, StoreError> {
        let rows = self
            .rows(sql::REVIEW_SETTINGS, vec![site.into()], |r| {
                let cycle = r.opt_int("cycle_months")?;
                let last = r
                    .opt_text("last_review_on")?
                    .map(|d| {
                        NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                            .map_err(|e| StoreError::Decode(format!("last_review_on: {e}")))
                    })
                    .transpose()?;
                let years = r.opt_int("erased_history_years")?;
                Ok(SiteReview {
                    stored: cycle.is_some(),
                    settings: ReviewSettings {
                        cycle_months: cycle.map_or(DEFAULT_CYCLE_MONTHS, |c| c as u32),
                        last_review_on: last,
                        erased_history_years: years.map_or(DEFAULT_ERASED_HISTORY_YEARS, |y| y as u32),
                    },
                    site_created: r.text("site_created")?,
                })
            })
            .await?;
        Ok(rows.into_iter().next())
    }

    async fn save_review_settings(
        &self,
        site: &str,
        settings: &ReviewSettings,
        by: &str,
        now: &str,
    ) -> Result<(), StoreError> {
        let params = vec![
            site.into(),
            settings.cycle_months.into(),
            settings.last_review_on.map(|d| d.to_string()).into(),
            settings.erased_history_years.into(),
            by.into(),
            now.into(),
        ];
        self.exec.batch(vec![Statement::new(sql::SAVE_REVIEW_SETTINGS, params)]).await
    }

    async fn review_group_count(
        &self,
        site: &str,
        group: ReviewGroup,
        before: &str,
    ) -> Result<u64, StoreError> {
        let (count, _, _) = group_sql(group);
        let n = self.rows(count, vec![site.into(), before.into()], |r| r.int("n")).await?;
        Ok(n.first().copied().unwrap_or(0).max(0) as u64)
    }

    async fn review_group_page(
        &self,
        site: &str,
        group: ReviewGroup,
        before: &str,
        after: &str,
        limit: u32,
    ) -> Result<Vec<ReviewMember>, StoreError> {
        let (_, page, _) = group_sql(group);
        self.rows(page, vec![site.into(), before.into(), after.into(), limit.into()], |r| {
            Ok(ReviewMember {
                subject: r.text("subject")?,
                email: r.opt_text("email")?,
                name: r.opt_text("name")?,
                since: r.text("since")?,
            })
        })
        .await
    }

    async fn complete_review(
        &self,
        review: &CompletedReview,
        reviewed_on: NaiveDate,
        erasures: &[ErasureStart],
    ) -> Result<(), StoreError> {
        let site = review.site_id.as_str();
        let mut batch = vec![
            Statement::new(
                sql::INSERT_REVIEW,
                vec![
                    (&review.id).into(),
                    site.into(),
                    (&review.completed_by).into(),
                    (&review.completed_at).into(),
                    (&review.params).into(),
                    (&review.decisions).into(),
                    (&review.next_due_on).into(),
                ],
            ),
            Statement::new(
                sql::REVIEW_DONE_SETTINGS,
                vec![
                    site.into(),
                    reviewed_on.to_string().into(),
                    (&review.completed_by).into(),
                    (&review.completed_at).into(),
                ],
            ),
        ];
        for e in erasures {
            let Some(snapshot) = group_sql(e.group).2 else {
                return Err(StoreError::Decode(format!("group {} cannot be erased", e.group.as_str())));
            };
            batch.push(Statement::new(
                sql::INSERT_REVIEW_ERASURE,
                vec![
                    (&e.id).into(),
                    site.into(),
                    e.group.as_str().into(),
                    (&review.completed_by).into(),
                    (&review.completed_at).into(),
                ],
            ));
            batch.push(Statement::new(snapshot, vec![site.into(), (&e.before).into(), (&e.id).into()]));
            batch.push(Statement::new(sql::COUNT_REVIEW_ERASURE, vec![(&e.id).into()]));
        }
        self.exec.batch(batch).await
    }

    async fn recent_reviews(&self, site: &str, limit: u32) -> Result<Vec<CompletedReview>, StoreError> {
        self.rows(sql::RECENT_REVIEWS, vec![site.into(), limit.into()], review_row).await
    }

    async fn review_erasure(&self, site: &str, id: &str) -> Result<Option<ReviewErasure>, StoreError> {
        Ok(self.rows(sql::REVIEW_ERASURE, vec![site.into(), id.into()], erasure_row).await?.pop())
    }

    async fn recent_review_erasures(&self, site: &str, limit: u32) -> Result<Vec<ReviewErasure>, StoreError> {
        self.rows(sql::RECENT_REVIEW_ERASURES, vec![site.into(), limit.into()], erasure_row).await
    }

    async fn review_erasure_pending(
        &self,
        site: &str,
        job: &str,
        limit: u32,
    ) -> Result<Vec<(String, bool)>, StoreError> {
        self.rows(sql::REVIEW_ERASURE_PENDING, vec![job.into(), site.into(), limit.into()], |r| {
            Ok((r.text("subject")?, r.int("already")? != 0))
        })
        .await
    }

    async fn drop_returned_from_review(&self, site: &str, job: &str, now: &str) -> Result<u32, StoreError> {
        let counted = self
            .rows(sql::REVIEW_ERASURE_RETURNED_COUNT, vec![job.into(), site.into()], |r| r.u32("n"))
            .await?;
        let returned = counted.first().copied().unwrap_or(0);
        if returned > 0 {
            self.exec
                .batch(vec![
                    Statement::new(sql::DROP_REVIEW_ERASURE_RETURNED, vec![job.into(), site.into()]),
                    Statement::new(sql::ADVANCE_REVIEW_ERASURE, vec![job.into(), site.into(), now.into()]),
                ])
                .await?;
        }
        Ok(returned)
    }

    async fn mark_review_erased(
        &self,
        site: &str,
        job: &str,
        subjects: &[String],
        now: &str,
    ) -> Result<(), StoreError> {
        let list = serde_json::to_string(subjects).expect("strings serialise");
        self.exec
            .batch(vec![
                Statement::new(sql::MARK_REVIEW_ERASED, vec![job.into(), list.into(), now.into()]),
                Statement::new(sql::ADVANCE_REVIEW_ERASURE, vec![job.into(), site.into(), now.into()]),
            ])
            .await
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    //! The review's queries on a site with 100,000 events (50,000 people): their plans, pinned,
    //! use the indexes of migration 0017 and the subject keys — no scan of the events table.

    use expect_test::expect;

    use super::*;
    use crate::store::sqlite::SqliteExecutor;
    use crate::store::SqlValue;

    const SEED: &str = "\
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50000) \
        INSERT INTO subjects (site_id, subject, email, restricted, restricted_at, created_at, updated_at) \
        SELECT 'big', printf('s%06d', i), printf('p%d@example.org', i), i % 50 = 0, \
               CASE WHEN i % 50 = 0 THEN '2023-01-01T00:00:00.000Z' END, \
               '2020-01-01T00:00:00.000Z', printf('20%02d-01-01T00:00:00.000Z', 18 + i % 8) FROM n";
    const EVENTS: &str = "\
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000) \
        INSERT INTO consent_events (id, site_id, subject, purpose, channel, action, wording_version, \
          wording_sha256, lang, method, server_time, gpc) \
        SELECT printf('e%d', i), 'big', printf('s%06d', 1 + i % 50000), 'news', 'email', 'granted', 1, 'x', \
               'en', 'form', '2022-01-01T00:00:00.000Z', 0 FROM n";
    const STATE: &str = "INSERT INTO consent_state (site_id, subject, purpose, channel, action, event_id, updated_at) \
        SELECT 'big', subject, 'news', 'email', CASE WHEN rowid % 3 = 0 THEN 'withdrawn' ELSE 'granted' END, 'e', \
               '2022-01-01T00:00:00.000Z' FROM subjects WHERE site_id = 'big'";
    const ERASED: &str = "INSERT INTO suppressions (site_id, subject, reason, created_at) \
        SELECT 'big', subject, 'erasure', '2018-01-01T00:00:00.000Z' FROM subjects \
        WHERE site_id = 'big' AND rowid % 100 = 0";

    fn plan(store: &SqlStore<SqliteExecutor>, query: &'static str, params: Vec<SqlValue>) -> String {
        let explain: &'static str = Box::leak(format!("EXPLAIN QUERY PLAN {query}").into_boxed_str());
        let rows = pollster::block_on(store.exec.query(explain, params)).unwrap();
        rows.iter().map(|r| format!("{}\n", r.text("detail").unwrap())).collect()
    }

    #[test]
    fn review_queries_use_indexes_on_100k_events() {
        let store = SqlStore::new(SqliteExecutor::open_in_memory().unwrap());
        for seed in [SEED, EVENTS, STATE, ERASED] {
            pollster::block_on(store.exec.query(seed, vec![])).unwrap();
        }
        let count = |q| plan(&store, q, vec!["big".into(), "2024-01-01T00:00:00.000Z".into()]);
        let page = |q| {
            plan(&store, q, vec!["big".into(), "2024-01-01T00:00:00.000Z".into(), "".into(), 1000u32.into()])
        };
        let all = [
            ("inactive count", count(sql::REVIEW_INACTIVE_COUNT)),
            ("inactive page", page(sql::REVIEW_INACTIVE_PAGE)),
            ("old consent count", count(sql::REVIEW_OLD_CONSENT_COUNT)),
            ("restricted count", count(sql::REVIEW_RESTRICTED_COUNT)),
            ("erased history count", count(sql::REVIEW_ERASED_HISTORY_COUNT)),
            ("erased history page", page(sql::REVIEW_ERASED_HISTORY_PAGE)),
            (
                "erasure pending",
                plan(&store, sql::REVIEW_ERASURE_PENDING, vec!["job".into(), "big".into(), 25u32.into()]),
            ),
        ]
        .iter()
        .map(|(name, p)| format!("{name}:\n{p}"))
        .collect::<String>();
        expect![[r#"
            inactive count:
            SEARCH s USING INDEX subjects_by_activity (site_id=? AND updated_at<?)
            inactive page:
            SEARCH s USING INDEX sqlite_autoindex_subjects_1 (site_id=? AND subject>?)
            old consent count:
            SEARCH s USING INDEX subjects_by_activity (site_id=? AND updated_at<?)
            LIST SUBQUERY 1
            SEARCH c USING COVERING INDEX consent_state_audience (site_id=?)
            CREATE BLOOM FILTER
            LIST SUBQUERY 2
            SEARCH c USING COVERING INDEX consent_state_audience (site_id=?)
            CREATE BLOOM FILTER
            restricted count:
            SEARCH s USING INDEX subjects_by_restriction (site_id=? AND restricted_at<?)
            erased history count:
            SEARCH s USING INDEX suppressions_by_reason (site_id=? AND reason=? AND created_at<?)
            CORRELATED SCALAR SUBQUERY 1
            SEARCH e USING COVERING INDEX consent_events_subject (site_id=? AND subject=?)
            erased history page:
            SEARCH s USING INDEX sqlite_autoindex_suppressions_1 (site_id=? AND subject>?)
            CORRELATED SCALAR SUBQUERY 1
            SEARCH e USING COVERING INDEX consent_events_subject (site_id=? AND subject=?)
            erasure pending:
            SEARCH j USING COVERING INDEX review_erasure_pending (job_id=? AND erased_at=?)
            SEARCH s USING INDEX sqlite_autoindex_subjects_1 (site_id=? AND subject=?) LEFT-JOIN
            CORRELATED SCALAR SUBQUERY 1
            SEARCH x USING INDEX sqlite_autoindex_suppressions_1 (site_id=? AND subject=?)
        "#]]
        .assert_eq(&all);
        let n = pollster::block_on(store.review_group_count(
            "big",
            ReviewGroup::Inactive,
            "2024-01-01T00:00:00.000Z",
        ))
        .unwrap();
        assert_eq!(n, 37_500, "6 of every 8 people were last active before 2024");
        let old = pollster::block_on(store.review_group_count(
            "big",
            ReviewGroup::OldConsent,
            "2024-01-01T00:00:00.000Z",
        ))
        .unwrap();
        assert!(old > 0 && old < n, "{old}: those of them whose news state is granted");
    }
}
