//! The public site endpoints the widget uses: the form configuration and consent submissions.

use consent_shared::api::v1::{self, ConsentSubmission, PurposeOption};
use consent_shared::digest::sha256_hex;
use consent_shared::ledger::{plan_submission, validate_submission, RequestContext};
use consent_shared::site::SiteConfig;
use consent_shared::subject::subject_id;

use super::cors::{allowed_origin, preflight, with_cors};
use super::{error_response, require_method, App, RequestFacts, MAX_BODY_BYTES};
use crate::error::AppError;
use crate::http::{HttpRequest, HttpResponse};
use crate::store::{Store, StoreError, StoredResponse};

/// How often a submission re-reads the chain head after losing a race before answering 503.
const APPEND_ATTEMPTS: usize = 8;

/// Resolves the site and the caller's origin, runs `handler`, and puts CORS headers on whatever
/// comes back — errors included, so the widget can show the message.
async fn with_site<S: Store, F, Fut>(
    app: &App<S>,
    site_id: &str,
    req: &HttpRequest,
    handler: F,
) -> HttpResponse
where
    F: FnOnce(SiteConfig) -> Fut,
    Fut: std::future::Future<Output = Result<HttpResponse, AppError>>,
{
    let site = match app.store.site(site_id).await {
        Ok(Some(site)) => site,
        Ok(None) => {
            return error_response(&AppError::NotFound(format!("unknown site '{site_id}'")))
        }
        Err(e) => return error_response(&e.into()),
    };
    let origin = match allowed_origin(&site, req) {
        Ok(origin) => origin,
        Err(e) => return error_response(&e),
    };
    if req.method == "OPTIONS" {
        return preflight(origin.as_deref());
    }
    let response = handler(site).await.unwrap_or_else(|e| error_response(&e));
    with_cors(response, origin.as_deref())
}

pub async fn site_config<S: Store>(app: &App<S>, site_id: &str, req: &HttpRequest) -> HttpResponse {
    with_site(app, site_id, req, |site| async move {
        require_method(req, &["GET", "HEAD"])?;
        let lang = req
            .query_param("lang")
            .unwrap_or_else(|| site.default_lang.clone());
        Ok(HttpResponse::json(200, &public_config(&site, &lang))
            .with_header("cache-control", "no-store"))
    })
    .await
}

/// The site as a form shows it: current wording per purpose in `lang`, else the default language.
pub fn public_config(site: &SiteConfig, lang: &str) -> v1::SiteConfig {
    let purposes = site
        .purposes
        .iter()
        .filter_map(|pc| {
            let w = site.current_wording(pc, lang)?;
            Some(PurposeOption {
                purpose: pc.purpose.clone(),
                channel: pc.channel,
                wording_version: w.version,
                lang: w.lang.clone(),
                label: w.label.clone(),
                text: w.text.clone(),
                sha256: w.sha256.clone(),
            })
        })
        .collect::<Vec<_>>();
    let served_lang = purposes
        .first()
        .map_or_else(|| site.default_lang.clone(), |p| p.lang.clone());
    v1::SiteConfig {
        site: site.id.clone(),
        lang: served_lang,
        policy_version: site.policy_version,
        organisation: site.organisation.clone(),
        purposes,
    }
}

pub async fn submit<S: Store>(
    app: &App<S>,
    site_id: &str,
    req: &HttpRequest,
    facts: &mut RequestFacts<'_>,
) -> HttpResponse {
    with_site(app, site_id, req, |site| record(app, site, req, facts)).await
}

async fn record<S: Store>(
    app: &App<S>,
    site: SiteConfig,
    req: &HttpRequest,
    facts: &mut RequestFacts<'_>,
) -> Result<HttpResponse, AppError> {
    require_method(req, &["POST"])?;
    if req.body.len() > MAX_BODY_BYTES {
        return Err(AppError::PayloadTooLarge(MAX_BODY_BYTES));
    }
    let is_json = req.header("content-type").is_some_and(|ct| {
        ct.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .eq_ignore_ascii_case("application/json")
    });
    if !is_json {
        return Err(AppError::UnsupportedMediaType);
    }
    let key = idempotency_key(req)?;
    let submission: ConsentSubmission =
        serde_json::from_slice(&req.body).map_err(|e| AppError::BadJson(e.to_string()))?;
    let email = validate_submission(&site, &submission)?;
    let subject = subject_id(&app.config.subject_key, &site.id, &email);
    let request_sha256 = sha256_hex(&req.body);
    let ctx = RequestContext {
        now: facts.now,
        user_agent: req.header("user-agent").map(str::to_string),
        ip: req.header("cf-connecting-ip").map(str::to_string),
        gpc: req.header("sec-gpc") == Some("1"),
        idempotency_key: key.clone(),
    };

    for _ in 0..APPEND_ATTEMPTS {
        if let Some(key) = &key {
            if let Some(previous) = app.store.idempotent_response(&site.id, key).await? {
                return replay(previous, &request_sha256);
            }
        }
        let head = app.store.chain_head(&site.id).await?;
        let mut ids = std::iter::from_fn(|| Some((facts.new_id)()));
        let plan = plan_submission(
            &site,
            &submission,
            email.clone(),
            subject.clone(),
            &ctx,
            &head,
            &mut ids,
        );
        let body = serde_json::to_string(&plan.receipt()).expect("receipts serialise");
        let answer = StoredResponse {
            request_sha256: request_sha256.clone(),
            status: 201,
            body,
        };
        match app
            .store
            .record_submission(&plan, key.as_deref().map(|k| (k, &answer)))
            .await
        {
            Ok(()) => return Ok(HttpResponse::raw_json(201, answer.body)),
            // Another request took our place in the chain (or our key): re-read and try again.
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
    Ok(HttpResponse::raw_json(previous.status, previous.body)
        .with_header("idempotent-replayed", "true"))
}

/// `Idempotency-Key`: optional, 1–128 visible ASCII characters without spaces.
fn idempotency_key(req: &HttpRequest) -> Result<Option<String>, AppError> {
    match req.header("idempotency-key") {
        None => Ok(None),
        Some(k) if (1..=128).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()) => {
            Ok(Some(k.to_string()))
        }
        Some(_) => Err(AppError::BadRequest(
            "Idempotency-Key must be 1 to 128 visible ASCII characters".into(),
        )),
    }
}
