//! Appending to the ledger — the one path every grant and withdrawal takes, whatever endpoint
//! it arrives through — and sealing what was appended into the site's hash chain.
//!
//! An append is one atomic write with no read before it, so concurrent submissions never
//! contend: the database enforces suppression (a trigger) and idempotency (a unique key), and a
//! repeated Idempotency-Key gets the first answer back unchanged. Sealing links written events
//! into the chain afterwards, in write order; two sealers racing is harmless (one wins, the
//! other stops). Each event is written with its append mark (HMAC under `LEDGER_KEY`), and
//! sealing stops in front of a row whose mark is missing or wrong: a row written straight into
//! the database is never chained, and verification names it. Cookie decisions are sealed the
//! same way into their own per-site chain.

use chrono::{DateTime, Utc};
use consent_shared::api::v1::ConsentReceipt;
use consent_shared::chain::{seal_cookies, ChainHead};
use consent_shared::consent::{ConsentEvent, CookieConsentRecord};
use consent_shared::digest::hmac_sha256_hex;
use consent_shared::email::Email;
use consent_shared::ledger::{
    plan_events, seal, Choice, Provenance, RequestContext, SubmissionPlan, SEAL_BATCH,
};
use consent_shared::site::SiteConfig;
use consent_shared::subject::subject_id;
use consent_shared::time::format_utc;

use super::{App, RequestFacts};
use crate::error::AppError;
use crate::http::{HttpRequest, HttpResponse};
use crate::store::{Store, StoreError, StoredResponse};

/// How long an isolate lets written events wait before it seals them on its next append.
pub const SEAL_EVERY_SECS: i64 = 5;

/// Request facts every ledger event records. `request_origin` is left empty: only an endpoint
/// that checked the `Origin` against the site's registered origins fills it in.
pub fn request_context(req: &HttpRequest, facts: &RequestFacts<'_>) -> Result<RequestContext, AppError> {
    Ok(RequestContext {
        now: facts.now,
        user_agent: req.header("user-agent").map(str::to_string),
        ip: req.header("cf-connecting-ip").map(str::to_string),
        gpc: req.header("sec-gpc") == Some("1"),
        idempotency_key: idempotency_key(req)?,
        request_origin: None,
        fetch_site: fetch_site(req),
    })
}

/// `Sec-Fetch-Site` when it holds one of the values browsers send (anything else is not kept).
fn fetch_site(req: &HttpRequest) -> Option<String> {
    let value = req.header("sec-fetch-site")?.trim().to_ascii_lowercase();
    matches!(value.as_str(), "same-origin" | "same-site" | "cross-site" | "none").then_some(value)
}

/// Who gets the answer to an append, which decides what the answer holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answering {
    /// A public form (anyone on the internet): the receipt has no event ids, and a suppressed
    /// address gets the receipt it would have had — kept under its Idempotency-Key like any
    /// other — so the answer never tells whether an address is suppressed or erased.
    Public,
    /// The admin key or the person's own signed link: event ids, and suppression is said.
    Trusted,
}

/// What an append did. Only the HTTP edge turns it into a status.
#[derive(Debug)]
pub enum Appended {
    /// The events were written; `answer` is the receipt (also kept for the Idempotency-Key).
    Recorded(StoredResponse),
    /// A repeat of an earlier request with the same Idempotency-Key: nothing written, and the
    /// answer first given.
    Replayed(StoredResponse),
    /// Nothing written: the subject is suppressed (or erased). `answer` is the receipt the
    /// request would have had; for `Answering::Public` it is kept for the Idempotency-Key
    /// (after the response).
    Suppressed(StoredResponse),
}

