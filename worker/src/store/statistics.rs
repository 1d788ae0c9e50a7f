//! Storage for the console's statistics: the daily counters that triggers keep beside every
//! append (migration 0012), read whole per site (a few rows per day, never the ledger). Part of
//! the `Store` contract (`Store: StatisticsStore`); SQL in `sql.rs`.

use super::{sql, Executor, Row, SqlStore, StoreError};

/// How many events of one kind a site's ledger gained on one UTC day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyEventCount {
    /// `YYYY-MM-DD`.
    pub day: String,
    pub purpose: String,
    /// `Channel::as_str`.
    pub channel: String,
    /// `consent::Action::as_str`.
    pub action: String,
    /// `consent::Method::as_str`.
    pub method: String,
    pub n: i64,
}

/// How many cookie decisions of one choice a site recorded on one UTC day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyCookieCount {
    /// `YYYY-MM-DD`.
    pub day: String,
    /// `CookieChoice::as_str`.
    pub choice: String,
    pub n: i64,
}

#[allow(async_fn_in_trait)]
pub trait StatisticsStore {
    /// Every daily event count of `site`, oldest day first.
    async fn daily_event_counts(&self, site: &str) -> Result<Vec<DailyEventCount>, StoreError>;
    /// Every daily cookie-decision count of `site`, oldest day first.
    async fn daily_cookie_counts(&self, site: &str) -> Result<Vec<DailyCookieCount>, StoreError>;
    /// The same counts recomputed from the events themselves (a check, not for pages: it reads
    /// the whole ledger of the site).
    async fn recount_events(&self, site: &str) -> Result<Vec<DailyEventCount>, StoreError>;
    /// The cookie-decision counts recomputed from the decisions themselves.
    async fn recount_cookies(&self, site: &str) -> Result<Vec<DailyCookieCount>, StoreError>;
}

fn event_count(r: &Row) -> Result<DailyEventCount, StoreError> {
    Ok(DailyEventCount {
        day: r.text("day")?,
        purpose: r.text("purpose")?,
        channel: r.text("channel")?,
        action: r.text("action")?,
        method: r.text("method")?,
        n: r.int("n")?,
    })
}

fn cookie_count(r: &Row) -> Result<DailyCookieCount, StoreError> {
    Ok(DailyCookieCount { day: r.text("day")?, choice: r.text("choice")?, n: r.int("n")? })
}

impl<E: Executor> StatisticsStore for SqlStore<E> {
    async fn daily_event_counts(&self, site: &str) -> Result<Vec<DailyEventCount>, StoreError> {
        self.rows(sql::DAILY_EVENT_COUNTS, vec![site.into()], event_count).await
    }

    async fn daily_cookie_counts(&self, site: &str) -> Result<Vec<DailyCookieCount>, StoreError> {
        self.rows(sql::DAILY_COOKIE_COUNTS, vec![site.into()], cookie_count).await
    }

    async fn recount_events(&self, site: &str) -> Result<Vec<DailyEventCount>, StoreError> {
        self.rows(sql::RECOUNT_EVENTS, vec![site.into()], event_count).await
    }

    async fn recount_cookies(&self, site: &str) -> Result<Vec<DailyCookieCount>, StoreError> {
        self.rows(sql::RECOUNT_COOKIES, vec![site.into()], cookie_count).await
    }
}
