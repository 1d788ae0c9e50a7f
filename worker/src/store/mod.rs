//! Storage: the `Store` trait the handlers use, implemented once over SQL (`SqlStore`) and run on
//! two `Executor` backends — D1 inside workerd, SQLite natively. Each `Store` method is one atomic
//! unit: a single D1 `batch()` or a single SQLite transaction (D1 has no BEGIN/COMMIT).

pub mod accounts;
mod accounts_sql;
pub mod audit;
pub mod chain;
pub mod contract;
#[cfg(target_arch = "wasm32")]
pub mod d1;
pub mod imports;
mod mail_and_expiry;
pub mod register;
mod register_sql;
pub mod retention;
pub mod review;
pub mod site_create;
pub mod sql;
#[cfg(all(not(target_arch = "wasm32"), feature = "sqlite"))]
pub mod sqlite;
pub mod statistics;
pub mod suppressions;
mod versions;

pub use mail_and_expiry::{MailClaim, PurgedRows};

use consent_shared::api::v1::AudienceMember;
use consent_shared::basis::{CookieBasis, LawfulBasis, RegionRules, RuleSet, SupportContext};
use consent_shared::consent::{Action, ConsentEvent, CookieConsentRecord, Method};
use consent_shared::email::Email;
use consent_shared::ledger::{ChainHead, ChainLink, SubmissionPlan};
use consent_shared::site::{
    CategoryText, Channel, ConsentSignal, CookieCategory, Organisation, PurposeChannel, SiteConfig, Wording,
};
use serde_json::{Map, Value};
use thiserror::Error;

pub use versions::CategoryTextVersion;

#[derive(Debug, Error)]
pub enum StoreError {
    /// A UNIQUE or PRIMARY KEY rule refused the write (e.g. another request took this place in
    /// the chain). Nothing was written; the caller may re-read and retry. Any other constraint
    /// (foreign key, NOT NULL, CHECK) is a `Backend` error: a bug, never a lost race.
    #[error("conflicting concurrent write")]
    Conflict,
    /// The database refused a grant for a subject on the suppression list.
    #[error("subject is suppressed")]
    Suppressed,
    /// The change would leave a site without an owner (a trigger refused it): nothing written.
    #[error("a site keeps at least one owner")]
    LastOwner,
    #[error("storage backend failed: {0}")]
    Backend(String),
    #[error("stored row could not be read: {0}")]
    Decode(String),
}

/// A bound parameter. Integers travel to D1 as JS numbers (safe up to 2^53).
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    Null,
    Int(i64),
    Text(String),
}

impl From<&str> for SqlValue {
    fn from(s: &str) -> Self {
        SqlValue::Text(s.to_string())
    }
}
impl From<String> for SqlValue {
    fn from(s: String) -> Self {
        SqlValue::Text(s)
    }
}
impl From<&String> for SqlValue {
    fn from(s: &String) -> Self {
        SqlValue::Text(s.clone())
    }
}
impl From<i64> for SqlValue {
    fn from(i: i64) -> Self {
        SqlValue::Int(i)
    }
}
impl From<u32> for SqlValue {
    fn from(i: u32) -> Self {
        SqlValue::Int(i64::from(i))
    }
}
impl From<bool> for SqlValue {
    fn from(b: bool) -> Self {
        SqlValue::Int(i64::from(b))
    }
}
impl<T: Into<SqlValue>> From<Option<T>> for SqlValue {
    fn from(o: Option<T>) -> Self {
        o.map_or(SqlValue::Null, Into::into)
    }
}

/// One wording row of the `SITE` query's `wordings` array.
#[derive(serde::Deserialize)]
struct WordingRow {
    purpose: String,
    channel: Channel,
    current_version: u32,
    version: u32,
    lang: String,
    label: String,
    text: String,
    sha256: String,
    refusal: Option<String>,
    basis: LawfulBasis,
    furthers_charitable_purposes: i64,
}

#[derive(serde::Deserialize)]
struct CategoryRow {
    key: String,
    required: i64,
    texts: Vec<CategoryText>,
    consent_mode: Vec<ConsentSignal>,
    /// NULL only for a row written by an older worker after migration 0011: derived then.
    basis: Option<CookieBasis>,
}

/// One statement of an atomic batch.
#[derive(Debug, Clone)]
pub struct Statement {
    pub sql: &'static str,
    pub params: Vec<SqlValue>,
}

impl Statement {
    pub fn new(sql: &'static str, params: Vec<SqlValue>) -> Statement {
        Statement { sql, params }
    }
}

/// A result row as column name → JSON value (what D1 returns; SQLite rows are mapped to match).
#[derive(Debug, Clone, Default)]
pub struct Row(pub Map<String, Value>);

impl Row {
    fn get(&self, col: &str) -> Result<&Value, StoreError> {
        self.0.get(col).ok_or_else(|| StoreError::Decode(format!("missing column {col}")))
    }

