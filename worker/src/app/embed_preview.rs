//! The console's live preview as the public endpoints see it: a dry run. The preview page
//! (`console_embed::live`) runs the real widget on the worker's own origin, which no site
//! registers, and hands it a credential (`shared::preview`) that the widget sends back in the
//! `Consent-Preview` header of its POSTs. With a genuine credential, from the worker's own
//! origin, for a session that is still signed in with a role that may see the Embed page, the
//! public endpoints take the worker's origin for that one site, check the submission or
//! decision exactly as for a real one, and answer with the same receipt plus `"preview": true`
//! — without writing an event, a cookie decision, an idempotent answer or mail, and without
//! sealing. Anything else carrying the header is refused (403 `preview_refused`), writing
//! nothing.

use chrono::{DateTime, Utc};
use consent_shared::access::Action;
use consent_shared::api::v1::CookieReceipt;
use consent_shared::consent::CookieConsentRecord;
use consent_shared::digest::{hmac_sha256_hex, sha256_hex};
use consent_shared::email::Email;
use consent_shared::ledger::{Choice, Provenance, RequestContext};
use consent_shared::preview;
use consent_shared::site::SiteConfig;

use super::auth::person_of_session;
use super::ledger::unwritten_public_receipt;
use super::{App, RequestFacts};
use crate::error::AppError;
use crate::http::{HttpRequest, HttpResponse};
use crate::store::Store;

/// The request header the widget sends the preview credential in.
pub const HEADER: &str = "consent-preview";

/// What a role needs to preview a site: what it needs to see the Embed page.
const NEEDS: Action = Action::ReadSite;

fn key<S>(app: &App<S>) -> Vec<u8> {
    hmac_sha256_hex(&app.config.token_keys[0].secret, b"console-preview:v1").into_bytes()
}

/// A credential for the preview page of `site`, bound to the session whose token is `session`.
pub fn credential<S>(app: &App<S>, site: &str, session: &str, now: i64) -> String {
    preview::issue(&key(app), site, &sha256_hex(session.as_bytes()), now)
}

/// `site` as the preview sees it when the request carries a preview credential: with the
/// worker's own origin (`req.origin`) among its allowed origins, for this request only. `None`
/// without the header; 403 `preview_refused` for a credential that is not genuine, not for
/// this site, expired, not sent from the worker's own origin, or whose session has ended or
/// whose person may no longer see the site.
pub async fn admit<S: Store + 'static>(
    app: &App<S>,
    site: &SiteConfig,
    req: &HttpRequest,
    now: DateTime<Utc>,
) -> Result<Option<SiteConfig>, AppError> {
    let Some(presented) = req.header(HEADER) else { return Ok(None) };
    let refuse = |why: &str| {
        super::log_internal(&format!("preview refused for site {}: {why}", site.id));
        AppError::Forbidden {
            code: "preview_refused",
            message: "this preview has expired or is not valid: open the preview again from the console's Embed page; nothing was recorded".into(),
        }
    };
    if req.header("origin") != Some(req.origin.as_str()) {
        return Err(refuse("not sent from the worker's own origin"));
    }
    let session_hash = preview::check(&key(app), &site.id, presented, now.timestamp())
        .map_err(|e| refuse(&e.to_string()))?;
    let Some(person) = person_of_session(app, session_hash, now).await? else {
        return Err(refuse("the session has ended"));
    };
    let memberships = app.store.memberships_of(&person).await?;
    if !memberships.iter().any(|(s, role)| *s == site.id && NEEDS.allowed_for(*role)) {
        return Err(refuse("the person may no longer see this site"));
    }
    let mut site = site.clone();
    site.allowed_origins.push(req.origin.clone());
    Ok(Some(site))
}

/// The receipt a real submission of `choices` would get (`Answering::Public`: no event ids),
/// marked as a preview; nothing is written, sealed or mailed.
pub fn submission_answer<S>(
    app: &App<S>,
    site: &SiteConfig,
    email: Email,
    choices: &[Choice],
    provenance: &Provenance,
    ctx: &RequestContext,
    facts: &mut RequestFacts<'_>,
) -> HttpResponse {
    let mut receipt = unwritten_public_receipt(app, site, email, choices, provenance, ctx, facts);
    receipt.preview = Some(true);
    HttpResponse::json(201, &receipt)
}

/// The receipt a real cookie decision would get, marked as a preview; nothing is written.
pub fn cookie_answer(record: &CookieConsentRecord) -> HttpResponse {
    let receipt = CookieReceipt {
        record_id: record.id.clone(),
        recorded_at: record.server_time.clone(),
        preview: Some(true),
    };
    HttpResponse::json(201, &receipt)
}
