//! The `#[event(fetch)]` entry point — deliberately thin: convert, delegate to `App`, convert back.

use std::rc::Rc;

use chrono::Utc;
use consent_shared::token::keys_or_derived;
use futures_util::TryStreamExt;
use worker::{event, Context, Env, Headers, Request, Response, Result, ScheduleContext, ScheduledEvent};

use crate::app::anchors::{seal_and_anchor_all, AnchorStore};
use crate::app::isolate::IsolateState;
use crate::app::mail::Mailer;
use crate::app::upkeep::purge_expired;
use crate::app::{App, AppConfig, RequestFacts, MAX_BODY_BYTES};
use crate::error::AppError;
use crate::http::{HttpRequest, HttpResponse};
use crate::mailer::HttpMailer;
use crate::r2_anchors::R2Anchors;
use crate::store::d1::D1Executor;
use crate::store::SqlStore;

thread_local! {
    /// What this isolate remembers between requests (plain data only).
    static ISOLATE: Rc<IsolateState> = Rc::new(IsolateState::default());
}

fn app_config(env: &Env) -> std::result::Result<AppConfig, AppError> {
    let Ok(subject_key) = env.secret("SUBJECT_KEY").map(|s| s.to_string()) else {
        worker::console_error!("SUBJECT_KEY is not set: refusing to run without the subject HMAC key");
        return Err(AppError::Internal("SUBJECT_KEY missing".into()));
    };
    let token_spec = env.secret("TOKEN_KEYS").ok().map(|s| s.to_string());
    let token_keys = keys_or_derived(token_spec.as_deref(), subject_key.as_bytes()).map_err(|e| {
        worker::console_error!("TOKEN_KEYS: {e}");
        AppError::Internal("TOKEN_KEYS invalid".into())
    })?;
    Ok(AppConfig {
        admin_key: env.secret("ADMIN_KEY").ok().map(|s| s.to_string()).filter(|k| !k.is_empty()),
        subject_key: subject_key.into_bytes(),
        ledger_key: env.secret("LEDGER_KEY").map(|s| s.to_string().into_bytes()).unwrap_or_default(),
        token_keys,
        contract_tests: env.var("CONTRACT_TESTS").is_ok_and(|v| v.to_string() == "1"),
    })
}

/// The email API, when `MAIL_API_URL`, `MAIL_API_KEY` and `MAIL_FROM` are all set.
fn mailer(env: &Env) -> Option<Rc<dyn Mailer>> {
    let from = env.var("MAIL_FROM").ok()?.to_string();
    let url = env.secret("MAIL_API_URL").ok()?.to_string();
    let key = env.secret("MAIL_API_KEY").ok()?.to_string();
    if url.is_empty() || key.is_empty() || from.is_empty() {
        return None;
    }
    Some(Rc::new(HttpMailer::new(url, key, &from)))
}

/// The anchor store: the `ANCHORS` R2 bucket, when bound.
fn anchors(env: &Env) -> Option<Rc<dyn AnchorStore>> {
    env.bucket("ANCHORS").ok().map(|b| Rc::new(R2Anchors::new(b)) as Rc<dyn AnchorStore>)
}

/// The cron trigger: seals whatever every site has written since the last seal, then writes
/// each site's signed heads to the anchor store.
#[event(scheduled)]
async fn scheduled(_event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    let (Ok(config), Ok(db)) = (app_config(&env), env.d1("DB")) else { return };
    let mut app = App::new(SqlStore::new(D1Executor::new(db)), config);
    if let Some(anchors) = anchors(&env) {
        app = app.with_anchors(anchors);
    }
    for problem in seal_and_anchor_all(&app, Utc::now()).await {
        worker::console_error!("{problem}");
    }
    purge_expired(&app, Utc::now()).await;
}

#[event(fetch)]
async fn fetch(mut req: Request, env: Env, ctx: Context) -> Result<Response> {
    let config = match app_config(&env) {
        Ok(config) => config,
        Err(e) => return to_worker(e.to_response()),
    };
    let declared_len = req.headers().get("content-length")?.and_then(|l| l.parse::<usize>().ok());
    if declared_len.is_some_and(|len| len > MAX_BODY_BYTES) {
        return to_worker(AppError::PayloadTooLarge(MAX_BODY_BYTES).to_response());
    }
    let url = req.url()?;
    let has_body =
        !matches!(req.method(), worker::Method::Get | worker::Method::Head | worker::Method::Options);
    let http_req = HttpRequest {
        method: req.method().to_string(),
        origin: url.origin().ascii_serialization(),
        path: url.path().to_string(),
        query: url.query().unwrap_or("").to_string(),
        headers: req.headers().entries().map(|(n, v)| (n.to_ascii_lowercase(), v)).collect(),
        body: if has_body { req.bytes().await? } else { Vec::new() },
    };
    let store = SqlStore::new(D1Executor::new(env.d1("DB")?));
    let mut new_id = || uuid::Uuid::new_v4().to_string();
    let mut facts = RequestFacts { now: Utc::now(), new_id: &mut new_id, later: Vec::new() };
    let mut app = App::new(store, config).with_isolate(ISOLATE.with(Rc::clone));
    if let Some(mailer) = mailer(&env) {
        app = app.with_mailer(mailer);
    }
    if let Some(anchors) = anchors(&env) {
        app = app.with_anchors(anchors);
    }
    let response = app.handle(&http_req, &mut facts).await;
    // Mail goes out after the response, so its timing says nothing about the request.
    for work in facts.later {
        ctx.wait_until(work);
    }
    to_worker(response)
}

fn to_worker(mut response: HttpResponse) -> Result<Response> {
    let headers = Headers::new();
    for (name, value) in &response.headers {
        headers.append(name, value)?;
    }
    let body = match response.stream.take() {
        Some(stream) => Response::from_stream(stream.map_err(worker::Error::RustError))?,
        None => Response::from_bytes(response.body)?,
    };
    Ok(body.with_status(response.status).with_headers(headers))
}