/// Records `choices` for `email`.
#[allow(clippy::too_many_arguments)]
pub async fn append<S: Store + 'static>(
    app: &App<S>,
    site: &SiteConfig,
    email: Email,
    choices: &[Choice],
    provenance: &Provenance,
    ctx: &RequestContext,
    answering: Answering,
    req: &HttpRequest,
    facts: &mut RequestFacts<'_>,
) -> Result<Appended, AppError> {
    let subject = subject_id(&app.config.subject_key, &site.id, &email);
    append_for_subject(app, site, subject, Some(email), choices, provenance, ctx, answering, req, facts).await
}

/// `append` for a subject known only by its id (links carry no email); `email`, when given,
/// is stored for the subject.
#[allow(clippy::too_many_arguments)]
pub async fn append_for_subject<S: Store + 'static>(
    app: &App<S>,
    site: &SiteConfig,
    subject: String,
    email: Option<Email>,
    choices: &[Choice],
    provenance: &Provenance,
    ctx: &RequestContext,
    answering: Answering,
    req: &HttpRequest,
    facts: &mut RequestFacts<'_>,
) -> Result<Appended, AppError> {
    let request_mac = idempotency_mac(&app.config.subject_key, &site.id, &req.body);
    let key = ctx.idempotency_key.as_deref();
    let plan = plan(app, site, subject, email, choices, provenance, ctx, facts);
    let receipt = match answering {
        Answering::Public => plan.public_receipt(),
        Answering::Trusted => plan.receipt(),
    };
    let body = serde_json::to_string(&receipt).expect("receipts serialise");
    let answer = StoredResponse { request_mac: request_mac.clone(), status: 201, body };
    match app.store.record_submission(&plan, key.map(|k| (k, &answer))).await {
        Ok(()) => {}
        Err(StoreError::Suppressed) => {
            if let (Answering::Public, Some(k)) = (answering, key) {
                keep_answer_later(app, facts, &site.id, k, answer.clone());
            }
            return Ok(Appended::Suppressed(answer));
        }
        // The key is taken: this is a retry (or a reuse) of an earlier request.
        Err(StoreError::Conflict) if key.is_some() => {
            let previous = app.store.idempotent_response(&site.id, key.unwrap_or_default()).await?;
            let previous =
                previous.ok_or_else(|| AppError::Internal("conflict without a stored answer".into()))?;
            if previous.request_mac != request_mac {
                return Err(AppError::IdempotencyKeyReused);
            }
            return Ok(Appended::Replayed(previous));
        }
        Err(e) => return Err(e.into()),
    }
    seal_later_if_due(app, &site.id, facts);
    Ok(Appended::Recorded(answer))
}

/// The events an append of `choices` for `subject` writes, each with its append mark.
#[allow(clippy::too_many_arguments)]
fn plan<S>(
    app: &App<S>,
    site: &SiteConfig,
    subject: String,
    email: Option<Email>,
    choices: &[Choice],
    provenance: &Provenance,
    ctx: &RequestContext,
    facts: &mut RequestFacts<'_>,
) -> SubmissionPlan {
    let mut ids = std::iter::from_fn(|| Some((facts.new_id)()));
    let mut plan = plan_events(site, email, subject, choices, provenance, ctx, &mut ids);
    plan.mark(&app.config.ledger_key);
    plan
}

/// The receipt a public form's append of `choices` for `email` answers with (no event ids),
/// planned exactly as `append` plans it but written nowhere: the console's live preview
/// (`embed_preview`) answers with it.
pub fn unwritten_public_receipt<S>(
    app: &App<S>,
    site: &SiteConfig,
    email: Email,
    choices: &[Choice],
    provenance: &Provenance,
    ctx: &RequestContext,
    facts: &mut RequestFacts<'_>,
) -> ConsentReceipt {
    let subject = subject_id(&app.config.subject_key, &site.id, &email);
    plan(app, site, subject, Some(email), choices, provenance, ctx, facts).public_receipt()
}