    pub fn text(&self, col: &str) -> Result<String, StoreError> {
        self.opt_text(col)?.ok_or_else(|| StoreError::Decode(format!("{col} is NULL")))
    }

    pub fn opt_text(&self, col: &str) -> Result<Option<String>, StoreError> {
        match self.get(col)? {
            Value::Null => Ok(None),
            Value::String(s) => Ok(Some(s.clone())),
            other => Err(StoreError::Decode(format!("{col}: expected text, got {other}"))),
        }
    }

    /// D1 hands integers over as JS numbers, which may arrive as floats.
    pub fn int(&self, col: &str) -> Result<i64, StoreError> {
        match self.get(col)? {
            Value::Number(n) => n
                .as_i64()
                .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
                .ok_or_else(|| StoreError::Decode(format!("{col}: not an integer"))),
            other => Err(StoreError::Decode(format!("{col}: expected integer, got {other}"))),
        }
    }

    pub(crate) fn u32(&self, col: &str) -> Result<u32, StoreError> {
        u32::try_from(self.int(col)?).map_err(|_| StoreError::Decode(format!("{col}: out of range")))
    }

    /// A column holding a JSON document.
    fn json<T: serde::de::DeserializeOwned>(&self, col: &str) -> Result<T, StoreError> {
        serde_json::from_str(&self.text(col)?).map_err(|e| StoreError::Decode(format!("{col}: {e}")))
    }

    pub(crate) fn opt_int(&self, col: &str) -> Result<Option<i64>, StoreError> {
        match self.get(col)? {
            Value::Null => Ok(None),
            _ => self.int(col).map(Some),
        }
    }

    /// A nullable column holding the name of an enum variant.
    fn opt_parsed<T: serde::de::DeserializeOwned>(&self, col: &str) -> Result<Option<T>, StoreError> {
        match self.get(col)? {
            Value::Null => Ok(None),
            _ => self.parsed(col).map(Some),
        }
    }

    /// A column holding the name of an enum variant.
    fn parsed<T: serde::de::DeserializeOwned>(&self, col: &str) -> Result<T, StoreError> {
        let raw = self.text(col)?;
        serde_json::from_value(Value::String(raw.clone()))
            .map_err(|_| StoreError::Decode(format!("{col}: unknown value {raw:?}")))
    }
}

/// Runs SQL. Implemented by the D1 binding and by rusqlite.
#[allow(async_fn_in_trait)]
pub trait Executor {
    async fn query(&self, sql: &'static str, params: Vec<SqlValue>) -> Result<Vec<Row>, StoreError>;
    /// Runs every statement or none.
    async fn batch(&self, statements: Vec<Statement>) -> Result<(), StoreError>;
}

/// A response already given for an Idempotency-Key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    /// Keyed HMAC of the request body (never a plain hash: the body holds an email address).
    pub request_mac: String,
    pub status: u16,
    pub body: String,
}

/// The subjects-table row of a person.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SubjectRecord {
    pub email: Option<String>,
    /// The name the person gave on their preference page, if any.
    pub name: Option<String>,
    pub restricted: bool,
    pub created_at: String,
    pub updated_at: String,
}

/// A chain link and the event it seals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainedEvent {
    pub link: ChainLink,
    pub event: Option<ConsentEvent>,
    /// Whether the event row carries an append mark (checked when it was sealed).
    pub marked: bool,
}

/// Latest action for one purpose × channel of a subject.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CurrentConsent {
    pub purpose: String,
    pub channel: Channel,
    pub action: Action,
    pub event_id: String,
    pub updated_at: String,
}

/// Which people an audience lists. The handler chooses from the purpose's basis and `?basis=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AudienceFilter {
    /// Those who consented.
    Consent,
    /// Those on the charitable purpose soft opt-in.
    SoftOptIn,
    /// Both, each marked with its basis.
    ConsentOrSoftOptIn,
    /// Legitimate interests (post): everyone held who has not withdrawn or objected.
    HeldNotObjected,
}

