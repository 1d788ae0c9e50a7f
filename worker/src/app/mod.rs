//! The application: routing plus handlers, generic over `Store`. Nothing here knows workerd or
//! D1; the wasm shell supplies a D1-backed store, the clock and fresh ids.

pub(crate) mod admin;
pub mod anchors;
mod api_doc;
pub mod audit;
mod auth;
mod complaints;
pub mod config;
mod confirm;
mod consents;
mod console;
mod console_add_purpose;
mod console_audience;
mod console_audit;
mod console_categories;
mod console_embed;
mod console_import;
pub mod console_layout;
mod console_ledger;
mod console_new_site;
mod console_people;
mod console_people2;
mod console_preview;
mod console_register;
mod console_register_entry;
mod console_retention;
mod console_review;
mod console_review_erasure;
mod console_review_lists;
mod console_settings;
pub mod console_site;
pub mod console_statistics;
mod console_suppressions;
mod console_team;
mod console_wording;
pub mod cors;
mod csrf_form;
mod csv_upload;
mod embed_preview;
pub mod import_csv;
pub mod isolate;
pub mod ledger;
pub(crate) mod links;
mod lost_link;
pub mod mail;
mod page_text;
mod pages;
mod preferences;
pub mod rate_limit;
mod rectify;
pub mod register_digest;
mod register_entries;
pub mod retention;
mod rights;
mod subject_check;
mod suppression_list;
mod team;
pub(crate) mod unsubscribe;
pub mod upkeep;
mod verify;

use std::rc::Rc;

use std::future::Future;
use std::pin::Pin;

use chrono::{DateTime, TimeDelta, Utc};
use consent_shared::email::Email;
use consent_shared::subject::{domain_tag, mailbox_tag, subject_id};
use consent_shared::time::format_utc;
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::error::AppError;
use crate::http::{HttpRequest, HttpResponse};
use crate::router::{route, Route};
use consent_shared::site::SiteConfig;

use self::isolate::IsolateState;
use self::page_text::PageLang;
use self::rate_limit::{counters, Limited, RateLimiter};
use crate::store::{MailClaim, Store};

/// The largest request body any endpoint accepts, but the batch consent check.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// The batch consent check's body: up to `api::v1::MAX_CHECK_BATCH` (1,000) addresses of up to
/// 254 characters each, quoted and separated, plus the purpose and channel.
pub const MAX_CHECK_BODY_BYTES: usize = 320 * 1024;

/// The console's import form: a pasted CSV of up to `import_csv::MAX_ROWS` (50,000) rows of a
/// few hundred bytes each, form-encoded. Reading and checking it costs CPU in proportion; the
/// rows are then recorded in chunks by later requests.
pub const MAX_IMPORT_BODY_BYTES: usize = 16 * 1024 * 1024;

/// The console's suppression form: up to 1,000 addresses (`console_suppressions`), pasted or as
/// an uploaded CSV that may carry other columns beside `email` (an export from a mailing tool):
/// 1,000 rows of up to 512 bytes.
pub const MAX_SUPPRESSIONS_BODY_BYTES: usize = 512 * 1024;

/// The body cap for a request to `path`: what the shell reads at most before answering 413.
pub fn body_cap(path: &str) -> usize {
    match route(path) {
        Route::SubjectsCheck { .. } => MAX_CHECK_BODY_BYTES,
        Route::ConsoleSite { section, item: None, .. } if section == "import" => MAX_IMPORT_BODY_BYTES,
        Route::ConsoleSite { section, item: None, .. } if section == "suppressions" => {
            MAX_SUPPRESSIONS_BODY_BYTES
        }
        _ => MAX_BODY_BYTES,
    }
}

/// The answer to a body over the route's cap, sent unread by the shell: on the console's pages a
/// readable page saying how large a file may be (a browser posting a form shows it as is); the
/// API's JSON error elsewhere.
pub fn too_large_answer(path: &str, query: &str) -> HttpResponse {
    let cap = body_cap(path);
    if !path.starts_with("/admin") {
        return AppError::PayloadTooLarge(cap).to_response();
    }
    let lang = form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "lang")
        .and_then(|(_, v)| PageLang::parse(&v))
        .unwrap_or(PageLang::En);
    csv_upload::too_large_page(path, lang, cap)
}

pub use self::config::AppConfig;

/// Work that runs after the response is sent (the worker hands it to `waitUntil`).
pub type Later = Pin<Box<dyn Future<Output = ()>>>;

