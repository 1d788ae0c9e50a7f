//! Storage for tamper evidence: append marks, both chains (events and cookie decisions), the
//! audit read that rebuilds the current state, and what anchors are checked against. Part of
//! the `Store` contract (`Store: ChainStore`); SQL in `sql.rs`.

use consent_shared::chain::{cookie_mark_problem, mark_problem, ChainHead, ChainLink};
use consent_shared::consent::{Action, ConsentEvent, CookieConsentRecord};

use super::{cookie_from_row, event_from_row, link_version, sql, Executor, Row, SqlStore, StoreError};

/// A stored event with what proves it came through the append path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkedEvent {
    /// Write position.
    pub pos: i64,
    pub event: ConsentEvent,
    pub mark: Option<String>,
    /// The subject id the append path was given (the row may hold its resolved original).
    pub submitted_subject: Option<String>,
    /// Whether `submitted_subject` is the stored subject or an alias of it.
    pub subject_resolves: bool,
    /// Written before append marks existed (at or below the migration's baseline).
    pub legacy: bool,
}

impl MarkedEvent {
    /// Why this row may not be sealed, or `None`. Legacy rows need no mark.
    pub fn problem(&self, ledger_key: &[u8]) -> Option<&'static str> {
        if self.legacy && self.mark.is_none() {
            return None;
        }
        mark_problem(
            ledger_key,
            &self.event,
            self.mark.as_deref(),
            self.submitted_subject.as_deref(),
            self.subject_resolves,
        )
    }
}

/// An event as the audit reads it: with its link's version (`None`: not sealed) and the action
/// `consent_state` shows for its subject × purpose × channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditedEvent {
    pub marked: MarkedEvent,
    pub link_version: Option<u8>,
    pub state_action: Option<Action>,
}

/// Where an audit page starts: after this (subject, purpose, channel, pos).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditCursor {
    pub subject: String,
    pub purpose: String,
    pub channel: String,
    pub pos: i64,
}

impl AuditCursor {
    pub fn start() -> AuditCursor {
        AuditCursor { subject: String::new(), purpose: String::new(), channel: String::new(), pos: -1 }
    }

    pub fn after(e: &MarkedEvent) -> AuditCursor {
        AuditCursor {
            subject: e.event.subject.clone(),
            purpose: e.event.purpose.clone(),
            channel: e.event.channel.as_str().to_string(),
            pos: e.pos,
        }
    }
}

/// A `consent_state` row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateRow {
    pub subject: String,
    pub purpose: String,
    pub channel: String,
    pub action: String,
}

/// A stored cookie decision with its append mark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkedCookie {
    pub pos: i64,
    pub record: CookieConsentRecord,
    pub mark: Option<String>,
}

impl MarkedCookie {
    pub fn problem(&self, ledger_key: &[u8]) -> Option<&'static str> {
        cookie_mark_problem(ledger_key, &self.record, self.mark.as_deref())
    }
}

/// A cookie-chain link and the decision it seals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainedCookie {
    pub link: ChainLink,
    pub record: Option<CookieConsentRecord>,
    pub marked: bool,
}

#[allow(async_fn_in_trait)]
pub trait ChainStore {
    /// Up to `limit` unsealed events after write position `after_pos` (and after the chain's
    /// end), in write order, with their marks.
    async fn unsealed_events(
        &self,
        site: &str,
        after_pos: i64,
        limit: u32,
    ) -> Result<Vec<MarkedEvent>, StoreError>;
    /// Up to `limit` events in (subject, purpose, channel, write order) after `after`.
    async fn audit_events(
        &self,
        site: &str,
        after: &AuditCursor,
        limit: u32,
    ) -> Result<Vec<AuditedEvent>, StoreError>;
    /// Up to `limit` state rows with no event at all behind them.
    async fn state_without_events(&self, site: &str, limit: u32) -> Result<Vec<StateRow>, StoreError>;
    async fn cookie_chain_head(&self, site: &str) -> Result<ChainHead, StoreError>;
    /// Up to `limit` unsealed cookie decisions (written since the chain began), in write order.
    async fn unsealed_cookies(&self, site: &str, limit: u32) -> Result<Vec<MarkedCookie>, StoreError>;
    /// Up to `limit` cookie decisions (position, id) sealing will never reach and no link seals
    /// (`sql::UNCHAINED_COOKIES`): written into the database directly.
    async fn unchained_cookies(&self, site: &str, limit: u32) -> Result<Vec<(i64, String)>, StoreError>;
    /// `Conflict` when another sealer got there first: nothing written.
    async fn append_cookie_links(&self, links: &[ChainLink], now: &str) -> Result<(), StoreError>;
    async fn cookie_chained_after(
        &self,
        site: &str,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<ChainedCookie>, StoreError>;
    /// The stored hashes of event link `seq` and cookie link `cookie_seq` (`None` if absent).
    async fn anchored_links(
        &self,
        site: &str,
        seq: i64,
        cookie_seq: i64,
    ) -> Result<(Option<String>, Option<String>), StoreError>;
}

fn marked_from_row(r: &Row) -> Result<MarkedEvent, StoreError> {
    Ok(MarkedEvent {
        pos: r.int("pos")?,
        event: event_from_row(r)?,
        mark: r.opt_text("mark")?,
        submitted_subject: r.opt_text("submitted_subject")?,
        subject_resolves: r.int("subject_resolves")? != 0,
        legacy: r.int("legacy")? != 0,
    })
}

pub(crate) fn link_from_row(r: &Row) -> Result<ChainLink, StoreError> {
    Ok(ChainLink {
        site_id: r.text("link_site_id")?,
        seq: r.int("seq")?,
        event_id: r.text("link_event_id")?,
        event_hash: r.text("event_hash")?,
        prev_hash: r.text("prev_hash")?,
        hash: r.text("hash")?,
        version: link_version(r)?,
    })
}

impl<E: Executor> ChainStore for SqlStore<E> {
    async fn unsealed_events(
        &self,
        site: &str,
        after_pos: i64,
        limit: u32,
    ) -> Result<Vec<MarkedEvent>, StoreError> {
        self.rows(sql::UNSEALED_EVENTS, vec![site.into(), after_pos.into(), limit.into()], marked_from_row)
            .await
    }

