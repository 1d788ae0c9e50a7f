//! The `#[event(fetch)]` entry point — deliberately thin: convert, delegate to `App`, convert back.

use std::cell::OnceCell;
use std::rc::Rc;

use chrono::Utc;
use futures_util::{StreamExt, TryStreamExt};
use worker::wasm_bindgen_futures::JsFuture;
use worker::{
    event, js_sys, web_sys, Context, Env, Headers, Request, Response, Result, ScheduleContext, ScheduledEvent,
};

use crate::app::anchors::{seal_and_anchor_all, AnchorStore};
use crate::app::isolate::IsolateState;
use crate::app::mail::Mailer;
use crate::app::rate_limit::{AllowFuture, Limit, RateLimiter};
use crate::app::register_digest::send_register_digests;
use crate::app::upkeep::purge_expired;
use crate::app::{body_cap, too_large_answer, App, AppConfig, RequestFacts};
use crate::error::AppError;
use crate::http::{read_capped, BodyError, HttpRequest, HttpResponse};
use crate::mailer::HttpMailer;
use crate::r2_anchors::R2Anchors;
use crate::store::d1::D1Executor;
use crate::store::SqlStore;

thread_local! {
    /// What this isolate remembers between requests (plain data only).
    static ISOLATE: Rc<IsolateState> = Rc::new(IsolateState::default());
    /// The configuration, read (and its warnings logged) once per isolate: secrets and vars
    /// only change with a new deployment, which starts new isolates.
    static CONFIG: OnceCell<std::result::Result<AppConfig, String>> = const { OnceCell::new() };
    /// The mailer, built once per isolate for the same reason (it holds only its settings).
    static MAILER: OnceCell<Option<Rc<dyn Mailer>>> = const { OnceCell::new() };
}

fn app_config(env: &Env) -> std::result::Result<AppConfig, AppError> {
    let loaded = CONFIG.with(|cell| {
        cell.get_or_init(|| {
            let lookup = |name: &str| env.secret(name).ok().map(|v| v.to_string());
            match AppConfig::from_env(lookup) {
                Ok(loaded) => {
                    for warning in &loaded.warnings {
                        worker::console_warn!("config: {warning}");
                    }
                    Ok(loaded.config)
                }
                Err(e) => {
                    worker::console_error!("config: {e}");
                    Err(e)
                }
            }
        })
        .clone()
    });
    loaded.map_err(|_| AppError::Unavailable("this service is not configured correctly".into()))
}

/// How much of a refused oversized body is read and dropped before the 413 (the platform caps
/// request bodies itself; beyond this the answer comes at once and the upload may be reset).
const DRAIN_AFTER_REFUSAL_BYTES: usize = 32 * 1024 * 1024;

/// Reads what is left of a request body and drops it chunk by chunk (never kept), up to
/// `DRAIN_AFTER_REFUSAL_BYTES`.
async fn drain<E>(stream: &mut (impl futures_util::Stream<Item = std::result::Result<Vec<u8>, E>> + Unpin)) {
    let mut dropped = 0usize;
    while let Some(Ok(chunk)) = stream.next().await {
        dropped += chunk.len();
        if dropped > DRAIN_AFTER_REFUSAL_BYTES {
            break;
        }
    }
}

/// Counts with the `[[ratelimits]]` bindings of wrangler.toml (`Limit::binding`).
struct BindingLimiter(Env);

impl RateLimiter for BindingLimiter {
    fn allow(&self, limit: Limit, key: &str) -> AllowFuture {
        let binding = self.0.rate_limiter(limit.binding());
        let key = key.to_string();
        Box::pin(async move {
            let binding = binding.map_err(|e| e.to_string())?;
            binding.limit(key).await.map(|outcome| outcome.success).map_err(|e| e.to_string())
        })
    }
}

/// The email API, when `MAIL_API_URL`, `MAIL_API_KEY` and `MAIL_FROM` are all set; read once
/// per isolate.
fn mailer(env: &Env) -> Option<Rc<dyn Mailer>> {
    MAILER.with(|cell| cell.get_or_init(|| mailer_from_env(env)).clone())
}