/// Per-request facts that `shared` may not obtain itself: the time and fresh random ids; and
/// where to put work that must not delay (or time) the response.
pub struct RequestFacts<'a> {
    pub now: DateTime<Utc>,
    pub new_id: &'a mut dyn FnMut() -> String,
    pub later: Vec<Later>,
}

/// At most one mail of a kind to one mailbox (plus-tags and ignored dots folded, see
/// `Email::mailbox_key`) for one site in this many minutes, so the pages that send mail cannot
/// be used to flood an inbox.
pub const MAIL_INTERVAL_MINUTES: i64 = 10;

/// At most this many mails of any kind, from any site of this deployment, to one mailbox per
/// hour: `victim+1@gmail.com`, `victim+2@…` are one mailbox. A person's own flows (a double
/// opt-in confirmation, a "lost your link?" mail, an address check) fit comfortably.
pub const MAILBOX_MAILS_PER_HOUR: u32 = 3;

/// At most this many mails from one site to one recipient domain per hour, so a script cycling
/// through made-up mailboxes at one domain cannot flood it (and spoil the sender's reputation
/// with it). Each site has its own budget, so sign-ups on one site never use up another's; it
/// is sized for a busy sign-up hour at one large provider (a freshers' fair), above what the
/// per-site form limit lets through in practice.
pub const DOMAIN_MAILS_PER_HOUR: u32 = 1000;

pub struct App<S> {
    /// Shared with response streams (exports) that outlive the handler call.
    pub store: Rc<S>,
    pub config: AppConfig,
    /// What this isolate remembers between requests (site cache, sealing schedule).
    pub isolate: Rc<IsolateState>,
    /// Delivers transactional mail; `None` when no email API is configured.
    pub mailer: Option<Rc<dyn mail::Mailer>>,
    /// Where signed chain heads are kept outside the database; `None` when not configured.
    pub anchors: Option<Rc<dyn anchors::AnchorStore>>,
    /// Counts public POSTs against the rate limits; `None` counts nothing (native tests that
    /// are not about limits).
    pub limiter: Option<Rc<dyn RateLimiter>>,
}