/// What the handlers need from storage. One method, one atomic unit. The tamper-evidence
/// methods are in `chain::ChainStore`.
#[allow(async_fn_in_trait)]
pub trait Store:
    chain::ChainStore
    + accounts::AccountStore
    + audit::AuditStore
    + imports::ImportStore
    + register::RegisterStore
    + review::ReviewStore
    + site_create::SiteCreateStore
    + suppressions::SuppressionStore
    + statistics::StatisticsStore
    + retention::RetentionStore
{
    async fn ping(&self) -> Result<(), StoreError>;
    async fn site(&self, id: &str) -> Result<Option<SiteConfig>, StoreError>;
    /// Creates or updates a site. Wordings are only ever added.
    async fn put_site(&self, site: &SiteConfig, now: &str) -> Result<(), StoreError>;
    async fn site_ids(&self) -> Result<Vec<String>, StoreError>;
    async fn idempotent_response(&self, site: &str, key: &str) -> Result<Option<StoredResponse>, StoreError>;
    /// Keeps `answer` for an Idempotency-Key of a request that recorded nothing (a public form
    /// for a suppressed address), so a retry replays it. `Conflict` when the key is taken.
    async fn keep_answer(
        &self,
        site: &str,
        key: &str,
        answer: &StoredResponse,
        now: &str,
    ) -> Result<(), StoreError>;
    /// Writes the subject, the events (each with its mark from `plan.marks`, if any), the
    /// current state and the idempotent answer together.
    /// Nothing is written when it fails: `Conflict` when the Idempotency-Key was taken
    /// meanwhile, `Suppressed` when a grant names a suppressed subject.
    async fn record_submission(
        &self,
        plan: &SubmissionPlan,
        answer: Option<(&str, &StoredResponse)>,
    ) -> Result<(), StoreError>;
    /// The last link of the site's chain (genesis when nothing is sealed).
    async fn chain_head(&self, site: &str) -> Result<ChainHead, StoreError>;
    /// Up to `limit` written but unsealed events, in write order.
    async fn pending_events(&self, site: &str, limit: u32) -> Result<Vec<ConsentEvent>, StoreError>;
    /// Appends links. `Conflict` when another sealer got there first: nothing written.
    async fn append_links(&self, links: &[ChainLink], now: &str) -> Result<(), StoreError>;
    /// Links after `after_seq` in order, each with its event (`None` if the event row is gone).
    async fn chained_after(
        &self,
        site: &str,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<ChainedEvent>, StoreError>;
    async fn current_consents(&self, site: &str, subject: &str) -> Result<Vec<CurrentConsent>, StoreError>;
    /// Up to `limit` people who may be contacted now for `purpose` on `channel` on the bases
    /// `filter` names, each with its basis, ordered by subject, starting after `after` (empty
    /// for the first page).
    async fn audience_page(
        &self,
        site: &str,
        purpose: &str,
        channel: Channel,
        filter: AudienceFilter,
        after: &str,
        limit: u32,
    ) -> Result<Vec<AudienceMember>, StoreError>;
    /// Adds a do-not-contact entry (idempotent: the first reason and time are kept).
    async fn suppress(&self, site: &str, subject: &str, reason: &str, now: &str) -> Result<(), StoreError>;
    async fn is_suppressed(&self, site: &str, subject: &str) -> Result<bool, StoreError>;
    /// The subject an email's HMAC id stands for: the id itself, or the person's original id
    /// when the address was given as a correction.
    async fn resolve_subject(&self, site: &str, id: &str) -> Result<String, StoreError>;
    /// Rectification of the name (`None` clears it).
    async fn set_name(
        &self,
        site: &str,
        subject: &str,
        name: Option<&str>,
        now: &str,
    ) -> Result<(), StoreError>;
    /// Rectification of the address, step one: remember `email` (whose HMAC id is `alias`) until
    /// the person confirms it from that inbox. Replaces an earlier unconfirmed request.
    async fn request_email_change(
        &self,
        site: &str,
        subject: &str,
        email: &Email,
        alias: &str,
        now: &str,
    ) -> Result<(), StoreError>;
    /// Step two: the pending address becomes the subject's, and `alias` resolves to `subject`
    /// from then on — atomically. `Ok(None)` when nothing is pending for `alias` (already done,
    /// or replaced); `Conflict` when `alias` became someone else's id meanwhile.
    async fn apply_email_change(
        &self,
        site: &str,
        subject: &str,
        alias: &str,
        now: &str,
    ) -> Result<Option<String>, StoreError>;
    /// Records that a mail goes out now, unless the claim's throttle or a budget says no (then
    /// `false` and nothing is written). One atomic decision.
    async fn claim_mail_slot(&self, claim: &MailClaim<'_>) -> Result<bool, StoreError>;
    /// Deletes up to `limit` idempotency answers created before `before`; how many went.
    async fn purge_idempotency(&self, before: &str, limit: u32) -> Result<PurgedRows, StoreError>;
    /// Deletes up to `limit` mail log rows from before `before`; how many went.
    async fn purge_mail_log(&self, before: &str, limit: u32) -> Result<PurgedRows, StoreError>;
    /// Runs the Store contract suite against this store (which may check its backend directly).
    async fn run_contract(&self, prefix: &str) -> Vec<contract::CaseOutcome>;
    /// What is held about a subject besides the ledger (`None` if never seen).
    async fn subject_record(&self, site: &str, subject: &str) -> Result<Option<SubjectRecord>, StoreError>;
    /// Every event of a subject, in write order.
    async fn subject_events(&self, site: &str, subject: &str) -> Result<Vec<ConsentEvent>, StoreError>;
    /// Erasure: the address, the name and any pending address change are deleted and the
    /// subject is suppressed with reason `erasure` (replacing an earlier reason), and the contact
    /// details of the subject's register entries are cleared, in one atomic write; the history
    /// and the register entries stay under the subject's HMAC id only.
    async fn erase_subject(&self, site: &str, subject: &str, now: &str) -> Result<(), StoreError>;
    /// Restriction of processing: kept, but in no audience while `restricted`.
    async fn set_restricted(
        &self,
        site: &str,
        subject: &str,
        restricted: bool,
        now: &str,
    ) -> Result<(), StoreError>;
    /// Stores a decision with its append mark. With an Idempotency-Key, a decision is stored once
    /// per (site, key): `Conflict` when the key is taken (nothing written).
    async fn record_cookie_consent(
        &self,
        record: &CookieConsentRecord,
        mark: Option<&str>,
        idempotency_key: Option<&str>,
    ) -> Result<(), StoreError>;
    /// The decision stored under an Idempotency-Key.
    async fn cookie_consent_by_key(
        &self,
        site: &str,
        key: &str,
    ) -> Result<Option<CookieConsentRecord>, StoreError>;
    /// Every cookie category text the site ever showed (`put_site` keeps each as a version).
    async fn cookie_category_texts(&self, site: &str) -> Result<Vec<CategoryTextVersion>, StoreError>;
    async fn cookie_consents(
        &self,
        site: &str,
        consent_id: &str,
    ) -> Result<Vec<CookieConsentRecord>, StoreError>;
}

/// The one `Store` implementation, over any SQL executor.
pub struct SqlStore<E> {
    pub exec: E,
}

impl<E: Executor> SqlStore<E> {
    pub fn new(exec: E) -> Self {
        SqlStore { exec }
    }

    /// Appends chain links with `insert` (`INSERT_LINKS` or `INSERT_COOKIE_LINKS`, which take the
    /// same parameters) in one statement: the links as one JSON array.
    async fn append_chain_links(
        &self,
        insert: &'static str,
        links: &[ChainLink],
        now: &str,
    ) -> Result<(), StoreError> {
        if links.is_empty() {
            return Ok(());
        }
        let rows: Vec<serde_json::Value> = links
            .iter()
            .map(|l| {
                serde_json::json!([
                    l.site_id,
                    l.seq,
                    l.event_id,
                    l.event_hash,
                    l.prev_hash,
                    l.hash,
                    i64::from(l.version)
                ])
            })
            .collect();
        let rows = serde_json::Value::Array(rows).to_string();
        self.exec.batch(vec![Statement::new(insert, vec![rows.into(), now.into()])]).await
    }

    /// Runs a query and maps every row with `f`.
    async fn rows<T>(
        &self,
        sql: &'static str,
        params: Vec<SqlValue>,
        f: impl Fn(&Row) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        self.exec.query(sql, params).await?.iter().map(f).collect()
    }
}

impl<E: Executor> Store for SqlStore<E> {
    async fn ping(&self) -> Result<(), StoreError> {
        self.exec.query(sql::PING, vec![]).await.map(drop)
    }

    async fn site(&self, id: &str) -> Result<Option<SiteConfig>, StoreError> {
        let Some(row) = self.exec.query(sql::SITE, vec![id.into()]).await?.into_iter().next() else {
            return Ok(None);
        };
        let mut purposes: Vec<PurposeChannel> = Vec::new();
        for w in row.json::<Vec<WordingRow>>("wordings")? {
            let wording = Wording {
                version: w.version,
                lang: w.lang,
                label: w.label,
                text: w.text,
                sha256: w.sha256,
                refusal: w.refusal,
            };
            match purposes.last_mut() {
                Some(pc) if pc.purpose == w.purpose && pc.channel == w.channel => pc.wordings.push(wording),
                _ => purposes.push(PurposeChannel {
                    purpose: w.purpose,
                    channel: w.channel,
                    current_version: w.current_version,
                    wordings: vec![wording],
                    basis: w.basis,
                    furthers_charitable_purposes: w.furthers_charitable_purposes != 0,
                }),
            }
        }
        Ok(Some(SiteConfig {
            id: row.text("id")?,
            organisation: Organisation {
                name: row.text("org_name")?,
                contact_email: row.text("contact_email")?,
                postal_address: row.text("postal_address")?,
                privacy_notice_url: row.text("privacy_notice_url")?,
                cookie_policy_url: row.text("cookie_policy_url")?,
                charity_number: row.opt_text("charity_number")?,
            },
            allowed_origins: row.json("origins")?,
            default_lang: row.text("default_lang")?,
            policy_version: row.u32("policy_version")?,
            purposes,
            cookie_categories: row
                .json::<Vec<CategoryRow>>("cookie_categories")?
                .into_iter()
                .map(|c| CookieCategory {
                    key: c.key,
                    required: c.required != 0,
                    texts: c.texts,
                    consent_mode: c.consent_mode,
                    basis: c
                        .basis
                        .unwrap_or(consent_shared::site_edit::category_basis(c.required != 0, None)),
                })
                .collect(),
            banner: row.json("banner")?,
            double_opt_in: row.int("double_opt_in")? != 0,
            region_rules: RegionRules {
                uk: row.parsed("rules_uk")?,
                eea: row.parsed("rules_eea")?,
                other: row.parsed("rules_other")?,
            },
        }))
    }

    async fn put_site(&self, site: &SiteConfig, now: &str) -> Result<(), StoreError> {
        self.exec.batch(site_statements(site, now, sql::UPSERT_SITE)).await
    }

    async fn site_ids(&self) -> Result<Vec<String>, StoreError> {
        self.rows(sql::SITE_IDS, vec![], |r| r.text("id")).await
    }

    async fn idempotent_response(&self, site: &str, key: &str) -> Result<Option<StoredResponse>, StoreError> {
        let rows = self.exec.query(sql::IDEMPOTENT_RESPONSE, vec![site.into(), key.into()]).await?;
        rows.first()
            .map(|r| {
                Ok(StoredResponse {
                    request_mac: r.text("request_mac")?,
                    status: u16::try_from(r.int("status")?)
                        .map_err(|_| StoreError::Decode("status out of range".into()))?,
                    body: r.text("body")?,
                })
            })
            .transpose()
    }

    async fn keep_answer(
        &self,
        site: &str,
        key: &str,
        answer: &StoredResponse,
        now: &str,
    ) -> Result<(), StoreError> {
        self.exec.batch(vec![idempotent_answer(site, key, answer, now)]).await
    }

    async fn chain_head(&self, site: &str) -> Result<ChainHead, StoreError> {
        let rows = self.exec.query(sql::CHAIN_HEAD, vec![site.into()]).await?;
        match rows.first() {
            Some(r) => Ok(ChainHead { seq: r.int("seq")?, hash: r.text("hash")? }),
            None => Ok(ChainHead::genesis()),
        }
    }

    async fn pending_events(&self, site: &str, limit: u32) -> Result<Vec<ConsentEvent>, StoreError> {
        self.rows(sql::PENDING_EVENTS, vec![site.into(), limit.into()], event_from_row).await
    }

    async fn append_links(&self, links: &[ChainLink], now: &str) -> Result<(), StoreError> {
        self.append_chain_links(sql::INSERT_LINKS, links, now).await
    }

    async fn chained_after(
        &self,
        site: &str,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<ChainedEvent>, StoreError> {
        let params = vec![site.into(), after_seq.into(), limit.into()];
        self.rows(sql::CHAINED_AFTER, params, |r| {
            let event = if r.opt_text("id")?.is_some() { Some(event_from_row(r)?) } else { None };
            Ok(ChainedEvent { link: chain::link_from_row(r)?, event, marked: r.opt_text("mark")?.is_some() })
        })
        .await
    }

    async fn record_submission(
        &self,
        plan: &SubmissionPlan,
        answer: Option<(&str, &StoredResponse)>,
    ) -> Result<(), StoreError> {
        let Some(first) = plan.events.first() else {
            return Ok(());
        };
        let site = &first.site_id;
        let now = &first.server_time;
        let mut batch = Vec::new();
        // The key first: a retry fails on it (`Conflict`, answered by replaying) before anything
        // else is checked — the same path whether or not the subject is suppressed.
        if let Some((key, response)) = answer {
            batch.push(idempotent_answer(site, key, response, now));
        }
        batch.push(Statement::new(
            sql::UPSERT_SUBJECT,
            vec![
                site.into(),
                (&plan.subject).into(),
                plan.email.as_ref().map(|e| e.address_for_sending()).into(),
                now.into(),
            ],
        ));
        for (i, e) in plan.events.iter().enumerate() {
            batch.push(insert_event(e, plan.marks.get(i).map(String::as_str)));
            batch.push(Statement::new(
                sql::UPSERT_STATE,
                vec![
                    site.into(),
                    (&e.subject).into(),
                    (&e.purpose).into(),
                    e.channel.as_str().into(),
                    e.action.as_str().into(),
                    (&e.id).into(),
                    (&e.server_time).into(),
                ],
            ));
        }
        self.exec.batch(batch).await
    }

    async fn current_consents(&self, site: &str, subject: &str) -> Result<Vec<CurrentConsent>, StoreError> {
        self.rows(sql::SUBJECT_STATE, vec![site.into(), subject.into()], |r| {
            Ok(CurrentConsent {
                purpose: r.text("purpose")?,
                channel: r.parsed("channel")?,
                action: r.parsed("action")?,
                event_id: r.text("event_id")?,
                updated_at: r.text("updated_at")?,
            })
        })
        .await
    }

    async fn audience_page(
        &self,
        site: &str,
        purpose: &str,
        channel: Channel,
        filter: AudienceFilter,
        after: &str,
        limit: u32,
    ) -> Result<Vec<AudienceMember>, StoreError> {
        let mut params =
            vec![site.into(), purpose.into(), channel.as_str().into(), after.into(), limit.into()];
        let (query, actions) = match filter {
            AudienceFilter::Consent => (sql::AUDIENCE_PAGE, ["granted", "granted"]),
            AudienceFilter::SoftOptIn => (sql::AUDIENCE_PAGE, ["soft_opt_in", "soft_opt_in"]),
            AudienceFilter::ConsentOrSoftOptIn => (sql::AUDIENCE_PAGE, ["granted", "soft_opt_in"]),
            AudienceFilter::HeldNotObjected => (sql::AUDIENCE_PAGE_HELD, ["", ""]),
        };
        if query == sql::AUDIENCE_PAGE {
            params.extend(actions.map(SqlValue::from));
        }
        self.rows(query, params, |r| {
            let basis = match r.opt_parsed::<Action>("action")? {
                Some(Action::SoftOptIn) => LawfulBasis::CharitySoftOptIn,
                Some(Action::Granted) => LawfulBasis::Consent,
                _ => LawfulBasis::LegitimateInterests,
            };
            Ok(AudienceMember {
                email: r.text("email")?,
                subject: r.text("subject")?,
                granted_at: r.text("updated_at")?,
                event_id: r.text("event_id")?,
                unsubscribe_url: None,
                preferences_url: None,
                basis: Some(basis),
                name: r.opt_text("name")?,
            })
        })
        .await
    }

    async fn suppress(&self, site: &str, subject: &str, reason: &str, now: &str) -> Result<(), StoreError> {
        let params = vec![site.into(), subject.into(), reason.into(), now.into()];
        self.exec.batch(vec![Statement::new(sql::INSERT_SUPPRESSION, params)]).await
    }

    async fn subject_record(&self, site: &str, subject: &str) -> Result<Option<SubjectRecord>, StoreError> {
        let rows = self
            .rows(sql::SUBJECT_ROW, vec![site.into(), subject.into()], |r| {
                Ok(SubjectRecord {
                    email: r.opt_text("email")?,
                    name: r.opt_text("name")?,
                    restricted: r.int("restricted")? != 0,
                    created_at: r.text("created_at")?,
                    updated_at: r.text("updated_at")?,
                })
            })
            .await?;
        Ok(rows.into_iter().next())
    }

    async fn resolve_subject(&self, site: &str, id: &str) -> Result<String, StoreError> {
        let rows =
            self.rows(sql::RESOLVE_SUBJECT, vec![site.into(), id.into()], |r| r.text("subject")).await?;
        Ok(rows.into_iter().next().unwrap_or_else(|| id.to_string()))
    }

    async fn set_name(
        &self,
        site: &str,
        subject: &str,
        name: Option<&str>,
        now: &str,
    ) -> Result<(), StoreError> {
        let params = vec![site.into(), subject.into(), name.into(), now.into()];
        self.exec.batch(vec![Statement::new(sql::SET_NAME, params)]).await
    }

    async fn request_email_change(
        &self,
        site: &str,
        subject: &str,
        email: &Email,
        alias: &str,
        now: &str,
    ) -> Result<(), StoreError> {
        let params =
            vec![site.into(), subject.into(), alias.into(), email.address_for_sending().into(), now.into()];
        self.exec.batch(vec![Statement::new(sql::UPSERT_PENDING_EMAIL, params)]).await
    }

    async fn apply_email_change(
        &self,
        site: &str,
        subject: &str,
        alias: &str,
        now: &str,
    ) -> Result<Option<String>, StoreError> {
        let key = || -> Vec<SqlValue> { vec![site.into(), subject.into(), alias.into()] };
        let pending = self.rows(sql::PENDING_EMAIL, key(), |r| r.text("email")).await?;
        let Some(email) = pending.into_iter().next() else { return Ok(None) };
        let with_now = || {
            let mut p = key();
            p.push(now.into());
            p
        };
        self.exec
            .batch(vec![
                Statement::new(sql::APPLY_PENDING_EMAIL, with_now()),
                Statement::new(sql::INSERT_PENDING_ALIAS, with_now()),
                Statement::new(sql::DELETE_PENDING_EMAIL, key()),
            ])
            .await?;
        Ok(Some(email))
    }

    async fn claim_mail_slot(&self, claim: &MailClaim<'_>) -> Result<bool, StoreError> {
        self.claim_mail(claim).await
    }

    async fn purge_idempotency(&self, before: &str, limit: u32) -> Result<PurgedRows, StoreError> {
        self.purge(sql::PURGE_IDEMPOTENCY_KEYS, before, limit).await
    }

    async fn purge_mail_log(&self, before: &str, limit: u32) -> Result<PurgedRows, StoreError> {
        self.purge(sql::PURGE_MAIL_LOG, before, limit).await
    }

    async fn run_contract(&self, prefix: &str) -> Vec<contract::CaseOutcome> {
        contract::run(self, prefix).await
    }

    async fn is_suppressed(&self, site: &str, subject: &str) -> Result<bool, StoreError> {
        Ok(!self.exec.query(sql::IS_SUPPRESSED, vec![site.into(), subject.into()]).await?.is_empty())
    }

    async fn subject_events(&self, site: &str, subject: &str) -> Result<Vec<ConsentEvent>, StoreError> {
        self.rows(sql::SUBJECT_EVENTS, vec![site.into(), subject.into()], event_from_row).await
    }

    async fn erase_subject(&self, site: &str, subject: &str, now: &str) -> Result<(), StoreError> {
        let erase = Statement::new(sql::ERASE_SUBJECT_EMAIL, vec![site.into(), subject.into(), now.into()]);
        let suppress =
            Statement::new(sql::ERASURE_SUPPRESSION, vec![site.into(), subject.into(), now.into()]);
        let drop_pending =
            Statement::new(sql::DELETE_SUBJECT_PENDING_EMAIL, vec![site.into(), subject.into()]);
        // In the same batch, so every erasure path (preference centre, API, console, bulk)
        // also clears how to answer the person in the register: the entries stay.
        let forget_contact = Statement::new(register_sql::FORGET_CONTACT, vec![site.into(), subject.into()]);
        self.exec.batch(vec![erase, suppress, drop_pending, forget_contact]).await
    }

    async fn set_restricted(
        &self,
        site: &str,
        subject: &str,
        restricted: bool,
        now: &str,
    ) -> Result<(), StoreError> {
        let params = vec![site.into(), subject.into(), restricted.into(), now.into()];
        self.exec.batch(vec![Statement::new(sql::SET_RESTRICTED, params)]).await
    }

    async fn cookie_category_texts(&self, site: &str) -> Result<Vec<CategoryTextVersion>, StoreError> {
        self.category_text_history(site).await
    }

    async fn record_cookie_consent(
        &self,
        r: &CookieConsentRecord,
        mark: Option<&str>,
        idempotency_key: Option<&str>,
    ) -> Result<(), StoreError> {
        let categories = serde_json::to_string(&r.categories).expect("strings serialise");
        let params = vec![
            (&r.id).into(),
            (&r.site_id).into(),
            (&r.consent_id).into(),
            categories.into(),
            r.policy_version.into(),
            (&r.wording_sha256).into(),
            r.choice.as_str().into(),
            r.reject_on_first_layer.into(),
            r.gpc.into(),
            (&r.server_time).into(),
            r.client_time.as_ref().into(),
            r.user_agent.as_ref().into(),
            r.ip_truncated.as_ref().into(),
            mark.into(),
            idempotency_key.into(),
            r.rule_set.map(RuleSet::as_str).into(),
        ];
        self.exec.batch(vec![Statement::new(sql::INSERT_COOKIE_CONSENT, params)]).await
    }

    async fn cookie_consent_by_key(
        &self,
        site: &str,
        key: &str,
    ) -> Result<Option<CookieConsentRecord>, StoreError> {
        let rows =
            self.rows(sql::COOKIE_CONSENT_BY_KEY, vec![site.into(), key.into()], cookie_from_row).await?;
        Ok(rows.into_iter().next())
    }

    async fn cookie_consents(
        &self,
        site: &str,
        consent_id: &str,
    ) -> Result<Vec<CookieConsentRecord>, StoreError> {
        self.rows(sql::COOKIE_CONSENTS, vec![site.into(), consent_id.into()], cookie_from_row).await
    }
}

fn idempotent_answer(site: &str, key: &str, response: &StoredResponse, now: &str) -> Statement {
    Statement::new(
        sql::INSERT_IDEMPOTENT_RESPONSE,
        vec![
            site.into(),
            key.into(),
            (&response.request_mac).into(),
            i64::from(response.status).into(),
            (&response.body).into(),
            now.into(),
        ],
    )
}

pub(crate) fn cookie_from_row(r: &Row) -> Result<CookieConsentRecord, StoreError> {
    Ok(CookieConsentRecord {
        id: r.text("id")?,
        site_id: r.text("site_id")?,
        consent_id: r.text("consent_id")?,
        categories: r.json("categories")?,
        policy_version: r.u32("policy_version")?,
        wording_sha256: r.text("wording_sha256")?,
        choice: r.parsed("choice")?,
        reject_on_first_layer: r.int("reject_on_first_layer")? != 0,
        gpc: r.int("gpc")? != 0,
        server_time: r.text("server_time")?,
        client_time: r.opt_text("client_time")?,
        user_agent: r.opt_text("user_agent")?,
        ip_truncated: r.opt_text("ip_truncated")?,
        rule_set: r.opt_parsed("rule_set")?,
    })
}

pub(crate) fn link_version(r: &Row) -> Result<u8, StoreError> {
    u8::try_from(r.int("version")?).map_err(|_| StoreError::Decode("version: out of range".into()))
}

fn insert_event(e: &ConsentEvent, mark: Option<&str>) -> Statement {
    Statement::new(
        sql::INSERT_EVENT,
        vec![
            (&e.id).into(),
            (&e.site_id).into(),
            (&e.subject).into(),
            (&e.purpose).into(),
            e.channel.as_str().into(),
            e.action.as_str().into(),
            e.wording_version.into(),
            (&e.wording_sha256).into(),
            (&e.lang).into(),
            e.method.as_str().into(),
            e.source_url.as_ref().into(),
            (&e.server_time).into(),
            e.client_time.as_ref().into(),
            e.user_agent.as_ref().into(),
            e.ip_truncated.as_ref().into(),
            e.gpc.into(),
            e.idempotency_key.as_ref().into(),
            e.request_origin.as_ref().into(),
            e.fetch_site.as_ref().into(),
            mark.into(),
            e.support_context.map(SupportContext::as_str).into(),
            e.direct_from_person.into(),
        ],
    )
}

pub(crate) fn event_from_row(r: &Row) -> Result<ConsentEvent, StoreError> {
    Ok(ConsentEvent {
        id: r.text("id")?,
        site_id: r.text("site_id")?,
        subject: r.text("subject")?,
        purpose: r.text("purpose")?,
        channel: r.parsed("channel")?,
        action: r.parsed("action")?,
        wording_version: r.u32("wording_version")?,
        wording_sha256: r.text("wording_sha256")?,
        lang: r.text("lang")?,
        method: r.parsed::<Method>("method")?,
        source_url: r.opt_text("source_url")?,
        server_time: r.text("server_time")?,
        client_time: r.opt_text("client_time")?,
        user_agent: r.opt_text("user_agent")?,
        ip_truncated: r.opt_text("ip_truncated")?,
        gpc: r.int("gpc")? != 0,
        idempotency_key: r.opt_text("idempotency_key")?,
        request_origin: r.opt_text("request_origin")?,
        fetch_site: r.opt_text("fetch_site")?,
        support_context: r.opt_parsed("support_context")?,
        direct_from_person: r.opt_int("direct_from_person")?.map(|d| d != 0),
    })
}

/// The statements that store `site` (its row written with `site_sql`: `UPSERT_SITE`, or
/// `INSERT_NEW_SITE` to fail with `Conflict` when the id is taken), in one batch's order.
pub(crate) fn site_statements(site: &SiteConfig, now: &str, site_sql: &'static str) -> Vec<Statement> {
    let org = &site.organisation;
    let mut batch = vec![
        Statement::new(
            site_sql,
            vec![
                (&site.id).into(),
                (&org.name).into(),
                (&org.contact_email).into(),
                (&org.postal_address).into(),
                (&org.privacy_notice_url).into(),
                (&org.cookie_policy_url).into(),
                (&site.default_lang).into(),
                site.policy_version.into(),
                now.into(),
                site.double_opt_in.into(),
                org.charity_number.as_ref().into(),
                site.region_rules.uk.as_str().into(),
                site.region_rules.eea.as_str().into(),
                site.region_rules.other.as_str().into(),
            ],
        ),
        Statement::new(sql::DELETE_SITE_ORIGINS, vec![(&site.id).into()]),
    ];
    for origin in &site.allowed_origins {
        batch.push(Statement::new(sql::INSERT_SITE_ORIGIN, vec![(&site.id).into(), origin.into()]));
    }
    for (position, pc) in site.purposes.iter().enumerate() {
        let channel = pc.channel.as_str();
        batch.push(Statement::new(
            sql::UPSERT_PURPOSE_CHANNEL,
            vec![
                (&site.id).into(),
                (&pc.purpose).into(),
                channel.into(),
                pc.current_version.into(),
                (position as i64).into(),
                pc.basis.as_str().into(),
                pc.furthers_charitable_purposes.into(),
            ],
        ));
        for w in &pc.wordings {
            batch.push(Statement::new(
                sql::INSERT_WORDING,
                vec![
                    (&site.id).into(),
                    (&pc.purpose).into(),
                    channel.into(),
                    w.version.into(),
                    (&w.lang).into(),
                    (&w.label).into(),
                    (&w.text).into(),
                    (&w.sha256).into(),
                    now.into(),
                    w.refusal.as_ref().into(),
                ],
            ));
        }
    }
    batch.push(Statement::new(sql::DELETE_COOKIE_CATEGORIES, vec![(&site.id).into()]));
    for (position, c) in site.cookie_categories.iter().enumerate() {
        let texts = serde_json::to_string(&c.texts).expect("texts serialise");
        let consent_mode = serde_json::to_string(&c.consent_mode).expect("signals serialise");
        batch.push(Statement::new(
            sql::INSERT_COOKIE_CATEGORY,
            vec![
                (&site.id).into(),
                (&c.key).into(),
                c.required.into(),
                (position as i64).into(),
                texts.into(),
                consent_mode.into(),
                c.basis.as_str().into(),
            ],
        ));
        batch.extend(versions::category_text_versions(&site.id, c, now));
    }
    for b in &site.banner {
        batch.push(Statement::new(
            sql::INSERT_BANNER_WORDING,
            vec![
                (&site.id).into(),
                b.version.into(),
                (&b.lang).into(),
                (&b.text).into(),
                (&b.sha256).into(),
                now.into(),
            ],
        ));
    }
    batch
}