/// Seals `site` after the response when this isolate is due to. Never before the answer: a
/// write that was refused (a suppressed address) seals nothing, so sealing first would answer
/// recorded submissions measurably later and tell who is suppressed. Best effort: whatever is
/// not sealed now is sealed by the next sealer (another append, the cron, `verify`).
pub(crate) fn seal_later_if_due<S: Store + 'static>(app: &App<S>, site: &str, facts: &mut RequestFacts<'_>) {
    if !app.isolate.seal_due(site, facts.now) {
        return;
    }
    let store = std::rc::Rc::clone(&app.store);
    let key = app.config.ledger_key.clone();
    let (site, now) = (site.to_string(), facts.now);
    facts.later.push(Box::pin(async move {
        if let Err(e) = seal_store(&*store, &key, &site, now).await {
            super::log_internal(&format!("sealing {site} failed: {e}"));
        }
    }));
}

/// Nothing was recorded, but a retry must replay this answer, as for any address. Kept after
/// the response, so a suppressed address takes no more round trips before its answer than any
/// other. (A retry that arrives first is answered alike and tries again.)
fn keep_answer_later<S: Store + 'static>(
    app: &App<S>,
    facts: &mut RequestFacts<'_>,
    site: &str,
    key: &str,
    answer: StoredResponse,
) {
    let store = std::rc::Rc::clone(&app.store);
    let (site, key, now) = (site.to_string(), key.to_string(), format_utc(facts.now));
    facts.later.push(Box::pin(async move {
        match store.keep_answer(&site, &key, &answer, &now).await {
            // Taken meanwhile by a retry of the same request: that one is kept.
            Ok(()) | Err(StoreError::Conflict) => {}
            Err(e) => super::log_internal(&format!("answer for a suppressed address not kept: {e}")),
        }
    }));
}

impl Appended {
    /// The answer for a client that may be told nothing about the address (the public form):
    /// a suppressed address gets the same 201 receipt as any other.
    pub fn into_public_response(self) -> HttpResponse {
        match self {
            Appended::Recorded(a) | Appended::Suppressed(a) => HttpResponse::raw_json(a.status, a.body),
            Appended::Replayed(a) => replayed(a),
        }
    }

    /// The answer for the admin key: suppression is an error the caller must see (409).
    pub fn into_trusted_response(self, site: &SiteConfig) -> Result<HttpResponse, AppError> {
        match self {
            Appended::Recorded(a) => Ok(HttpResponse::raw_json(a.status, a.body)),
            Appended::Replayed(a) => Ok(replayed(a)),
            Appended::Suppressed(_) => {
                Err(AppError::Suppressed { contact: site.organisation.contact_email.clone() })
            }
        }
    }
}

fn replayed(previous: StoredResponse) -> HttpResponse {
    HttpResponse::raw_json(previous.status, previous.body).with_header("idempotent-replayed", "true")
}

/// A row sealing stopped in front of: it did not come through the append path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsealable {
    pub id: String,
    /// Write position (`consent_events.pos`, or the cookie decision's rowid).
    pub pos: i64,
    pub reason: &'static str,
}

/// Where each of a site's chains stopped, if sealing could not reach the end.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SealOutcome {
    pub events_blocked: Option<Unsealable>,
    pub cookies_blocked: Option<Unsealable>,
}

/// Chains every written-but-unsealed event and cookie decision of `site`, a batch at a time,
/// up to the first row without a valid append mark. Stops quietly when another sealer is at
/// work (it will finish the job).
pub async fn seal_pending<S: Store>(
    app: &App<S>,
    site: &str,
    now: DateTime<Utc>,
) -> Result<SealOutcome, StoreError> {
    seal_store(&*app.store, &app.config.ledger_key, site, now).await
}