impl<S: Store + 'static> App<S> {
    pub fn new(store: S, config: AppConfig) -> Self {
        App {
            store: Rc::new(store),
            config,
            isolate: Rc::new(IsolateState::default()),
            mailer: None,
            anchors: None,
            limiter: None,
        }
    }

    pub fn with_anchors(mut self, anchors: Rc<dyn anchors::AnchorStore>) -> Self {
        self.anchors = Some(anchors);
        self
    }

    pub fn with_limiter(mut self, limiter: Rc<dyn RateLimiter>) -> Self {
        self.limiter = Some(limiter);
        self
    }

    pub fn with_mailer(mut self, mailer: Rc<dyn mail::Mailer>) -> Self {
        self.mailer = Some(mailer);
        self
    }

    /// Sends `mail` after the response, unless a mail of `kind` went to the same mailbox for
    /// this site in the last `MAIL_INTERVAL_MINUTES`, or the mailbox or its domain has used its
    /// hourly budget (`MAILBOX_MAILS_PER_HOUR`, `DOMAIN_MAILS_PER_HOUR`). The mailbox is the
    /// one `mail.to` delivers to; the budget keeps only keyed HMACs of it. Deciding after the
    /// response keeps its timing the same whatever the decision; a failure is logged (the
    /// person can ask again).
    pub fn mail_later(
        &self,
        facts: &mut RequestFacts<'_>,
        site: &str,
        kind: &'static str,
        mail: mail::OutgoingMail,
    ) {
        let Some(mailer) = self.mailer.clone() else { return };
        let store = Rc::clone(&self.store);
        if let Some(send) =
            budgeted_send(store, mailer, &self.config.subject_key, facts.now, site, kind, mail)
        {
            facts.later.push(Box::pin(async move {
                send.await;
            }));
        }
    }

    /// The subject an address belongs to: its HMAC id, or the record it was confirmed onto.
    pub async fn subject_for(&self, site: &str, email: &Email) -> Result<String, AppError> {
        let id = subject_id(&self.config.subject_key, site, email);
        Ok(self.store.resolve_subject(site, &id).await?)
    }

    /// Shares the isolate's state (the shell passes the one its isolate keeps).
    pub fn with_isolate(mut self, isolate: Rc<IsolateState>) -> Self {
        self.isolate = isolate;
        self
    }

    /// The site, from this isolate's short-lived cache or from storage.
    pub async fn site(&self, id: &str, now: DateTime<Utc>) -> Result<Option<SiteConfig>, AppError> {
        if let Some(site) = self.isolate.cached_site(id, now) {
            return Ok(Some(site));
        }
        let site = self.store.site(id).await?;
        if let Some(site) = &site {
            self.isolate.remember_site(site, now);
        }
        Ok(site)
    }

    pub async fn handle(&self, req: &HttpRequest, facts: &mut RequestFacts<'_>) -> HttpResponse {
        let or_error = |r: Result<HttpResponse, AppError>| r.unwrap_or_else(|e| error_response(&e));
        let route = route(&req.path);
        if let Some(refused) = self.over_limit(&route, req, facts).await {
            return refused.with_header("x-content-type-options", "nosniff");
        }
        if let Some(refused) = self.without_links(&route) {
            return refused.with_header("x-content-type-options", "nosniff");
        }
        let response = match route {
            Route::Health => or_error(self.health(req).await),
            Route::OpenApi => or_error(api_doc::serve(req)),
            Route::SiteConfig { site } => consents::site_config(self, &site, req, facts).await,
            Route::Policy { site } => consents::policy(self, &site, req, facts).await,
            Route::Consents { site } => consents::submit(self, &site, req, facts).await,
            Route::CookieConsents { site } => consents::cookie_decision(self, &site, req, facts).await,
            Route::Audience { site } => or_error(admin::audience(self, &site, req, facts).await),
            Route::VerifyLedger { site } => or_error(verify::verify_ledger(self, &site, req, facts).await),
            Route::AdminSite { site } => or_error(admin::site(self, &site, req, facts).await),
            Route::AdminConsents { site } => or_error(admin::record_changes(self, &site, req, facts).await),
            Route::AdminSuppressions { site } => or_error(admin::suppress(self, &site, req, facts).await),
            Route::AdminLinks { site } => or_error(links::links(self, &site, req, facts).await),
            Route::AdminSubject { site, request } => {
                or_error(rights::handle(self, &site, &request, req, facts).await)
            }
            Route::AdminAudit { site } => or_error(audit::list(self, &site, req, facts).await),
            Route::SubjectsCheck { site } => or_error(subject_check::check(self, &site, req, facts).await),
            Route::AdminOwners { site } => or_error(team::owners(self, &site, req, facts).await),
            Route::AdminPeople { site } => or_error(team::people(self, &site, req, facts).await),
            Route::AdminPerson { site, person } => {
                or_error(team::person(self, &site, &person, req, facts).await)
            }
            Route::AdminKeys { site } => or_error(team::keys(self, &site, req, facts).await),
            Route::AdminKey { site, prefix } => or_error(team::key(self, &site, &prefix, req, facts).await),
            Route::Console => console::home(self, req, facts).await,
            Route::ConsoleSite { site, section, item } => {
                console_site::dispatch(self, &site, &section, item.as_deref(), req, facts).await
            }
            Route::SignIn => console::sign_in(self, req, facts).await,
            Route::SignInLink { token } => console::sign_in_link(self, &token, req, facts).await,
            Route::SignOut => console::sign_out(self, req, facts, false).await,
            Route::SignOutEverywhere => console::sign_out(self, req, facts, true).await,
            Route::ConsoleNewSite => console_new_site::page_for(self, req, facts).await,
            Route::Unsubscribe { token } => unsubscribe::unsubscribe(self, &token, req, facts).await,
            Route::Preferences { token } => preferences::handle(self, &token, req, facts).await,
            Route::Confirm { token } => confirm::handle(self, &token, req, facts).await,
            Route::LostLink { site } => lost_link::handle(self, &site, req, facts).await,
            Route::Complaints { site } => complaints::public_form(self, &site, req, facts).await,
            Route::ComplaintStatus { token } => complaints::status(self, &token, req, facts).await,
            Route::ContractSuite => or_error(self.contract_suite(req, facts).await),
            Route::NotFound => or_error(Err(AppError::NotFound(format!("no endpoint at {}", req.path)))),
        };
        response.with_header("x-content-type-options", "nosniff")
    }

    async fn health(&self, req: &HttpRequest) -> Result<HttpResponse, AppError> {
        require_method(req, &["GET", "HEAD"])?;
        self.store.ping().await?;
        let health = consent_shared::api::v1::Health {
            status: "ok".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        };
        Ok(HttpResponse::json(200, &health))
    }

    /// The 429 answer when a public POST is over one of its rate limits (see `rate_limit`).
    async fn over_limit(
        &self,
        route: &Route,
        req: &HttpRequest,
        facts: &RequestFacts<'_>,
    ) -> Option<HttpResponse> {
        let limiter = self.limiter.as_ref()?;
        if req.method != "POST" {
            return None;
        }
        // The site of a link page comes from its token, and only from a genuine one.
        let token_site = |token: &str| {
            consent_shared::token::verify(token, &self.config.token_keys, facts.now.timestamp())
                .ok()
                .map(|claims| claims.site)
        };
        let (kind, site, is_page) = match route {
            Route::Consents { site } => (Limited::Form, Some(site.clone()), false),
            Route::CookieConsents { site } => (Limited::Cookie, Some(site.clone()), false),
            Route::LostLink { site } | Route::Complaints { site } => {
                (Limited::Form, Some(site.clone()), true)
            }
            // Sign-in mails and link redemptions count against the per-client form limit.
            Route::SignIn | Route::SignInLink { .. } => (Limited::Form, None, true),
            Route::Preferences { token } | Route::Confirm { token } => {
                (Limited::Form, token_site(token), true)
            }
            _ => return None,
        };
        // Cloudflare sets CF-Connecting-IP on every request it forwards (a client cannot).
        let ip = req.header("cf-connecting-ip").unwrap_or("unknown");
        for (limit, key) in counters(kind, ip, site.as_deref()) {
            match limiter.allow(limit, &key).await {
                Ok(true) => {}
                Ok(false) => {
                    let retry_after = limit.period_secs();
                    return Some(if is_page {
                        pages::too_many_requests(page_lang_asked(req), retry_after)
                    } else {
                        AppError::RateLimited { retry_after }.to_response()
                    });
                }
                // A limiter that fails lets the request through: recording a person's choice
                // matters more than counting it. The log says so.
                Err(e) => log_internal(&format!(
                    "rate limiter {} failed, request let through: {e}",
                    limit.binding()
                )),
            }
        }
        None
    }

    /// The 503 answer of a route that needs links when the link features are off.
    fn without_links(&self, route: &Route) -> Option<HttpResponse> {
        let reason = self.config.links_off()?;
        let is_page = match route {
            Route::Unsubscribe { .. }
            | Route::Preferences { .. }
            | Route::Confirm { .. }
            | Route::LostLink { .. }
            // The acknowledgement carries a signed status link; the forms are signed too.
            | Route::Complaints { .. }
            | Route::ComplaintStatus { .. }
            // The console's forms are signed with the link keys and its mail carries links.
            | Route::Console
            | Route::ConsoleNewSite
            | Route::SignIn
            | Route::SignInLink { .. }
            | Route::SignOut
            | Route::SignOutEverywhere => true,
            Route::AdminLinks { .. } | Route::Audience { .. } => false,
            _ => return None,
        };
        let message = "links are not available here just now: the worker's log says why";
        Some(if is_page {
            pages::unavailable(PageLang::En, &reason)
        } else {
            log_internal(reason);
            AppError::Unavailable(message.into()).to_response()
        })
    }

    /// Only the test build has this route (see `router::route`); elsewhere it cannot be reached
    /// and the suite is not compiled in.
    async fn contract_suite(
        &self,
        req: &HttpRequest,
        facts: &mut RequestFacts<'_>,
    ) -> Result<HttpResponse, AppError> {
        if !cfg!(feature = "contract-tests") {
            return Err(AppError::NotFound(format!("no endpoint at {}", req.path)));
        }
        require_method(req, &["POST"])?;
        let prefix = format!("contract-{}", (facts.new_id)());
        let outcomes = self.store.run_contract(&prefix).await;
        let passed = outcomes.iter().all(|o| o.failure.is_none());
        Ok(HttpResponse::json(if passed { 200 } else { 500 }, &json!({"cases": outcomes})))
    }
}

