//! Signed links to the person-facing pages, and the admin endpoint that issues them.
//!
//! Every link carries a `token::sign`ed claim (site, subject HMAC id, scope, expiry) — never an
//! email or a row id. Unsubscribe links live long because people unsubscribe from old mail;
//! preference links open a person's whole record, so they expire sooner and a fresh one is a
//! "Lost your link?" away.

use chrono::{DateTime, TimeDelta, Utc};
use consent_shared::access::Action;
use consent_shared::api::v1::{LinkRequest, Links};
use consent_shared::audit::AuditKind;
use consent_shared::site::{Channel, SiteConfig};
use consent_shared::time::format_utc;
use consent_shared::token::{sign, verify, Claims, Key, Scope, TokenError};

use super::admin::{admin_email, admin_site};
use super::audit::{client_ip, record, AuditEntry};
use super::csrf_form::Form;
use super::page_text::PageLang;
use super::pages::{broken_link, unavailable};
use super::{json_body, require_method, App, RequestFacts};
use crate::error::AppError;
use crate::http::{HttpRequest, HttpResponse};
use crate::store::Store;

/// How long an unsubscribe link keeps working.
pub const UNSUBSCRIBE_LINK_DAYS: i64 = 365;
/// How long a preference-centre link from a message footer keeps working.
pub const PREFERENCES_LINK_DAYS: i64 = 90;
/// Links sent on request ("Lost your link?", confirmations) are short-lived.
pub const EMAILED_LINK_DAYS: i64 = 7;
/// A complaint's status link works for two years: a complaint may take months to answer (and
/// longer if it goes on to the ICO), and the link shows only that complaint's reference, dates
/// and the organisation's reply — never the person's data or address — so a long life costs
/// little. The reply itself was also sent by the organisation in its own words.
pub const COMPLAINT_LINK_DAYS: i64 = 730;

/// `POST /api/v1/admin/sites/{site}/links`: the preference and unsubscribe URLs and the
/// `List-Unsubscribe` header values a mailer puts on a message to this person.
pub async fn links<S: Store + 'static>(
    app: &App<S>,
    site_id: &str,
    req: &HttpRequest,
    facts: &RequestFacts<'_>,
) -> Result<HttpResponse, AppError> {
    let (site, principal) = admin_site(app, site_id, req, facts, Action::ManageSubjects).await?;
    let actor = principal.actor();
    require_method(req, &["POST"])?;
    let input: LinkRequest = json_body(req)?;
    let email = admin_email(&input.email)?;
    let channel = input.channel.unwrap_or(Channel::Email);
    if let Some(purpose) = &input.purpose {
        if site.purpose(purpose, channel).is_none() {
            let message =
                format!("site '{site_id}' has no purpose '{purpose}' on channel '{}'", channel.as_str());
            return Err(AppError::NotFound(message));
        }
    }
    let subject = app.subject_for(&site.id, &email).await?;
    let signer = LinkSigner::for_request(app, req, facts);
    let url = signer.unsubscribe_url(&site.id, &subject, input.purpose.clone(), channel);
    let detail =
        serde_json::json!({"subject": subject, "purpose": input.purpose, "channel": channel.as_str()});
    let entry = AuditEntry {
        site: &site.id,
        actor,
        kind: AuditKind::PreferenceLinkMinted,
        detail,
        client_ip: client_ip(req),
    };
    record(app, entry, facts.now).await?;
    Ok(HttpResponse::json(
        200,
        &Links {
            preferences_url: signer.preferences_url(&site.id, &subject),
            preferences_expires_at: Some(format_utc(signer.expiry(PREFERENCES_LINK_DAYS))),
            list_unsubscribe: format!("<{url}>"),
            list_unsubscribe_post: "List-Unsubscribe=One-Click".into(),
            unsubscribe_url: url,
            expires_at: format_utc(signer.expiry(UNSUBSCRIBE_LINK_DAYS)),
        },
    ))
}

/// Signs links for one origin and key, from one moment (the links endpoint, exports, emails).
#[derive(Clone)]
pub struct LinkSigner {
    pub origin: String,
    pub key: Key,
    pub now: DateTime<Utc>,
}

impl LinkSigner {
    /// Links start with `PUBLIC_ORIGIN`, never the request's Host (which a caller chooses). The
    /// routes that make links are only reached while the link features are on
    /// (`AppConfig::links_off`); should one slip through, its links name the request's origin.
    pub fn for_request<S>(app: &App<S>, req: &HttpRequest, facts: &RequestFacts<'_>) -> LinkSigner {
        LinkSigner {
            origin: app.config.own_origin(req),
            key: app.config.token_keys[0].clone(),
            now: facts.now,
        }
    }