/// `seal_pending` with what it needs, so it can also run after the response.
async fn seal_store<S: Store>(
    store: &S,
    ledger_key: &[u8],
    site: &str,
    now: DateTime<Utc>,
) -> Result<SealOutcome, StoreError> {
    if ledger_key.is_empty() {
        return Err(StoreError::Backend("LEDGER_KEY is not set: nothing can be sealed".into()));
    }
    let sealed_at = format_utc(now);
    let events_blocked = seal_chain(
        || async { store.chain_head(site).await },
        || async {
            let rows = store.unsealed_events(site, 0, SEAL_BATCH as u32).await?;
            Ok(rows.into_iter().map(|m| (m.problem(ledger_key), m.pos, m.event)).collect())
        },
        |head: ChainHead, events: Vec<ConsentEvent>| {
            let links = seal(ledger_key, &head, &events);
            let sealed_at = &sealed_at;
            async move { store.append_links(&links, sealed_at).await }
        },
        |e: &ConsentEvent| e.id.clone(),
    )
    .await?;
    let cookies_blocked = seal_chain(
        || async { store.cookie_chain_head(site).await },
        || async {
            let rows = store.unsealed_cookies(site, SEAL_BATCH as u32).await?;
            Ok(rows.into_iter().map(|m| (m.problem(ledger_key), m.pos, m.record)).collect())
        },
        |head: ChainHead, records: Vec<CookieConsentRecord>| {
            let links = seal_cookies(ledger_key, &head, &records);
            let sealed_at = &sealed_at;
            async move { store.append_cookie_links(&links, sealed_at).await }
        },
        |r: &CookieConsentRecord| r.id.clone(),
    )
    .await?;
    Ok(SealOutcome { events_blocked, cookies_blocked })
}

/// One chain's sealing loop: read the head and a batch of unsealed rows (each with its mark
/// problem, if any), seal the marked prefix, stop at the first unmarked row.
async fn seal_chain<T, Head, HeadF, Pending, PendingF, Append, AppendF>(
    head: Head,
    pending: Pending,
    append: Append,
    id_of: impl Fn(&T) -> String,
) -> Result<Option<Unsealable>, StoreError>
where
    Head: Fn() -> HeadF,
    HeadF: std::future::Future<Output = Result<ChainHead, StoreError>>,
    Pending: Fn() -> PendingF,
    PendingF: std::future::Future<Output = Result<Vec<(Option<&'static str>, i64, T)>, StoreError>>,
    Append: Fn(ChainHead, Vec<T>) -> AppendF,
    AppendF: std::future::Future<Output = Result<(), StoreError>>,
{
    loop {
        let head = head().await?;
        let rows = pending().await?;
        let full_batch = rows.len() >= SEAL_BATCH;
        let mut sealable = Vec::with_capacity(rows.len());
        let mut blocked = None;
        for (problem, pos, item) in rows {
            if let Some(reason) = problem {
                blocked = Some(Unsealable { id: id_of(&item), pos, reason });
                break;
            }
            sealable.push(item);
        }
        if sealable.is_empty() {
            return Ok(blocked);
        }
        match append(head, sealable).await {
            Ok(()) if blocked.is_some() || !full_batch => return Ok(blocked),
            Ok(()) => continue,
            Err(StoreError::Conflict) => return Ok(None),
            Err(e) => return Err(e),
        }
    }
}

/// What an idempotency row keeps of the request: a keyed HMAC of its body. The body holds an
/// email address, so a plain hash would let anyone holding the table test a list of addresses
/// against it, erased people's included.
fn idempotency_mac(key: &[u8], site: &str, body: &[u8]) -> String {
    let mut message = format!("idempotency:v1\n{site}\n").into_bytes();
    message.extend_from_slice(body);
    hmac_sha256_hex(key, &message)
}

/// `Idempotency-Key`: optional, 1–128 visible ASCII characters without spaces.
pub(crate) fn idempotency_key(req: &HttpRequest) -> Result<Option<String>, AppError> {
    match req.header("idempotency-key") {
        None => Ok(None),
        Some(k) if (1..=128).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()) => {
            Ok(Some(k.to_string()))
        }
        Some(_) => {
            Err(AppError::BadRequest("Idempotency-Key must be 1 to 128 visible ASCII characters".into()))
        }
    }
}
