//! Storage of the register of rights requests and complaints (migration 0015): entries with
//! their deadlines kept queryable, and their notes. The rules an entry follows are
//! `shared::register`; this only keeps what they decided. Part of the `Store` contract
//! (`Store: RegisterStore`); SQL in `register_sql.rs`.

use chrono::NaiveDate;
use consent_shared::audit::AuditRecord;
use consent_shared::chain::ChainLink;
use consent_shared::register::{Arrival, Entry, RequestKind, Status};

use super::audit::audit_params;
use super::register_sql as sql;
use super::sql::INSERT_AUDIT;
use super::{Executor, Row, SqlStore, SqlValue, Statement, StoreError};

/// A register entry with what the store keeps around it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterRow {
    pub site_id: String,
    pub entry: Entry,
    /// The subject's HMAC id when the person is known to the site.
    pub subject: Option<String>,
    /// How to answer the person; cleared when the subject is erased.
    pub contact_email: Option<String>,
    pub contact_name: Option<String>,
    /// The language to answer in (`en`, `cy`).
    pub lang: String,
    /// The complaint's text or the request's summary.
    pub details: String,
    /// Audit actor labels of who recorded the entry and who handles it.
    pub recorded_by: String,
    pub handler: Option<String>,
    pub recorded_at: String,
    pub updated_at: String,
    /// Raised by every change; a change names the version it was made against.
    pub version: u32,
}

/// One note on an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterNote {
    pub seq: u32,
    pub at: String,
    pub author: String,
    pub body: String,
}

/// Which entries a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RegisterQuery {
    pub open_only: bool,
    pub kind: Option<RequestKind>,
    pub limit: u32,
    pub offset: u32,
}

/// Open entries past their due date, and due within the "soon" window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DueCounts {
    pub overdue: u32,
    pub due_soon: u32,
}

#[allow(async_fn_in_trait)]
pub trait RegisterStore {
    /// Records a new entry, with a first note if given — atomically. `Conflict` when the
    /// reference is taken on the site (draw another).
    async fn create_register_entry(
        &self,
        row: &RegisterRow,
        note: Option<&RegisterNote>,
    ) -> Result<(), StoreError>;
    async fn register_entry(&self, site: &str, reference: &str) -> Result<Option<RegisterRow>, StoreError>;
    /// The site's entries: open ones first, soonest due first.
    async fn register_entries(
        &self,
        site: &str,
        query: RegisterQuery,
    ) -> Result<Vec<RegisterRow>, StoreError>;
    /// Every entry about one subject (their own download, an erasure).
    async fn register_entries_of_subject(
        &self,
        site: &str,
        subject: &str,
    ) -> Result<Vec<RegisterRow>, StoreError>;
    /// Saves a changed entry (status, dates, outcome, handler, contact) made against
    /// `row.version`, with a note if given — atomically. `Conflict` when the entry changed since
    /// (nothing written: read it again).
    async fn save_register_entry(
        &self,
        row: &RegisterRow,
        note: Option<&RegisterNote>,
    ) -> Result<(), StoreError>;
    /// `create_register_entry` with the entry's audit record and link in the same batch, so the
    /// entry is never stored unaudited (`Conflict` also when the trail's place was taken).
    async fn create_register_entry_audited(
        &self,
        row: &RegisterRow,
        record: &AuditRecord,
        link: &ChainLink,
    ) -> Result<(), StoreError>;
    /// `save_register_entry` with the change's audit record and link in the same batch.
    async fn save_register_entry_audited(
        &self,
        row: &RegisterRow,
        note: Option<&RegisterNote>,
        record: &AuditRecord,
        link: &ChainLink,
    ) -> Result<(), StoreError>;
    async fn register_notes(&self, site: &str, reference: &str) -> Result<Vec<RegisterNote>, StoreError>;
    /// Counts of the site's open entries overdue on `today` and due from `today` to `soon_until`.
    async fn register_due_counts(
        &self,
        site: &str,
        today: NaiveDate,
        soon_until: NaiveDate,
    ) -> Result<DueCounts, StoreError>;
    /// Open entries of every site due on or before `until`, by site then date, at most `limit`.
    async fn register_due_everywhere(
        &self,
        until: NaiveDate,
        limit: u32,
    ) -> Result<Vec<RegisterRow>, StoreError>;
    /// Clears the contact details of the subject's entries (erasure); the entries stay.
    async fn forget_register_contact(&self, site: &str, subject: &str) -> Result<(), StoreError>;
}