    pub fn expiry(&self, days: i64) -> DateTime<Utc> {
        self.now + TimeDelta::days(days)
    }

    fn url(&self, prefix: &str, site: &str, subject: &str, scope: Scope, days: i64) -> String {
        let claims = Claims {
            site: site.to_string(),
            sub: subject.to_string(),
            scope,
            exp: self.expiry(days).timestamp(),
        };
        format!("{}/{prefix}/{}", self.origin, sign(&claims, &self.key))
    }

    pub fn unsubscribe_url(
        &self,
        site: &str,
        subject: &str,
        purpose: Option<String>,
        channel: Channel,
    ) -> String {
        self.url("u", site, subject, Scope::Unsubscribe { purpose, channel }, UNSUBSCRIBE_LINK_DAYS)
    }

    pub fn preferences_url(&self, site: &str, subject: &str) -> String {
        self.url("p", site, subject, Scope::Preferences, PREFERENCES_LINK_DAYS)
    }

    /// A preference link sent on request: same page, shorter life.
    pub fn emailed_preferences_url(&self, site: &str, subject: &str) -> String {
        self.url("p", site, subject, Scope::Preferences, EMAILED_LINK_DAYS)
    }

    /// Double opt-in: confirms the subject's pending consents.
    pub fn confirm_url(&self, site: &str, subject: &str) -> String {
        self.url("c", site, subject, Scope::Confirm, EMAILED_LINK_DAYS)
    }

    /// Where one complaint stands: names the site and the register reference, no subject.
    pub fn complaint_status_url(&self, site: &str, reference: &str) -> String {
        let scope = Scope::ComplaintStatus { reference: reference.to_string() };
        self.url("complaint-status", site, "", scope, COMPLAINT_LINK_DAYS)
    }

    /// Confirms a new address (`alias` = its HMAC id) for the subject.
    pub fn confirm_email_url(&self, site: &str, subject: &str, alias: &str) -> String {
        self.url("c", site, subject, Scope::ConfirmEmail { alias: alias.to_string() }, EMAILED_LINK_DAYS)
    }
}

/// The claims and site of a genuine, unexpired link of the kind a page serves (`wanted`), or
/// the readable page to show instead.
pub async fn open_link<S: Store + 'static>(
    app: &App<S>,
    token: &str,
    now: DateTime<Utc>,
    wanted: fn(&Scope) -> bool,
) -> Result<(Claims, SiteConfig), HttpResponse> {
    let claims = verify(token, &app.config.token_keys, now.timestamp())
        .map_err(|e| broken_link(if e == TokenError::Expired { 410 } else { 400 }, &e.to_string()))?;
    if !wanted(&claims.scope) {
        return Err(broken_link(400, "this link is for a different page"));
    }
    match app.site(&claims.site, now).await {
        Ok(Some(site)) => Ok((claims, site)),
        Ok(None) => Err(broken_link(404, "the organisation it belongs to no longer uses this service")),
        Err(e) => Err(unavailable(PageLang::En, &e)),
    }
}

/// The site a public page names (`/preferences/{site}`, `/complaints/{site}`), or the readable
/// page to show instead: 404 for an unknown site, 503 when storage fails.
pub async fn public_site<S: Store + 'static>(
    app: &App<S>,
    site_id: &str,
    now: DateTime<Utc>,
) -> Result<SiteConfig, HttpResponse> {
    match app.site(site_id, now).await {
        Ok(Some(site)) => Ok(site),
        Ok(None) => Err(broken_link(404, "there is no such list")),
        Err(e) => Err(unavailable(PageLang::En, &e)),
    }
}

/// A page request's posted form (on `POST`) and the language the form's `lang` field or
/// `?lang=` asks for.
pub fn form_and_lang(req: &HttpRequest, site: &SiteConfig) -> (Option<Form>, PageLang) {
    let form = if req.method == "POST" { Form::parse(req) } else { None };
    let requested = form.as_ref().and_then(|f| f.get("lang").map(str::to_string)).or(req.query_param("lang"));
    let lang = page_lang(requested.as_deref(), site);
    (form, lang)
}

/// The language a page speaks: `?lang=` (or the form's `lang`), else the site's default, else
/// English.
pub fn page_lang(requested: Option<&str>, site: &SiteConfig) -> PageLang {
    requested
        .and_then(PageLang::parse)
        .or_else(|| PageLang::parse(&site.default_lang))
        .unwrap_or(PageLang::En)
}
