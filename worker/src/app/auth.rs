//! Who is asking, and may they: every admin endpoint turns its request into a
//! [`Principal`] for its site with [`authorize`] — a console session cookie, an API key
//! (`Authorization: Bearer ck_<prefix>_<secret>`), or the break-glass `ADMIN_KEY` (allowed and
//! written to the audit trail) — and asks `Principal::may` (the one table in `shared::access`).
//! 401 when the credentials name nobody; 403 naming the missing scope or role and the site.

use chrono::{DateTime, TimeDelta, Utc};
use consent_shared::access::{Action, Actor, Principal, Refusal};
use consent_shared::audit::AuditKind;
use consent_shared::digest::sha256_hex;
use consent_shared::time::format_utc;
use serde_json::json;

use super::audit::{client_ip, record, AuditEntry};
use super::{App, RequestFacts};
use crate::error::AppError;
use crate::http::HttpRequest;
use crate::store::accounts::SessionLimits;
use crate::store::Store;

/// The console's session cookie on a deployed (https) worker: `__Host-` makes the browser
/// refuse it unless it is `Secure`, `Path=/` and has no `Domain`, so no subdomain can set it.
pub const SESSION_COOKIE: &str = "__Host-consent_session";
/// Its name on a loopback origin (`cargo xtask dev`, tests), where plain http cannot carry a
/// `Secure` cookie and so cannot carry the `__Host-` prefix either.
pub const LOCAL_SESSION_COOKIE: &str = "consent_session";
/// A session ends after this long without a request…
pub const SESSION_IDLE_HOURS: i64 = 8;
/// …and this long after it started, whatever.
pub const SESSION_ABSOLUTE_HOURS: i64 = 24;
/// A key's last use is written at most this often (one small write, not one per request).
pub const KEY_USE_RECORD_MINUTES: i64 = 5;
/// What API keys start with.
pub const KEY_PREFIX: &str = "ck_";

/// The session cookie's name here.
pub fn session_cookie_name<S>(app: &App<S>) -> &'static str {
    if app.config.is_local() {
        LOCAL_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    }
}

/// The value of the request's session cookie, if any.
pub fn session_token<S>(app: &App<S>, req: &HttpRequest) -> Option<String> {
    let cookies = req.headers.iter().filter(|(n, _)| n == "cookie").map(|(_, v)| v.as_str());
    cookie_value(cookies, session_cookie_name(app)).map(String::from)
}

/// The first non-empty value of the cookie `name` in `Cookie` header values
/// (`a=1; b=2`). Pure: the parser fuzz target `credentials` runs it on any bytes.
pub fn cookie_value<'a>(headers: impl IntoIterator<Item = &'a str>, name: &str) -> Option<&'a str> {
    headers
        .into_iter()
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// The credential of an `Authorization` header value: `Bearer ck_<prefix>_<secret>` is an API
/// key, any other bearer token is taken for the admin key. Pure, like [`cookie_value`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential<'a> {
    ApiKey {
        prefix: &'a str,
        secret: &'a str,
    },
    /// Starts with `ck_` but has no `_` after the prefix: no key can match it.
    MalformedApiKey,
    AdminKey(&'a str),
}

/// The bearer token of an `Authorization` header value, trimmed.
pub fn bearer_token(authorization: &str) -> Option<&str> {
    authorization.strip_prefix("Bearer ").map(str::trim)
}

/// What a bearer token claims to be (not whether it is known).
pub fn credential(token: &str) -> Credential<'_> {
    match token.strip_prefix(KEY_PREFIX) {
        Some(key) => match key.split_once('_') {
            Some((prefix, secret)) => Credential::ApiKey { prefix, secret },
            None => Credential::MalformedApiKey,
        },
        None => Credential::AdminKey(token),
    }
}

/// The session limits at `now`.
pub fn session_limits(now: DateTime<Utc>) -> (String, String, String) {
    (
        format_utc(now),
        format_utc(now - TimeDelta::hours(SESSION_IDLE_HOURS)),
        format_utc(now - TimeDelta::hours(SESSION_ABSOLUTE_HOURS)),
    )
}

/// The person of the request's live session (and marks it seen), if there is one.
pub async fn session_person<S: Store + 'static>(
    app: &App<S>,
    req: &HttpRequest,
    now: DateTime<Utc>,
) -> Result<Option<String>, AppError> {
    let Some(token) = session_token(app, req) else { return Ok(None) };
    person_of_session(app, &sha256_hex(token.as_bytes()), now).await
}

/// The person of the live session whose token hashes to `token_hash` (and marks it seen).
pub async fn person_of_session<S: Store + 'static>(
    app: &App<S>,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<String>, AppError> {
    let (now, idle_since, absolute_since) = session_limits(now);
    let limits = SessionLimits { now: &now, idle_since: &idle_since, absolute_since: &absolute_since };
    Ok(app.store.touch_session(token_hash, limits).await?)
}

/// Who the request is, for `site_id`, and that they may perform `action` there.
pub async fn authorize<S: Store + 'static>(
    app: &App<S>,
    site_id: &str,
    req: &HttpRequest,
    facts: &RequestFacts<'_>,
    action: Action,
) -> Result<Principal, AppError> {
    let principal = authenticate(app, site_id, req, facts).await?;
    principal.may(action).map_err(|refusal| refused(&refusal, site_id))?;
    if principal == Principal::AdminKey {
        let detail = json!({"action": action.as_str(), "method": req.method, "path": req.path});
        let entry = AuditEntry {
            site: site_id,
            actor: Actor::AdminKey,
            kind: AuditKind::AdminKeyUsed,
            detail,
            client_ip: client_ip(req),
        };
        // Break-glass use that cannot be recorded is not allowed.
        record(app, entry, facts.now).await?;
    }
    Ok(principal)
}