    async fn audit_events(
        &self,
        site: &str,
        after: &AuditCursor,
        limit: u32,
    ) -> Result<Vec<AuditedEvent>, StoreError> {
        let params = vec![
            site.into(),
            (&after.subject).into(),
            (&after.purpose).into(),
            (&after.channel).into(),
            after.pos.into(),
            limit.into(),
        ];
        self.rows(sql::AUDIT_EVENTS, params, |r| {
            let link_version = match r.0.get("link_version") {
                Some(serde_json::Value::Null) | None => None,
                Some(_) => Some(
                    u8::try_from(r.int("link_version")?)
                        .map_err(|_| StoreError::Decode("link_version: out of range".into()))?,
                ),
            };
            let state_action = match r.opt_text("state_action")? {
                None => None,
                Some(a) => Some(
                    serde_json::from_value(serde_json::Value::String(a.clone()))
                        .map_err(|_| StoreError::Decode(format!("state_action: unknown value {a:?}")))?,
                ),
            };
            Ok(AuditedEvent { marked: marked_from_row(r)?, link_version, state_action })
        })
        .await
    }

    async fn state_without_events(&self, site: &str, limit: u32) -> Result<Vec<StateRow>, StoreError> {
        self.rows(sql::STATE_WITHOUT_EVENTS, vec![site.into(), limit.into()], |r| {
            Ok(StateRow {
                subject: r.text("subject")?,
                purpose: r.text("purpose")?,
                channel: r.text("channel")?,
                action: r.text("action")?,
            })
        })
        .await
    }

    async fn cookie_chain_head(&self, site: &str) -> Result<ChainHead, StoreError> {
        let rows = self.exec.query(sql::COOKIE_CHAIN_HEAD, vec![site.into()]).await?;
        match rows.first() {
            Some(r) => Ok(ChainHead { seq: r.int("seq")?, hash: r.text("hash")? }),
            None => Ok(ChainHead::genesis()),
        }
    }

    async fn unchained_cookies(&self, site: &str, limit: u32) -> Result<Vec<(i64, String)>, StoreError> {
        self.rows(sql::UNCHAINED_COOKIES, vec![site.into(), limit.into()], |r| {
            Ok((r.int("pos")?, r.text("id")?))
        })
        .await
    }

    async fn unsealed_cookies(&self, site: &str, limit: u32) -> Result<Vec<MarkedCookie>, StoreError> {
        self.rows(sql::UNSEALED_COOKIES, vec![site.into(), limit.into()], |r| {
            Ok(MarkedCookie { pos: r.int("pos")?, record: cookie_from_row(r)?, mark: r.opt_text("mark")? })
        })
        .await
    }

    async fn append_cookie_links(&self, links: &[ChainLink], now: &str) -> Result<(), StoreError> {
        self.append_chain_links(sql::INSERT_COOKIE_LINKS, links, now).await
    }

    async fn cookie_chained_after(
        &self,
        site: &str,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<ChainedCookie>, StoreError> {
        let params = vec![site.into(), after_seq.into(), limit.into()];
        self.rows(sql::COOKIE_CHAINED_AFTER, params, |r| {
            let record = if r.opt_text("id")?.is_some() { Some(cookie_from_row(r)?) } else { None };
            Ok(ChainedCookie { link: link_from_row(r)?, record, marked: r.opt_text("mark")?.is_some() })
        })
        .await
    }

    async fn anchored_links(
        &self,
        site: &str,
        seq: i64,
        cookie_seq: i64,
    ) -> Result<(Option<String>, Option<String>), StoreError> {
        let rows =
            self.exec.query(sql::ANCHORED_LINKS, vec![site.into(), seq.into(), cookie_seq.into()]).await?;
        match rows.first() {
            Some(r) => Ok((r.opt_text("event_hash")?, r.opt_text("cookie_hash")?)),
            None => Ok((None, None)),
        }
    }
}