fn mailer_from_env(env: &Env) -> Option<Rc<dyn Mailer>> {
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
/// each site's signed heads to the anchor store; purges what expired; mails the register's
/// daily digest (once a day per site).
#[event(scheduled)]
async fn scheduled(_event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    let (Ok(config), Ok(db)) = (app_config(&env), env.d1("DB")) else { return };
    let mut app = App::new(SqlStore::new(D1Executor::new(db)), config);
    if let Some(anchors) = anchors(&env) {
        app = app.with_anchors(anchors);
    }
    // The register's daily digest mails the DPOs.
    if let Some(mailer) = mailer(&env) {
        app = app.with_mailer(mailer);
    }
    for problem in seal_and_anchor_all(&app, Utc::now()).await {
        worker::console_error!("{problem}");
    }
    purge_expired(&app, Utc::now()).await;
    send_register_digests(&app, Utc::now()).await;
}

/// Takes the runtime's own `Request`: converting it to a `worker::Request` first reads its `cf`
/// object (a few dozen properties, never used here) on every request.
#[event(fetch)]
async fn fetch(raw: web_sys::Request, env: Env, ctx: Context) -> Result<Response> {
    let config = match app_config(&env) {
        Ok(config) => config,
        Err(e) => return to_worker(e.to_response()),
    };
    let headers = Headers(raw.headers());
    // A body declared larger than we would even drain is refused unread; any other goes
    // through the cap below (which also catches a Content-Length that lies).
    let url = worker::Url::parse(&raw.url())?;
    let cap = body_cap(url.path());
    let cf_country = cf_country(&raw);
    let declared_len = headers.get("content-length")?.and_then(|l| l.parse::<usize>().ok());
    let too_large = || to_worker(too_large_answer(url.path(), url.query().unwrap_or("")));
    if declared_len.is_some_and(|len| len > DRAIN_AFTER_REFUSAL_BYTES) {
        return too_large();
    }
    // Through `worker::Method`, as before: case folded, an unknown method read as GET.
    let method = worker::Method::from(raw.method());
    let has_body = !matches!(method, worker::Method::Get | worker::Method::Head | worker::Method::Options);
    // A body whose length is declared, within the cap, and not chunked is read in one call:
    // HTTP framing delivers exactly Content-Length bytes, and a stream reader costs a request
    // measurably more CPU (docs/BENCHMARKS.md, "Ingestion"). Anything else is read through
    // the cap: a chunked body without Content-Length is never buffered whole.
    let chunked = headers.get("transfer-encoding")?.is_some();
    let declared_small = declared_len.is_some_and(|len| len <= cap) && !chunked;
    let body = match (has_body, declared_small) {
        // A GET, HEAD or OPTIONS that came with a body anyway: read it (up to the drain bound)
        // and drop it. Left unread, wrangler dev's proxy answered the *next* request on the
        // same connection with a 503 (found by the API fuzz run, tests/src/api_fuzz.rs).
        (false, _) => {
            if let Ok(mut stream) = Request::from(raw).stream() {
                drain(&mut stream).await;
            }
            Vec::new()
        }
        (true, true) => match read_whole(&raw).await {
            Ok(body) if body.len() <= cap => body,
            Ok(_) => return too_large(),
            Err(e) => {
                return to_worker(
                    AppError::BadRequest(format!("the request body could not be read: {e}")).to_response(),
                )
            }
        },
        (true, false) => match read_streamed(Request::from(raw), cap).await {
            Ok(body) => body,
            Err(AppError::PayloadTooLarge(_)) => return too_large(),
            Err(refusal) => return to_worker(refusal.to_response()),
        },
    };
    let mut headers: Vec<(String, String)> =
        headers.entries().map(|(n, v)| (n.to_ascii_lowercase(), v)).collect();
    // The visitor's country decides which cookie rules apply (`app::country`). On Cloudflare it
    // is `request.cf.country`, which replaces any `CF-IPCountry` a client sent; a local worker
    // (wrangler dev, the tests) has no real one and keeps the `CF-IPCountry` the request carries.
    let sent_country = headers.iter().any(|(n, _)| n == "cf-ipcountry");
    if !(config.is_local() && sent_country) {
        headers.retain(|(n, _)| n != "cf-ipcountry");
        if let Some(country) = cf_country {
            headers.push(("cf-ipcountry".into(), country));
        }
    }
    let http_req = HttpRequest {
        method: method.to_string(),
        origin: url.origin().ascii_serialization(),
        path: url.path().to_string(),
        query: url.query().unwrap_or("").to_string(),
        headers,
        body,
    };
    let store = SqlStore::new(D1Executor::new(env.d1("DB")?));
    let mut new_id = || uuid::Uuid::new_v4().to_string();
    let mut facts = RequestFacts { now: Utc::now(), new_id: &mut new_id, later: Vec::new() };
    let mut app = App::new(store, config)
        .with_isolate(ISOLATE.with(Rc::clone))
        .with_limiter(Rc::new(BindingLimiter(env.clone())));
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

/// `request.cf.country`, read alone: the rest of the `cf` object is never needed.
fn cf_country(raw: &web_sys::Request) -> Option<String> {
    let cf = js_sys::Reflect::get(raw, &"cf".into()).ok()?;
    if cf.is_undefined() || cf.is_null() {
        return None;
    }
    js_sys::Reflect::get(&cf, &"country".into()).ok()?.as_string()
}

/// The whole body in one call (`arrayBuffer()`), for a body of declared, small length.
async fn read_whole(raw: &web_sys::Request) -> Result<Vec<u8>> {
    let buffer = JsFuture::from(raw.array_buffer()?).await?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// The body through the cap, chunk by chunk (no body at all: empty).
async fn read_streamed(mut req: Request, cap: usize) -> std::result::Result<Vec<u8>, AppError> {
    let Ok(mut stream) = req.stream() else { return Ok(Vec::new()) };
    match read_capped(&mut stream, cap).await {
        Ok(body) => Ok(body),
        Err(BodyError::TooLarge) => {
            // What the client is still sending is read and dropped chunk by chunk (never kept)
            // up to a bound before the 413: answering mid-upload makes wrangler dev's proxy turn
            // the answer into a 503, and lets a client see a reset, not a 413.
            drain(&mut stream).await;
            Err(AppError::PayloadTooLarge(cap))
        }
        Err(BodyError::Stream(e)) => {
            Err(AppError::BadRequest(format!("the request body could not be read: {e}")))
        }
    }
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