/// Claims a slot in the mail budgets, then sends: `true` only when the message went to the
/// mail API and it accepted it (failures logged). `None` (logged) when the address does not
/// parse. `App::mail_later` runs it after the response; work already running after the response
/// (the console's sign-in mail) and the complaint form (which records the acknowledgement only
/// once it is sent) await it.
pub(crate) fn budgeted_send<S: Store + 'static>(
    store: Rc<S>,
    mailer: Rc<dyn mail::Mailer>,
    subject_key: &[u8],
    now: DateTime<Utc>,
    site: &str,
    kind: &'static str,
    mail: mail::OutgoingMail,
) -> Option<Pin<Box<dyn Future<Output = bool>>>> {
    let Ok(to) = Email::parse(&mail.to) else {
        log_internal(&format!("{kind} mail not sent: its address does not parse"));
        return None;
    };
    let mailbox = mailbox_tag(subject_key, &to);
    let domain = domain_tag(subject_key, &to);
    let site = site.to_string();
    Some(Box::pin(async move {
        let (sent_at, kind_not_before, budget_since) = (
            format_utc(now),
            format_utc(now - TimeDelta::minutes(MAIL_INTERVAL_MINUTES)),
            format_utc(now - TimeDelta::hours(1)),
        );
        let claim = MailClaim {
            site: &site,
            mailbox: &mailbox,
            domain: &domain,
            kind,
            now: &sent_at,
            kind_not_before: &kind_not_before,
            budget_since: &budget_since,
            mailbox_budget: MAILBOX_MAILS_PER_HOUR,
            domain_budget: DOMAIN_MAILS_PER_HOUR,
        };
        match store.claim_mail_slot(&claim).await {
            Ok(true) => match mailer.send(mail).await {
                Ok(()) => true,
                Err(e) => {
                    log_internal(&format!("sending {kind} mail failed: {e}"));
                    false
                }
            },
            Ok(false) => {
                // Logged without the address: the budgets exist to stop floods, and a refusal
                // is the only trace of a mail that did not go.
                log_internal(&format!("{kind} mail not sent: over the mail budget"));
                false
            }
            Err(e) => {
                log_internal(&format!("{kind} mail not sent: {e}"));
                false
            }
        }
    }))
}

