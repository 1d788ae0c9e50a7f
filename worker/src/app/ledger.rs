//! Appending to the ledger: the one path every grant and withdrawal takes, whatever endpoint it
//! arrives through. Suppression is checked, the chain is extended optimistically (re-read and
//! retry when another request got there first), and a repeated Idempotency-Key gets the first
//! answer back unchanged.

use consent_shared::consent::Action;
use consent_shared::digest::sha256_hex;
use consent_shared::email::Email;
use consent_shared::ledger::{plan_events, Choice, Provenance, RequestContext};
use consent_shared::site::SiteConfig;
use consent_shared::subject::subject_id;

use super::{App, RequestFacts};
use crate::error::AppError;
use crate::http::{HttpRequest, HttpResponse};
use crate::store::{Store, StoreError, StoredResponse};

/// How often an append re-reads the chain head after losing a race before answering 503.
const APPEND_ATTEMPTS: usize = 8;

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
    let request_sha256 = sha256_hex(&req.body);
    let key = ctx.idempotency_key.as_deref();
    let grants = choices.iter().any(|c| c.action == Action::Granted);
    for _ in 0..APPEND_ATTEMPTS {
        let known = app.store.append_context(&site.id, &subject, key).await?;
        if let Some(previous) = known.previous {
            return replay(previous, &request_sha256);
        }
        if grants && known.suppressed {
            return Err(AppError::Suppressed { contact: site.organisation.contact_email.clone() });
        }
        let mut ids = std::iter::from_fn(|| Some((facts.new_id)()));
        let plan = plan_events(
            site,
            email.clone(),
            subject.clone(),
            choices,
            provenance,
            ctx,
            &known.head,
            &mut ids,
        );
        let body = serde_json::to_string(&plan.receipt()).expect("receipts serialise");
        let answer = StoredResponse { request_sha256: request_sha256.clone(), status: 201, body };
        match app.store.record_submission(&plan, key.map(|k| (k, &answer))).await {
            Ok(()) => return Ok(HttpResponse::raw_json(201, answer.body)),
            // Another isolate took our place in the chain (or our key): re-read and try again.
            Err(StoreError::Conflict) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::Busy)
}

fn replay(previous: StoredResponse, request_sha256: &str) -> Result<HttpResponse, AppError> {
    if previous.request_sha256 != request_sha256 {
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
