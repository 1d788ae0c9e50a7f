//! Appending to the ledger — the one path every grant and withdrawal takes, whatever endpoint
//! it arrives through — and sealing what was appended into the site's hash chain.
//!
//! An append is one atomic write with no read before it, so concurrent submissions never
//! contend: the database enforces suppression (a trigger) and idempotency (a unique key), and a
//! repeated Idempotency-Key gets the first answer back unchanged. Sealing links written events
//! into the chain afterwards, in write order; two sealers racing is harmless (one wins, the
//! other stops).

use chrono::{DateTime, Utc};
use consent_shared::digest::hmac_sha256_hex;
use consent_shared::email::Email;
use consent_shared::ledger::{plan_events, seal, Choice, Provenance, RequestContext, SEAL_BATCH};
use consent_shared::site::SiteConfig;
use consent_shared::subject::subject_id;
use consent_shared::time::format_utc;

use super::{App, RequestFacts};
use crate::error::AppError;
use crate::http::{HttpRequest, HttpResponse};
use crate::store::{Store, StoreError, StoredResponse};

/// How long an isolate lets written events wait before it seals them on its next append.
pub const SEAL_EVERY_SECS: i64 = 5;

/// Request facts every ledger event records.
pub fn request_context(req: &HttpRequest, facts: &RequestFacts<'_>) -> Result<RequestContext, AppError> {
    Ok(RequestContext {
        now: facts.now,
        user_agent: req.header("user-agent").map(str::to_string),
        ip: req.header("cf-connecting-ip").map(str::to_string),
        gpc: req.header("sec-gpc") == Some("1"),
        idempotency_key: idempotency_key(req)?,
    })
}

/// Records `choices` for `email` and answers 201 with the receipt.
#[allow(clippy::too_many_arguments)]
pub async fn append<S: Store + 'static>(
    app: &App<S>,
    site: &SiteConfig,
    email: Email,
    choices: &[Choice],
    provenance: &Provenance,
    ctx: &RequestContext,
    req: &HttpRequest,
    facts: &mut RequestFacts<'_>,
) -> Result<HttpResponse, AppError> {
    let subject = subject_id(&app.config.subject_key, &site.id, &email);
    append_for_subject(app, site, subject, Some(email), choices, provenance, ctx, req, facts).await
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
    req: &HttpRequest,
    facts: &mut RequestFacts<'_>,
) -> Result<HttpResponse, AppError> {
    let request_mac = idempotency_mac(&app.config.subject_key, &site.id, &req.body);
    let key = ctx.idempotency_key.as_deref();
    let mut ids = std::iter::from_fn(|| Some((facts.new_id)()));
    let plan = plan_events(site, email, subject, choices, provenance, ctx, &mut ids);
    let body = serde_json::to_string(&plan.receipt()).expect("receipts serialise");
    let answer = StoredResponse { request_mac: request_mac.clone(), status: 201, body };
    match app.store.record_submission(&plan, key.map(|k| (k, &answer))).await {
        Ok(()) => {}
        Err(StoreError::Suppressed) => {
            return Err(AppError::Suppressed { contact: site.organisation.contact_email.clone() });
        }
        // The key is taken: this is a retry (or a reuse) of an earlier request.
        Err(StoreError::Conflict) if key.is_some() => {
            let previous = app.store.idempotent_response(&site.id, key.unwrap_or_default()).await?;
            let previous =
                previous.ok_or_else(|| AppError::Internal("conflict without a stored answer".into()))?;
            return replay(previous, &request_mac);
        }
        Err(e) => return Err(e.into()),
    }
    if app.isolate.seal_due(&site.id, facts.now) {
        // Best effort: whatever is not sealed now is sealed by the next sealer.
        if let Err(e) = seal_pending(app, &site.id, facts.now).await {
            super::log_internal(&format!("sealing {} failed: {e}", site.id));
        }
    }
    Ok(HttpResponse::raw_json(201, answer.body))
}

/// Chains every written-but-unsealed event of `site`, a batch at a time. Stops quietly when
/// another sealer is at work (it will finish the job).
pub async fn seal_pending<S: Store>(app: &App<S>, site: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
    let sealed_at = format_utc(now);
    loop {
        let head = app.store.chain_head(site).await?;
        let pending = app.store.pending_events(site, SEAL_BATCH as u32).await?;
        if pending.is_empty() {
            return Ok(());
        }
        match app.store.append_links(&seal(&head, &pending), &sealed_at).await {
            Ok(()) if pending.len() < SEAL_BATCH => return Ok(()),
            Ok(()) => continue,
            Err(StoreError::Conflict) => return Ok(()),
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

fn replay(previous: StoredResponse, request_mac: &str) -> Result<HttpResponse, AppError> {
    if previous.request_mac != request_mac {
        return Err(AppError::IdempotencyKeyReused);
    }
    Ok(HttpResponse::raw_json(previous.status, previous.body).with_header("idempotent-replayed", "true"))
}

/// `Idempotency-Key`: optional, 1–128 visible ASCII characters without spaces.
fn idempotency_key(req: &HttpRequest) -> Result<Option<String>, AppError> {
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