/// Only the break-glass `ADMIN_KEY` (bootstrapping the first owner of a site).
pub fn require_admin_key<S>(app: &App<S>, site_id: &str, req: &HttpRequest) -> Result<(), AppError> {
    match bearer(req) {
        Some(given) if matches!(credential(given), Credential::AdminKey(_)) => {
            admin_key(app, given).map(drop)
        }
        _ => Err(AppError::Unauthorized(format!(
            "only the ADMIN_KEY may add an owner this way; an owner adds people with \
             POST /api/v1/admin/sites/{site_id}/people"
        ))),
    }
}

fn bearer(req: &HttpRequest) -> Option<&str> {
    req.header("authorization").and_then(bearer_token)
}

fn admin_key<S>(app: &App<S>, given: &str) -> Result<Principal, AppError> {
    let Some(expected) = app.config.admin_key.as_deref() else {
        return Err(AppError::Unavailable(
            "the admin endpoints are off here: ADMIN_KEY is missing or shorter than 32 bytes".into(),
        ));
    };
    // Compare digests, so the time taken says nothing about how much of the key matched.
    if sha256_hex(given.as_bytes()) == sha256_hex(expected.as_bytes()) {
        Ok(Principal::AdminKey)
    } else {
        Err(AppError::Unauthorized("unknown API key or admin key".into()))
    }
}

async fn authenticate<S: Store + 'static>(
    app: &App<S>,
    site_id: &str,
    req: &HttpRequest,
    facts: &RequestFacts<'_>,
) -> Result<Principal, AppError> {
    if let Some(given) = bearer(req) {
        return match credential(given) {
            Credential::ApiKey { prefix, secret } => api_key(app, site_id, prefix, secret, facts.now).await,
            Credential::MalformedApiKey => Err(AppError::Unauthorized("unknown API key".into())),
            Credential::AdminKey(given) => admin_key(app, given),
        };
    }
    let Some(person_id) = session_person(app, req, facts.now).await? else {
        let why = if session_token(app, req).is_some() {
            "your session has ended: sign in again at /admin/sign-in"
        } else {
            "sign in at /admin/sign-in, or send an API key as Authorization: Bearer ck_…"
        };
        return Err(AppError::Unauthorized(why.into()));
    };
    match app.store.member(site_id, &person_id).await? {
        Some(member) => Ok(Principal::Person { person_id, role: member.role }),
        None => Err(AppError::Forbidden {
            code: "no_role",
            message: format!("you have no role on site '{site_id}'"),
        }),
    }
}

/// `ck_<prefix>_<secret>`: found by prefix, checked by the hash of the secret.
async fn api_key<S: Store + 'static>(
    app: &App<S>,
    site_id: &str,
    prefix: &str,
    secret: &str,
    now: DateTime<Utc>,
) -> Result<Principal, AppError> {
    let unknown = || AppError::Unauthorized("unknown API key".into());
    let stored = app.store.api_key(prefix).await?.ok_or_else(unknown)?;
    if sha256_hex(secret.as_bytes()) != stored.secret_hash {
        return Err(unknown());
    }
    let now_text = format_utc(now);
    if stored.revoked_at.is_some() {
        return Err(AppError::Unauthorized(format!("API key {KEY_PREFIX}{prefix} was revoked")));
    }
    if stored.expires_at.as_deref().is_some_and(|at| at <= now_text.as_str()) {
        return Err(AppError::Unauthorized(format!("API key {KEY_PREFIX}{prefix} has expired")));
    }
    if stored.site_id != site_id {
        return Err(AppError::Forbidden {
            code: "wrong_site",
            message: format!("API key {KEY_PREFIX}{prefix} belongs to another site, not '{site_id}'"),
        });
    }
    let not_since = format_utc(now - TimeDelta::minutes(KEY_USE_RECORD_MINUTES));
    app.store.touch_api_key(prefix, &now_text, &not_since).await?;
    Ok(Principal::ApiKey { prefix: format!("{KEY_PREFIX}{prefix}"), scopes: stored.scopes })
}

/// The 403 for a refusal: names the scope (or role) missing, and the site.
pub fn refused(refusal: &Refusal, site_id: &str) -> AppError {
    match refusal {
        Refusal::Scope { missing: Some(scope), action } => AppError::Forbidden {
            code: "missing_scope",
            message: format!(
                "this API key lacks the scope '{}' needed to {} on site '{site_id}'",
                scope.as_str(),
                action.as_str()
            ),
        },
        Refusal::Scope { missing: None, action } => AppError::Forbidden {
            code: "missing_scope",
            message: format!(
                "no API key may {} (site '{site_id}'): a person with the owner role does it, signed in",
                action.as_str()
            ),
        },
        Refusal::Role { role, action } => AppError::Forbidden {
            code: "role_not_allowed",
            message: format!(
                "your role '{}' on site '{site_id}' does not allow {}",
                role.as_str(),
                action.as_str()
            ),
        },
    }
}