fn day(d: NaiveDate) -> SqlValue {
    d.format("%Y-%m-%d").to_string().into()
}

fn opt_day(d: Option<NaiveDate>) -> SqlValue {
    d.map_or(SqlValue::Null, day)
}

fn read_day(r: &Row, col: &str) -> Result<Option<NaiveDate>, StoreError> {
    r.opt_text(col)?
        .map(|s| {
            NaiveDate::parse_from_str(&s, "%Y-%m-%d").map_err(|e| StoreError::Decode(format!("{col}: {e}")))
        })
        .transpose()
}

fn read_row(r: &Row) -> Result<RegisterRow, StoreError> {
    let enumerated = |col: &str, parsed: Option<()>| {
        parsed.ok_or_else(|| StoreError::Decode(format!("{col}: unknown value")))
    };
    let kind_raw = r.text("kind")?;
    let kind = RequestKind::parse(&kind_raw);
    enumerated("kind", kind.map(drop))?;
    let arrival = Arrival::parse(&r.text("arrival")?);
    enumerated("arrival", arrival.map(drop))?;
    let status = Status::parse(&r.text("status")?);
    enumerated("status", status.map(drop))?;
    let received_on =
        read_day(r, "received_on")?.ok_or_else(|| StoreError::Decode("received_on is NULL".into()))?;
    Ok(RegisterRow {
        site_id: r.text("site_id")?,
        entry: Entry {
            reference: r.text("reference")?,
            kind: kind.expect("checked"),
            arrival: arrival.expect("checked"),
            received_on,
            status: status.expect("checked"),
            acknowledged_on: read_day(r, "acknowledged_on")?,
            extended_on: read_day(r, "extended_on")?,
            extension_reason: r.opt_text("extension_reason")?,
            closed_on: read_day(r, "closed_on")?,
            outcome: r.opt_text("outcome")?,
        },
        subject: r.opt_text("subject_id")?,
        contact_email: r.opt_text("contact_email")?,
        contact_name: r.opt_text("contact_name")?,
        lang: r.text("lang")?,
        details: r.text("details")?,
        recorded_by: r.text("recorded_by")?,
        handler: r.opt_text("handler")?,
        recorded_at: r.text("recorded_at")?,
        updated_at: r.text("updated_at")?,
        version: r.u32("version")?,
    })
}

fn note_statement(site: &str, reference: &str, note: &RegisterNote) -> Statement {
    Statement::new(
        sql::INSERT_NOTE,
        vec![site.into(), reference.into(), (&note.at).into(), (&note.author).into(), (&note.body).into()],
    )
}

/// The statements that record a new entry (and its first note).
fn create_statements(row: &RegisterRow, note: Option<&RegisterNote>) -> Vec<Statement> {
    let e = &row.entry;
    let mut statements = vec![Statement::new(
        sql::INSERT_ENTRY,
        vec![
            (&row.site_id).into(),
            (&e.reference).into(),
            e.kind.as_str().into(),
            e.arrival.as_str().into(),
            day(e.received_on),
            e.status.as_str().into(),
            opt_day(e.due_on()),
            opt_day(e.acknowledged_on),
            opt_day(e.extended_on),
            e.extension_reason.as_deref().into(),
            opt_day(e.closed_on),
            e.outcome.as_deref().into(),
            row.subject.as_deref().into(),
            row.contact_email.as_deref().into(),
            row.contact_name.as_deref().into(),
            (&row.lang).into(),
            (&row.details).into(),
            (&row.recorded_by).into(),
            row.handler.as_deref().into(),
            (&row.recorded_at).into(),
        ],
    )];
    statements.extend(note.map(|n| note_statement(&row.site_id, &e.reference, n)));
    statements
}