/// A JSON request body: size-limited, `application/json`, and of the endpoint's shape.
pub(crate) fn json_body<T: DeserializeOwned>(req: &HttpRequest) -> Result<T, AppError> {
    json_body_capped(req, MAX_BODY_BYTES)
}

/// `json_body` with an endpoint's own cap.
pub(crate) fn json_body_capped<T: DeserializeOwned>(req: &HttpRequest, cap: usize) -> Result<T, AppError> {
    if req.body.len() > cap {
        return Err(AppError::PayloadTooLarge(cap));
    }
    let is_json = req
        .header("content-type")
        .is_some_and(|ct| ct.split(';').next().unwrap_or("").trim().eq_ignore_ascii_case("application/json"));
    if !is_json {
        return Err(AppError::UnsupportedMediaType);
    }
    serde_json::from_slice(&req.body).map_err(|e| AppError::BadJson(e.to_string()))
}

/// The language a request asks for, from `?lang=` or a posted form's `lang` field, before
/// any site is known (English otherwise).
fn page_lang_asked(req: &HttpRequest) -> PageLang {
    let posted = form_urlencoded::parse(&req.body).find(|(k, _)| k == "lang").map(|(_, v)| v.into_owned());
    posted.or_else(|| req.query_param("lang")).as_deref().and_then(PageLang::parse).unwrap_or(PageLang::En)
}

pub(crate) fn require_method(req: &HttpRequest, allowed: &[&str]) -> Result<(), AppError> {
    if allowed.contains(&req.method.as_str()) {
        Ok(())
    } else {
        Err(AppError::MethodNotAllowed)
    }
}

/// Logs what we hide: internal causes never reach the client.
pub(crate) fn error_response(e: &AppError) -> HttpResponse {
    if let AppError::Internal(cause) = e {
        log_internal(cause);
    }
    e.to_response()
}

pub(crate) fn log_internal(cause: &str) {
    #[cfg(target_arch = "wasm32")]
    worker::console_error!("internal error: {cause}");
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("internal error: {cause}");
}

/// The request-body parsers on their own, for the parser fuzz targets in `fuzz/`: not an API.
#[doc(hidden)]
pub mod parsers {
    pub use super::auth::{bearer_token, cookie_value, credential, Credential, KEY_PREFIX};
    pub use super::csrf_form::Form;
    pub use super::unsubscribe::is_one_click;
}

#[cfg(test)]
mod tests;