/// The statements that save a changed entry against its version (and add a note); the
/// stale-write guard follows the UPDATE directly.
fn save_statements(row: &RegisterRow, note: Option<&RegisterNote>) -> Vec<Statement> {
    let e = &row.entry;
    let mut statements = vec![
        Statement::new(
            sql::UPDATE_ENTRY,
            vec![
                (&row.site_id).into(),
                (&e.reference).into(),
                e.status.as_str().into(),
                opt_day(e.due_on()),
                opt_day(e.acknowledged_on),
                opt_day(e.extended_on),
                e.extension_reason.as_deref().into(),
                opt_day(e.closed_on),
                e.outcome.as_deref().into(),
                row.handler.as_deref().into(),
                row.subject.as_deref().into(),
                row.contact_email.as_deref().into(),
                row.contact_name.as_deref().into(),
                (&row.updated_at).into(),
                row.version.into(),
            ],
        ),
        Statement::new(sql::STALE_WRITE_GUARD, vec![]),
    ];
    statements.extend(note.map(|n| note_statement(&row.site_id, &e.reference, n)));
    statements
}

impl<E: Executor> RegisterStore for SqlStore<E> {
    async fn create_register_entry(
        &self,
        row: &RegisterRow,
        note: Option<&RegisterNote>,
    ) -> Result<(), StoreError> {
        self.exec.batch(create_statements(row, note)).await
    }

    async fn create_register_entry_audited(
        &self,
        row: &RegisterRow,
        record: &AuditRecord,
        link: &ChainLink,
    ) -> Result<(), StoreError> {
        let mut statements = create_statements(row, None);
        statements.push(Statement::new(INSERT_AUDIT, audit_params(record, link)));
        self.exec.batch(statements).await
    }

    async fn register_entry(&self, site: &str, reference: &str) -> Result<Option<RegisterRow>, StoreError> {
        Ok(self.rows(sql::ENTRY, vec![site.into(), reference.into()], read_row).await?.pop())
    }

    async fn register_entries(
        &self,
        site: &str,
        query: RegisterQuery,
    ) -> Result<Vec<RegisterRow>, StoreError> {
        let kind: Option<&str> = query.kind.map(RequestKind::as_str);
        self.rows(
            sql::ENTRIES,
            vec![site.into(), query.open_only.into(), kind.into(), query.limit.into(), query.offset.into()],
            read_row,
        )
        .await
    }

    async fn register_entries_of_subject(
        &self,
        site: &str,
        subject: &str,
    ) -> Result<Vec<RegisterRow>, StoreError> {
        self.rows(sql::ENTRIES_OF_SUBJECT, vec![site.into(), subject.into()], read_row).await
    }

    async fn save_register_entry(
        &self,
        row: &RegisterRow,
        note: Option<&RegisterNote>,
    ) -> Result<(), StoreError> {
        self.exec.batch(save_statements(row, note)).await
    }

    async fn save_register_entry_audited(
        &self,
        row: &RegisterRow,
        note: Option<&RegisterNote>,
        record: &AuditRecord,
        link: &ChainLink,
    ) -> Result<(), StoreError> {
        let mut statements = save_statements(row, note);
        statements.push(Statement::new(INSERT_AUDIT, audit_params(record, link)));
        self.exec.batch(statements).await
    }

    async fn register_notes(&self, site: &str, reference: &str) -> Result<Vec<RegisterNote>, StoreError> {
        self.rows(sql::NOTES, vec![site.into(), reference.into()], |r| {
            Ok(RegisterNote {
                seq: r.u32("seq")?,
                at: r.text("at")?,
                author: r.text("author")?,
                body: r.text("body")?,
            })
        })
        .await
    }

    async fn register_due_counts(
        &self,
        site: &str,
        today: NaiveDate,
        soon_until: NaiveDate,
    ) -> Result<DueCounts, StoreError> {
        let rows = self
            .rows(sql::DUE_COUNTS, vec![site.into(), day(today), day(soon_until)], |r| {
                Ok(DueCounts { overdue: r.u32("overdue")?, due_soon: r.u32("due_soon")? })
            })
            .await?;
        Ok(rows.into_iter().next().unwrap_or_default())
    }

    async fn register_due_everywhere(
        &self,
        until: NaiveDate,
        limit: u32,
    ) -> Result<Vec<RegisterRow>, StoreError> {
        self.rows(sql::DUE_EVERYWHERE, vec![day(until), limit.into()], read_row).await
    }

    async fn forget_register_contact(&self, site: &str, subject: &str) -> Result<(), StoreError> {
        self.exec.batch(vec![Statement::new(sql::FORGET_CONTACT, vec![site.into(), subject.into()])]).await
    }
}
